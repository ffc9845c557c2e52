use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::time::Duration;

use indicatif::ProgressBar;
use serde::Serialize;

use crate::controls::csv_cell;
use crate::domain::policy::Organization;
use crate::domain::record::Record;
use crate::domain::state::State;
use crate::publish::claimreview::{
    LeftOut, ReadinessGap, claim_reviews, readiness_gaps, to_json_ld,
};
use crate::store::Store;
use crate::ui::Ui;

use super::{CommandError, Globals};

/// Export claims as data: ClaimReview JSON-LD, JSON or CSV
///
/// `claimreview` writes schema.org ClaimReview JSON-LD (Google's fact-check markup) for every
/// claim with a verdict (claims verdict ID --rating NAME --url URL) whose rating matches its
/// state, rated on the scale in claims.toml ([rating]) and authored by its [organization].
/// Standard error names the reviewed claims left out and why (no verdict, a rating that no
/// longer matches) and those whose markup is not ready (a url off the organisation's domain,
/// a summary over 75 characters). `json` writes every record in full; `csv` one row per
/// claim, ready for a spreadsheet: a cell that would start a formula (=, +, -, @) starts
/// with ' instead, and control characters are written as \u001b. Dismissed claims are not
/// exported.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    claims export --format claimreview > claimreview.json\n  \
    claims export --format csv > claims.csv\n  \
    claims export --format json | jq '.[] | select(.published)'")]
pub struct Args {
    /// Output format
    #[arg(long, value_enum)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Claimreview,
    Json,
    Csv,
}

/// One line of the CSV export.
#[derive(Serialize)]
struct CsvRow<'a> {
    id: &'a str,
    state: State,
    published: bool,
    text: Cow<'a, str>,
    claimant: Option<Cow<'a, str>>,
    sources: usize,
    origins: usize,
    updated: String,
}

/// How many claims a warning names before it only counts the rest.
const NAMED_IN_WARNING: usize = 5;

pub fn run(args: Args, globals: &Globals, ui: &mut Ui) -> Result<(), CommandError> {
    let store = globals.open_store(ui)?;
    let policy = store.policy()?;
    let progress = Progress::for_store(&store)?;
    let records = readable_records(&store, ui, &progress)?;
    match args.format {
        Format::Claimreview => {
            drop(progress);
            let organization = policy.organization.as_ref();
            let (reviews, left_out) = claim_reviews(&records, &policy.rating, organization);
            warn_left_out(&left_out, ui);
            warn_unready(&records, organization, ui);
            writeln!(ui.out(), "{}", to_json_ld(&reviews))?;
        }
        Format::Json => {
            drop(progress);
            serde_json::to_writer_pretty(ui.out(), &records)?;
            writeln!(ui.out())?;
        }
        Format::Csv => {
            drop(progress);
            write_csv(&records, ui)?;
        }
    }
    Ok(())
}

/// Names the reviewed claims that have no ClaimReview, one warning per reason.
fn warn_left_out(left_out: &[(&Record, LeftOut)], ui: &mut Ui) {
    let mut by_kind: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (record, why) in left_out {
        by_kind
            .entry(why.kind())
            .or_default()
            .push(record.id.as_str());
    }
    for (kind, ids) in by_kind {
        ui.warn(&format!("left out {}: {kind}", name_some(&ids)));
    }
}

/// Names the claims whose ClaimReview is not ready, one warning per kind of gap.
fn warn_unready(records: &[Record], organization: Option<&Organization>, ui: &mut Ui) {
    if organization.is_none() {
        ui.warn("claims.toml has no [organization]: the ClaimReview author is left out");
    }
    let mut unready: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let exported = records.iter().filter(|r| r.verdict.is_some());
    for record in exported {
        // Only what a review would still carry: a missing url is a claim left out.
        let gaps = readiness_gaps(record, organization);
        for gap in gaps.iter().filter(|g| **g != ReadinessGap::MissingUrl) {
            unready
                .entry(gap.kind())
                .or_default()
                .push(record.id.as_str());
        }
    }
    for (kind, ids) in unready {
        ui.warn(&format!("{}: {kind}", name_some(&ids)));
    }
}

fn write_csv(records: &[Record], ui: &mut Ui) -> Result<(), CommandError> {
    // Written to memory first: the only errors left are the output's own.
    let mut csv = csv::Writer::from_writer(Vec::new());
    for record in records {
        csv.serialize(CsvRow {
            id: record.id.as_str(),
            state: record.state,
            published: record.published,
            text: csv_cell(&record.text),
            claimant: record.claimant.as_deref().map(csv_cell),
            sources: record.evidence().count(),
            origins: record.supporting_origins().len(),
            updated: record.updated().to_string(),
        })?;
    }
    let bytes = csv.into_inner().map_err(csv::IntoInnerError::into_error)?;
    ui.out().write_all(&bytes)?;
    Ok(())
}

/// "3 claims (a, b, c)", naming at most a few.
fn name_some(ids: &[&str]) -> String {
    let named = ids[..ids.len().min(NAMED_IN_WARNING)].join(", ");
    let more = match ids.len().saturating_sub(NAMED_IN_WARNING) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    let plural = if ids.len() == 1 { "" } else { "s" };
    format!("{} claim{plural} ({named}{more})", ids.len())
}

/// Every record that parses and is not dismissed, oldest first; the others are skipped,
/// those that do not parse with a warning.
pub(super) fn readable_records(
    store: &Store,
    ui: &mut Ui,
    progress: &Progress,
) -> Result<Vec<Record>, CommandError> {
    progress.stage("reading the records");
    let mut records = Vec::new();
    for (_, parsed) in store.load_all()? {
        match parsed {
            Ok(record) if record.is_dismissed() => {}
            Ok(record) => records.push(record),
            Err(error) => progress.suspend(|| ui.warn(&format!("skipped {error}"))),
        }
    }
    records.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
    Ok(records)
}

/// A spinner on standard error naming the stage a long export or report is in: shown only
/// when standard error is a terminal and the repository is large enough to take a while.
/// Dropping it clears it.
pub(super) struct Progress(ProgressBar);

/// Below this many records everything is done before a spinner could say so.
const LARGE_REPOSITORY: usize = 1_000;

impl Progress {
    pub(super) fn for_store(store: &Store) -> Result<Progress, CommandError> {
        let large = store.record_paths()?.len() >= LARGE_REPOSITORY;
        let bar = if large && std::io::stderr().is_terminal() {
            let bar = ProgressBar::new_spinner();
            bar.enable_steady_tick(Duration::from_millis(100));
            bar
        } else {
            ProgressBar::hidden()
        };
        Ok(Progress(bar))
    }

    pub(super) fn stage(&self, message: &'static str) {
        self.0.set_message(message);
    }

    /// Runs `f` with the spinner out of the way, so that its output is not drawn over.
    pub(super) fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.0.suspend(f)
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}
