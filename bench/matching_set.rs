//! Scores `claims extract`'s matching on a labelled set (tests/data/matching): which claims the
//! outlets share ended as one record, and which records joined sentences that are not one claim,
//! alone or beside a background of single outlets' articles on other stories (the news set of
//! tests/data/news-checkworthiness, each article labelled with its story in
//! tests/data/matching/background.tsv).
//! Shared by the `matching` benchmark, which prints the figures, and a test that keeps a floor.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::Path;

use claims::extract::{self, Document, Models};
use claims::text::checkworthiness::{Genre, Scorer};
use claims::text::{ClaimIndex, Embeddings, Verdict};

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
    /// Records joining sentences of different events (or stories of the background).
    pub cross_event: usize,
    /// Sentences read, and records made.
    pub sentences: usize,
    pub records: usize,
    /// Each shared claim left in several records, and each record joining different claims or
    /// different events:
    /// the sentences with the record each ended in, and for a missed claim each pair of its
    /// sentences left apart with their scores and the rule that kept them apart, for reading
    /// the misses one by one.
    pub misses: Vec<String>,
}

/// The label of a sentence: a claim several outlets share, or one of its own.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Label {
    Shared(String),
    Alone(String, usize),
    Ignored,
}

/// An article of the background: one outlet's sentences, and the story it reports.
pub struct Article {
    pub name: String,
    pub story: String,
    pub sentences: Vec<String>,
}

/// The news set's articles, each with its story: `data` is tests/data.
pub fn background(data: &Path) -> Vec<Article> {
    let stories = fs::read_to_string(data.join("matching/background.tsv")).expect("background.tsv");
    let sentences = fs::read_to_string(data.join("news-checkworthiness/sentences.tsv"))
        .expect("the news set's sentences");
    let mut articles: Vec<Article> = stories
        .lines()
        .skip(1)
        .filter(|row| !row.trim().is_empty())
        .map(|row| {
            let (name, story) = row
                .split_once('\t')
                .unwrap_or_else(|| panic!("background.tsv: not two columns: {row:?}"));
            Article {
                name: name.to_owned(),
                story: story.to_owned(),
                sentences: Vec::new(),
            }
        })
        .collect();
    for row in sentences
        .lines()
        .skip(1)
        .filter(|row| !row.trim().is_empty())
    {
        let (name, text) = row
            .split_once('\t')
            .and_then(|(name, rest)| Some((name, rest.splitn(3, '\t').nth(2)?)))
            .unwrap_or_else(|| panic!("sentences.tsv: not four columns: {row:?}"));
        let article = articles
            .iter_mut()
            .find(|article| article.name == name)
            .unwrap_or_else(|| panic!("background.tsv names no story for article {name}"));
        article.sentences.push(text.to_owned());
    }
    articles
}

