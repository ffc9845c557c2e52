//! What each action of the workflow may change in a record: the one description the audit
//! judges every commit's `Claim-Action` against. Pure code: two versions of a record in,
//! the changes the action does not allow out.

use std::fmt;

use super::action::Action;
use super::record::{Dismissal, Record, Source, SourceFields, WithdrawnVerdict};

/// A part of a record, as the audit names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Id,
    Text,
    State,
    Published,
    PublishedUrl,
    Created,
    Claimant,
    Tags,
    Related,
    Checklist,
    Answers,
    Appearances,
    Sources,
    Notes,
    History,
    Verdict,
    WithdrawnVerdicts,
    Dismissals,
    HandAdded,
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Text => "text",
            Field::State => "state",
            Field::Published => "published",
            Field::PublishedUrl => "published_url",
            Field::Created => "created",
            Field::Claimant => "claimant",
            Field::Tags => "tags",
            Field::Related => "related",
            Field::Checklist => "checklist",
            Field::Answers => "answers",
            Field::Appearances => "appearances",
            Field::Sources => "sources",
            Field::Notes => "notes",
            Field::History => "history",
            Field::Verdict => "verdict",
            Field::WithdrawnVerdicts => "withdrawn_verdicts",
            Field::Dismissals => "dismissals",
            Field::HandAdded => "hand-added keys",
        }
    }
}

/// How an action may change one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum May {
    Keep,
    Change,
    /// Only take the value away: `published` back to false, the verdict or the list gone.
    Clear,
    /// Give another value, never none: taking the verdict away is a recorded withdrawal.
    Replace,
    /// Add entries at the end of a list, leaving the earlier ones as they were.
    Add,
    AddOne,
    /// Mark the last entry undone (dismissals only).
    UndoLast,
}

/// How an action may change the list of sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MaySources {
    Keep,
    /// Add one source, or record why one contradicting source no longer stands.
    AddOrRebutOne,
    /// Correct fields of one source, recording the values replaced.
    CorrectOne,
    /// Withdraw one source.
    WithdrawOne,
}

/// What the commit's own change says about itself, where an action's allowance depends on it.
#[derive(Debug, Clone, Copy, Default)]
struct Circumstances {
    creating: bool,
    /// The move's new history entry retracts what was published.
    retracts: bool,
    /// A dismissal was added to this record.
    dismissed: bool,
    /// ... as a duplicate of another claim, which takes its appearances.
    as_duplicate: bool,
    /// A withdrawn verdict was added to this record.
    withdraws_verdict: bool,
}

fn may(action: Action, at: Circumstances, field: Field) -> May {
    use Action::*;
    use Field::*;
    match (action, field) {
        // A new record is judged against a blank one that already has its id and date.
        (_, Id | Created) if at.creating => May::Change,
        (Create | Extract, Text | Claimant | Tags | Appearances) if at.creating => May::Change,
        (Extract, Related) if at.creating => May::Change,
        (Extract, Appearances | Related) => May::Add,
        (Transition, State | Field::Checklist) => May::Change,
        (Transition, History) => May::AddOne,
        (Transition | Action::Checklist, Answers) => May::Add,
        (Action::Checklist, Field::Checklist) => May::Change,
        (Transition, Published | Field::Verdict) if at.retracts => May::Clear,
        (Publish, Published | PublishedUrl) => May::Change,
        (Note, Notes) => May::AddOne,
        (Edit, Text | Claimant | Tags) => May::Change,
        (Dismiss, Dismissals) => May::AddOne,
        // The duplicate's appearances move to the kept claim, in the same commit.
        (Dismiss, Appearances) if at.as_duplicate => May::Clear,
        (Dismiss, Appearances) if !at.dismissed => May::Add,
        (Undismiss, Dismissals) => May::UndoLast,
        (Action::Verdict, Field::Verdict) if at.withdraws_verdict => May::Clear,
        (Action::Verdict, Field::Verdict) => May::Replace,
        (Action::Verdict, WithdrawnVerdicts) => May::AddOne,
        (Relate, Related | Notes) => May::AddOne,
        _ => May::Keep,
    }
}

fn may_sources(action: Action) -> MaySources {
    match action {
        Action::Source => MaySources::AddOrRebutOne,
        Action::SourceEdit => MaySources::CorrectOne,
        Action::SourceRemove => MaySources::WithdrawOne,
        _ => MaySources::Keep,
    }
}

fn creates(action: Action) -> bool {
    matches!(action, Action::Create | Action::Extract)
}

