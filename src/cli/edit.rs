use crate::engine::{self, EditedFields};
use crate::ui::Ui;

use super::{CommandError, Globals};

/// Rewrite a claim's text, claimant or tags (its id stays the same)
#[derive(Debug, clap::Args)]
#[command(group(
    clap::ArgGroup::new("change")
        .required(true)
        .multiple(true)
        .args(["text", "claimant", "no_claimant", "tags", "no_tags"])
))]
#[command(after_help = "Examples:\n  \
    claims edit abcd --text \"Mexico has extradited 55 senior cartel members to the U.S.\"\n  \
    claims edit abcd --claimant \"Claudia Sheinbaum\"\n  \
    claims edit abcd --tag mexico --tag security     # replaces the tags\n  \
    claims edit abcd --no-claimant                  # clears the claimant\n\n\
The old text is kept in the commit message (\"Was: ...\"), and the excerpt of each \
appearance stays as the article worded it.")]
pub struct Args {
    /// Claim id (4 or more characters of it)
    pub id: String,
    /// The claim as a sentence a reader understands alone
    #[arg(long, value_name = "TEXT")]
    pub text: Option<String>,
    /// Who made the claim
    #[arg(long, value_name = "NAME", conflicts_with = "no_claimant")]
    pub claimant: Option<String>,
    /// Clear the claimant
    #[arg(long)]
    pub no_claimant: bool,
    /// The claim's tags, replacing those it has (repeat for several)
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Clear the tags
    #[arg(long, conflicts_with = "tags")]
    pub no_tags: bool,
}

pub fn run(args: Args, globals: &Globals, ui: &mut Ui) -> Result<(), CommandError> {
    let store = globals.open_store(ui)?;
    let engine = globals.engine(&store, ui)?;
    let id = store.resolve(&args.id)?;
    engine.change(&id, |record, cx| {
        let edited = EditedFields {
            text: args.text.clone().unwrap_or_else(|| record.text.clone()),
            claimant: match (&args.claimant, args.no_claimant) {
                (Some(name), _) => Some(name.clone()),
                (None, true) => None,
                (None, false) => record.claimant.clone(),
            },
            tags: if args.no_tags {
                Vec::new()
            } else if args.tags.is_empty() {
                record.tags.clone()
            } else {
                args.tags.clone()
            },
        };
        engine::edit_claim(record, edited, cx)
    })?;
    writeln!(
        ui.out(),
        "{id}: edited; its id stays the same (`claims show {id}`)"
    )?;
    Ok(())
}
