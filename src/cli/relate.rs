use crate::engine;
use crate::ui::Ui;

use super::{CommandError, Globals, short_id};

/// Link two claims as related: two figures for one quantity, or one story told twice
///
/// Each claim lists the other among its related claims, with a note saying why, in one
/// commit. `claims show` lists a claim's related claims with their figures side by side, so
/// that a reader sees where accounts differ. Extraction links claims whose figures differ
/// for the same quantity by itself; this is for what a person sees.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  \
    claims relate abcd efgh --note \"250,000 to 300,000 deaths a year against 100,000 since 2017\"")]
pub struct Args {
    /// Claim id (4 or more characters of it)
    pub id: String,
    /// The claim it is related to
    pub other: String,
    /// Why the two belong together
    #[arg(long)]
    pub note: String,
}

pub fn run(args: Args, globals: &Globals, ui: &mut Ui) -> Result<(), CommandError> {
    let store = globals.open_store(ui)?;
    let engine = globals.engine(&store, ui)?;
    let id = store.resolve(&args.id)?;
    let other = store.resolve(&args.other)?;
    let (_, commit) = engine.change_with(&id, Some(&other), |record, other, cx| {
        engine::relate_claims(record, other, Some(&args.note), cx)
    })?;
    writeln!(
        ui.out(),
        "{id} and {other}: related (commit {})",
        short_id(commit)
    )?;
    Ok(())
}
