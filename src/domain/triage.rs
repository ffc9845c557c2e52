//! Triage, corrections and verdicts: setting a claim aside (and back), correcting or
//! withdrawing a source, and recording the published verdict. Pure functions from a record
//! to its next version; the guards of the gate are judged on the result by `gate`.

use jiff::Timestamp;

use super::id::ClaimId;
use super::policy::RatingScale;
use super::record::{
    Correction, DismissReason, Dismissal, Event, Note, Record, Source, SourceFields, Stance,
    Verdict, WithdrawnVerdict,
};
use super::state::State;

/// Why a triage, correction or verdict request cannot be carried out as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TriageError {
    #[error("{what} needs a note saying why")]
    NoteRequired { what: &'static str },
    #[error("{id} is already dismissed ({reason})")]
    AlreadyDismissed { id: ClaimId, reason: DismissReason },
    #[error("{0} is not dismissed")]
    NotDismissed(ClaimId),
    #[error("--reason duplicate needs --duplicate-of: the claim kept in its place")]
    DuplicateWithoutKept,
    #[error("--duplicate-of goes with --reason duplicate, not {0}")]
    KeptWithoutDuplicate(DismissReason),
    #[error("a claim cannot be a duplicate of itself")]
    DuplicateOfItself,
    #[error("{0}, the claim to keep, is itself dismissed")]
    KeptIsDismissed(ClaimId),
    #[error(
        "{id} {}; dismissing it would take it out of the exports unannounced",
        published_what(*published, *verdict)
    )]
    DismissPublished {
        id: ClaimId,
        published: bool,
        verdict: bool,
    },
    #[error("{id} has no source {key}")]
    NoSuchSource { id: ClaimId, key: String },
    #[error("the source {key} of {id} was withdrawn; it can no longer be changed")]
    SourceWithdrawn { id: ClaimId, key: String },
    #[error("the correction changes nothing: the source {key} already says that")]
    Unchanged { key: String },
    #[error("{0} is dismissed; bring it back first")]
    Dismissed(ClaimId),
    #[error("'{name}' is not a rating of the scale in claims.toml")]
    UnknownRating { name: String, names: String },
    #[error("{id} is {state}: only corroborated or disputed claims get a verdict")]
    NoVerdictYet { id: ClaimId, state: State },
    #[error("the rating \"{rating}\" belongs to {verdict} claims; {id} is {state}")]
    RatingMismatch {
        id: ClaimId,
        rating: String,
        verdict: State,
        state: State,
        allowed: String,
    },
    #[error("{id} already has that verdict")]
    SameVerdict { id: ClaimId },
    #[error("{0} has no verdict to withdraw")]
    NoVerdict(ClaimId),
    #[error("a claim cannot be related to itself")]
    RelatedToItself,
    #[error("{a} and {b} are already related")]
    AlreadyRelated { a: ClaimId, b: ClaimId },
}

