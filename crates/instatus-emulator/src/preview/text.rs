//! Text as the page shows it: status labels, Markdown links made safe, times and durations.

use crate::api::html_escape;
use crate::time;

/// What the status pill says for a component status.
pub(super) fn status_label(status: &str) -> &str {
    match status {
        "OPERATIONAL" => "Operational",
        "UNDERMAINTENANCE" => "Under maintenance",
        "DEGRADEDPERFORMANCE" => "Degraded performance",
        "PARTIALOUTAGE" => "Partial outage",
        "MAJOROUTAGE" => "Major outage",
        "" => "Unknown",
        other => other,
    }
}

/// What an incident or maintenance status reads as.
pub(super) fn notice_label(status: &str) -> &str {
    match status {
        "INVESTIGATING" => "Investigating",
        "IDENTIFIED" => "Identified",
        "MONITORING" => "Monitoring",
        "RESOLVED" => "Resolved",
        "NOTSTARTEDYET" => "Upcoming",
        "INPROGRESS" => "In progress",
        "COMPLETED" => "Completed",
        other => other,
    }
}

/// Escapes `text` for HTML and turns Markdown links `[text](url)` into anchors. Only `http`,
/// `https` and `mailto` URLs and page-relative ones (`/`, `#`) become links; any other link is
/// left as its escaped source text.
pub(super) fn markdown_links(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        out.push_str(&html_escape(&rest[..open]));
        let after = &rest[open..];
        match parse_link(after) {
            Some((label, url, used)) => {
                out.push_str(&format!(
                    "<a href=\"{}\" rel=\"noopener noreferrer\" target=\"_blank\">{}</a>",
                    html_escape(url),
                    html_escape(label)
                ));
                rest = &after[used..];
            }
            None => {
                out.push('[');
                rest = &after[1..];
            }
        }
    }
    out.push_str(&html_escape(rest));
    out
}

/// Parses `[label](url)` at the start of `s`: `(label, url, bytes used)`.
fn parse_link(s: &str) -> Option<(&str, &str, usize)> {
    let body = s.strip_prefix('[')?;
    let close = body.find(']')?;
    let label = &body[..close];
    if label.is_empty() || label.contains('[') {
        return None;
    }
    let tail = body[close + 1..].strip_prefix('(')?;
    let end = tail.find(')')?;
    let url = tail[..end].trim();
    if url.is_empty() || url.contains(char::is_whitespace) || !safe_url(url) {
        return None;
    }
    Some((label, url, 1 + close + 1 + 1 + end + 1))
}

pub(super) fn safe_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|p| lower.starts_with(p))
        || (url.starts_with('/') && !url.starts_with("//"))
        || url.starts_with('#')
}

/// `2026-11-25 13:22 UTC`, or the stored text when it does not parse.
pub(super) fn when(ts: &str) -> String {
    match time::parse_str(ts) {
        Some(t) => t.strftime("%Y-%m-%d %H:%M UTC").to_string(),
        None => ts.to_owned(),
    }
}

/// `45 min`, `2 h`, `2 h 30 min`, `1 d 3 h`: minutes, spelled as the uptime reports do.
pub(super) fn duration_label(minutes: i64) -> String {
    instatus::uptime::report::duration(minutes.saturating_mul(60_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_links_become_anchors_and_the_rest_is_escaped() {
        assert_eq!(
            markdown_links("See [Grafana](https://grafana.example/d/x?a=1&b=2) <now>"),
            "See <a href=\"https://grafana.example/d/x?a=1&amp;b=2\" rel=\"noopener noreferrer\" \
             target=\"_blank\">Grafana</a> &lt;now&gt;"
        );
        assert_eq!(
            markdown_links("[x](javascript:alert(1))"),
            "[x](javascript:alert(1))"
        );
        assert_eq!(markdown_links("[a] [b](c d)"), "[a] [b](c d)");
        assert_eq!(
            markdown_links("[[a](/p)"),
            "[<a href=\"/p\" rel=\"noopener noreferrer\" target=\"_blank\">a</a>"
        );
        assert_eq!(
            markdown_links("[<b>](#x)"),
            "<a href=\"#x\" rel=\"noopener noreferrer\" target=\"_blank\">&lt;b&gt;</a>"
        );
        assert_eq!(markdown_links("plain"), "plain");
        assert_eq!(markdown_links("[unclosed"), "[unclosed");
    }

    #[test]
    fn durations() {
        assert_eq!(duration_label(0), "0 min");
        assert_eq!(duration_label(45), "45 min");
        assert_eq!(duration_label(120), "2 h");
        assert_eq!(duration_label(150), "2 h 30 min");
        assert_eq!(duration_label(1440 + 180), "1 d 3 h");
    }
}
