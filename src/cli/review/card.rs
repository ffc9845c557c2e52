//! The card a reviewer reads for one claim: what was claimed and where, the evidence, how far
//! the checklist for the next state has got, and what happened lately.

use std::io;

use jiff::Timestamp;

use crate::controls::cell;
use crate::domain::policy::Policy;
use crate::domain::record::Record;
use crate::domain::state::State;
use crate::domain::workflow::{Confirmations, evidence_gaps};
use crate::ui::{Table, Ui};

use super::{kind_of_source, next_state, plural};

/// How many of the latest events the card lists.
const RECENT: usize = 4;
/// Longest excerpt shown; the full text is in `claims show`.
const EXCERPT_CHARS: usize = 240;

pub(super) fn write(
    record: &Record,
    policy: &Policy,
    position: usize,
    total: usize,
    ui: &mut Ui,
) -> io::Result<()> {
    let state = if record.published {
        format!("{} · published", record.state)
    } else {
        record.state.to_string()
    };
    let sources = (!record.sources.is_empty()).then(|| sources_table(record, ui));
    let mut card = Card::on(ui);
    let title = format!("━━ {}/{total} ━━ {} · {state} ", position + 1, record.id);
    let rule = card
        .width
        .map(|w| "━".repeat(w.saturating_sub(title.chars().count())))
        .unwrap_or_else(|| "━━".into());
    writeln!(card.out, "\n{title}{rule}")?;
    card.field("", &format!("“{}”", printable(&record.text)))?;
    if let Some(claimant) = &record.claimant {
        card.field("Claimant", &printable(claimant))?;
    }
    if !record.tags.is_empty() {
        card.field("Tags", &printable(&record.tags.join(", ")))?;
    }
    for appearance in &record.appearances {
        let mut place = printable(&appearance.document);
        if let Some(line) = appearance.line {
            place.push_str(&format!(":{line}"));
        }
        if let Some(attribution) = &appearance.attribution {
            place.push_str(&format!(" (attributed to {})", printable(attribution)));
        }
        card.field("Appeared", &place)?;
        // An extracted claim's excerpt is its own text: show it only where the wording differs.
        if let Some(excerpt) = appearance.excerpt.as_ref().filter(|e| **e != record.text) {
            card.field("", &format!("“{}”", shortened(&printable(excerpt))))?;
        }
    }
    match sources {
        None => card.field("Sources", "none yet")?,
        Some(table) => {
            let origins = record.supporting_origins().len();
            card.field(
                "Sources",
                &format!(
                    "{} ({origins} independent supporting origin{})",
                    record.sources.len(),
                    plural(origins)
                ),
            )?;
            writeln!(card.out, "{table}")?;
        }
    }
    progress(record, policy, &mut card)?;
    for (i, (at, by, what)) in recent(record).iter().enumerate() {
        card.field(
            if i == 0 { "Recent" } else { "" },
            &format!("{} {by}: {what}", at.strftime("%Y-%m-%d %H:%M")),
        )?;
    }
    Ok(())
}

fn sources_table(record: &Record, ui: &Ui) -> Table {
    let mut table = ui.table(&["STANCE", "PUBLISHER", "ORIGIN", "URL"]);
    for source in &record.sources {
        let stance = match (&source.withdrawn, &source.rebuttal) {
            (Some(_), _) => format!("{} (withdrawn)", source.stance.as_str()),
            (None, Some(_)) => format!("{} (rebutted)", source.stance.as_str()),
            (None, None) => source.stance.as_str().to_string(),
        };
        table.add_row(vec![
            stance,
            printable(source.publisher.as_deref().unwrap_or("")),
            printable(source.origin.as_deref().unwrap_or("")),
            printable(source.key()),
        ]);
    }
    table
}

/// Labelled lines, wrapped at word boundaries to the terminal's width.
pub(super) struct Card<'a> {
    out: &'a mut dyn io::Write,
    width: Option<usize>,
}

/// Where values start: after the two-space margin and the label column.
const INDENT: usize = 12;

