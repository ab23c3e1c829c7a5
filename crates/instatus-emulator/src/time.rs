//! Timestamps as the API writes them: RFC 3339, UTC, milliseconds, `Z`.

use jiff::Timestamp;
use serde_json::Value;

/// The current time.
pub(crate) fn now() -> Timestamp {
    Timestamp::now()
}

/// `2026-11-25T13:22:09.123Z`.
pub(crate) fn fmt(ts: Timestamp) -> String {
    let ms = ts.as_millisecond();
    let ts = Timestamp::from_millisecond(ms).unwrap_or(ts);
    format!("{ts:.3}")
}

/// The current time, formatted.
pub(crate) fn now_str() -> String {
    fmt(now())
}

/// Parses a stored or sent timestamp: RFC 3339, `2020-09-12 05:38:47.998` (UTC), or epoch ms.
pub(crate) fn parse(v: &Value) -> Option<Timestamp> {
    match v {
        Value::String(s) => parse_str(s),
        Value::Number(n) => n
            .as_i64()
            .and_then(|ms| Timestamp::from_millisecond(ms).ok()),
        _ => None,
    }
}

/// Parses a timestamp string (see [`parse`]).
pub(crate) fn parse_str(s: &str) -> Option<Timestamp> {
    if let Ok(ts) = s.parse::<Timestamp>() {
        return Some(ts);
    }
    let dt = s.parse::<jiff::civil::DateTime>().ok()?;
    jiff::tz::TimeZone::UTC.to_timestamp(dt).ok()
}

/// Whole minutes from `a` to `b` (never negative).
pub(crate) fn minutes_between(a: &str, b: &str) -> Option<i64> {
    let a = parse_str(a)?;
    let b = parse_str(b)?;
    let secs = b.as_second() - a.as_second();
    Some((secs / 60).max(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_milliseconds() {
        let ts: Timestamp = "2026-11-25T13:22:09.123456Z".parse().unwrap();
        assert_eq!(fmt(ts), "2026-11-25T13:22:09.123Z");
        let ts: Timestamp = "2026-11-25T13:22:09Z".parse().unwrap();
        assert_eq!(fmt(ts), "2026-11-25T13:22:09.000Z");
    }

    #[test]
    fn parses_the_docs_form() {
        let ts = parse_str("2020-09-12 05:38:47.998").unwrap();
        assert_eq!(fmt(ts), "2020-09-12T05:38:47.998Z");
        assert_eq!(
            minutes_between("2020-09-12T05:00:00Z", "2020-09-12T06:30:59Z"),
            Some(90)
        );
    }
}
