//! What each action of the workflow may change in a record: the one description the audit
//! judges every commit's `Claim-Action` against. Pure code: two versions of a record in,
//! the changes the action does not allow out.

use std::fmt;

use super::record::{Record, Source};

/// The meaning of a commit's `Claim-Action` trailer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// A new claim, unverified and without evidence.
    Create,
    /// New claims from documents, and new appearances or related claims of known ones.
    Extract,
    /// One new source, or the rebuttal of one contradicting source.
    Source,
    /// A move to another state, with its checklist answers and one history entry.
    Transition,
    /// Setting or clearing `published` and the fact-check's address.
    Publish,
    /// One reviewer note.
    Note,
    /// The claim's text, claimant and tags.
    Edit,
    /// The acknowledgement of audit findings: it changes no record.
    Accept,
}

impl Action {
    pub const ALL: [Action; 8] = [
        Action::Create,
        Action::Extract,
        Action::Source,
        Action::Transition,
        Action::Publish,
        Action::Note,
        Action::Edit,
        Action::Accept,
    ];

    /// The action a `Claim-Action` trailer names, if it is one.
    pub fn parse(trailer: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == trailer)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Extract => "extract",
            Action::Source => "source",
            Action::Transition => "transition",
            Action::Publish => "publish",
            Action::Note => "note",
            Action::Edit => "edit",
            Action::Accept => "accept",
        }
    }

    fn creates(self) -> bool {
        matches!(self, Action::Create | Action::Extract)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

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
    Appearances,
    Sources,
    Notes,
    History,
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
            Field::Appearances => "appearances",
            Field::Sources => "sources",
            Field::Notes => "notes",
            Field::History => "history",
            Field::HandAdded => "hand-added keys",
        }
    }
}

/// How an action may change one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum May {
    Keep,
    Change,
    /// Add entries at the end of a list, leaving the earlier ones as they were.
    Add,
    AddOne,
}

/// How an action may change the list of sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MaySources {
    Keep,
    /// Add one source, or record why one contradicting source no longer stands.
    AddOrRebutOne,
}

fn may(action: Action, creating: bool, field: Field) -> May {
    use Action::*;
    use Field::*;
    match (action, field) {
        // A new record is judged against a blank one that already has its id and date.
        (_, Id | Created) if creating => May::Change,
        (Create | Extract, Text | Claimant | Tags | Appearances) if creating => May::Change,
        (Extract, Related) if creating => May::Change,
        (Extract, Appearances | Related) => May::Add,
        (Transition, State | Checklist) => May::Change,
        (Transition, History) => May::AddOne,
        (Publish, Published | PublishedUrl) => May::Change,
        (Note, Notes) => May::AddOne,
        (Edit, Text | Claimant | Tags) => May::Change,
        _ => May::Keep,
    }
}

fn may_sources(action: Action) -> MaySources {
    match action {
        Action::Source => MaySources::AddOrRebutOne,
        _ => MaySources::Keep,
    }
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
        url: String,
        parts: Vec<&'static str>,
    },
    /// Sources were removed.
    SourcesRemoved { urls: Vec<String> },
    /// More than one source was added or rebutted.
    ManySources,
}

