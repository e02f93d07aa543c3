//! Usage windows of a periodic entitlement: half-open `[start, end)` in UTC, phased either on
//! the calendar or on the instance's license start. Pure arithmetic: the instant always comes
//! from the database clock.

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, TimeZone, Timelike, Utc};

use super::kinds::{EntitlementType, ResetAnchor, ResetPeriod};
use super::value::EntitlementValue;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// How an entitlement's windows are laid out for one instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    pub period: ResetPeriod,
    pub anchor: ResetAnchor,
    pub license_start: DateTime<Utc>,
}

impl Schedule {
    /// The schedule of an entitlement on an instance: only numeric entitlements with a reset
    /// period have one; the others count for the lifetime of the instance.
    pub fn of(
        kind: EntitlementType,
        period: Option<ResetPeriod>,
        anchor: Option<ResetAnchor>,
        license_start: DateTime<Utc>,
    ) -> Option<Self> {
        match (kind.is_numeric(), period, anchor) {
            (true, Some(period), Some(anchor)) => Some(Self { period, anchor, license_start }),
            _ => None,
        }
    }

    /// The window that contains `t`.
    pub fn containing(&self, t: DateTime<Utc>) -> Window {
        match self.anchor {
            ResetAnchor::Calendar => calendar(self.period, t),
            ResetAnchor::LicenseStart => phased(self.period, self.license_start, t),
        }
    }

    /// The window right after `w`: the one containing its end, so windows are contiguous.
    pub fn next(&self, w: Window) -> Window {
        self.containing(w.end)
    }

    /// The window a counter is in at `now`, given the start stored with it. A stored window
    /// ahead of `now`'s that is one of this schedule's is kept: the clock stepped back, and
    /// usage must not fall into a window that was already closed.
    pub fn current(&self, now: DateTime<Utc>, stored_start: Option<DateTime<Utc>>) -> Window {
        let window = self.containing(now);
        match stored_start {
            Some(stored) if stored > window.start && self.is_boundary(stored) => self.containing(stored),
            _ => window,
        }
    }

    /// Whether `t` starts a window of this schedule.
    pub fn is_boundary(&self, t: DateTime<Utc>) -> bool {
        self.containing(t).start == t
    }
}

/// What a stored counter (started at `period_start`) counts at `now`, and the window it is in:
/// a periodic counter counts only inside the current window, so a row left from an earlier one
/// (or from before the period was set) reads as zero until the next report rolls it over.
/// `None` when nothing was ever reported on a lifetime counter.
pub fn counted_now(
    schedule: Option<Schedule>,
    now: DateTime<Utc>,
    stored: Option<&serde_json::Value>,
    period_start: Option<DateTime<Utc>>,
) -> (Option<Window>, Option<EntitlementValue>) {
    let stored = stored.and_then(EntitlementValue::from_stored);
    let window = schedule.map(|s| s.current(now, period_start));
    let value = match window {
        Some(w) if period_start != Some(w.start) => Some(EntitlementValue::counted(0.0, 0)),
        _ => stored,
    };
    (window, value)
}

fn midnight(date: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0).unwrap_or_default())
}

fn calendar(period: ResetPeriod, t: DateTime<Utc>) -> Window {
    let day = t.date_naive();
    let start = match period {
        ResetPeriod::Hour => midnight(day) + Duration::hours(i64::from(t.hour())),
        ResetPeriod::Day => midnight(day),
        ResetPeriod::Week => midnight(day) - Duration::days(i64::from(day.weekday().num_days_from_monday())),
        ResetPeriod::Month => midnight(day.with_day(1).unwrap_or(day)),
        ResetPeriod::Year => midnight(NaiveDate::from_ymd_opt(day.year(), 1, 1).unwrap_or(day)),
    };
    let end = match period {
        ResetPeriod::Hour => start + Duration::hours(1),
        ResetPeriod::Day => start + Duration::days(1),
        ResetPeriod::Week => start + Duration::weeks(1),
        ResetPeriod::Month => start + Months::new(1),
        ResetPeriod::Year => start + Months::new(12),
    };
    Window { start, end }
}

/// Windows phased on `anchor`. Fixed lengths are floored (also before the anchor); months and
/// years are added to the anchor itself each time, so a day clamped in a short month comes
/// back in the next one (Jan 31 → Feb 28 → Mar 31).
fn phased(period: ResetPeriod, anchor: DateTime<Utc>, t: DateTime<Utc>) -> Window {
    let fixed = match period {
        ResetPeriod::Hour => Some(Duration::hours(1)),
        ResetPeriod::Day => Some(Duration::days(1)),
        ResetPeriod::Week => Some(Duration::weeks(1)),
        ResetPeriod::Month | ResetPeriod::Year => None,
    };
    if let Some(length) = fixed {
        // Microseconds, the database's precision: coarser units would truncate toward zero and
        // misplace instants just before a sub-millisecond anchor.
        let len = length.num_microseconds().unwrap_or(i64::MAX);
        let index = (t - anchor).num_microseconds().unwrap_or(0).div_euclid(len);
        let start = anchor + Duration::microseconds(index * len);
        return Window { start, end: start + length };
    }
    let step: i64 = if period == ResetPeriod::Year { 12 } else { 1 };
    let at = |n: i64| add_months(anchor, n * step);
    let months_between = i64::from(t.year() - anchor.year()) * 12 + i64::from(t.month()) - i64::from(anchor.month());
    let mut n = months_between.div_euclid(step);
    while at(n) > t {
        n -= 1;
    }
    while at(n + 1) <= t {
        n += 1;
    }
    Window { start: at(n), end: at(n + 1) }
}

