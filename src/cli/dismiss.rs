use crate::domain::record::DismissReason;
use crate::domain::triage::DismissRequest;
use crate::engine;
use crate::ui::Ui;

use super::{CommandError, Globals, short_id};

/// Set a claim aside: not check-worthy, a duplicate, or out of scope
///
/// The claim keeps its record and history (`claims show`, `claims log` and `claims check`
/// still know it) but leaves review queues, `claims list` (unless --all), reports and
/// exports. With --duplicate-of, its appearances move to the claim kept in its place, in the
/// same commit. A published claim is unpublished, and a verdict withdrawn, first. Bring a claim
/// back with `claims undismiss`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    claims dismiss abcd --reason not-check-worthy --note \"An opinion, not a fact\"\n  \
    claims dismiss abcd --reason duplicate --duplicate-of efgh\n  \
    claims dismiss abcd --reason out-of-scope --note \"A local council matter\"")]
pub struct Args {
    /// Claim id (4 or more characters of it)
    pub id: String,
    /// Why the claim is set aside
    #[arg(long, value_enum)]
    pub reason: ReasonArg,
    /// The claim kept in its place (with --reason duplicate)
    #[arg(long, value_name = "ID")]
    pub duplicate_of: Option<String>,
    /// A word for the next reader
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ReasonArg {
    /// An opinion, a prediction or a description: nothing a fact-check can settle
    NotCheckWorthy,
    /// Another claim says the same thing (give it with --duplicate-of)
    Duplicate,
    /// Outside what the newsroom checks
    OutOfScope,
}

impl From<ReasonArg> for DismissReason {
    fn from(reason: ReasonArg) -> DismissReason {
        match reason {
            ReasonArg::NotCheckWorthy => DismissReason::NotCheckWorthy,
            ReasonArg::Duplicate => DismissReason::Duplicate,
            ReasonArg::OutOfScope => DismissReason::OutOfScope,
        }
    }
}

pub fn run(args: Args, globals: &Globals, ui: &mut Ui) -> Result<(), CommandError> {
    let store = globals.open_store(ui)?;
    let engine = globals.engine(&store, ui)?;
    let id = store.resolve(&args.id)?;
    let kept = args
        .duplicate_of
        .as_deref()
        .map(|kept| store.resolve(kept))
        .transpose()?;
    let request = DismissRequest {
        reason: args.reason.into(),
        duplicate_of: kept.clone(),
        note: args.note,
    };
    let (_, commit) = engine.change_with(&id, kept.as_ref(), |record, kept, cx| {
        engine::dismiss_claim(record, kept, &request, cx)
    })?;
    let commit = short_id(commit);
    match &kept {
        Some(kept) => writeln!(
            ui.out(),
            "{id}: dismissed as a duplicate of {kept}; its appearances moved there (commit {commit})"
        )?,
        None => writeln!(
            ui.out(),
            "{id}: dismissed ({}) (commit {commit})",
            request.reason
        )?,
    }
    Ok(())
}
