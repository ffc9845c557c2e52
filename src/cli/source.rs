use clap::Subcommand;

use crate::domain::record::{Record, Stance};
use crate::engine::{self, NewSource};
use crate::ui::Ui;

use super::{CommandError, Globals};

/// Attach evidence to a claim, or record that a contradiction no longer stands
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: SourceCommand,
}

#[derive(Debug, Subcommand)]
pub enum SourceCommand {
    Add(AddArgs),
    Rebut(RebutArgs),
}

/// Attach a source (evidence) to a claim
///
/// A source's origin is who first reported the information. It defaults to whom the article
/// credits when --document names one of the claim's appearances (as `claims extract` recorded
/// it: "according to NBC News" gives "NBC News"), else to the publisher, else to the URL's
/// host. Sources are independent when their origins differ: five outlets repeating one NBC
/// News report are one origin.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    claims source add abcd --url https://example.org/report --publisher \"Example Post\"\n  \
    claims source add abcd --url https://example.net/story --origin \"NBC News\" --excerpt \"...\"\n  \
    claims source add abcd --url https://gob.mx/data --stance contradicts\n  \
    claims source add abcd --url https://example.com/article --document seeds/004_e339af960812c844.txt")]
pub struct AddArgs {
    /// Claim id (4 or more characters of it)
    pub id: String,
    /// Web address of the evidence (http or https)
    #[arg(long)]
    pub url: String,
    /// Who published it
    #[arg(long)]
    pub publisher: Option<String>,
    /// Who first reported the information [default: the publisher, else the URL's host]
    #[arg(long)]
    pub origin: Option<String>,
    /// Whether the evidence supports or contradicts the claim
    #[arg(long, value_enum, default_value = "supports")]
    pub stance: StanceArg,
    /// The passage that bears on the claim
    #[arg(long)]
    pub excerpt: Option<String>,
    /// Title of the piece
    #[arg(long)]
    pub title: Option<String>,
    /// The article in this repository that this source is: its recorded attribution becomes
    /// the default origin
    #[arg(long, value_name = "PATH")]
    pub document: Option<String>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum StanceArg {
    Supports,
    Contradicts,
}

/// Record why a contradicting source no longer stands (retracted, misread, superseded)
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  \
    claims source rebut abcd --url https://example.net/story --note \"Retracted on 3 March\"")]
pub struct RebutArgs {
    /// Claim id (4 or more characters of it)
    pub id: String,
    /// The contradicting source's URL, as attached
    #[arg(long)]
    pub url: String,
    /// Why it no longer stands
    #[arg(long)]
    pub note: String,
}

pub fn run(args: Args, globals: &Globals, ui: &mut Ui) -> Result<(), CommandError> {
    let store = globals.open_store(ui)?;
    let engine = globals.engine(&store)?;
    match args.command {
        SourceCommand::Add(args) => {
            let id = store.resolve(&args.id)?;
            let origin = match (args.origin, &args.document) {
                (Some(origin), _) => Some(origin),
                (None, Some(document)) => credited_by(&store.read(&id)?, document)?,
                (None, None) => None,
            };
            let new = NewSource {
                url: args.url,
                title: args.title,
                publisher: args.publisher,
                origin,
                stance: Some(match args.stance {
                    StanceArg::Supports => Stance::Supports,
                    StanceArg::Contradicts => Stance::Contradicts,
                }),
                excerpt: args.excerpt,
            };
            let (record, _) =
                engine.change(&id, |record, cx| engine::add_source(record, new, cx))?;
            let source = record.sources.last().expect("a source was just added");
            writeln!(
                ui.out(),
                "{id}: added {} source {} (origin: {}); {} supporting origin{} now",
                source.stance.as_str(),
                source.url,
                source.origin.as_deref().unwrap_or("-"),
                record.supporting_origins().len(),
                if record.supporting_origins().len() == 1 {
                    ""
                } else {
                    "s"
                }
            )?;
        }
        SourceCommand::Rebut(args) => {
            let id = store.resolve(&args.id)?;
            engine.change(&id, |record, cx| {
                engine::rebut_source(record, &args.url, &args.note, cx)
            })?;
            writeln!(ui.out(), "{id}: {} no longer stands", args.url)?;
        }
    }
    Ok(())
}

/// Whom the claim's appearance in `document` credits, if anyone.
fn credited_by(record: &Record, document: &str) -> Result<Option<String>, CommandError> {
    let document = document.trim_start_matches("./");
    let appearance = record
        .appearances
        .iter()
        .find(|a| a.document == document)
        .ok_or_else(|| {
            CommandError::usage(format!("{} does not appear in {document}", record.id)).with_hint(
                format!("its appearances are listed by: claims show {}", record.id),
            )
        })?;
    Ok(appearance.attribution.clone())
}