impl Card<'_> {
    pub(super) fn on(ui: &mut Ui) -> Card<'_> {
        Card {
            width: ui.width().map(usize::from),
            out: ui.out(),
        }
    }

    /// One labelled value, on as many lines as it needs.
    pub(super) fn field(&mut self, label: &str, value: &str) -> io::Result<()> {
        let room = self
            .width
            .map_or(usize::MAX, |w| w.saturating_sub(INDENT).max(20));
        let mut line = String::new();
        let mut label = label;
        for word in value.split(' ') {
            let fits = line.chars().count() + 1 + word.chars().count() <= room;
            if !line.is_empty() && !fits {
                writeln!(self.out, "  {label:<9} {line}")?;
                label = "";
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        writeln!(self.out, "  {label:<9} {line}")
    }
}

/// Where the claim goes next and what that still needs; or its verdict.
fn progress(record: &Record, policy: &Policy, card: &mut Card<'_>) -> io::Result<()> {
    let Some(next) = next_state(record.state) else {
        let verdict = match (&record.published_url, record.published) {
            (Some(url), true) => format!("{} · published at {}", record.state, printable(url)),
            (None, true) => format!("{} · published", record.state),
            _ if record.state == State::Corroborated => {
                format!("{} · not published yet (p publishes it)", record.state)
            }
            _ => record.state.to_string(),
        };
        return card.field("Verdict", &verdict);
    };
    // The checklist is reported item by item below, so only the evidence counts here.
    let gaps = evidence_gaps(record, next, &Confirmations::all(), policy);
    let evidence = if gaps.is_empty() {
        "the evidence is there; m walks through the checklist".to_string()
    } else {
        gaps.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    };
    card.field("Next", &format!("{next}: {evidence}"))?;
    let items: Vec<(bool, &str)> = policy
        .checklists
        .required_for(next)
        .map(|(list, item)| {
            let done = record
                .checklist
                .get(&list)
                .and_then(|answers| answers.get(&item.item))
                == Some(&true);
            (done, item.item.as_str())
        })
        .collect();
    if !items.is_empty() {
        let done = items.iter().filter(|(done, _)| *done).count();
        let marks: Vec<String> = items
            .iter()
            .map(|(done, item)| format!("{}{item}", if *done { "✓" } else { "·" }))
            .collect();
        card.field(
            "",
            &format!("checklist {done}/{}: {}", items.len(), marks.join(" ")),
        )?;
    }
    Ok(())
}

/// The latest moves, notes and sources, newest first.
fn recent(record: &Record) -> Vec<(Timestamp, String, String)> {
    let moves = record.history.iter().map(|t| {
        let note = t
            .note
            .as_deref()
            .map(|n| format!(" ({})", shortened(&printable(n))))
            .unwrap_or_default();
        (
            t.at,
            name(&t.by),
            format!("moved {} → {}{note}", t.from, t.to),
        )
    });
    let notes = record.notes.iter().map(|n| {
        (
            n.at,
            name(&n.by),
            format!("note: {}", shortened(&printable(&n.text))),
        )
    });
    let sources = record.sources.iter().filter_map(|s| {
        let at = s.accessed?;
        let by = s.added_by.as_deref().map(name).unwrap_or_default();
        let origin = s.origin.as_deref().unwrap_or(s.key());
        Some((
            at,
            by,
            format!(
                "added {} source ({})",
                kind_of_source(s.stance),
                printable(origin)
            ),
        ))
    });
    let mut events: Vec<_> = moves.chain(notes).chain(sources).collect();
    // Stable sort: events of one instant keep the order the record lists them in.
    events.sort_by_key(|event| std::cmp::Reverse(event.0));
    events.truncate(RECENT);
    events
}

/// "Ana Ruiz" of "Ana Ruiz <ana@example.org>".
fn name(reviewer: &str) -> String {
    printable(reviewer.split(" <").next().unwrap_or(reviewer).trim())
}

/// Text from a record made safe to print on the card, whose fields are wrapped by their
/// width: escaped as a table's cells are (an escape shows as `\u001b`, visibly), with line
/// breaks as spaces.
fn printable(text: &str) -> String {
    cell(text).replace('\n', " ")
}

fn shortened(text: &str) -> String {
    if text.chars().count() <= EXCERPT_CHARS {
        return text.to_string();
    }
    let cut: String = text.chars().take(EXCERPT_CHARS - 1).collect();
    format!("{}…", cut.trim_end())
}
