use clap::Subcommand;

use crate::domain::record::{Record, Stance};
use crate::domain::triage::SourceEdit;
use crate::engine::{self, AttachedDocument, NewSource};
use crate::store::{DocumentDigest, Store};
use crate::ui::Ui;

use super::{CommandError, Globals};

/// Attach evidence to a claim, correct or withdraw it, or record that a contradiction no
/// longer stands
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: SourceCommand,
}

#[derive(Debug, Subcommand)]
pub enum SourceCommand {
    Add(AddArgs),
    Edit(EditArgs),
    Remove(RemoveArgs),
    Rebut(RebutArgs),
}

/// Attach a source (evidence) to a claim: a web page, a document of this repository, or both
///
/// A source's origin is who first reported the information. It defaults to whom the article
/// credits when --document names one of the claim's appearances (as `claims extract` recorded
/// it: "according to NBC News" gives "NBC News"), else to the publisher, else to the URL's
/// host. Sources are independent when their origins differ: five outlets repeating one NBC
/// News report are one origin.
///
/// --document PATH attaches a file of this repository (a saved page, a report, a transcript;
/// its path from the repository's root) with the SHA-256 of its committed content, so that
/// evidence cannot change unnoticed: `claims check` reports a source document that changed
/// or went missing. The file must be committed. With --url too, the document is the saved
/// copy of that page.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    claims source add abcd --url https://example.org/report --publisher \"Example Post\"\n  \
    claims source add abcd --url https://example.net/story --origin \"NBC News\" --excerpt \"...\"\n  \
    claims source add abcd --url https://gob.mx/data --stance contradicts\n  \
    claims source add abcd --document seeds/004_e339af960812c844.txt --publisher \"El Universal\"")]
#[command(group(clap::ArgGroup::new("evidence").required(true).multiple(true).args(["url", "document"])))]
pub struct AddArgs {
    /// Claim id (4 or more characters of it)
    pub id: String,
    /// Web address of the evidence (http or https)
    #[arg(long)]
    pub url: Option<String>,
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
    /// A committed file of this repository that is the evidence (or the saved copy of --url),
    /// recorded with its content hash
    #[arg(long, value_name = "PATH")]
    pub document: Option<String>,
}

/// Which source: by its URL, or by its document's path.
#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
pub struct SourceKey {
    /// The source's URL, as attached
    #[arg(long)]
    pub url: Option<String>,
    /// The source's document path, for a source attached with --document alone
    #[arg(long, value_name = "PATH")]
    pub document: Option<String>,
}

impl SourceKey {
    fn as_str(&self) -> &str {
        self.url
            .as_deref()
            .or(self.document.as_deref())
            .expect("clap requires one of them")
    }
}

/// Correct one source (a wrong publisher, origin, stance, excerpt or title)
///
/// The values replaced stay in the record, in the source's corrections, with who corrected
/// it, when and why. The guards are checked again on the corrected evidence: a correction
/// that would leave the claim's state unsupported (a corroborated claim short of independent
/// origins, a disputed claim with no contradicting source) is refused and changes nothing.
/// An empty value (--title "") clears a field.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    claims source edit abcd --url https://example.org/report --publisher \"El Universal\" --note \"Misattributed\"\n  \
    claims source edit abcd --url https://example.net/story --origin \"Reuters\" --note \"The story credits Reuters\"\n  \
    claims source edit abcd --document seeds/briefing.txt --stance contradicts --note \"Misread: it says 29\"")]
pub struct EditArgs {
    /// Claim id (4 or more characters of it)
    pub id: String,
    #[command(flatten)]
    pub source: SourceKey,
    /// Who published it
    #[arg(long)]
    pub publisher: Option<String>,
    /// Who first reported the information
    #[arg(long)]
    pub origin: Option<String>,
    /// Whether the evidence supports or contradicts the claim
    #[arg(long, value_enum)]
    pub stance: Option<StanceArg>,
    /// The passage that bears on the claim
    #[arg(long)]
    pub excerpt: Option<String>,
    /// Title of the piece
    #[arg(long)]
    pub title: Option<String>,
    /// Why the source is corrected
    #[arg(long)]
    pub note: String,
}

/// Withdraw one source: it stays in the record, marked withdrawn, and is no longer evidence
///
/// The guards are checked again without it: withdrawing the evidence a claim's state rests
/// on is refused and changes nothing; say so in the state first (claims mark), or attach the
/// evidence that replaces it.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    claims source remove abcd --url https://example.org/copy --note \"A copy of the NBC story, not a source of its own\"\n  \
    claims source remove abcd --document seeds/old.txt --note \"Superseded by the ministry's report\"")]
