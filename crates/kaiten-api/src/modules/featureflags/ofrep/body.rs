//! Reading an OFREP request body. A body that cannot be read is an OFREP failure (400), not
//! a problem, and it is judged before the scope (the original's order).

use axum::body::Bytes;
use axum::http::{HeaderMap, header};
use serde_json::{Map, Value};

/// The `context` of a request body, or why the body cannot be read. An absent body is an
/// empty context only where the contract makes it optional (bulk).
pub fn context(headers: &HeaderMap, body: &Bytes, optional: bool) -> Result<Map<String, Value>, String> {
    if body.is_empty() && optional {
        return Ok(Map::new());
    }
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|media| {
            let media = media.trim().to_ascii_lowercase();
            media == "application/json" || (media.starts_with("application/") && media.ends_with("+json"))
        })
        .unwrap_or(false);
    if !json {
        return Err("Unprocessable Entity".to_owned());
    }
    if body.is_empty() {
        return Err("unexpected end of JSON input".to_owned());
    }
    match serde_json::from_slice::<Value>(body).map_err(|e| e.to_string())? {
        Value::Null => Ok(Map::new()),
        Value::Object(mut request) => match request.remove("context") {
            None | Some(Value::Null) => Ok(Map::new()),
            Some(Value::Object(context)) => Ok(context),
            Some(_) => Err("context must be a JSON object".to_owned()),
        },
        _ => Err("the request body must be a JSON object".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json_headers() -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, "application/json; charset=utf-8".parse().unwrap());
        h
    }

    #[test]
    fn what_reads_and_what_does_not() {
        let read = |b: &'static str, optional| context(&json_headers(), &Bytes::from(b), optional);
        assert_eq!(read("{\"context\":{\"targetingKey\":\"a\"}}", false).unwrap()["targetingKey"], "a");
        assert!(read("null", false).unwrap().is_empty());
        assert!(read("{}", false).unwrap().is_empty());
        assert!(read("{\"context\":null,\"other\":1}", false).unwrap().is_empty());
        assert!(read("", true).unwrap().is_empty());
        assert_eq!(read("", false).unwrap_err(), "unexpected end of JSON input");
        assert!(read("[]", false).is_err());
        assert!(read("{\"context\":[]}", false).is_err());
        assert!(read("{\"context\":{}} trailing", false).is_err());
        assert_eq!(context(&HeaderMap::new(), &Bytes::from("{}"), false).unwrap_err(), "Unprocessable Entity");
        let mut vendor = HeaderMap::new();
        vendor.insert(header::CONTENT_TYPE, "application/vnd.api+json".parse().unwrap());
        assert!(context(&vendor, &Bytes::from("{}"), false).is_ok());
    }
}
