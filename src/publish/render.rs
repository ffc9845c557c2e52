//! Renders the report through a minijinja template. Every value from a record is escaped for
//! the output: HTML-escaped in HTML, and in Markdown stripped of what would turn into raw
//! HTML or break a line or a table.

use std::fmt;

use minijinja::syntax::SyntaxConfig;
use minijinja::value::{Serde, Value};
use minijinja::{AutoEscape, Environment, Error, Output, State, UndefinedBehavior};

use super::report::Report;

/// The built-in templates; a repository's `templates/` files of the same name replace them.
pub const DEFAULT_MARKDOWN: &str = include_str!("../../templates/report.md.j2");
pub const DEFAULT_HTML: &str = include_str!("../../templates/report.html.j2");

/// What the report is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Markup {
    Markdown,
    Html,
}

impl Markup {
    /// HTML for an `.html` or `.htm` file, Markdown otherwise.
    pub fn for_output(path: &str) -> Markup {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".html") || lower.ends_with(".htm") {
            Markup::Html
        } else {
            Markup::Markdown
        }
    }

    /// The file name of this markup's template under `templates/`.
    pub fn template_file(self) -> &'static str {
        match self {
            Markup::Markdown => "report.md.j2",
            Markup::Html => "report.html.j2",
        }
    }

    pub fn default_template(self) -> &'static str {
        match self {
            Markup::Markdown => DEFAULT_MARKDOWN,
            Markup::Html => DEFAULT_HTML,
        }
    }
}

/// A template that does not parse or render, with where it went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub name: String,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.name, self.message),
            None => write!(f, "{}: {}", self.name, self.message),
        }
    }
}

impl std::error::Error for TemplateError {}

const MARKDOWN: &str = "markdown";

/// Renders `report` with the template `source`, called `name` in errors.
pub fn render(
    name: &str,
    source: &str,
    markup: Markup,
    report: &Report,
) -> Result<String, TemplateError> {
    let mut env = Environment::new();
    // Block tags on lines of their own leave no blank lines behind, as in Jinja's usual setup,
    // and a file that ends with a newline renders to one that does.
    env.set_syntax(
        SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .expect("the default delimiters are valid"),
    );
    // The output decides the escaping, whatever the template file is called.
    env.set_auto_escape_callback(move |_| match markup {
        Markup::Html => AutoEscape::Html,
        Markup::Markdown => AutoEscape::Custom(MARKDOWN.into()),
    });
    env.set_formatter(write_value);
    // A misspelt field fails loudly instead of leaving a silent gap in a published report.
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    let failed = |error: Error| TemplateError {
        name: error.name().unwrap_or(name).to_string(),
        line: error.line(),
        message: match error.detail() {
            Some(detail) => format!("{}: {detail}", error.kind()),
            None => error.kind().to_string(),
        },
    };
    let template = env.template_from_named_str(name, source).map_err(failed)?;
    template.render(Value::from(Serde(report))).map_err(failed)
}

fn write_value(out: &mut Output, state: &mut State, value: &Value) -> Result<(), Error> {
    if matches!(state.auto_escape(), AutoEscape::Custom(name) if name == MARKDOWN)
        && !value.is_safe()
    {
        return out
            .write_str(&escape_markdown(&value.to_string()))
            .map_err(Error::from);
    }
    minijinja::escape_formatter(out, state, value)
}

/// Markdown that shows `text` as it is: no raw HTML, no line breaks, no table cell breaks.
fn escape_markdown(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '|' => escaped.push_str("\\|"),
            '\r' => {}
            '\n' => escaped.push(' '),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::record::Record;

    fn report_with(text: &str) -> Report {
        let mut record = Record::new(text.into(), "2026-01-01T00:00:00Z".parse().unwrap());
        record.published = true;
        Report::build(
            &[record],
            &[],
            Some("Verifica & Co"),
            "2026-01-02T00:00:00Z".parse().unwrap(),
        )
    }

    #[test]
    fn the_default_templates_render_and_escape_record_values() {
        let report = report_with("<script>alert('x')</script> | and\nmore");
        let html = render("report.html.j2", DEFAULT_HTML, Markup::Html, &report).unwrap();
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(html.contains("Verifica &amp; Co"));
        let markdown = render("report.md.j2", DEFAULT_MARKDOWN, Markup::Markdown, &report).unwrap();
        assert!(!markdown.contains("<script>"), "{markdown}");
        assert!(markdown.contains("&lt;script&gt;alert('x')&lt;/script&gt; \\| and more"));
    }

    #[test]
    fn template_errors_name_the_file_and_line() {
        let report = report_with("A claim.");
        let broken = "line one\n{% for x in counts %}\n{{ x.state }\n";
        let error =
            render("templates/report.md.j2", broken, Markup::Markdown, &report).unwrap_err();
        assert_eq!(error.name, "templates/report.md.j2");
        assert_eq!(error.line, Some(3));
        assert!(
            error
                .to_string()
                .starts_with("templates/report.md.j2:3: syntax error"),
            "{error}"
        );

        let misspelt = "ok\n{{ totl }}\n";
        let error = render("mine.j2", misspelt, Markup::Markdown, &report).unwrap_err();
        assert_eq!((error.name.as_str(), error.line), ("mine.j2", Some(2)));
    }

    #[test]
    fn output_names_choose_the_markup() {
        assert_eq!(Markup::for_output("r.HTML"), Markup::Html);
        assert_eq!(Markup::for_output("r.htm"), Markup::Html);
        assert_eq!(Markup::for_output("r.md"), Markup::Markdown);
    }
}
