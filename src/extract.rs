//! Planning `claims extract`: which sentences of which documents become claims, which are new
//! appearances of known claims, and which are related to a known claim by a differing figure.
//! Pure: the caller reads the documents and the records, and commits the plan.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use jiff::Timestamp;

use crate::checkworthiness::Model;
use crate::domain::id::ClaimId;
use crate::domain::record::{Appearance, Record};
use crate::text::{
    ClaimIndex, Fingerprint, Match, SentenceKind, attribution, claimant_with_context, sentences,
};

/// A document to extract from: its repository-relative path and its text.
pub struct Document {
    pub path: String,
    pub text: String,
}

/// What extraction does with one check-worthy sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A new claim.
    New(ClaimId),
    /// A new claim whose figures differ from a known one's.
    Related {
        id: ClaimId,
        related: ClaimId,
        difference: String,
    },
    /// A new appearance of a known claim.
    Appearance(ClaimId),
    /// Already recorded at this document and line: nothing to do.
    Known(ClaimId),
}

impl Outcome {
    pub fn id(&self) -> &ClaimId {
        match self {
            Outcome::New(id) | Outcome::Appearance(id) | Outcome::Known(id) => id,
            Outcome::Related { id, .. } => id,
        }
    }
}

/// One check-worthy sentence and what becomes of it.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub document: String,
    pub line: usize,
    pub text: String,
    pub score: f32,
    pub outcome: Outcome,
}

/// The result of planning: every candidate, and the records to write.
#[derive(Debug, Default)]
pub struct Plan {
    pub candidates: Vec<Candidate>,
    /// Records created or changed, by id.
    pub records: BTreeMap<ClaimId, Record>,
    pub created: BTreeSet<ClaimId>,
    /// Sentences read, check-worthy or not.
    pub sentences: usize,
    /// Statements too long to be one claim (document, line), left out.
    pub too_long: Vec<(String, usize)>,
}

/// The longest statement taken for a claim. News sentences run to a few hundred characters;
/// a "sentence" of many kilobytes is text that lost its punctuation, and as a claim it would
/// make a record too large to read back.
pub const MAX_CLAIM_BYTES: usize = 4096;

impl Plan {
    pub fn changed(&self) -> impl Iterator<Item = &ClaimId> {
        self.records.keys().filter(|id| !self.created.contains(*id))
    }
}

/// The claim that stands for `id`: the one it was dismissed as a duplicate of, followed as
/// far as the records go (never round in a circle), else `id` itself.
fn kept_in_place_of(
    id: ClaimId,
    kept_for: &HashMap<ClaimId, ClaimId>,
    known: &BTreeMap<ClaimId, Record>,
) -> ClaimId {
    let mut current = id;
    for _ in 0..kept_for.len() {
        match kept_for
            .get(&current)
            .filter(|kept| known.contains_key(*kept))
        {
            Some(kept) => current = kept.clone(),
            None => break,
        }
    }
    current
}

