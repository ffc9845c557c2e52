//! The operations of the workflow, shared by the one-shot commands and the interactive
//! review: each turns a record into its next version and the message of the commit that
//! records the change, and `Engine::change` commits it under the writers' lock.

use git2::Oid;
use jiff::Timestamp;

use crate::controls::{ControlCharacter, multi_line, one_line};
use crate::domain::action::Action;
use crate::domain::checklist::{self, Given};
use crate::domain::gate::{self, GateRule, RefusedChange};
use crate::domain::id::ClaimId;
use crate::domain::policy::Policy;
use crate::domain::record::{Note, Record, Source, Stance, host_of};
use crate::domain::state::State;
use crate::domain::triage::{self, DismissRequest, SourceEdit, TriageError};
use crate::domain::workflow::{self, MoveRequest, Unmet};
use crate::store::{CommitMessage, FileChange, Reviewer, Store, StoreError, now};

#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    /// A guard said no: the answer to the request is "not yet".
    #[error("cannot move {id} from {from} to {to}")]
    Refused {
        id: ClaimId,
        from: State,
        to: State,
        unmet: Vec<Unmet>,
    },
    /// Publishing a claim that is not corroborated, without `--force`.
    #[error("cannot publish {id}: it is {state}, not corroborated")]
    PublishRefused { id: ClaimId, state: State },
    /// The change would turn `claims check` red for this claim.
    #[error("refused: this would leave {id} failing `claims check`")]
    GateRefused {
        id: ClaimId,
        rules: Vec<GateRule>,
        change: RefusedChange,
    },
    /// A triage, correction or verdict rule said no, or the request was wrong.
    #[error("{error}")]
    Triage { id: ClaimId, error: TriageError },
    /// The request itself is wrong (a bad URL, an unknown checklist item…).
    #[error("{message}")]
    Invalid {
        message: String,
        hint: Option<String>,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ActionError {
    fn invalid(message: impl Into<String>, hint: impl Into<String>) -> ActionError {
        ActionError::Invalid {
            message: message.into(),
            hint: Some(hint.into()),
        }
    }
}

/// A change ready to commit: the record's next version and what the commit says.
pub struct Change {
    pub record: Record,
    /// Another record the same commit changes (the claim a duplicate is folded into).
    pub also: Option<Record>,
    pub message: CommitMessage,
    /// `publish --force`: the one change allowed to turn the gate red, said so in its commit.
    pub overrides_gate: bool,
}

impl Change {
    fn new(record: Record, message: CommitMessage) -> Change {
        Change {
            record,
            also: None,
            message,
            overrides_gate: false,
        }
    }
}

fn triage_error(record: &Record) -> impl FnOnce(TriageError) -> ActionError + '_ {
    |error| ActionError::Triage {
        id: record.id.clone(),
        error,
    }
}

/// Who is acting, under which policy, at what time.
pub struct Engine<'s> {
    pub store: &'s Store,
    pub policy: Policy,
    pub reviewer: Reviewer,
}

