//! Unit tests of `validate.rs` (kept beside it so the code file reads as one concept).

use super::*;

type Check = fn(&str) -> Result<(), Invalid>;

const ALL: &[(&str, Check)] = &[
    ("color", color),
    ("email", email),
    ("phone_e164", phone_e164),
    ("http_url", http_url),
    ("language", language),
    ("name", name),
    ("subdomain", subdomain),
    ("domain", domain),
    ("api_key", api_key),
    ("base_url", base_url),
];

fn accepts(check: Check, values: &[&str]) {
    for value in values {
        assert_eq!(check(value), Ok(()), "{value:?} should be accepted");
    }
}

fn refuses(check: Check, values: &[&str]) {
    for value in values {
        assert!(check(value).is_err(), "{value:?} should be refused");
    }
}

#[test]
fn color_forms() {
    accepts(
        color,
        &[
            "#fff",
            "#FFF",
            "#1a2B3c",
            "rgb(0,0,0)",
            "rgb(255, 128, 7)",
            "rgb( 1 ,2, 3 )",
        ],
    );
    refuses(
        color,
        &[
            "",
            "#",
            "#ff",
            "#ffff",
            "#fffffff",
            "#ggg",
            "fff",
            "1a2b3c",
            "red",
            "rgb(256,0,0)",
            "rgb(0,0)",
            "rgb(0,0,0,0)",
            "rgb(-1,0,0)",
            "rgb(+1,0,0)",
            "rgb(0,0,0",
            "rgba(0,0,0,1)",
            "rgb(0000,0,0)",
            "rgb(,,)",
            "#fff\n",
            " #fff",
        ],
    );
}

#[test]
fn email_forms() {
    accepts(
        email,
        &[
            "ops@example.com",
            "first.last+tag@sub.example.org",
            "a@b.co",
            "O'Brien@example.ie",
        ],
    );
    refuses(
        email,
        &[
            "",
            "ops",
            "ops@",
            "@example.com",
            "ops@example",
            "ops@@example.com",
            "a@b@example.com",
            "ops @example.com",
            "ops@exa mple.com",
            ".ops@example.com",
            "ops.@example.com",
            "o..ps@example.com",
            "ops@-example.com",
            "ops@example.com\n",
            "ops\u{0}@example.com",
            "\"quoted\"@example.com",
            "ops@[127.0.0.1]",
            "mailto:ops@example.com",
        ],
    );
    let long_local = format!("{}@example.com", "a".repeat(65));
    assert!(email(&long_local).is_err());
}

#[test]
fn phone_forms() {
    accepts(
        phone_e164,
        &[
            "+14155550123",
            "+33612345678",
            "+12345678",
            "+123456789012345",
        ],
    );
    refuses(
        phone_e164,
        &[
            "",
            "+",
            "14155550123",
            "+04155550123",
            "+1234567",
            "+1234567890123456",
            "+1 415 555 0123",
            "+1-415-555-0123",
            "+1(415)5550123",
            "++14155550123",
            "+1415555012a",
            "+14155550123\n",
            "+１４１５５５５０１２３",
        ],
    );
}

#[test]
fn http_url_forms() {
    accepts(
        http_url,
        &[
            "https://example.com",
            "http://example.com/",
            "HTTPS://Example.COM/logo.png?size=2#top",
            "http://localhost:9000/hook",
            "http://127.0.0.1:8080",
            "https://user:secret@hooks.example.com/x",
            "http://[::1]:3000/",
            "https://example.com:443",
        ],
    );
    refuses(
        http_url,
        &[
            "",
            "example.com",
            "javascript:alert(1)",
            "JavaScript:alert(document.cookie)",
            "javascript://example.com/%0Aalert(1)",
            "data:text/html,<script>alert(1)</script>",
            "ftp://example.com",
            "mailto:ops@example.com",
            "//example.com",
            "http://",
            "https:///path",
            "http://exa mple.com",
            "http://example.com/a b",
            "http://example.com/\n",
            "http://example.com/\u{7f}",
            "http://example.com\tx",
            "http://example.com:",
            "http://example.com:99999",
            "http://example.com:80a",
            "http://-bad-.example.com",
            "http://exa_mple.com",
            "http://[::1",
            "http://[zz]/",
            "http://a..b/",
        ],
    );
}

#[test]
fn language_forms() {
    accepts(
        language,
        &["en", "de", "fr", "pt-br", "zh-tw", "es-mx", "be"],
    );
    refuses(
        language,
        &[
            "", "EN", "En", "english", "en-us", "pt_br", "xx", " en", "en\n", "zz",
        ],
    );
}

#[test]
fn language_words_list_every_code() {
    let words: Vec<&str> = LANGUAGE_ALLOWED
        .trim_start_matches("one of ")
        .split(',')
        .map(str::trim)
        .collect();
    assert_eq!(words, LANGUAGES);
}

