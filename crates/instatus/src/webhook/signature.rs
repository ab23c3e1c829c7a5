//! The `x-instatus-webhook-signature` check: hex HMAC-SHA256 of the body, keyed by the webhook
//! secret, compared in constant time (`ring::hmac::verify`).

use ring::hmac;

use crate::Secret;

/// Why a delivery's signature was refused. No variant carries the signature or the expected
/// value: an error message must not help anyone forge the next one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The request has no signature header.
    #[error("the webhook has no `{}` header", super::SIGNATURE_HEADER)]
    Missing,
    /// The header is not 64 hexadecimal digits (optionally prefixed `sha256=`).
    #[error(
        "the `{}` header is not a hex HMAC-SHA256 (expected 64 hexadecimal digits)",
        super::SIGNATURE_HEADER
    )]
    Malformed,
    /// The signature does not match the body and the secret.
    #[error(
        "the `{}` header does not match the body: wrong secret, or the body was changed",
        super::SIGNATURE_HEADER
    )]
    Mismatch,
}

/// What the signature is computed over. Instatus's documented receiver recomputes
/// `JSON.stringify(JSON.parse(body))`, so a sender that pretty-prints would still match there;
/// [`SignedOver::BodyOrCompacted`] accepts that too, without re-ordering keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SignedOver {
    /// The raw body bytes, or else the body compacted as `JSON.stringify` would print it
    /// (insignificant whitespace dropped, strings re-escaped the JavaScript way; numbers and key
    /// order kept as sent). The default.
    #[default]
    BodyOrCompacted,
    /// The raw body bytes only.
    RawBody,
}

/// Checks webhook signatures with one secret. `Debug` never shows the key.
///
/// ```
/// use instatus::webhook::{sign, Verifier};
/// use instatus::Secret;
///
/// let secret = Secret::new("whsec-from-the-dashboard");
/// let body = br#"{"component_update":{"component_id":"c1","new_status":"MAJOROUTAGE"}}"#;
/// let header = sign(&secret, body);
/// let verifier = Verifier::new(&secret);
/// assert!(verifier.verify(body, Some(&header)).is_ok());
/// assert!(verifier.verify(b"{}", Some(&header)).is_err());
/// ```
#[derive(Clone)]
pub struct Verifier {
    key: hmac::Key,
    signed_over: SignedOver,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("key", &crate::secret::REDACTED)
            .field("signed_over", &self.signed_over)
            .finish()
    }
}

impl Verifier {
    /// A verifier for this webhook secret (Instatus dashboard → subscribers → webhook).
    pub fn new(secret: &Secret) -> Self {
        Self {
            key: hmac::Key::new(hmac::HMAC_SHA256, secret.expose().as_bytes()),
            signed_over: SignedOver::default(),
        }
    }

    /// Chooses what the signature must be computed over (default
    /// [`SignedOver::BodyOrCompacted`]).
    pub fn signed_over(mut self, signed_over: SignedOver) -> Self {
        self.signed_over = signed_over;
        self
    }

    /// Checks `signature` (the `x-instatus-webhook-signature` header value; `None` when absent)
    /// against the raw request `body`, in constant time.
    pub fn verify(&self, body: &[u8], signature: Option<&str>) -> Result<(), SignatureError> {
        let signature = signature.ok_or(SignatureError::Missing)?;
        let tag = decode_hex_tag(signature).ok_or(SignatureError::Malformed)?;
        if hmac::verify(&self.key, body, &tag).is_ok() {
            return Ok(());
        }
        if self.signed_over == SignedOver::BodyOrCompacted {
            if let Some(compacted) = js_compact(body) {
                if compacted != body && hmac::verify(&self.key, &compacted, &tag).is_ok() {
                    return Ok(());
                }
            }
        }
        Err(SignatureError::Mismatch)
    }
}

/// The `x-instatus-webhook-signature` value for `body`: lower-case hex HMAC-SHA256 keyed by the
/// secret, as Instatus sends it. For senders (the emulator) and tests.
pub fn sign(secret: &Secret, body: &[u8]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.expose().as_bytes());
    let tag = hmac::sign(&key, body);
    let mut out = String::with_capacity(64);
    for b in tag.as_ref() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// 32 bytes from 64 hex digits (either case, surrounding spaces and a `sha256=` prefix allowed).