impl TriageError {
    /// Whether the request is refused by a rule ("the answer is no", exit 1) rather than
    /// being wrong in itself (exit 2).
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            TriageError::DismissPublished { .. }
                | TriageError::SourceWithdrawn { .. }
                | TriageError::Dismissed(_)
                | TriageError::NoVerdictYet { .. }
                | TriageError::RatingMismatch { .. }
                | TriageError::KeptIsDismissed(_)
                | TriageError::AlreadyDismissed { .. }
        )
    }

    /// The command that does what was meant.
    pub fn hint(&self, id: &str) -> String {
        match self {
            TriageError::NoteRequired { .. } => "add --note \"...\"".into(),
            TriageError::AlreadyDismissed { .. } => {
                format!("see why with: claims show {id}")
            }
            TriageError::NotDismissed(_) => "nothing to do".into(),
            TriageError::DuplicateWithoutKept | TriageError::DuplicateOfItself => {
                format!("claims dismiss {id} --reason duplicate --duplicate-of KEPT-ID")
            }
            TriageError::KeptWithoutDuplicate(_) => {
                format!("claims dismiss {id} --reason duplicate --duplicate-of KEPT-ID")
            }
            TriageError::KeptIsDismissed(kept) => format!(
                "keep the claim it duplicates instead (see claims show {kept}), or bring {kept} back: \
                 claims undismiss {kept} --note \"...\""
            ),
            TriageError::DismissPublished {
                published: true,
                verdict: false,
                ..
            } => format!(
                "retract it first: claims unpublish {id}, or claims mark {id} unverified --unpublish \
                 --note \"correction: ...\""
            ),
            TriageError::DismissPublished {
                published: false, ..
            } => format!("withdraw the verdict first: claims verdict {id} --withdraw --note WHY"),
            TriageError::DismissPublished { .. } => format!(
                "retract it first: claims unpublish {id}, then claims verdict {id} --withdraw \
                 --note WHY; or both with a move: claims mark {id} unverified --unpublish --note \
                 \"correction: ...\""
            ),
            TriageError::NoSuchSource { .. } => {
                format!("list its sources with: claims show {id}")
            }
            TriageError::SourceWithdrawn { .. } => format!(
                "attach the corrected evidence as a new source: claims source add {id} --url URL"
            ),
            TriageError::Unchanged { .. } => "nothing to do".into(),
            TriageError::Dismissed(_) => {
                format!("claims undismiss {id} --note \"...\"")
            }
            TriageError::UnknownRating { names, .. } => format!("the ratings are: {names}"),
            TriageError::NoVerdictYet { .. } => format!(
                "reach a verdict first: claims mark {id} corroborated, or claims mark {id} disputed"
            ),
            TriageError::RatingMismatch { allowed, state, .. } if allowed.is_empty() => {
                format!("the scale in claims.toml has no rating for {state} claims")
            }
            TriageError::RatingMismatch { allowed, .. } => {
                format!("the ratings of its verdict are: {allowed}")
            }
            TriageError::SameVerdict { .. }
            | TriageError::AlreadyRelated { .. }
            | TriageError::NoVerdict(_) => "nothing to do".into(),
            TriageError::RelatedToItself => "name two different claims".into(),
        }
    }
}

/// What a claim has out in the world: "is published", "has a verdict", or both.
fn published_what(published: bool, verdict: bool) -> &'static str {
    match (published, verdict) {
        (true, false) => "is published",
        (false, _) => "has a verdict",
        (true, true) => "is published, with a verdict",
    }
}

fn required_note(note: Option<&str>, what: &'static str) -> Result<String, TriageError> {
    note.map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .ok_or(TriageError::NoteRequired { what })
}

fn clean(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

/// A request to set a claim aside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DismissRequest {
    pub reason: DismissReason,
    pub duplicate_of: Option<ClaimId>,
    pub note: Option<String>,
}

/// The dismissed record and, for a duplicate, the kept claim with the duplicate's
/// appearances moved to it (those it did not already list).
pub fn dismiss(
    record: &Record,
    kept: Option<&Record>,
    request: &DismissRequest,
    by: &str,
    at: Timestamp,
) -> Result<(Record, Option<Record>), TriageError> {
    if let Some(current) = record.dismissal() {
        return Err(TriageError::AlreadyDismissed {
            id: record.id.clone(),
            reason: current.reason,
        });
    }
    match (request.reason, &request.duplicate_of) {
        (DismissReason::Duplicate, None) => return Err(TriageError::DuplicateWithoutKept),
        (reason, Some(_)) if reason != DismissReason::Duplicate => {
            return Err(TriageError::KeptWithoutDuplicate(reason));
        }
        (_, Some(kept)) if *kept == record.id => return Err(TriageError::DuplicateOfItself),
        _ => {}
    }
    if record.published || record.verdict.is_some() {
        return Err(TriageError::DismissPublished {
            id: record.id.clone(),
            published: record.published,
            verdict: record.verdict.is_some(),
        });
    }
    let mut next = record.clone();
    let kept = match kept {
        Some(kept) if kept.is_dismissed() => {
            return Err(TriageError::KeptIsDismissed(kept.id.clone()));
        }
        Some(kept) => {
            let mut kept = kept.clone();
            for appearance in next.appearances.drain(..) {
                let known = kept
                    .appearances
                    .iter()
                    .any(|a| a.document == appearance.document && a.line == appearance.line);
                if !known {
                    kept.appearances.push(appearance);
                }
            }
            Some(kept)
        }
        None => None,
    };
    next.dismissals.push(Dismissal {
        reason: request.reason,
        duplicate_of: kept.as_ref().map(|k| k.id.clone()),
        note: clean(request.note.as_deref()),
        at,
        by: by.to_string(),
        undone: None,
    });
    Ok((next, kept))
}