#[test]
fn name_forms() {
    accepts(
        name,
        &[
            "Execution Client",
            "a",
            " padded ",
            "Ünïcödé ✓ 名前",
            &"x".repeat(255),
        ],
    );
    refuses(
        name,
        &[
            "",
            " ",
            "\t",
            "   \u{3000} ",
            "two\nlines",
            "tab\there",
            "nul\u{0}",
            "esc\u{1b}[31m",
        ],
    );
    let err = name(&"x".repeat(256)).unwrap_err();
    assert!(err.problem.contains("too long"), "{err}");
    assert_eq!(
        name(&"é".repeat(255)),
        Ok(()),
        "the bound counts characters, not bytes"
    );
}

#[test]
fn subdomain_forms() {
    accepts(
        subdomain,
        &["ephemery", "ephemery-status", "a", "x1", &"a".repeat(63)],
    );
    refuses(
        subdomain,
        &[
            "",
            "Ephemery",
            "-ephemery",
            "ephemery-",
            "eph.emery",
            "eph emery",
            "eph_emery",
            "ephemery.instatus.com",
            "éphémère",
            "eph\nemery",
            &"a".repeat(64),
        ],
    );
}

#[test]
fn domain_forms() {
    accepts(
        domain,
        &[
            "status.example.com",
            "example.io",
            "STATUS.Example.com",
            "a-b.c-d.example",
            "x.y",
        ],
    );
    refuses(
        domain,
        &[
            "",
            "localhost",
            "https://status.example.com",
            "status.example.com/",
            "status.example.com:443",
            "status.example.com.",
            ".example.com",
            "a..example.com",
            "-a.example.com",
            "a-.example.com",
            "exa mple.com",
            "exa_mple.com",
            "10.0.0.1",
            "status.example.com\n",
            &format!("{}.com", "a".repeat(64)),
        ],
    );
    let long = format!("{}.com", vec!["a".repeat(60); 5].join("."));
    assert!(long.len() > 253);
    assert!(domain(&long).is_err());
}

#[test]
fn problem_quotes_the_value_and_names_no_field() {
    let err = color("blue").unwrap_err();
    assert_eq!(err.problem, "\"blue\" is not a colour");
    assert_eq!(
        err.to_string(),
        format!("\"blue\" is not a colour; allowed: {COLOR_ALLOWED}")
    );
    let err = name("a\nb").unwrap_err();
    assert_eq!(
        err.problem, "\"a\\nb\" contains a control character",
        "control chars escaped"
    );
}

#[test]
fn huge_inputs_are_refused_quickly_with_a_short_problem() {
    let huge = "x".repeat(10 * 1024 * 1024);
    let huge_url = format!("https://example.com/{huge}");
    let huge_email = format!("{huge}@example.com");
    let start = std::time::Instant::now();
    for (label, check) in ALL {
        let value = match *label {
            "http_url" => &huge_url,
            "email" => &huge_email,
            _ => &huge,
        };
        let err = check(value).expect_err(label);
        assert!(
            err.problem.len() < 120,
            "{label}: problem too long: {}",
            err.problem
        );
        assert!(
            err.problem.contains(" characters)"),
            "{label}: {}",
            err.problem
        );
    }
    assert!(
        start.elapsed() < std::time::Duration::from_secs(2),
        "took {:?}",
        start.elapsed()
    );
}

#[test]
fn every_check_refuses_control_characters_and_empty_values() {
    for (label, check) in ALL {
        assert!(check("").is_err(), "{label} accepted an empty value");
        for bad in ["en\u{0}", "a\u{7}b", "x\r\ny"] {
            assert!(check(bad).is_err(), "{label} accepted {bad:?}");
        }
    }
}

#[test]
fn every_allowed_text_is_stated() {
    for (label, check) in ALL {
        let err = check("\u{0}").unwrap_err();
        assert!(!err.allowed.is_empty(), "{label}");
        assert!(err.to_string().contains("; allowed: "), "{label}");
    }
}

#[test]
fn api_key_forms_and_the_problem_never_quotes_the_key() {
    accepts(
        api_key,
        &["sk_live_abc123", "0123456789abcdef", "a-b_c.d~e!"],
    );
    for (key, problem) in [
        ("k3y-value\n", "contains a line break"),
        ("k3y value", "contains a space or a tab"),
        ("k3y-\u{7}-value", "contains a control character"),
        ("k3y-ключ-value", "contains a non-ASCII character"),
        ("", "the key is empty"),
    ] {
        let err = api_key(key).unwrap_err();
        assert!(err.problem.contains(problem), "{key:?}: {err}");
        if !key.is_empty() {
            assert!(!err.to_string().contains("k3y"), "{err}");
        }
    }
    let huge = "k".repeat(5000);
    assert!(api_key(&huge)
        .unwrap_err()
        .problem
        .contains("5000 characters"));
}

#[test]
fn base_url_forms() {
    accepts(
        base_url,
        &[
            "https://api.instatus.com",
            "http://127.0.0.1:8788",
            "http://[::1]:8788/",
            "http://localhost:8788/prefix",
        ],
    );
    refuses(
        base_url,
        &[
            "http://",
            "http://[::1",
            "https://exa mple.com",
            "htps://api.instatus.com",
            "api.instatus.com",
            "https://user:pass@api.instatus.com",
            "https://api.instatus.com?x=1",
            "https://api.instatus.com/#x",
            "http://host:99999",
        ],
    );
}
