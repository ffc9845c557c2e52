use std::borrow::Cow;
use std::path::{Path, PathBuf};

use crate::controls::{is_control, strip};
use crate::domain::action::Action;
use crate::domain::record::Record;
use crate::extract::{self, Document, Models, Outcome, Plan};
use crate::store::{CommitMessage, FileChange, Store, now};
use crate::text::checkworthiness::{Genre, Scorer};
use crate::text::{EMBEDDING_MODEL, Embeddings};
use crate::ui::Ui;

use super::{CommandError, Globals};

/// Find check-worthy claims in plain-text articles and record them
///
/// Reads each file (folders recursively: .txt and .md files), splits it into sentences, keeps
/// the statements the check-worthiness model scores at or above --min-score, and records one
/// claim per distinct statement, with one appearance per document and line. The same claim
/// worded differently by another outlet becomes a new appearance of the known claim; a claim
/// whose figures differ from a known one ("55" against "more than 50") becomes a new claim
/// linked to it as related. A dismissed claim that appears again gets the appearance and stays
/// dismissed; the summary names it. Running it again on the same documents changes nothing.
/// Everything one run records is one commit.
///
/// Read transcripts of debates, speeches, interviews and hearings with --genre transcript: a
/// speaker's label opening a paragraph ("BIDEN:", "Kristen Welker:") names the claimant of
/// every sentence of the turn and is left out of the claim, and the check-worthiness threshold
/// is the one chosen on transcripts.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    claims extract seeds/\n  \
    claims extract --dry-run seeds/000_16235a3c288e7261.txt\n  \
    claims extract --genre transcript debate-2026-10-02.txt\n  \
    claims extract --min-score 0.6 articles/ more-articles/today.md")]
pub struct Args {
    /// Files or folders of plain-text documents
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Show what would be recorded, and record nothing
    #[arg(long)]
    pub dry_run: bool,
    /// What the documents are
    #[arg(long, value_enum, default_value_t)]
    pub genre: Genre,
    /// Lowest check-worthiness score (0 to 1) a sentence needs [default: the model's threshold
    /// for the genre]
    #[arg(long, value_name = "X")]
    pub min_score: Option<f32>,
}

/// Documents larger than this are refused rather than read whole into memory.
const MAX_DOCUMENT_BYTES: u64 = 64 * 1024 * 1024;

pub fn run(args: Args, globals: &Globals, ui: &mut Ui) -> Result<(), CommandError> {
    let (model, notice) = Scorer::builtin();
    let min_score = match args.min_score {
        Some(x) if !(0.0..=1.0).contains(&x) => {
            return Err(CommandError::usage(format!(
                "--min-score {x} is not between 0 and 1"
            )));
        }
        Some(x) => x,
        None => model.thresholds().of(args.genre),
    };
    let store = globals.open_store(ui)?;
    let files = collect_files(&args.paths)?;
    let documents = read_documents(&store, &files, ui);
    if documents.is_empty() && !files.is_empty() {
        return Err(CommandError::usage("none of the documents could be read"));
    }
    let bytes: usize = documents.iter().map(|d| d.text.len()).sum();

    // Plan under the writers' lock, so the records matched against are the ones committed to.
    if !args.dry_run {
        super::warn_of_unguarded_commits(&store, ui)?;
    }
    let writer = (!args.dry_run).then(|| store.writer()).transpose()?;
    let mut existing = Vec::new();
    for (_, parsed) in store.load_all()? {
        match parsed {
            Ok(record) => existing.push(record),
            Err(error) => ui.warn(&format!("skipped {error}")),
        }
    }
    if let Some(notice) = notice {
        ui.warn(&notice);
    }
    let models = Models {
        checkworthiness: model,
        embeddings: embeddings(ui),
    };
    let at = now();
    let plan = extract::plan(&documents, existing, models, args.genre, min_score, at);
    for (document, line) in &plan.too_long {
        ui.warn(&format!(
            "skipped {document}:{line}: a sentence longer than {} KiB is not one claim",
            extract::MAX_CLAIM_BYTES / 1024
        ));
    }

    if args.dry_run {
        print_plan(&plan, ui)?;
        return summarise(&plan, documents.len(), bytes, None, models, args.genre, ui);
    }
    let Some(writer) = writer else {
        unreachable!("a writer is taken unless this is a dry run")
    };
    if plan.records.is_empty() {
        return summarise(&plan, documents.len(), bytes, None, models, args.genre, ui);
    }
    for id in plan.changed() {
        writer.read_for_update(id)?;
    }
    for id in &plan.created {
        if !writer.ensure_absent(&id.record_path())? {
            return Err(CommandError::usage(format!(
                "{id} was created meanwhile; run extract again"
            )));
        }
    }
    let reviewer = store.reviewer(globals.reviewer.as_deref())?;
    let changes: Vec<FileChange> = plan.records.values().map(FileChange::record).collect();
    let commit = writer.commit(&changes, &message(&plan, documents.len()), &reviewer, at)?;
    summarise(
        &plan,
        documents.len(),
        bytes,
        Some(commit),
        models,
        args.genre,
        ui,
    )
}