/// Brings a dismissed claim back into the queues.
pub fn undismiss(
    record: &Record,
    note: Option<&str>,
    by: &str,
    at: Timestamp,
) -> Result<Record, TriageError> {
    let note = required_note(note, "bringing a claim back")?;
    if !record.is_dismissed() {
        return Err(TriageError::NotDismissed(record.id.clone()));
    }
    let mut next = record.clone();
    let dismissal = next.dismissals.last_mut().expect("a dismissal is in force");
    dismissal.undone = Some(Event {
        at,
        by: by.to_string(),
        note,
    });
    Ok(next)
}

/// Links two claims as related, each way, with a note on each saying why (what the link
/// means: two figures for one quantity, one story told twice).
pub fn relate(
    record: &Record,
    other: &Record,
    note: Option<&str>,
    by: &str,
    at: Timestamp,
) -> Result<(Record, Record), TriageError> {
    let note = required_note(note, "relating two claims")?;
    if record.id == other.id {
        return Err(TriageError::RelatedToItself);
    }
    if record.related.contains(&other.id) && other.related.contains(&record.id) {
        return Err(TriageError::AlreadyRelated {
            a: record.id.clone(),
            b: other.id.clone(),
        });
    }
    let link = |from: &Record, to: &Record| {
        let mut next = from.clone();
        if !next.related.contains(&to.id) {
            next.related.push(to.id.clone());
        }
        next.notes.push(Note {
            at,
            by: by.to_string(),
            text: format!("Related to {}: {note}", to.id),
        });
        next
    };
    Ok((link(record, other), link(other, record)))
}

/// New values for a source's fields; `Some("")` clears a field, `None` leaves it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceEdit {
    pub title: Option<String>,
    pub publisher: Option<String>,
    pub origin: Option<String>,
    pub stance: Option<Stance>,
    pub excerpt: Option<String>,
}

fn source_index(record: &Record, key: &str) -> Result<usize, TriageError> {
    let index = record
        .sources
        .iter()
        .position(|s| s.is_named(key))
        .ok_or_else(|| TriageError::NoSuchSource {
            id: record.id.clone(),
            key: key.trim().to_string(),
        })?;
    if record.sources[index].withdrawn.is_some() {
        return Err(TriageError::SourceWithdrawn {
            id: record.id.clone(),
            key: key.trim().to_string(),
        });
    }
    Ok(index)
}

/// Corrects one source; the values replaced are kept in the source's corrections.
pub fn edit_source(
    record: &Record,
    key: &str,
    edit: &SourceEdit,
    note: Option<&str>,
    by: &str,
    at: Timestamp,
) -> Result<Record, TriageError> {
    let note = required_note(note, "correcting a source")?;
    let index = source_index(record, key)?;
    let mut next = record.clone();
    let source: &mut Source = &mut next.sources[index];
    let mut was = SourceFields::default();
    let text = |field: &mut Option<String>, new: &Option<String>, old: &mut Option<String>| {
        if let Some(new) = new {
            let new = clean(Some(new));
            if *field != new {
                *old = Some(field.take().unwrap_or_default());
                *field = new;
            }
        }
    };
    text(&mut source.title, &edit.title, &mut was.title);
    text(&mut source.publisher, &edit.publisher, &mut was.publisher);
    text(&mut source.origin, &edit.origin, &mut was.origin);
    text(&mut source.excerpt, &edit.excerpt, &mut was.excerpt);
    if let Some(stance) = edit.stance.filter(|s| *s != source.stance) {
        was.stance = Some(source.stance);
        source.stance = stance;
    }
    if was.is_empty() {
        return Err(TriageError::Unchanged {
            key: key.trim().to_string(),
        });
    }
    source.corrections.push(Correction {
        at,
        by: by.to_string(),
        note,
        was,
    });
    Ok(next)
}

