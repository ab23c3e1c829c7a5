//! Masking secrets in a module's result: values only (never keys, never `failed`/`changed`),
//! on the text exactly as it is printed, and in every form a secret can take on the way there.
//!
//! The rules follow ansible-core's secret masker (`module_utils/_internal/_secrets.py`, the
//! Secrets API of ansible-core 2.22):
//! - a secret shorter than [`MIN_SECRET_CHARS`] characters is not masked in free text at all
//!   (masking `a` everywhere would destroy the output); its option still shows as
//!   `VALUE_SPECIFIED_IN_NO_LOG_PARAMETER` in `invocation`, which is by position, not by search;
//! - a secret of [`MIN_SECRET_CHARS`]..=[`MAX_SHORT_SECRET_CHARS`] characters is masked only where
//!   it stands alone (no letter or digit on either side), so a key `fail` leaves "failed" alone;
//! - a longer secret is masked wherever it appears, longest match first.
//!
//! Each string value is masked in its JSON-escaped form (what lands on stdout), for the secret's
//! raw text and its escaped forms (JSON, Rust `{:?}`, percent-encoding, and those escaped once
//! more, as the diff renderer quotes values), so the secret cannot appear in any form.

use serde_json::Value;

/// What replaces a secret inside a string.
pub const MASK: &str = "********";

/// Secrets shorter than this many characters are not masked in free text (ansible-core's
/// `_MINIMUM_SECRET_LENGTH`).
pub const MIN_SECRET_CHARS: usize = 4;

/// Secrets up to this many characters are masked only where they stand alone (ansible-core's
/// `_MAXIMUM_SHORT_SECRET_LENGTH`).
pub const MAX_SHORT_SECRET_CHARS: usize = 6;

/// One text to look for: a form of a secret, and whether the secret is short.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Pattern {
    text: String,
    short: bool,
}

/// The secrets of one run, ready to mask values with.
#[derive(Clone, Debug, Default)]
pub struct Masker {
    /// Longest first, so a secret containing another is masked whole.
    patterns: Vec<Pattern>,
}

impl Masker {
    /// A masker for these secrets; the ones shorter than [`MIN_SECRET_CHARS`] are left out.
    pub fn new<S: AsRef<str>>(secrets: impl IntoIterator<Item = S>) -> Self {
        let mut patterns: Vec<Pattern> = Vec::new();
        for secret in secrets {
            let secret = secret.as_ref();
            let chars = secret.chars().count();
            if chars < MIN_SECRET_CHARS {
                continue;
            }
            let short = chars <= MAX_SHORT_SECRET_CHARS;
            for text in forms(secret) {
                let pattern = Pattern { text, short };
                // The same text from a long secret wins over a short one (masked everywhere).
                match patterns.iter_mut().find(|p| p.text == pattern.text) {
                    Some(existing) => existing.short &= pattern.short,
                    None => patterns.push(pattern),
                }
            }
        }
        patterns.sort_by(|a, b| b.text.len().cmp(&a.text.len()).then(a.text.cmp(&b.text)));
        Self { patterns }
    }