/// Plans the extraction of `documents` into a repository holding `existing` records.
pub fn plan(
    documents: &[Document],
    existing: Vec<Record>,
    model: &Model,
    min_score: f32,
    at: Timestamp,
) -> Plan {
    let mut known: BTreeMap<ClaimId, Record> = BTreeMap::new();
    let mut index = Wordings::default();
    // Every (claim, document, line) recorded, so that a sentence repeated thousands of times
    // does not rescan its claim's growing list of appearances at each repeat.
    let mut appeared: HashSet<(ClaimId, String, Option<u64>)> = HashSet::new();
    // A claim dismissed as a duplicate gave its appearances to the claim kept in its place:
    // what matches it now belongs there too.
    let mut kept_for: HashMap<ClaimId, ClaimId> = HashMap::new();
    for record in existing {
        if let Some(kept) = record.dismissal().and_then(|d| d.duplicate_of.clone()) {
            kept_for.insert(record.id.clone(), kept);
        }
        index_record(&mut index, &record);
        for appearance in &record.appearances {
            appeared.insert(place(&record.id, appearance));
        }
        known.insert(record.id.clone(), record);
    }
    let mut plan = Plan::default();
    for document in documents {
        let mut previous_claimant: Option<String> = None;
        for sentence in sentences(&document.text) {
            plan.sentences += 1;
            if sentence.kind != SentenceKind::Statement {
                continue;
            }
            if sentence.text.len() > MAX_CLAIM_BYTES {
                plan.too_long.push((document.path.clone(), sentence.line));
                continue;
            }
            let claimant = claimant_with_context(&sentence.text, previous_claimant.as_deref());
            previous_claimant = claimant.clone().or(previous_claimant);
            let score = model.score(&sentence.text);
            if score < min_score {
                continue;
            }
            let appearance = Appearance {
                document: document.path.clone(),
                line: Some(sentence.line as u64),
                excerpt: Some(sentence.text.clone()),
                attribution: attribution(&sentence.text),
            };
            let fingerprint = Fingerprint::of(&sentence.text);
            let exact = ClaimId::derive(&sentence.text);
            let found = match index.claims.find(&fingerprint) {
                Match::New if known.contains_key(&exact) => Match::Same(exact),
                found => found,
            };
            let found = match found {
                Match::Same(id) => Match::Same(kept_in_place_of(id, &kept_for, &known)),
                Match::Related { key, difference } => Match::Related {
                    key: kept_in_place_of(key, &kept_for, &known),
                    difference,
                },
                Match::New => Match::New,
            };
            let outcome = match found {
                Match::Same(id) => {
                    let record = plan
                        .records
                        .entry(id.clone())
                        .or_insert_with(|| known[&id].clone());
                    if !appeared.insert(place(&id, &appearance)) {
                        Outcome::Known(id)
                    } else {
                        record.appearances.push(appearance);
                        index.insert(&id, &sentence.text, || fingerprint);
                        Outcome::Appearance(id)
                    }
                }
                Match::Related { key, difference } => {
                    let id = fresh_id(&sentence.text, &known);
                    let mut record =
                        new_record(&sentence.text, id.clone(), claimant, appearance, at);
                    record.related.push(key.clone());
                    let other = plan
                        .records
                        .entry(key.clone())
                        .or_insert_with(|| known[&key].clone());
                    other.related.push(id.clone());
                    add(
                        &mut plan,
                        &mut known,
                        &mut index,
                        &mut appeared,
                        record,
                        fingerprint,
                    );
                    Outcome::Related {
                        id,
                        related: key,
                        difference,
                    }
                }
                Match::New => {
                    let id = fresh_id(&sentence.text, &known);
                    let record = new_record(&sentence.text, id.clone(), claimant, appearance, at);
                    add(
                        &mut plan,
                        &mut known,
                        &mut index,
                        &mut appeared,
                        record,
                        fingerprint,
                    );
                    Outcome::New(id)
                }
            };
            plan.candidates.push(Candidate {
                document: document.path.clone(),
                line: sentence.line,
                text: sentence.text,
                score,
                outcome,
            });
        }
    }
    // A record touched by the plan but left as it was is not a change.
    plan.records
        .retain(|id, record| plan.created.contains(id) || known.get(id) != Some(record));
    plan
}

/// The index of claims by wording, each wording of a claim indexed once: repeats add nothing
/// to a match, and would make every lookup scan them all.
#[derive(Default)]
struct Wordings {
    claims: ClaimIndex<ClaimId>,
    indexed: HashSet<(ClaimId, String)>,
}

impl Wordings {
    fn insert(&mut self, id: &ClaimId, text: &str, fingerprint: impl FnOnce() -> Fingerprint) {
        if self.indexed.insert((id.clone(), text.to_string())) {
            self.claims.insert(id.clone(), fingerprint());
        }
    }
}

fn place(id: &ClaimId, appearance: &Appearance) -> (ClaimId, String, Option<u64>) {
    (id.clone(), appearance.document.clone(), appearance.line)
}

fn index_record(index: &mut Wordings, record: &Record) {
    index.insert(&record.id, &record.text, || Fingerprint::of(&record.text));
    for excerpt in record
        .appearances
        .iter()
        .filter_map(|a| a.excerpt.as_deref())
    {
        index.insert(&record.id, excerpt, || Fingerprint::of(excerpt));
    }
}

fn add(
    plan: &mut Plan,
    known: &mut BTreeMap<ClaimId, Record>,
    index: &mut Wordings,
    appeared: &mut HashSet<(ClaimId, String, Option<u64>)>,
    record: Record,
    fingerprint: Fingerprint,
) {
    index.insert(&record.id, &record.text, || fingerprint);
    for appearance in &record.appearances {
        appeared.insert(place(&record.id, appearance));
    }
    plan.created.insert(record.id.clone());
    plan.records.insert(record.id.clone(), record.clone());
    known.insert(record.id.clone(), record);
}

/// The text's id, or a longer one in the rare case that id belongs to another text.
fn fresh_id(text: &str, known: &BTreeMap<ClaimId, Record>) -> ClaimId {
    let id = ClaimId::derive(text);
    match known.get(&id) {
        Some(other) if other.text != text => ClaimId::derive_with_length(text, 16),
        _ => id,
    }
}

