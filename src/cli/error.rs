//! The one error type at the command edge, shaped as jj's `CommandError`: a kind that gives the
//! exit code, the error itself with its `source()` chain, the lines under it, and hints. The
//! library's errors stay `thiserror` enums; they become a `CommandError` here, and only here.

use std::error::Error;
use std::fmt;

use crate::domain::state::State;
use crate::engine::ActionError;
use crate::store::StoreError;

/// What kind of failure a command met: it decides the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommandErrorKind {
    /// The answer is no: a guard refused a move, the gate or the audit found violations.
    Refused,
    /// Usage or input: a bad flag or value, an unknown id, a record that does not parse, not a
    /// git repository, no terminal. As in jj, a file or a git repository that cannot be read or
    /// written is this kind too: the spec counts an unreadable file as input.
    User,
    /// claims itself went wrong, not the input: what it made could not be serialised, or the
    /// process could not set up what every run needs (listening for Ctrl-C).
    Internal,
    /// The reader of the output went away (`claims list | head`): not a failure.
    BrokenPipe,
    /// Ctrl-C (or SIGTERM, SIGHUP) ended an interactive command.
    Interrupted,
}

impl CommandErrorKind {
    pub fn exit_code(self) -> u8 {
        match self {
            CommandErrorKind::Refused => 1,
            CommandErrorKind::User => 2,
            CommandErrorKind::Internal => 255,
            CommandErrorKind::BrokenPipe => 0,
            // What a shell reports for a command ended by SIGINT.
            CommandErrorKind::Interrupted => 130,
        }
    }
}

#[derive(Debug)]
pub struct CommandError {
    pub kind: CommandErrorKind,
    /// What went wrong; none when the command has already given its answer (the gate's
    /// violations, say) and only the exit code is left to say.
    error: Option<Box<dyn Error + Send + Sync>>,
    /// Lines shown under the error: the rules that failed and how to fix each.
    details: Vec<String>,
    hints: Vec<String>,
}

/// A message that says what was being done, over the error that stopped it.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
struct ErrorWithMessage {
    message: String,
    source: Box<dyn Error + Send + Sync>,
}

impl CommandError {
    pub fn new(kind: CommandErrorKind, error: impl Into<Box<dyn Error + Send + Sync>>) -> Self {
        CommandError {
            kind,
            error: Some(error.into()),
            details: Vec::new(),
            hints: Vec::new(),
        }
    }

    /// `message` says what failed; `source` why, shown as the "caused by" lines.
    pub fn with_message(
        kind: CommandErrorKind,
        message: impl Into<String>,
        source: impl Into<Box<dyn Error + Send + Sync>>,
    ) -> Self {
        let message = message.into();
        let source = source.into();
        CommandError::new(kind, ErrorWithMessage { message, source })
    }

    /// A usage or input error (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        CommandError::new(CommandErrorKind::User, message.into())
    }

    /// The answer is no (exit 1).
    pub fn refused(message: impl Into<String>) -> Self {
        CommandError::new(CommandErrorKind::Refused, message.into())
    }

    /// Only an exit code: the command already printed its answer, or there is none to give.
    pub fn answered(kind: CommandErrorKind) -> Self {
        CommandError {
            kind,
            error: None,
            details: Vec::new(),
            hints: Vec::new(),
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    fn with_details(mut self, details: Vec<String>) -> Self {
        self.details = details;
        self
    }

    pub fn exit_code(&self) -> u8 {
        self.kind.exit_code()
    }
}

/// What the user reads: `error: …`, a `caused by: …` line for each cause the message does not
/// already end with (a `thiserror` message often quotes its source), the details, the hints.
/// Empty when the command has already answered.
impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(error) = &self.error else {
            return Ok(());
        };
        let heading = match self.kind {
            CommandErrorKind::Internal => "internal error",
            _ => "error",
        };
        let mut said = error.to_string();
        writeln!(f, "{heading}: {said}")?;
        let mut cause = error.source();
        while let Some(error) = cause {
            let text = error.to_string();
            if !said.ends_with(&text) {
                writeln!(f, "caused by: {text}")?;
            }
            said = text;
            cause = error.source();
        }
        for detail in &self.details {
            writeln!(f, "  {detail}")?;
        }
        for hint in &self.hints {
            writeln!(f, "hint: {hint}")?;
        }
        Ok(())
    }
}