/// The embedding table built in, or none (with a notice) when the build had none or it is
/// damaged: matching then goes on with words and figures alone.
fn embeddings(ui: &mut Ui) -> Option<&'static Embeddings> {
    match Embeddings::builtin() {
        Some(Ok(embeddings)) => Some(embeddings),
        Some(Err(error)) => {
            ui.warn(&format!("{error}; matching claims on words alone"));
            None
        }
        None => {
            ui.warn("no embedding table in this build; matching claims on words alone");
            None
        }
    }
}

fn message(plan: &Plan, documents: usize) -> CommitMessage {
    let created = plan.created.len();
    let changed = plan.records.len() - created;
    let mut subject = format!(
        "Extract {created} claim{} from {documents} document{}",
        plural(created),
        plural(documents)
    );
    if changed > 0 {
        subject.push_str(&format!(
            "; {changed} known claim{} seen again",
            plural(changed)
        ));
    }
    let mut trailers: Vec<(&'static str, String)> = plan
        .records
        .keys()
        .map(|id| ("Claim-Id", id.to_string()))
        .collect();
    trailers.push(("Claim-Action", Action::Extract.to_string()));
    CommitMessage {
        subject,
        body: None,
        trailers,
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Every file named, and every .txt/.md file under every folder named, in a stable order.
fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CommandError> {
    let mut files = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path)
            .map_err(|e| CommandError::usage(format!("cannot read {}: {e}", path.display())))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(path, &mut found)
                .map_err(|e| CommandError::usage(format!("cannot read {}: {e}", path.display())))?;
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    files.dedup();
    Ok(files)
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let path = entry.path();
        if kind.is_dir() {
            walk(&path, found)?;
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "txt" || e == "md") {
            found.push(path);
        }
    }
    Ok(())
}

/// Reads the documents that can be read; warns about the others.
fn read_documents(store: &Store, files: &[PathBuf], ui: &mut Ui) -> Vec<Document> {
    let root = store
        .root()
        .canonicalize()
        .unwrap_or_else(|_| store.root().to_path_buf());
    let mut documents = Vec::new();
    for file in files {
        let shown = file.display();
        match std::fs::metadata(file) {
            Ok(meta) if meta.len() > MAX_DOCUMENT_BYTES => {
                ui.warn(&format!(
                    "skipped {shown}: {} MB is more than the {} MB a document may have",
                    meta.len() / (1024 * 1024),
                    MAX_DOCUMENT_BYTES / (1024 * 1024)
                ));
                continue;
            }
            Err(e) => {
                ui.warn(&format!("skipped {shown}: {e}"));
                continue;
            }
            Ok(_) => {}
        }
        let bytes = match std::fs::read(file) {
            Ok(bytes) => bytes,
            Err(e) => {
                ui.warn(&format!("skipped {shown}: {e}"));
                continue;
            }
        };
        if looks_binary(&bytes) {
            ui.warn(&format!(
                "skipped {shown}: it is a binary file, not plain text"
            ));
            continue;
        }
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let bytes = e.into_bytes();
                let line = bytes[..valid].iter().filter(|&&b| b == b'\n').count() + 1;
                ui.warn(&format!(
                    "{shown}:{line}: not valid UTF-8; invalid bytes were replaced with U+FFFD"
                ));
                String::from_utf8_lossy(&bytes).into_owned()
            }
        };
        let text = match strip(&text) {
            (Cow::Borrowed(_), _) => text,
            (Cow::Owned(stripped), removed) => {
                if removed {
                    let line = text
                        .lines()
                        .position(|line| line.trim_end_matches('\r').chars().any(is_control))
                        .map_or(1, |at| at + 1);
                    ui.warn(&format!(
                        "{shown}:{line}: control characters (terminal escapes and the like) \
                         were removed"
                    ));
                }
                stripped
            }
        };
        documents.push(Document {
            path: repository_path(&root, file),
            text,
        });
    }
    documents
}

