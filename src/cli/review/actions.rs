//! The actions of a review. Each asks what it needs, then commits through the engine, with
//! the guards and trailers of the one-shot commands; a refusal is shown and changes nothing.

use std::collections::BTreeSet;
use std::io;

use serde::{Deserialize, Serialize};

use crate::domain::checklist::{self, Given};
use crate::domain::gate;
use crate::domain::id::ClaimId;
use crate::domain::record::{DismissReason, Record, Stance, host_of};
use crate::domain::state::State;
use crate::domain::triage::DismissRequest;
use crate::domain::workflow::{self, Confirmations, MoveRequest, Unmet, check_move};
use crate::engine::{self, ActionError, Change, Context, EditedFields, Engine, NewSource};
use crate::ui::Ui;

use super::card::Card;
use super::{CommandError, Summary, Then, interrupt, kind_of_source, next_state, plural, short_id};

/// Commits one change, holding off any signal until it is in place, and says what it did
/// (`done` describes the claim as committed). False when the engine refused: the refusal is
/// shown and nothing changed.
fn commit(
    engine: &Engine<'_>,
    id: &ClaimId,
    ui: &mut Ui,
    action: impl FnOnce(&Record, &Context<'_>) -> Result<Change, ActionError>,
    done: impl FnOnce(&Record) -> String,
) -> io::Result<bool> {
    commit_with(
        engine,
        id,
        None,
        ui,
        |record, _, cx| action(record, cx),
        done,
    )
}

/// `commit`, with a second claim for the action to consult and change in the same commit.
fn commit_with(
    engine: &Engine<'_>,
    id: &ClaimId,
    other: Option<&ClaimId>,
    ui: &mut Ui,
    action: impl FnOnce(&Record, Option<&Record>, &Context<'_>) -> Result<Change, ActionError>,
    done: impl FnOnce(&Record) -> String,
) -> io::Result<bool> {
    let committed = {
        let _whole = interrupt::hold();
        engine.change_with(id, other, action)
    };
    match committed {
        Ok((record, oid)) => {
            writeln!(ui.out(), "  ✓ {} (commit {})", done(&record), short_id(oid))?;
            Ok(true)
        }
        Err(refusal) => {
            write!(ui.out(), "{}", CommandError::from(refusal))?;
            Ok(false)
        }
    }
}

/// Asks for a web address until it is one, or Enter alone (`None`).
fn ask_url(ui: &mut Ui, prompt: &str, record: Option<&Record>) -> io::Result<Option<String>> {
    loop {
        let url = ui.prompt()?.input(prompt, None)?;
        if url.is_empty() {
            return Ok(None);
        }
        if let Err(error) = engine::check_url(&url) {
            writeln!(
                ui.out(),
                "  {error}: type the full address, or Enter to cancel"
            )?;
            continue;
        }
        if let Some(record) = record.filter(|r| r.source_named(&url).is_some()) {
            writeln!(
                ui.out(),
                "  {url} is already a source of {}: type another, or Enter to cancel",
                record.id
            )?;
            continue;
        }
        return Ok(Some(url));
    }
}

fn cancelled(ui: &mut Ui, what: &str) -> io::Result<Then> {
    writeln!(ui.out(), "  {what}: nothing changed.")?;
    Ok(Then::Stay)
}

pub(super) fn add_source(
    engine: &Engine<'_>,
    record: &Record,
    ui: &mut Ui,
    summary: &mut Summary,
) -> io::Result<Then> {
    let Some(url) = ask_url(ui, "Source URL (Enter to cancel)", Some(record))? else {
        return cancelled(ui, "no source added");
    };
    let publisher = ui.prompt()?.input("Publisher (Enter to leave out)", None)?;
    // Who first reported it decides independence; the publisher, else the site, is the
    // usual answer, so it is offered and Enter takes it.
    let default_origin = Some(publisher.clone())
        .filter(|p| !p.is_empty())
        .or_else(|| host_of(&url));
    let origin = ui
        .prompt()?
        .input("Origin: who first reported it?", default_origin.as_deref())?;
    let stances = [Stance::Supports, Stance::Contradicts];
    let items: Vec<String> = stances.iter().map(|s| s.as_str().to_string()).collect();
    let Some(stance) = ui.prompt()?.select("Stance", &items)? else {
        return cancelled(ui, "no source added");
    };
    let excerpt = ui.prompt()?.input("Excerpt (Enter to leave out)", None)?;
    let new = NewSource {
        url: Some(url),
        document: None,
        title: None,
        publisher: Some(publisher),
        origin: Some(origin),
        stance: Some(stances[stance]),
        excerpt: Some(excerpt),
    };
    let added = |record: &Record| {
        let origins = record.supporting_origins().len();
        let mut said = format!(
            "Added a {} source; {origins} independent supporting origin{} now",
            kind_of_source(stances[stance]),
            plural(origins)
        );
        // Say so when the new evidence repeats an origin already there: a reviewer who
        // expected the count to go up should know why it did not.
        if let Some((new, earlier)) = record.sources.split_last()
            && new.stance == Stance::Supports
            && earlier
                .iter()
                .any(|s| s.stance == Stance::Supports && s.origin_key() == new.origin_key())
        {
            said.push_str(&format!(
                " (its origin, {}, was already there)",
                new.origin.as_deref().unwrap_or(new.key())
            ));
        }
        said
    };
    if !commit(
        engine,
        &record.id,
        ui,
        |record, cx| engine::add_source(record, new, cx),
        added,
    )? {
        return Ok(Then::Stay);
    }
    summary.sourced.push(record.id.clone());
    Ok(Then::Refresh)
}

/// A note that stands in for the one asked for with the move, so that only the evidence
/// decides which states are offered.
const NOTE_GIVEN_WITH_THE_MOVE: &str = "(asked for with the move)";

pub(super) fn move_claim(
    engine: &Engine<'_>,
    record: &Record,
    ui: &mut Ui,
    summary: &mut Summary,
) -> io::Result<Then> {
    let policy = &engine.policy;
    let request_to = |to: State, note: Option<&str>, unpublish: bool| MoveRequest {
        to,
        note: note.map(str::to_string),
        confirmations: Confirmations::all(),
        unpublish,
    };
    // A move away from what was published is offered as the retraction it has to be: the
    // plain move would leave `claims check` failing, and the engine refuses it.
    let retracts = |to: State| {
        let plain = request_to(to, Some(NOTE_GIVEN_WITH_THE_MOVE), false);
        let moved = workflow::apply_move(record, &plain, policy, "", record.created);
        (record.published || record.verdict.is_some())
            && !gate::worsened(record, &moved, policy).is_empty()
    };
    // The checklist is walked after the choice, so it never blocks a state in advance.
    let would_need = |to: State, note: Option<&str>| {
        check_move(record, &request_to(to, note, retracts(to)), policy)
    };
    let mut open = Vec::new();
    let mut blocked = Vec::new();
    for to in State::ALL.into_iter().filter(|&to| to != record.state) {
        let unmet = would_need(to, Some(NOTE_GIVEN_WITH_THE_MOVE));
        if unmet.is_empty() {
            open.push(to);
        } else {
            let reasons: Vec<String> = unmet.iter().map(ToString::to_string).collect();
            blocked.push(format!("{to}: {}", reasons.join("; ")));
        }
    }
    let mut lines = Card::on(ui);
    for (i, why) in blocked.iter().enumerate() {
        lines.field(if i == 0 { "Blocked" } else { "" }, why)?;
    }
    if open.is_empty() {
        writeln!(
            ui.out(),
            "  No move is possible yet: add evidence with s, or a note with n."
        )?;
        return Ok(Then::Stay);
    }
    let needs_note = |to: State| {
        would_need(to, None)
            .iter()
            .any(|unmet| matches!(unmet, Unmet::Note(_)))
    };
    // The usual next step comes first, so that Enter takes it; moving back comes last.
    open.sort_by_key(|&to| {
        let depth = (to.depth(), record.state.depth());
        (
            Some(to) != next_state(record.state),
            depth.0 <= depth.1,
            depth.0 < depth.1,
        )
    });
    let items: Vec<String> = open
        .iter()
        .map(|&to| {
            let checklist = policy
                .checklists
                .required_for(to)
                .filter(|(list, item)| !checklist::is_confirmed(record, *list, &item.item))
                .count();
            let mut needs = Vec::new();
            if checklist > 0 {
                needs.push(format!("{checklist} checklist item{}", plural(checklist)));
            }
            if needs_note(to) {
                needs.push("a note".to_string());
            }
            let mut about = Vec::new();
            if to.depth() < record.state.depth() {
                about.push("back".to_string());
            }
            if retracts(to) {
                about.push("retracts what was published".to_string());
            }
            if !needs.is_empty() {
                about.push(format!("asks {}", needs.join(" and ")));
            }
            if about.is_empty() {
                to.to_string()
            } else {
                format!("{to} ({})", about.join("; "))
            }
        })
        .collect();
    let prompt = format!("Move {} from {} to (Esc cancels)", record.id, record.state);
    let Some(choice) = ui.prompt()?.select(&prompt, &items)? else {
        return cancelled(ui, "not moved");
    };
    let to = open[choice];

    let unpublish = retracts(to);
    let note = if needs_note(to) {
        let question = if unpublish {
            "The correction, published with the retraction (Enter to cancel)".to_string()
        } else {
            format!("Why move it to {to}? (Enter to cancel)")
        };
        let note = ui.prompt()?.input(&question, None)?;
        if note.is_empty() {
            return cancelled(ui, "not moved, a note is needed");
        }
        Some(note)
    } else {
        None
    };

    let questions = checklist::still_to_ask(record, to, policy);
    let mut given = Vec::new();
    let mut confirmed = BTreeSet::new();
    for (i, (_, item)) in questions.iter().enumerate() {
        let ask = policy
            .checklists
            .required_for(to)
            .find(|(_, known)| known.item == *item)
            .map_or(item.as_str(), |(_, known)| known.ask.as_str());
        let prompt = format!("[{}/{}] {ask}", i + 1, questions.len());
        if !ui.prompt()?.confirm(&prompt)? {
            writeln!(
                ui.out(),
                "  Not moved: every item of the {to} checklist must be confirmed, and '{item}' is not."
            )?;
            let reason = ui.prompt()?.input(
                &format!(
                    "What is missing for '{item}'? (kept with the answer; Enter for no reason)"
                ),
                None,
            )?;
            given.push(Given::no(item, Some(&reason)));
            if commit(
                engine,
                &record.id,
                ui,
                |record, cx| engine::answer_checklist(record, to, &given, cx),
                |_| {
                    format!(
                        "Answers kept: {} confirmed, '{item}' not; it is asked again next time",
                        given.len() - 1
                    )
                },
            )? {
                summary.noted.push(record.id.clone());
                return Ok(Then::Refresh);
            }
            return Ok(Then::Stay);
        }
        given.push(Given::yes(item));
        confirmed.insert(item.clone());
    }

    let request = MoveRequest {
        to,
        note,
        confirmations: Confirmations {
            all: false,
            items: confirmed,
        },
        unpublish,
    };
    let from = record.state;
    if !commit(
        engine,
        &record.id,
        ui,
        |record, cx| engine::move_claim(record, &request, cx),
        |moved| format!("Moved {}: {from} → {to}", moved.id),
    )? {
        return Ok(Then::Stay);
    }
    summary.moved.push((record.id.clone(), from, to));
    Ok(Then::Refresh)
}

pub(super) fn add_note(
    engine: &Engine<'_>,
    record: &Record,
    ui: &mut Ui,
    summary: &mut Summary,
) -> io::Result<Then> {
    let text = ui.prompt()?.input("Note (Enter to cancel)", None)?;
    if text.is_empty() {
        return cancelled(ui, "no note added");
    }
    if !commit(
        engine,
        &record.id,
        ui,
        |record, cx| engine::add_note(record, &text, cx),
        |noted| format!("Note added ({} in all)", noted.notes.len()),
    )? {
        return Ok(Then::Stay);
    }
    summary.noted.push(record.id.clone());
    Ok(Then::Refresh)
}

/// Sets the claim aside: asks why, which claim it duplicates if that is why, and a note.
pub(super) fn dismiss(
    engine: &Engine<'_>,
    record: &Record,
    ui: &mut Ui,
    summary: &mut Summary,
) -> io::Result<Then> {
    let reasons = DismissReason::ALL;
    let items: Vec<String> = reasons
        .iter()
        .map(|reason| match reason {
            DismissReason::NotCheckWorthy => "not check-worthy (opinion, prediction, description)",
            DismissReason::Duplicate => "duplicate of another claim",
            DismissReason::OutOfScope => "out of scope",
        })
        .map(String::from)
        .collect();
    let Some(choice) = ui
        .prompt()?
        .select(&format!("Dismiss {} as (Esc cancels)", record.id), &items)?
    else {
        return cancelled(ui, "not dismissed");
    };
    let reason = reasons[choice];
    let kept = if reason == DismissReason::Duplicate {
        loop {
            let prefix = ui
                .prompt()?
                .input("Id of the claim to keep (Enter to cancel)", None)?;
            if prefix.is_empty() {
                return cancelled(ui, "not dismissed");
            }
            match engine.store.resolve(&prefix) {
                Ok(kept) => break Some(kept),
                Err(error) => writeln!(ui.out(), "  {error}: type another, or Enter to cancel")?,
            }
        }
    } else {
        None
    };
    let note = ui.prompt()?.input("Note (Enter to leave out)", None)?;
    let request = DismissRequest {
        reason,
        duplicate_of: kept.clone(),
        note: Some(note),
    };
    if !commit_with(
        engine,
        &record.id,
        kept.as_ref(),
        ui,
        |record, kept, cx| engine::dismiss_claim(record, kept, &request, cx),
        |dismissed| match &kept {
            Some(kept) => format!("Dismissed {} as a duplicate of {kept}", dismissed.id),
            None => format!("Dismissed {} ({reason})", dismissed.id),
        },
    )? {
        return Ok(Then::Stay);
    }
    summary.dismissed.push(record.id.clone());
    Ok(Then::Next)
}

pub(super) fn publish(
    engine: &Engine<'_>,
    record: &Record,
    ui: &mut Ui,
    summary: &mut Summary,
) -> io::Result<Then> {
    if record.state != State::Corroborated {
        writeln!(
            ui.out(),
            "  Only a corroborated claim is published from here; {} is {}.",
            record.id,
            record.state
        )?;
        return Ok(Then::Stay);
    }
    if record.published {
        writeln!(ui.out(), "  {} is already published.", record.id)?;
        return Ok(Then::Stay);
    }
    let url = ask_url(
        ui,
        "URL of the published fact-check (Enter to leave out)",
        None,
    )?;
    if !ui
        .prompt()?
        .confirm(&format!("Publish {} now?", record.id))?
    {
        return cancelled(ui, "not published");
    }
    if !commit(
        engine,
        &record.id,
        ui,
        |record, cx| engine::set_published(record, true, url, false, cx),
        |published| format!("Published {}", published.id),
    )? {
        return Ok(Then::Stay);
    }
    summary.published.push(record.id.clone());
    Ok(Then::Refresh)
}

/// What the editor shows: the fields a reviewer may rewrite, as TOML.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Editable {
    text: String,
    #[serde(default)]
    claimant: String,
    #[serde(default)]
    tags: Vec<String>,
}

pub(super) fn edit(
    engine: &Engine<'_>,
    record: &Record,
    ui: &mut Ui,
    summary: &mut Summary,
) -> io::Result<Then> {
    let fields = Editable {
        text: record.text.clone(),
        claimant: record.claimant.clone().unwrap_or_default(),
        tags: record.tags.clone(),
    };
    let mut document = format!(
        "# Edit the claim's text, claimant and tags, then save and close the editor.\n\
         # Close without saving to cancel. The id stays {}, even if the text changes:\n\
         # ids are minted once, when a claim is recorded.\n\n{}",
        record.id,
        toml::to_string(&fields).map_err(io::Error::other)?
    );
    let edited = loop {
        let saved = match ui.prompt()?.edit(&document) {
            Ok(Some(saved)) => saved,
            Ok(None) => return cancelled(ui, "edit cancelled"),
            Err(error) if error.kind() == io::ErrorKind::Interrupted => return Err(error),
            Err(error) => {
                writeln!(
                    ui.out(),
                    "  Cannot run the editor: {error}. Set EDITOR (or VISUAL) to one that is installed."
                )?;
                return Ok(Then::Stay);
            }
        };
        match toml::from_str::<Editable>(&saved) {
            Ok(edited) => break edited,
            Err(error) => {
                writeln!(
                    ui.out(),
                    "  Cannot read the edit: {}",
                    error.message().trim()
                )?;
                if !ui.prompt()?.confirm("Edit again?")? {
                    return cancelled(ui, "edit dropped");
                }
                document = saved;
            }
        }
    };
    let edited = EditedFields {
        text: edited.text,
        claimant: Some(edited.claimant),
        tags: edited.tags,
    };
    if !commit(
        engine,
        &record.id,
        ui,
        |record, cx| engine::edit_claim(record, edited, cx),
        |edited| format!("Edited {}; its id stays the same", edited.id),
    )? {
        return Ok(Then::Stay);
    }
    summary.edited.push(record.id.clone());
    Ok(Then::Refresh)
}
