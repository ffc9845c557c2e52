use crate::engine;
use crate::ui::Ui;

use super::{CommandError, Globals};

/// Bring a dismissed claim back into the queues, lists, reports and exports
///
/// The dismissal stays in the record, marked undone with who brought the claim back, when
/// and why. Appearances moved to another claim by a duplicate dismissal stay there.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  \
    claims undismiss abcd --note \"Not a duplicate: the other claim is about 2024\"")]
pub struct Args {
    /// Claim id (4 or more characters of it)
    pub id: String,
    /// Why the claim comes back
    #[arg(long)]
    pub note: String,
}

pub fn run(args: Args, globals: &Globals, ui: &mut Ui) -> Result<(), CommandError> {
    let store = globals.open_store(ui)?;
    let engine = globals.engine(&store, ui)?;
    let id = store.resolve(&args.id)?;
    let (record, _) = engine.change(&id, |record, cx| {
        engine::undismiss_claim(record, Some(&args.note), cx)
    })?;
    writeln!(ui.out(), "{id}: back in the queue ({})", record.state)?;
    Ok(())
}
