//! The bulk response's entity tag. It covers everything the answer depends on: the
//! organization's flag configuration (its revision), the evaluation context as sent, the
//! facts the server added, and — only while a date rollout is moving — the clock to the
//! second. A client holding it gets 304 without anything being evaluated.

use chrono::{DateTime, Utc};
use kaiten_flags::EvaluationContext;
use kaiten_flags::choice::{Phase, phase};
use serde_json::{Map, Value};
use xxhash_rust::xxh3::Xxh3;

use crate::modules::featureflags::flag_cache::OrgFlags;

pub fn compute(
    flags: &OrgFlags,
    raw_context: &Map<String, Value>,
    context: &EvaluationContext,
    now: DateTime<Utc>,
) -> String {
    let mut hasher = Xxh3::new();
    hasher.update(&flags.revision.to_le_bytes());
    hasher.update(serde_json::to_string(raw_context).unwrap_or_default().as_bytes());
    hasher.update(serde_json::to_string(&context.facts).unwrap_or_default().as_bytes());
    for flag in &flags.flags {
        for choice in flag.choices() {
            let phase = phase(choice, now);
            hasher.update(&[phase as u8]);
            if phase == Phase::Moving {
                hasher.update(&now.timestamp().to_le_bytes());
            }
        }
    }
    format!("\"{:016x}\"", hasher.digest())
}

/// Whether an `If-None-Match` header names `etag` (or is `*`). Weak tags match too: the
/// comparison for a conditional GET-like read is the weak one.
pub fn matches(if_none_match: &str, etag: &str) -> bool {
    if_none_match
        .split(',')
        .map(str::trim)
        .any(|candidate| candidate == "*" || candidate.strip_prefix("W/").unwrap_or(candidate) == etag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_lists_and_weak_tags() {
        assert!(matches("\"abc\"", "\"abc\""));
        assert!(matches("\"x\", W/\"abc\"", "\"abc\""));
        assert!(matches("*", "\"abc\""));
        assert!(!matches("\"abd\"", "\"abc\""));
        assert!(!matches("", "\"abc\""));
    }
}
