//! What an entitlement is configured as, after defaults, and the rules that configuration must
//! obey (mirrored by the table's CHECK constraints). Create and update share them; only the
//! operation prefix of the codes differs.

use kaiten_kernel::Error;

use super::kinds::{AggregationMethod, EntitlementType, ResetAnchor, ResetPeriod};
use super::schema::EntitlementInput;

#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub kind: EntitlementType,
    pub aggregation_method: Option<AggregationMethod>,
    pub icon: Option<String>,
    pub unit_singular: Option<String>,
    pub unit_plural: Option<String>,
    pub sale_unit_singular: Option<String>,
    pub sale_unit_plural: Option<String>,
    pub sale_unit_factor: Option<f64>,
    pub user_facing: bool,
    pub display_order: i32,
    pub warning_threshold_percent: i32,
    pub reset_period: Option<ResetPeriod>,
    pub reset_anchor: Option<ResetAnchor>,
}

impl Settings {
    /// The full replacement the body describes, for an entitlement of `kind` folding with
    /// `aggregation_method`: omitted optional fields take their defaults, and a period without
    /// an anchor is phased on the calendar.
    pub fn from_input(
        kind: EntitlementType,
        aggregation_method: Option<AggregationMethod>,
        input: &EntitlementInput,
    ) -> Self {
        Self {
            kind,
            aggregation_method,
            icon: input.icon.clone(),
            unit_singular: input.unit_singular.clone(),
            unit_plural: input.unit_plural.clone(),
            sale_unit_singular: input.sale_unit_singular.clone(),
            sale_unit_plural: input.sale_unit_plural.clone(),
            sale_unit_factor: input.sale_unit_factor,
            user_facing: input.user_facing.unwrap_or(false),
            display_order: input.display_order.unwrap_or(0),
            warning_threshold_percent: input.warning_threshold_percent.unwrap_or(0),
            reset_period: input.reset_period,
            reset_anchor: input.reset_anchor.or(input.reset_period.map(|_| ResetAnchor::Calendar)),
        }
    }

    /// Every rule, in the original's order; `operation` prefixes the code (`CreateEntitlement`).
    pub fn check(&self, operation: &str) -> Result<(), Error> {
        let fail = |rule: &str, message: &str| Err(Error::bad_request(format!("{operation}.{rule}"), message));
        let numeric = self.kind.is_numeric();
        if numeric && self.aggregation_method.is_none() {
            return fail("InvalidTypeConfiguration", "a NUMBER entitlement needs an aggregationMethod");
        }
        if !numeric && self.aggregation_method.is_some() {
            return fail(
                "InvalidTypeConfiguration",
                "aggregationMethod must be null for BOOLEAN and CONFIG entitlements",
            );
        }
        if let Some(message) = self.units_violation() {
            return fail("InvalidUnitsConfiguration", message);
        }
        // 0 is the default every response carries, so echoing a BOOLEAN entitlement back as
        // read must pass; only a real threshold is refused on a non-numeric entitlement.
        if !numeric && self.warning_threshold_percent != 0 {
            return fail(
                "InvalidEnforcementPolicyConfiguration",
                "warningThresholdPercent applies to NUMBER entitlements only",
            );
        }
        if let Some(message) = self.reset_violation() {
            return fail("InvalidResetConfiguration", message);
        }
        Ok(())
    }

