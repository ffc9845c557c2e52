//! The CI gate's rules for one record, and the invariant every command keeps: a change that
//! succeeds never leaves `claims check` failing where it passed before. Each action's result
//! is judged here, before and after, so that no command has to remember the rule on its own.
//! (A source document's hash is checked by `claims check` alone: it needs the file, and only
//! git changes it.)

use std::fmt;

use super::policy::Policy;
use super::record::Record;
use super::state::State;
use super::workflow::{Confirmations, Unmet, evidence_gaps};
use crate::publish::claimreview::{ReadinessGap, SUMMARY_MAX_CHARS, readiness_gaps};

/// One rule of `claims check` that a record breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GateRule {
    /// Published, but not corroborated.
    PublishedNotCorroborated { state: State },
    /// The record's own evidence or checklist does not satisfy its state.
    Evidence { state: State, unmet: Unmet },
    /// The verdict's rating does not belong to the claim's state, or is not on the scale.
    VerdictRating {
        rating: String,
        state: State,
        belongs_to: Option<State>,
        /// The ratings the claim's state may have, quoted, for the fix.
        allowed: String,
    },
    /// With `[check] claimreview = true`: the ClaimReview of a published claim or a verdict
    /// would not be accepted as it stands.
    ClaimReview(ReadinessGap),
}

/// What a refused change did, so that each rule's fix names the way to do it properly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefusedChange {
    /// Where the change moved the claim, if it was a move.
    pub moving_to: Option<State>,
    /// Whether the claim has something published (a flag or a verdict) that a retraction
    /// would take back.
    pub retractable: bool,
    /// Whether the change took the claim's verdict away.
    pub withdraws_verdict: bool,
}

impl RefusedChange {
    pub fn between(before: &Record, after: &Record) -> RefusedChange {
        RefusedChange {
            moving_to: (after.state != before.state).then_some(after.state),
            retractable: before.published || before.verdict.is_some(),
            withdraws_verdict: before.verdict.is_some() && after.verdict.is_none(),
        }
    }
}

impl GateRule {
    /// The rule's stable name, as `claims check` reports it.
    pub fn rule(&self) -> &'static str {
        match self {
            GateRule::PublishedNotCorroborated { .. } => "published-not-corroborated",
            GateRule::Evidence { unmet, .. } => unmet.rule(),
            GateRule::VerdictRating { .. } => "verdict-rating",
            GateRule::ClaimReview(gap) => gap.rule(),
        }
    }

    /// How to make the refused `change` without breaking the rule.
    pub fn fix(&self, id: &str, change: RefusedChange) -> String {
        let retract = |to: State| {
            format!(
                "retract it in the same step: claims mark {id} {to} --unpublish --note \"correction: ...\""
            )
        };
        let withdraw = format!("claims verdict {id} --withdraw --note WHY");
        match (self, change.moving_to) {
            (
                GateRule::PublishedNotCorroborated { .. } | GateRule::VerdictRating { .. },
                Some(to),
            ) => retract(to),
            (GateRule::PublishedNotCorroborated { state }, None) => retract(*state),
            (GateRule::VerdictRating { allowed, state, .. }, None) if allowed.is_empty() => {
                format!("a {state} claim has no rating; withdraw the verdict: {withdraw}")
            }
            (GateRule::VerdictRating { allowed, .. }, None) => {
                format!(
                    "give a rating the claim's state allows ({allowed}): claims verdict {id} --rating NAME --url URL; \
                     or withdraw it: {withdraw}"
                )
            }
            // The published claim's ClaimReview needs the verdict that was taken away.
            (GateRule::ClaimReview(ReadinessGap::MissingUrl), _) if change.withdraws_verdict => {
                format!("take the publication back first: claims unpublish {id}; then {withdraw}")
            }
            (GateRule::ClaimReview(ReadinessGap::LongSummary { .. }), _) => format!(
                "the claim's text is its ClaimReview's summary: keep it to at most {SUMMARY_MAX_CHARS} \
                 characters: claims edit {id} --text \"...\""
            ),
            (GateRule::ClaimReview(_), _) => format!(
                "give the verdict with the fact-check's address on the organisation's domain: \
                 claims verdict {id} --rating NAME --url URL"
            ),
            (GateRule::Evidence { state, unmet }, _) => format!(
                "first {}; or move the claim first: claims mark {id} unverified{} --note \"...\"",
                unmet.fix(id, *state),
                if change.retractable {
                    " --unpublish"
                } else {
                    ""
                }
            ),
        }
    }
}

