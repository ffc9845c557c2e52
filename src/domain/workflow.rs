//! The state machine: which moves a claim may make, and what each move requires.
//! Pure functions over a record and the policy; the caller commits the result.

use std::collections::BTreeSet;
use std::fmt;

use jiff::Timestamp;

use super::checklist::{Given, is_confirmed, record_answers};
use super::policy::Policy;
use super::record::{Record, Retraction, Transition};
use super::state::State;

/// Checklist items a reviewer confirms with a move.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Confirmations {
    /// Every item of every checklist the move needs.
    pub all: bool,
    /// Individual items, by name.
    pub items: BTreeSet<String>,
}

impl Confirmations {
    pub fn all() -> Confirmations {
        Confirmations {
            all: true,
            items: BTreeSet::new(),
        }
    }

    fn confirms(&self, item: &str) -> bool {
        self.all || self.items.contains(item)
    }
}

/// A move a reviewer asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveRequest {
    pub to: State,
    pub note: Option<String>,
    pub confirmations: Confirmations,
    /// Retract what was published in the same step: clear `published`, withdraw the
    /// verdict. The note is then the correction.
    pub unpublish: bool,
}

/// Why a note is needed for a move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteReason {
    Dispute,
    MoveBack,
    ReverseVerdict,
    Retraction,
}

/// One rule a move or a record's state does not satisfy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unmet {
    AlreadyInState,
    SupportingSources {
        need: usize,
        have: usize,
    },
    IndependentOrigins {
        need: usize,
        origins: Vec<String>,
    },
    StandingContradictions {
        urls: Vec<String>,
    },
    ContradictingSources {
        need: usize,
        have: usize,
    },
    Note(NoteReason),
    Checklist {
        state: State,
        missing: Vec<String>,
    },
    /// `--unpublish` on a claim that is neither published nor has a verdict.
    NothingToRetract,
}

impl Unmet {
    /// A short stable name for the rule, for machine-readable output.
    pub fn rule(&self) -> &'static str {
        match self {
            Unmet::AlreadyInState => "already-in-state",
            Unmet::SupportingSources { .. } => "supporting-sources",
            Unmet::IndependentOrigins { .. } => "independent-origins",
            Unmet::StandingContradictions { .. } => "standing-contradiction",
            Unmet::ContradictingSources { .. } => "contradicting-sources",
            Unmet::Note(_) => "note-required",
            Unmet::Checklist { .. } => "checklist",
            Unmet::NothingToRetract => "nothing-to-retract",
        }
    }

    /// How to satisfy the rule, as a command the reviewer can run.
    pub fn fix(&self, id: &str, to: State) -> String {
        match self {
            Unmet::AlreadyInState => format!("nothing to do: the claim is already {to}"),
            Unmet::SupportingSources { .. } => format!(
                "attach evidence: claims source add {id} --url URL --publisher NAME --stance supports"
            ),
            Unmet::IndependentOrigins { .. } => format!(
                "attach a supporting source whose information does not come from the same origin: \
                 claims source add {id} --url URL --origin WHO-FIRST-REPORTED-IT"
            ),
            Unmet::StandingContradictions { .. } => format!(
                "dispute the claim instead (claims mark {id} disputed --note WHY), or record why the \
                 contradiction no longer stands: claims source rebut {id} --url URL --note WHY"
            ),
            Unmet::ContradictingSources { .. } => format!(
                "attach the contradicting evidence: claims source add {id} --url URL --stance contradicts"
            ),
            Unmet::Note(NoteReason::Retraction) => format!(
                "say what the correction is: claims mark {id} {to} --unpublish --note \"correction: ...\""
            ),
            Unmet::Note(_) => format!("say why: claims mark {id} {to} --note \"...\""),
            Unmet::NothingToRetract => {
                format!("leave out --unpublish: claims mark {id} {to} --note \"...\"")
            }
            Unmet::Checklist { missing, .. } => {
                let checks: Vec<String> = missing.iter().map(|m| format!("--check {m}")).collect();
                format!(
                    "confirm the items (claims review {id}), or: claims mark {id} {to} {}",
                    checks.join(" ")
                )
            }
        }
    }
}

