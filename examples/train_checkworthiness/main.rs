//! Trains the built-in check-worthiness model.
//!
//! ```text
//! cargo run --release --example train_checkworthiness -- \
//!     --data ../shared/data/checkworthiness --out models/checkworthiness.bin
//! ```
//!
//! Trains on `train.tsv`, `dev.tsv` and the news set's training articles, picks the decision
//! threshold on their out-of-fold scores, and reads `dev-test.tsv` and the news set's test
//! articles only to report the final scores, beside those of the model it replaces.
//!
//! The library only loads and scores models; reading the labelled data and fitting live here.

mod data;
mod train;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use claims::text::checkworthiness::Model;
use clap::Parser;

use crate::data::{Example, NewsSentence, read_news_set, read_tsv};
use crate::train::{Evaluation, TrainOptions, evaluate, train_and_select};

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
    let options = TrainOptions::default();
    println!(
        "training on {} debate and {} news sentences with {options:?}",
        debates.len(),
        news.train.len()
    );
    let previous = std::fs::read(&args.out)
        .ok()
        .and_then(|bytes| Model::from_bytes(&bytes).ok());

    let (model, selection) = train_and_select(&debates, &news.train, &options)?;
    println!(
        "threshold {:.4}, chosen on out-of-fold scores of:",
        selection.threshold
    );
    println!("  train + dev: {}", describe(&selection.debates));
    println!("  news train:  {}", describe(&selection.news));
    let bytes = model.to_bytes();
    if let Some(parent) = args.out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&args.out, &bytes)?;
    println!("wrote {} ({} bytes)", args.out.display(), bytes.len());

    let dev_test = read_tsv(&args.data.join("dev-test.tsv"))?;
    let news_test: Vec<Example> = news.test.iter().map(|s| s.example.clone()).collect();
    for (name, model) in [("new", Some(&model)), ("previous", previous.as_ref())] {
        let Some(model) = model else { continue };
        println!("{name} model (threshold {:.4}):", model.threshold());
        println!("  dev-test:  {}", describe(&evaluate(model, &dev_test)));
        println!("  news test: {}", describe(&evaluate(model, &news_test)));
    }
    print_kept_by_category(&model, &news.test);
    println!("done in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// How many news test sentences of each category the new model keeps.
fn print_kept_by_category(model: &Model, sentences: &[NewsSentence]) {
    let mut line = String::from("news test kept by category:");
    for category in ['F', 'U', 'O', 'P', 'V', 'Q'] {
        let of: Vec<&NewsSentence> = sentences
            .iter()
            .filter(|s| s.category == category)
            .collect();
        let kept = of
            .iter()
            .filter(|s| model.is_check_worthy(&s.example.text))
            .count();
        line.push_str(&format!(" {category} {kept}/{}", of.len()));
    }
    println!("{line}");
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

    /// Dev-test F1 measured when the shipped model was trained, minus a small tolerance.
    const BUILTIN_DEV_TEST_F1: f64 = 0.7749 - 0.01;
    /// News test precision and recall measured when the shipped model was trained, minus a
    /// small tolerance.
    const BUILTIN_NEWS_TEST_PRECISION_RECALL: (f64, f64) = (0.4954 - 0.01, 0.9818 - 0.01);

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
        let evaluation = evaluate(Model::builtin(), &examples);
        println!(
            "dev-test: F1 {:.4}, precision {:.4}, recall {:.4}",
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
        let examples: Vec<Example> = news.test.into_iter().map(|s| s.example).collect();
        let evaluation = evaluate(Model::builtin(), &examples);
        println!(
            "news test: precision {:.4}, recall {:.4}, F1 {:.4} over {} sentences",
            evaluation.precision, evaluation.recall, evaluation.f1, evaluation.n
        );
        let (precision, recall) = BUILTIN_NEWS_TEST_PRECISION_RECALL;
        assert!(
            evaluation.precision >= precision && evaluation.recall >= recall,
            "news test precision {:.4} or recall {:.4} below {precision:.4} / {recall:.4}",
            evaluation.precision,
            evaluation.recall
        );
    }
}
