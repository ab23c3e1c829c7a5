//! The `options:` part of a module's sidecar docs (`plugins/modules/NAME.yml`), generated from the
//! module's [`ArgSpec`] so the docs and the validation share one source.
//!
//! The generated block sits between two marker comments inside `DOCUMENTATION:`; everything else in
//! the sidecar (description, attributes, `EXAMPLES`, `RETURN`) is written by hand. [`splice`]
//! replaces the block, [`committed_block`] reads it back for the drift test.

use serde_json::Value;

use crate::protocol::ArgSpec;

/// First line of the generated block.
pub const BEGIN: &str =
    "  # BEGIN GENERATED OPTIONS: regenerate with `cargo run -p instatus-ansible -- --write-docs ansible/plugins/modules`";
/// Last line of the generated block.
pub const END: &str = "  # END GENERATED OPTIONS";

/// The generated block, markers included, for a module with this spec.
pub fn options_block(spec: &ArgSpec) -> String {
    let mut out = String::new();
    out.push_str(BEGIN);
    out.push('\n');
    out.push_str("  options:\n");
    let mut options: Vec<_> = spec.options.iter().collect();
    options.sort_by(|a, b| a.name.cmp(&b.name));
    for option in options {
        out.push_str(&format!("    {}:\n", option.name));
        out.push_str("      description:\n");
        let mut description: Vec<String> = option.description.iter().map(|p| markup(p)).collect();
        if let Some(env) = &option.env_fallback {
            description.push(format!(
                "If not set, the value of the environment variable C({env}) is used."
            ));
        }
        if option.no_log {
            description.push("The value is secret: it never appears in the output.".into());
        }
        if description.is_empty() {
            description.push(format!("The C({}) option.", option.name));
        }
        for line in description {
            out.push_str(&list_item(&line));
        }
        out.push_str(&format!("      type: {}\n", option.kind.as_str()));
        if let Some(elements) = option.elements {
            out.push_str(&format!("      elements: {}\n", elements.as_str()));
        }
        if option.required {
            out.push_str("      required: true\n");
        }
        if let Some(default) = &option.default {
            out.push_str(&format!("      default: {}\n", yaml_value(default)));
        }
        if let Some(choices) = &option.choices {
            out.push_str("      choices:\n");
            for choice in choices {
                out.push_str(&format!("        - {}\n", yaml_value(choice)));
            }
        }
    }
    out.push_str(END);
    out.push('\n');
    out
}

/// One description paragraph as a list item: plain or quoted when short, folded (`>-`) and
/// wrapped at 100 columns when long (ansible-lint allows 160).
fn list_item(text: &str) -> String {
    if text.len() <= 100 {
        return format!("        - {}\n", yaml_str(text));
    }
    let mut out = String::from("        - >-\n");
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > 90 {
            out.push_str(&format!("          {line}\n"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&format!("          {line}\n"));
    out
}

/// `` `x` `` → `C(x)`: Rust doc markup to Ansible doc markup.
fn markup(text: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for ch in text.chars() {
        if ch == '`' {
            out.push_str(if inside { ")" } else { "C(" });
            inside = !inside;
        } else {
            out.push(ch);
        }
    }
    out
}

fn yaml_value(value: &Value) -> String {
    match value {
        Value::String(s) => long_str(&yaml_str(s)),
        other => other.to_string(),
    }
}

/// A double-quoted scalar longer than 100 columns, broken after spaces with escaped line breaks
/// (`\` at a line's end: the break is dropped, the space before it kept, the next line's
/// indentation ignored), so no line passes ansible-lint's 160 columns and the value is unchanged.
fn long_str(scalar: &str) -> String {
    if scalar.len() <= 100 || !scalar.starts_with('"') {
        return scalar.to_owned();
    }
    let mut out = String::new();
    let mut line = String::new();
    for (i, piece) in scalar.split_inclusive(' ').enumerate() {
        // Never before a space: YAML would take it for indentation.
        if i > 0 && line.len() + piece.len() > 90 && !piece.starts_with(' ') {
            out.push_str(&line);
            out.push_str("\\\n        ");
            line.clear();
        }
        line.push_str(piece);
    }
    out.push_str(&line);
    out
}

/// A YAML scalar: plain when unambiguous, else double-quoted (JSON escaping is valid YAML).
fn yaml_str(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || " _.,()/'-=".contains(c)
                || (!c.is_ascii() && c != '\u{a0}')
        })
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "yes" | "no" | "true" | "false" | "on" | "off" | "null" | "y" | "n"
        );
    if plain {
        s.to_owned()
    } else {
        serde_json::to_string(s).unwrap_or_default()
    }
}