    fn units_violation(&self) -> Option<&'static str> {
        let base = [&self.unit_singular, &self.unit_plural];
        let sale = [&self.sale_unit_singular, &self.sale_unit_plural];
        let any_unit = base.iter().chain(&sale).any(|u| u.is_some()) || self.sale_unit_factor.is_some();
        if any_unit && !self.kind.is_numeric() {
            return Some("unit labels apply to NUMBER entitlements only");
        }
        if base.iter().chain(&sale).any(|u| u.as_deref().is_some_and(|s| s.trim().is_empty())) {
            return Some("unit labels must not be blank");
        }
        if self.unit_singular.is_some() != self.unit_plural.is_some() {
            return Some("unitSingular and unitPlural must be provided together");
        }
        let sale_parts =
            [self.sale_unit_singular.is_some(), self.sale_unit_plural.is_some(), self.sale_unit_factor.is_some()];
        if sale_parts.iter().any(|p| *p) && !sale_parts.iter().all(|p| *p) {
            return Some("saleUnitSingular, saleUnitPlural and saleUnitFactor must be provided together");
        }
        if sale_parts[0] && self.unit_singular.is_none() {
            return Some("a sale unit requires the base unit labels");
        }
        if self.sale_unit_factor.is_some_and(|f| f.is_nan() || f <= 0.0 || f.is_infinite()) {
            return Some("saleUnitFactor must be greater than 0");
        }
        None
    }

    fn reset_violation(&self) -> Option<&'static str> {
        match (self.reset_period, self.reset_anchor) {
            (None, Some(_)) => Some("resetAnchor must be null when resetPeriod is null"),
            (None, None) => None,
            (Some(_), None) => Some("resetAnchor is required when resetPeriod is set"),
            (Some(_), Some(_)) if !self.kind.is_numeric() => Some("resetPeriod applies to NUMBER entitlements only"),
            (Some(_), Some(_)) if self.aggregation_method == Some(AggregationMethod::Latest) => {
                Some("resetPeriod cannot be combined with the LATEST aggregation method")
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(kind: EntitlementType) -> Settings {
        Settings {
            kind,
            aggregation_method: kind.is_numeric().then_some(AggregationMethod::Sum),
            icon: None,
            unit_singular: None,
            unit_plural: None,
            sale_unit_singular: None,
            sale_unit_plural: None,
            sale_unit_factor: None,
            user_facing: false,
            display_order: 0,
            warning_threshold_percent: 0,
            reset_period: None,
            reset_anchor: None,
        }
    }

    fn code(s: &Settings) -> Option<String> {
        s.check("Op").err().map(|e| e.code().to_owned())
    }

    #[test]
    fn defaults_pass_for_every_type() {
        for kind in [
            EntitlementType::Boolean,
            EntitlementType::Number,
            EntitlementType::Config,
            EntitlementType::NumberAiCredit,
        ] {
            assert_eq!(code(&settings(kind)), None, "{kind:?}");
        }
    }

    #[test]
    fn aggregation_follows_the_type() {
        let mut s = settings(EntitlementType::Number);
        s.aggregation_method = None;
        assert_eq!(code(&s).as_deref(), Some("Op.InvalidTypeConfiguration"));
        let mut s = settings(EntitlementType::Boolean);
        s.aggregation_method = Some(AggregationMethod::Max);
        assert_eq!(code(&s).as_deref(), Some("Op.InvalidTypeConfiguration"));
    }

    #[test]
    fn units_come_in_pairs_and_trios_on_numbers_only() {
        let mut s = settings(EntitlementType::Number);
        s.unit_singular = Some("seat".into());
        assert_eq!(code(&s).as_deref(), Some("Op.InvalidUnitsConfiguration"));
        s.unit_plural = Some("seats".into());
        assert_eq!(code(&s), None);
        s.sale_unit_singular = Some("pack".into());
        s.sale_unit_plural = Some("packs".into());
        assert_eq!(code(&s).as_deref(), Some("Op.InvalidUnitsConfiguration"));
        s.sale_unit_factor = Some(3.0);
        assert_eq!(code(&s), None);
        s.unit_singular = None;
        s.unit_plural = None;
        assert_eq!(code(&s).as_deref(), Some("Op.InvalidUnitsConfiguration"));
        let mut b = settings(EntitlementType::Config);
        b.unit_singular = Some("x".into());
        b.unit_plural = Some("xs".into());
        assert_eq!(code(&b).as_deref(), Some("Op.InvalidUnitsConfiguration"));
    }

    #[test]
    fn warning_threshold_is_for_numbers_but_zero_is_echoable() {
        let mut b = settings(EntitlementType::Boolean);
        b.warning_threshold_percent = 80;
        assert_eq!(code(&b).as_deref(), Some("Op.InvalidEnforcementPolicyConfiguration"));
        let mut n = settings(EntitlementType::Number);
        n.warning_threshold_percent = 80;
        assert_eq!(code(&n), None);
    }

    #[test]
    fn reset_rules() {
        let mut s = settings(EntitlementType::Number);
        s.reset_anchor = Some(ResetAnchor::Calendar);
        assert_eq!(code(&s).as_deref(), Some("Op.InvalidResetConfiguration"));
        s.reset_period = Some(ResetPeriod::Month);
        assert_eq!(code(&s), None);
        s.aggregation_method = Some(AggregationMethod::Latest);
        assert_eq!(code(&s).as_deref(), Some("Op.InvalidResetConfiguration"));
        let mut b = settings(EntitlementType::Boolean);
        b.reset_period = Some(ResetPeriod::Day);
        b.reset_anchor = Some(ResetAnchor::Calendar);
        assert_eq!(code(&b).as_deref(), Some("Op.InvalidResetConfiguration"));
    }
}
