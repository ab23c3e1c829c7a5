//! A string that never shows itself: API keys and SMS provider credentials.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A secret value (API key, SMS provider token, webhook credential).
///
/// `Debug` prints `***` so a secret cannot leak through logs, errors or `{:?}` of a struct holding
/// it. There is no `Display`: reading the value takes an explicit [`Secret::expose`].
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
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
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
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
}
