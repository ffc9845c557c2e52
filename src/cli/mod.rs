//! The command line: global flags, one module per subcommand, and the exit-code edge.

mod add;
mod audit;
mod check;
mod completions;
mod dismiss;
mod doctor;
mod edit;
mod error;
mod export;
mod extract;
mod findings;
mod init;
mod list;
mod log;
mod man;
mod mark;
mod merge_driver;
mod note;
mod publish;
mod relate;
mod report;
pub mod review;
mod score;
mod show;
mod source;
mod undismiss;
mod unpublish;
mod verdict;

use std::path::{Path, PathBuf};

use clap::{CommandFactory, Parser, Subcommand};

pub use error::{CommandError, CommandErrorKind};

use crate::engine::Engine;
use crate::store::{Store, UnguardedCommits};
use crate::ui::Ui;

const ABOUT: &str = "Fact-checking workflow for claims kept in a git repository";

const LONG_ABOUT: &str = "\
Fact-checking workflow for claims kept in a git repository.

Every claim is a TOML record under records/. A claim moves from unverified to sourced to \
corroborated, or to disputed; each move is guarded by the evidence and checklists the \
newsroom's policy asks for, and every change is one git commit with Claim-* trailers, so \
`git log` is the audit trail.";

const EXAMPLES: &str = "\
Examples:
  claims init
  claims add \"Mexico extradited 55 people to the U.S. in 2025\" --claimant \"Claudia Sheinbaum\"
  claims source add abcd --url https://example.org/report --publisher \"Example Post\"
  claims mark abcd sourced --all-checked
  claims dismiss efgh --reason duplicate --duplicate-of abcd
  claims verdict abcd --rating \"Mostly true\" --url https://factcheck.example/extraditions
  claims list --state sourced
  claims check";

#[derive(Debug, Parser)]
#[command(
    name = "claims",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = EXAMPLES,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// Run as if claims was started in DIR
    #[arg(short = 'C', value_name = "DIR", global = true)]
    pub directory: Option<PathBuf>,

    /// Who makes the change, as "Name <email>"; without it, $CLAIMS_REVIEWER, else git's
    /// user.name and user.email
    // CLAIMS_REVIEWER is read below, not by clap: clap counts a value from the environment as
    // typed, and its usage lines would show the option as a required part of every command.
    #[arg(long, global = true, value_name = "NAME <EMAIL>")]
    pub reviewer: Option<String>,

    /// Never prompt: fail with exit code 2 where a command would ask
    #[arg(long, global = true)]
    pub no_input: bool,

    /// Never send long output (list, show, log) through $PAGER
    #[arg(long, global = true)]
    pub no_pager: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Init(init::Args),
    Add(add::Args),
    List(list::Args),
    Show(show::Args),
    Source(source::Args),
    Mark(mark::Args),
    Publish(publish::Args),
    Unpublish(unpublish::Args),
    Note(note::Args),
    Edit(edit::Args),
    Dismiss(dismiss::Args),
    Undismiss(undismiss::Args),
    Relate(relate::Args),
    Verdict(verdict::Args),
    Review(review::Args),
    Extract(extract::Args),
    Score(score::Args),
    Log(log::Args),
    Check(check::Args),
    Audit(audit::Args),
    Export(export::Args),
    Report(report::Args),
    Doctor(doctor::Args),
    Completions(completions::Args),
    Man(man::Args),
    #[command(hide = true)]
    MergeDriver(merge_driver::Args),
}

/// What every command may consult besides its own arguments.
pub struct Globals {
    pub reviewer: Option<String>,
    pub no_input: bool,
}

impl Globals {
    pub fn open_store(&self, ui: &mut Ui) -> Result<Store, CommandError> {
        let store = Store::open(Path::new("."))?;
        if store.interrupted_write() {
            ui.warn(
                "an earlier claims command was interrupted in the middle of a change; \
                 `claims doctor` finishes or undoes it (so does the next command that changes a record)",
            );
        }
        Ok(store)
    }

