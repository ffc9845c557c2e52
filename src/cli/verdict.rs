use crate::engine;
use crate::ui::Ui;

use super::{CommandError, Globals, short_id};

/// Record the published fact-check of a claim: a rating of the newsroom's scale and its page
///
/// The rating must belong to the claim's state: the scale in claims.toml ([rating]) gives each
/// rating its verdict (by default True and Mostly true for corroborated claims; Missing
/// context, Misleading and False for disputed ones). A claim with a verdict gets a
/// ClaimReview in `claims export --format claimreview`. Giving a verdict again replaces it;
/// the earlier one stays in git's history.
///
/// --withdraw takes the verdict back without moving the claim (the fact-check page was taken
/// down, or the verdict was recorded on the wrong claim): the verdict stays in the record
/// among the withdrawn ones, with the note. To take it back with a move, retract it:
/// claims mark ID STATE --unpublish --note "correction: ...".
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    claims verdict abcd --rating \"Mostly true\" --url https://factcheck.example/2026/extraditions\n  \
    claims verdict efgh --rating False --url https://factcheck.example/2026/deaths\n  \
    claims verdict efgh --withdraw --note \"Recorded on the wrong claim\"")]
pub struct Args {
    /// Claim id (4 or more characters of it)
    pub id: String,
    /// A rating of the scale in claims.toml, in any case
    #[arg(long, required_unless_present = "withdraw")]
    pub rating: Option<String>,
    /// The page that carries the fact-check (http or https)
    #[arg(long, required_unless_present = "withdraw")]
    pub url: Option<String>,
    /// Take the verdict back, keeping the claim's state
    #[arg(long, conflicts_with_all = ["rating", "url"], requires = "note")]
    pub withdraw: bool,
    /// Why the verdict is withdrawn (with --withdraw)
    #[arg(long, requires = "withdraw")]
    pub note: Option<String>,
}

pub fn run(args: Args, globals: &Globals, ui: &mut Ui) -> Result<(), CommandError> {
    let store = globals.open_store(ui)?;
    let engine = globals.engine(&store, ui)?;
    let id = store.resolve(&args.id)?;
    // clap asks for both --rating and --url unless the verdict is withdrawn.
    let (Some(rating), Some(url)) = (&args.rating, &args.url) else {
        let (record, commit) = engine.change(&id, |record, cx| {
            engine::withdraw_verdict(record, args.note.as_deref(), cx)
        })?;
        let withdrawn = record
            .withdrawn_verdicts
            .last()
            .expect("the verdict was just withdrawn");
        writeln!(
            ui.out(),
            "{id}: verdict {} withdrawn; still {} (commit {})",
            withdrawn.verdict.rating,
            record.state,
            short_id(commit)
        )?;
        return Ok(());
    };
    let (record, _) = engine.change(&id, |record, cx| {
        engine::give_verdict(record, rating, url, cx)
    })?;
    let verdict = record.verdict.as_ref().expect("the verdict was just given");
    writeln!(
        ui.out(),
        "{id}: {} ({}), published at {}",
        verdict.rating,
        record.state,
        verdict.url
    )?;
    Ok(())
}
