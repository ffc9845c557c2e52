use crate::checks;
use crate::ui::Ui;

use super::{CommandError, EXIT_NO, Globals};

/// The CI gate: fail when a published claim is not corroborated or a record is unsound
///
/// Read-only: never writes a file. Reports every record that does not parse (with file, line
/// and column), whose file name does not match its id, whose id is used twice, that is
/// published without being corroborated, or whose own evidence does not satisfy its state.
/// Exits 0 when all is well, 1 when there are violations.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  claims check\n  claims check --format json | jq .violations")]
pub struct Args {
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

pub fn run(args: Args, globals: &Globals, ui: &mut Ui) -> Result<(), CommandError> {
    let store = globals.open_store()?;
    let policy = store.policy()?;
    let records = store.load_all()?;
    let report = checks::check(&records, &policy);
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(ui.out(), &report)?;
            writeln!(ui.out())?;
        }
        Format::Text => {
            let out = ui.out();
            for v in &report.violations {
                let place = match (v.line, v.column) {
                    (Some(line), Some(column)) => format!("{}:{line}:{column}", v.path),
                    _ => v.path.clone(),
                };
                writeln!(out, "{place}: {}: {}", v.rule, v.message)?;
            }
            writeln!(
                out,
                "checked {} claim{}: {}",
                report.checked,
                if report.checked == 1 { "" } else { "s" },
                match report.violations.len() {
                    0 => "ok".to_string(),
                    1 => "1 violation".to_string(),
                    n => format!("{n} violations"),
                }
            )?;
        }
    }
    if report.ok {
        Ok(())
    } else {
        Err(CommandError {
            code: EXIT_NO,
            message: String::new(),
            details: Vec::new(),
            hint: None,
        })
    }
}
