use serde::Serialize;

use crate::controls::csv_cell;
use crate::store::Change;
use crate::ui::Ui;

use super::{CommandError, Globals, TableFormat, short_id};

/// History of one claim, or of every claim, from git, newest first
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  claims log abcd\n  claims log -n 20\n  claims log abcd --format json"
)]
pub struct Args {
    /// Claim id (4 or more characters of it); every claim when absent
    pub id: Option<String>,
    /// Show at most N commits
    #[arg(short = 'n', long = "max-count", value_name = "N")]
    pub max_count: Option<usize>,
    /// Output format
    #[arg(long, value_enum, default_value = "table")]
    pub format: TableFormat,
}

#[derive(Serialize)]
struct Entry<'a> {
    commit: String,
    author: &'a str,
    date: String,
    action: Option<&'a str>,
    claims: &'a [String],
    from: Option<&'a str>,
    to: Option<&'a str>,
    subject: &'a str,
    note: &'a str,
}

pub fn run(args: Args, globals: &Globals, ui: &mut Ui) -> Result<(), CommandError> {
    let store = globals.open_store(ui)?;
    let mut changes: Vec<Change> = match &args.id {
        Some(prefix) => {
            let id = store.resolve(prefix)?;
            store.claim_history(&id)?
        }
        None => store.repository_history(args.max_count)?,
    };
    if let Some(max) = args.max_count {
        changes.truncate(max);
    }
    let entries: Vec<Entry<'_>> = changes
        .iter()
        .map(|c| Entry {
            commit: c.commit.to_string(),
            author: &c.author,
            date: c.at.to_string(),
            action: c.trailers.action.as_deref(),
            claims: &c.trailers.ids,
            from: c.trailers.from.as_deref(),
            to: c.trailers.to.as_deref(),
            subject: &c.subject,
            note: &c.body,
        })
        .collect();
    match args.format {
        TableFormat::Json => {
            serde_json::to_writer_pretty(ui.out(), &entries)?;
            writeln!(ui.out())?;
        }
        TableFormat::Csv => {
            let mut csv = csv::Writer::from_writer(ui.out());
            csv.write_record([
                "commit", "date", "author", "action", "claims", "from", "to", "subject", "note",
            ])?;
            for e in &entries {
                csv.write_record([
                    e.commit.as_str(),
                    &e.date,
                    &csv_cell(e.author),
                    e.action.unwrap_or(""),
                    &e.claims.join(";"),
                    e.from.unwrap_or(""),
                    e.to.unwrap_or(""),
                    &csv_cell(e.subject),
                    &csv_cell(e.note),
                ])?;
            }
            csv.flush()?;
        }
        TableFormat::Table => {
            ui.page();
            if entries.is_empty() {
                writeln!(ui.out(), "no history yet")?;
                return Ok(());
            }
            // Without an id the rows are of many claims: each says which.
            let whole_repository = args.id.is_none();
            let mut header = vec!["COMMIT", "DATE", "AUTHOR", "ACTION", "CHANGE"];
            if whole_repository {
                header.insert(1, "CLAIM");
            }
            let mut table = ui.table(&header);
            for e in &entries {
                let change = match (e.from, e.to) {
                    (Some(from), Some(to)) => format!("{from} → {to}"),
                    _ => e.subject.to_string(),
                };
                let change = if e.note.is_empty() {
                    change
                } else {
                    format!("{change}\n{}", e.note)
                };
                let mut row = vec![
                    short_id(&e.commit),
                    e.date.clone(),
                    e.author.to_string(),
                    e.action.unwrap_or("(by hand)").to_string(),
                    change,
                ];
                if whole_repository {
                    row.insert(1, claims_of(e.claims));
                }
                table.add_row(row);
            }
            writeln!(ui.out(), "{table}")?;
        }
    }
    Ok(())
}

/// The claims a commit names, for a row of the repository's history: a commit of many
/// (an extract) says how many beside the first.
fn claims_of(ids: &[String]) -> String {
    match ids {
        [] => "-".to_string(),
        [one] => one.clone(),
        [first, rest @ ..] => format!("{first} +{}", rest.len()),
    }
}