/// What a commit changed that its action does not allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overreach {
    pub action: Action,
    pub change: Overstep,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overstep {
    /// The commit creates a record, which its action never does.
    Creates,
    /// A new record comes with a field its action leaves blank.
    CreatedWith(Field),
    /// A field the action leaves alone changed.
    Changed(Field),
    /// Entries of a list the action may only add to were changed or removed.
    Rewritten(Field),
    /// More entries were added than the action adds.
    AddedMany { field: Field, added: usize },
    /// Entries were added to a list the action leaves alone.
    Added { field: Field, added: usize },
    /// An existing source was changed beyond what the action allows.
    SourceChanged {
        key: String,
        parts: Vec<&'static str>,
    },
    /// Sources were removed from the record (withdrawing one keeps it).
    SourcesRemoved { keys: Vec<String> },
    /// More than one source was added or changed.
    ManySources,
    /// The dismissals changed otherwise than by the last one's undoing.
    NotAnUndoing,
    /// The verdict was taken away without being kept among the withdrawn verdicts.
    VerdictDropped,
    /// The withdrawn verdict recorded is not the verdict the commit takes away.
    WithdrawnNotAsItWas,
}

impl Overreach {
    /// The audit rule it breaks. Changes of state and history keep the names the audit has
    /// always given them.
    pub fn rule(&self) -> &'static str {
        match &self.change {
            Overstep::Changed(Field::State)
            | Overstep::CreatedWith(Field::State)
            | Overstep::CreatedWith(Field::History) => "state-without-transition",
            Overstep::Changed(Field::History) | Overstep::Rewritten(Field::History) => {
                "history-rewritten"
            }
            Overstep::Added {
                field: Field::History,
                ..
            }
            | Overstep::AddedMany {
                field: Field::History,
                ..
            } => "history-mismatch",
            Overstep::Creates => "action-creates",
            _ => "action-overreach",
        }
    }
}

impl fmt::Display for Overreach {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let action = self.action;
        let commit = a(action);
        match &self.change {
            Overstep::Creates => write!(f, "creates the record, which {commit} never does"),
            Overstep::CreatedWith(Field::State) => write!(
                f,
                "creates the claim in another state than unverified; every claim starts there"
            ),
            Overstep::CreatedWith(field) => write!(
                f,
                "creates the claim with {} set; {commit} creates it unverified, \
                 with only its text, claimant, tags and appearances",
                field.as_str()
            ),
            Overstep::Changed(Field::History) | Overstep::Rewritten(Field::History) => {
                write!(f, "rewrites the record's history instead of adding to it")
            }
            Overstep::Changed(Field::State) => {
                write!(
                    f,
                    "changes the state in a commit whose action is '{action}'"
                )
            }
            Overstep::Changed(field) => write!(
                f,
                "changes {} in a commit whose action is '{action}'",
                field.as_str()
            ),
            Overstep::Rewritten(Field::Sources) => write!(
                f,
                "reorders the sources; {commit} adds new ones at the end and moves none"
            ),
            Overstep::Rewritten(field) => write!(
                f,
                "rewrites or removes earlier {}; {commit} only adds",
                field.as_str()
            ),
            Overstep::AddedMany { field, added } => write!(
                f,
                "adds {added} entries to {}; {commit} adds one",
                field.as_str()
            ),
            Overstep::Added {
                field: Field::History,
                ..
            } => write!(
                f,
                "adds a transition to the history in a commit whose action is '{action}'"
            ),
            Overstep::Added { field, added } => write!(
                f,
                "adds {added} to {} in a commit whose action is '{action}'",
                field.as_str()
            ),
            Overstep::SourceChanged { key, parts }
                if action == Action::SourceEdit
                    && parts.iter().all(|p| CORRECTABLE.contains(p)) =>
            {
                write!(
                    f,
                    "changes the {} of source {key} without recording the values replaced \
                     in its corrections",
                    parts.join(" and ")
                )
            }
            Overstep::SourceChanged { key, parts } => write!(
                f,
                "changes the {} of source {key}; {commit} may not",
                parts.join(" and ")
            ),
            Overstep::SourcesRemoved { keys } => write!(
                f,
                "deletes source {} from the record; withdrawing a source keeps it \
                 (claims source remove)",
                keys.join(", ")
            ),
            Overstep::ManySources => {
                write!(f, "adds or changes more than one source; {commit} does one")
            }
            Overstep::NotAnUndoing => write!(
                f,
                "changes the dismissals; {commit} only marks the last one undone"
            ),
            Overstep::VerdictDropped => write!(
                f,
                "takes the verdict away without keeping it among the withdrawn verdicts \
                 (claims verdict ID --withdraw --note WHY keeps it)"
            ),
            Overstep::WithdrawnNotAsItWas => write!(
                f,
                "records a withdrawn verdict other than the one it takes away"
            ),
        }
    }
}

/// "a 'note' commit", "an 'edit' commit".
fn a(action: Action) -> String {
    let article = if action.as_str().starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} '{action}' commit")
}

