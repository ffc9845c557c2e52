use serde::Serialize;

use crate::domain::policy::Policy;
use crate::domain::record::Record;
use crate::domain::state::State;
use crate::domain::workflow::{Confirmations, MoveRequest, check_move};
use crate::store::Store;
use crate::text::figure_difference;
use crate::ui::Ui;

use super::{CommandError, Globals};

/// Show one claim: where it appeared, its sources, checklist, history and notes
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  claims show abcd\n  claims show abcd --format json | jq .sources"
)]
pub struct Args {
    /// Claim id (4 or more characters of it)
    pub id: String,
    /// Output format: text for people, toml for the record as stored, json for programs
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Text,
    Toml,
    Json,
}

/// What moving to each other state would still need.
#[derive(Debug, Serialize)]
struct NextMove {
    to: State,
    ready: bool,
    blocked_by: Vec<String>,
}

/// A related claim: its id, how its figures differ from this claim's, and its text.
#[derive(Debug, Serialize)]
struct Related {
    id: String,
    figures: String,
    text: String,
}

/// The related claims, with the figures that tell them apart: conflicting figures across
/// outlets are what a fact-checker wants to see first.
fn related(store: &Store, record: &Record) -> Vec<Related> {
    record
        .related
        .iter()
        .map(|id| match store.read(id) {
            Ok(other) => Related {
                id: id.to_string(),
                figures: figure_difference(&record.text, &other.text).unwrap_or_default(),
                text: other.text,
            },
            Err(error) => Related {
                id: id.to_string(),
                figures: String::new(),
                text: format!("(cannot read: {error})"),
            },
        })
        .collect()
}

fn next_moves(record: &Record, policy: &Policy) -> Vec<NextMove> {
    State::ALL
        .into_iter()
        .filter(|&to| to != record.state)
        .map(|to| {
            // A note is given with the move itself, so it never blocks in advance.
            let request = MoveRequest {
                to,
                note: Some("(given with the move)".into()),
                confirmations: Confirmations::default(),
                unpublish: false,
            };
            let unmet = check_move(record, &request, policy);
            NextMove {
                to,
                ready: unmet.is_empty(),
                blocked_by: unmet.iter().map(ToString::to_string).collect(),
            }
        })
        .collect()
}

pub fn run(args: Args, globals: &Globals, ui: &mut Ui) -> Result<(), CommandError> {
    let store = globals.open_store(ui)?;
    let id = store.resolve(&args.id)?;
    match args.format {
        Format::Toml => {
            let bytes = std::fs::read(store.root().join(id.record_path()))?;
            ui.out().write_all(&bytes)?;
        }
        Format::Json => {
            let record = store.read(&id)?;
            #[derive(Serialize)]
            struct Shown<'a> {
                #[serde(flatten)]
                record: &'a Record,
                path: String,
                origins: Vec<String>,
                next: Vec<NextMove>,
                related_claims: Vec<Related>,
            }
            let shown = Shown {
                related_claims: related(&store, &record),
                path: id.record_path(),
                origins: record.supporting_origins(),
                next: next_moves(&record, &store.policy()?),
                record: &record,
            };
            serde_json::to_writer_pretty(ui.out(), &shown)?;
            writeln!(ui.out())?;
        }
        Format::Text => {
            ui.page();
            let record = store.read(&id)?;
            let policy = store.policy()?;
            render(&record, &related(&store, &record), &policy, ui)?;
        }
    }
    Ok(())
}

