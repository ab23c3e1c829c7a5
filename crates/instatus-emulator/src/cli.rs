//! Parsers for the binary's flag values, shared with tests. Each error names the flag and the
//! allowed forms.

use std::time::Duration;

use crate::{FaultAction, FaultRule, RateLimit};

/// The allowed forms of `--fault`.
pub const FAULT_FORMS: &str = "'METHOD PATH ACTION[ xN]' with METHOD one of GET, POST, PUT, \
DELETE or * (any), PATH a glob like /v1/*/components (`*` = one segment, `**` = any rest), \
ACTION one of 500 (any status 100-599), 500-after, delay=10s / delay=250ms, drop, drop-after, \
malformed, and optional xN = apply N times (e.g. 'POST /v1/*/components 503 x2')";

/// The allowed forms of `--rate-limit`.
pub const RATE_LIMIT_FORMS: &str =
    "N/SECONDS[,no-retry-after], e.g. 60/60 or 5/1,no-retry-after (N requests per SECONDS)";

/// Parses `--fault 'METHOD PATH ACTION[ xN]'`.
pub fn parse_fault(s: &str) -> Result<FaultRule, String> {
    let err = |why: &str| format!("invalid --fault '{s}': {why}; expected {FAULT_FORMS}");
    let words: Vec<&str> = s.split_whitespace().collect();
    let (method, path, action, times) = match words.as_slice() {
        [m, p, a] => (*m, *p, *a, None),
        [m, p, a, t] => (*m, *p, *a, Some(*t)),
        _ => return Err(err("wrong number of words")),
    };
    let method = match method.to_ascii_uppercase().as_str() {
        "*" | "ANY" => None,
        m @ ("GET" | "POST" | "PUT" | "DELETE") => Some(m.to_owned()),
        _ => return Err(err(&format!("unknown method '{method}'"))),
    };
    if !path.starts_with('/') {
        return Err(err(&format!("path '{path}' must start with '/'")));
    }
    let status = |x: &str| -> Result<u16, String> {
        x.parse::<u16>()
            .ok()
            .filter(|n| (100..=599).contains(n))
            .ok_or_else(|| err(&format!("invalid status '{x}'")))
    };
    let action = match action.to_ascii_lowercase().as_str() {
        "drop" => FaultAction::Drop,
        "drop-after" | "drop_after" => FaultAction::DropAfter,
        "malformed" => FaultAction::Malformed,
        a if a.starts_with("delay=") => FaultAction::Delay(
            parse_duration(&a["delay=".len()..])
                .ok_or_else(|| err(&format!("invalid delay '{a}'")))?,
        ),
        a if a.ends_with("-after") => FaultAction::StatusAfter(status(&a[..a.len() - 6])?),
        a if a.ends_with("_after") => FaultAction::StatusAfter(status(&a[..a.len() - 6])?),
        a if a.chars().all(|c| c.is_ascii_digit()) => FaultAction::Status(status(a)?),
        a => return Err(err(&format!("unknown action '{a}'"))),
    };
    let times = match times {
        None => None,
        Some(t) => Some(
            t.strip_prefix(['x', 'X'])
                .and_then(|n| n.parse::<u32>().ok())
                .filter(|n| *n >= 1)
                .ok_or_else(|| err(&format!("invalid count '{t}' (use xN, N >= 1)")))?,
        ),
    };
    Ok(FaultRule {
        method,
        path: path.to_owned(),
        action,
        times,
    })
}

/// `10s`, `250ms`, `1.5s`, or bare seconds.
fn parse_duration(s: &str) -> Option<Duration> {
    if let Some(ms) = s.strip_suffix("ms") {
        return ms.parse::<u64>().ok().map(Duration::from_millis);
    }
    let secs = s.strip_suffix('s').unwrap_or(s);
    secs.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite() && *f >= 0.0)
        .map(Duration::from_secs_f64)
}

