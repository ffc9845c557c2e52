use serde::Serialize;

use crate::controls::csv_cell;
use crate::domain::record::{Record, Stance};
use crate::domain::state::State;
use crate::ui::Ui;

use super::{CommandError, Globals, TableFormat};

/// List claims, oldest first
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    claims list\n  \
    claims list --state sourced --state unverified\n  \
    claims list --published --format csv > published.csv")]
pub struct Args {
    /// Only claims in this state (repeatable)
    #[arg(long = "state", value_name = "STATE")]
    pub states: Vec<State>,
    /// Only published claims
    #[arg(long)]
    pub published: bool,
    /// Only claims with this tag (repeatable: all must match)
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Dismissed claims too (claims dismiss): they are left out otherwise
    #[arg(long)]
    pub all: bool,
    /// Output format
    #[arg(long, value_enum, default_value = "table")]
    pub format: TableFormat,
}

/// One line of the list: what an editor scans for.
#[derive(Debug, Serialize)]
pub struct Row<'a> {
    pub id: &'a str,
    pub state: State,
    pub published: bool,
    pub text: &'a str,
    pub claimant: Option<&'a str>,
    pub tags: &'a [String],
    pub supporting: usize,
    pub contradicting: usize,
    pub origins: usize,
    pub created: String,
    pub updated: String,
    /// Why the claim was set aside, if it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dismissed: Option<&'static str>,
}

impl<'a> Row<'a> {
    pub fn of(record: &'a Record) -> Row<'a> {
        let count = |stance| record.evidence().filter(|s| s.stance == stance).count();
        Row {
            id: record.id.as_str(),
            state: record.state,
            published: record.published,
            text: &record.text,
            claimant: record.claimant.as_deref(),
            tags: &record.tags,
            supporting: count(Stance::Supports),
            contradicting: count(Stance::Contradicts),
            origins: record.supporting_origins().len(),
            created: record.created.to_string(),
            updated: record.updated().to_string(),
            dismissed: record.dismissal().map(|d| d.reason.as_str()),
        }
    }
}

pub fn run(args: Args, globals: &Globals, ui: &mut Ui) -> Result<(), CommandError> {
    let store = globals.open_store(ui)?;
    let mut records = Vec::new();
    for (_, parsed) in store.load_all()? {
        match parsed {
            Ok(record) => records.push(record),
            Err(error) => ui.warn(&format!("skipped {error}")),
        }
    }
    let dismissed = records.iter().filter(|r| r.is_dismissed()).count();
    records.retain(|r| {
        (args.all || !r.is_dismissed())
            && (args.states.is_empty() || args.states.contains(&r.state))
            && (!args.published || r.published)
            && args.tags.iter().all(|t| r.tags.contains(t))
    });
    records.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
    let rows: Vec<Row<'_>> = records.iter().map(Row::of).collect();
    match args.format {
        TableFormat::Json => {
            serde_json::to_writer_pretty(ui.out(), &rows)?;
            writeln!(ui.out())?;
        }
        TableFormat::Csv => {
            let mut csv = csv::Writer::from_writer(ui.out());
            csv.write_record([
                "id",
                "state",
                "published",
                "text",
                "claimant",
                "tags",
                "supporting",
                "contradicting",
                "origins",
                "created",
                "updated",
            ])?;
            for row in &rows {
                csv.write_record([
                    row.id,
                    row.state.as_str(),
                    if row.published { "true" } else { "false" },
                    &csv_cell(row.text),
                    &csv_cell(row.claimant.unwrap_or("")),
                    &csv_cell(&row.tags.join(";")),
                    &row.supporting.to_string(),
                    &row.contradicting.to_string(),
                    &row.origins.to_string(),
                    &row.created,
                    &row.updated,
                ])?;
            }
            csv.flush()?;
        }
        TableFormat::Table => {
            ui.page();
            if rows.is_empty() {
                writeln!(ui.out(), "no claims match")?;
                return Ok(());
            }
            let mut table = ui.listing(&["ID", "STATE", "PUB", "SOURCES", "ORIGINS", "CLAIM"]);
            for row in &rows {
                table.add_row(vec![
                    row.id.to_string(),
                    match row.dismissed {
                        Some(reason) => format!("{} (dismissed: {reason})", row.state),
                        None => row.state.to_string(),
                    },
                    if row.published { "yes" } else { "" }.to_string(),
                    match row.contradicting {
                        0 => row.supporting.to_string(),
                        n => format!("{} +{n} against", row.supporting),
                    },
                    row.origins.to_string(),
                    row.text.to_string(),
                ]);
            }
            writeln!(ui.out(), "{table}")?;
            let hidden = if args.all { 0 } else { dismissed };
            writeln!(ui.out(), "{}", summary(&records, hidden))?;
        }
    }
    Ok(())
}

/// The last lines of the table: how many claims in each state, and the command to try next.
fn summary(records: &[Record], dismissed_hidden: usize) -> String {
    let n = records.len();
    let mut counts: Vec<String> = State::ALL
        .iter()
        .filter_map(|state| {
            let count = records.iter().filter(|r| r.state == *state).count();
            (count > 0).then(|| format!("{count} {state}"))
        })
        .collect();
    let published = records.iter().filter(|r| r.published).count();
    if published > 0 {
        counts.push(format!("{published} published"));
    }
    let mut line = format!("{n} claim{}: {}", plural(n), counts.join(", "));
    if dismissed_hidden > 0 {
        line.push_str(&format!(
            " ({dismissed_hidden} dismissed not shown: claims list --all)"
        ));
    }
    let to_check = records
        .iter()
        .filter(|r| !r.is_dismissed() && !r.state.is_verdict())
        .count();
    let next = if to_check > 0 {
        format!(
            "next: claims review   (steps through the {to_check} claim{} still to check)",
            plural(to_check)
        )
    } else {
        "next: claims report   (the newsroom's report of these claims)".to_string()
    };
    format!("{line}\n{next}")
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