impl fmt::Display for GateRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GateRule::PublishedNotCorroborated { state } => write!(f, "published while {state}"),
            GateRule::Evidence { state, unmet } => write!(f, "{state} claim: {unmet}"),
            GateRule::VerdictRating {
                rating,
                state,
                belongs_to: Some(verdict),
                ..
            } => write!(
                f,
                "the verdict's rating \"{rating}\" belongs to {verdict} claims; this one is {state}"
            ),
            GateRule::VerdictRating {
                rating,
                belongs_to: None,
                ..
            } => write!(
                f,
                "the verdict's rating \"{rating}\" is not on the scale in claims.toml"
            ),
            GateRule::ClaimReview(gap) => write!(f, "ClaimReview: {gap}"),
        }
    }
}

/// Every per-record rule of `claims check` that `record` breaks.
pub fn record_rules(record: &Record, policy: &Policy) -> Vec<GateRule> {
    let mut rules = Vec::new();
    if record.published && record.state != State::Corroborated {
        rules.push(GateRule::PublishedNotCorroborated {
            state: record.state,
        });
    }
    rules.extend(
        evidence_gaps(record, record.state, &Confirmations::default(), policy)
            .into_iter()
            .map(|unmet| GateRule::Evidence {
                state: record.state,
                unmet,
            }),
    );
    if let Some(verdict) = &record.verdict {
        let belongs_to = policy.rating.find(&verdict.rating).map(|r| r.verdict);
        if belongs_to != Some(record.state) {
            rules.push(GateRule::VerdictRating {
                rating: verdict.rating.clone(),
                state: record.state,
                belongs_to,
                allowed: policy.rating.names_for(record.state),
            });
        }
    }
    if policy.check_claimreview && (record.published || record.verdict.is_some()) {
        rules.extend(
            readiness_gaps(record, policy.organization.as_ref())
                .into_iter()
                .map(GateRule::ClaimReview),
        );
    }
    rules
}