impl<'s> Engine<'s> {
    pub fn new(store: &'s Store, reviewer: Option<&str>) -> Result<Engine<'s>, StoreError> {
        Ok(Engine {
            policy: store.policy()?,
            reviewer: store.reviewer(reviewer)?,
            store,
        })
    }

    /// Applies `action` to the current committed version of a claim and commits the result:
    /// exactly one commit, containing only that record. The record is read under the lock,
    /// so a concurrent writer's change is never overwritten.
    pub fn change(
        &self,
        id: &ClaimId,
        action: impl FnOnce(&Record, &Context<'_>) -> Result<Change, ActionError>,
    ) -> Result<(Record, Oid), ActionError> {
        self.change_with(id, None, |record, _, cx| action(record, cx))
    }

    /// Like `change`, with a second claim read under the same lock for the action to
    /// consult and, if it returns it changed, commit in the same commit. Every record the
    /// change touches is judged by the gate: a change that would leave `claims check` failing
    /// where it passed is refused, whatever the action.
    pub fn change_with(
        &self,
        id: &ClaimId,
        other: Option<&ClaimId>,
        action: impl FnOnce(&Record, Option<&Record>, &Context<'_>) -> Result<Change, ActionError>,
    ) -> Result<(Record, Oid), ActionError> {
        let writer = self.store.writer()?;
        let current = writer.read_for_update(id)?;
        let other = other
            .map(|other| writer.read_for_update(other))
            .transpose()?;
        let context = Context {
            policy: &self.policy,
            reviewer: &self.reviewer,
            at: now(),
        };
        let change = action(&current, other.as_ref(), &context)?;
        if !change.overrides_gate {
            let pairs = [
                (Some(&current), Some(&change.record)),
                (other.as_ref(), change.also.as_ref()),
            ];
            for (before, after) in pairs {
                let (Some(before), Some(after)) = (before, after) else {
                    continue;
                };
                let rules = gate::worsened(before, after, &self.policy);
                if !rules.is_empty() {
                    return Err(ActionError::GateRefused {
                        id: after.id.clone(),
                        rules,
                        change: RefusedChange::between(before, after),
                    });
                }
            }
        }
        let mut files = vec![FileChange::record(&change.record)];
        files.extend(change.also.as_ref().map(FileChange::record));
        let oid = writer.commit(&files, &change.message, &self.reviewer, context.at)?;
        Ok((change.record, oid))
    }

    /// Records a new claim; fails if a claim with the same text exists.
    pub fn create(&self, record: Record) -> Result<Oid, ActionError> {
        let writer = self.store.writer()?;
        let path = record.id.record_path();
        if !writer.ensure_absent(&path)? {
            return Err(StoreError::AlreadyExists(record.id.to_string()).into());
        }
        let message = CommitMessage {
            subject: format!("Add claim {}: {}", record.id, summary(&record.text)),
            body: None,
            trailers: trailers(&record.id, Action::Create),
        };
        Ok(writer.commit(
            &[FileChange::record(&record)],
            &message,
            &self.reviewer,
            record.created,
        )?)
    }
}

/// What an action may consult besides the record.
pub struct Context<'a> {
    pub policy: &'a Policy,
    pub reviewer: &'a Reviewer,
    pub at: Timestamp,
}

/// The first words of a claim, for a commit subject.
pub fn summary(text: &str) -> String {
    const MAX: usize = 50;
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= MAX {
        return flat;
    }
    let cut: String = flat.chars().take(MAX - 1).collect();
    format!("{}…", cut.trim_end())
}

fn trailers(id: &ClaimId, action: Action) -> Vec<(&'static str, String)> {
    vec![
        ("Claim-Id", id.to_string()),
        ("Claim-Action", action.to_string()),
    ]
}

/// A file of the repository attached as evidence, as the store found it committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachedDocument {
    /// Its path from the repository's root.
    pub path: String,
    pub sha256: String,
}

/// Evidence as a reviewer describes it: a web page, a document of the repository, or both.
#[derive(Debug, Clone, Default)]
pub struct NewSource {
    pub url: Option<String>,
    pub document: Option<AttachedDocument>,
    pub title: Option<String>,
    pub publisher: Option<String>,
    pub origin: Option<String>,
    pub stance: Option<Stance>,
    pub excerpt: Option<String>,
}

/// Only web addresses are evidence: a `javascript:` or `file:` URL in a record would be a
/// hazard wherever the record is rendered, and so would control characters (a terminal
/// escape in a URL rewrites the screen of whoever runs `claims show`).
pub fn check_url(url: &str) -> Result<(), ActionError> {
    let hint = "give the full web address, e.g. --url https://example.org/story";
    let shown = url.escape_debug();
    if url.trim().contains(char::is_control) {
        return Err(ActionError::invalid(
            format!("'{shown}' contains control characters; a URL has none"),
            hint,
        ));
    }
    match url::Url::parse(url.trim()) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") && parsed.host().is_some() => {
            Ok(())
        }
        Ok(parsed) => Err(ActionError::invalid(
            format!(
                "'{shown}' is a {}: URL; sources must be http or https",
                parsed.scheme()
            ),
            hint,
        )),
        Err(e) => Err(ActionError::invalid(
            format!("'{shown}' is not a URL: {e}"),
            hint,
        )),
    }
}

