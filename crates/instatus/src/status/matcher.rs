//! Alertmanager label matchers: `name="value"`, `name!="value"`, `name=~"regex"`, `name!~"regex"`.
//!
//! As in Alertmanager, a missing label matches as the empty string and regexes are anchored at both
//! ends (`severity=~"crit"` does not match `critical`).

use std::collections::BTreeMap;

use regex::Regex;

/// One parsed matcher.
#[derive(Clone, Debug)]
pub struct Matcher {
    /// The label name.
    pub name: String,
    /// The operator and value.
    pub op: MatchOp,
}

/// A matcher's operator with its value.
#[derive(Clone, Debug)]
pub enum MatchOp {
    /// `=`
    Equal(String),
    /// `!=`
    NotEqual(String),
    /// `=~` (anchored)
    Regex(Regex),
    /// `!~` (anchored)
    NotRegex(Regex),
}

/// Why a matcher does not parse: what is wrong, with the operators allowed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MatcherError(String);

impl Matcher {
    /// Parses `name op "value"` (the value may be unquoted). The error says what is wrong and
    /// lists the operators.
    pub fn parse(text: &str) -> Result<Matcher, MatcherError> {
        Self::parse_text(text).map_err(MatcherError)
    }

    fn parse_text(text: &str) -> Result<Matcher, String> {
        let text = text.trim();
        let name_end = text
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .ok_or_else(|| format!("'{text}' has no operator; allowed operators: =, !=, =~, !~"))?;
        let name = &text[..name_end];
        if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(format!("'{text}' does not start with a label name"));
        }
        let rest = text[name_end..].trim_start();
        let (op, value) = if let Some(v) = rest.strip_prefix("=~") {
            ("=~", v)
        } else if let Some(v) = rest.strip_prefix("!~") {
            ("!~", v)
        } else if let Some(v) = rest.strip_prefix("!=") {
            ("!=", v)
        } else if let Some(v) = rest.strip_prefix('=') {
            ("=", v)
        } else {
            return Err(format!(
                "'{text}' has no valid operator after '{name}'; allowed operators: =, !=, =~, !~"
            ));
        };
        let value = unquote(value.trim()).map_err(|e| format!("'{text}': {e}"))?;
        let regex = |v: &str| {
            Regex::new(&format!("^(?:{v})$")).map_err(|e| format!("'{text}': bad regex: {e}"))
        };
        let op = match op {
            "=" => MatchOp::Equal(value),
            "!=" => MatchOp::NotEqual(value),
            "=~" => MatchOp::Regex(regex(&value)?),
            _ => MatchOp::NotRegex(regex(&value)?),
        };
        Ok(Matcher {
            name: name.to_owned(),
            op,
        })
    }

    /// Whether the labels satisfy this matcher.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let value = labels.get(&self.name).map(String::as_str).unwrap_or("");
        match &self.op {
            MatchOp::Equal(v) => value == v,
            MatchOp::NotEqual(v) => value != v,
            MatchOp::Regex(r) => r.is_match(value),
            MatchOp::NotRegex(r) => !r.is_match(value),
        }
    }

    /// The value of an `=` matcher with a non-empty value: usable as an index key.
    pub fn equality(&self) -> Option<&str> {
        match &self.op {
            MatchOp::Equal(v) if !v.is_empty() => Some(v),
            _ => None,
        }
    }
}

/// A matcher prepared for the hot loop: a regex that is only an alternation of plain words
/// (`critical|page`, the common case) becomes a list of strings to compare, which is what the
/// anchored regex means, without running a regex engine per alert.
#[derive(Clone, Debug)]
pub(crate) struct Compiled {
    name: String,
    test: Test,
}

#[derive(Clone, Debug)]
enum Test {
    Equal(String),
    NotEqual(String),
    OneOf(Vec<String>),
    NoneOf(Vec<String>),
    Regex(Regex),
    NotRegex(Regex),
}

