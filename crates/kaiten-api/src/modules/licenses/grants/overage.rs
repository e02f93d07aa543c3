//! `limitCapExceededOveragePercent`: how far usage may exceed a numeric grant before reports
//! are refused. Derived from the value when omitted: -1 (no cap) for an unlimited value,
//! otherwise 0 (a hard limit).

use crate::modules::entitlements::value::EntitlementValue;

/// The percent to store for `value` when the caller asked for `requested`, or why not.
pub fn resolve(value: &EntitlementValue, requested: Option<i64>) -> Result<Option<i16>, &'static str> {
    let Some(_) = value.as_number() else {
        return match requested {
            Some(_) => Err("limitCapExceededOveragePercent is only allowed when value.type is \"number\""),
            None => Ok(None),
        };
    };
    let unlimited = value.is_unlimited();
    match requested {
        None => Ok(Some(if unlimited { -1 } else { 0 })),
        Some(-1) if unlimited => Ok(Some(-1)),
        Some(_) if unlimited => {
            Err("limitCapExceededOveragePercent must be -1 when the entitlement value is unlimited")
        }
        Some(p) if p < 0 => Err("limitCapExceededOveragePercent must be -1 (unlimited) or >= 0"),
        Some(p) => i16::try_from(p).map(Some).map_err(|_| "limitCapExceededOveragePercent must be at most 32767"),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Map;

    use super::*;
    use crate::modules::entitlements::value::{ConfigEntitlementValue, ObjectTag};

    #[test]
    fn defaults_follow_the_value() {
        assert_eq!(resolve(&EntitlementValue::number(10.0), None), Ok(Some(0)));
        assert_eq!(resolve(&EntitlementValue::number(-1.0), None), Ok(Some(-1)));
        let config = EntitlementValue::Config(ConfigEntitlementValue { r#type: ObjectTag::Object, value: Map::new() });
        assert_eq!(resolve(&config, None), Ok(None));
    }

    #[test]
    fn unlimited_iff_minus_one() {
        assert_eq!(resolve(&EntitlementValue::number(-1.0), Some(-1)), Ok(Some(-1)));
        assert!(resolve(&EntitlementValue::number(-1.0), Some(0)).is_err());
        assert!(resolve(&EntitlementValue::number(10.0), Some(-1)).is_err());
        assert_eq!(resolve(&EntitlementValue::number(10.0), Some(25)), Ok(Some(25)));
        assert_eq!(resolve(&EntitlementValue::number(10.0), Some(32767)), Ok(Some(32767)));
        assert!(resolve(&EntitlementValue::number(10.0), Some(32768)).is_err());
    }

    #[test]
    fn only_numbers_take_an_overage() {
        let config = EntitlementValue::Config(ConfigEntitlementValue { r#type: ObjectTag::Object, value: Map::new() });
        assert!(resolve(&config, Some(0)).is_err());
    }
}