/// What a field's control characters leave to do: remove them, the hint says.
const CONTROLS_HINT: &str = "terminal escapes, bidirectional overrides and other control \
                             characters cannot be recorded: remove it and run the command again";

impl From<ControlCharacter> for ActionError {
    fn from(error: ControlCharacter) -> ActionError {
        ActionError::invalid(error.to_string(), CONTROLS_HINT)
    }
}

/// An optional one-line field as given: spacing normalised (see `controls::one_line`),
/// `None` when empty, refused when it holds another control character.
fn clean(field: &'static str, text: Option<String>) -> Result<Option<String>, ActionError> {
    Ok(text
        .map(|t| one_line(field, &t))
        .transpose()?
        .filter(|t| !t.is_empty()))
}

pub fn add_source(
    record: &Record,
    new: NewSource,
    cx: &Context<'_>,
) -> Result<Change, ActionError> {
    if let Some(url) = &new.url {
        check_url(url)?;
    }
    let url = new.url.map(|url| url.trim().to_string());
    let document = new.document;
    let keys = url.iter().chain(document.as_ref().map(|d| &d.path));
    for key in keys {
        if let Some(known) = record.source_named(key) {
            let hint = match &known.withdrawn {
                Some(_) => format!(
                    "it was withdrawn; correct evidence is attached under another address, or see it with: claims show {}",
                    record.id
                ),
                None => format!(
                    "correct it with: claims source edit {} --url {key} --note WHY",
                    record.id
                ),
            };
            return Err(ActionError::invalid(
                format!("{key} is already a source of {}", record.id),
                hint,
            ));
        }
    }
    if url.is_none() && document.is_none() {
        return Err(ActionError::invalid(
            "a source needs a web address or a document of the repository",
            format!(
                "claims source add {} --url URL, or --document PATH",
                record.id
            ),
        ));
    }
    let publisher = clean("publisher", new.publisher)?;
    // The origin defaults to the publisher, else the host, and is written down so that
    // independence is visible in the record and in its history.
    let origin = clean("origin", new.origin)?
        .or_else(|| publisher.clone())
        .or_else(|| url.as_deref().and_then(host_of));
    let stance = new.stance.unwrap_or(Stance::Supports);
    let source = Source {
        url,
        document: document.as_ref().map(|d| d.path.clone()),
        sha256: document.map(|d| d.sha256),
        title: clean("title", new.title)?,
        publisher,
        origin,
        stance,
        excerpt: clean("excerpt", new.excerpt)?,
        accessed: Some(cx.at),
        added_by: Some(cx.reviewer.to_string()),
        rebuttal: None,
        withdrawn: None,
        corrections: Vec::new(),
    };
    let mut next = record.clone();
    let subject = format!(
        "Add {} source to {}: {}",
        stance.as_str(),
        record.id,
        source.origin.as_deref().unwrap_or(source.key())
    );
    next.sources.push(source);
    Ok(Change::new(
        next,
        CommitMessage {
            subject,
            body: None,
            trailers: trailers(&record.id, Action::Source),
        },
    ))
}

/// Records why a contradicting source no longer stands.
pub fn rebut_source(
    record: &Record,
    url: &str,
    note: &str,
    _cx: &Context<'_>,
) -> Result<Change, ActionError> {
    let note = &multi_line("note", note)?;
    if note.is_empty() {
        return Err(ActionError::invalid(
            "a rebuttal needs a note saying why the source no longer stands",
            format!(
                "claims source rebut {} --url {url} --note \"...\"",
                record.id
            ),
        ));
    }
    let mut next = record.clone();
    let Some(source) = next
        .sources
        .iter_mut()
        .find(|s| s.is_named(url) && s.stance == Stance::Contradicts && s.is_evidence())
    else {
        return Err(ActionError::invalid(
            format!("{} has no contradicting source {url}", record.id),
            format!("list its sources with: claims show {}", record.id),
        ));
    };
    source.rebuttal = Some(note.to_string());
    Ok(Change::new(
        next,
        CommitMessage {
            subject: format!("Rebut contradicting source of {}: {url}", record.id),
            body: Some(note.to_string()),
            trailers: trailers(&record.id, Action::Source),
        },
    ))
}