/// Whether `after` is what `action` may make of `before` (`None`: the record is new), and
/// every change it may not make when it is not.
pub fn permitted(
    action: Action,
    before: Option<&Record>,
    after: &Record,
) -> Result<(), Vec<Overreach>> {
    let creating = before.is_none();
    let blank;
    let before = match before {
        Some(before) => before,
        None if !creates(action) => {
            return Err(vec![Overreach {
                action,
                change: Overstep::Creates,
            }]);
        }
        None => {
            blank = Record::new(after.text.clone(), after.created);
            &blank
        }
    };
    let added_dismissal = after
        .dismissals
        .get(before.dismissals.len()..)
        .and_then(|added| added.first())
        .filter(|_| after.dismissals.starts_with(&before.dismissals));
    let added_withdrawal = after
        .withdrawn_verdicts
        .get(before.withdrawn_verdicts.len()..)
        .and_then(|added| added.first())
        .filter(|_| {
            after
                .withdrawn_verdicts
                .starts_with(&before.withdrawn_verdicts)
        });
    let at = Circumstances {
        creating,
        retracts: after
            .history
            .get(before.history.len()..)
            .is_some_and(|added| added.iter().any(|t| t.retracted.is_some())),
        dismissed: added_dismissal.is_some(),
        as_duplicate: added_dismissal.is_some_and(|d| d.duplicate_of.is_some()),
        withdraws_verdict: added_withdrawal.is_some(),
    };
    let mut found = Vec::new();
    let mut report = |change: Overstep| {
        let change = match change {
            Overstep::Changed(field)
            | Overstep::Added { field, .. }
            | Overstep::Rewritten(field)
            | Overstep::AddedMany { field, .. }
                if at.creating =>
            {
                Overstep::CreatedWith(field)
            }
            Overstep::SourceChanged { .. }
            | Overstep::SourcesRemoved { .. }
            | Overstep::ManySources
            | Overstep::NotAnUndoing
            | Overstep::VerdictDropped
            | Overstep::WithdrawnNotAsItWas
                if at.creating =>
            {
                Overstep::CreatedWith(Field::Sources)
            }
            change => change,
        };
        found.push(Overreach { action, change });
    };
    // Every field is named here, so a field added to the record cannot go unjudged.
    let Record {
        id,
        text,
        state,
        published,
        created,
        claimant,
        tags,
        published_url,
        related,
        checklist,
        answers,
        appearances,
        sources,
        notes,
        history,
        verdict,
        withdrawn_verdicts,
        dismissals,
        extra,
    } = after;
    let rule = |field| may(action, at, field);
    let mut value = |field: Field, same: bool, cleared: bool| {
        if same {
            return;
        }
        match rule(field) {
            May::Change => {}
            May::Clear if cleared => {}
            May::Replace if cleared => report(Overstep::VerdictDropped),
            May::Replace => {}
            _ => report(Overstep::Changed(field)),
        }
    };
    value(Field::Id, *id == before.id, false);
    value(Field::Text, *text == before.text, false);
    value(Field::State, *state == before.state, false);
    value(
        Field::Published,
        *published == before.published,
        !*published,
    );
    value(Field::Created, *created == before.created, false);
    value(Field::Claimant, *claimant == before.claimant, false);
    value(Field::Tags, *tags == before.tags, false);
    value(
        Field::PublishedUrl,
        *published_url == before.published_url,
        false,
    );
    value(Field::Checklist, *checklist == before.checklist, false);
    value(
        Field::Verdict,
        *verdict == before.verdict,
        verdict.is_none(),
    );
    value(Field::HandAdded, *extra == before.extra, false);
    let lists = [
        list(
            Field::Related,
            &before.related,
            related,
            rule(Field::Related),
        ),
        list(
            Field::Appearances,
            &before.appearances,
            appearances,
            rule(Field::Appearances),
        ),
        list(Field::Notes, &before.notes, notes, rule(Field::Notes)),
        list(
            Field::WithdrawnVerdicts,
            &before.withdrawn_verdicts,
            withdrawn_verdicts,
            rule(Field::WithdrawnVerdicts),
        ),
        added_withdrawal
            .filter(|added| {
                rule(Field::WithdrawnVerdicts) == May::AddOne
                    && (verdict.is_some() || !withdraws(before, added))
            })
            .map(|_| Overstep::WithdrawnNotAsItWas),
        list(
            Field::Answers,
            &before.answers,
            answers,
            rule(Field::Answers),
        ),
        list(
            Field::History,
            &before.history,
            history,
            rule(Field::History),
        ),
        match rule(Field::Dismissals) {
            May::UndoLast
                if before.dismissals != *dismissals
                    && !undoes_last(&before.dismissals, dismissals) =>
            {
                Some(Overstep::NotAnUndoing)
            }
            May::UndoLast => None,
            may => list(Field::Dismissals, &before.dismissals, dismissals, may),
        },
    ];
    for change in lists.into_iter().flatten() {
        report(change);
    }
    for change in source_changes(&before.sources, sources, may_sources(action)) {
        report(change);
    }
    found.dedup();
    if found.is_empty() { Ok(()) } else { Err(found) }
}

/// How a list changed, if more than `may` allows.
fn list<T: PartialEq>(field: Field, before: &[T], after: &[T], may: May) -> Option<Overstep> {
    if before == after || may == May::Change || (may == May::Clear && after.is_empty()) {
        return None;
    }
    if !after.starts_with(before) {
        return Some(if matches!(may, May::Keep | May::Clear) {
            Overstep::Changed(field)
        } else {
            Overstep::Rewritten(field)
        });
    }
    let added = after.len() - before.len();
    match may {
        May::Add => None,
        May::AddOne if added == 1 => None,
        May::AddOne => Some(Overstep::AddedMany { field, added }),
        _ => Some(Overstep::Added { field, added }),
    }
}

