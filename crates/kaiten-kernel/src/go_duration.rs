//! Go's duration syntax (`"15m"`, `"1h30m"`, `"900s"`, `"1.5h"`), as the contract's `ttl` uses
//! and the server's duration settings (the webhook retry schedule) accept.

use std::time::Duration;

/// Parses a Go duration; `None` if it is not one.
pub fn parse(text: &str) -> Option<Duration> {
    let mut rest = text.trim();
    if rest.is_empty() {
        return None;
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let number_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let number: f64 = rest[..number_len].parse().ok()?;
        rest = &rest[number_len..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let seconds = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += number * seconds;
    }
    Duration::try_from_secs_f64(total).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_durations() {
        assert_eq!(parse("15m"), Some(Duration::from_secs(900)));
        assert_eq!(parse("24h"), Some(Duration::from_secs(86_400)));
        assert_eq!(parse("1h30m"), Some(Duration::from_secs(5_400)));
        assert_eq!(parse("1.5h"), Some(Duration::from_secs(5_400)));
        assert_eq!(parse("900s"), Some(Duration::from_secs(900)));
        assert_eq!(parse("0s"), Some(Duration::ZERO));
        for bad in ["", "15", "m", "15 minutes", "-5m", "1d"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
