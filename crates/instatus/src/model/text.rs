//! Text that Instatus returns either as a plain string or as a translations object.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// Translations of the page's texts: property name → language code → text.
pub type Translations = BTreeMap<String, BTreeMap<String, String>>;

/// A name or description: usually a string, but some responses (the page update, metric lists)
/// send `{"en": "...", "default": "..."}` instead. Both forms are accepted and kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LocalizedText {
    /// A plain string.
    Plain(String),
    /// Language code → text, possibly with a `default` entry.
    Translated(BTreeMap<String, String>),
}

impl LocalizedText {
    /// The text to show: the plain string, else the `default` entry, else `en`, else the first.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Plain(s) => s,
            Self::Translated(map) => map
                .get("default")
                .or_else(|| map.get("en"))
                .or_else(|| map.values().next())
                .map(String::as_str)
                .unwrap_or(""),
        }
    }
}

impl Default for LocalizedText {
    fn default() -> Self {
        Self::Plain(String::new())
    }
}

impl fmt::Display for LocalizedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for LocalizedText {
    fn from(s: &str) -> Self {
        Self::Plain(s.to_owned())
    }
}

impl PartialEq<str> for LocalizedText {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_both_forms() {
        let plain: LocalizedText = serde_json::from_str("\"Ephemery\"").unwrap();
        let map: LocalizedText =
            serde_json::from_str(r#"{"en":"Ephemery EN","default":"Ephemery"}"#).unwrap();
        assert_eq!(plain.as_str(), "Ephemery");
        assert_eq!(map.as_str(), "Ephemery");
        let en_only: LocalizedText = serde_json::from_str(r#"{"en":"Only EN"}"#).unwrap();
        assert_eq!(en_only.as_str(), "Only EN");
    }
}