impl From<std::io::Error> for CommandError {
    fn from(error: std::io::Error) -> Self {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            return CommandError::answered(CommandErrorKind::BrokenPipe);
        }
        CommandError::with_message(CommandErrorKind::User, "cannot write output", error)
    }
}

impl From<serde_json::Error> for CommandError {
    fn from(error: serde_json::Error) -> Self {
        if error.is_io() {
            return std::io::Error::from(error).into();
        }
        CommandError::with_message(CommandErrorKind::Internal, "cannot write JSON", error)
    }
}

impl From<csv::Error> for CommandError {
    fn from(error: csv::Error) -> Self {
        if let csv::ErrorKind::Io(io) = error.kind()
            && io.kind() == std::io::ErrorKind::BrokenPipe
        {
            return CommandError::answered(CommandErrorKind::BrokenPipe);
        }
        let kind = if error.is_io_error() {
            CommandErrorKind::User
        } else {
            CommandErrorKind::Internal
        };
        CommandError::with_message(kind, "cannot write CSV", error)
    }
}

impl From<StoreError> for CommandError {
    fn from(error: StoreError) -> Self {
        let hint = store_hint(&error);
        let command_error = match error {
            // libgit2's own Display adds its class and code numbers, which mean nothing to a
            // reader: only the message is shown, as the store's message already quotes it.
            StoreError::Git(_) => CommandError::usage(error.to_string()),
            error => CommandError::new(CommandErrorKind::User, error),
        };
        match hint {
            Some(hint) => command_error.with_hint(hint),
            None => command_error,
        }
    }
}

/// What to do about a store error, where there is something to say.
fn store_hint(error: &StoreError) -> Option<String> {
    match &error {
        StoreError::NotARepository(_) => {
            Some("run `claims init` here to start a claims repository, or pass -C DIR".into())
        }
        StoreError::BareRepository(_) => Some("clone it and run claims in the clone".into()),
        StoreError::UnknownId(_) => Some("`claims list` shows the ids".into()),
        StoreError::AmbiguousId { .. } => Some("type more characters of the id".into()),
        StoreError::InvalidId(_) => Some("`claims list` shows the ids".into()),
        StoreError::Record(e) => Some(format!(
            "fix the file by hand (a key added by hand is kept only above the first [table]), \
             or restore a version that parses: git checkout -- {0} for the committed one, git \
             log -- {0} for earlier ones",
            e.path
        )),
        StoreError::UncommittedEdit { path, staged } => Some(format!(
            "commit the edit (git commit {path}) or discard it ({}), then run the command again",
            if *staged {
                format!("git restore --staged --worktree {path}")
            } else {
                format!("git checkout -- {path}")
            }
        )),
        StoreError::WrittenBack { path } => Some(format!(
            "a `git commit` run beside a claims write can write back the index it read before \
             the write; committing it would undo the write. Run `claims doctor`, which stages \
             the branch's version again; if you staged it on purpose, commit or unstage it \
             first (git restore --staged {path})"
        )),
        StoreError::Untracked { path } => Some(format!(
            "commit it (git add {path} && git commit) or remove it, then run the command again"
        )),
        StoreError::AlreadyExists(id) => Some(format!("see it with: claims show {id}")),
        // The writers' lock is let go by the system when its holder ends; git's lock files
        // stay behind a killed git, and block it too until removed.
        StoreError::Locked { lock, .. } if lock.ends_with("claims.lock") => {
            Some("wait for the other claims command to finish, then run this again".into())
        }
        StoreError::Locked { lock, .. } => Some(format!(
            "nothing was changed; if no git command is running, the lock was left by one \
             that was killed: remove it (rm {}) and run this again; `claims doctor` lists \
             every such lock",
            lock.display()
        )),
        StoreError::NotOwned { path, .. } => Some(format!(
            "run claims as the user who owns it, or, if you trust it, allow it with: \
             git config --global --add safe.directory {}",
            path.display()
        )),
        StoreError::OperationInProgress { finish, abort, .. } => Some(format!(
            "finish it ({finish}) or abort it ({abort}), then run the command again"
        )),
        StoreError::DetachedHead(_) => Some(
            "switch to a branch first: git switch BRANCH, or start one here: \
             git switch -c NEW-BRANCH"
                .into(),
        ),
        StoreError::DetachedAfterInterruptedWrite { branch, .. } => Some(format!(
            "point HEAD back at that branch with: git symbolic-ref HEAD {branch} (git switch \
             cannot while the change holds git's index lock), then run `claims doctor`, which \
             repairs it"
        )),
        StoreError::RecordTooLarge { .. } => Some(
            "nothing was written; keep notes and excerpts short, or split the claim".into(),
        ),
        StoreError::BranchMoved => Some("run the command again".into()),
        StoreError::UnsupportedIndex { fix, .. } => Some(format!(
            "nothing was changed; turn it into an ordinary index with: {fix}"
        )),
        StoreError::NotUndone { .. } => Some(
            "nothing was committed; once the cause is fixed (a full disk, say), run \
             `claims doctor`, which puts the files and the index back; git's index stays locked until then"
                .into(),
        ),
        StoreError::LockedByInterruptedWrite { worktree, .. } => Some(format!(
            "nothing was changed; run `claims doctor` {}, which repairs that change and \
             releases the lock; removed by hand, the lock would let commits in before the \
             repair, which a plain `git commit` there could then undo",
            match worktree {
                Some(worktree) => format!("in {}", worktree.display()),
                None => "in the worktree of the branch (git worktree list shows it)".into(),
            }
        )),
        StoreError::ForeignJournal { branch, .. } => Some(format!(
            "nothing was changed; run `claims doctor` in the worktree where {branch} is \
             checked out (git worktree list shows it), which repairs it"
        )),
        StoreError::NoIdentity(_) => Some(
            "pass --reviewer \"Name <email>\", set CLAIMS_REVIEWER, or run: \
             git config user.name \"Name\" && git config user.email you@example.org"
                .into(),
        ),
        StoreError::Signing(_) => Some(
            "fix the signing setup (gpg.format, user.signingkey), or turn signing off \
             for this repository: git config commit.gpgsign false"
                .into(),
        ),
        StoreError::NotInPartialClone { remote } => Some(format!(
            "fetch them, and have later fetches bring them too, with: git config --unset \
             remote.{remote}.partialclonefilter && git fetch --refetch {remote}"
        )),
        StoreError::Git(e)
            if matches!(
                e.class(),
                git2::ErrorClass::Odb | git2::ErrorClass::Zlib | git2::ErrorClass::Indexer
            ) =>
        {
            Some(
                "git's object store looks damaged; `git fsck` names what is broken, and a \
                 fresh clone of the shared repository has it whole"
                    .into(),
            )
        }
        StoreError::Policy { .. }
        | StoreError::PackNotWritten(_)
        | StoreError::Io { .. }
        | StoreError::Git(_) => None,
    }
}

