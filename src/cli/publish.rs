use crate::engine;
use crate::ui::Ui;

use super::{CommandError, Globals};

/// Mark a claim as published; only corroborated claims, unless --force
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    claims publish abcd --url https://factcheck.example.org/2026/extraditions\n  \
    claims publish abcd --force   # publish a claim that is not corroborated (check will flag it)")]
pub struct Args {
    /// Claim id (4 or more characters of it)
    pub id: String,
    /// Where the fact-check is published
    #[arg(long)]
    pub url: Option<String>,
    /// Publish even though the claim is not corroborated
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: Args, globals: &Globals, ui: &mut Ui) -> Result<(), CommandError> {
    let store = globals.open_store(ui)?;
    let engine = globals.engine(&store, ui)?;
    let id = store.resolve(&args.id)?;
    let (record, _) = engine.change(&id, |record, cx| {
        engine::set_published(record, true, args.url, args.force, cx)
    })?;
    writeln!(ui.out(), "{id}: published ({})", record.state)?;
    Ok(())
}