impl Overreach {
    /// The audit rule it breaks. Changes of state and history keep the names the audit has
    /// always given them.
    pub fn rule(&self) -> &'static str {
        match &self.change {
            Overstep::Changed(Field::State) | Overstep::CreatedWith(Field::State) => {
                "state-without-transition"
            }
            Overstep::CreatedWith(Field::History) => "state-without-transition",
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

    pub fn field(&self) -> Option<Field> {
        match &self.change {
            Overstep::Creates => None,
            Overstep::CreatedWith(field)
            | Overstep::Changed(field)
            | Overstep::Rewritten(field)
            | Overstep::AddedMany { field, .. }
            | Overstep::Added { field, .. } => Some(*field),
            Overstep::SourceChanged { .. } | Overstep::SourcesRemoved { .. } => {
                Some(Field::Sources)
            }
            Overstep::ManySources => Some(Field::Sources),
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
            Overstep::SourceChanged { url, parts } => write!(
                f,
                "changes the {} of source {url}; {commit} may not",
                parts.join(" and ")
            ),
            Overstep::SourcesRemoved { urls } => write!(
                f,
                "removes source {} in a commit whose action is '{action}'",
                urls.join(", ")
            ),
            Overstep::ManySources => {
                write!(f, "adds or rebuts more than one source; {commit} does one")
            }
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
        None if !action.creates() => {
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
    let mut found = Vec::new();
    let mut report = |change: Overstep| found.push(Overreach { action, change });
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
        appearances,
        sources,
        notes,
        history,
        extra,
    } = after;
    let rule = |field| may(action, creating, field);
    let mut value = |field: Field, same: bool| {
        if !same && rule(field) == May::Keep {
            report(if creating {
                Overstep::CreatedWith(field)
            } else {
                Overstep::Changed(field)
            });
        }
    };
    value(Field::Id, *id == before.id);
    value(Field::Text, *text == before.text);
    value(Field::State, *state == before.state);
    value(Field::Published, *published == before.published);
    value(Field::Created, *created == before.created);
    value(Field::Claimant, *claimant == before.claimant);
    value(Field::Tags, *tags == before.tags);
    value(Field::PublishedUrl, *published_url == before.published_url);
    value(Field::Checklist, *checklist == before.checklist);
    value(Field::HandAdded, *extra == before.extra);
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
            Field::History,
            &before.history,
            history,
            rule(Field::History),
        ),
    ];
    for change in lists.into_iter().flatten() {
        let change = match change {
            Overstep::Changed(field)
            | Overstep::Added { field, .. }
            | Overstep::Rewritten(field)
                if creating =>
            {
                Overstep::CreatedWith(field)
            }
            change => change,
        };
        report(change);
    }
    for change in source_changes(&before.sources, sources, may_sources(action)) {
        report(if creating {
            Overstep::CreatedWith(Field::Sources)
        } else {
            change
        });
    }
    found.dedup();
    if found.is_empty() { Ok(()) } else { Err(found) }
}

/// How a list changed, if more than `may` allows.
fn list<T: PartialEq>(field: Field, before: &[T], after: &[T], may: May) -> Option<Overstep> {
    if before == after || may == May::Change {
        return None;
    }
    if !after.starts_with(before) {
        return Some(if may == May::Keep {
            Overstep::Changed(field)
        } else {
            Overstep::Rewritten(field)
        });
    }
    let added = after.len() - before.len();
    match may {
        May::Keep => Some(Overstep::Added { field, added }),
        May::AddOne if added > 1 => Some(Overstep::AddedMany { field, added }),
        _ => None,
    }
}

/// The changes to the sources that `may` does not allow.
fn source_changes(before: &[Source], after: &[Source], may: MaySources) -> Vec<Overstep> {
    let mut found = Vec::new();
    let removed: Vec<String> = before
        .iter()
        .filter(|b| !after.iter().any(|a| a.url == b.url))
        .map(|b| b.url.clone())
        .collect();
    if !removed.is_empty() {
        found.push(Overstep::SourcesRemoved { urls: removed });
    }
    let mut done = 0;
    for old in before {
        let Some(new) = after.iter().find(|a| a.url == old.url) else {
            continue;
        };
        let parts = changed_parts(old, new);
        if parts.is_empty() {
            continue;
        }
        let rebuttal = parts == ["rebuttal"] && old.is_standing_contradiction();
        if may == MaySources::AddOrRebutOne && rebuttal {
            done += 1;
        } else {
            found.push(Overstep::SourceChanged {
                url: old.url.clone(),
                parts,
            });
        }
    }
    let kept = |list: &[Source], other: &[Source]| -> Vec<String> {
        list.iter()
            .filter(|s| other.iter().any(|o| o.url == s.url))
            .map(|s| s.url.clone())
            .collect()
    };
    let added = after.len() - kept(after, before).len();
    let kept_first = after
        .iter()
        .map(|a| before.iter().any(|b| b.url == a.url))
        .is_sorted_by(|kept, next| kept >= next);
    if kept(before, after) != kept(after, before)
        || (may == MaySources::AddOrRebutOne && !kept_first)
    {
        found.push(Overstep::Rewritten(Field::Sources));
    }
    match may {
        MaySources::Keep if added > 0 => found.push(Overstep::Added {
            field: Field::Sources,
            added,
        }),
        MaySources::AddOrRebutOne if added + done > 1 => found.push(Overstep::ManySources),
        _ => {}
    }
    found
}

/// The parts of a source that differ between two versions.
fn changed_parts(old: &Source, new: &Source) -> Vec<&'static str> {
    let Source {
        url: _,
        title,
        publisher,
        origin,
        stance,
        excerpt,
        accessed,
        added_by,
        rebuttal,
    } = new;
    [
        ("title", *title == old.title),
        ("publisher", *publisher == old.publisher),
        ("origin", *origin == old.origin),
        ("stance", *stance == old.stance),
        ("excerpt", *excerpt == old.excerpt),
        ("accessed", *accessed == old.accessed),
        ("added_by", *added_by == old.added_by),
        ("rebuttal", *rebuttal == old.rebuttal),
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
    use crate::domain::record::{Appearance, Note, Stance, Transition};
    use crate::domain::state::State;

    fn at(s: &str) -> jiff::Timestamp {
        s.parse().unwrap()
    }

    fn source(url: &str, stance: Stance, origin: &str) -> Source {
        Source {
            url: url.into(),
            title: None,
            publisher: Some(origin.into()),
            origin: Some(origin.into()),
            stance,
            excerpt: None,
            accessed: Some(at("2026-01-02T00:00:00Z")),
            added_by: Some("Ana <ana@example.org>".into()),
            rebuttal: None,
        }
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
        record.sources = vec![
            source("https://a.example/1", Stance::Supports, "A"),
            source("https://b.example/1", Stance::Contradicts, "B"),
        ];
        record.notes = vec![note("Called the council.")];
        record.history = vec![entry(State::Unverified, State::Sourced)];
        record
    }

    type Mutation = (&'static str, fn(&mut Record));

    /// Every field changed alone, and every way a list can change.
    const MUTATIONS: &[Mutation] = &[
        ("id", |r| r.id = ClaimId::derive("another claim")),
        ("text", |r| r.text = "The river rose 30 metres.".into()),
        ("state", |r| r.state = State::Corroborated),
        ("published", |r| r.published = true),
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
            Action::Source => &["sources: add one", "sources: rebut the contradiction"],
            Action::Transition => &["state", "checklist", "history: add one"],
            Action::Publish => &["published", "published_url"],
            Action::Note => &["notes: add one"],
            Action::Edit => &["text", "claimant", "tags"],
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
                r.published = true;
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

    #[test]
    fn trailer_names_round_trip() {
        for action in Action::ALL {
            assert_eq!(Action::parse(action.as_str()), Some(action));
        }
        assert_eq!(Action::parse("rewrite"), None);
    }
}
