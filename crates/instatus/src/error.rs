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
        /// The first 200 characters of the body.
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

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
