use std::collections::HashMap;

use crate::checks;
use crate::ui::Ui;

use super::findings::{Findings, Format};
use super::{CommandError, CommandErrorKind, Globals};

/// The CI gate: fail when a published claim is not corroborated or a record is unsound
///
/// Read-only: never writes a file. Reports every record that does not parse (with file, line
/// and column), whose file name does not match its id, whose id is used twice, that is
/// published without being corroborated, whose own evidence does not satisfy its state,
/// whose verdict's rating no longer matches its state (verdict-rating), or whose source
/// document changed or went missing since it was attached (source-document-changed,
/// source-document-missing). Dismissed claims are checked too. Exits 0 when all is well, 1
/// when there are violations.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    claims check\n  \
    claims check --format json | jq .violations\n  \
    claims check --format junit > claims-check.xml\n  \
    claims check --format github        # annotations in a GitHub Actions run")]
pub struct Args {
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

pub fn run(args: Args, globals: &Globals, ui: &mut Ui) -> Result<(), CommandError> {
    let store = globals.open_store(ui)?;
    let policy = store.policy()?;
    let records = store.load_all()?;
    let mut hashes: HashMap<String, Option<String>> = HashMap::new();
    let mut document_sha256 = |path: &str| {
        hashes
            .entry(path.to_string())
            // A file that cannot be read is, as evidence, missing.
            .or_insert_with(|| store.document_sha256(path).ok().flatten())
            .clone()
    };
    let report = checks::check(&records, &policy, &mut document_sha256);
    let items = records
        .iter()
        .map(|(path, parsed)| {
            let name = match parsed {
                Ok(record) => format!("{} ({path})", record.id),
                Err(_) => path.clone(),
            };
            (path.clone(), name)
        })
        .collect();
    let findings = Findings {
        suite: "claims check",
        noun: "claim",
        count: records.len(),
        items,
        key_of: |v| v.path.clone(),
        violations: &report.violations,
        accepted: &[],
        json_extra: serde_json::Map::new(),
        notes: Vec::new(),
    };
    findings.write(args.format, ui.out())?;
    if findings.ok() {
        Ok(())
    } else {
        Err(CommandError::answered(CommandErrorKind::Refused))
    }
}
