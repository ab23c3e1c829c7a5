//! A string that never shows itself: API keys and SMS provider credentials.

use std::fmt;

use serde::{Deserialize, Serialize, Serializer};

/// What `Debug`, `Display` and `Serialize` show instead of a secret.
pub const REDACTED: &str = "***";

/// A secret value (API key, SMS provider token, webhook credential).
///
/// `Debug`, `Display` and `Serialize` all give `***`, so a secret cannot leak through logs,
/// errors, `{:?}` of a struct holding it, or a struct serialized for display. Reading the value
/// takes an explicit [`Secret::expose`]; a request body that must carry it marks the field with
/// `#[serde(serialize_with = "Secret::serialize_exposed")]` (or `serialize_exposed_opt` for an
/// `Option<Secret>`), so only the wire format has it.
///
/// ```
/// use instatus::Secret;
///
/// #[derive(serde::Serialize)]
/// struct Body {
///     shown: Secret,
///     #[serde(serialize_with = "Secret::serialize_exposed")]
///     sent: Secret,
/// }
/// let body = Body { shown: "t0k3n".into(), sent: "t0k3n".into() };
/// assert_eq!(serde_json::to_string(&body).unwrap(), r#"{"shown":"***","sent":"t0k3n"}"#);
/// assert_eq!(format!("{} {:?}", body.shown, body.shown), "*** ***");
/// ```
#[derive(Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself, for the one place that must send it (the `Authorization` header).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the value is empty (an unset key).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Serializes the value itself: for `serialize_with` on the request fields that must send it.
    pub fn serialize_exposed<S: Serializer>(
        secret: &Secret,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&secret.0)
    }

    /// [`Secret::serialize_exposed`] for an `Option<Secret>` field (`None` as null).
    pub fn serialize_exposed_opt<S: Serializer>(
        secret: &Option<Secret>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match secret {
            Some(secret) => serializer.serialize_some(&secret.0),
            None => serializer.serialize_none(),
        }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Redacted: a secret is never serialized by accident (see [`Secret::serialize_exposed`]).
impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(REDACTED)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl schemars::JsonSchema for Secret {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Secret".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "writeOnly": true })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let s = Secret::new("0123456789abcdef0123456789abcdef");
        assert_eq!(format!("{s:?}"), "***");
        assert_eq!(s.expose(), "0123456789abcdef0123456789abcdef");
    }

    #[test]
    fn display_and_serialize_redact_and_only_the_exposing_path_sends_the_value() {
        #[derive(Serialize)]
        struct Wire {
            #[serde(serialize_with = "Secret::serialize_exposed_opt")]
            token: Option<Secret>,
            plain: Option<Secret>,
        }
        let s = Secret::new("t0k3n-value");
        assert_eq!(s.to_string(), "***");
        assert_eq!(serde_json::to_value(&s).unwrap(), "***");
        let wire = Wire {
            token: Some(s.clone()),
            plain: Some(s),
        };
        assert_eq!(
            serde_json::to_value(&wire).unwrap(),
            serde_json::json!({"token": "t0k3n-value", "plain": "***"})
        );
        let back: Secret = serde_json::from_str("\"t0k3n-value\"").unwrap();
        assert_eq!(
            back.expose(),
            "t0k3n-value",
            "deserializing keeps the value"
        );
    }
}