/// A NUL byte in the first block is the mark of a binary file, as git and grep judge it.
fn looks_binary(bytes: &[u8]) -> bool {
    bytes.iter().take(8192).any(|&b| b == 0)
}

/// The path as appearances record it: relative to the repository root when inside it.
fn repository_path(root: &Path, file: &Path) -> String {
    let canonical = file.canonicalize().unwrap_or_else(|_| file.to_path_buf());
    match canonical.strip_prefix(root) {
        Ok(inside) => inside
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
        // Joining the components of an absolute path would start it with "//".
        Err(_) => canonical.to_string_lossy().into_owned(),
    }
}

fn print_plan(plan: &Plan, ui: &mut Ui) -> Result<(), CommandError> {
    if plan.candidates.is_empty() {
        return Ok(());
    }
    let mut table = ui.table(&["SCORE", "WOULD", "CLAIM", "WHERE"]);
    for candidate in &plan.candidates {
        let would = match &candidate.outcome {
            Outcome::New(id) => format!("create {id}"),
            Outcome::Related {
                id,
                related,
                difference,
            } => {
                format!("create {id}, related to {related} ({difference})")
            }
            Outcome::Appearance(id) => match plan.records.get(id).and_then(Record::dismissal) {
                Some(dismissal) => {
                    format!("add appearance to {id}, dismissed ({})", dismissal.reason)
                }
                None => format!("add appearance to {id}"),
            },
            Outcome::Known(id) => format!("nothing: known as {id}"),
        };
        table.add_row(vec![
            format!("{:.2}", candidate.score),
            would,
            candidate.text.clone(),
            format!("{}:{}", candidate.document, candidate.line),
        ]);
    }
    writeln!(ui.out(), "{table}")?;
    Ok(())
}

fn summarise(
    plan: &Plan,
    documents: usize,
    bytes: usize,
    commit: Option<git2::Oid>,
    models: Models<'_>,
    genre: Genre,
    ui: &mut Ui,
) -> Result<(), CommandError> {
    let count = |f: fn(&Outcome) -> bool| plan.candidates.iter().filter(|c| f(&c.outcome)).count();
    let related = count(|o| matches!(o, Outcome::Related { .. }));
    let appearances = count(|o| matches!(o, Outcome::Appearance(_)));
    let known = count(|o| matches!(o, Outcome::Known(_)));
    let what = match commit {
        Some(commit) => format!("commit {}", &commit.to_string()[..8]),
        None if plan.records.is_empty() => "nothing new to record".to_string(),
        None => "dry run: nothing recorded".to_string(),
    };
    writeln!(
        ui.out(),
        "{documents} document{} ({} KB), {} sentence{}, {} check-worthy: {} new claim{} ({related} related to a known claim), {appearances} new appearance{}, {known} already recorded; {what}",
        plural(documents),
        bytes.div_ceil(1024),
        plan.sentences,
        plural(plan.sentences),
        plan.candidates.len(),
        plan.created.len(),
        plural(plan.created.len()),
        plural(appearances),
    )?;
    let dismissed = plan.dismissed_appearances();
    if !dismissed.is_empty() {
        let seen: usize = dismissed.values().sum();
        let claims: Vec<String> = dismissed
            .iter()
            .map(|(id, count)| {
                let reason = plan.records[*id]
                    .dismissal()
                    .map(|d| d.reason.to_string())
                    .unwrap_or_default();
                match count {
                    1 => format!("{id} ({reason})"),
                    n => format!("{id} ({reason}, {n} appearances)"),
                }
            })
            .collect();
        let (which, back) = match dismissed.keys().collect::<Vec<_>>()[..] {
            [id] => (
                "a dismissed claim, which stays dismissed",
                format!("bring it back with: claims undismiss {id} --note WHY"),
            ),
            _ => (
                "dismissed claims, which stay dismissed",
                "bring one back with: claims undismiss ID --note WHY".to_string(),
            ),
        };
        writeln!(
            ui.out(),
            "{seen} new appearance{} {} of {which}: {}; {back}",
            plural(seen),
            if seen == 1 { "is" } else { "are" },
            claims.join(", ")
        )?;
    }
    let matching = match models.embeddings {
        Some(_) => format!("words, figures and {EMBEDDING_MODEL}"),
        None => "words and figures".to_string(),
    };
    writeln!(
        ui.out(),
        "models: check-worthiness {} (built in), documents read as {}s; matching on {matching}",
        models.checkworthiness.name(),
        genre.name()
    )?;
    Ok(())
}
