//! Closing the windows a periodic counter skipped: when a report arrives in a later window
//! than the stored one, the stored window closes with its value and every window in between
//! closes empty ("synthetic"), so consumers see every window exactly once.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::fold::Counter;
use crate::modules::entitlements::period::{Schedule, Window};

/// `INSTANCE_ENTITLEMENT_USAGE_PERIOD_ROLLED_OVER`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Closure {
    pub entitlement_id: Uuid,
    pub entitlement_slug: String,
    pub instance_id: Uuid,
    pub value: f64,
    pub event_count: i64,
    pub closed_period_start: Option<DateTime<Utc>>,
    pub closed_period_end: Option<DateTime<Utc>>,
    pub new_period_start: DateTime<Utc>,
    pub is_synthetic: bool,
}

/// What is being closed, and into which window.
pub struct Rollover<'a> {
    pub entitlement_id: Uuid,
    pub entitlement_slug: &'a str,
    pub instance_id: Uuid,
    pub schedule: Schedule,
    pub current: Window,
}

/// More closures than this in one report is refused rather than written.
#[derive(Debug, PartialEq, Eq)]
pub struct TooManyClosures;

impl Rollover<'_> {
    fn closure(
        &self,
        counter: Counter,
        start: Option<DateTime<Utc>>,
        end: Option<DateTime<Utc>>,
        synthetic: bool,
    ) -> Closure {
        Closure {
            entitlement_id: self.entitlement_id,
            entitlement_slug: self.entitlement_slug.to_owned(),
            instance_id: self.instance_id,
            value: counter.value,
            event_count: counter.event_count,
            closed_period_start: start,
            closed_period_end: end,
            new_period_start: self.current.start,
            is_synthetic: synthetic,
        }
    }

    /// The closures from the stored counter (started at `stored_start`) to the current window.
    pub fn plan(
        &self,
        stored: Counter,
        stored_start: Option<DateTime<Utc>>,
        max: usize,
    ) -> Result<Vec<Closure>, TooManyClosures> {
        let Some(start) = stored_start else {
            // A lifetime counter that was given a period: it closes once, unbounded.
            return Ok(vec![self.closure(stored, None, None, false)]);
        };
        if !self.schedule.is_boundary(start) {
            // The schedule changed under it (e.g. a new license start): close what is known.
            return Ok(vec![self.closure(stored, Some(start), None, false)]);
        }
        let mut window = self.schedule.containing(start);
        let mut closures = vec![self.closure(stored, Some(window.start), Some(window.end), false)];
        loop {
            window = self.schedule.next(window);
            if window.start >= self.current.start {
                return Ok(closures);
            }
            if closures.len() >= max {
                return Err(TooManyClosures);
            }
            closures.push(self.closure(Counter::ZERO, Some(window.start), Some(window.end), true));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::modules::entitlements::kinds::{ResetAnchor, ResetPeriod};

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn rollover(now: &str) -> Rollover<'static> {
        let schedule = Schedule {
            period: ResetPeriod::Day,
            anchor: ResetAnchor::Calendar,
            license_start: at("2026-01-01T00:00:00Z"),
        };
        Rollover {
            entitlement_id: Uuid::nil(),
            entitlement_slug: "calls",
            instance_id: Uuid::nil(),
            schedule,
            current: schedule.containing(at(now)),
        }
    }

    #[test]
    fn skipped_windows_close_empty_after_the_stored_one() {
        let r = rollover("2026-11-24T10:00:00Z");
        let stored = Counter { value: 7.0, event_count: 3 };
        let plan = r.plan(stored, Some(at("2026-11-21T00:00:00Z")), 100).unwrap();
        let starts: Vec<_> = plan.iter().map(|c| c.closed_period_start.unwrap()).collect();
        assert_eq!(starts, [at("2026-11-21T00:00:00Z"), at("2026-11-22T00:00:00Z"), at("2026-11-23T00:00:00Z")]);
        assert_eq!((plan[0].value, plan[0].event_count, plan[0].is_synthetic), (7.0, 3, false));
        assert!(plan[1..].iter().all(|c| c.is_synthetic && c.value == 0.0));
        assert!(plan.iter().all(|c| c.new_period_start == at("2026-11-24T00:00:00Z")));
        assert_eq!(plan[2].closed_period_end, Some(at("2026-11-24T00:00:00Z")));
    }

    #[test]
    fn lifetime_and_misaligned_counters_close_once() {
        let r = rollover("2026-11-24T10:00:00Z");
        let stored = Counter { value: 2.0, event_count: 1 };
        let lifetime = r.plan(stored, None, 100).unwrap();
        assert_eq!((lifetime.len(), lifetime[0].closed_period_start, lifetime[0].closed_period_end), (1, None, None));
        let odd = r.plan(stored, Some(at("2026-11-20T05:00:00Z")), 100).unwrap();
        assert_eq!((odd.len(), odd[0].closed_period_end), (1, None));
    }

    #[test]
    fn too_many_closures_are_refused() {
        let r = rollover("2026-11-24T10:00:00Z");
        assert_eq!(r.plan(Counter::ZERO, Some(at("2026-01-01T00:00:00Z")), 10), Err(TooManyClosures));
    }
}