fn render(
    record: &Record,
    related: &[Related],
    policy: &Policy,
    ui: &mut Ui,
) -> Result<(), CommandError> {
    let mut summary = ui.table(&["", &record.id.to_string()]);
    summary.add_row(vec!["Claim".to_string(), record.text.clone()]);
    let status = if record.published {
        format!("{} · published", record.state)
    } else {
        record.state.to_string()
    };
    summary.add_row(vec!["State".to_string(), status]);
    if let Some(dismissal) = record.dismissal() {
        let mut why = format!(
            "{} by {} at {}",
            dismissal.reason, dismissal.by, dismissal.at
        );
        if let Some(kept) = &dismissal.duplicate_of {
            why.push_str(&format!("; kept in its place: {kept}"));
        }
        if let Some(note) = &dismissal.note {
            why.push_str(&format!("; {note}"));
        }
        summary.add_row(vec!["Dismissed".to_string(), why]);
    }
    if let Some(verdict) = &record.verdict {
        summary.add_row(vec![
            "Verdict".to_string(),
            format!("{} ({}), by {}", verdict.rating, verdict.url, verdict.by),
        ]);
    }
    for withdrawn in &record.withdrawn_verdicts {
        let (verdict, event) = (&withdrawn.verdict, &withdrawn.withdrawn);
        summary.add_row(vec![
            "Withdrawn verdict".to_string(),
            format!(
                "{} ({}), withdrawn by {} at {}: {}",
                verdict.rating, verdict.url, event.by, event.at, event.note
            ),
        ]);
    }
    if let Some(claimant) = &record.claimant {
        summary.add_row(vec!["Claimant".to_string(), claimant.clone()]);
    }
    if !record.tags.is_empty() {
        summary.add_row(vec!["Tags".to_string(), record.tags.join(", ")]);
    }
    if let Some(url) = &record.published_url {
        summary.add_row(vec!["Fact-check".to_string(), url.clone()]);
    }
    summary.add_row(vec!["Created".to_string(), record.created.to_string()]);
    writeln!(ui.out(), "{summary}")?;

    if !related.is_empty() {
        let mut table = ui.table(&["RELATED", "FIGURES", "CLAIM"]);
        for claim in related {
            table.add_row(vec![
                claim.id.clone(),
                claim.figures.clone(),
                claim.text.clone(),
            ]);
        }
        writeln!(ui.out(), "\nRelated claims with other figures\n{table}")?;
    }

    if !record.appearances.is_empty() {
        let mut table = ui.table(&["APPEARED IN", "LINE", "ATTRIBUTED TO", "EXCERPT"]);
        for a in &record.appearances {
            table.add_row(vec![
                a.document.clone(),
                a.line.map(|l| l.to_string()).unwrap_or_default(),
                a.attribution.clone().unwrap_or_default(),
                a.excerpt.clone().unwrap_or_default(),
            ]);
        }
        writeln!(ui.out(), "\nAppearances\n{table}")?;
    }

    if record.sources.is_empty() {
        writeln!(ui.out(), "\nSources: none yet")?;
    } else {
        let mut table = ui.table(&["STANCE", "ORIGIN", "PUBLISHER", "URL"]);
        for s in &record.sources {
            let stance = match (&s.withdrawn, &s.rebuttal) {
                (Some(withdrawal), _) => {
                    format!("{} (withdrawn: {})", s.stance.as_str(), withdrawal.note)
                }
                (None, Some(why)) => format!("{} (rebutted: {why})", s.stance.as_str()),
                (None, None) => s.stance.as_str().to_string(),
            };
            table.add_row(vec![
                stance,
                s.origin.clone().unwrap_or_default(),
                s.publisher.clone().unwrap_or_default(),
                s.key().to_string(),
            ]);
        }
        writeln!(
            ui.out(),
            "\nSources ({} independent supporting origin{})\n{table}",
            record.supporting_origins().len(),
            if record.supporting_origins().len() == 1 {
                ""
            } else {
                "s"
            }
        )?;
        let excerpts: Vec<String> = record
            .sources
            .iter()
            .filter_map(|s| {
                s.excerpt
                    .as_ref()
                    .map(|e| format!("{}: “{}”", s.key(), e.trim()))
            })
            .collect();
        if !excerpts.is_empty() {
            writeln!(ui.out(), "\nExcerpts\n  {}", excerpts.join("\n  "))?;
        }
        let corrections: Vec<String> = record
            .sources
            .iter()
            .flat_map(|s| s.corrections.iter().map(move |c| (s, c)))
            .map(|(source, c)| {
                let was = &c.was;
                let old: Vec<String> = [
                    ("title", &was.title),
                    ("publisher", &was.publisher),
                    ("origin", &was.origin),
                    ("excerpt", &was.excerpt),
                ]
                .into_iter()
                .filter_map(|(name, value)| value.as_ref().map(|v| format!("{name} \"{v}\"")))
                .chain(was.stance.map(|s| format!("stance {}", s.as_str())))
                .collect();
                format!(
                    "{} — {} by {}: was {} ({})",
                    source.key(),
                    c.at,
                    c.by,
                    old.join(", "),
                    c.note
                )
            })
            .collect();
        if !corrections.is_empty() {
            writeln!(ui.out(), "\nCorrections\n  {}", corrections.join("\n  "))?;
        }
    }

    let mut progress = ui.table(&["PROGRESS", ""]);
    for next in next_moves(record, policy) {
        // A published claim moves away from corroborated only as a retraction (the gate).
        let status = if next.ready && record.published && next.to != State::Corroborated {
            format!(
                "ready as a retraction: claims mark {} {} --unpublish --note \"correction: ...\"",
                record.id, next.to
            )
        } else if next.ready {
            "ready".to_string()
        } else {
            next.blocked_by.join("\n")
        };
        progress.add_row(vec![next.to.to_string(), status]);
    }
    for state in [State::Sourced, State::Corroborated, State::Disputed] {
        let items = policy.checklists.items(state);
        if items.is_empty() {
            continue;
        }
        let answered = record.checklist.get(&state);
        let marks: Vec<String> = items
            .iter()
            .map(|item| {
                let done = answered.and_then(|a| a.get(&item.item)) == Some(&true);
                format!("[{}] {}", if done { "x" } else { " " }, item.item)
            })
            .collect();
        progress.add_row(vec![format!("{state} checklist"), marks.join("  ")]);
    }
    writeln!(ui.out(), "\n{progress}")?;

    if !record.history.is_empty() {
        let mut table = ui.table(&["WHEN", "BY", "MOVE", "NOTE"]);
        for t in &record.history {
            table.add_row(vec![
                t.at.to_string(),
                t.by.clone(),
                format!("{} → {}", t.from, t.to),
                t.note.clone().unwrap_or_default(),
            ]);
        }
        writeln!(ui.out(), "\nHistory\n{table}")?;
    }
    if !record.notes.is_empty() {
        let mut table = ui.table(&["WHEN", "BY", "NOTE"]);
        for n in &record.notes {
            table.add_row(vec![n.at.to_string(), n.by.clone(), n.text.clone()]);
        }
        writeln!(ui.out(), "\nNotes\n{table}")?;
    }
    Ok(())
}
