//! Scores `claims extract`'s matching on a labelled set (tests/data/matching): which claims the
//! outlets share ended as one record, and which records joined sentences that are not one claim.
//! Shared by the `matching` benchmark, which prints the figures, and a test that keeps a floor.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::Path;

use claims::extract::{self, Document, Models};
use claims::text::Embeddings;
use claims::text::checkworthiness::Model;

/// What the matcher did on one part of the set.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Figures {
    /// Labelled claims stated by several outlets.
    pub shared: usize,
    /// Of those, the ones all of whose sentences ended in one record.
    pub matched: usize,
    /// Pairs of sentences stating one claim, and how many of them ended in one record.
    pub pairs: usize,
    pub pairs_joined: usize,
    /// Records joining sentences labelled as different claims (each extra claim counts once).
    pub wrong_merges: usize,
    /// Records joining sentences of different events.
    pub cross_event: usize,
    /// Sentences read, and records made.
    pub sentences: usize,
    pub records: usize,
    /// Each shared claim left in several records, and each record joining different claims:
    /// the sentences with the record each ended in, for reading the misses one by one.
    pub misses: Vec<String>,
}

/// The label of a sentence: a claim several outlets share, or one of its own.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Label {
    Shared(String),
    Alone(String, usize),
    Ignored,
}

/// Runs the extraction plan over every article under `folder` (one folder per event) with
/// every statement taken as a claim, and scores it against `folder/labels.tsv`.
pub fn measure(folder: &Path, embeddings: Option<&'static Embeddings>) -> Figures {
    let mut documents = Vec::new();
    for event in sorted_entries(folder).into_iter().filter(|p| p.is_dir()) {
        for article in sorted_entries(&event) {
            let text = fs::read_to_string(&article).expect("an article of the matching set");
            // The first line names the source; it is no sentence of the article.
            let body = text.split_once('\n').map_or("", |(_, body)| body);
            documents.push(Document {
                path: relative(folder, &article),
                text: format!("\n{body}"),
            });
        }
    }
    let models = Models {
        checkworthiness: Model::builtin(),
        embeddings,
    };
    let at = "2026-01-01T00:00:00Z".parse().expect("a timestamp");
    let plan = extract::plan(&documents, Vec::new(), models, 0.0, at);

    let labels = fs::read_to_string(folder.join("labels.tsv")).expect("labels.tsv");
    let mut label_of: HashMap<(String, usize), Label> = HashMap::new();
    for row in labels.lines().filter(|row| !row.trim().is_empty()) {
        let [label, document, start] = row.split('\t').collect::<Vec<_>>()[..] else {
            panic!("labels.tsv: not three columns: {row:?}");
        };
        let candidate = plan
            .candidates
            .iter()
            .find(|c| c.document == document && c.excerpt.starts_with(start))
            .unwrap_or_else(|| panic!("labels.tsv: no sentence of {document} starts {start:?}"));
        let label = match label {
            "?" => Label::Ignored,
            name => Label::Shared(name.to_owned()),
        };
        label_of.insert((candidate.document.clone(), candidate.line), label);
    }

    let mut figures = Figures {
        sentences: plan.candidates.len(),
        records: plan.created.len(),
        ..Figures::default()
    };
    // Each record's sentences, by label and by event.
    let mut records: BTreeMap<String, Vec<(Label, String)>> = BTreeMap::new();
    let mut members: BTreeMap<String, Vec<String>> = BTreeMap::new();
    // The sentences of each record and of each shared claim, as the misses print them.
    let mut in_record: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut of_claim: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for candidate in &plan.candidates {
        let label = label_of
            .get(&(candidate.document.clone(), candidate.line))
            .cloned()
            .unwrap_or_else(|| Label::Alone(candidate.document.clone(), candidate.line));
        let record = candidate.outcome.id().to_string();
        let line = format!(
            "  {record} {}:{} {}",
            candidate.document, candidate.line, candidate.excerpt
        );
        in_record
            .entry(record.clone())
            .or_default()
            .push(line.clone());
        if let Label::Shared(name) = &label {
            of_claim.entry(name.clone()).or_default().push(line);
            members
                .entry(name.clone())
                .or_default()
                .push(record.clone());
        }
        let event = candidate.document.split('/').next().unwrap_or_default();
        records
            .entry(record)
            .or_default()
            .push((label, event.to_owned()));
    }
    for (name, ids) in members.iter().filter(|(_, ids)| ids.len() > 1) {
        figures.shared += 1;
        let distinct: BTreeSet<&String> = ids.iter().collect();
        figures.matched += usize::from(distinct.len() == 1);
        if distinct.len() > 1 {
            figures
                .misses
                .push(format!("missed {name}:\n{}", of_claim[name].join("\n")));
        }
        for (at, a) in ids.iter().enumerate() {
            for b in &ids[at + 1..] {
                figures.pairs += 1;
                figures.pairs_joined += usize::from(a == b);
            }
        }
    }
    for (record, sentences) in &records {
        let claims: BTreeSet<&Label> = sentences
            .iter()
            .map(|(label, _)| label)
            .filter(|label| **label != Label::Ignored)
            .collect();
        figures.wrong_merges += claims.len().saturating_sub(1);
        if claims.len() > 1 {
            figures
                .misses
                .push(format!("wrong merge:\n{}", in_record[record].join("\n")));
        }
        let events: BTreeSet<&String> = sentences.iter().map(|(_, event)| event).collect();
        figures.cross_event += usize::from(events.len() > 1);
    }
    figures
}

fn sorted_entries(folder: &Path) -> Vec<std::path::PathBuf> {
    let mut entries: Vec<_> = fs::read_dir(folder)
        .expect("a folder of the matching set")
        .map(|entry| entry.expect("a folder entry").path())
        .filter(|path| path.is_dir() || path.extension().is_some_and(|e| e == "txt"))
        .collect();
    entries.sort();
    entries
}

fn relative(folder: &Path, file: &Path) -> String {
    let inside = file.strip_prefix(folder).expect("a file inside the set");
    inside
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
