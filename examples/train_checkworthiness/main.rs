//! Trains the built-in check-worthiness model.
//!
//! ```text
//! cargo run --release --example train_checkworthiness -- \
//!     --data ../shared/data/checkworthiness --out models/checkworthiness.bin
//! ```
//!
//! Trains on `train.tsv`, `dev.tsv` and the news set's training articles, picks the decision
//! thresholds (one for articles, one for transcripts) on their out-of-fold scores, and reads
//! `dev-test.tsv` and the news set's test articles only to report the final scores, beside
//! those of the model it replaces.
//!
//! The library only loads and scores models; reading the labelled data and fitting live here.

mod data;
mod head;
mod select;
mod train;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use claims::text::Embeddings;
use claims::text::checkworthiness::{Genre, Head, Model, Scorer, sha256};
use clap::Parser;

use crate::data::{Example, NewsSentence, read_news_set, read_tsv};
use crate::head::{HeadOptions, train_head_and_select};
use crate::train::{
    Evaluation, Rng, Selection, TrainOptions, evaluate, evaluate_scores, train_and_select,
};

#[derive(Parser)]
#[command(about = "Train the check-worthiness model deterministically")]
struct Args {
    /// Folder holding train.tsv, dev.tsv and dev-test.tsv.
    #[arg(long)]
    data: PathBuf,
    /// Folder holding the labelled news set (articles.tsv and sentences.tsv).
    #[arg(long, default_value = "tests/data/news-checkworthiness")]
    news: PathBuf,
    /// Where to write the model; the model already there is reported beside the new one.
    #[arg(long, default_value = "models/checkworthiness.bin")]
    out: PathBuf,
    /// Where to write the stacked head; the head already there is reported beside the new one.
    #[arg(long, default_value = "models/checkworthiness-head.bin")]
    head: PathBuf,
    /// Also report the clean news test split (test2), which is read once, at the end.
    #[arg(long)]
    test2: bool,
    /// An earlier n-gram model file to report beside the new models and compare with on
    /// dev-test [default: the n-gram model being replaced]
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Measure the candidate models on training data only (dev and the news training
    /// articles out of fold), print the table, and write nothing.
    #[arg(long)]
    select: bool,
}

fn main() -> ExitCode {
    match run(&Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let mut debates = read_tsv(&args.data.join("train.tsv"))?;
    debates.extend(read_tsv(&args.data.join("dev.tsv"))?);
    let news = read_news_set(&args.news)?;
    if args.select {
        let train_set = read_tsv(&args.data.join("train.tsv"))?;
        let dev = read_tsv(&args.data.join("dev.tsv"))?;
        let embeddings = Embeddings::builtin().ok_or("no embedding table in this build")??;
        select::compare(&train_set, &dev, &news.train, embeddings)?;
        println!("done in {:.1} s", started.elapsed().as_secs_f64());
        return Ok(());
    }
    let options = TrainOptions::default();
    let head_options = HeadOptions::default();
    println!(
        "training on {} debate and {} news sentences with {options:?} and {head_options:?}",
        debates.len(),
        news.train.len()
    );
    let previous_ngrams = std::fs::read(&args.out)
        .ok()
        .and_then(|bytes| Model::from_bytes(&bytes).ok());
    let baseline = match &args.baseline {
        Some(path) => Some(Model::from_bytes(&std::fs::read(path)?)?),
        None => previous_ngrams.clone(),
    };
    let previous_head = std::fs::read(&args.head)
        .ok()
        .and_then(|bytes| Head::from_bytes(&bytes).ok());
    let embeddings = Embeddings::builtin().ok_or("no embedding table in this build")??;

    let (model, selection) = train_and_select(&debates, &news.train, &options)?;
    print_selection("n-grams", &selection);
    let bytes = model.to_bytes();
    let (head, head_selection) = train_head_and_select(
        &debates,
        &news.train,
        &selection,
        embeddings,
        &bytes,
        &head_options,
        &options,
    )?;
    print_selection("stacked head", &head_selection);
    for (path, bytes) in [(&args.out, bytes), (&args.head, head.to_bytes())] {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, &bytes)?;
        println!(
            "wrote {} ({} bytes, SHA-256 {})",
            path.display(),
            bytes.len(),
            hex(&sha256(&bytes))
        );
    }

    let dev_test = read_tsv(&args.data.join("dev-test.tsv"))?;
    let mut reports = vec![("news test", &news.test)];
    if args.test2 {
        reports.push(("news test2", &news.test2));
    }
    let stacked = Scorer::stacked(&model, &head, embeddings)?;
    let previous_stacked = match (&previous_ngrams, &previous_head) {
        (Some(ngrams), Some(head)) => Scorer::stacked(ngrams, head, embeddings).ok(),
        _ => None,
    };
    let scorers = [
        ("new stacked model", Some(stacked)),
        ("new n-gram model alone", Some(Scorer::NGrams(&model))),
        ("previous stacked model", previous_stacked),
        (
            "previous n-gram model",
            previous_ngrams.as_ref().map(Scorer::NGrams),
        ),
        (
            "baseline n-gram model",
            args.baseline
                .as_ref()
                .and(baseline.as_ref())
                .map(Scorer::NGrams),
        ),
    ];
    for (name, scorer) in &scorers {
        let Some(scorer) = scorer else { continue };
        let thresholds = scorer.thresholds();
        println!(
            "{name} (thresholds: article {:.4}, transcript {:.4}):",
            thresholds.of(Genre::Article),
            thresholds.of(Genre::Transcript)
        );
        for genre in [Genre::Transcript, Genre::Article] {
            println!(
                "  dev-test, as {}s: {}",
                genre.name(),
                describe(&evaluate(scorer, &dev_test, genre))
            );
        }
        for (part, sentences) in &reports {
            let examples: Vec<Example> = sentences.iter().map(|s| s.example.clone()).collect();
            println!(
                "  {part}, as articles: {}",
                describe(&evaluate(scorer, &examples, Genre::Article))
            );
            let second = by_second_labeller(sentences);
            if !second.is_empty() {
                println!(
                    "  {part}, as articles, by the second labeller: {}",
                    describe(&evaluate(scorer, &second, Genre::Article))
                );
            }
        }
    }
    for (part, sentences) in &reports {
        print_agreement(part, sentences);
    }
    if let Some(baseline) = &baseline {
        let baseline = Scorer::NGrams(baseline);
        for genre in [Genre::Transcript, Genre::Article] {
            let (low, high) = f1_difference_interval(&stacked, &baseline, &dev_test, genre);
            println!(
                "dev-test F1 as {}s, new stacked minus {} n-gram model: 95% paired bootstrap \
                 interval {low:+.4} to {high:+.4}",
                genre.name(),
                if args.baseline.is_some() {
                    "baseline"
                } else {
                    "previous"
                }
            );
        }
    }
    for (part, sentences) in &reports {
        print_kept_by_category(&stacked, part, sentences);
    }
    let texts: Vec<&str> = debates.iter().map(|e| e.text.as_str()).collect();
    for threads in [1, 2] {
        println!(
            "stacked scoring speed, {threads} thread{}: {:.0} sentences/s",
            if threads == 1 { "" } else { "s" },
            sentences_per_second(&stacked, &texts, threads)
        );
    }
    println!("done in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// How a scorer's thresholds were chosen, and its out-of-fold figures at each.
fn print_selection(what: &str, selection: &Selection) {
    let thresholds = selection.thresholds;
    println!(
        "{what}: thresholds chosen on out-of-fold scores: article {:.4} (mean F1 of the \
         debates and the news training articles), transcript {:.4} (F1 of the debates)",
        thresholds.of(Genre::Article),
        thresholds.of(Genre::Transcript)
    );
    println!(
        "  train + dev, at the article threshold:    {}",
        describe(&selection.debates)
    );
    println!(
        "  train + dev, at the transcript threshold: {}",
        describe(&selection.transcripts)
    );
    println!(
        "  news train, at the article threshold:     {}",
        describe(&selection.news)
    );
}

/// The 2.5th and 97.5th percentiles of F1(new) - F1(old), both deciding at their threshold for
/// `genre`, over 2,000 resamplings of the examples with replacement, the same resampling for
/// both models.
fn f1_difference_interval(
    new: &Scorer,
    old: &Scorer,
    examples: &[Example],
    genre: Genre,
) -> (f64, f64) {
    let decided = |scorer: &Scorer| -> Vec<(f32, bool)> {
        examples
            .iter()
            .map(|e| {
                (
                    f32::from(u8::from(scorer.is_check_worthy(&e.text, genre))),
                    e.check_worthy,
                )
            })
            .collect()
    };
    let (new, old) = (decided(new), decided(old));
    let mut rng = Rng::new(0xB007_57A9);
    let mut differences: Vec<f64> = (0..2000)
        .map(|_| {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            for _ in 0..examples.len() {
                let i = (rng.next() % examples.len() as u64) as usize;
                a.push(new[i]);
                b.push(old[i]);
            }
            evaluate_scores(&a, 0.5).f1 - evaluate_scores(&b, 0.5).f1
        })
        .collect();
    differences.sort_by(f64::total_cmp);
    (differences[50], differences[1949])
}

/// Scores every text once, the texts shared out between `threads` threads, and returns the
/// sentences scored per second of wall time.
fn sentences_per_second(scorer: &Scorer, texts: &[&str], threads: usize) -> f64 {
    let started = Instant::now();
    let total: f32 = std::thread::scope(|scope| {
        let workers: Vec<_> = texts
            .chunks(texts.len().div_ceil(threads).max(1))
            .map(|part| scope.spawn(move || part.iter().map(|t| scorer.score(t)).sum::<f32>()))
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("a scoring thread"))
            .sum()
    });
    // The sum keeps the scoring from being optimised away.
    std::hint::black_box(total);
    texts.len() as f64 / started.elapsed().as_secs_f64()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// How many sentences of each category of a news test split the scorer keeps.
fn print_kept_by_category(scorer: &Scorer, part: &str, sentences: &[NewsSentence]) {
    let mut line = format!("{part} kept by the new stacked model, by category:");
    for category in ['F', 'U', 'O', 'P', 'V', 'Q'] {
        let of: Vec<&NewsSentence> = sentences
            .iter()
            .filter(|s| s.category == category)
            .collect();
        let kept = of
            .iter()
            .filter(|s| scorer.is_check_worthy(&s.example.text, Genre::Article))
            .count();
        line.push_str(&format!(" {category} {kept}/{}", of.len()));
    }
    println!("{line}");
}

/// The sentences the second labeller labelled, with the second labeller's label.
fn by_second_labeller(sentences: &[NewsSentence]) -> Vec<Example> {
    sentences
        .iter()
        .filter_map(|s| {
            s.second.map(|category| Example {
                text: s.example.text.clone(),
                check_worthy: category == 'F',
            })
        })
        .collect()
}

/// How often the two labellers agree, on the category and on check-worthy or not, and
/// Cohen's kappa of the latter (agreement beyond what chance would give).
fn print_agreement(part: &str, sentences: &[NewsSentence]) {
    let pairs: Vec<(char, char)> = sentences
        .iter()
        .filter_map(|s| s.second.map(|second| (s.category, second)))
        .collect();
    if pairs.is_empty() {
        return;
    }
    let n = pairs.len() as f64;
    let share = |count: usize| count as f64 / n;
    let same_category = share(pairs.iter().filter(|(a, b)| a == b).count());
    let same_class = share(
        pairs
            .iter()
            .filter(|(a, b)| (*a == 'F') == (*b == 'F'))
            .count(),
    );
    let (first_yes, second_yes) = (
        share(pairs.iter().filter(|(a, _)| *a == 'F').count()),
        share(pairs.iter().filter(|(_, b)| *b == 'F').count()),
    );
    let chance = first_yes * second_yes + (1.0 - first_yes) * (1.0 - second_yes);
    let kappa = (same_class - chance) / (1.0 - chance);
    println!(
        "{part}, {} sentences labelled twice: the labellers agree on check-worthy or not for \
         {same_class:.3} (Cohen's kappa {kappa:.3}; check-worthy: first {:.0}, second {:.0}), on \
         the category for {same_category:.3}",
        pairs.len(),
        first_yes * n,
        second_yes * n
    );
}

fn describe(evaluation: &Evaluation) -> String {
    format!(
        "F1 {:.4}, precision {:.4}, recall {:.4} over {} sentences",
        evaluation.f1, evaluation.precision, evaluation.recall, evaluation.n
    )
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// Dev-test F1 of the shipped stacked model at its transcript threshold when it was
    /// trained, minus a small tolerance.
    const BUILTIN_DEV_TEST_F1: f64 = 0.7831 - 0.01;
    /// Precision and recall of the shipped stacked model on the two news test splits when it
    /// was trained, minus a small tolerance.
    const BUILTIN_NEWS_TEST_PRECISION_RECALL: (f64, f64) = (0.5521 - 0.01, 0.9636 - 0.01);
    const BUILTIN_NEWS_TEST2_PRECISION_RECALL: (f64, f64) = (0.7579 - 0.01, 0.9231 - 0.01);

    /// The scorer the tool ships, which must be the stacked one.
    fn builtin() -> Scorer<'static> {
        let (scorer, notice) = Scorer::builtin();
        assert_eq!(notice, None, "the built-in scorer fell back");
        scorer
    }

    /// The shared debate data: `CLAIMS_CHECKWORTHINESS_DATA`, or `../shared/data/checkworthiness`
    /// beside the repository.
    fn debate_data() -> Option<PathBuf> {
        let dir = std::env::var_os("CLAIMS_CHECKWORTHINESS_DATA")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/checkworthiness")
            });
        if dir.join("dev-test.tsv").exists() {
            Some(dir)
        } else {
            eprintln!(
                "skipping: {} holds no dev-test.tsv (the debate data is not committed; \
                 set CLAIMS_CHECKWORTHINESS_DATA to its folder)",
                dir.display()
            );
            None
        }
    }

