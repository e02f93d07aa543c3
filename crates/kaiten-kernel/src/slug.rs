//! Slugs: validated against the contract's pattern, or generated from a name exactly as the
//! original's `slugutil` does (with a random suffix, retried on collision).

use std::sync::LazyLock;

use rand::RngCore;
use regex::Regex;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::error::Error;

pub const PATTERN: &str = "^[a-z0-9][a-z0-9-]*[a-z0-9]$";
pub const MAX_LEN: usize = 100;
/// How many generated slugs are tried before a collision is reported.
pub const MAX_ATTEMPTS: usize = 5;

static SLUG: LazyLock<Regex> = LazyLock::new(|| Regex::new(PATTERN).expect("valid pattern"));

pub fn is_valid(slug: &str) -> bool {
    (2..=MAX_LEN).contains(&slug.len()) && SLUG.is_match(slug)
}

/// A caller-supplied slug, checked; `code` is the operation's `…InvalidSlug` code.
pub fn validate(slug: &str, code: &'static str) -> Result<(), Error> {
    if is_valid(slug) {
        Ok(())
    } else {
        Err(Error::bad_request(
            code,
            format!("Slug \"{slug}\" is invalid: must match {PATTERN} and be 2–100 characters"),
        ))
    }
}

/// The slugs to try in turn: the caller's alone (so a collision is the caller's 409), or up
/// to `MAX_ATTEMPTS` generated from `name`.
pub fn candidates<'a>(explicit: Option<&'a str>, name: &'a str) -> impl Iterator<Item = String> + 'a {
    let attempts = if explicit.is_some() { 1 } else { MAX_ATTEMPTS };
    (0..attempts).map(move |_| explicit.map_or_else(|| generate(name), str::to_owned))
}

/// The readable part of a generated slug: lower-cased, transliterated, dashed.
pub fn base(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut dash = false;
    for c in name.to_lowercase().nfd().filter(|c| !is_combining_mark(*c)) {
        let spelled: &str = match c {
            'æ' => "ae",
            'ð' | 'đ' => "d",
            'ı' => "i",
            'ł' => "l",
            'ø' => "o",
            'œ' => "oe",
            'ß' => "ss",
            'þ' => "th",
            '\'' | '’' => continue,
            _ => "",
        };
        let mut push = |ch: char| {
            if ch.is_ascii_lowercase() || ch.is_ascii_digit() {
                if dash && !out.is_empty() {
                    out.push('-');
                }
                dash = false;
                out.push(ch);
            } else {
                dash = true;
            }
        };
        if spelled.is_empty() {
            push(c);
        } else {
            spelled.chars().for_each(push);
        }
    }
    out
}

/// A fresh candidate: the base, trimmed to fit, plus `-` and 6 random hex characters.
pub fn generate(name: &str) -> String {
    let mut bytes = [0u8; 3];
    rand::rng().fill_bytes(&mut bytes);
    let suffix = hex::encode(bytes);
    let mut base = base(name);
    base.truncate(MAX_LEN - suffix.len() - 1);
    let base = base.trim_end_matches('-');
    if base.is_empty() { suffix } else { format!("{base}-{suffix}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_follows_the_original_rules() {
        assert_eq!(base("Awesome Customer"), "awesome-customer");
        assert_eq!(base("  Crème Brûlée!! "), "creme-brulee");
        assert_eq!(base("Ærøskøbing Straße"), "aeroskobing-strasse");
        assert_eq!(base("O'Brien’s Łódź"), "obriens-lodz");
        assert_eq!(base("---"), "");
    }

    #[test]
    fn generated_slugs_are_valid_and_random() {
        let a = generate("Awesome Customer");
        assert!(a.starts_with("awesome-customer-") && a.len() == "awesome-customer-".len() + 6, "{a}");
        assert!(is_valid(&a));
        assert_ne!(a, generate("Awesome Customer"));
        assert_eq!(generate("!!!").len(), 6);
        assert!(is_valid(&generate(&"x".repeat(300))));
    }

    #[test]
    fn validation_enforces_pattern_and_length() {
        assert!(is_valid("ab"));
        assert!(!is_valid("a"));
        assert!(!is_valid("-ab"));
        assert!(!is_valid("ab-"));
        assert!(!is_valid("Ab"));
        assert!(!is_valid(&"a".repeat(101)));
        assert_eq!(validate("A", "X.InvalidSlug").unwrap_err().code(), "X.InvalidSlug");
    }
}
