//! Parsers for the binary's flag values, shared with tests. Each error names the flag, the value,
//! what is wrong with it and the allowed forms.

use std::fmt;
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

/// The allowed forms of `--page`.
pub const PAGE_FORMS: &str = "SUBDOMAIN[=NAME] with SUBDOMAIN of lower-case letters, digits and \
'-', e.g. ephemery=Ephemery";

/// A flag value the binary refuses: `invalid --fault 'POST x 500': path 'x' must start with '/';
/// expected ...`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid {flag} '{value}'{problem}; expected {expected}")]
pub struct FlagError {
    /// The flag: `--fault`, `--rate-limit` or `--page`.
    pub flag: &'static str,
    /// The value given.
    pub value: String,
    /// What is wrong with it.
    pub problem: Problem,
    /// The allowed forms ([`FAULT_FORMS`], [`RATE_LIMIT_FORMS`], [`PAGE_FORMS`]).
    pub expected: &'static str,
}

/// What is wrong with a flag value; each carries the part of the value at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// `--fault` takes three or four words.
    WordCount,
    /// A `--fault` method other than GET, POST, PUT, DELETE or `*`.
    Method(String),
    /// A `--fault` path that does not start with `/`.
    Path(String),
    /// A status outside 100-599 (or not a number).
    Status(String),
    /// A `delay=` that is not a duration.
    Delay(String),
    /// An action that is none of the allowed ones.
    Action(String),
    /// A count that is not `xN` with N >= 1.
    Count(String),
    /// A `--rate-limit` option other than `retry-after` or `no-retry-after`.
    UnknownOption(String),
    /// A `--rate-limit` without the `/` between N and SECONDS.
    MissingSlash,
    /// A request count that is not a whole number.
    RequestCount(String),
    /// A window that is not a positive number of seconds.
    Window(String),
    /// A `--page` whose subdomain or name does not have the allowed form.
    Page,
}

/// The problem as the message's middle: `: unknown method 'FETCH'` (empty for [`Problem::Page`],
/// whose forms say it all).
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::WordCount => write!(f, ": wrong number of words"),
            Problem::Method(m) => write!(f, ": unknown method '{m}'"),
            Problem::Path(p) => write!(f, ": path '{p}' must start with '/'"),
            Problem::Status(x) => write!(f, ": invalid status '{x}'"),
            Problem::Delay(a) => write!(f, ": invalid delay '{a}'"),
            Problem::Action(a) => write!(f, ": unknown action '{a}'"),
            Problem::Count(t) => write!(f, ": invalid count '{t}' (use xN, N >= 1)"),
            Problem::UnknownOption(o) => write!(f, ": unknown option '{o}'"),
            Problem::MissingSlash => write!(f, ": missing '/'"),
            Problem::RequestCount(n) => write!(f, ": invalid request count '{n}'"),
            Problem::Window(w) => write!(f, ": invalid window '{w}' (positive seconds)"),
            Problem::Page => Ok(()),
        }
    }
}