impl fmt::Display for Unmet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unmet::AlreadyInState => write!(f, "the claim is already in that state"),
            Unmet::SupportingSources { need, have } => write!(
                f,
                "needs at least {need} supporting source{}; has {have}",
                plural(*need)
            ),
            Unmet::IndependentOrigins { need, origins } => write!(
                f,
                "needs supporting sources from at least {need} independent origins; has {}{}",
                origins.len(),
                if origins.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", origins.join(", "))
                }
            ),
            Unmet::StandingContradictions { urls } => write!(
                f,
                "a contradicting source still stands: {}",
                urls.join(", ")
            ),
            Unmet::ContradictingSources { need, have } => write!(
                f,
                "needs at least {need} contradicting source{}; has {have}",
                plural(*need)
            ),
            Unmet::Note(NoteReason::Dispute) => write!(f, "disputing a claim needs a note"),
            Unmet::Note(NoteReason::MoveBack) => {
                write!(f, "moving a claim back to an earlier state needs a note")
            }
            Unmet::Note(NoteReason::ReverseVerdict) => {
                write!(f, "reversing a verdict needs a note")
            }
            Unmet::Note(NoteReason::Retraction) => {
                write!(
                    f,
                    "retracting a published fact-check needs a correction note"
                )
            }
            Unmet::NothingToRetract => write!(
                f,
                "--unpublish retracts a published claim or a verdict; this claim has neither"
            ),
            Unmet::Checklist { state, missing } => write!(
                f,
                "the {state} checklist is not confirmed: {}",
                missing.join(", ")
            ),
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Every rule that moving `record` to `request.to` would break, in the order a reviewer fixes
/// them. Empty when the move is allowed.
pub fn check_move(record: &Record, request: &MoveRequest, policy: &Policy) -> Vec<Unmet> {
    let (from, to) = (record.state, request.to);
    if from == to {
        return vec![Unmet::AlreadyInState];
    }
    let mut unmet = evidence_gaps(record, to, &request.confirmations, policy);
    let retracts = record.published || record.verdict.is_some();
    if request.unpublish && !retracts {
        unmet.push(Unmet::NothingToRetract);
    }
    let note_reason = if request.unpublish && retracts {
        Some(NoteReason::Retraction)
    } else if to == State::Disputed {
        Some(NoteReason::Dispute)
    } else if from.is_verdict() && to.is_verdict() {
        Some(NoteReason::ReverseVerdict)
    } else if to.depth() < from.depth() {
        Some(NoteReason::MoveBack)
    } else {
        None
    };
    let has_note = request
        .note
        .as_deref()
        .is_some_and(|n| !n.trim().is_empty());
    if let Some(reason) = note_reason.filter(|_| !has_note) {
        unmet.push(Unmet::Note(reason));
    }
    unmet
}

/// Rules of `state` that the record's own evidence and recorded checklist answers (plus
/// `confirmations`) do not satisfy. `claims check` uses this on a record's current state.
pub fn evidence_gaps(
    record: &Record,
    state: State,
    confirmations: &Confirmations,
    policy: &Policy,
) -> Vec<Unmet> {
    let mut unmet = Vec::new();
    match state {
        State::Unverified => {}
        State::Sourced => {
            let have = record.supporting().count();
            if have < policy.sourced_min_sources {
                unmet.push(Unmet::SupportingSources {
                    need: policy.sourced_min_sources,
                    have,
                });
            }
        }
        State::Corroborated => {
            let origins = record.supporting_origins();
            if origins.len() < policy.corroborated_min_origins {
                unmet.push(Unmet::IndependentOrigins {
                    need: policy.corroborated_min_origins,
                    origins,
                });
            }
            let urls: Vec<String> = record
                .standing_contradictions()
                .map(|s| s.key().to_string())
                .collect();
            if !urls.is_empty() {
                unmet.push(Unmet::StandingContradictions { urls });
            }
        }
        State::Disputed => {
            let have = record.standing_contradictions().count();
            if have < policy.disputed_min_contradicting {
                unmet.push(Unmet::ContradictingSources {
                    need: policy.disputed_min_contradicting,
                    have,
                });
            }
        }
    }
    for &list in state.checklists_required() {
        let answered = record.checklist.get(&list);
        let missing: Vec<String> = policy
            .checklists
            .items(list)
            .iter()
            .filter(|i| {
                let recorded = answered.and_then(|a| a.get(&i.item)).copied() == Some(true);
                !recorded && !confirmations.confirms(&i.item)
            })
            .map(|i| i.item.clone())
            .collect();
        if !missing.is_empty() {
            unmet.push(Unmet::Checklist {
                state: list,
                missing,
            });
        }
    }
    unmet
}