    /// Whether there is nothing to mask.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Masks every string (and number) inside `value`, leaving keys, booleans and null alone.
    /// Strings equal to `keep` (the no_log placeholder) are left as they are.
    pub fn mask_value(&self, value: &mut Value, keep: &str) {
        if self.is_empty() {
            return;
        }
        match value {
            Value::String(s) if s != keep => {
                if let Some(masked) = self.mask_str(s) {
                    *s = masked;
                }
            }
            Value::Number(n) => {
                if let Some(masked) = self.mask_str(&n.to_string()) {
                    *value = Value::String(masked);
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.mask_value(v, keep)),
            Value::Object(map) => map.values_mut().for_each(|v| self.mask_value(v, keep)),
            _ => {}
        }
    }

    /// The string with every secret masked, or `None` when it holds none.
    pub fn mask_str(&self, value: &str) -> Option<String> {
        if self.is_empty() {
            return None;
        }
        // Work on the text as JSON will print it.
        let text = json_inner(value);
        let tokens = Tokens::of(&text);
        let mut spans: Vec<(usize, usize)> = Vec::new();
        let mut pos = 0;
        while pos < text.len() {
            let found = self.patterns.iter().find(|p| {
                text[pos..].starts_with(&p.text)
                    && (!p.short || tokens.stands_alone(&text, pos, pos + p.text.len()))
            });
            match found {
                Some(p) => {
                    // Whole escape sequences only, so the text stays valid JSON.
                    let span = (tokens.start_of(pos), tokens.end_of(pos + p.text.len()));
                    match spans.last_mut() {
                        Some(last) if span.0 < last.1 => last.1 = last.1.max(span.1),
                        _ => spans.push(span),
                    }
                    pos += p.text.len();
                }
                None => pos += text[pos..].chars().next().map_or(1, char::len_utf8),
            }
        }
        if spans.is_empty() {
            return None;
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (start, end) in spans {
            out.push_str(&text[at..start]);
            out.push_str(MASK);
            at = end;
        }
        out.push_str(&text[at..]);
        // Cannot fail (only whole escapes were cut); if it did, hide the whole value.
        Some(serde_json::from_str(&format!("\"{out}\"")).unwrap_or_else(|_| MASK.to_owned()))
    }
}

/// Every form the secret may take in a printed result: itself, JSON-escaped, `{:?}`-escaped,
/// percent-encoded, and each of those JSON-escaped once more (a diff text quotes values, and the
/// result is JSON again).
fn forms(secret: &str) -> Vec<String> {
    let first = [
        secret.to_owned(),
        json_inner(secret),
        debug_inner(secret),
        percent_encoded(secret),
    ];
    let mut out: Vec<String> = Vec::new();
    for form in first
        .iter()
        .cloned()
        .chain(first.iter().map(|f| json_inner(f)))
    {
        if !form.is_empty() && !out.contains(&form) {
            out.push(form);
        }
    }
    out
}

/// The text between the quotes of the string's JSON form.
fn json_inner(s: &str) -> String {
    let quoted = serde_json::to_string(s).unwrap_or_default();
    quoted[1..quoted.len() - 1].to_owned()
}

/// The text between the quotes of the string's Rust `{:?}` form.
fn debug_inner(s: &str) -> String {
    let quoted = format!("{s:?}");
    quoted[1..quoted.len() - 1].to_owned()
}

/// Percent-encoding of every byte but the unreserved ones (as in a URL path or query).
fn percent_encoded(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for byte in s.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Where the tokens of a JSON string's text start and end: an escape (`\n`, `\"`, `\u0001`) or
/// one character.
struct Tokens {
    /// Byte offset of each token's start, in order, plus the text's length at the end.
    starts: Vec<usize>,
    /// Whether the token at the same index is an escape sequence.
    escape: Vec<bool>,
}

impl Tokens {
    fn of(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = Vec::new();
        let mut escape = Vec::new();
        let mut pos = 0;
        while pos < bytes.len() {
            starts.push(pos);
            let len = match bytes[pos] {
                b'\\' if bytes.get(pos + 1) == Some(&b'u') => 6,
                b'\\' => 2,
                _ => text[pos..].chars().next().map_or(1, char::len_utf8),
            };
            escape.push(bytes[pos] == b'\\');
            pos = (pos + len).min(bytes.len());
        }
        starts.push(bytes.len());
        Self { starts, escape }
    }

    /// Index of the token holding byte `pos`.
    fn index(&self, pos: usize) -> usize {
        match self.starts.binary_search(&pos) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// Start of the token holding byte `pos`.
    fn start_of(&self, pos: usize) -> usize {
        self.starts[self.index(pos)]
    }

    /// End of the token holding the byte before `end` (`end` itself when it is a boundary).
    fn end_of(&self, end: usize) -> usize {
        if end == 0 {
            return 0;
        }
        self.starts[self.index(end - 1) + 1]
    }

    /// Whether `text[start..end]` has no letter or digit right before or after it (an escape
    /// stands for a control character, a quote or a backslash: not a letter).
    fn stands_alone(&self, text: &str, start: usize, end: usize) -> bool {
        let left = start == 0 || {
            let i = self.index(start - 1);
            self.escape[i]
                || !text[..start]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphanumeric)
        };
        let right = end >= text.len() || {
            let i = self.index(end);
            self.escape[i]
                || !text[end..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphanumeric)
        };
        left && right
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn mask(secrets: &[&str], value: Value) -> Value {
        let mut value = value;
        Masker::new(secrets).mask_value(&mut value, "PLACEHOLDER");
        value
    }

    #[test]
    fn a_short_key_that_is_a_substring_of_failed_leaves_keys_and_flags_alone() {
        let out = mask(
            &["fail"],
            json!({"failed": true, "changed": false, "msg": "the task failed: fail"}),
        );
        assert_eq!(
            out,
            json!({"failed": true, "changed": false, "msg": "the task failed: ********"})
        );
    }

    #[test]
    fn secrets_below_the_minimum_length_are_not_masked_in_free_text() {
        let out = mask(&["a", "abc"], json!({"msg": "a cabbage abc"}));
        assert_eq!(out["msg"], "a cabbage abc");
    }

    #[test]
    fn long_secrets_are_masked_inside_words_short_ones_only_alone() {
        let out = mask(
            &["token12345", "k3y9"],
            json!(["xtoken12345x", "xk3y9x", "(k3y9)", "k3y9"]),
        );
        assert_eq!(
            out,
            json!(["x********x", "xk3y9x", "(********)", "********"])
        );
    }

    #[test]
    fn a_webhook_url_with_quote_backslash_and_control_characters_never_shows_escaped() {
        let secret = "https://hooks.example/a\"b\\c\u{1}d\ne";
        let rendered = serde_json::to_string(secret).unwrap(); // as the diff renderer quotes it
        let debug = format!("{secret:?}");
        let out = mask(
            &[secret],
            json!({"before": format!("webhook: {rendered}\n"), "msg": format!("refused {debug}"),
                   "raw": secret}),
        );
        let text = out.to_string();
        for form in forms(secret) {
            assert!(!text.contains(&form), "{form:?} in {text}");
        }
        assert_eq!(out["before"], "webhook: \"********\"\n");
        assert_eq!(out["raw"], "********");
    }

    #[test]
    fn a_cut_through_an_escape_masks_the_whole_escape() {
        // The secret's text starts inside the JSON escape of U+0001 (`\u0001`): the whole
        // escape goes, so the text stays valid.
        let out = mask(&["u0001xyz"], json!("a\u{1}xyzb"));
        assert_eq!(out, json!("a********b"));
    }

    #[test]
    fn numbers_holding_a_secret_become_masked_strings_and_booleans_stay() {
        let out = mask(&["12345678"], json!({"id": 12345678, "ok": true}));
        assert_eq!(out, json!({"id": "********", "ok": true}));
    }
}