/// Whether `withdrawn` is the verdict `before` had, as it was.
fn withdraws(before: &Record, withdrawn: &WithdrawnVerdict) -> bool {
    before.verdict.as_ref() == Some(&withdrawn.verdict)
}

/// Whether the only change to the dismissals is the last one's undoing.
fn undoes_last(before: &[Dismissal], after: &[Dismissal]) -> bool {
    match (before.split_last(), after.split_last()) {
        (Some((old, earlier)), Some((new, kept))) => {
            earlier == kept
                && old.undone.is_none()
                && new.undone.is_some()
                && Dismissal {
                    undone: None,
                    ..new.clone()
                } == *old
        }
        _ => false,
    }
}

/// The changes to the sources that `may` does not allow.
fn source_changes(before: &[Source], after: &[Source], may: MaySources) -> Vec<Overstep> {
    let keys = |list: &[Source], other: &[Source]| -> Vec<String> {
        list.iter()
            .filter(|s| other.iter().any(|o| o.key() == s.key()))
            .map(|s| s.key().to_string())
            .collect()
    };
    let mut found = Vec::new();
    let removed: Vec<String> = before
        .iter()
        .filter(|b| !after.iter().any(|a| a.key() == b.key()))
        .map(|b| b.key().to_string())
        .collect();
    if !removed.is_empty() {
        found.push(Overstep::SourcesRemoved { keys: removed });
    }
    let kept_first = after
        .iter()
        .map(|a| before.iter().any(|b| b.key() == a.key()))
        .is_sorted_by(|kept, next| kept >= next);
    if keys(before, after) != keys(after, before)
        || (may == MaySources::AddOrRebutOne && !kept_first)
    {
        found.push(Overstep::Rewritten(Field::Sources));
    }
    let mut done = 0;
    for old in before {
        let Some(new) = after.iter().find(|a| a.key() == old.key()) else {
            continue;
        };
        let parts = changed_parts(old, new);
        if parts.is_empty() {
            continue;
        }
        let allowed = match may {
            MaySources::Keep => false,
            MaySources::AddOrRebutOne => parts == ["rebuttal"] && old.is_standing_contradiction(),
            MaySources::WithdrawOne => parts == ["withdrawn"] && old.withdrawn.is_none(),
            MaySources::CorrectOne => is_correction(old, new, &parts),
        };
        if allowed {
            done += 1;
        } else {
            found.push(Overstep::SourceChanged {
                key: old.key().to_string(),
                parts,
            });
        }
    }
    let added = after.len() - keys(after, before).len();
    match may {
        MaySources::Keep if added > 0 => found.push(Overstep::Added {
            field: Field::Sources,
            added,
        }),
        MaySources::AddOrRebutOne if added + done > 1 => found.push(Overstep::ManySources),
        MaySources::CorrectOne | MaySources::WithdrawOne if added > 0 => {
            found.push(Overstep::Added {
                field: Field::Sources,
                added,
            })
        }
        MaySources::CorrectOne | MaySources::WithdrawOne if done > 1 => {
            found.push(Overstep::ManySources)
        }
        _ => {}
    }
    found
}

/// The parts of a source that `claims source edit` corrects.
const CORRECTABLE: [&str; 5] = ["title", "publisher", "origin", "stance", "excerpt"];

