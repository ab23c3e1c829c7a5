//! Pure checks of the value forms Instatus accepts, shared by the Ansible modules (option checking
//! before the first request) and by the emulator (which refuses what the real API refuses).
//!
//! Each function takes the value as written and returns [`Invalid`] when it does not have the
//! allowed form. The error quotes the value (shortened) and says what is allowed; it never names a
//! field, because only the caller knows the name the user wrote (`brand_color` in a playbook,
//! `brandColor` on the wire):
//!
//! ```
//! use instatus::validate;
//!
//! assert!(validate::color("#1a2b3c").is_ok());
//! let err = validate::http_url("javascript:alert(1)").unwrap_err();
//! assert_eq!(
//!     format!("website_url: {err}"),
//!     "website_url: \"javascript:alert(1)\" is not an http(s) URL; allowed: \
//!      http:// or https:// followed by a host, without spaces or control characters",
//! );
//! ```
//!
//! The checks are cheap and hand-written: every function looks at the length first, so a huge
//! input costs no more than a short one.

/// A value that does not have the allowed form. Display: `"<problem>; allowed: <allowed>"`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{problem}; allowed: {allowed}")]
pub struct Invalid {
    /// What is wrong, quoting the value shortened to at most 40 characters.
    pub problem: String,
    /// The allowed form, in words.
    pub allowed: &'static str,
}

/// Characters of the value quoted in a problem text.
const QUOTED_CHARS: usize = 40;

impl Invalid {
    fn new(value: &str, problem: &str, allowed: &'static str) -> Self {
        Self {
            problem: format!("{} {problem}", quote(value)),
            allowed,
        }
    }
}

/// The value in quotes with control characters escaped, cut to [`QUOTED_CHARS`] characters (the
/// full length is then given, so a huge input never ends up in an error text).
fn quote(value: &str) -> String {
    let count = value.chars().count();
    if count <= QUOTED_CHARS {
        format!("{value:?}")
    } else {
        let head: String = value.chars().take(QUOTED_CHARS - 1).collect();
        format!("{:?} ({count} characters)", format!("{head}…"))
    }
}

const COLOR_ALLOWED: &str = "#rgb, #rrggbb or rgb(r, g, b) with r, g and b from 0 to 255";

/// A colour: `#rgb`, `#rrggbb` (hex digits, either case) or `rgb(r, g, b)` with each of r, g, b a
/// decimal from 0 to 255 (spaces around the numbers allowed).
///
/// Source: the OpenAPI spec (`crates/instatus/spec/instatus-openapi.json`) says "in hex format"
/// for each page colour; the endpoint notes this crate was written from list the colours of
/// `POST /v1/pages` as "hex or `rgb(r,g,b)`", so both forms are accepted.
pub fn color(value: &str) -> Result<(), Invalid> {
    let refuse = || Err(Invalid::new(value, "is not a colour", COLOR_ALLOWED));
    if value.len() > 32 {
        return refuse();
    }
    if let Some(hex) = value.strip_prefix('#') {
        let digits = hex.bytes().all(|b| b.is_ascii_hexdigit());
        return if digits && (hex.len() == 3 || hex.len() == 6) {
            Ok(())
        } else {
            refuse()
        };
    }
    let Some(inner) = value
        .strip_prefix("rgb(")
        .and_then(|rest| rest.strip_suffix(')'))
    else {
        return refuse();
    };
    let parts: Vec<&str> = inner.split(',').map(str::trim).collect();
    let channel = |part: &&str| {
        (1..=3).contains(&part.len())
            && part.bytes().all(|b| b.is_ascii_digit())
            && part.parse::<u16>().is_ok_and(|n| n <= 255)
    };
    if parts.len() == 3 && parts.iter().all(channel) {
        Ok(())
    } else {
        refuse()
    }
}

const EMAIL_ALLOWED: &str = "an email address like name@example.com (at most 254 characters)";