pub fn move_claim(
    record: &Record,
    request: &MoveRequest,
    cx: &Context<'_>,
) -> Result<Change, ActionError> {
    if record.is_dismissed() {
        return Err(triage_error(record)(TriageError::Dismissed(
            record.id.clone(),
        )));
    }
    let request = &MoveRequest {
        note: request
            .note
            .as_deref()
            .map(|note| multi_line("note", note))
            .transpose()?,
        ..request.clone()
    };
    let unknown = workflow::unknown_items(&request.confirmations, request.to, cx.policy);
    if !unknown.is_empty() {
        let known: Vec<String> = cx
            .policy
            .checklists
            .required_for(request.to)
            .map(|(_, item)| item.item.clone())
            .collect();
        return Err(ActionError::invalid(
            format!(
                "unknown checklist item for {}: {}",
                request.to,
                unknown.join(", ")
            ),
            if known.is_empty() {
                format!("moving to {} needs no checklist", request.to)
            } else {
                format!("the items are: {}", known.join(", "))
            },
        ));
    }
    let unmet = workflow::check_move(record, request, cx.policy);
    if !unmet.is_empty() {
        return Err(ActionError::Refused {
            id: record.id.clone(),
            from: record.state,
            to: request.to,
            unmet,
        });
    }
    let next = workflow::apply_move(record, request, cx.policy, &cx.reviewer.to_string(), cx.at);
    let mut trailers = trailers(&record.id, Action::Transition);
    trailers.push(("Claim-From", record.state.to_string()));
    trailers.push(("Claim-To", request.to.to_string()));
    let verb = if request.unpublish {
        "Retract and move"
    } else {
        "Move"
    };
    Ok(Change::new(
        next.clone(),
        CommitMessage {
            subject: format!(
                "{verb} {} from {} to {}: {}",
                record.id,
                record.state,
                request.to,
                summary(&record.text)
            ),
            body: next.history.last().and_then(|t| t.note.clone()),
            trailers,
        },
    ))
}

/// Records checklist answers for a move to `to` that is not made: what was confirmed stays
/// confirmed, and an item answered no is asked again next time.
pub fn answer_checklist(
    record: &Record,
    to: State,
    given: &[Given],
    cx: &Context<'_>,
) -> Result<Change, ActionError> {
    let next = checklist::record_answers(
        record,
        to,
        given,
        cx.policy,
        &cx.reviewer.to_string(),
        cx.at,
    );
    if next.answers.len() == record.answers.len() {
        return Err(ActionError::invalid(
            format!("no checklist item of {to} was answered"),
            format!("the items are asked by: claims review {}", record.id),
        ));
    }
    let answered = &next.answers[record.answers.len()..];
    let not: Vec<&str> = answered
        .iter()
        .filter(|a| !a.confirmed)
        .map(|a| a.item.as_str())
        .collect();
    let yes = answered.len() - not.len();
    let mut subject = format!("Checklist for {to} on {}: {yes} confirmed", record.id);
    if !not.is_empty() {
        subject.push_str(&format!(", not {}", not.join(", ")));
    }
    let reasons: Vec<String> = answered
        .iter()
        .filter_map(|a| a.reason.as_ref().map(|r| format!("{}: {r}", a.item)))
        .collect();
    Ok(Change::new(
        next,
        CommitMessage {
            subject,
            body: (!reasons.is_empty()).then(|| reasons.join("\n")),
            trailers: trailers(&record.id, Action::Checklist),
        },
    ))
}

pub fn add_note(record: &Record, text: &str, cx: &Context<'_>) -> Result<Change, ActionError> {
    let text = &multi_line("note", text)?;
    if text.is_empty() {
        return Err(ActionError::invalid(
            "the note is empty",
            format!("claims note {} \"what you found\"", record.id),
        ));
    }
    let mut next = record.clone();
    next.notes.push(Note {
        at: cx.at,
        by: cx.reviewer.to_string(),
        text: text.to_string(),
    });
    Ok(Change::new(
        next,
        CommitMessage {
            subject: format!("Note on {}: {}", record.id, summary(text)),
            body: Some(text.to_string()),
            trailers: trailers(&record.id, Action::Note),
        },
    ))
}

