use crate::engine;
use crate::ui::Ui;

use super::{CommandError, Globals};

/// Add a reviewer's note to a claim
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  claims note abcd \"Called the ministry; they will send the figures on Monday\""
)]
pub struct Args {
    /// Claim id (4 or more characters of it)
    pub id: String,
    /// The note
    pub text: String,
}

pub fn run(args: Args, globals: &Globals, ui: &mut Ui) -> Result<(), CommandError> {
    let store = globals.open_store(ui)?;
    let engine = globals.engine(&store, ui)?;
    let id = store.resolve(&args.id)?;
    let (record, _) = engine.change(&id, |record, cx| engine::add_note(record, &args.text, cx))?;
    writeln!(ui.out(), "{id}: note added ({} in all)", record.notes.len())?;
    Ok(())
}
