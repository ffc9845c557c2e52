//! Prints how `claims extract` matches claims across outlets on the labelled set in
//! tests/data/matching, with and without the embedding table, then how fast it goes:
//!
//!     cargo run --release --example matching            # tuning part only
//!     cargo run --release --example matching -- --test  # and the test part's figures
//!
//! `tuning` is the part the matcher's rules and weights were chosen on; `test` was never used
//! for that, so its figures are printed only when asked, and its misses never.
//! `tuning + background` is the tuning part extracted beside the news set's 62 articles (single
//! outlets on other stories, but for a few), to count the joins of different stories' sentences.
//! The misses on `tuning` and the joins across stories are listed one by one, to be read.
//! Speed: sentences per second through the whole extraction plan (sentences, check-worthiness,
//! claimants, matching with embeddings), and one lookup among 100,000 known claims.

#[path = "matching_set.rs"]
mod matching_set;

use std::path::Path;
use std::time::Instant;

use claims::extract::{self, Document, Models};
use claims::text::checkworthiness::{Genre, Scorer};
use claims::text::{ClaimIndex, Embeddings};

/// Known claims a lookup is timed against.
const KNOWN: usize = 100_000;

fn main() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let root = data.join("matching");
    let background = matching_set::background(&data);
    let embeddings = match Embeddings::builtin() {
        Some(Ok(embeddings)) => Some(embeddings),
        Some(Err(error)) => panic!("{error}"),
        None => None,
    };
    println!(
        "part\tmatching\tshared claims matched\tpairs joined\twrong merges\tcross-event\tsentences\trecords"
    );
    let mut tuning_misses = Vec::new();
    let mut runs: Vec<(&str, &str, &[matching_set::Article])> = vec![
        ("tuning", "tuning", &[]),
        ("tuning + background", "tuning", &background),
    ];
    if std::env::args().any(|arg| arg == "--test") {
        runs.push(("test", "test", &[]));
    }
    for (run, part, background) in runs {
        for (name, table) in [("words", None), ("words+embeddings", embeddings)] {
            if name != "words" && table.is_none() {
                println!("{run}\t{name}\tno embedding table in this build");
                continue;
            }
            let f = matching_set::measure(&root.join(part), background, table);
            println!(
                "{run}\t{name}\t{} of {}\t{} of {}\t{}\t{}\t{}\t{}",
                f.matched,
                f.shared,
                f.pairs_joined,
                f.pairs,
                f.wrong_merges,
                f.cross_event,
                f.sentences,
                f.records
            );
            match run {
                "tuning" => tuning_misses.push((format!("tuning, matching on {name}"), f.misses)),
                "tuning + background" => tuning_misses.push((
                    format!("tuning + background, matching on {name}, joins across stories"),
                    f.misses
                        .into_iter()
                        .filter(|miss| !miss.starts_with("missed"))
                        .collect(),
                )),
                _ => {}
            }
        }
    }
    for (title, misses) in tuning_misses {
        println!("\n{title}:");
        for miss in misses {
            println!("{miss}");
        }
    }
    speed(&root, embeddings);
}

/// Every sentence of the set's articles, as written.
fn sentences(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for part in ["tuning", "test"] {
        let mut events: Vec<_> = std::fs::read_dir(root.join(part))
            .expect("the matching set")
            .map(|e| e.expect("an entry").path())
            .filter(|p| p.is_dir())
            .collect();
        events.sort();
        for event in events {
            let mut articles: Vec<_> = std::fs::read_dir(&event)
                .expect("an event")
                .map(|e| e.expect("an entry").path())
                .collect();
            articles.sort();
            for article in articles {
                let text = std::fs::read_to_string(&article).expect("an article");
                out.extend(
                    text.lines()
                        .skip(1)
                        .filter(|l| !l.is_empty())
                        .map(str::to_owned),
                );
            }
        }
    }
    out
}

fn speed(root: &Path, embeddings: Option<&'static Embeddings>) {
    let sentences = sentences(root);
    // Articles of ten sentences each, every sentence made distinct so that each is a claim.
    let documents: Vec<Document> = (0..200)
        .map(|copy| Document {
            path: format!("copy-{copy}.txt"),
            text: sentences
                .iter()
                .skip(copy % sentences.len())
                .take(10)
                .map(|s| format!("{s} Copy {copy} was filed in Zeta-{copy}.\n"))
                .collect(),
        })
        .collect();
    let models = Models {
        checkworthiness: Scorer::builtin().0,
        embeddings,
    };
    let at = "2026-01-01T00:00:00Z".parse().expect("a timestamp");
    let started = Instant::now();
    let plan = extract::plan(&documents, Vec::new(), models, Genre::Article, 0.0, at);
    let took = started.elapsed().as_secs_f64();
    println!(
        "extract plan: {} sentences in {:.3} s, {:.0} sentences/s (one thread)",
        plan.sentences,
        took,
        plan.sentences as f64 / took
    );

    let mut index = ClaimIndex::with_embeddings(embeddings);
    for number in 0..KNOWN {
        let sentence = &sentences[number % sentences.len()];
        index.insert(
            number,
            &format!("{sentence} Filed as report {number} from Zeta-{number}."),
        );
    }
    let mut times: Vec<f64> = sentences
        .iter()
        .map(|sentence| {
            let started = Instant::now();
            let ranking = index.ranked(sentence);
            std::hint::black_box(ranking);
            started.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!(
        "lookup among {KNOWN} known claims: median {:.3} ms, slowest {:.3} ms ({} lookups)",
        times[times.len() / 2],
        times[times.len() - 1],
        times.len()
    );
}