impl Compiled {
    /// Prepares `matcher`.
    pub(crate) fn new(matcher: &Matcher) -> Compiled {
        let words = |r: &Regex| -> Option<Vec<String>> {
            let inner = r.as_str().strip_prefix("^(?:")?.strip_suffix(")$")?;
            let plain = inner.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':' | '/' | ' ' | '|')
            });
            plain.then(|| inner.split('|').map(str::to_owned).collect())
        };
        let test = match &matcher.op {
            MatchOp::Equal(v) => Test::Equal(v.clone()),
            MatchOp::NotEqual(v) => Test::NotEqual(v.clone()),
            MatchOp::Regex(r) => words(r).map_or_else(|| Test::Regex(r.clone()), Test::OneOf),
            MatchOp::NotRegex(r) => {
                words(r).map_or_else(|| Test::NotRegex(r.clone()), Test::NoneOf)
            }
        };
        Compiled {
            name: matcher.name.clone(),
            test,
        }
    }

    /// `(name, value)` of an `=` matcher with a non-empty value: usable as an index key.
    pub(crate) fn equality(&self) -> Option<(&str, &str)> {
        match &self.test {
            Test::Equal(v) if !v.is_empty() => Some((&self.name, v)),
            _ => None,
        }
    }

    /// The same answer as [`Matcher::matches`].
    pub(crate) fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let value = labels.get(&self.name).map(String::as_str).unwrap_or("");
        match &self.test {
            Test::Equal(v) => value == v,
            Test::NotEqual(v) => value != v,
            Test::OneOf(words) => words.iter().any(|w| w == value),
            Test::NoneOf(words) => !words.iter().any(|w| w == value),
            Test::Regex(r) => r.is_match(value),
            Test::NotRegex(r) => !r.is_match(value),
        }
    }
}

/// Whether every prepared matcher holds.
pub(crate) fn all_compiled(matchers: &[Compiled], labels: &BTreeMap<String, String>) -> bool {
    matchers.iter().all(|m| m.matches(labels))
}

fn unquote(value: &str) -> Result<String, String> {
    let Some(inner) = value.strip_prefix('"') else {
        if value.contains('"') {
            return Err("an unquoted value cannot contain '\"'".to_owned());
        }
        return Ok(value.to_owned());
    };
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => return Err("unterminated escape".to_owned()),
            },
            '"' => {
                return if chars.as_str().trim().is_empty() {
                    Ok(out)
                } else {
                    Err("text after the closing quote".to_owned())
                }
            }
            c => out.push(c),
        }
    }
    Err("missing closing quote".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prepared_matchers_answer_as_the_regex_does() {
        let labels = |v: &str| BTreeMap::from([("severity".to_owned(), v.to_owned())]);
        for text in [
            "severity=~\"critical|page\"",
            "severity!~\"critical|page\"",
            "severity=~\"crit\"",
            "severity=~\"crit.*\"",
            "severity=~\"critical|\"",
            "severity!~\"\"",
            "severity=~\"[a-c]ritical\"",
            "severity=\"page\"",
            "severity!=\"page\"",
        ] {
            let m = Matcher::parse(text).unwrap();
            let c = Compiled::new(&m);
            for v in [
                "critical",
                "page",
                "crit",
                "",
                "pagecritical",
                "critical|page",
                "warning",
            ] {
                let mut l = labels(v);
                if v.is_empty() {
                    l.clear();
                }
                assert_eq!(c.matches(&l), m.matches(&l), "{text} on {v:?}");
            }
        }
        assert!(matches!(
            Compiled::new(&Matcher::parse("s=~\"a|b\"").unwrap()).test,
            Test::OneOf(_)
        ));
        assert!(matches!(
            Compiled::new(&Matcher::parse("s=~\"a.b\"").unwrap()).test,
            Test::Regex(_)
        ));
    }
}
