use crate::engine;
use crate::ui::Ui;

use super::{CommandError, Globals};

/// Clear a claim's published flag
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  claims unpublish abcd")]
pub struct Args {
    /// Claim id (4 or more characters of it)
    pub id: String,
}

pub fn run(args: Args, globals: &Globals, ui: &mut Ui) -> Result<(), CommandError> {
    let store = globals.open_store(ui)?;
    let engine = globals.engine(&store, ui)?;
    let id = store.resolve(&args.id)?;
    engine.change(&id, |record, cx| {
        engine::set_published(record, false, None, false, cx)
    })?;
    writeln!(ui.out(), "{id}: unpublished")?;
    Ok(())
}
