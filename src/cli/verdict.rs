use crate::engine;
use crate::ui::Ui;

use super::{CommandError, Globals};

/// Record the published fact-check of a claim: a rating of the newsroom's scale and its page
///
/// The rating must belong to the claim's state: the scale in claims.toml ([rating]) gives each
/// rating its verdict (by default True and Mostly true for corroborated claims; Missing
/// context, Misleading and False for disputed ones). A claim with a verdict gets a
/// ClaimReview in `claims export --format claimreview`. Giving a verdict again replaces it;
/// the earlier one stays in git's history. A verdict is taken back with the claim's
/// retraction: claims mark ID STATE --unpublish --note "correction: ...".
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    claims verdict abcd --rating \"Mostly true\" --url https://factcheck.example/2026/extraditions\n  \
    claims verdict efgh --rating False --url https://factcheck.example/2026/deaths")]
pub struct Args {
    /// Claim id (4 or more characters of it)
    pub id: String,
    /// A rating of the scale in claims.toml, in any case
    #[arg(long)]
    pub rating: String,
    /// The page that carries the fact-check (http or https)
    #[arg(long)]
    pub url: String,
}

pub fn run(args: Args, globals: &Globals, ui: &mut Ui) -> Result<(), CommandError> {
    let store = globals.open_store(ui)?;
    let engine = globals.engine(&store, ui)?;
    let id = store.resolve(&args.id)?;
    let (record, _) = engine.change(&id, |record, cx| {
        engine::give_verdict(record, &args.rating, &args.url, cx)
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