/// Checklist item names in `confirmations` that no checklist needed by `to` knows: a typo
/// the reviewer should hear about rather than have silently ignored.
pub fn unknown_items(confirmations: &Confirmations, to: State, policy: &Policy) -> Vec<String> {
    let known: BTreeSet<&str> = policy
        .checklists
        .required_for(to)
        .map(|(_, i)| i.item.as_str())
        .collect();
    confirmations
        .items
        .iter()
        .filter(|item| !known.contains(item.as_str()))
        .cloned()
        .collect()
}

/// The record after an allowed move: new state, recorded checklist answers, a history entry.
/// Answers to checklists the new state does not need are dropped, so a claim that is moved
/// back must be confirmed again before it goes forward. A move that unpublishes clears the
/// published flag and withdraws the verdict, and its history entry keeps what it retracted.
pub fn apply_move(
    record: &Record,
    request: &MoveRequest,
    policy: &Policy,
    by: &str,
    at: Timestamp,
) -> Record {
    let mut next = record.clone();
    let required = request.to.checklists_required();
    next.checklist.retain(|state, _| required.contains(state));
    let confirmed: Vec<Given> = policy
        .checklists
        .required_for(request.to)
        .filter(|(list, item)| {
            request.confirmations.confirms(&item.item) && !is_confirmed(record, *list, &item.item)
        })
        .map(|(_, item)| Given::yes(&item.item))
        .collect();
    next = record_answers(&next, request.to, &confirmed, policy, by, at);
    next.history.push(Transition {
        from: record.state,
        to: request.to,
        at,
        by: by.to_string(),
        note: request
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string),
        retracted: request.unpublish.then(|| Retraction {
            unpublished: record.published,
            verdict: next.verdict.take(),
        }),
    });
    if request.unpublish {
        next.published = false;
    }
    next.state = request.to;
    next
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::record::{Source, Stance};

    fn at() -> Timestamp {
        "2026-01-01T00:00:00Z".parse().unwrap()
    }

    fn source(url: &str, origin: &str, stance: Stance) -> Source {
        Source {
            origin: Some(origin.into()),
            ..Source::at_url(url, stance)
        }
    }

    /// Evidence a record may carry, from none to enough for every state.
    #[derive(Debug, Clone, Copy)]
    struct Evidence {
        supporting_origins: usize,
        same_origin_support: bool,
        contradicting: bool,
        rebutted: bool,
    }

    fn record_in(state: State, evidence: Evidence, checklists_done: bool) -> Record {
        let mut record = Record::new("claim".into(), at());
        record.state = state;
        for i in 0..evidence.supporting_origins {
            record.sources.push(source(
                &format!("https://s{i}.example/a"),
                &format!("origin {i}"),
                Stance::Supports,
            ));
        }
        if evidence.same_origin_support {
            record.sources.push(source(
                "https://copy.example/a",
                "origin 0",
                Stance::Supports,
            ));
        }
        if evidence.contradicting {
            let mut contra = source("https://no.example/a", "other", Stance::Contradicts);
            if evidence.rebutted {
                contra.rebuttal = Some("retracted".into());
            }
            record.sources.push(contra);
        }
        if checklists_done {
            let policy = Policy::default();
            for (list, item) in policy.checklists.required_for(state) {
                record
                    .checklist
                    .entry(list)
                    .or_default()
                    .insert(item.item.clone(), true);
            }
        }
        record
    }

    fn request(to: State, note: bool, all_checked: bool) -> MoveRequest {
        MoveRequest {
            to,
            note: note.then(|| "because".to_string()),
            confirmations: if all_checked {
                Confirmations::all()
            } else {
                Confirmations::default()
            },
            unpublish: false,
        }
    }

    fn rules(unmet: &[Unmet]) -> Vec<&'static str> {
        unmet.iter().map(Unmet::rule).collect()
    }

    /// The expected verdict for every from→to pair under every combination of evidence,
    /// note and checklist, written independently of `check_move`'s structure.
    fn expected(
        from: State,
        to: State,
        ev: Evidence,
        note: bool,
        checked: bool,
    ) -> Vec<&'static str> {
        use State::*;
        if from == to {
            return vec!["already-in-state"];
        }
        let mut want = Vec::new();
        let standing = ev.contradicting && !ev.rebutted;
        match to {
            Unverified => {}
            Sourced => {
                if ev.supporting_origins == 0 && !ev.same_origin_support {
                    want.push("supporting-sources");
                }
            }
            Corroborated => {
                let origins = ev
                    .supporting_origins
                    .max(usize::from(ev.same_origin_support));
                if origins < 2 {
                    want.push("independent-origins");
                }
                if standing {
                    want.push("standing-contradiction");
                }
            }
            Disputed => {
                if !standing {
                    want.push("contradicting-sources");
                }
            }
        }
        if !checked && matches!(to, Sourced | Corroborated) {
            want.push("checklist");
            if to == Corroborated {
                want.push("checklist");
            }
        }
        let needs_note = to == Disputed
            || matches!(
                (from, to),
                (Corroborated, Disputed) | (Disputed, Corroborated)
            )
            || (from == Sourced && to == Unverified)
            || (matches!(from, Corroborated | Disputed) && matches!(to, Unverified | Sourced));
        if needs_note && !note {
            want.push("note-required");
        }
        want
    }

    #[test]
    fn every_pair_of_states_against_every_guard() {
        let policy = Policy::default();
        let mut cases = 0;
        for from in State::ALL {
            for to in State::ALL {
                for supporting_origins in 0..=2 {
                    for same_origin_support in [false, true] {
                        for (contradicting, rebutted) in
                            [(false, false), (true, false), (true, true)]
                        {
                            for note in [false, true] {
                                for checked in [false, true] {
                                    let ev = Evidence {
                                        supporting_origins,
                                        same_origin_support,
                                        contradicting,
                                        rebutted,
                                    };
                                    let record = record_in(from, ev, false);
                                    let got =
                                        check_move(&record, &request(to, note, checked), &policy);
                                    assert_eq!(
                                        rules(&got),
                                        expected(from, to, ev, note, checked),
                                        "{from} -> {to} with {ev:?}, note {note}, checked {checked}"
                                    );
                                    cases += 1;
                                }
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(cases, 4 * 4 * 3 * 2 * 3 * 2 * 2);
    }

    #[test]
    fn sources_from_one_origin_are_not_corroboration() {
        let mut record = record_in(
            State::Sourced,
            Evidence {
                supporting_origins: 1,
                same_origin_support: true,
                contradicting: false,
                rebutted: false,
            },
            true,
        );
        // Five outlets repeating one NBC report are one origin, however they spell it.
        record
            .sources
            .iter_mut()
            .for_each(|s| s.origin = Some("NBC News".into()));
        record.sources[1].origin = Some("the nbc news".into());
        let unmet = check_move(
            &record,
            &request(State::Corroborated, false, true),
            &Policy::default(),
        );
        assert_eq!(
            unmet,
            [Unmet::IndependentOrigins {
                need: 2,
                origins: vec!["nbc news".into()]
            }]
        );
        assert!(unmet[0].to_string().contains("has 1 (nbc news)"));
    }

    #[test]
    fn individual_checks_confirm_only_their_items() {
        let record = record_in(
            State::Unverified,
            Evidence {
                supporting_origins: 1,
                same_origin_support: false,
                contradicting: false,
                rebutted: false,
            },
            false,
        );
        let mut req = request(State::Sourced, false, false);
        req.confirmations.items = ["provenance", "source", "date", "location"]
            .map(String::from)
            .into();
        let unmet = check_move(&record, &req, &Policy::default());
        assert_eq!(
            unmet,
            [Unmet::Checklist {
                state: State::Sourced,
                missing: vec!["motivation".into()]
            }]
        );
        assert!(
            unmet[0]
                .fix("abcd1234", State::Sourced)
                .contains("--check motivation")
        );
        req.confirmations.items.insert("motivation".into());
        assert!(check_move(&record, &req, &Policy::default()).is_empty());
    }

    #[test]
    fn applying_a_move_records_answers_and_history_and_moving_back_clears_answers() {
        let policy = Policy::default();
        let record = record_in(
            State::Unverified,
            Evidence {
                supporting_origins: 2,
                same_origin_support: false,
                contradicting: false,
                rebutted: false,
            },
            false,
        );
        let sourced = apply_move(
            &record,
            &request(State::Sourced, false, true),
            &policy,
            "Ana",
            at(),
        );
        assert_eq!(sourced.state, State::Sourced);
        assert_eq!(sourced.checklist[&State::Sourced].len(), 5);
        assert_eq!(sourced.history.len(), 1);
        assert!(
            evidence_gaps(&sourced, State::Sourced, &Confirmations::default(), &policy).is_empty()
        );

        let back = apply_move(
            &sourced,
            &request(State::Unverified, true, false),
            &policy,
            "Ana",
            at(),
        );
        assert!(back.checklist.is_empty());
        assert_eq!(back.history[1].note.as_deref(), Some("because"));
        assert_eq!(back.history[1].from, State::Sourced);
    }

    #[test]
    fn a_retraction_unpublishes_withdraws_the_verdict_and_needs_a_correction_note() {
        use crate::domain::record::Verdict;
        let policy = Policy::default();
        let evidence = Evidence {
            supporting_origins: 2,
            same_origin_support: false,
            contradicting: false,
            rebutted: false,
        };
        for published in [false, true] {
            for verdict in [false, true] {
                let mut record = record_in(State::Corroborated, evidence, true);
                record.published = published;
                record.verdict = verdict.then(|| Verdict {
                    rating: "True".into(),
                    url: "https://factcheck.example/a".into(),
                    at: at(),
                    by: "Ana".into(),
                });
                for note in [false, true] {
                    let mut req = request(State::Unverified, note, false);
                    req.unpublish = true;
                    let got = rules(&check_move(&record, &req, &policy));
                    let want: Vec<&str> = match (published || verdict, note) {
                        (false, false) => vec!["nothing-to-retract", "note-required"],
                        (false, true) => vec!["nothing-to-retract"],
                        (true, false) => vec!["note-required"],
                        (true, true) => vec![],
                    };
                    assert_eq!(
                        got, want,
                        "published {published}, verdict {verdict}, note {note}"
                    );
                    if want.is_empty() {
                        let next = apply_move(&record, &req, &policy, "Ana", at());
                        assert!(!next.published);
                        assert_eq!(next.verdict, None);
                        let retracted = next.history.last().unwrap().retracted.as_ref().unwrap();
                        assert_eq!(retracted.unpublished, published);
                        assert_eq!(retracted.verdict, record.verdict);
                    }
                }
            }
        }
    }

    #[test]
    fn typos_in_checklist_items_are_reported() {
        let confirmations = Confirmations {
            items: ["provenance", "provenence"].map(String::from).into(),
            ..Confirmations::default()
        };
        assert_eq!(
            unknown_items(&confirmations, State::Sourced, &Policy::default()),
            ["provenence"]
        );
    }

    #[test]
    fn a_blank_note_is_no_note() {
        let record = record_in(
            State::Sourced,
            Evidence {
                supporting_origins: 1,
                same_origin_support: false,
                contradicting: false,
                rebutted: false,
            },
            true,
        );
        let mut req = request(State::Unverified, false, false);
        req.note = Some("   ".into());
        assert_eq!(
            rules(&check_move(&record, &req, &Policy::default())),
            ["note-required"]
        );
    }
}
