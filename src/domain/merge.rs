//! Three-way merge of two versions of one claim record, for git's merge driver.
//!
//! Two reviewers working on one claim in two clones mostly add things: sources, notes,
//! appearances, tags. Those are merged without asking anyone. A person is asked only where
//! the two versions really disagree: two different verdicts, or one field edited to two
//! different values.
//!
//! The rules, with `base` the common ancestor (absent when both sides created the claim
//! independently: ids come from the text, so two clones can mint the same record):
//!
//! - **Single values** (`text`, `claimant`, `published`, `published_url`, `verdict`,
//!   `created`): equal on both sides → that value; changed on one side only → that side's
//!   value; changed on both sides to different values → a disagreement (two different
//!   verdicts, say). Without a base, any difference is a disagreement, except in `created`,
//!   which then takes the earlier time (the claim was first recorded then), and in `text`
//!   written two ways that are one claim (the same text but for case, punctuation and
//!   spacing, as its id says), which keeps the wording recorded first (ours when both were
//!   recorded at once).
//! - **Lists of entries** (`sources` by url or document, `appearances` by document and
//!   line, `notes` by time, author and text, `dismissals` and `withdrawn_verdicts` by time
//!   and author, `tags`, `related`): an entry added on either side is kept; an entry one side removed and the
//!   other left alone is removed; an entry changed on one side only (a source rebutted,
//!   corrected or withdrawn, a dismissal undone) takes that change; an entry changed on both
//!   sides differently, or changed on one side and removed on the other, is a disagreement.
//!   The same url added as a source on both sides is one source when the two differ only in
//!   who attached it and when: the one attached first is kept. Our entries come first in our
//!   order, then theirs; notes, dismissals and withdrawn verdicts are then ordered by time. A list that names one
//!   entry twice (a hand edit) is left to a person rather than guessed at.
//! - **Checklist answers**, item by item, and **keys a person added by hand**, key by key,
//!   like single values, where absent is a value too: an answer given (or a key added) on
//!   one side is kept, also without a base; two different answers to one item are a
//!   disagreement.
//! - **History and state.** The history both sides share is kept as it is; the entries
//!   each side appended after it are both kept, ordered by time (ties: ours first), an entry
//!   present on both sides once. The state is the one the history before the merge had
//!   (`base`'s state, or without a base the end of the shared history) unless a side moved
//!   the claim: moved on one side → that side's state; moved on both sides to the same
//!   state → that state, with both moves in the history; moved on both sides to different
//!   states → a disagreement: two verdicts that really disagree. The merged state is
//!   therefore always one of the two sides' states, which `claims audit` requires of a merge.
//! - **Published.** A merged record that is published in a state other than corroborated,
//!   where neither side had it published in that state (one side published the claim while
//!   the other moved it away), is a disagreement: publishing was decided on a verdict the
//!   other side withdrew.
//!
//! Evidence added on one side may leave the merged state unsupported (a contradicting source
//! arriving on a claim the other side corroborated). The merge keeps both, as one branch
//! would have; `claims check` then reports the claim, as it would on one branch.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;

use super::id::{ClaimId, normalise};
use super::record::{
    Appearance, ChecklistAnswer, Dismissal, Note, Record, Source, Transition, WithdrawnVerdict,
};
use super::state::State;

/// Why two versions of a record need a person to merge them: every disagreement found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", list(.disagreements))]
pub struct Conflict {
    pub disagreements: Vec<Disagreement>,
}

