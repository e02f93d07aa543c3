//! Path parameters that must parse: a bad one is a 422 located at `path.<name>`.

use kaiten_kernel::{Error, ErrorDetail};
use uuid::Uuid;

pub fn uuid(raw: &str, name: &str) -> Result<Uuid, Error> {
    Uuid::parse_str(raw).map_err(|_| {
        Error::unprocessable(
            "validation failed",
            vec![
                ErrorDetail::new(format!("path.{name}"), "expected a UUID")
                    .with_value(serde_json::Value::String(raw.to_owned())),
            ],
        )
    })
}
