//! Query-string parameters read by name, with the contract's problem for a missing one.

use kaiten_kernel::{Error, ErrorDetail};

/// Every value of `name` in a raw query string, in order.
pub fn all(raw: Option<&str>, name: &str) -> Vec<String> {
    form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .filter(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
        .collect()
}

/// The last value of `name` in a raw query string.
pub fn param(raw: Option<&str>, name: &str) -> Option<String> {
    all(raw, name).pop()
}

/// A parameter the operation cannot do without: absent or empty is a 422.
pub fn required(raw: Option<&str>, name: &str) -> Result<String, Error> {
    param(raw, name).filter(|v| !v.is_empty()).ok_or_else(|| {
        Error::unprocessable(
            "validation failed",
            vec![ErrorDetail::new(format!("query.{name}"), format!("required query parameter {name} is missing"))],
        )
    })
}
