//! Sticky assignment of a subject to one of 10 000 buckets, and of a bucket to a variant.
//! Bit-for-bit the original's: XXH64 (seed 0) of `flagSlug NUL targetingKey`, so a subject
//! keeps its variant when it moves between the original and this server.

use std::collections::BTreeMap;

/// The number of buckets a population is divided into.
pub const BUCKETS: u64 = 10_000;

/// The bucket of `targeting_key` for the flag `flag_slug`. The slug salts the hash, so
/// different flags split the population independently.
pub fn bucket(flag_slug: &str, targeting_key: &str) -> u64 {
    let mut input = Vec::with_capacity(flag_slug.len() + 1 + targeting_key.len());
    input.extend_from_slice(flag_slug.as_bytes());
    input.push(0);
    input.extend_from_slice(targeting_key.as_bytes());
    xxhash_rust::xxh64::xxh64(&input, 0) % BUCKETS
}

/// The variant a bucket falls into under a weighted distribution: weights ≤ 0 dropped, names
/// in ascending order, the first whose cumulative share exceeds the bucket's percentage.
/// `None` when nothing carries weight. The float arithmetic follows the original's order of
/// operations so that boundary buckets land on the same side.
pub fn weighted(bucket: u64, distribution: &BTreeMap<String, i64>) -> Option<&str> {
    // Summed wide: weights are any i64 and their sum must not overflow.
    let total: i128 = distribution.values().filter(|w| **w > 0).map(|w| i128::from(*w)).sum();
    if total <= 0 {
        return None;
    }
    let pct = bucket as f64 / BUCKETS as f64 * 100.0;
    let mut cumulative = 0.0;
    let mut last = None;
    for (name, weight) in distribution.iter().filter(|(_, w)| **w > 0) {
        cumulative += *weight as f64 / total as f64 * 100.0;
        if pct < cumulative {
            return Some(name);
        }
        last = Some(name.as_str());
    }
    // Rounding can leave the cumulative share a hair under 100: the last bucket still belongs
    // to the last variant.
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xxh64_seed_zero_matches_the_reference_vectors() {
        // Reference values of XXH64 with seed 0 (xxHash's own test vectors).
        assert_eq!(xxhash_rust::xxh64::xxh64(b"", 0), 0xEF46_DB37_51D8_E999);
        assert_eq!(xxhash_rust::xxh64::xxh64(b"a", 0), 0xD24E_C4F1_A98C_6E5B);
        assert_eq!(xxhash_rust::xxh64::xxh64(b"abc", 0), 0x44BC_2CF5_AD77_0999);
    }

    #[test]
    fn the_bucket_hashes_slug_nul_key() {
        let expected = xxhash_rust::xxh64::xxh64(b"new-checkout\0acme", 0) % 10_000;
        assert_eq!(bucket("new-checkout", "acme"), expected);
        assert_ne!(bucket("new-checkout", "acme"), bucket("new-checkoutacme", ""), "the NUL separates");
        assert!(bucket("f", "k") < BUCKETS);
    }

    fn dist(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
        pairs.iter().map(|(n, w)| ((*n).to_owned(), *w)).collect()
    }

    #[test]
    fn weighted_walks_names_in_order() {
        let d = dist(&[("on", 10), ("off", 90)]);
        // Sorted: off (0–90), on (90–100).
        assert_eq!(weighted(0, &d), Some("off"));
        assert_eq!(weighted(8999, &d), Some("off"));
        assert_eq!(weighted(9000, &d), Some("on"));
        assert_eq!(weighted(9999, &d), Some("on"));
    }

    #[test]
    fn weighted_drops_non_positive_weights() {
        assert_eq!(weighted(5, &dist(&[])), None);
        assert_eq!(weighted(5, &dist(&[("a", 0), ("b", -3)])), None);
        assert_eq!(weighted(9999, &dist(&[("a", 0), ("b", 7)])), Some("b"));
    }

    #[test]
    fn huge_weights_do_not_overflow() {
        let d = dist(&[("a", i64::MAX), ("b", i64::MAX)]);
        assert_eq!(weighted(0, &d), Some("a"));
        assert_eq!(weighted(9999, &d), Some("b"));
    }

    #[test]
    fn thirds_cover_every_bucket() {
        let d = dist(&[("a", 1), ("b", 1), ("c", 1)]);
        assert_eq!(weighted(0, &d), Some("a"));
        assert_eq!(weighted(3333, &d), Some("a"));
        assert_eq!(weighted(3334, &d), Some("b"));
        assert_eq!(weighted(9999, &d), Some("c"));
    }

    proptest::proptest! {
        #[test]
        fn shares_follow_the_weights(w1 in 1i64..100, w2 in 1i64..100) {
            let d = dist(&[("a", w1), ("b", w2)]);
            let a = (0..BUCKETS).filter(|b| weighted(*b, &d) == Some("a")).count() as f64;
            let expected = w1 as f64 / (w1 + w2) as f64 * BUCKETS as f64;
            proptest::prop_assert!((a - expected).abs() <= 1.0);
        }
    }
}
