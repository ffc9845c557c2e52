use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;

use crate::text::checkworthiness::{Genre, Scorer};
use crate::ui::Ui;

use super::CommandError;

/// Score sentences for check-worthiness, one per input line
///
/// Prints `score<TAB>yes|no<TAB>sentence` for every non-blank line: the model's score (0 to 1)
/// and whether it reaches the model's threshold for the genre. Reads FILE, or standard input
/// when FILE is absent or `-`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    claims score sentences.txt\n  \
    echo \"Unemployment fell to 3.5 percent last year.\" | claims score\n  \
    claims score --genre transcript debate-sentences.txt\n  \
    claims score - --format json < sentences.txt")]
pub struct Args {
    /// File of sentences, one per line (`-` or absent: standard input)
    pub file: Option<PathBuf>,
    /// What the sentences were read from: it sets the threshold
    #[arg(long, value_enum, default_value_t)]
    pub genre: Genre,
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

pub fn run(args: Args, ui: &mut Ui) -> Result<(), CommandError> {
    let input: Box<dyn Read> = match args.file.as_deref() {
        None => Box::new(std::io::stdin().lock()),
        Some(path) if path.as_os_str() == "-" => Box::new(std::io::stdin().lock()),
        Some(path) => Box::new(
            std::fs::File::open(path)
                .map_err(|e| CommandError::usage(format!("cannot read {}: {e}", path.display())))?,
        ),
    };
    let (model, notice) = Scorer::builtin();
    if let Some(notice) = notice {
        ui.warn(&notice);
    }
    let threshold = model.thresholds().of(args.genre);
    let mut reader = BufReader::with_capacity(1 << 16, input);
    let mut out = BufWriter::with_capacity(1 << 16, ui.out());
    let mut line = Vec::new();
    let (mut first, mut invalid_lines, mut number) = (true, 0usize, 0usize);
    if matches!(args.format, Format::Json) {
        out.write_all(b"[")?;
    }
    loop {
        line.clear();
        if reader
            .read_until(b'\n', &mut line)
            .map_err(|e| CommandError::usage(format!("cannot read input: {e}")))?
            == 0
        {
            break;
        }
        number += 1;
        let text = match std::str::from_utf8(&line) {
            Ok(text) => std::borrow::Cow::Borrowed(text),
            Err(_) => {
                invalid_lines += 1;
                String::from_utf8_lossy(&line)
            }
        };
        let sentence = text.trim();
        if sentence.is_empty() {
            continue;
        }
        let score = model.score(sentence);
        let worthy = score >= threshold;
        match args.format {
            Format::Text => {
                // A tab inside the sentence would shift the columns of the output.
                let sentence = sentence.replace('\t', " ");
                writeln!(
                    out,
                    "{score:.3}\t{}\t{sentence}",
                    if worthy { "yes" } else { "no" }
                )?;
            }
            Format::Json => {
                let item = serde_json::json!({
                    "line": number,
                    "score": (f64::from(score) * 1000.0).round() / 1000.0,
                    "check_worthy": worthy,
                    "sentence": sentence,
                });
                out.write_all(if first { b"\n  " } else { b",\n  " })?;
                serde_json::to_writer(&mut out, &item)?;
                first = false;
            }
        }
    }
    if matches!(args.format, Format::Json) {
        out.write_all(b"\n]\n")?;
    }
    out.flush()?;
    drop(out);
    if invalid_lines > 0 {
        ui.warn(&format!(
            "{invalid_lines} line{} not valid UTF-8; invalid bytes were replaced with U+FFFD",
            if invalid_lines == 1 { " was" } else { "s were" }
        ));
    }
    Ok(())
}