    #[test]
    fn builtin_model_reaches_its_dev_test_f1() {
        let Some(dir) = debate_data() else { return };
        let examples = read_tsv(&dir.join("dev-test.tsv")).expect("dev-test.tsv parses");
        let evaluation = evaluate(&builtin(), &examples, Genre::Transcript);
        println!(
            "dev-test, as transcripts: F1 {:.4}, precision {:.4}, recall {:.4}",
            evaluation.f1, evaluation.precision, evaluation.recall
        );
        assert!(
            evaluation.f1 >= BUILTIN_DEV_TEST_F1,
            "dev-test F1 {:.4} below {BUILTIN_DEV_TEST_F1:.4}",
            evaluation.f1
        );
    }

    #[test]
    fn builtin_model_reaches_its_news_test_precision_and_recall() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/news-checkworthiness");
        let news = read_news_set(&dir).expect("the committed news set parses");
        for (part, sentences, (precision, recall)) in [
            ("test", news.test, BUILTIN_NEWS_TEST_PRECISION_RECALL),
            ("test2", news.test2, BUILTIN_NEWS_TEST2_PRECISION_RECALL),
        ] {
            let examples: Vec<Example> = sentences.into_iter().map(|s| s.example).collect();
            let evaluation = evaluate(&builtin(), &examples, Genre::Article);
            println!(
                "news {part}: precision {:.4}, recall {:.4}, F1 {:.4} over {} sentences",
                evaluation.precision, evaluation.recall, evaluation.f1, evaluation.n
            );
            assert!(
                evaluation.precision >= precision && evaluation.recall >= recall,
                "news {part} precision {:.4} or recall {:.4} below {precision:.4} / {recall:.4}",
                evaluation.precision,
                evaluation.recall
            );
        }
    }
}