/// The generated block currently in a sidecar file, markers included, or `None` without markers.
pub fn committed_block(sidecar: &str) -> Option<String> {
    let start = sidecar.find(BEGIN)?;
    let end = sidecar[start..].find(END)? + start + END.len();
    let mut block = sidecar[start..end].to_owned();
    block.push('\n');
    Some(block)
}

/// The sidecar with its generated block replaced by `block`; `None` without markers.
pub fn splice(sidecar: &str, block: &str) -> Option<String> {
    let start = sidecar.find(BEGIN)?;
    let mut end = sidecar[start..].find(END)? + start + END.len();
    if sidecar[end..].starts_with('\n') {
        end += 1;
    }
    Some(format!("{}{block}{}", &sidecar[..start], &sidecar[end..]))
}

/// A line-by-line diff of two texts, `-` for `old` and `+` for `new` (enough for a test failure).
pub fn line_diff(old: &str, new: &str) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    // Longest common subsequence table; blocks are small.
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push_str(&format!("  {}\n", a[i]));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push_str(&format!("+ {}\n", b[j]));
            j += 1;
        } else {
            out.push_str(&format!("- {}\n", a[i]));
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{OptionSpec, OptionType};

    #[test]
    fn a_long_default_is_broken_into_short_lines_with_the_same_value() {
        let text = "Ephemery resets itself: iteration {{ iteration }}, chain id {{ chain_id }}. \
                    A \"quoted\" word, a back\\slash \\ and spaces  twice; then more words until the \
                    line is far longer than a hundred columns.";
        let scalar = yaml_value(&Value::String(text.into()));
        assert!(scalar.lines().count() > 1, "{scalar}");
        assert!(scalar.lines().all(|l| l.len() <= 110), "{scalar}");
        // YAML's reading of an escaped line break: the break and the next line's indentation go.
        let joined = scalar
            .split("\\\n")
            .map(str::trim_start)
            .collect::<String>();
        assert_eq!(serde_json::from_str::<String>(&joined).unwrap(), text);
        assert_eq!(yaml_value(&Value::String("short".into())), "short");
    }

    #[test]
    fn block_lists_type_default_choices_and_env() {
        let spec = ArgSpec {
            options: vec![OptionSpec {
                name: "state".into(),
                kind: OptionType::Str,
                elements: None,
                required: false,
                default: Some("present".into()),
                choices: Some(vec!["present".into(), "absent".into()]),
                no_log: false,
                secret_parts: Vec::new(),
                env_fallback: None,
                description: vec!["Whether it should exist: `present` or `absent`.".into()],
                range: None,
            }],
        };
        let block = options_block(&spec);
        assert!(block.contains("    state:\n"), "{block}");
        assert!(
            block.contains("        - \"Whether it should exist: C(present) or C(absent).\"\n"),
            "{block}"
        );
        assert!(block.contains("      default: present\n"), "{block}");
        assert!(
            block.contains("      choices:\n        - present\n        - absent\n"),
            "{block}"
        );
        let sidecar =
            format!("DOCUMENTATION:\n  module: x\n{BEGIN}\n  options: {{}}\n{END}\n  author: me\n");
        let spliced = splice(&sidecar, &block).unwrap();
        assert_eq!(committed_block(&spliced).unwrap(), block);
        assert!(spliced.ends_with("  author: me\n"));
    }

    #[test]
    fn yaml_strings_are_quoted_when_needed() {
        assert_eq!(yaml_str("plain text"), "plain text");
        assert_eq!(yaml_str("yes"), "\"yes\"");
        assert_eq!(yaml_str("a: b"), "\"a: b\"");
        assert_eq!(
            yaml_str("https://api.instatus.com"),
            "\"https://api.instatus.com\""
        );
        assert_eq!(yaml_str("30"), "\"30\"");
    }
}