/// Parses `--fault 'METHOD PATH ACTION[ xN]'`.
pub fn parse_fault(s: &str) -> Result<FaultRule, FlagError> {
    let err = |problem| FlagError {
        flag: "--fault",
        value: s.to_owned(),
        problem,
        expected: FAULT_FORMS,
    };
    let words: Vec<&str> = s.split_whitespace().collect();
    let (method, path, action, times) = match words.as_slice() {
        [m, p, a] => (*m, *p, *a, None),
        [m, p, a, t] => (*m, *p, *a, Some(*t)),
        _ => return Err(err(Problem::WordCount)),
    };
    let method = match method.to_ascii_uppercase().as_str() {
        "*" | "ANY" => None,
        m @ ("GET" | "POST" | "PUT" | "DELETE") => Some(m.to_owned()),
        _ => return Err(err(Problem::Method(method.to_owned()))),
    };
    if !path.starts_with('/') {
        return Err(err(Problem::Path(path.to_owned())));
    }
    let status = |x: &str| -> Result<u16, FlagError> {
        x.parse::<u16>()
            .ok()
            .filter(|n| (100..=599).contains(n))
            .ok_or_else(|| err(Problem::Status(x.to_owned())))
    };
    let action = match action.to_ascii_lowercase().as_str() {
        "drop" => FaultAction::Drop,
        "drop-after" | "drop_after" => FaultAction::DropAfter,
        "malformed" => FaultAction::Malformed,
        a if a.starts_with("delay=") => FaultAction::Delay(
            parse_duration(&a["delay=".len()..])
                .ok_or_else(|| err(Problem::Delay(a.to_owned())))?,
        ),
        a if a.ends_with("-after") => FaultAction::StatusAfter(status(&a[..a.len() - 6])?),
        a if a.ends_with("_after") => FaultAction::StatusAfter(status(&a[..a.len() - 6])?),
        a if a.chars().all(|c| c.is_ascii_digit()) => FaultAction::Status(status(a)?),
        a => return Err(err(Problem::Action(a.to_owned()))),
    };
    let times = match times {
        None => None,
        Some(t) => Some(
            t.strip_prefix(['x', 'X'])
                .and_then(|n| n.parse::<u32>().ok())
                .filter(|n| *n >= 1)
                .ok_or_else(|| err(Problem::Count(t.to_owned())))?,
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
pub fn parse_rate_limit(s: &str) -> Result<RateLimit, FlagError> {
    let err = |problem| FlagError {
        flag: "--rate-limit",
        value: s.to_owned(),
        problem,
        expected: RATE_LIMIT_FORMS,
    };
    let (spec, retry_after) = match s.split_once(',') {
        None => (s, true),
        Some((spec, "no-retry-after")) => (spec, false),
        Some((spec, "retry-after")) => (spec, true),
        Some((_, opt)) => return Err(err(Problem::UnknownOption(opt.to_owned()))),
    };
    let (n, secs) = spec
        .split_once('/')
        .ok_or_else(|| err(Problem::MissingSlash))?;
    let limit = n
        .trim()
        .parse::<u32>()
        .map_err(|_| err(Problem::RequestCount(n.to_owned())))?;
    let window = secs
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|f| f.is_finite() && *f > 0.0)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| err(Problem::Window(secs.to_owned())))?;
    Ok(RateLimit {
        limit,
        window,
        retry_after,
    })
}

/// Parses `--page SUBDOMAIN[=NAME]` (the name defaults to the subdomain).
pub fn parse_page(s: &str) -> Result<(String, String), FlagError> {
    let (sub, name) = s.split_once('=').unwrap_or((s, s));
    let valid = !sub.is_empty()
        && sub
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid || name.is_empty() {
        return Err(FlagError {
            flag: "--page",
            value: s.to_owned(),
            problem: Problem::Page,
            expected: PAGE_FORMS,
        });
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
        for (bad, problem) in [
            ("POST /x", Problem::WordCount),
            ("FETCH /x 500", Problem::Method("FETCH".into())),
            ("POST x 500", Problem::Path("x".into())),
            ("POST /x 999", Problem::Status("999".into())),
            ("POST /x explode", Problem::Action("explode".into())),
            ("POST /x 500 3", Problem::Count("3".into())),
            ("POST /x delay=soon", Problem::Delay("delay=soon".into())),
        ] {
            let e = parse_fault(bad).unwrap_err();
            assert_eq!(
                (e.flag, &e.value, &e.problem),
                ("--fault", &bad.to_owned(), &problem)
            );
            let text = e.to_string();
            assert!(text.contains("--fault"), "{text}");
            assert!(text.contains("drop-after"), "{text}");
        }
        assert_eq!(
            parse_fault("FETCH /x 500").unwrap_err().to_string(),
            format!(
                "invalid --fault 'FETCH /x 500': unknown method 'FETCH'; expected {FAULT_FORMS}"
            )
        );
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
        for (bad, problem) in [
            ("5", Problem::MissingSlash),
            ("x/1", Problem::RequestCount("x".into())),
            ("5/0", Problem::Window("0".into())),
            ("5/1,maybe", Problem::UnknownOption("maybe".into())),
        ] {
            let e = parse_rate_limit(bad).unwrap_err();
            assert_eq!((e.flag, &e.problem), ("--rate-limit", &problem));
            let text = e.to_string();
            assert!(
                text.contains("--rate-limit") && text.contains("N/SECONDS"),
                "{text}"
            );
        }
    }

    #[test]
    fn pages_parse() {
        assert_eq!(
            parse_page("ephemery=Ephemery Testnet").unwrap(),
            ("ephemery".into(), "Ephemery Testnet".into())
        );
        assert_eq!(parse_page("eph").unwrap(), ("eph".into(), "eph".into()));
        assert_eq!(
            parse_page("Bad Sub").unwrap_err().to_string(),
            "invalid --page 'Bad Sub'; expected SUBDOMAIN[=NAME] with SUBDOMAIN of lower-case \
             letters, digits and '-', e.g. ephemery=Ephemery"
        );
    }
}