/// Whether `new` is `old` corrected: the fields a correction may change, and one correction
/// added that names exactly those fields with the values they had.
fn is_correction(old: &Source, new: &Source, parts: &[&'static str]) -> bool {
    let Some((correction, earlier)) = new.corrections.split_last() else {
        return false;
    };
    let fields: Vec<&str> = parts
        .iter()
        .copied()
        .filter(|p| *p != "corrections")
        .collect();
    let text = |value: &Option<String>| Some(value.clone().unwrap_or_default());
    let was = SourceFields {
        title: fields
            .contains(&"title")
            .then(|| text(&old.title))
            .flatten(),
        publisher: fields
            .contains(&"publisher")
            .then(|| text(&old.publisher))
            .flatten(),
        origin: fields
            .contains(&"origin")
            .then(|| text(&old.origin))
            .flatten(),
        stance: fields.contains(&"stance").then_some(old.stance),
        excerpt: fields
            .contains(&"excerpt")
            .then(|| text(&old.excerpt))
            .flatten(),
    };
    parts.contains(&"corrections")
        && !fields.is_empty()
        && fields.iter().all(|f| CORRECTABLE.contains(f))
        && earlier == old.corrections.as_slice()
        && correction.was == was
}

/// The parts of a source that differ between two versions.
fn changed_parts(old: &Source, new: &Source) -> Vec<&'static str> {
    let Source {
        url,
        document,
        sha256,
        title,
        publisher,
        origin,
        stance,
        excerpt,
        accessed,
        added_by,
        rebuttal,
        withdrawn,
        corrections,
    } = new;
    [
        ("url", *url == old.url),
        ("document", *document == old.document),
        ("sha256", *sha256 == old.sha256),
        ("title", *title == old.title),
        ("publisher", *publisher == old.publisher),
        ("origin", *origin == old.origin),
        ("stance", *stance == old.stance),
        ("excerpt", *excerpt == old.excerpt),
        ("accessed", *accessed == old.accessed),
        ("added_by", *added_by == old.added_by),
        ("rebuttal", *rebuttal == old.rebuttal),
        ("withdrawn", *withdrawn == old.withdrawn),
        ("corrections", *corrections == old.corrections),
    ]
    .into_iter()
    .filter_map(|(part, same)| (!same).then_some(part))
    .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::domain::ClaimId;
    use crate::domain::record::WithdrawnVerdict as Withdrawn;
    use crate::domain::record::{
        Appearance, ChecklistAnswer, Correction, DismissReason, Event, Note, Retraction, Stance,
        Transition, Verdict,
    };
    use crate::domain::state::State;

    fn at(s: &str) -> jiff::Timestamp {
        s.parse().unwrap()
    }

    fn source(url: &str, stance: Stance, origin: &str) -> Source {
        Source {
            publisher: Some(origin.into()),
            origin: Some(origin.into()),
            accessed: Some(at("2026-01-02T00:00:00Z")),
            added_by: Some("Ana <ana@example.org>".into()),
            ..Source::at_url(url, stance)
        }
    }

    fn answer(confirmed: bool) -> ChecklistAnswer {
        ChecklistAnswer {
            checklist: State::Sourced,
            item: "date".into(),
            confirmed,
            reason: (!confirmed).then(|| "Undated.".into()),
            at: at("2026-01-03T00:00:00Z"),
            by: "Ana <ana@example.org>".into(),
        }
    }

    fn event(note: &str) -> Event {
        Event {
            at: at("2026-01-05T00:00:00Z"),
            by: "Ana <ana@example.org>".into(),
            note: note.into(),
        }
    }

    fn dismissal(duplicate_of: Option<&str>) -> Dismissal {
        Dismissal {
            reason: if duplicate_of.is_some() {
                DismissReason::Duplicate
            } else {
                DismissReason::OutOfScope
            },
            duplicate_of: duplicate_of.map(ClaimId::derive),
            note: None,
            at: at("2026-01-05T00:00:00Z"),
            by: "Ana <ana@example.org>".into(),
            undone: None,
        }
    }

    fn verdict(rating: &str) -> Verdict {
        Verdict {
            rating: rating.into(),
            url: "https://news.example/check".into(),
            at: at("2026-01-06T00:00:00Z"),
            by: "Ana <ana@example.org>".into(),
        }
    }

    /// Corrects the origin of the first source, recording the value replaced.
    fn correct_origin(r: &mut Record) {
        let source = &mut r.sources[0];
        source.corrections.push(Correction {
            at: at("2026-01-07T00:00:00Z"),
            by: "Ana <ana@example.org>".into(),
            note: "Wrong wire.".into(),
            was: SourceFields {
                origin: source.origin.clone(),
                ..SourceFields::default()
            },
        });
        source.origin = Some("Reuters".into());
    }

    fn note(text: &str) -> Note {
        Note {
            at: at("2026-01-03T00:00:00Z"),
            by: "Ana <ana@example.org>".into(),
            text: text.into(),
        }
    }

    fn appearance(line: u64) -> Appearance {
        Appearance {
            document: "seeds/a.txt".into(),
            line: Some(line),
            excerpt: None,
            attribution: None,
        }
    }

    fn entry(from: State, to: State) -> Transition {
        Transition {
            from,
            to,
            at: at("2026-01-04T00:00:00Z"),
            by: "Ana <ana@example.org>".into(),
            note: None,
            retracted: None,
        }
    }

    /// A record with one of everything, so that every field can be changed alone.
    fn full() -> Record {
        let mut record = Record::new(
            "The river rose 3 metres.".into(),
            at("2026-01-01T00:00:00Z"),
        );
        record.state = State::Sourced;
        record.claimant = Some("The mayor".into());
        record.tags = vec!["floods".into()];
        record.related = vec![ClaimId::derive("The river rose 4 metres.")];
        record
            .checklist
            .entry(State::Sourced)
            .or_default()
            .insert("provenance".into(), true);
        record.appearances = vec![appearance(1)];
        record.answers = vec![answer(false)];
        record.sources = vec![
            source("https://a.example/1", Stance::Supports, "A"),
            source("https://b.example/1", Stance::Contradicts, "B"),
        ];
        record.notes = vec![note("Called the council.")];
        record.history = vec![entry(State::Unverified, State::Sourced)];
        record.published = true;
        record.verdict = Some(verdict("True"));
        record.withdrawn_verdicts = vec![withdrawn(verdict("False"))];
        record.dismissals = vec![dismissal(None)];
        record
    }

    fn withdrawn(verdict: Verdict) -> Withdrawn {
        Withdrawn {
            verdict,
            withdrawn: event("Recorded on the wrong claim."),
        }
    }

    type Mutation = (&'static str, fn(&mut Record));

    /// Every field changed alone, and every way a list can change.
    const MUTATIONS: &[Mutation] = &[
        ("id", |r| r.id = ClaimId::derive("another claim")),
        ("text", |r| r.text = "The river rose 30 metres.".into()),
        ("state", |r| r.state = State::Corroborated),
        ("published", |r| r.published = false),
        ("verdict: another", |r| {
            r.verdict = Some(verdict("Mostly true"))
        }),
        ("verdict: none", |r| r.verdict = None),
        ("verdict: withdraw", |r| {
            let taken = r.verdict.take().unwrap();
            r.withdrawn_verdicts.push(withdrawn(taken));
        }),
        ("verdict: withdraw, recording another", |r| {
            r.verdict = None;
            r.withdrawn_verdicts.push(withdrawn(verdict("Misleading")));
        }),
        ("verdict: record a withdrawal and keep the verdict", |r| {
            let kept = r.verdict.clone().unwrap();
            r.withdrawn_verdicts.push(withdrawn(kept));
        }),
        ("verdict: withdraw and give another", |r| {
            let taken = r.verdict.replace(verdict("Mostly true")).unwrap();
            r.withdrawn_verdicts.push(withdrawn(taken));
        }),
        ("verdict: withdraw twice", |r| {
            let taken = r.verdict.take().unwrap();
            r.withdrawn_verdicts
                .extend([withdrawn(taken.clone()), withdrawn(taken)]);
        }),
        ("withdrawn verdicts: rewrite", |r| {
            r.withdrawn_verdicts[0].withdrawn.note = "Never withdrawn.".into()
        }),
        ("withdrawn verdicts: remove", |r| {
            r.withdrawn_verdicts.clear()
        }),
        ("retraction", |r| {
            let mut move_back = entry(State::Sourced, State::Unverified);
            move_back.retracted = Some(Retraction {
                unpublished: true,
                verdict: r.verdict.take(),
            });
            r.history.push(move_back);
            r.published = false;
        }),
        ("dismissals: add one", |r| {
            r.dismissals.push(dismissal(None))
        }),
        ("dismiss as a duplicate", |r| {
            r.dismissals
                .push(dismissal(Some("The river rose 4 metres.")));
            r.appearances.clear();
        }),
        ("appearances: moved away without a duplicate", |r| {
            r.dismissals.push(dismissal(None));
            r.appearances.clear();
        }),
        ("dismissals: undo the last", |r| {
            r.dismissals[0].undone = Some(event("Check-worthy after all."))
        }),
        ("dismissals: undo and change the reason", |r| {
            r.dismissals[0].undone = Some(event("Check-worthy after all."));
            r.dismissals[0].reason = DismissReason::NotCheckWorthy;
        }),
        ("dismissals: remove", |r| r.dismissals.clear()),
        ("published_url", |r| {
            r.published_url = Some("https://news.example/check".into())
        }),
        ("created", |r| r.created = at("2025-01-01T00:00:00Z")),
        ("claimant", |r| r.claimant = None),
        ("tags", |r| r.tags.push("weather".into())),
        ("checklist", |r| {
            r.checklist
                .entry(State::Sourced)
                .or_default()
                .insert("date".into(), true);
        }),
        ("answers: add two", |r| {
            for confirmed in [true, false] {
                r.answers.push(answer(confirmed));
            }
        }),
        ("answers: rewrite", |r| r.answers[0].confirmed = true),
        ("hand-added key", |r| {
            r.extra.insert("desk".into(), "politics".into());
        }),
        ("related: add one", |r| {
            r.related.push(ClaimId::derive("The river rose 5 metres."))
        }),
        ("related: rewrite", |r| {
            r.related[0] = ClaimId::derive("The river rose 5 metres.")
        }),
        ("appearances: add one", |r| {
            r.appearances.push(appearance(2))
        }),
        ("appearances: add two", |r| {
            r.appearances.extend([appearance(2), appearance(3)])
        }),
        ("appearances: rewrite", |r| r.appearances[0].line = Some(9)),
        ("sources: add one", |r| {
            r.sources
                .push(source("https://c.example/1", Stance::Supports, "C"))
        }),
        ("sources: add two", |r| {
            r.sources.extend([
                source("https://c.example/1", Stance::Supports, "C"),
                source("https://d.example/1", Stance::Supports, "D"),
            ])
        }),
        ("sources: rebut the contradiction", |r| {
            r.sources[1].rebuttal = Some("Retracted.".into())
        }),
        ("sources: rebut and add one", |r| {
            r.sources[1].rebuttal = Some("Retracted.".into());
            r.sources
                .push(source("https://c.example/1", Stance::Supports, "C"));
        }),
        ("sources: rebut a supporting source", |r| {
            r.sources[0].rebuttal = Some("Retracted.".into())
        }),
        ("sources: flip stance and origin", |r| {
            r.sources[1].stance = Stance::Supports;
            r.sources[1].origin = Some("C".into());
        }),
        ("sources: change an excerpt", |r| {
            r.sources[0].excerpt = Some("words".into())
        }),
        ("sources: remove one", |r| {
            r.sources.remove(1);
        }),
        ("sources: withdraw one", |r| {
            r.sources[1].withdrawn = Some(event("Retracted by the paper."))
        }),
        ("sources: withdraw two", |r| {
            r.sources[0].withdrawn = Some(event("Gone."));
            r.sources[1].withdrawn = Some(event("Gone."));
        }),
        ("sources: correct an origin", correct_origin),
        ("sources: correct without recording it", |r| {
            r.sources[0].origin = Some("Reuters".into())
        }),
        ("sources: a correction that lies about the old value", |r| {
            correct_origin(r);
            r.sources[0].corrections[0].was.origin = Some("AFP".into());
        }),
        ("sources: a correction that hides a stance change", |r| {
            correct_origin(r);
            r.sources[0].stance = Stance::Contradicts;
        }),
        ("sources: add a document", |r| {
            r.sources.push(Source {
                url: None,
                document: Some("seeds/report.txt".into()),
                sha256: Some("ab".repeat(32)),
                ..source("", Stance::Supports, "Council")
            })
        }),
        ("sources: reorder", |r| r.sources.reverse()),
        ("sources: add one in front", |r| {
            r.sources
                .insert(0, source("https://c.example/1", Stance::Supports, "C"))
        }),
        ("notes: add one", |r| {
            r.notes.push(note("Found the gauge data."))
        }),
        ("notes: add two", |r| {
            r.notes.extend([note("One."), note("Two.")])
        }),
        ("notes: rewrite an earlier one", |r| {
            r.notes[0].text = "Never called anyone.".into()
        }),
        ("notes: remove one", |r| r.notes.clear()),
        ("history: add one", |r| {
            r.history.push(entry(State::Sourced, State::Corroborated))
        }),
        ("history: add two", |r| {
            r.history.extend([
                entry(State::Sourced, State::Corroborated),
                entry(State::Corroborated, State::Disputed),
            ])
        }),
        ("history: rewrite", |r| r.history[0].from = State::Disputed),
    ];

    /// What each action may do to an existing record: the table the audit enforces.
    fn allowed(action: Action) -> &'static [&'static str] {
        match action {
            Action::Create | Action::Accept => &[],
            Action::Extract => &[
                "related: add one",
                "appearances: add one",
                "appearances: add two",
            ],
            Action::Source => &[
                "sources: add one",
                "sources: rebut the contradiction",
                "sources: add a document",
            ],
            Action::SourceEdit => &["sources: correct an origin"],
            Action::SourceRemove => &["sources: withdraw one"],
            Action::Transition => &[
                "state",
                "checklist",
                "answers: add two",
                "history: add one",
                "retraction",
            ],
            Action::Checklist => &["checklist", "answers: add two"],
            Action::Publish => &["published", "published_url"],
            Action::Note => &["notes: add one"],
            Action::Edit => &["text", "claimant", "tags"],
            // Without a dismissal of its own, the record is the kept claim of a duplicate.
            Action::Dismiss => &[
                "dismissals: add one",
                "dismiss as a duplicate",
                "appearances: add one",
                "appearances: add two",
            ],
            Action::Undismiss => &["dismissals: undo the last"],
            Action::Verdict => &["verdict: another", "verdict: withdraw"],
            Action::Relate => &["related: add one", "notes: add one"],
        }
    }

    #[test]
    fn each_action_may_change_exactly_its_own_fields() {
        for action in Action::ALL {
            let allowed: BTreeSet<&str> = allowed(action).iter().copied().collect();
            for (name, mutate) in MUTATIONS {
                let before = full();
                let mut after = full();
                mutate(&mut after);
                assert_ne!(before, after, "{name} changes nothing");
                let verdict = permitted(action, Some(&before), &after);
                if allowed.contains(name) {
                    assert_eq!(verdict, Ok(()), "{action} may {name}");
                } else {
                    let found = verdict.expect_err(&format!("{action} may not {name}"));
                    assert!(found.iter().all(|o| o.action == action), "{found:?}");
                }
            }
        }
    }

    #[test]
    fn the_table_names_only_mutations_that_exist() {
        let names: BTreeSet<&str> = MUTATIONS.iter().map(|(name, _)| *name).collect();
        for action in Action::ALL {
            for name in allowed(action) {
                assert!(names.contains(name), "{action}: {name}");
            }
        }
    }

    #[test]
    fn an_unchanged_record_is_permitted_to_every_action() {
        for action in Action::ALL {
            assert_eq!(
                permitted(action, Some(&full()), &full()),
                Ok(()),
                "{action}"
            );
        }
    }

    fn overreaches(action: Action, mutate: fn(&mut Record)) -> Vec<(String, String)> {
        let mut after = full();
        mutate(&mut after);
        permitted(action, Some(&full()), &after)
            .unwrap_err()
            .iter()
            .map(|o| (o.rule().to_string(), o.to_string()))
            .collect()
    }

    #[test]
    fn overreaches_say_what_changed() {
        assert_eq!(
            overreaches(Action::Note, |r| {
                r.notes.push(note("x"));
                r.text = "Rewritten.".into();
                r.published = false;
            }),
            [
                (
                    "action-overreach".into(),
                    "changes text in a commit whose action is 'note'".into()
                ),
                (
                    "action-overreach".into(),
                    "changes published in a commit whose action is 'note'".into()
                ),
            ]
        );
        assert_eq!(
            overreaches(Action::Note, |r| r.notes[0].text = "Other.".into()),
            [(
                "action-overreach".into(),
                "rewrites or removes earlier notes; a 'note' commit only adds".into()
            )]
        );
        assert_eq!(
            overreaches(Action::Source, |r| {
                r.sources[1].stance = Stance::Supports;
                r.sources[1].origin = Some("C".into());
            }),
            [(
                "action-overreach".into(),
                "changes the origin and stance of source https://b.example/1; \
                 a 'source' commit may not"
                    .into()
            )]
        );
        assert_eq!(
            overreaches(Action::Edit, |r| r.state = State::Disputed),
            [(
                "state-without-transition".into(),
                "changes the state in a commit whose action is 'edit'".into()
            )]
        );
        assert_eq!(
            overreaches(Action::Edit, |r| r.history[0].from = State::Disputed)[0].0,
            "history-rewritten"
        );
        assert_eq!(
            overreaches(Action::Note, |r| r
                .history
                .push(entry(State::Sourced, State::Sourced)))[0]
                .0,
            "history-mismatch"
        );
        assert_eq!(
            overreaches(Action::Verdict, |r| r.verdict = None),
            [(
                "action-overreach".into(),
                "takes the verdict away without keeping it among the withdrawn verdicts \
                 (claims verdict ID --withdraw --note WHY keeps it)"
                    .into()
            )]
        );
        assert_eq!(
            overreaches(Action::Verdict, |r| {
                r.verdict = None;
                r.withdrawn_verdicts.push(withdrawn(verdict("Misleading")));
            }),
            [(
                "action-overreach".into(),
                "records a withdrawn verdict other than the one it takes away".into()
            )]
        );
    }

    /// A new record as `claims add` makes it.
    fn new_claim() -> Record {
        let mut record = Record::new(
            "The river rose 3 metres.".into(),
            at("2026-01-01T00:00:00Z"),
        );
        record.claimant = Some("The mayor".into());
        record.tags = vec!["floods".into()];
        record.appearances = vec![appearance(1)];
        record
    }

    #[test]
    fn only_create_and_extract_create_records() {
        for action in Action::ALL {
            let verdict = permitted(action, None, &new_claim());
            if matches!(action, Action::Create | Action::Extract) {
                assert_eq!(verdict, Ok(()), "{action}");
            } else {
                let found = verdict.unwrap_err();
                assert_eq!(found.len(), 1);
                assert_eq!(found[0].change, Overstep::Creates, "{action}");
                assert_eq!(found[0].rule(), "action-creates");
            }
        }
    }

    #[test]
    fn a_new_claim_starts_bare() {
        type Set = (&'static str, fn(&mut Record), Field);
        let sets: &[Set] = &[
            ("state", |r| r.state = State::Sourced, Field::State),
            ("published", |r| r.published = true, Field::Published),
            (
                "published_url",
                |r| r.published_url = Some("https://news.example/c".into()),
                Field::PublishedUrl,
            ),
            (
                "checklist",
                |r| {
                    r.checklist.entry(State::Sourced).or_default();
                },
                Field::Checklist,
            ),
            (
                "hand-added key",
                |r| {
                    r.extra.insert("desk".into(), "x".into());
                },
                Field::HandAdded,
            ),
            (
                "sources",
                |r| {
                    r.sources
                        .push(source("https://a.example/1", Stance::Supports, "A"))
                },
                Field::Sources,
            ),
            ("notes", |r| r.notes.push(note("x")), Field::Notes),
            (
                "verdict",
                |r| r.verdict = Some(verdict("True")),
                Field::Verdict,
            ),
            (
                "withdrawn verdicts",
                |r| r.withdrawn_verdicts.push(withdrawn(verdict("True"))),
                Field::WithdrawnVerdicts,
            ),
            (
                "dismissals",
                |r| r.dismissals.push(dismissal(None)),
                Field::Dismissals,
            ),
            (
                "history",
                |r| r.history.push(entry(State::Unverified, State::Sourced)),
                Field::History,
            ),
            (
                "related",
                |r| r.related.push(ClaimId::derive("other")),
                Field::Related,
            ),
        ];
        for (name, set, field) in sets {
            let mut record = new_claim();
            set(&mut record);
            for action in [Action::Create, Action::Extract] {
                let verdict = permitted(action, None, &record);
                if action == Action::Extract && *field == Field::Related {
                    assert_eq!(verdict, Ok(()), "extract links related claims");
                    continue;
                }
                let found = verdict.expect_err(name);
                assert_eq!(
                    found.iter().map(|o| o.change.clone()).collect::<Vec<_>>(),
                    [Overstep::CreatedWith(*field)],
                    "{action} {name}"
                );
            }
        }
    }
}