    /// The engine that changes records, once `ui` has been told if this clone's `git
    /// commit`s could undo what it commits.
    pub fn engine<'s>(&self, store: &'s Store, ui: &mut Ui) -> Result<Engine<'s>, CommandError> {
        warn_of_unguarded_commits(store, ui)?;
        Ok(Engine::new(store, self.reviewer.as_deref())?)
    }
}

/// Warns, before a write, of a clone whose pre-commit hook `claims init` would install or
/// replace: without it, a `git commit` retried beside the write could undo it.
pub fn warn_of_unguarded_commits(store: &Store, ui: &mut Ui) -> Result<(), CommandError> {
    match store.unguarded_commits()? {
        Some(UnguardedCommits::NoHook) => ui.warn(
            "this clone lacks the pre-commit hook of claims, so a `git commit` retried beside \
             a claims write could undo the write; run `claims init` to install it",
        ),
        Some(UnguardedCommits::EarlierHook(_)) => ui.warn(
            "this clone's pre-commit hook is an earlier claims' one; run `claims init` to \
             replace it",
        ),
        _ => {}
    }
    Ok(())
}

/// Runs the parsed command line; the caller turns the error into an exit code.
pub fn run(cli: Cli) -> Result<(), CommandError> {
    if let Some(dir) = &cli.directory {
        std::env::set_current_dir(dir).map_err(|e| {
            let message = format!("cannot change to {}", dir.display());
            CommandError::with_message(CommandErrorKind::User, message, e)
        })?;
    }
    let globals = Globals {
        reviewer: cli.reviewer.or_else(|| {
            std::env::var_os("CLAIMS_REVIEWER").map(|name| name.to_string_lossy().into_owned())
        }),
        no_input: cli.no_input,
    };
    let mut ui = Ui::stdio(globals.no_input, cli.no_pager);
    let ui = &mut ui;
    match cli.command {
        Command::Init(args) => init::run(args, &globals, ui),
        Command::Add(args) => add::run(args, &globals, ui),
        Command::List(args) => list::run(args, &globals, ui),
        Command::Show(args) => show::run(args, &globals, ui),
        Command::Source(args) => source::run(args, &globals, ui),
        Command::Mark(args) => mark::run(args, &globals, ui),
        Command::Publish(args) => publish::run(args, &globals, ui),
        Command::Unpublish(args) => unpublish::run(args, &globals, ui),
        Command::Note(args) => note::run(args, &globals, ui),
        Command::Edit(args) => edit::run(args, &globals, ui),
        Command::Dismiss(args) => dismiss::run(args, &globals, ui),
        Command::Undismiss(args) => undismiss::run(args, &globals, ui),
        Command::Relate(args) => relate::run(args, &globals, ui),
        Command::Verdict(args) => verdict::run(args, &globals, ui),
        Command::Review(args) => review::run(args, &globals, ui),
        Command::Extract(args) => extract::run(args, &globals, ui),
        Command::Score(args) => score::run(args, ui),
        Command::Log(args) => log::run(args, &globals, ui),
        Command::Check(args) => check::run(args, &globals, ui),
        Command::Audit(args) => audit::run(args, &globals, ui),
        Command::Export(args) => export::run(args, &globals, ui),
        Command::Report(args) => report::run(args, &globals, ui),
        Command::Doctor(args) => doctor::run(args, &globals, ui),
        Command::Completions(args) => completions::run(args, ui),
        Command::Man(args) => man::run(args, ui),
        Command::MergeDriver(args) => merge_driver::run(args),
    }
}

/// The clap command, for completions and the man page.
pub fn command() -> clap::Command {
    Cli::command()
}

/// How `list` and `log` print their rows.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum TableFormat {
    Table,
    Json,
    Csv,
}

/// The first 8 hex digits of a commit id, as every command shows one.
fn short_id(commit: impl std::fmt::Display) -> String {
    let mut id = commit.to_string();
    id.truncate(8);
    id
}
