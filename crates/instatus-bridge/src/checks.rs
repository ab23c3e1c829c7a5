//! Checks of config values that are more than a range: URLs, the state folder, keys given twice,
//! durations too long for time arithmetic.

use std::fmt;
use std::path::Path;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::config::{err, ConfigError};

/// The URL with any `user:password@` replaced by `***@`, for messages.
pub fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) => format!("{scheme}://***@{}", &rest[at + 1..]),
        None => url.to_owned(),
    }
}

/// An `http://` or `https://` URL with a host, no credentials, no query and no fragment (a path
/// prefix is fine: Prometheus behind a proxy at `/prometheus`).
pub fn url(field: &str, url: &str) -> Result<(), ConfigError> {
    let shown = redacted(url);
    let bad = |why: &str| {
        err(
            field,
            format!("{shown:?} is not a usable URL: {why}; allowed: http://HOST[:PORT][/PATH] or https://..."),
        )
    };
    let uri: hyper::Uri = url.parse().map_err(|e| bad(&format!("{e}")))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        _ => return Err(bad("the scheme must be http or https")),
    }
    let Some(authority) = uri.authority() else {
        return Err(bad("no host"));
    };
    if authority.as_str().contains('@') {
        return Err(err(
            field,
            format!("{shown:?} carries credentials (user:password@), which would be printed wherever the URL is (plan, once, logs); allowed: a URL without them, and basic_auth or bearer_token_file for the credentials"),
        ));
    }
    if authority.host().is_empty() {
        return Err(bad("no host"));
    }
    if uri.query().is_some() || url.contains('#') {
        return Err(bad("a query or fragment is not allowed"));
    }
    Ok(())
}

/// The state folder: a folder if it exists, else creatable (its nearest existing parent is a
/// folder). Nothing is created here (`validate` and `plan` write nothing).
pub fn state_dir(field: &str, dir: &Path) -> Result<(), ConfigError> {
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(err(
            field,
            format!(
                "{} exists and is not a folder; allowed: a folder (created when missing)",
                dir.display()
            ),
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut parent = dir.parent();
            while let Some(p) = parent {
                let p = if p.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    p
                };
                match std::fs::metadata(p) {
                    Ok(m) if m.is_dir() => return Ok(()),
                    Ok(_) => {
                        return Err(err(
                            field,
                            format!(
                                "{} cannot be created: {} is not a folder",
                                dir.display(),
                                p.display()
                            ),
                        ))
                    }
                    Err(_) => parent = p.parent(),
                }
            }
            Ok(())
        }
        Err(e) => Err(err(field, format!("{}: {e}", dir.display()))),
    }
}

/// Every number under a key ending in `_secs` is at most `max`: the path of the first that is not.
pub fn durations(value: &Value, path: &str, max: u64) -> Result<(), ConfigError> {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let here = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                if k.ends_with("_secs") {
                    if let Some(n) = v.as_f64() {
                        if n > max as f64 {
                            return Err(err(
                                here,
                                format!("{v} is out of range; allowed: at most {max} (ten years)"),
                            ));
                        }
                    }
                }
                durations(v, &here, max)?;
            }
            Ok(())
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                durations(v, &format!("{path}[{i}]"), max)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// A YAML error as a config error; a key given twice names both lines.
pub fn yaml_error(text: &str, e: &yaml_serde::Error) -> ConfigError {
    let message = e.to_string();
    let Some(loc) = e.location() else {
        return err("(YAML syntax)", message);
    };
    if let Some(key) = duplicate_key(&message) {
        // yaml_serde's location is the start of the mapping holding the key twice.
        let lines = occurrences(text, &key, loc.line(), loc.column());
        let at = match lines.as_slice() {
            [first, second, ..] => format!("at line {first} and at line {second}"),
            _ => format!("in the mapping starting at line {}", loc.line()),
        };
        return err(
            "(YAML)",
            format!(
                "the key {key:?} is given twice {at}; allowed: each key once (the second would silently replace the first)"
            ),
        );
    }
    err("(YAML syntax)", message)
}

/// The key of yaml_serde's "duplicate entry with key \"K\"".
fn duplicate_key(message: &str) -> Option<String> {
    let rest = message.split_once("duplicate entry with key ")?.1;
    let quoted = rest.strip_prefix('"')?;
    let end = quoted.find('"')?;
    Some(quoted[..end].to_owned())
}

