use std::path::{Path, PathBuf};

use crate::controls::{one_line, strip};
use crate::domain::record::{Appearance, Record};
use crate::engine::ActionError;
use crate::store::now;
use crate::ui::Ui;

use super::{CommandError, Globals};

/// Record a new claim as unverified; prints its id
///
/// The id is derived from the claim's text, so the same claim recorded twice (or on two
/// branches) gets the same id.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    claims add \"Mexico extradited 55 people to the U.S. in 2025\"\n  \
    claims add \"Cartels cause 300,000 deaths a year\" --claimant \"Donald Trump\" --tag mexico \\\n    \
    --document seeds/000_16235a3c288e7261.txt --line 4")]
pub struct Args {
    /// The claim, as made
    pub text: String,
    /// Who made the claim
    #[arg(long, value_name = "NAME")]
    pub claimant: Option<String>,
    /// A tag for sorting claims (repeatable)
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// The document where the claim appeared (a path in this repository)
    #[arg(long, value_name = "PATH")]
    pub document: Option<PathBuf>,
    /// The line of --document where the claim appears
    #[arg(long, value_name = "N", requires = "document", value_parser = clap::value_parser!(u64).range(1..))]
    pub line: Option<u64>,
}

pub fn run(args: Args, globals: &Globals, ui: &mut Ui) -> Result<(), CommandError> {
    let line = |field, text: &str| {
        one_line(field, text).map_err(|e| CommandError::from(ActionError::from(e)))
    };
    let text = line("claim", &args.text)?;
    if text.is_empty() {
        return Err(CommandError::usage("the claim text is empty"));
    }
    let store = globals.open_store(ui)?;
    let engine = globals.engine(&store, ui)?;
    let mut record = Record::new(text, now());
    record.claimant = match args.claimant {
        Some(claimant) => Some(line("claimant", &claimant)?).filter(|c| !c.is_empty()),
        None => None,
    };
    for tag in args.tags {
        let tag = line("tag", &tag)?;
        if !tag.is_empty() {
            record.tags.push(tag);
        }
    }
    if let Some(document) = &args.document {
        record
            .appearances
            .push(appearance(store.root(), document, args.line)?);
    }
    engine.create(record.clone()).map_err(CommandError::from)?;
    writeln!(ui.out(), "{}", record.id)?;
    Ok(())
}

/// An appearance in a document of this repository, with the line's text as excerpt.
fn appearance(root: &Path, document: &Path, line: Option<u64>) -> Result<Appearance, CommandError> {
    let absolute = std::env::current_dir()
        .map(|cwd| cwd.join(document))
        .unwrap_or_else(|_| document.to_path_buf());
    let bytes = std::fs::read(&absolute).map_err(|e| {
        CommandError::usage(format!(
            "cannot read --document {}: {e}",
            document.display()
        ))
    })?;
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let canonical = absolute.canonicalize().unwrap_or(absolute);
    let relative = canonical.strip_prefix(&canonical_root).map_err(|_| {
        CommandError::usage(format!(
            "--document {} is outside this repository",
            document.display()
        ))
        .with_hint("copy the document into the repository (for example into seeds/) first")
    })?;
    let text = String::from_utf8_lossy(&bytes);
    let excerpt = match line {
        Some(n) => {
            let content = text.lines().nth(n as usize - 1).ok_or_else(|| {
                CommandError::usage(format!(
                    "--line {n} is past the end of {} ({} lines)",
                    document.display(),
                    text.lines().count()
                ))
            })?;
            // An article is taken as it is: its control characters are dropped, not refused.
            let (content, _) = strip(content);
            Some(content.trim().chars().take(300).collect::<String>()).filter(|e| !e.is_empty())
        }
        None => None,
    };
    Ok(Appearance {
        document: relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
        line,
        excerpt,
        attribution: None,
    })
}
