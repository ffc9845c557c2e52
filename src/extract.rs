//! Planning `claims extract`: which sentences of which documents become claims, which are new
//! appearances of known claims, and which are related to a known claim by a differing figure.
//! Pure: the caller reads the documents and the records, and commits the plan.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use jiff::Timestamp;

use crate::domain::id::ClaimId;
use crate::domain::record::{Appearance, Record};
use crate::text::checkworthiness::{Genre, Scorer};
use crate::text::{
    ClaimIndex, Embeddings, Ranking, SentenceKind, attribution, claimant, claimant_with_context,
    fullest_name, name_speaker, name_subject, opens_with_personal_pronoun, sentences, sole_person,
    speaker_turn, standalone,
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
    /// The claim as it reads alone.
    pub text: String,
    /// The sentence as written.
    pub excerpt: String,
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

    /// The dismissed claims given new appearances, with how many each. The claim did appear
    /// again, so the appearance is recorded; the claim stays set aside.
    pub fn dismissed_appearances(&self) -> BTreeMap<&ClaimId, usize> {
        let mut found = BTreeMap::new();
        for candidate in &self.candidates {
            if let Outcome::Appearance(id) = &candidate.outcome
                && self.records.get(id).is_some_and(Record::is_dismissed)
            {
                *found.entry(id).or_default() += 1;
            }
        }
        found
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

/// The models extraction uses: the check-worthiness model, and the embedding table that adds a
/// semantic signal to matching when there is one.
#[derive(Clone, Copy)]
pub struct Models<'a> {
    pub checkworthiness: Scorer<'a>,
    pub embeddings: Option<&'static Embeddings>,
}

/// A check-worthy sentence of the document being planned.
struct Statement {
    line: usize,
    /// The sentence as written, the appearance's excerpt.
    text: String,
    /// Where what the sentence states begins in `text`: after the speaker's label that opens
    /// a transcript's turn, else at 0.
    said_from: usize,
    /// The claim as it reads alone (see [`standalone`]).
    claim: String,
    claimant: Option<String>,
    score: f32,
}

impl Statement {
    /// What the sentence states, without a speaker's label: what is scored and matched.
    fn said(&self) -> &str {
        &self.text[self.said_from..]
    }
}

/// Plans the extraction of `documents`, read as text of `genre`, into a repository holding
/// `existing` records.
///
/// A document states a claim once: within one document, each known claim takes at most one
/// sentence, the one that matches it best (exact repeats of a sentence aside), so that two
/// sentences of one article about the same event never collapse into one claim.
pub fn plan(
    documents: &[Document],
    existing: Vec<Record>,
    models: Models<'_>,
    genre: Genre,
    min_score: f32,
    at: Timestamp,
) -> Plan {
    let mut known: BTreeMap<ClaimId, Record> = BTreeMap::new();
    let mut index = Wordings::new(models.embeddings);
    // Every claim's lines in every document, so that a sentence repeated thousands of times
    // does not rescan its claim's growing list of appearances at each repeat.
    let mut appeared = Places::default();
    // A claim dismissed as a duplicate gave its appearances to the claim kept in its place:
    // what matches it now belongs there too.
    let mut kept_for: HashMap<ClaimId, ClaimId> = HashMap::new();
    for record in existing {
        if let Some(kept) = record.dismissal().and_then(|d| d.duplicate_of.clone()) {
            kept_for.insert(record.id.clone(), kept);
        }
        index_record(&mut index, &record);
        for appearance in &record.appearances {
            appeared.insert(&record.id, appearance);
        }
        known.insert(record.id.clone(), record);
    }
    let mut plan = Plan::default();
    for document in documents {
        let statements = statements(
            document,
            models.checkworthiness,
            genre,
            min_score,
            &mut plan,
        );
        // Against the claims known before this document: it states each of them once at most.
        let rankings: Vec<Ranking<ClaimId>> = statements
            .iter()
            .map(|statement| index.claims.ranked(statement.said()))
            .collect();
        let occurrences = occurrences(&statements);
        let assigned = align(
            &statements,
            &occurrences,
            &rankings,
            &known,
            &appeared,
            &document.path,
        );
        let statements = statements.into_iter().zip(occurrences);
        for (((statement, occurrence), assigned), ranking) in statements.zip(assigned).zip(rankings)
        {
            let appearance = Appearance {
                document: document.path.clone(),
                line: Some(statement.line as u64),
                excerpt: Some(statement.text.clone()),
                attribution: attribution(statement.said()),
            };
            // A sentence this document already stated is the claim it made then.
            let repeated = || claim_written_as(&statement.claim, &known);
            let kept = |id| kept_in_place_of(id, &kept_for, &known);
            let outcome = if let Some(id) = assigned.or_else(repeated).map(kept) {
                let record = plan
                    .records
                    .entry(id.clone())
                    .or_insert_with(|| known[&id].clone());
                if appeared.is_recorded(&id, &appearance, occurrence) {
                    Outcome::Known(id)
                } else {
                    appeared.insert(&id, &appearance);
                    record.appearances.push(appearance);
                    index.insert(&id, statement.said());
                    Outcome::Appearance(id)
                }
            } else {
                let id = fresh_id(&statement.claim, &known);
                let mut record = new_record(
                    &statement.claim,
                    id.clone(),
                    statement.claimant.clone(),
                    appearance,
                    at,
                );
                let related = ranking.related.map(|(key, difference)| {
                    (kept_in_place_of(key, &kept_for, &known), difference)
                });
                if let Some((key, _)) = &related {
                    record.related.push(key.clone());
                    let other = plan
                        .records
                        .entry(key.clone())
                        .or_insert_with(|| known[key].clone());
                    other.related.push(id.clone());
                }
                add(&mut plan, &mut known, &mut index, &mut appeared, record);
                match related {
                    Some((related, difference)) => Outcome::Related {
                        id,
                        related,
                        difference,
                    },
                    None => Outcome::New(id),
                }
            };
            plan.candidates.push(Candidate {
                document: document.path.clone(),
                line: statement.line,
                text: statement.claim,
                excerpt: statement.text,
                score: statement.score,
                outcome,
            });
        }
    }
    // A record touched by the plan but left as it was is not a change.
    plan.records
        .retain(|id, record| plan.created.contains(id) || known.get(id) != Some(record));
    plan
}

/// The document's check-worthy statements, with their claims as they read alone and their
/// claimants, each named as fully as the document names them; counts every sentence read and
/// notes those too long to be a claim. In a transcript, a speaker's label ("BIDEN:") opens a
/// turn: its speaker is the claimant of every sentence up to the next label, and the label is
/// no part of the claim.
fn statements(
    document: &Document,
    model: Scorer<'_>,
    genre: Genre,
    min_score: f32,
    plan: &mut Plan,
) -> Vec<Statement> {
    let mut statements = Vec::new();
    let mut speaker: Option<String> = None;
    let mut previous_claimant: Option<String> = None;
    // The speaker the sentence just before named itself: the only one a pronoun opening the
    // next sentence is safely replaced by.
    let mut named_before: Option<String> = None;
    // The statement just before, whose subject a pronoun opening the next may stand for.
    let mut sentence_before: Option<String> = None;
    let mut full_names: HashMap<String, String> = HashMap::new();
    for sentence in sentences(&document.text) {
        plan.sentences += 1;
        // A turn opens with its label whatever the sentence is: a question's label ends the
        // turn before it too.
        let turn = match genre {
            Genre::Transcript => speaker_turn(&sentence.text),
            Genre::Article => None,
        };
        let said = match turn {
            Some(turn) => {
                speaker = turn.speaker;
                turn.said
            }
            None => sentence.text.as_str(),
        };
        if sentence.kind != SentenceKind::Statement {
            named_before = None;
            sentence_before = None;
            continue;
        }
        if sentence.text.len() > MAX_CLAIM_BYTES {
            plan.too_long.push((document.path.clone(), sentence.line));
            named_before = None;
            sentence_before = None;
            continue;
        }
        let named = claimant(said);
        // Only a sentence that names no speaker needs the one before; in a transcript, the
        // speaker of the turn makes every claim of it, "Trump said …" included.
        let claimant = match (&speaker, &named) {
            (Some(speaker), _) => Some(speaker.clone()),
            (None, Some(name)) => Some(name.clone()),
            (None, None) => claimant_with_context(said, previous_claimant.as_deref()),
        };
        // Each name is looked up once: a lookup reads the whole document.
        let mut full_name = |name: &str| {
            full_names
                .entry(name.to_owned())
                .or_insert_with(|| fullest_name(name, &document.text))
                .clone()
        };
        let mut full = claimant.as_deref().map(&mut full_name);
        let named_in_full = named.as_deref().map(&mut full_name);
        let mut claim = standalone(said);
        // In a transcript "he" is someone the speaker talks about, never the speaker.
        if named.is_none() && speaker.is_none() && opens_with_personal_pronoun(&claim) {
            if let (Some(before), Some(full)) = (&named_before, &full)
                && full == before
            {
                claim = name_speaker(&claim, full, &document.text);
            } else if let Some(person) = sentence_before
                .as_deref()
                .and_then(|before| sole_person(before, &document.text))
            {
                let named = name_subject(&claim, &person, &document.text);
                if named != claim {
                    claim = named;
                    // "He said …": the pronoun that was its speaker is that person.
                    if let Some(speaker) = claimant_with_context(said, Some(&person)) {
                        full = Some(speaker);
                    }
                }
            }
        }
        // A pronoun stands for a person as the article names them in full.
        previous_claimant = full.clone().or(previous_claimant);
        named_before = named_in_full;
        sentence_before = Some(said.to_owned());
        let score = model.score(said);
        if score >= min_score {
            statements.push(Statement {
                line: sentence.line,
                said_from: sentence.text.len() - said.len(),
                text: sentence.text,
                claim,
                claimant: full,
                score,
            });
        }
    }
    statements
}

/// The known claim whose text is `claim` word for word, if any.
fn claim_written_as(claim: &str, known: &BTreeMap<ClaimId, Record>) -> Option<ClaimId> {
    let id = ClaimId::derive(claim);
    known
        .get(&id)
        .is_some_and(|record| record.text == claim)
        .then_some(id)
}

/// How many times the document stated each statement's sentence before it (0 for the first).
fn occurrences(statements: &[Statement]) -> Vec<usize> {
    let mut stated: HashMap<&str, usize> = HashMap::new();
    statements
        .iter()
        .map(|statement| {
            let times = stated.entry(statement.text.as_str()).or_default();
            *times += 1;
            *times - 1
        })
        .collect()
}

/// Which known claim each statement of one document is, if any: each claim given to at most
/// one statement, the best-scoring pairs first. A sentence already recorded in this document is
/// the claim it was recorded under, wherever it now stands; a claim this document already
/// states at some line stays with that line.
fn align(
    statements: &[Statement],
    occurrences: &[usize],
    rankings: &[Ranking<ClaimId>],
    known: &BTreeMap<ClaimId, Record>,
    appeared: &Places,
    document: &str,
) -> Vec<Option<ClaimId>> {
    let mut assigned: Vec<Option<ClaimId>> = vec![None; statements.len()];
    let mut pairs: Vec<(f64, usize, ClaimId)> = Vec::new();
    for (at, (statement, ranking)) in statements.iter().zip(rankings).enumerate() {
        if let Some(recorded) = appeared.recorded_as(document, &statement.text, occurrences[at]) {
            assigned[at] = Some(recorded.clone());
            continue;
        }
        if let Some(exact) = claim_written_as(&statement.claim, known) {
            pairs.push((f64::INFINITY, at, exact));
        }
        for (id, score) in &ranking.same {
            pairs.push((*score, at, id.clone()));
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut taken: HashSet<ClaimId> = assigned.iter().flatten().cloned().collect();
    for (_, at, id) in pairs {
        let line = Some(statements[at].line as u64);
        if assigned[at].is_some()
            || taken.contains(&id)
            || appeared.elsewhere_in(&id, document, line)
        {
            continue;
        }
        taken.insert(id.clone());
        assigned[at] = Some(id);
    }
    assigned
}

/// The index of claims by wording, each wording of a claim indexed once: repeats add nothing
/// to a match, and would make every lookup scan them all.
struct Wordings {
    claims: ClaimIndex<ClaimId>,
    indexed: HashSet<(ClaimId, String)>,
}

impl Wordings {
    fn new(embeddings: Option<&'static Embeddings>) -> Wordings {
        Wordings {
            claims: ClaimIndex::with_embeddings(embeddings),
            indexed: HashSet::new(),
        }
    }

    fn insert(&mut self, id: &ClaimId, text: &str) {
        if self.indexed.insert((id.clone(), text.to_string())) {
            self.claims.insert(id.clone(), text);
        }
    }
}

/// The lines at which each claim appears in each document, and how many times each sentence
/// of a document was recorded, under which claim. A sentence is the appearance it was recorded
/// as wherever it now stands: a line added above it (an "UPDATED" line of a wire story) moves
/// it and changes nothing it states. A sentence a document repeats is recorded once per time,
/// each time under the claim it was recorded under.
#[derive(Default)]
struct Places {
    lines: HashMap<(ClaimId, String), HashSet<Option<u64>>>,
    sentences: HashMap<(String, String), Recordings>,
}

/// The lines a document states one sentence at, in order, each with the claim it was recorded
/// under there.
type Recordings = Vec<(Option<u64>, ClaimId)>;

impl Places {
    /// Records an appearance.
    fn insert(&mut self, id: &ClaimId, appearance: &Appearance) {
        self.lines
            .entry((id.clone(), appearance.document.clone()))
            .or_default()
            .insert(appearance.line);
        if let Some(excerpt) = &appearance.excerpt {
            let place = (appearance.document.clone(), excerpt.clone());
            let recorded = self.sentences.entry(place).or_default();
            let at = recorded.partition_point(|(line, _)| *line <= appearance.line);
            recorded.insert(at, (appearance.line, id.clone()));
        }
    }

    /// Whether the claim's appearance is recorded: at its line, or as its sentence, the
    /// `occurrence`-th time (from 0) the document states it.
    fn is_recorded(&self, id: &ClaimId, appearance: &Appearance, occurrence: usize) -> bool {
        let at_line = self
            .lines
            .get(&(id.clone(), appearance.document.clone()))
            .is_some_and(|lines| lines.contains(&appearance.line));
        at_line
            || appearance.excerpt.as_ref().is_some_and(|excerpt| {
                self.recorded_as(&appearance.document, excerpt, occurrence) == Some(id)
            })
    }

    /// The claim under which `excerpt` was recorded in `document` the `occurrence`-th time
    /// (from 0), if it was.
    fn recorded_as(&self, document: &str, excerpt: &str, occurrence: usize) -> Option<&ClaimId> {
        self.sentences
            .get(&(document.to_owned(), excerpt.to_owned()))
            .and_then(|claims| claims.get(occurrence))
            .map(|(_, id)| id)
    }

    /// Whether the claim appears in the document at another line than `line`.
    fn elsewhere_in(&self, id: &ClaimId, document: &str, line: Option<u64>) -> bool {
        self.lines
            .get(&(id.clone(), document.to_owned()))
            .is_some_and(|lines| lines.iter().any(|other| *other != line))
    }
}

fn index_record(index: &mut Wordings, record: &Record) {
    index.insert(&record.id, &record.text);
    for excerpt in record
        .appearances
        .iter()
        .filter_map(|a| a.excerpt.as_deref())
    {
        index.insert(&record.id, excerpt);
    }
}

fn add(
    plan: &mut Plan,
    known: &mut BTreeMap<ClaimId, Record>,
    index: &mut Wordings,
    appeared: &mut Places,
    record: Record,
) {
    index_record(index, &record);
    for appearance in &record.appearances {
        appeared.insert(&record.id, appearance);
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

    fn lexical() -> Models<'static> {
        Models {
            checkworthiness: Scorer::builtin().0,
            embeddings: None,
        }
    }

    fn run(documents: &[Document], existing: Vec<Record>) -> Plan {
        plan(documents, existing, lexical(), Genre::Article, 0.0, at())
    }

    /// The records a first extraction of one document writes.
    fn recorded(path: &str, text: &str) -> Vec<Record> {
        run(&[document(path, text)], Vec::new())
            .records
            .into_values()
            .collect()
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
        let existing = recorded(
            "a.txt",
            "Sheinbaum said Mexico seized 1.5 tons of fentanyl in March.\n",
        );
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
    fn a_dismissed_claim_seen_again_gets_the_appearance_and_stays_dismissed() {
        use crate::domain::triage::{DismissRequest, dismiss};
        let claim = "Sheinbaum said Mexico seized 1.5 tons of fentanyl in March.\n";
        let first = run(&[document("a.txt", claim)], Vec::new());
        let record = first.records.into_values().next().unwrap();
        let request = DismissRequest {
            reason: crate::domain::record::DismissReason::NotCheckWorthy,
            duplicate_of: None,
            note: None,
        };
        let (dismissed, _) = dismiss(&record, None, &request, "Ana", at()).unwrap();
        let again = run(
            &[document("b.txt", claim), document("c.txt", claim)],
            vec![dismissed.clone()],
        );
        assert!(again.created.is_empty(), "{:?}", again.candidates);
        let seen = &again.records[&dismissed.id];
        assert_eq!(seen.appearances.len(), 3);
        assert_eq!(seen.dismissals, dismissed.dismissals);
        assert_eq!(
            again
                .dismissed_appearances()
                .into_iter()
                .collect::<Vec<_>>(),
            [(&dismissed.id, 2)]
        );
        // Seen again while in the queue, a claim is not counted.
        let open = run(&[document("b.txt", claim)], vec![record]);
        assert!(open.dismissed_appearances().is_empty());
        assert_eq!(open.changed().count(), 1);
    }

    #[test]
    fn a_document_states_a_known_claim_once_at_its_best_matching_sentence() {
        let existing = recorded(
            "a.txt",
            "Mexico extradited 55 cartel members to the United States this year.\n",
        );
        // Both sentences match the known claim; the closer one takes it, the other is a
        // claim of its own.
        let second = run(
            &[document(
                "b.txt",
                "Mexico extradited 55 cartel members to the United States, officials said.\n\
                 This year Mexico extradited 55 cartel members to the United States.\n",
            )],
            existing,
        );
        let outcomes: Vec<(usize, bool)> = second
            .candidates
            .iter()
            .map(|c| (c.line, matches!(c.outcome, Outcome::Appearance(_))))
            .collect();
        assert_eq!(outcomes, [(1, false), (2, true)], "{:?}", second.candidates);
        assert_eq!(second.created.len(), 1);
    }

    #[test]
    fn claims_read_alone_and_claimants_are_named_in_full() {
        let plan = run(
            &[document(
                "a.txt",
                "Mexican President Claudia Sheinbaum spoke on Monday.\n\
                 Nevertheless, her government has allowed 10,000 soldiers at the border.\n\
                 Sheinbaum said Mexico extradited 55 cartel members to the United States.\n\
                 She said Mexico seized 1.5 tons of fentanyl in March.\n",
            )],
            Vec::new(),
        );
        let claims: Vec<(&str, Option<&str>, Option<&str>)> = plan
            .candidates
            .iter()
            .map(|c| {
                let record = &plan.records[c.outcome.id()];
                (
                    record.text.as_str(),
                    record.claimant.as_deref(),
                    record.appearances[0].excerpt.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            claims[1..],
            [
                (
                    "Claudia Sheinbaum's government has allowed 10,000 soldiers at the border.",
                    None,
                    Some("Nevertheless, her government has allowed 10,000 soldiers at the border.")
                ),
                (
                    "Sheinbaum said Mexico extradited 55 cartel members to the United States.",
                    Some("Claudia Sheinbaum"),
                    Some(
                        "Sheinbaum said Mexico extradited 55 cartel members to the United States."
                    )
                ),
                (
                    "Claudia Sheinbaum said Mexico seized 1.5 tons of fentanyl in March.",
                    Some("Claudia Sheinbaum"),
                    Some("She said Mexico seized 1.5 tons of fentanyl in March.")
                ),
            ]
        );
        // The same articles again: the claims are found by their own text, nothing changes.
        let existing: Vec<Record> = plan.records.into_values().collect();
        let again = run(
            &[document(
                "a.txt",
                "Mexican President Claudia Sheinbaum spoke on Monday.\n\
                 Nevertheless, her government has allowed 10,000 soldiers at the border.\n\
                 Sheinbaum said Mexico extradited 55 cartel members to the United States.\n\
                 She said Mexico seized 1.5 tons of fentanyl in March.\n",
            )],
            existing,
        );
        assert!(again.records.is_empty(), "{:?}", again.candidates);
    }

    #[test]
    fn a_pronoun_after_a_sentence_speaking_of_one_person_is_that_person() {
        let records = recorded(
            "a.txt",
            "Claudia Sheinbaum said Mexico seized 1.5 tons of fentanyl in March.\n\
             Stephen Miran, a fresh arrival at the Fed, broke ranks on Monday.\n\
             He said the Fed should have cut rates by 0.5 points in September.\n\
             The figures came from sheriff's Sergeant Travis Bingham.\n\
             He said 300 homes were evacuated in Bondurant on Tuesday.\n\
             A police spokesman said officers arrested Armando Luis Juarez.\n\
             He said 12 officers were injured in the shooting on Monday.\n",
        );
        let said = |figure: &str| {
            let record = records
                .iter()
                .find(|record| record.text.contains(figure))
                .unwrap();
            (record.text.as_str(), record.claimant.as_deref())
        };
        assert_eq!(
            [said("0.5 points"), said("300 homes"), said("12 officers")],
            [
                (
                    "Stephen Miran said the Fed should have cut rates by 0.5 points in September.",
                    Some("Stephen Miran")
                ),
                (
                    "Travis Bingham said 300 homes were evacuated in Bondurant on Tuesday.",
                    Some("Travis Bingham")
                ),
                // The spokesman, unnamed, may be "He".
                (
                    "He said 12 officers were injured in the shooting on Monday.",
                    None
                ),
            ]
        );
    }

    #[test]
    fn questions_and_low_scores_are_not_claims() {
        let plan = plan(
            &[document(
                "faq.txt",
                "What does this mean for Mexico?\nThanks for reading.\n",
            )],
            Vec::new(),
            lexical(),
            Genre::Article,
            Scorer::builtin().0.thresholds().of(Genre::Article),
            at(),
        );
        assert!(plan.candidates.is_empty(), "{:?}", plan.candidates);
        assert_eq!(plan.sentences, 2);
    }

    #[test]
    fn a_transcripts_speakers_make_the_claims_of_their_turns() {
        let debate = document(
            "debate.txt",
            "Former Vice President Joe Biden and President Donald Trump met in Atlanta.\n\n\
             BIDEN: We created 15 million jobs in three years.\n\n\
             And inflation is down to 3 percent.\n\n\
             TRUMP: Biden said the border was closed. He let in 10 million people.\n\n\
             Q: Was unemployment 3.5 percent in 2019?\n\n\
             Unemployment was 3.5 percent in 2019.\n",
        );
        let claims = |genre| -> Vec<(String, Option<String>, String)> {
            let plan = plan(
                std::slice::from_ref(&debate),
                Vec::new(),
                lexical(),
                genre,
                0.0,
                at(),
            );
            plan.candidates
                .iter()
                .map(|candidate| {
                    let record = &plan.records[candidate.outcome.id()];
                    (
                        record.text.clone(),
                        record.claimant.clone(),
                        candidate.excerpt.clone(),
                    )
                })
                .collect()
        };
        let claim = |text: &str, claimant: Option<&str>, excerpt: &str| {
            (
                text.to_owned(),
                claimant.map(str::to_owned),
                excerpt.to_owned(),
            )
        };
        assert_eq!(
            claims(Genre::Transcript),
            [
                claim(
                    "Former Vice President Joe Biden and President Donald Trump met in Atlanta.",
                    None,
                    "Former Vice President Joe Biden and President Donald Trump met in Atlanta."
                ),
                claim(
                    "We created 15 million jobs in three years.",
                    Some("Joe Biden"),
                    "BIDEN: We created 15 million jobs in three years."
                ),
                claim(
                    "Inflation is down to 3 percent.",
                    Some("Joe Biden"),
                    "And inflation is down to 3 percent."
                ),
                claim(
                    "Biden said the border was closed.",
                    Some("Donald Trump"),
                    "TRUMP: Biden said the border was closed."
                ),
                claim(
                    "He let in 10 million people.",
                    Some("Donald Trump"),
                    "He let in 10 million people."
                ),
                // The questioner is not named: the answer has no speaker to credit.
                claim(
                    "Unemployment was 3.5 percent in 2019.",
                    None,
                    "Unemployment was 3.5 percent in 2019."
                ),
            ]
        );
        // Read as an article, a label is words of the sentence and names no claimant.
        let article = claims(Genre::Article);
        assert_eq!(
            article[1],
            claim(
                "BIDEN: We created 15 million jobs in three years.",
                None,
                "BIDEN: We created 15 million jobs in three years."
            )
        );
    }
}
