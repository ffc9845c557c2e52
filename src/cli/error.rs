//! The one error type at the command edge: a message, a hint, and the exit code.

use std::fmt;

use crate::engine::ActionError;
use crate::store::StoreError;

/// Exit code 1: the answer is no (a guard refused, the gate found violations).
pub const EXIT_NO: u8 = 1;
/// Exit code 2: usage or input error.
pub const EXIT_USAGE: u8 = 2;

#[derive(Debug)]
pub struct CommandError {
    pub code: u8,
    pub message: String,
    /// Lines shown under the message: the rules that failed, how to fix it.
    pub details: Vec<String>,
    pub hint: Option<String>,
}

impl CommandError {
    pub fn usage(message: impl Into<String>) -> CommandError {
        CommandError {
            code: EXIT_USAGE,
            message: message.into(),
            details: Vec::new(),
            hint: None,
        }
    }

    pub fn no(message: impl Into<String>) -> CommandError {
        CommandError {
            code: EXIT_NO,
            ..CommandError::usage(message)
        }
    }

    /// An exit code with nothing more to say: the command already printed its answer.
    pub fn silent(code: u8) -> CommandError {
        CommandError {
            code,
            ..CommandError::usage(String::new())
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> CommandError {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}", self.message)?;
        for detail in &self.details {
            writeln!(f, "  {detail}")?;
        }
        if let Some(hint) = &self.hint {
            writeln!(f, "hint: {hint}")?;
        }
        Ok(())
    }
}

impl From<StoreError> for CommandError {
    fn from(error: StoreError) -> CommandError {
        let hint = match &error {
            StoreError::NotARepository(_) => {
                Some("run `claims init` here to start a claims repository, or pass -C DIR".into())
            }
            StoreError::BareRepository(_) => Some("clone it and run claims in the clone".into()),
            StoreError::UnknownId(_) => Some("`claims list` shows the ids".into()),
            StoreError::AmbiguousId { .. } => Some("type more characters of the id".into()),
            StoreError::InvalidId(_) => Some("`claims list` shows the ids".into()),
            StoreError::Record(e) => Some(format!(
                "fix the file by hand, or restore the committed version: git checkout -- {}",
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
        };
        CommandError {
            code: EXIT_USAGE,
            message: error.to_string(),
            details: Vec::new(),
            hint,
        }
    }
}

impl From<ActionError> for CommandError {
    fn from(error: ActionError) -> CommandError {
        match error {
            ActionError::Refused {
                ref id,
                to,
                ref unmet,
                ..
            } => CommandError {
                code: EXIT_NO,
                message: error.to_string(),
                details: unmet
                    .iter()
                    .flat_map(|rule| {
                        [
                            format!("- {} ({})", rule, rule.rule()),
                            format!("  fix: {}", rule.fix(id.as_str(), to)),
                        ]
                    })
                    .collect(),
                hint: None,
            },
            ActionError::PublishRefused { ref id, .. } => {
                let hint = format!(
                    "corroborate it first (claims review {id}), or publish anyway with: claims publish {id} --force"
                );
                CommandError::no(error.to_string()).with_hint(hint)
            }
            ActionError::GateRefused {
                ref id,
                ref rules,
                moving_to,
                retractable,
            } => CommandError {
                code: EXIT_NO,
                message: error.to_string(),
                details: rules
                    .iter()
                    .flat_map(|rule| {
                        [
                            format!("- {rule} ({})", rule.rule()),
                            format!("  fix: {}", rule.fix(id.as_str(), moving_to, retractable)),
                        ]
                    })
                    .collect(),
                hint: Some("nothing was changed".into()),
            },
            ActionError::Triage { ref id, ref error } => CommandError {
                code: if error.is_refusal() {
                    EXIT_NO
                } else {
                    EXIT_USAGE
                },
                message: error.to_string(),
                details: Vec::new(),
                hint: Some(error.hint(id.as_str())),
            },
            ActionError::Invalid { message, hint } => CommandError {
                hint,
                ..CommandError::usage(message)
            },
            ActionError::Store(error) => error.into(),
        }
    }
}
