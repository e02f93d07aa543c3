//! Which variant a choice serves to one subject at one moment.

use chrono::{DateTime, Utc};

use crate::bucket::{self, BUCKETS};
use crate::definition::{Choice, RolloutStep};

/// The variant `choice` serves to the subject in `bucket` at `now`; `None` when a rollout
/// distributes nothing (evaluation then moves on to the next targeting).
pub fn resolve(choice: &Choice, bucket: u64, now: DateTime<Utc>) -> Option<&str> {
    match choice {
        Choice::Basic { value } => Some(value),
        Choice::RolloutPercentage { distribution } => bucket::weighted(bucket, distribution),
        Choice::RolloutDate { start, end } => {
            let moved = share_moved(start, end, now);
            // The percentage is the share of buckets already moved to the end variant.
            let threshold = (moved * BUCKETS as f64 / 100.0).floor();
            Some(if (bucket as f64) < threshold { &end.variant } else { &start.variant })
        }
    }
}

/// The percentage of subjects on the end variant at `now`: the start's before it, the end's
/// after it, linear in seconds in between, within 0..=100. A zero-length interval is the end.
pub fn share_moved(start: &RolloutStep, end: &RolloutStep, now: DateTime<Utc>) -> f64 {
    let pct = if now < start.date {
        start.percentage as f64
    } else if now > end.date {
        end.percentage as f64
    } else {
        let span = (end.date - start.date).num_seconds() as f64;
        if span <= 0.0 {
            end.percentage as f64
        } else {
            let elapsed = (now - start.date).num_seconds() as f64;
            // In floats: the stored percentages are any i64, their difference may not be.
            start.percentage as f64 + (end.percentage as f64 - start.percentage as f64) * elapsed / span
        }
    };
    pct.clamp(0.0, 100.0)
}

/// Whether `choice` serves the same variant to every subject at every moment. Reused by the
/// bulk ETag: a date rollout in progress makes the answer depend on the clock.
pub fn phase(choice: &Choice, now: DateTime<Utc>) -> Phase {
    match choice {
        Choice::RolloutDate { start, end } if now >= start.date && now <= end.date => Phase::Moving,
        Choice::RolloutDate { start, .. } if now < start.date => Phase::Before,
        Choice::RolloutDate { .. } => Phase::After,
        _ => Phase::Fixed,
    }
}

/// Where the clock stands relative to a choice's rollout window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    Fixed,
    Before,
    Moving,
    After,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, h, 0, 0).unwrap()
    }

    fn rollout(from: u32, to: u32, start_pct: i64, end_pct: i64) -> Choice {
        Choice::RolloutDate {
            start: RolloutStep { variant: "old".into(), percentage: start_pct, date: at(from) },
            end: RolloutStep { variant: "new".into(), percentage: end_pct, date: at(to) },
        }
    }

    #[test]
    fn date_rollout_interpolates_in_seconds_and_clamps() {
        let Choice::RolloutDate { start, end } = rollout(0, 10, 0, 100) else { unreachable!() };
        assert_eq!(share_moved(&start, &end, at(0) - chrono::Duration::hours(1)), 0.0);
        assert_eq!(share_moved(&start, &end, at(5)), 50.0);
        assert_eq!(share_moved(&start, &end, at(1) + chrono::Duration::minutes(30)), 15.0);
        assert_eq!(share_moved(&start, &end, at(11)), 100.0);
        let over = RolloutStep { percentage: 250, ..end.clone() };
        assert_eq!(share_moved(&start, &over, at(23)), 100.0, "clamped");
        let extreme = RolloutStep { percentage: i64::MAX, ..end.clone() };
        let low = RolloutStep { percentage: i64::MIN, ..start.clone() };
        assert!((0.0..=100.0).contains(&share_moved(&low, &extreme, at(5))), "no overflow on extreme percentages");
        let instant = RolloutStep { date: at(0), ..end };
        assert_eq!(share_moved(&start, &instant, at(0)), 100.0, "zero-length interval is the end");
    }

    #[test]
    fn date_rollout_moves_low_buckets_first() {
        let choice = rollout(0, 10, 0, 100);
        // Half way: buckets below 5000 are on the end variant.
        assert_eq!(resolve(&choice, 4999, at(5)), Some("new"));
        assert_eq!(resolve(&choice, 5000, at(5)), Some("old"));
        assert_eq!(resolve(&choice, 0, at(0) - chrono::Duration::seconds(1)), Some("old"));
        assert_eq!(resolve(&choice, 9999, at(12)), Some("new"));
        assert_eq!(phase(&choice, at(5)), Phase::Moving);
        assert_eq!(phase(&choice, at(11)), Phase::After);
        assert_eq!(phase(&Choice::Basic { value: "x".into() }, at(5)), Phase::Fixed);
    }

    #[test]
    fn an_empty_distribution_serves_nothing() {
        let choice = Choice::RolloutPercentage { distribution: Default::default() };
        assert_eq!(resolve(&choice, 10, at(0)), None);
        assert_eq!(resolve(&Choice::Basic { value: "on".into() }, 10, at(0)), Some("on"));
    }
}