fn new_record(
    text: &str,
    id: ClaimId,
    claimant: Option<String>,
    appearance: Appearance,
    at: Timestamp,
) -> Record {
    let mut record = Record::new(text.to_string(), at);
    record.id = id;
    record.claimant = claimant;
    record.appearances.push(appearance);
    record
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> Timestamp {
        "2026-01-01T00:00:00Z".parse().unwrap()
    }

    fn document(path: &str, text: &str) -> Document {
        Document {
            path: path.into(),
            text: text.into(),
        }
    }

    fn run(documents: &[Document], existing: Vec<Record>) -> Plan {
        plan(documents, existing, Model::builtin(), 0.0, at())
    }

    #[test]
    fn the_same_claim_in_two_outlets_is_one_record_with_two_appearances() {
        let plan = run(
            &[
                document(
                    "a.txt",
                    "Mexico extradited 55 cartel members to the United States in 2025.\n",
                ),
                document(
                    "b.txt",
                    "In 2025, Mexico extradited 55 cartel members to the U.S., officials said.\n",
                ),
            ],
            Vec::new(),
        );
        assert_eq!(plan.created.len(), 1, "{:?}", plan.candidates);
        let record = plan.records.values().next().unwrap();
        let places: Vec<(&str, Option<u64>)> = record
            .appearances
            .iter()
            .map(|a| (a.document.as_str(), a.line))
            .collect();
        assert_eq!(places, [("a.txt", Some(1)), ("b.txt", Some(1))]);
        assert_eq!(
            record.appearances[1].attribution.as_deref(),
            Some("officials")
        );
    }

    #[test]
    fn different_figures_make_related_claims_not_one() {
        let plan = run(
            &[
                document(
                    "a.txt",
                    "Mexico extradited 55 cartel members to the United States this year.\n",
                ),
                document(
                    "b.txt",
                    "Mexico extradited more than 50 cartel members to the United States this year.\n",
                ),
            ],
            Vec::new(),
        );
        assert_eq!(plan.created.len(), 2, "{:?}", plan.candidates);
        let related = plan
            .candidates
            .iter()
            .find_map(|c| match &c.outcome {
                Outcome::Related { difference, .. } => Some(difference.clone()),
                _ => None,
            })
            .expect("a related pair");
        assert!(
            related.contains("55") && related.contains("50"),
            "{related}"
        );
        for record in plan.records.values() {
            assert_eq!(record.related.len(), 1);
        }
    }

    #[test]
    fn extracting_again_changes_nothing() {
        let documents = [document(
            "a.txt",
            "Trump said cartels cause 300,000 deaths in the United States every year.\n",
        )];
        let first = run(&documents, Vec::new());
        assert_eq!(first.created.len(), 1);
        let existing: Vec<Record> = first.records.into_values().collect();
        let again = run(&documents, existing);
        assert!(again.records.is_empty(), "{:?}", again.records);
        assert!(matches!(again.candidates[0].outcome, Outcome::Known(_)));
    }

    #[test]
    fn extracting_again_after_a_duplicate_was_folded_changes_nothing() {
        use crate::domain::triage::{DismissRequest, dismiss};
        let documents = [
            document(
                "a.txt",
                "Mexico extradited 55 cartel members to the United States this year.\n",
            ),
            document(
                "b.txt",
                "Mexico extradited more than 50 cartel members to the United States this year.\n",
            ),
        ];
        let first = run(&documents, Vec::new());
        assert_eq!(first.created.len(), 2, "{:?}", first.candidates);
        let mut records: Vec<Record> = first.records.into_values().collect();
        records.sort_by_key(|r| r.appearances[0].document.clone());
        let (duplicate, kept) = dismiss(
            &records[1],
            Some(&records[0]),
            &DismissRequest {
                reason: crate::domain::record::DismissReason::Duplicate,
                duplicate_of: Some(records[0].id.clone()),
                note: None,
            },
            "Ana",
            at(),
        )
        .unwrap();
        let kept = kept.unwrap();
        // In either order: which of two equal wordings the index finds first is no rule.
        for existing in [
            vec![duplicate.clone(), kept.clone()],
            vec![kept.clone(), duplicate.clone()],
        ] {
            let again = run(&documents, existing);
            assert!(again.records.is_empty(), "{:?}", again.records);
        }
    }

    #[test]
    fn a_new_document_repeating_a_known_claim_adds_an_appearance() {
        let first = run(
            &[document(
                "a.txt",
                "Sheinbaum said Mexico seized 1.5 tons of fentanyl in March.\n",
            )],
            Vec::new(),
        );
        let existing: Vec<Record> = first.records.into_values().collect();
        let second = run(
            &[document(
                "b.txt",
                "Headline\n\nMexico seized 1.5 tons of fentanyl in March, Sheinbaum said.\n",
            )],
            existing,
        );
        assert!(second.created.is_empty(), "{:?}", second.candidates);
        assert_eq!(second.changed().count(), 1);
        let record = second.records.values().next().unwrap();
        assert_eq!(record.appearances[1].line, Some(3));
        assert_eq!(record.claimant.as_deref(), Some("Sheinbaum"));
    }

    #[test]
    fn questions_and_low_scores_are_not_claims() {
        let plan = plan(
            &[document(
                "faq.txt",
                "What does this mean for Mexico?\nThanks for reading.\n",
            )],
            Vec::new(),
            Model::builtin(),
            Model::builtin().threshold(),
            at(),
        );
        assert!(plan.candidates.is_empty(), "{:?}", plan.candidates);
        assert_eq!(plan.sentences, 2);
    }
}