/// The lines (1-based) where `key:` stands in the block mapping that starts at (`line`,
/// `column`), 1-based: the lines whose content begins at the mapping's column, up to the first
/// line less indented.
fn occurrences(text: &str, key: &str, line: usize, column: usize) -> Vec<usize> {
    let indent = column.saturating_sub(1);
    let is_key = |rest: &str| {
        [
            format!("{key}:"),
            format!("\"{key}\":"),
            format!("'{key}':"),
        ]
        .iter()
        .any(|k| rest.starts_with(k.as_str()))
    };
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate().skip(line.saturating_sub(1)) {
        let trimmed = l.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let first = i + 1 == line;
        if !first && l.len() - trimmed.len() < indent {
            break;
        }
        if l.len() < indent {
            continue;
        }
        let (head, rest) = l.split_at(indent);
        // On the mapping's first line the head may be a sequence's `- `.
        let head_ok =
            head.chars().all(|c| c == ' ') || (first && head.trim_start().starts_with('-'));
        if head_ok && is_key(rest) {
            out.push(i + 1);
        }
    }
    out
}

/// A JSON value read refusing a key given twice in one object (serde_json's own `Value` keeps
/// the last). Its error names the key; serde_json adds the line.
#[derive(Debug)]
pub struct UniqueKeys(pub Value);

impl<'de> Deserialize<'de> for UniqueKeys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueVisitor).map(UniqueKeys)
    }
}

struct UniqueVisitor;

impl<'de> Visitor<'de> for UniqueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(v.into())
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(v.into())
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(UniqueVisitor)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(UniqueKeys(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(de::Error::custom(format!(
                    "the key {key:?} is given twice in one object; allowed: each key once"
                )));
            }
            let UniqueKeys(v) = map.next_value()?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_without_a_host_or_with_credentials_are_refused() {
        for bad in [
            "http://",
            "http://[::1",
            "ftp://x",
            "localhost:9090",
            "http://x/?q=1",
        ] {
            assert!(url("prometheus.url", bad).is_err(), "{bad}");
        }
        let e = url("prometheus.url", "http://admin:hunter2@prom:9090").unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
        assert!(e.message.contains("***@prom:9090"), "{e}");
        for good in [
            "http://127.0.0.1:9090",
            "https://prom.example/prometheus",
            "http://[::1]:9093/",
        ] {
            assert!(url("u", good).is_ok(), "{good}");
        }
    }

    #[test]
    fn a_second_key_in_yaml_names_both_lines() {
        let text = "instatus:\n  page: x\nstatus:\n  components: []\nserver: {}\nstatus:\n  components: []\n";
        let e = yaml_serde::from_str::<yaml_serde::Value>(text).unwrap_err();
        let c = yaml_error(text, &e);
        assert!(
            c.message.contains("line 3") && c.message.contains("line 6"),
            "{c}"
        );
        let item = "status:\n  components:\n    - path: A\n      rules: []\n      path: B\n";
        let e = yaml_serde::from_str::<yaml_serde::Value>(item).unwrap_err();
        let c = yaml_error(item, &e);
        assert!(
            c.message.contains("line 3") && c.message.contains("line 5"),
            "{c}"
        );
        let nested = "a:\n  b: 1\n  c: 2\n  b: 3\n";
        let e = yaml_serde::from_str::<yaml_serde::Value>(nested).unwrap_err();
        let c = yaml_error(nested, &e);
        assert!(
            c.message.contains("line 2") && c.message.contains("line 4"),
            "{c}"
        );
    }

    #[test]
    fn a_second_key_in_json_is_refused() {
        let de = &mut serde_json::Deserializer::from_str(r#"{"a": {"b": 1, "b": 2}}"#);
        let e = serde_path_to_error::deserialize::<_, UniqueKeys>(de).unwrap_err();
        assert_eq!(e.path().to_string(), "a");
        assert!(
            e.inner().to_string().contains("\"b\" is given twice"),
            "{e}"
        );
    }

    #[test]
    fn a_file_where_the_state_folder_belongs_is_refused() {
        let d = std::env::temp_dir().join(format!("bridge-checks-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        let f = d.join("file");
        std::fs::write(&f, "x").unwrap();
        assert!(state_dir("state_dir", &f).is_err());
        assert!(state_dir("state_dir", &f.join("below")).is_err());
        assert!(state_dir("state_dir", &d.join("new/deeper")).is_ok());
        assert!(!d.join("new").exists(), "nothing is created");
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn durations_over_ten_years_name_their_path() {
        let v = serde_json::json!({"prometheus": {"interval_secs": 18446744073709551615u64}});
        let e = durations(&v, "", 10).unwrap_err();
        assert_eq!(e.path, "prometheus.interval_secs");
    }
}
