//! The one error type of the crate.

use std::fmt;
use std::time::Duration;

use crate::api::Op;

/// Which request an error is about: the operation and the filled path (never a secret: the key
/// travels in a header, not in the path).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The operation.
    pub op: Op,
    /// The request path, placeholders filled.
    pub path: String,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.op.method(), self.path)
    }
}

/// Everything that can go wrong talking to Instatus.
///
/// `Display` starts with the request (`POST /v1/ck.../components`) and says what happened; neither
/// `Display` nor `Debug` ever contains the API key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with an error status (4xx, or 5xx after the retries). `code` and `message`
    /// come from the `{"error":{"code","message"}}` envelope when the body has one.
    #[error("{target}: the API refused the request: HTTP {status}{}: {message}", code.as_deref().map(|c| format!(" {c}")).unwrap_or_default())]
    Api {
        /// The request.
        target: Target,
        /// HTTP status.
        status: u16,
        /// The error code (`forbidden`, `not_found`...), if the body had one.
        code: Option<String>,
        /// The message, or the start of the body.
        message: String,
    },

    /// A success status with a body that is not JSON.
    #[error("{target}: HTTP {status} with a body that is not JSON: {snippet:?}")]
    NotJson {
        /// The request.
        target: Target,
        /// HTTP status.
        status: u16,
        /// The first 200 characters of the body, with the API key masked before the cut.
        snippet: String,
    },

    /// JSON that does not fit the expected type.
    #[error("{target}: the response does not fit {type_name} at `{field}`: {message}")]
    Decode {
        /// The request.
        target: Target,
        /// The Rust type expected, e.g. `Vec<Component>`.
        type_name: String,
        /// Path of the offending field (`[3].status`), `.` for the top level.
        field: String,
        /// What serde said.
        message: String,
    },

    /// The connection failed or broke (refused, reset, DNS, TLS).
    #[error("{target}: transport error: {message}")]
    Transport {
        /// The request.
        target: Target,
        /// What failed.
        message: String,
    },

    /// No answer within the timeout, after the retries the method allows.
    #[error("{target}: no answer within {timeout:?}")]
    Timeout {
        /// The request.
        target: Target,
        /// The overall per-request timeout.
        timeout: Duration,
    },

    /// Still answered 429 once the retry budget (attempts or total time) was spent.
    #[error("{target}: still rate-limited after {attempts} attempts{}", retry_after.map(|d| format!(" (the API asked to wait {d:?})")).unwrap_or_default())]
    RateLimited {
        /// The request.
        target: Target,
        /// Attempts made.
        attempts: u32,
        /// The last `Retry-After`, if any.
        retry_after: Option<Duration>,
    },

    /// A POST failed after it may have reached the server (timeout, broken connection, 5xx), so
    /// the object may or may not exist. It is not retried: look the object up before trying again.
    #[error("{target}: the write may or may not have been applied ({cause}); look it up before trying again")]
    Ambiguous {
        /// The request.
        target: Target,
        /// What failed.
        #[source]
        cause: Box<Error>,
    },

    /// The request body could not be encoded as JSON; nothing was sent.
    #[error("{target}: the request body could not be encoded: {message}")]
    Encode {
        /// The request.
        target: Target,
        /// What serde said.
        message: String,
    },

    /// The client is misconfigured (missing key, bad base URL).
    #[error("client configuration: {0}")]
    Config(String),
}

impl Error {
    /// The HTTP status, when the API answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } | Error::NotJson { status, .. } => Some(*status),
            Error::RateLimited { .. } => Some(429),
            Error::Ambiguous { cause, .. } => cause.status(),
            _ => None,
        }
    }

    /// Whether the API said the object does not exist (HTTP 404).
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::Api { status: 404, .. })
    }

    /// Whether a write may have been applied despite the error.
    pub fn is_ambiguous(&self) -> bool {
        matches!(self, Error::Ambiguous { .. })
    }

    /// The request the error is about, if any.
    pub fn target(&self) -> Option<&Target> {
        match self {
            Error::Api { target, .. }
            | Error::NotJson { target, .. }
            | Error::Decode { target, .. }
            | Error::Transport { target, .. }
            | Error::Timeout { target, .. }
            | Error::RateLimited { target, .. }
            | Error::Ambiguous { target, .. }
            | Error::Encode { target, .. } => Some(target),
            Error::Config(_) => None,
        }
    }
}

