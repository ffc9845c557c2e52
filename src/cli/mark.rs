use crate::domain::state::State;
use crate::domain::workflow::{Confirmations, MoveRequest};
use crate::engine;
use crate::ui::Ui;

use super::{CommandError, Globals, short_id};

/// Move a claim to another state, if its evidence and checklist allow
///
/// sourced needs a supporting source; corroborated needs supporting sources from two
/// independent origins and no standing contradiction; disputed needs a contradicting source
/// and a note; moving back needs a note. The checklist of the target state (see
/// templates/checklist.toml) is confirmed with --check ITEM or --all-checked; items confirmed
/// before (here or in claims review) need not be named again, and every confirmation is kept
/// in the record with who gave it and when. A refused move changes nothing, exits 1 and says
/// which rule failed and how to satisfy it.
///
/// A move never leaves `claims check` failing: a published claim (or one with a verdict) is
/// moved away from what was published only with --unpublish, which retracts it in the same
/// commit, the note being the correction.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    claims mark abcd sourced --all-checked\n  \
    claims mark abcd corroborated --check independence --check context\n  \
    claims mark abcd disputed --note \"The ministry's figures show 12, not 55\"\n  \
    claims mark abcd unverified --note \"Source retracted\"\n  \
    claims mark abcd unverified --unpublish --note \"correction: the report counted 2024 too\"")]
pub struct Args {
    /// Claim id (4 or more characters of it)
    pub id: String,
    /// Target state: unverified, sourced, corroborated or disputed
    pub state: State,
    /// Why (needed to dispute, to move back, or to reverse a verdict)
    #[arg(long)]
    pub note: Option<String>,
    /// Confirm one checklist item of the target state (repeatable)
    #[arg(long = "check", value_name = "ITEM")]
    pub checks: Vec<String>,
    /// Confirm every checklist item the move needs
    #[arg(long)]
    pub all_checked: bool,
    /// Retract what was published in the same step: clear the published flag and withdraw
    /// the verdict; --note is then the correction
    #[arg(long)]
    pub unpublish: bool,
}

pub fn run(args: Args, globals: &Globals, ui: &mut Ui) -> Result<(), CommandError> {
    let store = globals.open_store(ui)?;
    let engine = globals.engine(&store, ui)?;
    let id = store.resolve(&args.id)?;
    let request = MoveRequest {
        to: args.state,
        note: args.note,
        confirmations: Confirmations {
            all: args.all_checked,
            items: args
                .checks
                .into_iter()
                .map(|c| c.trim().to_string())
                .collect(),
        },
        unpublish: args.unpublish,
    };
    let (record, commit) =
        engine.change(&id, |record, cx| engine::move_claim(record, &request, cx))?;
    let from = record
        .history
        .last()
        .map(|t| t.from)
        .unwrap_or(record.state);
    let retracted = match record.history.last().and_then(|t| t.retracted.as_ref()) {
        Some(retraction) => {
            let mut taken = Vec::new();
            if retraction.unpublished {
                taken.push("unpublished".to_string());
            }
            if let Some(verdict) = &retraction.verdict {
                taken.push(format!("verdict \"{}\" withdrawn", verdict.rating));
            }
            format!("; {}", taken.join(", "))
        }
        None => String::new(),
    };
    writeln!(
        ui.out(),
        "{id}: {from} → {}{retracted} (commit {})",
        record.state,
        short_id(commit)
    )?;
    Ok(())
}
