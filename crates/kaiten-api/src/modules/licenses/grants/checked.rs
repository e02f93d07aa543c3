//! A grant's value and overage, checked against the entitlement they are for; `operation`
//! prefixes the codes (`AssociateEntitlementToLicense.InvalidValue`, …).

use kaiten_kernel::Error;

use super::overage;
use crate::modules::entitlements::kinds::EntitlementType;
use crate::modules::entitlements::value::EntitlementValue;

pub struct CheckedGrant {
    pub value: EntitlementValue,
    pub overage_percent: Option<i16>,
}

pub fn check(
    operation: &str,
    kind: EntitlementType,
    value: &serde_json::Value,
    overage_percent: Option<i64>,
) -> Result<CheckedGrant, Error> {
    let value = EntitlementValue::normalize(kind, value)
        .map_err(|message| Error::bad_request(format!("{operation}.InvalidValue"), message))?;
    let overage_percent = overage::resolve(&value, overage_percent)
        .map_err(|message| Error::bad_request(format!("{operation}.InvalidLimitCapExceededOveragePercent"), message))?;
    Ok(CheckedGrant { value, overage_percent })
}
