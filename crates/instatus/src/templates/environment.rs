//! The one template environment of the project, and rendering within limits.

use std::io;

use minijinja::{Environment, Template};
use serde::Serialize;

use super::filters;

/// The steps (minijinja instructions) one render may take. A message takes a few hundred, the
/// largest uptime report a few hundred thousand; a template that loops 10^10 times stops here
/// within a fraction of a second instead of hanging its process.
pub const FUEL: u64 = 5_000_000;

/// The bytes one render may write. A message is a few hundred bytes and the largest uptime
/// report a few hundred kilobytes.
pub const MAX_OUTPUT_BYTES: usize = 4 << 20;

/// What is wrong with a template: it does not compile, uses a variable it is not given, fails
/// to render, or hits a limit.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// The template does not parse.
    #[error("does not compile: {0}")]
    Syntax(#[source] minijinja::Error),
    /// The template uses a variable it is not given (`known` lists the ones it is).
    #[error("uses {name}, which is not a variable here; the variables are: {known}")]
    UnknownVariable {
        /// The variable.
        name: String,
        /// The variables the template is given, comma separated.
        known: &'static str,
    },
    /// Rendering failed: an undefined variable, a filter given a value it cannot take...
    #[error("does not render: {0}")]
    Render(#[source] minijinja::Error),
    /// Rendering took more than [`FUEL`] steps (a loop far too long for a text).
    #[error(
        "stopped after {FUEL} steps: the template does far more work than a text needs \
         (a loop over a huge range?)"
    )]
    OutOfFuel,
    /// The text grew past [`MAX_OUTPUT_BYTES`].
    #[error("stopped: the text is longer than {MAX_OUTPUT_BYTES} bytes")]
    TooLong,
    /// A message type's name is empty or has a `.`.
    #[error("'{0}' is not a type name: it must be non-empty and without '.'")]
    BadTypeName(String),
    /// No template for this part, not even in the `default` type.
    #[error("no template for this part")]
    Missing,
}

/// A template that does not compile or render, and where it is: `templates.major_outage.opened`,
/// `incidents.templates.title`, `template`...
#[derive(Debug, thiserror::Error)]
#[error("{at}: {error}")]
pub struct TemplateError {
    /// Where the template is configured (a field path).
    pub at: String,
    /// What is wrong.
    #[source]
    pub error: RenderError,
}

impl TemplateError {
    /// `error` at `at`.
    pub fn new(at: impl Into<String>, error: RenderError) -> Self {
        Self {
            at: at.into(),
            error,
        }
    }
}

/// The template environment every text of the project is rendered in (incident and
/// maintenance messages, Ephemery reset windows, impact statements, uptime reports):
///
/// - strict undefined: a misspelt variable is an error, never a blank in a public text;
/// - no auto-escaping: the texts are Markdown, which Instatus renders (a renderer of HTML turns
///   escaping on for its own templates);
/// - the project's filters: `time` (a timestamp to the minute in the page's time zone:
///   `14:05 UTC`, `7 Dec, 14:05 CET`), `duration` (seconds in words: `25 minutes`),
///   `and_list` (`A, B and C`), `display_name` (a name path's last segment) and `state` (a
///   level as words that follow "is": `down`, `partly down`);
/// - a budget of [`FUEL`] steps per render; [`render`] also stops a text at
///   [`MAX_OUTPUT_BYTES`].
///
/// ```
/// use instatus::templates::{environment, render, RenderError};
///
/// let mut env = environment();
/// env.add_template("hello", "{{ names | and_list }} {{ 'is' if names | length == 1 else 'are' }} {{ 'major_outage' | state }}")?;
/// let text = render(&env.get_template("hello")?, minijinja::context! { names => ["A", "B", "C"] })?;
/// assert_eq!(text, "A, B and C are down");
///
/// // A loop of 10^10 steps stops at the fuel limit, with an error saying so.
/// env.add_template("busy", "{% for a in range(100000) %}{% for b in range(100000) %}.{% endfor %}{% endfor %}")?;
/// let err = render(&env.get_template("busy")?, ()).unwrap_err();
/// assert!(matches!(err, RenderError::OutOfFuel | RenderError::TooLong), "{err}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env.set_fuel(Some(FUEL));
    filters::add(&mut env);
    env
}