/// Runs the extraction plan over every article under `folder` (one folder per event), then
/// over the `background` articles, with every statement taken as a claim, and scores it
/// against `folder/labels.tsv`. A background sentence's event is its article's story.
pub fn measure(
    folder: &Path,
    background: &[Article],
    embeddings: Option<&'static Embeddings>,
) -> Figures {
    let mut documents = Vec::new();
    let mut event_of: HashMap<String, String> = HashMap::new();
    for event in sorted_entries(folder).into_iter().filter(|p| p.is_dir()) {
        for article in sorted_entries(&event) {
            let text = fs::read_to_string(&article).expect("an article of the matching set");
            // The first line names the source; it is no sentence of the article.
            let body = text.split_once('\n').map_or("", |(_, body)| body);
            let path = relative(folder, &article);
            event_of.insert(path.clone(), relative(folder, &event));
            documents.push(Document {
                path,
                text: format!("\n{body}"),
            });
        }
    }
    for article in background {
        let path = format!("background/{}", article.name);
        event_of.insert(path.clone(), article.story.clone());
        documents.push(Document {
            path,
            text: format!("\n{}\n", article.sentences.join("\n")),
        });
    }
    let models = Models {
        checkworthiness: Scorer::builtin().0,
        embeddings,
    };
    let at = "2026-01-01T00:00:00Z".parse().expect("a timestamp");
    let plan = extract::plan(&documents, Vec::new(), models, Genre::Article, 0.0, at);

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
    // Each record's sentences, by label, event and place in the plan.
    let mut records: BTreeMap<String, Vec<(Label, String, usize)>> = BTreeMap::new();
    // The sentences of each shared claim, with the record each ended in.
    let mut members: BTreeMap<String, Vec<(usize, String)>> = BTreeMap::new();
    for (at, candidate) in plan.candidates.iter().enumerate() {
        let label = label_of
            .get(&(candidate.document.clone(), candidate.line))
            .cloned()
            .unwrap_or_else(|| {
                // The background is labelled by story only: what its sentences join inside
                // one story is judged neither way.
                if candidate.document.starts_with("background/") {
                    Label::Ignored
                } else {
                    Label::Alone(candidate.document.clone(), candidate.line)
                }
            });
        let record = candidate.outcome.id().to_string();
        if let Label::Shared(name) = &label {
            members
                .entry(name.clone())
                .or_default()
                .push((at, record.clone()));
        }
        records
            .entry(record)
            .or_default()
            .push((label, event_of[&candidate.document].clone(), at));
    }
    let shown = |at: usize| {
        let candidate = &plan.candidates[at];
        format!(
            "  {} {}:{} {}",
            candidate.outcome.id(),
            candidate.document,
            candidate.line,
            candidate.excerpt
        )
    };
    // Every sentence, to judge the pairs a miss left apart or a wrong merge joined. The plan's
    // own index grew one article at a time, so its word weights differ a little from these.
    let mut everything = ClaimIndex::with_embeddings(embeddings);
    for (at, candidate) in plan.candidates.iter().enumerate() {
        everything.insert(at, &candidate.excerpt);
    }
    // The later sentence (b) was looked up among the claims the earlier (a) made.
    let judged = |a: usize, b: usize| {
        let judgement = everything
            .judge(&plan.candidates[b].excerpt, &a)
            .expect("every sentence is indexed");
        let cosine = judgement
            .cosine
            .map_or_else(String::new, |c| format!(", cosine {c:.2}"));
        format!(
            "    {}:{} / {}:{}: lexical {:.2}{cosine}, {}",
            plan.candidates[a].document,
            plan.candidates[a].line,
            plan.candidates[b].document,
            plan.candidates[b].line,
            judgement.lexical,
            said_no(judgement.verdict)
        )
    };
    for (name, sentences) in members.iter().filter(|(_, s)| s.len() > 1) {
        figures.shared += 1;
        let distinct: BTreeSet<&String> = sentences.iter().map(|(_, record)| record).collect();
        figures.matched += usize::from(distinct.len() == 1);
        let mut lines: Vec<String> = sentences.iter().map(|&(at, _)| shown(at)).collect();
        for (i, (a, record_a)) in sentences.iter().enumerate() {
            for (b, record_b) in &sentences[i + 1..] {
                figures.pairs += 1;
                if record_a == record_b {
                    figures.pairs_joined += 1;
                } else {
                    lines.push(judged(*a, *b));
                }
            }
        }
        if distinct.len() > 1 {
            figures
                .misses
                .push(format!("missed {name}:\n{}", lines.join("\n")));
        }
    }
    for sentences in records.values() {
        let labelled: Vec<&(Label, String, usize)> = sentences
            .iter()
            .filter(|(label, _, _)| *label != Label::Ignored)
            .collect();
        let claims: BTreeSet<&Label> = labelled.iter().map(|(label, _, _)| label).collect();
        figures.wrong_merges += claims.len().saturating_sub(1);
        if claims.len() > 1 {
            let mut lines: Vec<String> = sentences.iter().map(|&(_, _, at)| shown(at)).collect();
            for (i, (label_a, _, a)) in labelled.iter().enumerate() {
                for (label_b, _, b) in &labelled[i + 1..] {
                    if label_a != label_b {
                        lines.push(judged(*a, *b));
                    }
                }
            }
            figures
                .misses
                .push(format!("wrong merge:\n{}", lines.join("\n")));
        }
        let events: BTreeSet<&String> = sentences.iter().map(|(_, event, _)| event).collect();
        if events.len() > 1 {
            figures.cross_event += 1;
            // A record joining claims is listed above already.
            if claims.len() <= 1 {
                let lines: Vec<String> = sentences.iter().map(|&(_, _, at)| shown(at)).collect();
                figures
                    .misses
                    .push(format!("across events:\n{}", lines.join("\n")));
            }
        }
    }
    figures
}

/// The rule that kept a pair of sentences apart, as the misses print it.
fn said_no(verdict: Verdict) -> &'static str {
    match verdict {
        // In a miss: kept apart by the one-to-one alignment of an article with the claims.
        Verdict::Same => "one claim by the rules",
        Verdict::Unmatchable => "too few content words",
        Verdict::NotCandidate => "not among the candidates",
        Verdict::CompetingFigures => "competing figures",
        Verdict::Polarity => "polarity",
        Verdict::FewWordsShared => "figures shared, too few words",
        Verdict::TooLittleShared => "fewer than three words and figures shared",
        Verdict::BelowBar => "below the bar",
    }
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
