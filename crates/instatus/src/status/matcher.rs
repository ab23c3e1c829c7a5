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

impl Matcher {
    /// Parses `name op "value"` (the value may be unquoted). The error says what is wrong and
    /// lists the operators.
    pub fn parse(text: &str) -> Result<Matcher, String> {
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

/// Whether every matcher holds.
pub fn all_match(matchers: &[Matcher], labels: &BTreeMap<String, String>) -> bool {
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