/// One thing the two sides decided differently.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Disagreement {
    #[error("the two versions are records of different claims ({ours} and {theirs})")]
    DifferentClaims { ours: ClaimId, theirs: ClaimId },
    #[error("both sides moved the claim, to different states: ours to {ours}, theirs to {theirs}")]
    States { ours: State, theirs: State },
    #[error("both sides changed the {0}, differently")]
    Value(String),
    #[error("both sides changed the {what} {key}, differently")]
    Entry { what: &'static str, key: String },
    #[error("one side lists the {what} {key} more than once")]
    Duplicate { what: &'static str, key: String },
    #[error("one side published the claim while the other moved it to {0}")]
    PublishedWhileMoved(State),
}

fn list(disagreements: &[Disagreement]) -> String {
    disagreements
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Merges `ours` and `theirs`, two versions of one record descended from `base`, by the
/// rules in this module's documentation.
pub fn merge(base: Option<&Record>, ours: &Record, theirs: &Record) -> Result<Record, Conflict> {
    let mut merger = Merger::default();
    if let Some(other) = [Some(theirs), base]
        .into_iter()
        .flatten()
        .find(|r| r.id != ours.id)
    {
        merger.found(Disagreement::DifferentClaims {
            ours: ours.id.clone(),
            theirs: other.id.clone(),
        });
        return Err(merger.into_conflict());
    }
    let (state, history) = merger.state_and_history(base, ours, theirs);
    let published = merger.value(
        "published flag",
        base.map(|b| &b.published),
        &ours.published,
        &theirs.published,
    );
    if published
        && state != State::Corroborated
        && ![ours, theirs]
            .iter()
            .any(|side| side.published && side.state == state)
    {
        merger.found(Disagreement::PublishedWhileMoved(state));
    }
    let first = if theirs.created < ours.created {
        theirs
    } else {
        ours
    };
    let created = match base {
        Some(base) => merger.value(
            "creation time",
            Some(&base.created),
            &ours.created,
            &theirs.created,
        ),
        None => first.created,
    };
    // Without a base, every list started empty.
    let empty = Record::new(String::new(), Timestamp::UNIX_EPOCH);
    let lists = base.unwrap_or(&empty);
    let mut notes = merger.entries(&lists.notes, &ours.notes, &theirs.notes);
    notes.sort_by_key(|note| note.at);
    let mut answers = merger.entries(&lists.answers, &ours.answers, &theirs.answers);
    answers.sort_by_key(|answer| answer.at);
    let mut dismissals = merger.entries(&lists.dismissals, &ours.dismissals, &theirs.dismissals);
    dismissals.sort_by_key(|dismissal| dismissal.at);
    let mut withdrawn_verdicts = merger.entries(
        &lists.withdrawn_verdicts,
        &ours.withdrawn_verdicts,
        &theirs.withdrawn_verdicts,
    );
    withdrawn_verdicts.sort_by_key(|withdrawn| withdrawn.withdrawn.at);
    let merged = Record {
        id: ours.id.clone(),
        text: match base {
            None if normalise(&ours.text) == normalise(&theirs.text) => first.text.clone(),
            _ => merger.value("text", base.map(|b| &b.text), &ours.text, &theirs.text),
        },
        state,
        published,
        created,
        claimant: merger.value(
            "claimant",
            base.map(|b| &b.claimant),
            &ours.claimant,
            &theirs.claimant,
        ),
        tags: merger.entries(&lists.tags, &ours.tags, &theirs.tags),
        published_url: merger.value(
            "published url",
            base.map(|b| &b.published_url),
            &ours.published_url,
            &theirs.published_url,
        ),
        related: merger.entries(&lists.related, &ours.related, &theirs.related),
        checklist: merger.checklist(base, ours, theirs),
        answers,
        appearances: merger.entries(&lists.appearances, &ours.appearances, &theirs.appearances),
        sources: merger.entries(&lists.sources, &ours.sources, &theirs.sources),
        notes,
        history,
        verdict: merger.value(
            "verdict",
            base.map(|b| &b.verdict),
            &ours.verdict,
            &theirs.verdict,
        ),
        withdrawn_verdicts,
        dismissals,
        extra: merger.extra(base, ours, theirs),
    };
    if merger.disagreements.is_empty() {
        Ok(merged)
    } else {
        Err(merger.into_conflict())
    }
}

/// Ours when both sides agree or only theirs kept the base; theirs when only ours kept it;
/// nothing when both changed it differently.
fn three_way<'a, T: PartialEq>(base: Option<&T>, ours: &'a T, theirs: &'a T) -> Option<&'a T> {
    if ours == theirs || base == Some(theirs) {
        Some(ours)
    } else if base == Some(ours) {
        Some(theirs)
    } else {
        None
    }
}

/// An entry found on one side only: added there, kept; or removed on the other side, gone
/// if this side left it as it was, else a disagreement (`None`).
fn on_one_side<T: Clone + PartialEq>(entry: &T, before: Option<T>) -> Option<Option<T>> {
    match before {
        None => Some(Some(entry.clone())),
        Some(before) => (before == *entry).then_some(None),
    }
}

/// An entry of one of a record's lists, identified by a key that stays the same when the
/// entry is changed.
trait Entry: Clone + PartialEq {
    type Key: PartialEq;
    /// What the entry is, for messages.
    const WHAT: &'static str;
    fn key(&self) -> Self::Key;
    /// The key as a person reads it.
    fn label(&self) -> String;
    /// The one entry to keep when both sides added entries with the same key that differ,
    /// if they do not really disagree.
    fn added_on_both(_ours: &Self, _theirs: &Self) -> Option<Self> {
        None
    }
}

impl Entry for Source {
    type Key = String;
    const WHAT: &'static str = "source";
    fn key(&self) -> String {
        Source::key(self).to_string()
    }
    fn label(&self) -> String {
        Source::key(self).to_string()
    }
    /// Two reviewers who attached the same article with the same reading of it agree; only
    /// who attached it, and when, differ.
    fn added_on_both(ours: &Source, theirs: &Source) -> Option<Source> {
        let unattributed = |s: &Source| Source {
            accessed: None,
            added_by: None,
            ..s.clone()
        };
        (unattributed(ours) == unattributed(theirs)).then(|| {
            if theirs.accessed < ours.accessed {
                theirs.clone()
            } else {
                ours.clone()
            }
        })
    }
}

impl Entry for Appearance {
    type Key = (String, Option<u64>);
    const WHAT: &'static str = "appearance";
    fn key(&self) -> Self::Key {
        (self.document.clone(), self.line)
    }
    fn label(&self) -> String {
        match self.line {
            Some(line) => format!("{} line {line}", self.document),
            None => self.document.clone(),
        }
    }
}

impl Entry for Dismissal {
    type Key = (Timestamp, String);
    const WHAT: &'static str = "dismissal";
    fn key(&self) -> Self::Key {
        (self.at, self.by.clone())
    }
    fn label(&self) -> String {
        format!("by {} at {}", self.by, self.at)
    }
}

impl Entry for WithdrawnVerdict {
    type Key = (Timestamp, String);
    const WHAT: &'static str = "withdrawn verdict";
    fn key(&self) -> Self::Key {
        (self.withdrawn.at, self.withdrawn.by.clone())
    }
    fn label(&self) -> String {
        format!(
            "withdrawn by {} at {}",
            self.withdrawn.by, self.withdrawn.at
        )
    }
}

impl Entry for Note {
    type Key = Note;
    const WHAT: &'static str = "note";
    fn key(&self) -> Note {
        self.clone()
    }
    fn label(&self) -> String {
        format!("by {} at {}", self.by, self.at)
    }
}

impl Entry for ChecklistAnswer {
    type Key = ChecklistAnswer;
    const WHAT: &'static str = "checklist answer";
    fn key(&self) -> ChecklistAnswer {
        self.clone()
    }
    fn label(&self) -> String {
        format!(
            "{} {} by {} at {}",
            self.checklist, self.item, self.by, self.at
        )
    }
}

impl Entry for String {
    type Key = String;
    const WHAT: &'static str = "tag";
    fn key(&self) -> String {
        self.clone()
    }
    fn label(&self) -> String {
        self.clone()
    }
}

impl Entry for ClaimId {
    type Key = ClaimId;
    const WHAT: &'static str = "related claim";
    fn key(&self) -> ClaimId {
        self.clone()
    }
    fn label(&self) -> String {
        self.to_string()
    }
}

#[derive(Default)]
struct Merger {
    disagreements: Vec<Disagreement>,
}

impl Merger {
    fn found(&mut self, disagreement: Disagreement) {
        self.disagreements.push(disagreement);
    }

    fn into_conflict(self) -> Conflict {
        Conflict {
            disagreements: self.disagreements,
        }
    }

    /// A single value; ours stands in for a disagreement (the merge then fails anyway).
    fn value<T: Clone + PartialEq>(
        &mut self,
        name: &str,
        base: Option<&T>,
        ours: &T,
        theirs: &T,
    ) -> T {
        three_way(base, ours, theirs)
            .unwrap_or_else(|| {
                self.found(Disagreement::Value(name.to_string()));
                ours
            })
            .clone()
    }

    fn entries<T: Entry>(&mut self, base: &[T], ours: &[T], theirs: &[T]) -> Vec<T> {
        for side in [base, ours, theirs] {
            if let Some(twice) = side
                .iter()
                .enumerate()
                .find(|(i, e)| side[..*i].iter().any(|earlier| earlier.key() == e.key()))
            {
                self.found(Disagreement::Duplicate {
                    what: T::WHAT,
                    key: twice.1.label(),
                });
                return ours.to_vec();
            }
        }
        let find = |list: &'_ [T], key: &T::Key| list.iter().find(|e| &e.key() == key).cloned();
        let mut merged = Vec::new();
        for entry in ours {
            let key = entry.key();
            let before = find(base, &key);
            let outcome = match find(theirs, &key) {
                Some(other) => three_way(before.as_ref(), entry, &other)
                    .cloned()
                    .or_else(|| {
                        before
                            .is_none()
                            .then(|| T::added_on_both(entry, &other))
                            .flatten()
                    })
                    .map(Some),
                None => on_one_side(entry, before),
            };
            self.keep(&mut merged, entry, outcome);
        }
        for entry in theirs.iter().filter(|e| find(ours, &e.key()).is_none()) {
            let outcome = on_one_side(entry, find(base, &entry.key()));
            self.keep(&mut merged, entry, outcome);
        }
        merged
    }

    /// Adds what an entry came to (`None`: the sides disagree about it) to `merged`.
    fn keep<T: Entry>(&mut self, merged: &mut Vec<T>, entry: &T, outcome: Option<Option<T>>) {
        match outcome {
            Some(kept) => merged.extend(kept),
            None => self.found(Disagreement::Entry {
                what: T::WHAT,
                key: entry.label(),
            }),
        }
    }

    fn state_and_history(
        &mut self,
        base: Option<&Record>,
        ours: &Record,
        theirs: &Record,
    ) -> (State, Vec<Transition>) {
        let shared = ours
            .history
            .iter()
            .zip(&theirs.history)
            .take_while(|(o, t)| o == t)
            .count();
        let (common, our_moves) = ours.history.split_at(shared);
        let their_moves = &theirs.history[shared..];
        let mut appended: Vec<Transition> = our_moves
            .iter()
            .chain(their_moves.iter().filter(|t| !our_moves.contains(t)))
            .cloned()
            .collect();
        appended.sort_by_key(|t| t.at);
        let history = common.iter().cloned().chain(appended).collect();

        let before = base
            .map(|b| b.state)
            .or_else(|| common.last().map(|t| t.to))
            .unwrap_or(State::Unverified);
        let state = match three_way(Some(&before), &ours.state, &theirs.state) {
            Some(state) => *state,
            None => {
                self.found(Disagreement::States {
                    ours: ours.state,
                    theirs: theirs.state,
                });
                ours.state
            }
        };
        (state, history)
    }

    /// Checklist answers item by item; an item without an answer is absent.
    fn checklist(
        &mut self,
        base: Option<&Record>,
        ours: &Record,
        theirs: &Record,
    ) -> BTreeMap<State, BTreeMap<String, bool>> {
        let answer = |record: Option<&Record>, list: State, item: &str| {
            record
                .and_then(|r| r.checklist.get(&list))
                .and_then(|answers| answers.get(item))
                .copied()
        };
        let items: BTreeSet<(State, &str)> = [base, Some(ours), Some(theirs)]
            .into_iter()
            .flatten()
            .flat_map(|r| &r.checklist)
            .flat_map(|(list, answers)| answers.keys().map(|item| (*list, item.as_str())))
            .collect();
        let mut merged = BTreeMap::new();
        for (list, item) in items {
            let sides = (
                answer(base, list, item),
                answer(Some(ours), list, item),
                answer(Some(theirs), list, item),
            );
            match three_way(Some(&sides.0), &sides.1, &sides.2) {
                Some(Some(confirmed)) => {
                    merged
                        .entry(list)
                        .or_insert_with(BTreeMap::new)
                        .insert(item.to_string(), *confirmed);
                }
                Some(None) => {}
                None => self.found(Disagreement::Entry {
                    what: "checklist answer",
                    key: format!("{list}/{item}"),
                }),
            }
        }
        merged
    }

    /// Keys a person added by hand, key by key, like single values.
    fn extra(&mut self, base: Option<&Record>, ours: &Record, theirs: &Record) -> toml::Table {
        let keys: BTreeSet<&String> = [base, Some(ours), Some(theirs)]
            .into_iter()
            .flatten()
            .flat_map(|r| r.extra.keys())
            .collect();
        let mut merged = toml::Table::new();
        for key in keys {
            let value = |record: Option<&Record>| record.and_then(|r| r.extra.get(key)).cloned();
            match three_way(Some(&value(base)), &value(Some(ours)), &value(Some(theirs))) {
                Some(Some(kept)) => {
                    merged.insert(key.clone(), kept.clone());
                }
                Some(None) => {}
                None => self.found(Disagreement::Value(format!("key '{key}'"))),
            }
        }
        merged
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::record::Stance;
    use crate::domain::record::{DismissReason, Event, Verdict};

    fn at(minute: u32) -> Timestamp {
        format!("2026-02-01T10:{minute:02}:00Z").parse().unwrap()
    }

    fn source(url: &str, stance: Stance) -> Source {
        Source {
            origin: Some(url.into()),
            accessed: Some(at(1)),
            added_by: Some("Ana <ana@example.org>".into()),
            ..Source::at_url(url, stance)
        }
    }

    fn transition(from: State, to: State, minute: u32, by: &str) -> Transition {
        Transition {
            from,
            to,
            at: at(minute),
            by: by.into(),
            note: None,
            retracted: None,
        }
    }

    /// A sourced claim with something in every list.
    fn base() -> Record {
        let mut record = Record::new("The river rose 3 metres.".into(), at(0));
        record.claimant = Some("The mayor".into());
        record.tags = vec!["floods".into()];
        record.related = vec![ClaimId::derive("The river rose 4 metres.")];
        record
            .checklist
            .entry(State::Sourced)
            .or_default()
            .insert("provenance".into(), true);
        record.appearances.push(Appearance {
            document: "seeds/a.txt".into(),
            line: Some(1),
            excerpt: Some("rose 3 metres".into()),
            attribution: None,
        });
        record
            .sources
            .push(source("https://base.example/a", Stance::Supports));
        record.notes.push(Note {
            at: at(0),
            by: "Ana <ana@example.org>".into(),
            text: "Base note.".into(),
        });
        record.history.push(transition(
            State::Unverified,
            State::Sourced,
            0,
            "Ana <ana@example.org>",
        ));
        record.state = State::Sourced;
        record
    }

    /// What one side may do to one part of a record.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Part {
        Text,
        Claimant,
        State,
        Source,
        Note,
        Appearance,
        Tag,
        Related,
        Checklist,
        HandKey,
    }

    const PARTS: [Part; 10] = [
        Part::Text,
        Part::Claimant,
        Part::State,
        Part::Source,
        Part::Note,
        Part::Appearance,
        Part::Tag,
        Part::Related,
        Part::Checklist,
        Part::HandKey,
    ];

    impl Part {
        /// Applies change number `n` (1 or 2: two different changes) to `record`.
        fn apply(self, record: &mut Record, n: u32) {
            let who = format!("Reviewer {n}");
            match self {
                Part::Text => record.text = format!("The river rose 3 metres (wording {n})."),
                Part::Claimant => record.claimant = Some(format!("Claimant {n}")),
                Part::State => {
                    let to = if n == 1 {
                        State::Corroborated
                    } else {
                        State::Disputed
                    };
                    record
                        .history
                        .push(transition(record.state, to, 10 + n, &who));
                    record.state = to;
                }
                Part::Source => record
                    .sources
                    .push(source(&format!("https://s{n}.example/a"), Stance::Supports)),
                Part::Note => record.notes.push(Note {
                    at: at(20 + n),
                    by: who,
                    text: format!("Note {n}."),
                }),
                Part::Appearance => record.appearances.push(Appearance {
                    document: format!("seeds/{n}.txt"),
                    line: Some(2),
                    excerpt: None,
                    attribution: None,
                }),
                Part::Tag => record.tags.push(format!("tag-{n}")),
                Part::Related => record
                    .related
                    .push(ClaimId::derive(&format!("Related claim {n}."))),
                Part::Checklist => {
                    record
                        .checklist
                        .entry(State::Corroborated)
                        .or_default()
                        .insert("independence".into(), n == 1);
                }
                Part::HandKey => {
                    record
                        .extra
                        .insert("desk".into(), toml::Value::String(format!("desk {n}")));
                }
            }
        }

        /// Whether two different changes to this part disagree (else both are kept).
        fn two_changes_disagree(self) -> bool {
            matches!(
                self,
                Part::Text | Part::Claimant | Part::State | Part::Checklist | Part::HandKey
            )
        }
    }

    /// Which side changed a part.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Changed {
        Neither,
        Ours,
        Theirs,
        BothAlike,
        BothDifferently,
    }

    const CHANGED: [Changed; 5] = [
        Changed::Neither,
        Changed::Ours,
        Changed::Theirs,
        Changed::BothAlike,
        Changed::BothDifferently,
    ];

    /// Builds ours, theirs and the expected merge (None: a conflict with this many
    /// disagreements) for a set of parts and who changed each.
    fn case(changes: &[(Part, Changed)]) -> (Record, Record, Result<Record, usize>) {
        let (mut ours, mut theirs, mut expected) = (base(), base(), base());
        let mut disagreements = 0;
        for &(part, changed) in changes {
            match changed {
                Changed::Neither => {}
                Changed::Ours => {
                    part.apply(&mut ours, 1);
                    part.apply(&mut expected, 1);
                }
                Changed::Theirs => {
                    part.apply(&mut theirs, 2);
                    part.apply(&mut expected, 2);
                }
                Changed::BothAlike => {
                    part.apply(&mut ours, 1);
                    part.apply(&mut theirs, 1);
                    part.apply(&mut expected, 1);
                }
                Changed::BothDifferently => {
                    part.apply(&mut ours, 1);
                    part.apply(&mut theirs, 2);
                    part.apply(&mut expected, 1);
                    part.apply(&mut expected, 2);
                    disagreements += usize::from(part.two_changes_disagree());
                }
            }
        }
        let expected = if disagreements == 0 {
            Ok(expected)
        } else {
            Err(disagreements)
        };
        (ours, theirs, expected)
    }

    #[test]
    fn every_combination_of_sides_changing_up_to_three_parts() {
        let mut cases = 0;
        for (i, &a) in PARTS.iter().enumerate() {
            for (j, &b) in PARTS.iter().enumerate().skip(i + 1) {
                for &c in PARTS.iter().skip(j + 1) {
                    for ca in CHANGED {
                        for cb in CHANGED {
                            for cc in CHANGED {
                                let changes = [(a, ca), (b, cb), (c, cc)];
                                let (ours, theirs, expected) = case(&changes);
                                let got = merge(Some(&base()), &ours, &theirs);
                                match (&got, expected) {
                                    (Ok(merged), Ok(expected)) => {
                                        assert_eq!(merged, &expected, "{changes:?}");
                                        let written = merged.to_toml();
                                        let read: Record = toml::from_str(&written).unwrap();
                                        assert_eq!(&read, merged, "{changes:?}");
                                    }
                                    (Err(conflict), Err(count)) => {
                                        assert_eq!(
                                            conflict.disagreements.len(),
                                            count,
                                            "{changes:?}: {conflict}"
                                        )
                                    }
                                    (got, expected) => {
                                        panic!("{changes:?}: got {got:?}, expected {expected:?}")
                                    }
                                }
                                cases += 1;
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(cases, 120 * 125);
    }

    #[test]
    fn merging_is_symmetric_but_for_order() {
        for part in PARTS {
            for changed in CHANGED {
                let (ours, theirs, _) = case(&[(part, changed)]);
                let there = merge(Some(&base()), &ours, &theirs);
                let back = merge(Some(&base()), &theirs, &ours);
                assert_eq!(there.is_ok(), back.is_ok(), "{part:?} {changed:?}");
                if let (Ok(mut there), Ok(mut back)) = (there, back) {
                    for record in [&mut there, &mut back] {
                        record.sources.sort_by(|a, b| a.url.cmp(&b.url));
                        record.appearances.sort_by_key(Entry::key);
                        record.tags.sort();
                        record.related.sort();
                    }
                    assert_eq!(there, back, "{part:?} {changed:?}");
                }
            }
        }
    }

    #[test]
    fn two_different_verdicts_are_named() {
        let (ours, theirs, _) = case(&[(Part::State, Changed::BothDifferently)]);
        let conflict = merge(Some(&base()), &ours, &theirs).unwrap_err();
        assert_eq!(
            conflict.disagreements,
            [Disagreement::States {
                ours: State::Corroborated,
                theirs: State::Disputed
            }]
        );
        assert_eq!(
            conflict.to_string(),
            "both sides moved the claim, to different states: ours to corroborated, theirs to disputed"
        );
    }

    fn verdict(rating: &str, minute: u32) -> Verdict {
        Verdict {
            rating: rating.into(),
            url: format!("https://factcheck.example/{minute}"),
            at: at(minute),
            by: "Ana".into(),
        }
    }

    fn dismissal(minute: u32) -> Dismissal {
        Dismissal {
            reason: DismissReason::OutOfScope,
            duplicate_of: None,
            note: None,
            at: at(minute),
            by: "Ana".into(),
            undone: None,
        }
    }

    #[test]
    fn a_dismissal_on_one_side_and_a_source_on_the_other_merge() {
        let (mut ours, mut theirs) = (base(), base());
        ours.dismissals.push(dismissal(30));
        Part::Source.apply(&mut theirs, 2);
        for (a, b) in [(&ours, &theirs), (&theirs, &ours)] {
            let merged = merge(Some(&base()), a, b).unwrap();
            assert!(merged.is_dismissed());
            assert_eq!(merged.sources.len(), base().sources.len() + 1);
        }
        // Undone on one side while the other added a source: undone, with the source.
        let mut dismissed = base();
        dismissed.dismissals.push(dismissal(30));
        let mut undone = dismissed.clone();
        undone.dismissals[0].undone = Some(Event {
            at: at(40),
            by: "Ben".into(),
            note: "in scope after all".into(),
        });
        let mut sourced = dismissed.clone();
        Part::Source.apply(&mut sourced, 3);
        let merged = merge(Some(&dismissed), &undone, &sourced).unwrap();
        assert!(!merged.is_dismissed());
        assert_eq!(merged.sources.len(), dismissed.sources.len() + 1);
    }

    #[test]
    fn a_verdict_withdrawn_on_one_side_merges_with_evidence_but_not_with_another_verdict() {
        let mut rated = base();
        rated.verdict = Some(verdict("True", 30));
        let mut withdrawn = rated.clone();
        withdrawn.withdrawn_verdicts.push(WithdrawnVerdict {
            verdict: withdrawn.verdict.take().unwrap(),
            withdrawn: Event {
                at: at(40),
                by: "Ben".into(),
                note: "the page was taken down".into(),
            },
        });
        let mut sourced = rated.clone();
        Part::Source.apply(&mut sourced, 3);
        for (a, b) in [(&withdrawn, &sourced), (&sourced, &withdrawn)] {
            let merged = merge(Some(&rated), a, b).unwrap();
            assert_eq!(merged.verdict, None);
            assert_eq!(merged.withdrawn_verdicts, withdrawn.withdrawn_verdicts);
            assert_eq!(merged.sources.len(), rated.sources.len() + 1);
        }
        let mut rerated = rated.clone();
        rerated.verdict = Some(verdict("Mostly true", 41));
        assert_eq!(
            merge(Some(&rated), &withdrawn, &rerated)
                .unwrap_err()
                .disagreements,
            [Disagreement::Value("verdict".into())]
        );
    }

    #[test]
    fn two_different_published_verdicts_conflict_and_one_is_kept() {
        let (mut ours, mut theirs) = (base(), base());
        ours.verdict = Some(verdict("True", 30));
        theirs.verdict = Some(verdict("Mostly true", 31));
        assert_eq!(
            merge(Some(&base()), &ours, &theirs)
                .unwrap_err()
                .disagreements,
            [Disagreement::Value("verdict".into())]
        );
        let merged = merge(Some(&base()), &ours, &base()).unwrap();
        assert_eq!(merged.verdict, ours.verdict);
        theirs.verdict = ours.verdict.clone();
        assert_eq!(
            merge(Some(&base()), &ours, &theirs).unwrap().verdict,
            ours.verdict
        );
    }

    #[test]
    fn a_withdrawn_source_on_one_side_stays_withdrawn() {
        let mut withdrawn = base();
        withdrawn.sources[0].withdrawn = Some(Event {
            at: at(30),
            by: "Ana".into(),
            note: "a copy".into(),
        });
        let mut other = base();
        Part::Note.apply(&mut other, 2);
        Part::Source.apply(&mut other, 3);
        for (a, b) in [(&withdrawn, &other), (&other, &withdrawn)] {
            let merged = merge(Some(&base()), a, b).unwrap();
            assert!(merged.sources[0].withdrawn.is_some(), "{merged:?}");
            assert_eq!(merged.evidence().count(), base().sources.len());
        }
        // Withdrawn on one side and corrected on the other: a person decides.
        let mut corrected = base();
        corrected.sources[0].publisher = Some("Corrected".into());
        assert!(merge(Some(&base()), &withdrawn, &corrected).is_err());
    }

    #[test]
    fn both_moves_to_one_state_are_kept_in_time_order() {
        let (mut ours, mut theirs) = (base(), base());
        ours.history
            .push(transition(State::Sourced, State::Corroborated, 30, "Ana"));
        theirs
            .history
            .push(transition(State::Sourced, State::Corroborated, 20, "Ben"));
        ours.state = State::Corroborated;
        theirs.state = State::Corroborated;
        let merged = merge(Some(&base()), &ours, &theirs).unwrap();
        let by: Vec<&str> = merged.history.iter().map(|t| t.by.as_str()).collect();
        assert_eq!(by, ["Ana <ana@example.org>", "Ben", "Ana"]);
        assert_eq!(merged.state, State::Corroborated);

        // At the same time: ours first, whichever side is ours.
        theirs.history[1].at = at(30);
        let by = |r: Record| r.history.iter().map(|t| t.by.clone()).collect::<Vec<_>>();
        assert_eq!(
            by(merge(Some(&base()), &ours, &theirs).unwrap())[1..],
            ["Ana", "Ben"]
        );
        assert_eq!(
            by(merge(Some(&base()), &theirs, &ours).unwrap())[1..],
            ["Ben", "Ana"]
        );
    }

    #[test]
    fn a_move_made_on_both_sides_is_kept_once() {
        let mut moved = base();
        moved
            .history
            .push(transition(State::Sourced, State::Corroborated, 30, "Ana"));
        moved.state = State::Corroborated;
        let mut also_noted = moved.clone();
        Part::Note.apply(&mut also_noted, 1);
        // A cherry-picked move after a move back on our side: the histories diverge early.
        let mut ours = base();
        ours.history
            .push(transition(State::Sourced, State::Unverified, 5, "Ben"));
        ours.history
            .push(transition(State::Unverified, State::Sourced, 6, "Ben"));
        ours.history.push(moved.history[1].clone());
        ours.state = State::Corroborated;
        let merged = merge(Some(&base()), &ours, &also_noted).unwrap();
        assert_eq!(merged.history.len(), 4, "{:?}", merged.history);
        assert_eq!(merged.notes.len(), 2);
    }

    #[test]
    fn a_side_that_moved_and_moved_back_did_not_change_the_state() {
        let mut ours = base();
        ours.history
            .push(transition(State::Sourced, State::Corroborated, 10, "Ana"));
        ours.history
            .push(transition(State::Corroborated, State::Sourced, 12, "Ana"));
        let (_, theirs, _) = case(&[(Part::State, Changed::Theirs)]);
        let merged = merge(Some(&base()), &ours, &theirs).unwrap();
        assert_eq!(merged.state, State::Disputed);
        assert_eq!(merged.history.len(), 4);
        assert!(merged.history.windows(2).all(|w| w[0].at <= w[1].at));
    }

    #[test]
    fn a_rebuttal_on_one_side_is_kept_beside_evidence_from_the_other() {
        let mut base = base();
        base.sources
            .push(source("https://no.example/a", Stance::Contradicts));
        let mut ours = base.clone();
        ours.sources[1].rebuttal = Some("Retracted.".into());
        let mut theirs = base.clone();
        Part::Source.apply(&mut theirs, 2);
        let merged = merge(Some(&base), &ours, &theirs).unwrap();
        assert_eq!(merged.sources.len(), 3);
        assert_eq!(merged.sources[1].rebuttal.as_deref(), Some("Retracted."));
        assert_eq!(merged.standing_contradictions().count(), 0);

        theirs.sources[1].rebuttal = Some("Corrected next day.".into());
        let conflict = merge(Some(&base), &ours, &theirs).unwrap_err();
        assert_eq!(
            conflict.disagreements,
            [Disagreement::Entry {
                what: "source",
                key: "https://no.example/a".into()
            }]
        );
    }

    #[test]
    fn one_url_attached_on_both_sides_is_one_source_unless_they_read_it_differently() {
        let mut ours = base();
        let mut theirs = base();
        let mut first = source("https://same.example/a", Stance::Supports);
        first.accessed = Some(at(40));
        let mut second = first.clone();
        second.accessed = Some(at(35));
        second.added_by = Some("Ben <ben@example.org>".into());
        ours.sources.push(first);
        theirs.sources.push(second.clone());
        let merged = merge(Some(&base()), &ours, &theirs).unwrap();
        assert_eq!(merged.sources.len(), 2);
        assert_eq!(merged.sources[1], second, "the one attached first is kept");

        theirs.sources[1].stance = Stance::Contradicts;
        assert!(merge(Some(&base()), &ours, &theirs).is_err());
        theirs.sources[1].stance = Stance::Supports;
        theirs.sources[1].origin = Some("Another wire".into());
        assert!(merge(Some(&base()), &ours, &theirs).is_err());
    }

    #[test]
    fn removals_on_one_side_stand_unless_the_other_side_changed_the_entry() {
        let mut ours = base();
        ours.tags.clear();
        ours.appearances.clear();
        let theirs = base();
        let merged = merge(Some(&base()), &ours, &theirs).unwrap();
        assert!(merged.tags.is_empty() && merged.appearances.is_empty());
        let merged = merge(Some(&base()), &theirs, &ours).unwrap();
        assert!(merged.tags.is_empty() && merged.appearances.is_empty());

        let mut theirs = base();
        theirs.appearances[0].attribution = Some("Reuters".into());
        for (a, b) in [(&ours, &theirs), (&theirs, &ours)] {
            let conflict = merge(Some(&base()), a, b).unwrap_err();
            assert_eq!(
                conflict.disagreements,
                [Disagreement::Entry {
                    what: "appearance",
                    key: "seeds/a.txt line 1".into()
                }]
            );
        }
    }

    #[test]
    fn an_entry_listed_twice_is_left_to_a_person() {
        let mut ours = base();
        ours.sources.push(ours.sources[0].clone());
        ours.sources[1].title = Some("Same url, other title".into());
        let conflict = merge(Some(&base()), &ours, &base()).unwrap_err();
        assert_eq!(
            conflict.disagreements,
            [Disagreement::Duplicate {
                what: "source",
                key: "https://base.example/a".into()
            }]
        );
    }

    #[test]
    fn publishing_a_verdict_the_other_side_withdrew_disagrees() {
        let mut corroborated = base();
        Part::State.apply(&mut corroborated, 1);
        let mut published = corroborated.clone();
        published.published = true;
        let mut disputed = corroborated.clone();
        disputed
            .sources
            .push(source("https://no.example/a", Stance::Contradicts));
        disputed
            .history
            .push(transition(State::Corroborated, State::Disputed, 50, "Ben"));
        disputed.state = State::Disputed;
        assert_eq!(
            merge(Some(&corroborated), &published, &disputed)
                .unwrap_err()
                .disagreements,
            [Disagreement::PublishedWhileMoved(State::Disputed)]
        );
        // Published on one side, a note on the other: published.
        let mut noted = corroborated.clone();
        Part::Note.apply(&mut noted, 2);
        let merged = merge(Some(&corroborated), &noted, &published).unwrap();
        assert!(merged.published && merged.notes.len() == 2);
        // Published (forced) while unverified on both sides stays as it was decided.
        let mut forced = base();
        forced.published = true;
        assert!(merge(Some(&base()), &forced, &noted_base()).is_ok());
    }

    fn noted_base() -> Record {
        let mut record = base();
        Part::Note.apply(&mut record, 2);
        record
    }

    #[test]
    fn without_a_base_both_sides_are_additions() {
        let mut ours = base();
        let mut theirs = base();
        theirs.created = at(5);
        ours.created = at(7);
        Part::Source.apply(&mut ours, 1);
        Part::Source.apply(&mut theirs, 2);
        Part::Checklist.apply(&mut theirs, 1);
        Part::HandKey.apply(&mut ours, 1);
        let merged = merge(None, &ours, &theirs).unwrap();
        assert_eq!(merged.created, at(5), "the earlier creation");
        assert_eq!(merged.sources.len(), 3);
        assert!(merged.checklist[&State::Corroborated]["independence"]);
        assert!(merged.extra.contains_key("desk"));
        assert_eq!(merged.state, State::Sourced);

        // One claim written two ways: the wording recorded first.
        theirs.text = "the river rose 3 metres".into();
        assert_eq!(merge(None, &ours, &theirs).unwrap().text, theirs.text);
        assert_eq!(merge(None, &theirs, &ours).unwrap().text, theirs.text);

        // Two states after the shared history, two texts: disagreements.
        Part::State.apply(&mut ours, 1);
        Part::State.apply(&mut theirs, 2);
        Part::Text.apply(&mut ours, 1);
        let conflict = merge(None, &ours, &theirs).unwrap_err();
        assert_eq!(conflict.disagreements.len(), 2, "{conflict}");
        // One side moved from the shared history: its state.
        let mut moved = base();
        Part::State.apply(&mut moved, 1);
        let merged = merge(None, &moved, &base()).unwrap();
        assert_eq!(merged.state, State::Corroborated);
    }

    #[test]
    fn records_of_different_claims_are_not_merged() {
        let other = Record::new("Something else entirely.".into(), at(0));
        let conflict = merge(Some(&base()), &base(), &other).unwrap_err();
        assert!(matches!(
            conflict.disagreements[..],
            [Disagreement::DifferentClaims { .. }]
        ));
        let conflict = merge(Some(&other), &base(), &base()).unwrap_err();
        assert!(matches!(
            conflict.disagreements[..],
            [Disagreement::DifferentClaims { .. }]
        ));
    }

    #[test]
    fn every_disagreement_is_listed() {
        let (ours, theirs, _) = case(&[
            (Part::Text, Changed::BothDifferently),
            (Part::Claimant, Changed::BothDifferently),
            (Part::Checklist, Changed::BothDifferently),
            (Part::HandKey, Changed::BothDifferently),
        ]);
        let message = merge(Some(&base()), &ours, &theirs)
            .unwrap_err()
            .to_string();
        assert_eq!(
            message,
            "both sides changed the text, differently; both sides changed the claimant, \
             differently; both sides changed the checklist answer corroborated/independence, \
             differently; both sides changed the key 'desk', differently"
        );
    }
}