fn decode_hex_tag(s: &str) -> Option<[u8; 32]> {
    let s = s.trim();
    let s = s.strip_prefix("sha256=").unwrap_or(s).as_bytes();
    if s.len() != 64 {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = [0u8; 32];
    for (i, pair) in s.chunks_exact(2).enumerate() {
        out[i] = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(out)
}

/// The body as `JSON.stringify(JSON.parse(body))` prints it, for the usual cases: whitespace
/// outside strings dropped, strings re-escaped as JavaScript does (only `"`, `\` and control
/// characters; `/` and non-ASCII literal). Numbers and key order stay as sent. `None` when the
/// body is not well-formed enough to tokenise.
pub(crate) fn js_compact(body: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(body).ok()?;
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' | '\r' => {}
            '"' => {
                let mut decoded: Vec<u16> = Vec::new();
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => match chars.next()? {
                            '"' => decoded.push(u16::from(b'"')),
                            '\\' => decoded.push(u16::from(b'\\')),
                            '/' => decoded.push(u16::from(b'/')),
                            'b' => decoded.push(0x08),
                            'f' => decoded.push(0x0c),
                            'n' => decoded.push(u16::from(b'\n')),
                            'r' => decoded.push(u16::from(b'\r')),
                            't' => decoded.push(u16::from(b'\t')),
                            'u' => {
                                let hex: String =
                                    (0..4).map(|_| chars.next()).collect::<Option<_>>()?;
                                decoded.push(u16::from_str_radix(&hex, 16).ok()?);
                            }
                            _ => return None,
                        },
                        other => {
                            let mut buf = [0u16; 2];
                            decoded.extend_from_slice(other.encode_utf16(&mut buf));
                        }
                    }
                }
                out.push('"');
                push_js_escaped(&mut out, &decoded);
                out.push('"');
            }
            other => out.push(other),
        }
    }
    Some(out.into_bytes())
}

/// Appends UTF-16 code units escaped as `JSON.stringify` does (well-formed, ES2019).
fn push_js_escaped(out: &mut String, units: &[u16]) {
    for unit in char::decode_utf16(units.iter().copied()) {
        match unit {
            Ok('"') => out.push_str("\\\""),
            Ok('\\') => out.push_str("\\\\"),
            Ok('\u{8}') => out.push_str("\\b"),
            Ok('\u{c}') => out.push_str("\\f"),
            Ok('\n') => out.push_str("\\n"),
            Ok('\r') => out.push_str("\\r"),
            Ok('\t') => out.push_str("\\t"),
            Ok(c) if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            Ok(c) => out.push(c),
            Err(lone) => out.push_str(&format!("\\u{:04x}", lone.unpaired_surrogate())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compaction_matches_json_stringify() {
        // What node prints for JSON.stringify(JSON.parse(input)).
        let cases: &[(&str, &str)] = &[
            (
                "{ \"a\" : [1, 2 ,\n 3], \"b\": {} }",
                r#"{"a":[1,2,3],"b":{}}"#,
            ),
            (
                r#"{"url":"https:\/\/x.org\/a"}"#,
                r#"{"url":"https://x.org/a"}"#,
            ),
            (
                r#"{"s":"caf\u00e9 \u2713"}"#,
                "{\"s\":\"caf\u{e9} \u{2713}\"}",
            ),
            (r#"{"s":"tab\there \u0001"}"#, r#"{"s":"tab\there \u0001"}"#),
            (
                r#"{"s":"\ud83d\ude00 \ud800"}"#,
                "{\"s\":\"\u{1f600} \\ud800\"}",
            ),
            (r#"{"s":"a \" b \\ c"}"#, r#"{"s":"a \" b \\ c"}"#),
        ];
        for (input, want) in cases {
            let got = js_compact(input.as_bytes()).expect(input);
            assert_eq!(std::str::from_utf8(&got).unwrap(), *want, "{input}");
        }
        assert_eq!(js_compact(br#"{"a":"unterminated"#), None);
    }

    #[test]
    fn hex_tags_decode_strictly() {
        let hex = "00ff".repeat(16);
        assert_eq!(decode_hex_tag(&hex).unwrap()[1], 0xff);
        assert!(decode_hex_tag(&format!("sha256={}", hex.to_uppercase())).is_some());
        assert!(decode_hex_tag(&hex[..62]).is_none());
        assert!(decode_hex_tag(&format!("{}zz", &hex[..62])).is_none());
        assert!(decode_hex_tag("").is_none());
    }

    #[test]
    fn sign_is_the_known_hmac_sha256() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            sign(&Secret::new("Jefe"), b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn debug_hides_the_key() {
        let v = Verifier::new(&Secret::new("sup3r-secret"));
        assert!(!format!("{v:?}").contains("sup3r"));
    }
}