/// An email address: `local@domain` with one `@`, a local part of 1 to 64 characters from the
/// RFC 5322 "atext" set plus single inner dots, a [`domain`] after the `@`, at most 254 characters in
/// all (RFC 5321), no spaces or control characters.
///
/// Source: the OpenAPI spec gives `publicEmail` and the subscriber `email` `format: email`; the
/// limits are those of RFC 5321 section 4.5.3.1. Quoted local parts and IP literals are refused:
/// no status page subscriber needs them.
pub fn email(value: &str) -> Result<(), Invalid> {
    let refuse = || {
        Err(Invalid::new(
            value,
            "is not an email address",
            EMAIL_ALLOWED,
        ))
    };
    if value.len() > 254 {
        return refuse();
    }
    let Some((local, host)) = value.split_once('@') else {
        return refuse();
    };
    let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c);
    let local_ok = (1..=64).contains(&local.len())
        && local
            .split('.')
            .all(|atom| !atom.is_empty() && atom.chars().all(atext));
    if local_ok && domain(host).is_ok() {
        Ok(())
    } else {
        refuse()
    }
}

const PHONE_ALLOWED: &str =
    "an E.164 number: + then 8 to 15 digits, the first from 1 to 9, e.g. +14155550123";

/// A phone number in E.164 form: `+`, then 8 to 15 digits of which the first is 1 to 9; no spaces,
/// dashes or brackets.
///
/// Source: ITU-T E.164 (at most 15 digits, country codes never start with 0); the spec types the
/// subscriber `phone` as a plain string, so the lower bound of 8 digits (the shortest numbers in
/// real use with their country code) is this project's choice.
pub fn phone_e164(value: &str) -> Result<(), Invalid> {
    let refuse = || {
        Err(Invalid::new(
            value,
            "is not an E.164 phone number",
            PHONE_ALLOWED,
        ))
    };
    let Some(digits) = value.strip_prefix('+') else {
        return refuse();
    };
    let well_formed = (8..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    if well_formed {
        Ok(())
    } else {
        refuse()
    }
}

const URL_ALLOWED: &str =
    "http:// or https:// followed by a host, without spaces or control characters";

/// Longest URL accepted: what browsers and most servers handle reliably.
const URL_MAX: usize = 2048;

/// An http(s) URL: the scheme `http://` or `https://` (either case), then a host (a name such as
/// `example.com` or `localhost`, an IPv4 address or a bracketed IPv6 address), optionally user info
/// before an `@` and a port after a `:`, then anything without whitespace or control characters; at
/// most 2048 characters. Anything else, `javascript:` and `data:` URLs included, is refused.
///
/// Source: the OpenAPI spec gives the page's `logoUrl`, `faviconUrl`, `websiteUrl` and the
/// subscriber `webhook` `format: uri`; the real API refuses other schemes such as `javascript:`
/// (issue 7). The host may be a single label so that local webhooks (`http://localhost:9000`) pass.
pub fn http_url(value: &str) -> Result<(), Invalid> {
    let refuse = || Err(Invalid::new(value, "is not an http(s) URL", URL_ALLOWED));
    if value.len() > URL_MAX || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return refuse();
    }
    let lower_scheme = value
        .get(..8)
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let rest = if lower_scheme.starts_with("https://") {
        &value[8..]
    } else if lower_scheme.starts_with("http://") {
        &value[7..]
    } else {
        return refuse();
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    let (host, port) = if let Some(v6) = host_port.strip_prefix('[') {
        match v6.split_once(']') {
            Some((addr, tail)) if is_ipv6_ish(addr) => (None, tail.strip_prefix(':')),
            _ => return refuse(),
        }
    } else {
        match host_port.split_once(':') {
            Some((host, port)) => (Some(host), Some(port)),
            None => (Some(host_port), None),
        }
    };
    let host_ok = host.is_none_or(|h| !h.is_empty() && h.split('.').all(is_dns_label));
    let port_ok = port.is_none_or(|p| {
        (1..=5).contains(&p.len())
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u16>().is_ok()
    });
    if host_ok && port_ok {
        Ok(())
    } else {
        refuse()
    }
}

/// Hex digits, colons and dots (for an embedded IPv4), the characters of an IPv6 literal.
fn is_ipv6_ish(addr: &str) -> bool {
    addr.contains(':')
        && addr
            .bytes()
            .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
}

/// The language codes of Instatus pages and subscribers, in the order Instatus lists them.
///
/// Source: `list.json` of github.com/instatushq/languages (the translations repository Instatus
/// publishes); the OpenAPI spec only says "language code (e.g. `en`, `fr`, `de`)".
const LANGUAGES: &[&str] = &[
    "en", "sq", "ar", "cs", "da", "et", "zh", "zh-tw", "de", "nl", "fi", "fr", "id", "it", "ja",
    "ko", "no", "pl", "pt", "pt-br", "ro", "ru", "sr", "es", "sl", "sv", "tr", "uk", "vi", "hu",
    "hi", "bn", "ta", "fa", "ur", "he", "th", "tl", "ms", "el", "es-mx", "fr-ca", "hr", "sk", "bg",
    "lt", "lv", "mr", "te", "sw", "kn", "pa", "gu", "ml", "af", "az", "kk", "ca", "ne", "si", "ka",
    "hy", "my", "km", "uz", "ps", "am", "ha", "yo", "bs", "mk", "be",
];

/// [`LANGUAGES`] in words (a unit test keeps the two equal).
const LANGUAGE_ALLOWED: &str = "one of en, sq, ar, cs, da, et, zh, zh-tw, de, nl, fi, fr, id, it, \
    ja, ko, no, pl, pt, pt-br, ro, ru, sr, es, sl, sv, tr, uk, vi, hu, hi, bn, ta, fa, ur, he, th, \
    tl, ms, el, es-mx, fr-ca, hr, sk, bg, lt, lv, mr, te, sw, kn, pa, gu, ml, af, az, kk, ca, ne, \
    si, ka, hy, my, km, uz, ps, am, ha, yo, bs, mk, be";

/// A language Instatus supports: one of its lower-case codes (`en`, `de`, `pt-br`, `zh-tw`, ...).
///
/// Source: `list.json` of github.com/instatushq/languages, the language list Instatus publishes
/// for its pages.
pub fn language(value: &str) -> Result<(), Invalid> {
    if LANGUAGES.contains(&value) {
        Ok(())
    } else {
        Err(Invalid::new(
            value,
            "is not a language Instatus supports",
            LANGUAGE_ALLOWED,
        ))
    }
}

const NAME_ALLOWED: &str =
    "1 to 255 characters, not only whitespace, without control characters (no newlines or tabs)";

/// Longest name accepted, in characters.
const NAME_MAX: usize = 255;

/// A name (page, component, group, incident, maintenance, template, metric): not empty after
/// trimming whitespace, at most 255 characters, no control characters (newlines and tabs
/// included).
///
/// Source: the spec requires `name` on every create but states no limit; the real API refuses an
/// empty name (issue 7). The 255-character bound is this project's, so a runaway value fails
/// before it is sent.
pub fn name(value: &str) -> Result<(), Invalid> {
    if value.len() > NAME_MAX * 4 || value.chars().count() > NAME_MAX {
        return Err(Invalid::new(value, "is too long", NAME_ALLOWED));
    }
    if value.trim().is_empty() {
        return Err(Invalid::new(
            value,
            "is empty or only whitespace",
            NAME_ALLOWED,
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(Invalid::new(
            value,
            "contains a control character",
            NAME_ALLOWED,
        ));
    }
    Ok(())
}

const SUBDOMAIN_ALLOWED: &str = "1 to 63 lower-case letters, digits and hyphens, \
    not starting or ending with a hyphen (the NAME in NAME.instatus.com)";

/// A page subdomain, the `NAME` in `NAME.instatus.com`: one DNS label of 1 to 63 lower-case
/// letters, digits and hyphens, not starting or ending with a hyphen.
///
/// Source: the spec calls it the page's unique slug and it becomes a host name label, so RFC 1035
/// label rules apply; Instatus shows subdomains in lower case, so upper case is refused rather
/// than silently folded.
pub fn subdomain(value: &str) -> Result<(), Invalid> {
    let lower = value.bytes().all(|b| !b.is_ascii_uppercase());
    if lower && is_dns_label(value) {
        Ok(())
    } else {
        Err(Invalid::new(value, "is not a subdomain", SUBDOMAIN_ALLOWED))
    }
}

const DOMAIN_ALLOWED: &str = "a host name like status.example.com: labels of letters, digits \
    and hyphens separated by dots, at most 253 characters, without scheme, port or path";

/// A host name for a custom domain (`status.example.com`): at least two dot-separated labels of 1
/// to 63 letters, digits and hyphens (not starting or ending with a hyphen), a top-level label
/// that is not all digits, at most 253 characters; no scheme, port, path or trailing dot.
///
/// Source: the page's `customDomain` is the host name the CNAME points from (Instatus help,
/// "custom domain"); the limits are RFC 1035 / RFC 1123.
pub fn domain(value: &str) -> Result<(), Invalid> {
    let refuse = || Err(Invalid::new(value, "is not a host name", DOMAIN_ALLOWED));
    if value.len() > 253 {
        return refuse();
    }
    let labels: Vec<&str> = value.split('.').collect();
    let top_ok = labels
        .last()
        .is_some_and(|top| !top.bytes().all(|b| b.is_ascii_digit()));
    if labels.len() >= 2 && top_ok && labels.iter().all(|l| is_dns_label(l)) {
        Ok(())
    } else {
        refuse()
    }
}

const API_KEY_ALLOWED: &str = "1 to 4096 visible ASCII characters, without spaces, line breaks \
    or other control characters (a key copied with its newline is the usual cause)";

/// Longest API key accepted: far above any real key, small enough to never matter in memory.
const API_KEY_MAX: usize = 4096;

/// An API key as it can go in an `Authorization` header: 1 to 4096 visible ASCII characters
/// (`!` to `~`). The problem text never quotes the value: a key is a secret.
///
/// Source: RFC 9110 section 5.5 (field values are visible characters, spaces and tabs; a line
/// break ends the header), narrowed to no spaces because an Instatus key has none, so a space or a
/// newline is a copy-and-paste slip best reported before the first request.
pub fn api_key(value: &str) -> Result<(), Invalid> {
    let visible = value.bytes().all(|b| (0x21..=0x7e).contains(&b));
    if !value.is_empty() && value.len() <= API_KEY_MAX && visible {
        return Ok(());
    }
    let problem = if value.is_empty() {
        "the key is empty".to_owned()
    } else if value.len() > API_KEY_MAX {
        format!(
            "the key is too long (not shown: it is secret; {} characters)",
            value.chars().count()
        )
    } else {
        let what =
            value
                .chars()
                .find(|c| !(c.is_ascii_graphic()))
                .map_or("a character", |c| match c {
                    '\n' | '\r' => "a line break",
                    ' ' | '\t' => "a space or a tab",
                    c if c.is_control() => "a control character",
                    _ => "a non-ASCII character",
                });
        format!("the key (not shown: it is secret) contains {what}")
    };
    Err(Invalid {
        problem,
        allowed: API_KEY_ALLOWED,
    })
}

const BASE_URL_ALLOWED: &str = "http:// or https:// followed by a host and optionally a port and \
    a path (e.g. https://api.instatus.com or http://127.0.0.1:8788), without user info, query, \
    fragment, spaces or control characters";

/// The base URL of an API: an [`http_url`] without user info (`user:password@`), query (`?`) or
/// fragment (`#`), which a base URL has no use for and which would carry secrets into logs.
pub fn base_url(value: &str) -> Result<(), Invalid> {
    let refuse = || Err(Invalid::new(value, "is not a base URL", BASE_URL_ALLOWED));
    if http_url(value).is_err() {
        return refuse();
    }
    let after_scheme = value.split_once("://").map_or("", |(_, rest)| rest);
    let authority = after_scheme.split('/').next().unwrap_or_default();
    if authority.contains('@') || value.contains(['?', '#']) {
        return refuse();
    }
    Ok(())
}

/// One DNS label: 1 to 63 ASCII letters, digits and hyphens, not starting or ending with a hyphen.
fn is_dns_label(label: &str) -> bool {
    (1..=63).contains(&label.len())
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !label.starts_with('-')
        && !label.ends_with('-')
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
