use std::path::{Path, PathBuf};

use crate::publish::render::{Markup, render};
use crate::publish::report::Report;
use crate::publish::timeline::daily_counts;
use crate::store::{Store, now};
use crate::ui::Ui;

use super::export::{Progress, readable_records};
use super::{CommandError, CommandErrorKind, Globals};

/// Write a report: claims per state, published and disputed claims, recent moves
///
/// Markdown by default; HTML when the output file ends in .html (a self-contained page with
/// the claims per state over time drawn from the git history). Rendered from
/// templates/report.md.j2 or templates/report.html.j2 when the repository has them, else from
/// the built-in templates; --template uses another file. Every value from a record is escaped.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    claims report > report.md\n  \
    claims report --output report.html\n  \
    claims report --template desk.html.j2 --output desk.html")]
pub struct Args {
    /// Template to render instead of templates/report.{md,html}.j2
    #[arg(long, value_name = "PATH")]
    pub template: Option<PathBuf>,
    /// Write the report to FILE instead of standard output; HTML when FILE ends in .html
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: Args, globals: &Globals, ui: &mut Ui) -> Result<(), CommandError> {
    let markup = match &args.output {
        Some(output) => Markup::for_output(&output.to_string_lossy()),
        None => Markup::Markdown,
    };
    let store = globals.open_store(ui)?;
    let policy = store.policy()?;
    let (template_name, template) = template(args.template.as_deref(), &store, markup)?;

    let progress = Progress::for_store(&store)?;
    let records = readable_records(&store, ui, &progress)?;
    progress.stage("reading the history");
    let days = daily_counts(&store.workflow_changes()?);
    progress.stage("rendering the report");
    let organization = policy.organization.as_ref().map(|org| org.name.as_str());
    let report = Report::build(&records, &days, organization, now());
    let rendered = render(&template_name, &template, markup, &report).map_err(|error| {
        CommandError::usage(format!("template {error}"))
            .with_hint("fix the template, or remove it to use the built-in one")
    })?;
    drop(progress);

    match &args.output {
        Some(path) => {
            std::fs::write(path, rendered).map_err(|e| {
                let message = format!("cannot write {}", path.display());
                CommandError::with_message(CommandErrorKind::User, message, e)
            })?;
            writeln!(
                ui.out(),
                "wrote {} ({} claim{})",
                path.display(),
                records.len(),
                if records.len() == 1 { "" } else { "s" }
            )?;
        }
        None => ui.out().write_all(rendered.as_bytes())?,
    }
    Ok(())
}

/// The template to render and its name for errors: the given file, else the repository's
/// own, else the built-in one.
fn template(
    given: Option<&Path>,
    store: &Store,
    markup: Markup,
) -> Result<(String, String), CommandError> {
    if let Some(path) = given {
        let source = std::fs::read_to_string(path).map_err(|e| {
            let message = format!("cannot read template {}", path.display());
            CommandError::with_message(CommandErrorKind::User, message, e)
        })?;
        return Ok((path.display().to_string(), source));
    }
    let path = format!("templates/{}", markup.template_file());
    match store.read_optional(&path)? {
        Some(bytes) => match String::from_utf8(bytes) {
            Ok(source) => Ok((path, source)),
            Err(_) => Err(CommandError::usage(format!("{path} is not valid UTF-8"))),
        },
        None => Ok((
            format!("{} (built in)", markup.template_file()),
            markup.default_template().to_string(),
        )),
    }
}