/// `t` plus `n` months (negative allowed), the day clamped to the target month's length.
fn add_months(t: DateTime<Utc>, n: i64) -> DateTime<Utc> {
    let magnitude = Months::new(u32::try_from(n.unsigned_abs()).unwrap_or(u32::MAX));
    let moved = if n >= 0 { t.checked_add_months(magnitude) } else { t.checked_sub_months(magnitude) };
    moved.unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn schedule(period: ResetPeriod, anchor: ResetAnchor, start: &str) -> Schedule {
        Schedule { period, anchor, license_start: at(start) }
    }

    #[test]
    fn calendar_windows() {
        let t = at("2026-11-25T13:45:10.123Z"); // a Wednesday
        let s = |p| schedule(p, ResetAnchor::Calendar, "2020-01-01T00:00:00Z").containing(t);
        assert_eq!(s(ResetPeriod::Hour), Window { start: at("2026-11-25T13:00:00Z"), end: at("2026-11-25T14:00:00Z") });
        assert_eq!(s(ResetPeriod::Day).start, at("2026-11-25T00:00:00Z"));
        assert_eq!(s(ResetPeriod::Week), Window { start: at("2026-11-23T00:00:00Z"), end: at("2026-11-30T00:00:00Z") });
        assert_eq!(
            s(ResetPeriod::Month),
            Window { start: at("2026-11-01T00:00:00Z"), end: at("2026-12-01T00:00:00Z") }
        );
        assert_eq!(s(ResetPeriod::Year), Window { start: at("2026-01-01T00:00:00Z"), end: at("2027-01-01T00:00:00Z") });
    }

    #[test]
    fn license_start_months_clamp_from_the_anchor_each_time() {
        let s = schedule(ResetPeriod::Month, ResetAnchor::LicenseStart, "2026-01-31T10:00:00Z");
        let feb = s.containing(at("2026-03-01T00:00:00Z"));
        assert_eq!(feb, Window { start: at("2026-02-28T10:00:00Z"), end: at("2026-03-31T10:00:00Z") });
        assert_eq!(s.next(feb).start, at("2026-03-31T10:00:00Z"));
        let before = s.containing(at("2026-01-15T00:00:00Z"));
        assert_eq!(before, Window { start: at("2025-12-31T10:00:00Z"), end: at("2026-01-31T10:00:00Z") });
    }

    #[test]
    fn license_start_leap_day_years() {
        let s = schedule(ResetPeriod::Year, ResetAnchor::LicenseStart, "2024-02-29T00:00:00Z");
        assert_eq!(s.containing(at("2025-06-01T00:00:00Z")).start, at("2025-02-28T00:00:00Z"));
        assert_eq!(s.containing(at("2028-03-01T00:00:00Z")).start, at("2028-02-29T00:00:00Z"));
    }

    #[test]
    fn fixed_lengths_floor_before_the_anchor_too() {
        let s = schedule(ResetPeriod::Day, ResetAnchor::LicenseStart, "2026-11-10T06:30:00Z");
        assert_eq!(s.containing(at("2026-11-12T06:29:59Z")).start, at("2026-11-11T06:30:00Z"));
        assert_eq!(s.containing(at("2026-11-09T07:00:00Z")).start, at("2026-11-09T06:30:00Z"));
        assert_eq!(s.containing(at("2026-11-09T06:00:00Z")).start, at("2026-11-08T06:30:00Z"));
        assert!(s.is_boundary(at("2026-11-20T06:30:00Z")));
        assert!(!s.is_boundary(at("2026-11-20T06:31:00Z")));
    }

    #[test]
    fn a_stored_window_ahead_of_the_clock_is_kept_only_if_it_is_a_real_window() {
        let s = schedule(ResetPeriod::Day, ResetAnchor::Calendar, "2020-01-01T00:00:00Z");
        let now = at("2026-11-24T23:59:59Z");
        assert_eq!(s.current(now, Some(at("2026-11-25T00:00:00Z"))).start, at("2026-11-25T00:00:00Z"));
        assert_eq!(s.current(now, Some(at("2026-11-25T03:00:00Z"))).start, at("2026-11-24T00:00:00Z"));
        assert_eq!(s.current(now, Some(at("2026-11-20T00:00:00Z"))).start, at("2026-11-24T00:00:00Z"));
        assert_eq!(s.current(now, None).start, at("2026-11-24T00:00:00Z"));
    }

    #[test]
    fn every_instant_lies_in_its_window_and_windows_are_contiguous() {
        let anchors = ["2024-02-29T23:59:59Z", "2026-01-31T10:00:00Z", "2025-07-04T00:00:00Z"];
        let periods = [ResetPeriod::Hour, ResetPeriod::Day, ResetPeriod::Week, ResetPeriod::Month, ResetPeriod::Year];
        for anchor in anchors {
            for period in periods {
                for kind in [ResetAnchor::Calendar, ResetAnchor::LicenseStart] {
                    let s = schedule(period, kind, anchor);
                    let mut t = at("2025-12-30T22:17:00Z");
                    for _ in 0..40 {
                        let w = s.containing(t);
                        assert!(w.start <= t && t < w.end, "{period:?} {kind:?} {anchor} {t}");
                        assert_eq!(s.next(w).start, w.end);
                        t += Duration::hours(61);
                    }
                }
            }
        }
    }
}
