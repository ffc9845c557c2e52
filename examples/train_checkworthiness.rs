//! Trains the built-in check-worthiness model.
//!
//! ```text
//! cargo run --release --example train_checkworthiness -- \
//!     --data ../shared/data/checkworthiness --out models/checkworthiness.bin
//! ```
//!
//! Trains on `train.tsv` and `dev.tsv`, picks the decision threshold by cross-validation on
//! them, and reads `dev-test.tsv` only to report the final scores.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use claims::checkworthiness::{
    Evaluation, TrainOptions, cross_validate, evaluate, read_tsv, train_with_threshold,
};
use clap::Parser;

#[derive(Parser)]
#[command(about = "Train the check-worthiness model deterministically")]
struct Args {
    /// Folder holding train.tsv, dev.tsv and dev-test.tsv.
    #[arg(long)]
    data: PathBuf,
    /// Where to write the model.
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
    let mut examples = read_tsv(&args.data.join("train.tsv"))?;
    examples.extend(read_tsv(&args.data.join("dev.tsv"))?);
    let options = TrainOptions::default();
    println!("training on {} sentences with {options:?}", examples.len());

    let cross_validation = cross_validate(&examples, &options);
    println!(
        "{}-fold cross-validation: {}, threshold {:.4}",
        options.folds,
        describe(&cross_validation.evaluation),
        cross_validation.threshold
    );
    let model = train_with_threshold(&examples, &options, cross_validation.threshold);
    let bytes = model.to_bytes();
    if let Some(parent) = args.out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&args.out, &bytes)?;
    println!("wrote {} ({} bytes)", args.out.display(), bytes.len());

    let dev_test = read_tsv(&args.data.join("dev-test.tsv"))?;
    println!("dev-test: {}", describe(&evaluate(&model, &dev_test)));
    println!("done in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

fn describe(evaluation: &Evaluation) -> String {
    format!(
        "F1 {:.4}, precision {:.4}, recall {:.4} over {} sentences",
        evaluation.f1, evaluation.precision, evaluation.recall, evaluation.n
    )
}