pub struct RemoveArgs {
    /// Claim id (4 or more characters of it)
    pub id: String,
    #[command(flatten)]
    pub source: SourceKey,
    /// Why it is withdrawn
    #[arg(long)]
    pub note: String,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum StanceArg {
    Supports,
    Contradicts,
}

impl From<StanceArg> for Stance {
    fn from(stance: StanceArg) -> Stance {
        match stance {
            StanceArg::Supports => Stance::Supports,
            StanceArg::Contradicts => Stance::Contradicts,
        }
    }
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
    let engine = globals.engine(&store, ui)?;
    match args.command {
        SourceCommand::Add(args) => {
            let id = store.resolve(&args.id)?;
            let document = args
                .document
                .as_deref()
                .map(|path| committed_document(&store, path))
                .transpose()?;
            let origin = match (args.origin, &document) {
                (Some(origin), _) => Some(origin),
                (None, Some(document)) => credited_by(&store.read(&id)?, &document.path),
                (None, None) => None,
            };
            let new = NewSource {
                url: args.url,
                document,
                title: args.title,
                publisher: args.publisher,
                origin,
                stance: Some(args.stance.into()),
                excerpt: args.excerpt,
            };
            let (record, _) =
                engine.change(&id, |record, cx| engine::add_source(record, new, cx))?;
            let source = record.sources.last().expect("a source was just added");
            let origins = record.supporting_origins().len();
            writeln!(
                ui.out(),
                "{id}: added {} source {} (origin: {}); {origins} supporting origin{} now",
                source.stance.as_str(),
                source.key(),
                source.origin.as_deref().unwrap_or("-"),
                if origins == 1 { "" } else { "s" }
            )?;
        }
        SourceCommand::Edit(args) => {
            let id = store.resolve(&args.id)?;
            let edit = SourceEdit {
                title: args.title,
                publisher: args.publisher,
                origin: args.origin,
                stance: args.stance.map(Stance::from),
                excerpt: args.excerpt,
            };
            let key = args.source.as_str();
            let (record, _) = engine.change(&id, |record, cx| {
                engine::edit_source(record, key, &edit, Some(&args.note), cx)
            })?;
            let source = record
                .source_named(key)
                .expect("the source was just corrected");
            let correction = source
                .corrections
                .last()
                .expect("a correction was recorded");
            writeln!(
                ui.out(),
                "{id}: corrected the {} of {}",
                correction.was.names().join(", "),
                source.key()
            )?;
        }
        SourceCommand::Remove(args) => {
            let id = store.resolve(&args.id)?;
            let key = args.source.as_str();
            let (record, _) = engine.change(&id, |record, cx| {
                engine::remove_source(record, key, Some(&args.note), cx)
            })?;
            let origins = record.supporting_origins().len();
            writeln!(
                ui.out(),
                "{id}: withdrew {key}; {origins} supporting origin{} now",
                if origins == 1 { "" } else { "s" }
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

/// The document as committed, or why it cannot be evidence.
fn committed_document(store: &Store, path: &str) -> Result<AttachedDocument, CommandError> {
    match store.committed_document(path)? {
        DocumentDigest::Committed { path, sha256 } => Ok(AttachedDocument { path, sha256 }),
        DocumentDigest::OutsideRepository => Err(CommandError::usage(format!(
            "{path} is not a file of this repository"
        ))
        .with_hint("give its path from the repository's root, e.g. --document seeds/article.txt")),
        DocumentDigest::NotCommitted { path } => Err(CommandError::usage(format!(
            "{path} is not committed: evidence must be a file everyone can check out"
        ))
        .with_hint(format!(
            "commit it first: git add {path} && git commit -m \"Add {path}\""
        ))),
        DocumentDigest::ChangedSinceCommit { path } => Err(CommandError::usage(format!(
            "{path} differs from its committed version"
        ))
        .with_hint(format!(
            "commit the change (git commit {path}) or restore it (git checkout -- {path})"
        ))),
    }
}

/// Whom the claim's appearance in `document` credits, if it appears there and anyone is.
fn credited_by(record: &Record, document: &str) -> Option<String> {
    record
        .appearances
        .iter()
        .find(|a| a.document == document)
        .and_then(|a| a.attribution.clone())
}