/// The parts of a claim a reviewer may rewrite.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EditedFields {
    pub text: String,
    pub claimant: Option<String>,
    pub tags: Vec<String>,
}

/// Rewrites a claim's text, claimant and tags. The id stays what it was: ids are minted once,
/// when a claim is recorded, so that links, history and other branches keep finding it.
pub fn edit_claim(
    record: &Record,
    edited: EditedFields,
    _cx: &Context<'_>,
) -> Result<Change, ActionError> {
    let text = one_line("claim", &edited.text)?;
    if text.is_empty() {
        return Err(ActionError::invalid(
            "the claim text is empty",
            "write the claim as it was made",
        ));
    }
    let mut tags: Vec<String> = Vec::new();
    for tag in edited.tags {
        let tag = one_line("tag", &tag)?;
        if !tag.is_empty() && !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    let mut next = record.clone();
    next.text = text;
    next.claimant = clean("claimant", edited.claimant)?;
    next.tags = tags;
    let changed: Vec<&str> = [
        ("text", next.text != record.text),
        ("claimant", next.claimant != record.claimant),
        ("tags", next.tags != record.tags),
    ]
    .into_iter()
    .filter_map(|(field, changed)| changed.then_some(field))
    .collect();
    if changed.is_empty() {
        return Err(ActionError::invalid(
            format!("{} is unchanged", record.id),
            "nothing to do",
        ));
    }
    Ok(Change::new(
        next.clone(),
        CommitMessage {
            subject: format!(
                "Edit {} of {}: {}",
                changed.join(", "),
                record.id,
                summary(&next.text)
            ),
            body: (next.text != record.text).then(|| format!("Was: {}", record.text)),
            trailers: trailers(&record.id, Action::Edit),
        },
    ))
}

/// Sets or clears `published`. Publishing needs a corroborated claim unless `force`d.
pub fn set_published(
    record: &Record,
    published: bool,
    url: Option<String>,
    force: bool,
    _cx: &Context<'_>,
) -> Result<Change, ActionError> {
    if let Some(url) = &url {
        check_url(url)?;
    }
    if published && record.state != State::Corroborated && !force {
        return Err(ActionError::PublishRefused {
            id: record.id.clone(),
            state: record.state,
        });
    }
    if record.published == published && (url.is_none() || url == record.published_url) {
        return Err(ActionError::invalid(
            format!(
                "{} is already {}",
                record.id,
                if published {
                    "published"
                } else {
                    "unpublished"
                }
            ),
            "nothing to do",
        ));
    }
    let mut next = record.clone();
    next.published = published;
    if url.is_some() {
        next.published_url = url;
    }
    let verb = if published { "Publish" } else { "Unpublish" };
    let forced = published && record.state != State::Corroborated;
    Ok(Change {
        overrides_gate: forced,
        ..Change::new(
            next,
            CommitMessage {
                subject: format!("{verb} {}: {}", record.id, summary(&record.text)),
                body: forced.then(|| format!("Published while {} (forced).", record.state)),
                trailers: trailers(&record.id, Action::Publish),
            },
        )
    })
}

/// Sets a claim aside; for a duplicate, `kept` is the claim it duplicates, which gains its
/// appearances in the same commit.
pub fn dismiss_claim(
    record: &Record,
    kept: Option<&Record>,
    request: &DismissRequest,
    cx: &Context<'_>,
) -> Result<Change, ActionError> {
    let (next, kept) = triage::dismiss(record, kept, request, &cx.reviewer.to_string(), cx.at)
        .map_err(triage_error(record))?;
    let mut trailers = trailers(&record.id, Action::Dismiss);
    let subject = match &kept {
        Some(kept) => {
            trailers.insert(1, ("Claim-Id", kept.id.to_string()));
            format!(
                "Dismiss {} as a duplicate of {}: {}",
                record.id,
                kept.id,
                summary(&record.text)
            )
        }
        None => format!(
            "Dismiss {} ({}): {}",
            record.id,
            request.reason.as_str(),
            summary(&record.text)
        ),
    };
    Ok(Change {
        also: kept,
        ..Change::new(
            next.clone(),
            CommitMessage {
                subject,
                body: next.dismissal().and_then(|d| d.note.clone()),
                trailers,
            },
        )
    })
}

pub fn undismiss_claim(
    record: &Record,
    note: Option<&str>,
    cx: &Context<'_>,
) -> Result<Change, ActionError> {
    let next = triage::undismiss(record, note, &cx.reviewer.to_string(), cx.at)
        .map_err(triage_error(record))?;
    let note = next.dismissals.last().and_then(|d| d.undone.as_ref());
    Ok(Change::new(
        next.clone(),
        CommitMessage {
            subject: format!("Bring back {}: {}", record.id, summary(&record.text)),
            body: note.map(|n| n.note.clone()),
            trailers: trailers(&record.id, Action::Undismiss),
        },
    ))
}

/// Links two claims as related, both records in one commit.
pub fn relate_claims(
    record: &Record,
    other: Option<&Record>,
    note: Option<&str>,
    cx: &Context<'_>,
) -> Result<Change, ActionError> {
    let other = other.expect("relating reads the other claim");
    let (next, other_next) = triage::relate(record, other, note, &cx.reviewer.to_string(), cx.at)
        .map_err(triage_error(record))?;
    let mut trailers = trailers(&record.id, Action::Relate);
    trailers.insert(1, ("Claim-Id", other.id.to_string()));
    Ok(Change {
        also: Some(other_next),
        ..Change::new(
            next,
            CommitMessage {
                subject: format!(
                    "Relate {} and {}: {}",
                    record.id,
                    other.id,
                    summary(&record.text)
                ),
                body: note.map(|n| n.trim().to_string()),
                trailers,
            },
        )
    })
}

/// Corrects one source, named by its URL or document path.
pub fn edit_source(
    record: &Record,
    key: &str,
    edit: &SourceEdit,
    note: Option<&str>,
    cx: &Context<'_>,
) -> Result<Change, ActionError> {
    let next = triage::edit_source(record, key, edit, note, &cx.reviewer.to_string(), cx.at)
        .map_err(triage_error(record))?;
    let correction = next
        .source_named(key)
        .and_then(|s| s.corrections.last())
        .expect("the correction was just recorded");
    Ok(Change::new(
        next.clone(),
        CommitMessage {
            subject: format!(
                "Correct the {} of a source of {}: {}",
                correction.was.names().join(", "),
                record.id,
                key.trim()
            ),
            body: Some(correction.note.clone()),
            trailers: trailers(&record.id, Action::SourceEdit),
        },
    ))
}

/// Withdraws one source, named by its URL or document path.
pub fn remove_source(
    record: &Record,
    key: &str,
    note: Option<&str>,
    cx: &Context<'_>,
) -> Result<Change, ActionError> {
    let next = triage::withdraw_source(record, key, note, &cx.reviewer.to_string(), cx.at)
        .map_err(triage_error(record))?;
    Ok(Change::new(
        next,
        CommitMessage {
            subject: format!("Withdraw a source of {}: {}", record.id, key.trim()),
            body: note.map(|n| n.trim().to_string()),
            trailers: trailers(&record.id, Action::SourceRemove),
        },
    ))
}

/// Records the published verdict: a rating of the newsroom's scale and its page.
pub fn give_verdict(
    record: &Record,
    rating: &str,
    url: &str,
    cx: &Context<'_>,
) -> Result<Change, ActionError> {
    check_url(url)?;
    let next = triage::give_verdict(
        record,
        rating,
        url,
        &cx.policy.rating,
        &cx.reviewer.to_string(),
        cx.at,
    )
    .map_err(triage_error(record))?;
    let verdict = next.verdict.as_ref().expect("the verdict was just given");
    Ok(Change::new(
        next.clone(),
        CommitMessage {
            subject: format!(
                "Verdict on {}: {}: {}",
                record.id,
                verdict.rating,
                summary(&record.text)
            ),
            body: Some(verdict.url.clone()),
            trailers: trailers(&record.id, Action::Verdict),
        },
    ))
}

/// Takes the verdict back without moving the claim; the note says why.
pub fn withdraw_verdict(
    record: &Record,
    note: Option<&str>,
    cx: &Context<'_>,
) -> Result<Change, ActionError> {
    let note = note.map(|note| multi_line("note", note)).transpose()?;
    let next = triage::withdraw_verdict(record, note.as_deref(), &cx.reviewer.to_string(), cx.at)
        .map_err(triage_error(record))?;
    let withdrawn = next
        .withdrawn_verdicts
        .last()
        .expect("the verdict was just withdrawn");
    Ok(Change::new(
        next.clone(),
        CommitMessage {
            subject: format!(
                "Withdraw the verdict on {}: {}: {}",
                record.id,
                withdrawn.verdict.rating,
                summary(&record.text)
            ),
            body: Some(format!(
                "{}\n\nWas: {}",
                withdrawn.withdrawn.note, withdrawn.verdict.url
            )),
            trailers: trailers(&record.id, Action::Verdict),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context_parts() -> (Policy, Reviewer) {
        (
            Policy::default(),
            Reviewer::parse("Ana <ana@example.org>").unwrap(),
        )
    }

    fn record() -> Record {
        Record::new(
            "The sky is green.".into(),
            "2026-01-01T00:00:00Z".parse().unwrap(),
        )
    }

    #[test]
    fn only_web_urls_are_sources() {
        for bad in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "not a url",
            "https://",
            "data:text/html,x",
            "https://example.org/\u{1b}[2J",
            "https://example.org/a\nb",
        ] {
            assert!(
                matches!(check_url(bad), Err(ActionError::Invalid { .. })),
                "{bad}"
            );
        }
        assert!(check_url("https://example.org/a").is_ok());
        assert!(check_url("http://example.org").is_ok());
    }

    #[test]
    fn source_origin_defaults_to_publisher_then_host() {
        let (policy, reviewer) = context_parts();
        let cx = Context {
            policy: &policy,
            reviewer: &reviewer,
            at: "2026-01-02T00:00:00Z".parse().unwrap(),
        };
        let with_publisher = add_source(
            &record(),
            NewSource {
                url: Some("https://www.example.org/a".into()),
                publisher: Some("Example Post".into()),
                ..NewSource::default()
            },
            &cx,
        )
        .unwrap();
        assert_eq!(
            with_publisher.record.sources[0].origin.as_deref(),
            Some("Example Post")
        );
        assert_eq!(with_publisher.record.sources[0].stance, Stance::Supports);
        let bare = add_source(
            &record(),
            NewSource {
                url: Some("https://www.example.org/a".into()),
                ..NewSource::default()
            },
            &cx,
        )
        .unwrap();
        assert_eq!(
            bare.record.sources[0].origin.as_deref(),
            Some("example.org")
        );
        let again = add_source(
            &bare.record,
            NewSource {
                url: Some("https://www.example.org/a".into()),
                ..NewSource::default()
            },
            &cx,
        );
        assert!(matches!(again, Err(ActionError::Invalid { .. })));
    }

    #[test]
    fn publishing_needs_corroboration_unless_forced() {
        let (policy, reviewer) = context_parts();
        let cx = Context {
            policy: &policy,
            reviewer: &reviewer,
            at: "2026-01-02T00:00:00Z".parse().unwrap(),
        };
        assert!(matches!(
            set_published(&record(), true, None, false, &cx),
            Err(ActionError::PublishRefused { .. })
        ));
        let forced = set_published(&record(), true, None, true, &cx).unwrap();
        assert!(forced.record.published);
        assert!(forced.message.body.unwrap().contains("forced"));
        assert!(matches!(
            set_published(&record(), false, None, false, &cx),
            Err(ActionError::Invalid { .. })
        ));
    }

    #[test]
    fn long_texts_are_summarised_for_subjects() {
        assert_eq!(summary("short  text\n"), "short text");
        let long = "word ".repeat(30);
        assert!(summary(&long).chars().count() <= 50);
        assert!(summary(&long).ends_with('…'));
    }
}
