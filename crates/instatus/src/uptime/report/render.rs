//! [`render`]: a built report as Markdown, a standalone HTML page, or JSON.

use std::sync::OnceLock;

use minijinja::{AutoEscape, Environment};

use super::{Report, ReportError};

/// The output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// GitHub-flavoured Markdown.
    Markdown,
    /// A standalone HTML page with inline CSS and SVG bars.
    Html,
    /// The [`Report`] as pretty JSON.
    Json,
}

impl Format {
    /// `markdown`, `html` or `json`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Json => "json",
        }
    }
}

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = crate::templates::environment();
        // `.html` escapes HTML (the SVG is inside the page); Markdown is escaped by the `md`
        // filter, since minijinja has no Markdown escaping.
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        env.add_filter("md", md_escape);
        for (name, source) in [
            ("report.md", include_str!("../templates/report.md")),
            ("report.html", include_str!("../templates/report.html")),
        ] {
            if let Err(e) = env.add_template(name, source) {
                // Fixed at build time; every template is rendered by the tests.
                eprintln!("instatus: template {name}: {e}");
            }
        }
        env
    })
}

/// Escapes text for a Markdown table cell: the characters Markdown gives meaning to, and
/// newlines.
fn md_escape(s: String) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' | '~' => {
                out.push('\\');
                out.push(ch);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(ch),
        }
    }
    out
}

/// Renders a report.
pub fn render(report: &Report, format: Format) -> Result<String, ReportError> {
    let template = match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(report)
                .map_err(|e| ReportError::Render(format!("json: {e}")))?;
            s.push('\n');
            return Ok(s);
        }
        Format::Markdown => "report.md",
        Format::Html => "report.html",
    };
    env()
        .get_template(template)
        .and_then(|t| t.render(minijinja::context! { r => report }))
        .map_err(|e| ReportError::Render(format!("{template}: {e:#}")))
}