/// Parses `--rate-limit N/SECONDS[,no-retry-after]`.
pub fn parse_rate_limit(s: &str) -> Result<RateLimit, String> {
    let err = |why: &str| format!("invalid --rate-limit '{s}': {why}; expected {RATE_LIMIT_FORMS}");
    let (spec, retry_after) = match s.split_once(',') {
        None => (s, true),
        Some((spec, "no-retry-after")) => (spec, false),
        Some((spec, "retry-after")) => (spec, true),
        Some((_, opt)) => return Err(err(&format!("unknown option '{opt}'"))),
    };
    let (n, secs) = spec.split_once('/').ok_or_else(|| err("missing '/'"))?;
    let limit = n
        .trim()
        .parse::<u32>()
        .map_err(|_| err(&format!("invalid request count '{n}'")))?;
    let window = secs
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|f| f.is_finite() && *f > 0.0)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| err(&format!("invalid window '{secs}' (positive seconds)")))?;
    Ok(RateLimit {
        limit,
        window,
        retry_after,
    })
}

/// Parses `--page SUBDOMAIN[=NAME]` (the name defaults to the subdomain).
pub fn parse_page(s: &str) -> Result<(String, String), String> {
    let (sub, name) = s.split_once('=').unwrap_or((s, s));
    let valid = !sub.is_empty()
        && sub
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid || name.is_empty() {
        return Err(format!(
            "invalid --page '{s}'; expected SUBDOMAIN[=NAME] with SUBDOMAIN of lower-case \
             letters, digits and '-', e.g. ephemery=Ephemery"
        ));
    }
    Ok((sub.to_owned(), name.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_parse() {
        let f = parse_fault("POST /v1/*/components 500-after x3").unwrap();
        assert_eq!(f.method.as_deref(), Some("POST"));
        assert_eq!(f.action, FaultAction::StatusAfter(500));
        assert_eq!(f.times, Some(3));
        assert_eq!(
            parse_fault("* /** delay=250ms").unwrap().action,
            FaultAction::Delay(Duration::from_millis(250))
        );
        assert_eq!(
            parse_fault("GET /v2/pages delay=10s").unwrap().action,
            FaultAction::Delay(Duration::from_secs(10))
        );
        assert_eq!(
            parse_fault("GET /x drop").unwrap().action,
            FaultAction::Drop
        );
        assert_eq!(
            parse_fault("GET /x drop-after").unwrap().action,
            FaultAction::DropAfter
        );
        assert_eq!(
            parse_fault("GET /x malformed").unwrap().action,
            FaultAction::Malformed
        );
        assert_eq!(
            parse_fault("get /x 503").unwrap().action,
            FaultAction::Status(503)
        );
    }

    #[test]
    fn bad_faults_name_the_flag_and_forms() {
        for bad in [
            "POST /x",
            "FETCH /x 500",
            "POST x 500",
            "POST /x 999",
            "POST /x explode",
            "POST /x 500 3",
            "POST /x delay=soon",
        ] {
            let e = parse_fault(bad).unwrap_err();
            assert!(e.contains("--fault"), "{e}");
            assert!(e.contains("drop-after"), "{e}");
        }
    }

    #[test]
    fn rate_limits_parse() {
        let r = parse_rate_limit("5/1").unwrap();
        assert_eq!(
            (r.limit, r.window, r.retry_after),
            (5, Duration::from_secs(1), true)
        );
        assert!(
            !parse_rate_limit("60/60,no-retry-after")
                .unwrap()
                .retry_after
        );
        for bad in ["5", "x/1", "5/0", "5/1,maybe"] {
            let e = parse_rate_limit(bad).unwrap_err();
            assert!(e.contains("--rate-limit") && e.contains("N/SECONDS"), "{e}");
        }
    }

    #[test]
    fn pages_parse() {
        assert_eq!(
            parse_page("ephemery=Ephemery Testnet").unwrap(),
            ("ephemery".into(), "Ephemery Testnet".into())
        );
        assert_eq!(parse_page("eph").unwrap(), ("eph".into(), "eph".into()));
        assert!(parse_page("Bad Sub").unwrap_err().contains("--page"));
    }
}