impl From<ActionError> for CommandError {
    fn from(error: ActionError) -> Self {
        match error {
            ActionError::Refused {
                ref id,
                to,
                ref unmet,
                ..
            } => {
                let details = unmet
                    .iter()
                    .flat_map(|rule| {
                        [
                            format!("- {} ({})", rule, rule.rule()),
                            format!("  fix: {}", rule.fix(id.as_str(), to)),
                        ]
                    })
                    .collect();
                CommandError::new(CommandErrorKind::Refused, error).with_details(details)
            }
            ActionError::PublishRefused { ref id, state } => {
                let hint = match state {
                    // Published means corroborated: a disputed claim's fact-check goes out as
                    // its verdict.
                    State::Disputed => format!(
                        "a disputed claim's fact-check is published as its verdict: claims verdict \
                         {id} --rating NAME --url URL"
                    ),
                    _ => format!(
                        "corroborate it first (claims review {id}), or publish anyway with: claims publish {id} --force"
                    ),
                };
                CommandError::new(CommandErrorKind::Refused, error).with_hint(hint)
            }
            ActionError::GateRefused {
                ref id,
                ref rules,
                change,
            } => {
                let details = rules
                    .iter()
                    .flat_map(|rule| {
                        [
                            format!("- {rule} ({})", rule.rule()),
                            format!("  fix: {}", rule.fix(id.as_str(), change)),
                        ]
                    })
                    .collect();
                CommandError::new(CommandErrorKind::Refused, error)
                    .with_details(details)
                    .with_hint("nothing was changed")
            }
            ActionError::Triage { id, error } => {
                let kind = if error.is_refusal() {
                    CommandErrorKind::Refused
                } else {
                    CommandErrorKind::User
                };
                let hint = error.hint(id.as_str());
                CommandError::new(kind, error).with_hint(hint)
            }
            ActionError::Invalid { message, hint } => {
                let error = CommandError::usage(message);
                match hint {
                    Some(hint) => error.with_hint(hint),
                    None => error,
                }
            }
            ActionError::Store(error) => error.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::path::PathBuf;

    use super::*;
    use crate::domain::id::ClaimId;
    use crate::domain::state::State;
    use crate::domain::workflow::Unmet;

    #[test]
    fn each_kind_has_its_exit_code() {
        let codes = [
            CommandErrorKind::Refused,
            CommandErrorKind::User,
            CommandErrorKind::Internal,
            CommandErrorKind::BrokenPipe,
            CommandErrorKind::Interrupted,
        ]
        .map(CommandErrorKind::exit_code);
        assert_eq!(codes, [1, 2, 255, 0, 130]);
    }

    #[test]
    fn the_causes_are_shown_under_the_message() {
        let inner = CommandError::with_message(
            CommandErrorKind::User,
            "cannot read template t.j2",
            io::Error::new(io::ErrorKind::NotFound, "no such file"),
        );
        let outer = ErrorWithMessage {
            message: "cannot render the report".into(),
            source: inner.error.unwrap(),
        };
        let error = CommandError::new(CommandErrorKind::User, outer).with_hint("check the path");
        assert_eq!(
            error.to_string(),
            "error: cannot render the report\n\
             caused by: cannot read template t.j2\n\
             caused by: no such file\n\
             hint: check the path\n"
        );
        assert_eq!(error.exit_code(), 2);
    }

    #[test]
    fn a_cause_the_message_already_quotes_is_not_said_twice() {
        let error = CommandError::from(StoreError::Io {
            path: PathBuf::from("records/ab/abcd.toml"),
            source: io::Error::new(io::ErrorKind::PermissionDenied, "permission denied"),
        });
        assert_eq!(
            error.to_string(),
            "error: records/ab/abcd.toml: permission denied\n"
        );
    }

    #[test]
    fn a_git_error_shows_libgit2s_message_without_its_numbers() {
        let git = git2::Error::new(
            git2::ErrorCode::NotFound,
            git2::ErrorClass::Reference,
            "reference 'refs/heads/x' not found",
        );
        let error = CommandError::from(StoreError::Git(git));
        assert_eq!(
            error.to_string(),
            "error: git: reference 'refs/heads/x' not found\n"
        );
        assert_eq!(error.exit_code(), 2);
    }

    #[test]
    fn a_refused_move_names_each_rule_and_its_fix_and_exits_1() {
        let id = ClaimId::parse("abcd234567").unwrap();
        let error = CommandError::from(ActionError::Refused {
            id,
            from: State::Unverified,
            to: State::Sourced,
            unmet: vec![Unmet::SupportingSources { need: 1, have: 0 }],
        });
        insta::assert_snapshot!(error, @r"
        error: cannot move abcd234567 from unverified to sourced
          - needs at least 1 supporting source; has 0 (supporting-sources)
            fix: attach evidence: claims source add abcd234567 --url URL --publisher NAME --stance supports
        ");
        assert_eq!(error.exit_code(), 1);
    }

    #[test]
    fn an_answered_command_prints_nothing() {
        let error = CommandError::answered(CommandErrorKind::Refused);
        assert_eq!(error.to_string(), "");
        assert_eq!(error.exit_code(), 1);
    }

    #[test]
    fn a_reader_that_went_away_is_not_an_error() {
        let error = CommandError::from(io::Error::from(io::ErrorKind::BrokenPipe));
        assert_eq!((error.to_string(), error.exit_code()), (String::new(), 0));
        let csv = csv::Error::from(io::Error::from(io::ErrorKind::BrokenPipe));
        assert_eq!(CommandError::from(csv).exit_code(), 0);
        let json = serde_json::Error::io(io::Error::from(io::ErrorKind::BrokenPipe));
        assert_eq!(CommandError::from(json).exit_code(), 0);
    }

    #[test]
    fn output_that_cannot_be_written_says_why() {
        let error = CommandError::from(io::Error::new(io::ErrorKind::StorageFull, "disk full"));
        assert_eq!(
            error.to_string(),
            "error: cannot write output\ncaused by: disk full\n"
        );
        assert_eq!(error.exit_code(), 2);
    }

    #[test]
    fn a_failure_of_claims_itself_is_called_internal() {
        let error = CommandError::with_message(
            CommandErrorKind::Internal,
            "cannot listen for Ctrl-C",
            "a handler is already set",
        );
        assert_eq!(
            error.to_string(),
            "internal error: cannot listen for Ctrl-C\ncaused by: a handler is already set\n"
        );
        assert_eq!(error.exit_code(), 255);
    }
}
