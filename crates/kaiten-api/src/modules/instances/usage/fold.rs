//! The arithmetic of a report: folding a value into a counter, the cap it may not pass, and
//! the thresholds whose crossing is worth an event. Pure, so it is tested exhaustively.

use crate::modules::entitlements::kinds::AggregationMethod;
use crate::modules::entitlements::value::UNLIMITED;

use super::schema::Behavior;

/// A counter: the value and how many reports made it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Counter {
    pub value: f64,
    pub event_count: i64,
}

impl Counter {
    pub const ZERO: Self = Self { value: 0.0, event_count: 0 };

    /// The counter after one more report.
    pub fn fold(self, behavior: Behavior, method: Option<AggregationMethod>, v: f64) -> Self {
        let c = self.event_count;
        let value = match (behavior, method.unwrap_or(AggregationMethod::Sum)) {
            (Behavior::Set, _) => return Self { value: v, event_count: 1 },
            (Behavior::Append, AggregationMethod::Count) => self.value + 1.0,
            (Behavior::Append, AggregationMethod::Sum) => self.value + v,
            #[allow(clippy::cast_precision_loss)]
            (Behavior::Append, AggregationMethod::Average) => (self.value * c as f64 + v) / (c + 1) as f64,
            (Behavior::Append, AggregationMethod::Max) => self.value.max(v),
            // The first report is the minimum so far; the original compared it with the zero
            // a fresh counter starts at, so positive reports never moved MIN (semantics §11.5).
            (Behavior::Append, AggregationMethod::Min) if c == 0 => v,
            (Behavior::Append, AggregationMethod::Min) => self.value.min(v),
            (Behavior::Append, AggregationMethod::Latest) => v,
        };
        Self { value, event_count: c + 1 }
    }
}

/// What a grant allows: its value and how far past it usage may go.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cap {
    pub threshold: f64,
    pub overage_percent: f64,
}

impl Cap {
    pub fn is_unlimited(&self) -> bool {
        self.threshold == UNLIMITED
    }

    /// The most usage may reach: `threshold + threshold × overage / 100`.
    pub fn max_allowed(&self) -> f64 {
        self.threshold + self.threshold * self.overage_percent / 100.0
    }

    pub fn admits(&self, value: f64) -> bool {
        self.is_unlimited() || value <= self.max_allowed()
    }
}

/// Strictly below before, at or above after: each threshold fires once per crossing.
pub fn crossed(before: f64, after: f64, line: f64) -> bool {
    before < line && line <= after
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folded(method: AggregationMethod, reports: &[f64]) -> Counter {
        reports.iter().fold(Counter::ZERO, |c, v| c.fold(Behavior::Append, Some(method), *v))
    }

    #[test]
    fn each_method_folds_as_named() {
        let r = [4.0, 10.0, 1.0];
        assert_eq!(folded(AggregationMethod::Sum, &r).value, 15.0);
        assert_eq!(folded(AggregationMethod::Count, &r).value, 3.0);
        assert_eq!(folded(AggregationMethod::Average, &r).value, 5.0);
        assert_eq!(folded(AggregationMethod::Max, &r).value, 10.0);
        assert_eq!(folded(AggregationMethod::Min, &r).value, 1.0);
        assert_eq!(folded(AggregationMethod::Min, &[7.0, 9.0]).value, 7.0, "MIN starts from the first report");
        assert_eq!(folded(AggregationMethod::Latest, &r).value, 1.0);
        assert_eq!(folded(AggregationMethod::Sum, &r).event_count, 3);
        let set = folded(AggregationMethod::Sum, &r).fold(Behavior::Set, Some(AggregationMethod::Sum), 2.0);
        assert_eq!(set, Counter { value: 2.0, event_count: 1 });
    }

    #[test]
    fn caps_and_crossings() {
        let hard = Cap { threshold: 10.0, overage_percent: 0.0 };
        assert!(hard.admits(10.0) && !hard.admits(10.5));
        let soft = Cap { threshold: 10.0, overage_percent: 20.0 };
        assert!(soft.admits(12.0) && !soft.admits(12.01));
        assert!(Cap { threshold: -1.0, overage_percent: -1.0 }.admits(1e12));
        assert!(crossed(7.0, 8.0, 8.0) && crossed(7.0, 9.0, 8.0));
        assert!(!crossed(8.0, 9.0, 8.0), "already at the line: no second event");
    }
}