/// How much of an unexpected response body an error quotes.
pub(crate) const EXCERPT_CHARS: usize = 200;

/// Shortest secret prefix hidden at the cut: shorter ones match too much ordinary text.
const MIN_PREFIX_CHARS: usize = 4;

/// What replaces a secret in a quoted body.
const MASK: &str = "********";

/// `text` with every secret masked, then cut to `max_chars` characters: masking first, so the cut
/// cannot leave most of a secret behind; and a tail that is the start of a secret (the cut, or a
/// body that itself ends mid-secret) is masked too.
pub(crate) fn excerpt(text: &str, secrets: &[&str], max_chars: usize) -> String {
    let mut secrets: Vec<&str> = secrets
        .iter()
        .copied()
        .filter(|s| s.chars().count() >= MIN_PREFIX_CHARS)
        .collect();
    // Longest first, so a secret containing another is masked whole.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let mut masked = text.to_owned();
    for secret in &secrets {
        masked = masked.replace(secret, MASK);
    }
    let mut out: String = masked.chars().take(max_chars).collect();
    // The longest tail of `out` that starts a secret, from MIN_PREFIX_CHARS characters on (only
    // tails no longer than the longest secret can, so only those are looked at).
    let longest = secrets.iter().map(|s| s.chars().count()).max().unwrap_or(0);
    let skip = out.chars().count().saturating_sub(longest);
    let tail = out.char_indices().skip(skip).map(|(i, _)| i).find(|&i| {
        let rest = &out[i..];
        rest.chars().count() >= MIN_PREFIX_CHARS && secrets.iter().any(|s| s.starts_with(rest))
    });
    if let Some(i) = tail {
        out.truncate(i);
        out.push_str(MASK);
    }
    out
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk-0123456789abcdef0123456789abcdef";

    #[test]
    fn error_bodies_are_masked_before_they_are_cut() {
        // A proxy page echoing the request headers, the key straddling the 200th character.
        let body = format!(
            "{}Authorization: Bearer {KEY}\r\nAccept: */*",
            "x".repeat(170)
        );
        let out = excerpt(&body, &[KEY], EXCERPT_CHARS);
        assert!(out.chars().count() <= EXCERPT_CHARS + MASK.len());
        for n in MIN_PREFIX_CHARS..=KEY.len() {
            assert!(
                !out.contains(&KEY[..n]),
                "{n} characters of the key in {out:?}"
            );
        }
        assert!(out.ends_with(&format!("Bearer {MASK}")), "{out}");
    }

    #[test]
    fn a_prefix_of_the_key_at_the_cut_is_masked_at_every_cut_position() {
        let body = format!("Bearer {KEY} done");
        for max in 0..body.len() {
            let out = excerpt(&body, &[KEY], max);
            for n in MIN_PREFIX_CHARS..=KEY.len() {
                assert!(!out.contains(&KEY[..n]), "cut at {max}: {out:?}");
            }
        }
    }

    #[test]
    fn a_huge_body_is_masked_in_linear_time() {
        let body = format!("{}{}", "y".repeat(4_000_000), &KEY[..10]);
        let out = excerpt(&body, &[KEY], usize::MAX);
        assert!(out.ends_with(MASK) && !out.contains(&KEY[..4]));
    }

    #[test]
    fn text_without_secrets_is_only_cut() {
        assert_eq!(excerpt("héllo wörld", &[KEY], 5), "héllo");
        assert_eq!(excerpt("short", &["ab"], 200), "short");
    }
}