/// Withdraws one source: it stays in the record, marked, and is no longer evidence.
pub fn withdraw_source(
    record: &Record,
    key: &str,
    note: Option<&str>,
    by: &str,
    at: Timestamp,
) -> Result<Record, TriageError> {
    let note = required_note(note, "withdrawing a source")?;
    let index = source_index(record, key)?;
    let mut next = record.clone();
    next.sources[index].withdrawn = Some(Event {
        at,
        by: by.to_string(),
        note,
    });
    Ok(next)
}

/// Records the published verdict: a rating of the scale that belongs to the claim's state,
/// and the page (already checked to be a web address) that carries it.
pub fn give_verdict(
    record: &Record,
    rating: &str,
    url: &str,
    scale: &RatingScale,
    by: &str,
    at: Timestamp,
) -> Result<Record, TriageError> {
    if record.is_dismissed() {
        return Err(TriageError::Dismissed(record.id.clone()));
    }
    let found = scale
        .find(rating)
        .ok_or_else(|| TriageError::UnknownRating {
            name: rating.trim().to_string(),
            names: scale
                .ratings
                .iter()
                .map(|r| format!("\"{}\" ({})", r.name, r.verdict))
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    if !record.state.is_verdict() {
        return Err(TriageError::NoVerdictYet {
            id: record.id.clone(),
            state: record.state,
        });
    }
    if found.verdict != record.state {
        return Err(TriageError::RatingMismatch {
            id: record.id.clone(),
            rating: found.name.clone(),
            verdict: found.verdict,
            state: record.state,
            allowed: scale.names_for(record.state),
        });
    }
    let url = url.trim().to_string();
    let same = record
        .verdict
        .as_ref()
        .is_some_and(|v| v.rating == found.name && v.url == url);
    if same {
        return Err(TriageError::SameVerdict {
            id: record.id.clone(),
        });
    }
    let mut next = record.clone();
    next.verdict = Some(Verdict {
        rating: found.name.clone(),
        url,
        at,
        by: by.to_string(),
    });
    Ok(next)
}

/// Takes the verdict back without moving the claim: the verdict is kept, as it was, among
/// the withdrawn ones, with the note saying why.
pub fn withdraw_verdict(
    record: &Record,
    note: Option<&str>,
    by: &str,
    at: Timestamp,
) -> Result<Record, TriageError> {
    let Some(verdict) = &record.verdict else {
        return Err(TriageError::NoVerdict(record.id.clone()));
    };
    let note = required_note(note, "withdrawing a verdict")?;
    let mut next = record.clone();
    next.withdrawn_verdicts.push(WithdrawnVerdict {
        verdict: verdict.clone(),
        withdrawn: Event {
            at,
            by: by.to_string(),
            note,
        },
    });
    next.verdict = None;
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::record::Appearance;

    fn at() -> Timestamp {
        "2026-01-01T00:00:00Z".parse().unwrap()
    }

    fn claim(text: &str, documents: &[&str]) -> Record {
        let mut record = Record::new(text.into(), at());
        for document in documents {
            record.appearances.push(Appearance {
                document: (*document).into(),
                line: Some(1),
                excerpt: None,
                attribution: None,
            });
        }
        record
    }

    fn request(reason: DismissReason, kept: Option<&Record>) -> DismissRequest {
        DismissRequest {
            reason,
            duplicate_of: kept.map(|k| k.id.clone()),
            note: Some("  same figure  ".into()),
        }
    }

    #[test]
    fn every_reason_with_and_without_a_kept_claim() {
        let kept = claim("kept", &["seeds/b.txt"]);
        for reason in DismissReason::ALL {
            for with_kept in [false, true] {
                let record = claim("dup", &["seeds/a.txt", "seeds/b.txt"]);
                let kept = with_kept.then_some(&kept);
                let result = dismiss(&record, kept, &request(reason, kept), "Ana", at());
                match (reason, with_kept) {
                    (DismissReason::Duplicate, false) => {
                        assert_eq!(result, Err(TriageError::DuplicateWithoutKept))
                    }
                    (reason, true) if reason != DismissReason::Duplicate => {
                        assert_eq!(result, Err(TriageError::KeptWithoutDuplicate(reason)))
                    }
                    _ => {
                        let (dismissed, kept_after) = result.unwrap();
                        let dismissal = dismissed.dismissal().unwrap();
                        assert_eq!(dismissal.reason, reason);
                        assert_eq!(dismissal.note.as_deref(), Some("same figure"));
                        assert_eq!(kept_after.is_some(), with_kept);
                        if let Some(kept_after) = kept_after {
                            // Moved: gone from the duplicate, listed once on the kept claim.
                            assert!(dismissed.appearances.is_empty());
                            let documents: Vec<&str> = kept_after
                                .appearances
                                .iter()
                                .map(|a| a.document.as_str())
                                .collect();
                            assert_eq!(documents, ["seeds/b.txt", "seeds/a.txt"]);
                            assert_eq!(dismissal.duplicate_of.as_ref(), Some(&kept_after.id));
                        } else {
                            assert_eq!(dismissed.appearances, record.appearances);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn dismissal_refusals() {
        let record = claim("dup", &[]);
        let mut published = record.clone();
        published.published = true;
        let plain = request(DismissReason::OutOfScope, None);
        let mut rated = record.clone();
        rated.state = State::Disputed;
        rated.verdict = Some(Verdict {
            rating: "False".into(),
            url: "https://factcheck.example/a".into(),
            at: at(),
            by: "Ana".into(),
        });
        let mut both = rated.clone();
        both.published = true;
        for (out, says, fix) in [
            (&published, "is published;", "claims unpublish"),
            (&rated, "has a verdict;", "claims verdict"),
            (&both, "is published, with a verdict;", "claims mark"),
        ] {
            let error = dismiss(out, None, &plain, "Ana", at()).unwrap_err();
            assert!(error.is_refusal(), "{error}");
            assert!(error.to_string().contains(says), "{error}");
            assert!(error.hint("abcd").contains(fix), "{}", error.hint("abcd"));
        }
        let (dismissed, _) = dismiss(&record, None, &plain, "Ana", at()).unwrap();
        assert!(matches!(
            dismiss(&dismissed, None, &plain, "Ana", at()),
            Err(TriageError::AlreadyDismissed { .. })
        ));
        let itself = DismissRequest {
            duplicate_of: Some(record.id.clone()),
            ..request(DismissReason::Duplicate, None)
        };
        assert_eq!(
            dismiss(&record, Some(&record), &itself, "Ana", at()),
            Err(TriageError::DuplicateOfItself)
        );
        let other = claim("other", &[]);
        let (other_dismissed, _) = dismiss(&other, None, &plain, "Ana", at()).unwrap();
        assert!(matches!(
            dismiss(
                &record,
                Some(&other_dismissed),
                &request(DismissReason::Duplicate, Some(&other_dismissed)),
                "Ana",
                at()
            ),
            Err(TriageError::KeptIsDismissed(_))
        ));
    }

    #[test]
    fn relating_links_both_ways_with_a_note_on_each() {
        let a = Record::new("Deaths are 250,000 a year.".into(), at());
        let b = Record::new("Over 100,000 died since 2017.".into(), at());
        assert_eq!(
            relate(&a, &b, None, "Ana", at()),
            Err(TriageError::NoteRequired {
                what: "relating two claims"
            })
        );
        assert_eq!(
            relate(&a, &a, Some("x"), "Ana", at()),
            Err(TriageError::RelatedToItself)
        );
        let (a2, b2) = relate(&a, &b, Some(" figures differ "), "Ana", at()).unwrap();
        assert_eq!(a2.related, vec![b.id.clone()]);
        assert_eq!(b2.related, vec![a.id.clone()]);
        assert_eq!(
            a2.notes[0].text,
            format!("Related to {}: figures differ", b.id)
        );
        assert_eq!(
            b2.notes[0].text,
            format!("Related to {}: figures differ", a.id)
        );
        assert_eq!(
            relate(&a2, &b2, Some("again"), "Ana", at()),
            Err(TriageError::AlreadyRelated {
                a: a.id.clone(),
                b: b.id.clone()
            })
        );
        // Linked one way only (as extraction may leave it): the other way is added.
        let (a3, b3) = relate(&a2, &b, Some("both ways"), "Ana", at()).unwrap();
        assert_eq!(a3.related, vec![b.id.clone()]);
        assert_eq!(b3.related, vec![a.id.clone()]);
    }

    #[test]
    fn undismiss_needs_a_note_and_a_dismissed_claim() {
        let record = claim("x", &[]);
        assert!(matches!(
            undismiss(&record, Some("back"), "Ana", at()),
            Err(TriageError::NotDismissed(_))
        ));
        let (dismissed, _) = dismiss(
            &record,
            None,
            &request(DismissReason::NotCheckWorthy, None),
            "Ana",
            at(),
        )
        .unwrap();
        assert!(matches!(
            undismiss(&dismissed, Some(" "), "Ana", at()),
            Err(TriageError::NoteRequired { .. })
        ));
        let back = undismiss(&dismissed, Some("It is a figure after all"), "Bo", at()).unwrap();
        assert!(!back.is_dismissed());
        assert_eq!(back.dismissals.len(), 1);
        assert_eq!(back.dismissals[0].undone.as_ref().unwrap().by, "Bo");
        // Dismissed again later: a second entry, the first one kept as it was.
        let again = dismiss(
            &back,
            None,
            &request(DismissReason::OutOfScope, None),
            "Ana",
            at(),
        )
        .unwrap()
        .0;
        assert_eq!(again.dismissals.len(), 2);
        assert_eq!(again.dismissal().unwrap().reason, DismissReason::OutOfScope);
    }

    fn sourced() -> Record {
        let mut record = claim("x", &[]);
        record.sources.push(Source {
            publisher: Some("Exampel Post".into()),
            origin: Some("Exampel Post".into()),
            ..Source::at_url("https://example.org/a", Stance::Supports)
        });
        record
    }

    #[test]
    fn a_correction_keeps_only_the_values_it_replaced() {
        let record = sourced();
        let edit = SourceEdit {
            publisher: Some("Example Post".into()),
            origin: Some("Example Post".into()),
            title: Some("A title".into()),
            excerpt: Some("".into()),
            stance: Some(Stance::Supports),
        };
        let next = edit_source(
            &record,
            "https://example.org/a",
            &edit,
            Some("Misspelt"),
            "Ana",
            at(),
        )
        .unwrap();
        let source = &next.sources[0];
        assert_eq!(source.publisher.as_deref(), Some("Example Post"));
        assert_eq!(source.title.as_deref(), Some("A title"));
        let correction = &source.corrections[0];
        assert_eq!(
            correction.was,
            SourceFields {
                title: Some(String::new()),
                publisher: Some("Exampel Post".into()),
                origin: Some("Exampel Post".into()),
                ..SourceFields::default()
            }
        );
        assert_eq!(correction.was.names(), ["title", "publisher", "origin"]);
        assert_eq!(
            edit_source(
                &next,
                "https://example.org/a",
                &edit,
                Some("again"),
                "Ana",
                at()
            ),
            Err(TriageError::Unchanged {
                key: "https://example.org/a".into()
            })
        );
        assert!(matches!(
            edit_source(&record, "https://example.org/a", &edit, None, "Ana", at()),
            Err(TriageError::NoteRequired { .. })
        ));
        assert!(matches!(
            edit_source(
                &record,
                "https://example.org/b",
                &edit,
                Some("x"),
                "Ana",
                at()
            ),
            Err(TriageError::NoSuchSource { .. })
        ));
    }

    #[test]
    fn a_withdrawn_source_stays_and_cannot_be_changed_again() {
        let record = sourced();
        let next = withdraw_source(
            &record,
            "https://example.org/a",
            Some("A copy"),
            "Ana",
            at(),
        )
        .unwrap();
        assert_eq!(next.sources.len(), 1);
        assert_eq!(next.evidence().count(), 0);
        assert!(matches!(
            withdraw_source(&next, "https://example.org/a", Some("again"), "Ana", at()),
            Err(TriageError::SourceWithdrawn { .. })
        ));
        assert!(matches!(
            edit_source(
                &next,
                "https://example.org/a",
                &SourceEdit::default(),
                Some("x"),
                "Ana",
                at()
            ),
            Err(TriageError::SourceWithdrawn { .. })
        ));
    }

    #[test]
    fn a_verdict_takes_a_rating_of_the_claims_state() {
        let scale = RatingScale::default();
        let url = "https://factcheck.example/a";
        for state in State::ALL {
            for rating in &scale.ratings {
                let mut record = claim("x", &[]);
                record.state = state;
                let result = give_verdict(&record, &rating.name, url, &scale, "Ana", at());
                match result {
                    Ok(next) => {
                        assert_eq!(rating.verdict, state);
                        assert_eq!(next.verdict.unwrap().rating, rating.name);
                    }
                    Err(TriageError::NoVerdictYet { .. }) => assert!(!state.is_verdict()),
                    Err(TriageError::RatingMismatch { verdict, .. }) => {
                        assert!(state.is_verdict());
                        assert_ne!(verdict, state);
                    }
                    Err(other) => panic!("{state} {}: {other}", rating.name),
                }
            }
        }
        let mut disputed = claim("x", &[]);
        disputed.state = State::Disputed;
        assert!(matches!(
            give_verdict(&disputed, "Pants on fire", url, &scale, "Ana", at()),
            Err(TriageError::UnknownRating { .. })
        ));
        let rated = give_verdict(&disputed, "misleading", url, &scale, "Ana", at()).unwrap();
        assert_eq!(rated.verdict.as_ref().unwrap().rating, "Misleading");
        assert_eq!(
            give_verdict(&rated, "Misleading", url, &scale, "Ana", at()),
            Err(TriageError::SameVerdict {
                id: rated.id.clone()
            })
        );
    }

    #[test]
    fn a_withdrawn_verdict_is_kept_as_it_was_with_the_reason() {
        let scale = RatingScale::default();
        let mut disputed = claim("x", &[]);
        disputed.state = State::Disputed;
        assert_eq!(
            withdraw_verdict(&disputed, Some("Wrong claim."), "Ana", at()),
            Err(TriageError::NoVerdict(disputed.id.clone()))
        );
        let rated = give_verdict(
            &disputed,
            "False",
            "https://factcheck.example/a",
            &scale,
            "Ana",
            at(),
        )
        .unwrap();
        for missing in [None, Some("  ")] {
            assert_eq!(
                withdraw_verdict(&rated, missing, "Ana", at()),
                Err(TriageError::NoteRequired {
                    what: "withdrawing a verdict"
                })
            );
        }
        let later: Timestamp = "2026-02-01T00:00:00Z".parse().unwrap();
        let next = withdraw_verdict(&rated, Some(" Page taken down. "), "Bo", later).unwrap();
        assert_eq!(next.verdict, None);
        assert_eq!(next.state, State::Disputed);
        assert_eq!(
            next.withdrawn_verdicts,
            [WithdrawnVerdict {
                verdict: rated.verdict.clone().unwrap(),
                withdrawn: Event {
                    at: later,
                    by: "Bo".into(),
                    note: "Page taken down.".into(),
                },
            }]
        );
        assert_eq!(
            Record {
                verdict: rated.verdict.clone(),
                withdrawn_verdicts: Vec::new(),
                ..next
            },
            rated,
            "nothing else changes"
        );
    }
}
