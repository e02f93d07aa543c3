//! When a failed delivery is tried again: after the n-th failure, the n-th delay of the
//! schedule with ±10 % jitter (so a receiver that came back is not hit by every retry at
//! once), or what the receiver's `Retry-After` asked; after the last, never.

use std::time::Duration;

use chrono::{DateTime, Utc};
use kaiten_kernel::go_duration;
use rand::Rng;

/// The default: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h — eight attempts over about 27 hours.
pub const DEFAULT: &str = "5s,5m,30m,2h,5h,10h,10h";
/// The longest a `Retry-After` is obeyed; beyond it the receiver is not coming back soon.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

#[derive(Debug, Clone, PartialEq)]
pub struct RetrySchedule(Vec<Duration>);

impl RetrySchedule {
    /// Comma-separated Go durations, e.g. `5s,5m,30m`; empty means a single attempt.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.trim().is_empty() {
            return Ok(Self(Vec::new()));
        }
        text.split(',')
            .map(|part| {
                go_duration::parse(part.trim())
                    .ok_or_else(|| format!("`{}` is not a duration like 5s, 5m or 2h", part.trim()))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    /// The wait after the `failures`-th failed attempt (1-based), or `None` when that was the last.
    /// A `Retry-After` replaces the schedule's delay (within a day).
    pub fn after_failure(&self, failures: usize, retry_after: Option<Duration>) -> Option<Duration> {
        let scheduled = *self.0.get(failures.checked_sub(1)?)?;
        Some(match retry_after {
            Some(asked) => asked.min(MAX_RETRY_AFTER),
            None => scheduled.mul_f64(rand::rng().random_range(0.9..=1.1)),
        })
    }
}

impl Default for RetrySchedule {
    fn default() -> Self {
        Self::parse(DEFAULT).expect("the default schedule parses")
    }
}

/// A `Retry-After` header: delay-seconds or an HTTP date.
pub fn retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = DateTime::parse_from_rfc2822(value).ok()?.with_timezone(&Utc);
    (when - now).to_std().ok().or(Some(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_schedule_has_eight_attempts_with_jitter() {
        let schedule = RetrySchedule::default();
        assert_eq!(schedule.0.len() + 1, 8, "eight attempts in all");
        let first = schedule.after_failure(1, None).unwrap();
        assert!(first >= Duration::from_millis(4500) && first <= Duration::from_millis(5500), "{first:?}");
        let last = schedule.after_failure(7, None).unwrap();
        assert!(last >= Duration::from_secs(9 * 3600) && last <= Duration::from_secs(11 * 3600));
        assert_eq!(schedule.after_failure(8, None), None);
        assert_eq!(schedule.after_failure(0, None), None);
    }

    #[test]
    fn retry_after_replaces_the_delay_but_not_the_number_of_attempts() {
        let schedule = RetrySchedule::parse("1s, 2s").unwrap();
        assert_eq!(schedule.after_failure(1, Some(Duration::from_secs(30))), Some(Duration::from_secs(30)));
        assert_eq!(schedule.after_failure(1, Some(Duration::from_secs(7 * 86_400))), Some(MAX_RETRY_AFTER));
        assert_eq!(schedule.after_failure(3, Some(Duration::from_secs(1))), None);
    }

    #[test]
    fn parsing() {
        assert_eq!(RetrySchedule::parse("").unwrap().after_failure(1, None), None, "one attempt only");
        assert_eq!(
            RetrySchedule::parse("200ms,1.5s").unwrap().0,
            vec![Duration::from_millis(200), Duration::from_millis(1500)]
        );
        assert!(RetrySchedule::parse("5s,soon").unwrap_err().contains("soon"));
    }

    #[test]
    fn retry_after_forms() {
        let now = DateTime::parse_from_rfc3339("2026-11-24T12:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(retry_after("Tue, 24 Nov 2026 12:01:00 GMT", now), Some(Duration::from_secs(60)));
        assert_eq!(retry_after("Tue, 24 Nov 2026 11:00:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(retry_after("later", now), None);
    }
}