/// Renders `template` (from [`environment`]) with `ctx`, within [`FUEL`] steps and
/// [`MAX_OUTPUT_BYTES`] of output.
pub fn render(template: &Template<'_, '_>, ctx: impl Serialize) -> Result<String, RenderError> {
    let mut out = Bounded {
        text: Vec::new(),
        overflowed: false,
    };
    let result = template.render_captured_to(ctx, &mut out);
    if out.overflowed {
        return Err(RenderError::TooLong);
    }
    match result {
        // The writer only ever receives whole UTF-8 strings from the engine.
        Ok(_) => Ok(String::from_utf8_lossy(&out.text).into_owned()),
        Err(e) => Err(classify(e)),
    }
}

/// Compiles `source` in a fresh [`environment`] and renders it with `ctx`, within the limits:
/// for a template used once (a configured title, an impact statement).
pub fn render_str(source: &str, ctx: impl Serialize) -> Result<String, RenderError> {
    let env = environment();
    let template = env.template_from_str(source).map_err(RenderError::Syntax)?;
    render(&template, ctx)
}

/// Sorts a minijinja error into the limit it hit, or a plain render error.
pub(super) fn classify(e: minijinja::Error) -> RenderError {
    match e.kind() {
        minijinja::ErrorKind::OutOfFuel => RenderError::OutOfFuel,
        minijinja::ErrorKind::SyntaxError => RenderError::Syntax(e),
        _ => RenderError::Render(e),
    }
}

/// A writer that refuses to grow past [`MAX_OUTPUT_BYTES`].
struct Bounded {
    text: Vec<u8>,
    overflowed: bool,
}

impl io::Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.text.len() + buf.len() > MAX_OUTPUT_BYTES {
            self.overflowed = true;
            return Err(io::Error::other("output limit"));
        }
        self.text.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loop_of_ten_billion_steps_stops_at_the_fuel_limit() {
        // Issue 18: this template hung `validate` and three modules.
        let started = std::time::Instant::now();
        let err = render_str(
            "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
            (),
        )
        .unwrap_err();
        assert!(matches!(err, RenderError::OutOfFuel), "{err}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(
            err.to_string(),
            "stopped after 5000000 steps: the template does far more work than a text needs \
             (a loop over a huge range?)"
        );
    }

    #[test]
    fn a_text_past_the_output_limit_stops() {
        let err = render_str("{{ 'x' * 10000000 }}", ()).unwrap_err();
        assert!(matches!(err, RenderError::TooLong), "{err}");
        let err = render_str(
            "{% for a in range(100000) %}{{ 'y' * 100 }}{% endfor %}",
            (),
        )
        .unwrap_err();
        assert!(matches!(err, RenderError::TooLong), "{err}");
        // Just under the limit renders.
        let text = render_str(
            "{{ 'z' * n }}",
            minijinja::context! { n => MAX_OUTPUT_BYTES },
        )
        .unwrap();
        assert_eq!(text.len(), MAX_OUTPUT_BYTES);
    }

    #[test]
    fn strict_and_not_escaped() {
        let err = render_str("{{ nmae }}", ()).unwrap_err();
        assert!(matches!(err, RenderError::Render(_)), "{err}");
        assert!(err.to_string().contains("undefined"), "{err}");
        assert_eq!(
            render_str("{{ s }}", minijinja::context! { s => "<b>A & B</b>" }).unwrap(),
            "<b>A & B</b>"
        );
        let err = render_str("{{ x ", ()).unwrap_err();
        assert!(matches!(err, RenderError::Syntax(_)), "{err}");
    }
}