/// The rules `after` breaks that `before` did not: what a change from `before` to `after`
/// would turn red. A rule already broken before is not the change's doing.
pub fn worsened(before: &Record, after: &Record, policy: &Policy) -> Vec<GateRule> {
    let broken: Vec<&'static str> = record_rules(before, policy)
        .iter()
        .map(GateRule::rule)
        .collect();
    record_rules(after, policy)
        .into_iter()
        .filter(|rule| !broken.contains(&rule.rule()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::record::{Event, Source, Stance, Verdict};

    fn at() -> jiff::Timestamp {
        "2026-01-01T00:00:00Z".parse().unwrap()
    }

    fn source(n: usize, stance: Stance) -> Source {
        Source {
            origin: Some(format!("origin {n}")),
            ..Source::at_url(&format!("https://s{n}.example/a"), stance)
        }
    }

    /// A record that passes the gate in `state`: its evidence and checklists satisfy it.
    fn passing(state: State, published: bool, rating: Option<&str>) -> Record {
        let policy = Policy::default();
        let mut record = Record::new("claim".into(), at());
        record.state = state;
        record.published = published;
        match state {
            State::Unverified => {}
            State::Sourced => record.sources.push(source(0, Stance::Supports)),
            State::Corroborated => {
                record.sources.push(source(0, Stance::Supports));
                record.sources.push(source(1, Stance::Supports));
            }
            State::Disputed => record.sources.push(source(2, Stance::Contradicts)),
        }
        for (list, item) in policy.checklists.required_for(state) {
            record
                .checklist
                .entry(list)
                .or_default()
                .insert(item.item.clone(), true);
        }
        record.verdict = rating.map(|rating| Verdict {
            rating: rating.into(),
            url: "https://factcheck.example/a".into(),
            at: at(),
            by: "Ana".into(),
        });
        record
    }

    fn rules(rules: &[GateRule]) -> Vec<&'static str> {
        rules.iter().map(GateRule::rule).collect()
    }

    /// The rating each state may carry in these tests, if any.
    fn rating_of(state: State) -> Option<&'static str> {
        match state {
            State::Corroborated => Some("Mostly true"),
            State::Disputed => Some("Misleading"),
            State::Unverified | State::Sourced => None,
        }
    }

    #[test]
    fn every_state_published_or_not_with_or_without_a_verdict() {
        let policy = Policy::default();
        for state in State::ALL {
            for published in [false, true] {
                for rating in [None, Some("True"), Some("False"), Some("Pants on fire")] {
                    let record = passing(state, published, rating);
                    let mut want = Vec::new();
                    if published && state != State::Corroborated {
                        want.push("published-not-corroborated");
                    }
                    let fits = match rating {
                        None => true,
                        Some("True") => state == State::Corroborated,
                        Some("False") => state == State::Disputed,
                        Some(_) => false,
                    };
                    if !fits {
                        want.push("verdict-rating");
                    }
                    assert_eq!(
                        rules(&record_rules(&record, &policy)),
                        want,
                        "{state}, published {published}, rating {rating:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn moving_a_passing_record_is_judged_by_its_new_state() {
        let policy = Policy::default();
        for from in State::ALL {
            for to in State::ALL {
                for published in [false, from == State::Corroborated] {
                    let before = passing(from, published, rating_of(from));
                    let mut after = before.clone();
                    after.state = to;
                    let mut want = Vec::new();
                    if published && to != State::Corroborated {
                        want.push("published-not-corroborated");
                    }
                    // What `to` needs and `from`'s evidence does not give.
                    let evidence: Vec<&str> =
                        evidence_gaps(&after, to, &Confirmations::default(), &policy)
                            .iter()
                            .map(Unmet::rule)
                            .collect();
                    want.extend(evidence);
                    if rating_of(from).is_some() && from != to {
                        want.push("verdict-rating");
                    }
                    assert_eq!(
                        rules(&worsened(&before, &after, &policy)),
                        want,
                        "{from} -> {to}, published {published}"
                    );
                }
            }
        }
    }

    #[test]
    fn withdrawing_or_rebutting_the_evidence_a_verdict_rests_on_worsens_the_gate() {
        let policy = Policy::default();
        let disputed = passing(State::Disputed, false, Some("False"));
        let mut withdrawn = disputed.clone();
        withdrawn.sources[0].withdrawn = Some(Event {
            at: at(),
            by: "Ana".into(),
            note: "wrong page".into(),
        });
        assert_eq!(
            rules(&worsened(&disputed, &withdrawn, &policy)),
            ["contradicting-sources"]
        );
        let mut rebutted = disputed.clone();
        rebutted.sources[0].rebuttal = Some("retracted".into());
        assert_eq!(
            rules(&worsened(&disputed, &rebutted, &policy)),
            ["contradicting-sources"]
        );
        let corroborated = passing(State::Corroborated, true, Some("True"));
        let mut same_origin = corroborated.clone();
        same_origin.sources[1].origin = Some("origin 0".into());
        assert_eq!(
            rules(&worsened(&corroborated, &same_origin, &policy)),
            ["independent-origins"]
        );
        let fix = worsened(&corroborated, &same_origin, &policy)[0]
            .fix("abcd", RefusedChange::between(&corroborated, &same_origin));
        assert!(
            fix.contains("claims mark abcd unverified --unpublish"),
            "{fix}"
        );
    }

    /// What each source action does to a passing record of each state, against an
    /// expectation written from the guards' table rather than from the code.
    #[test]
    fn every_state_against_every_source_action() {
        use crate::domain::triage::{SourceEdit, edit_source, withdraw_source};
        #[derive(Debug, Clone, Copy)]
        enum SourceAction {
            Withdraw,
            Rebut,
            TurnStance,
        }
        let policy = Policy::default();
        let mut cases = 0;
        for state in State::ALL {
            for with_verdict in [false, true] {
                let before = passing(state, false, rating_of(state).filter(|_| with_verdict));
                for index in 0..before.sources.len() {
                    for action in [
                        SourceAction::Withdraw,
                        SourceAction::Rebut,
                        SourceAction::TurnStance,
                    ] {
                        let key = before.sources[index].key().to_string();
                        let source = &before.sources[index];
                        let after = match action {
                            SourceAction::Withdraw => {
                                withdraw_source(&before, &key, Some("x"), "Ana", at()).unwrap()
                            }
                            SourceAction::Rebut => {
                                let mut after = before.clone();
                                if source.stance == Stance::Contradicts {
                                    after.sources[index].rebuttal = Some("retracted".into());
                                }
                                after
                            }
                            SourceAction::TurnStance => {
                                let turned = match source.stance {
                                    Stance::Supports => Stance::Contradicts,
                                    Stance::Contradicts => Stance::Supports,
                                };
                                let edit = SourceEdit {
                                    stance: Some(turned),
                                    ..SourceEdit::default()
                                };
                                edit_source(&before, &key, &edit, Some("x"), "Ana", at()).unwrap()
                            }
                        };
                        let want: Vec<&str> = match (state, action) {
                            (State::Unverified, _) => vec![],
                            (State::Sourced, SourceAction::Rebut) => vec![],
                            (State::Sourced, _) => vec!["supporting-sources"],
                            (State::Corroborated, SourceAction::Rebut) => vec![],
                            (State::Corroborated, SourceAction::Withdraw) => {
                                vec!["independent-origins"]
                            }
                            (State::Corroborated, SourceAction::TurnStance) => {
                                vec!["independent-origins", "standing-contradiction"]
                            }
                            (State::Disputed, _) => vec!["contradicting-sources"],
                        };
                        assert_eq!(
                            rules(&worsened(&before, &after, &policy)),
                            want,
                            "{state} {action:?} source {index}, verdict {with_verdict}"
                        );
                        cases += 1;
                    }
                }
            }
        }
        // Sources per passing record: none, one, two, one.
        assert_eq!(cases, 2 * 3 * (1 + 2 + 1));
    }

    #[test]
    fn a_rule_broken_before_is_not_the_changes_doing() {
        let policy = Policy::default();
        let mut before = passing(State::Sourced, true, None);
        before.sources.clear();
        let mut after = before.clone();
        after.notes.clear();
        assert_eq!(
            rules(&record_rules(&after, &policy)),
            ["published-not-corroborated", "supporting-sources"]
        );
        assert!(worsened(&before, &after, &policy).is_empty());
    }

    #[test]
    fn withdrawing_the_verdict_of_a_published_claim_whose_claimreview_needs_it_worsens_the_gate() {
        let mut policy = Policy::default();
        let before = passing(State::Corroborated, true, Some("True"));
        let mut after = before.clone();
        after.verdict = None;
        assert!(worsened(&before, &after, &policy).is_empty());
        policy.check_claimreview = true;
        let worse = worsened(&before, &after, &policy);
        assert_eq!(rules(&worse), ["claimreview-url"]);
        assert_eq!(
            worse[0].fix("abcd", RefusedChange::between(&before, &after)),
            "take the publication back first: claims unpublish abcd; \
             then claims verdict abcd --withdraw --note WHY"
        );
        let mut unpublished = before.clone();
        unpublished.published = false;
        let mut withdrawn = unpublished.clone();
        withdrawn.verdict = None;
        assert!(worsened(&unpublished, &withdrawn, &policy).is_empty());
    }

    /// A refused change of a claim with something published.
    fn refused(moving_to: Option<State>) -> RefusedChange {
        RefusedChange {
            moving_to,
            retractable: true,
            withdraws_verdict: false,
        }
    }

    #[test]
    fn fixes_name_the_retraction_or_the_rating() {
        let published = GateRule::PublishedNotCorroborated {
            state: State::Unverified,
        };
        assert_eq!(
            published.fix("abcd", refused(Some(State::Unverified))),
            "retract it in the same step: claims mark abcd unverified --unpublish --note \"correction: ...\""
        );
        let rating = GateRule::VerdictRating {
            rating: "True".into(),
            state: State::Disputed,
            belongs_to: Some(State::Corroborated),
            allowed: "\"False\"".into(),
        };
        assert!(rating.fix("abcd", refused(None)).contains("(\"False\")"));
        assert!(
            rating
                .fix("abcd", refused(Some(State::Disputed)))
                .contains("--unpublish")
        );
        assert_eq!(
            rating.to_string(),
            "the verdict's rating \"True\" belongs to corroborated claims; this one is disputed"
        );
    }
}
