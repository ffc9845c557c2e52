use std::path::PathBuf;
use std::time::Duration;

use crate::domain::id::InvalidId;
use crate::domain::policy::PolicyError;

/// A record file that could not be read as a record, with the place to look.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}:{column}: {message}")]
pub struct RecordError {
    /// Repository-relative path, with `/` separators.
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl RecordError {
    /// An error about the file as a whole, reported at its first line.
    pub fn at_start(path: &str, message: String) -> RecordError {
        RecordError {
            path: path.to_string(),
            line: 1,
            column: 1,
            message,
        }
    }

    /// Turns a byte offset of `text` into a 1-based line and column.
    pub fn at_offset(path: &str, text: &[u8], offset: usize, message: String) -> RecordError {
        let before = &text[..offset.min(text.len())];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        RecordError {
            path: path.to_string(),
            line,
            column,
            message,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{} is not in a git repository", .0.display())]
    NotARepository(PathBuf),
    #[error("{} is a bare repository; claims needs a working tree", .0.display())]
    BareRepository(PathBuf),
    #[error(transparent)]
    InvalidId(#[from] InvalidId),
    #[error("no claim has an id starting with '{0}'")]
    UnknownId(String),
    #[error("'{prefix}' is ambiguous: it starts {}", .candidates.join(", "))]
    AmbiguousId {
        prefix: String,
        candidates: Vec<String>,
    },
    #[error(transparent)]
    Record(#[from] RecordError),
    #[error("{path}: {error}")]
    Policy { path: String, error: PolicyError },
    #[error("{path} has changes that are not committed")]
    UncommittedEdit { path: String, staged: bool },
    #[error(
        "git's index stages an earlier version of {path} than the branch, one a commit of claims \
         replaced"
    )]
    WrittenBack { path: String },
    #[error("{path} is in the working tree but was never committed")]
    Untracked { path: String },
    #[error("a claim with this text already exists: {0}")]
    AlreadyExists(String),
    #[error("{what} is locked ({}); waited {}", .lock.display(), spoken(*.waited))]
    Locked {
        what: &'static str,
        lock: PathBuf,
        waited: Duration,
    },
    #[error("{path}: {message}: git treats a repository owned by another user as unsafe")]
    NotOwned { path: PathBuf, message: String },
    #[error("a {operation} is in progress; claims does not commit in the middle of one")]
    OperationInProgress {
        operation: &'static str,
        finish: &'static str,
        abort: &'static str,
    },
    #[error("HEAD is detached (at {0}): a commit made here belongs to no branch")]
    DetachedHead(String),
    #[error(
        "HEAD was detached (at {at}) after a claims change on {branch} was interrupted, \
         and that change can be repaired only with HEAD on its branch"
    )]
    DetachedAfterInterruptedWrite { at: String, branch: String },
    #[error("{path} would be larger than the {} MiB a record may have", .limit / (1024 * 1024))]
    RecordTooLarge { path: String, limit: usize },
    #[error("git's index is {kind}, which claims cannot update")]
    UnsupportedIndex {
        kind: &'static str,
        fix: &'static str,
    },
    #[error("the branch moved while this command was committing; nothing was changed")]
    BranchMoved,
    #[error("{error}; putting the files and the index back failed too: {undo}")]
    NotUndone {
        error: Box<StoreError>,
        undo: Box<StoreError>,
    },
    #[error(
        "{} holds an interrupted change on branch {branch}, which is not checked out here",
        .journal.display()
    )]
    ForeignJournal { branch: String, journal: PathBuf },
    #[error(
        "the branch is locked ({}) by an interrupted change of another worktree",
        .lock.display()
    )]
    LockedByInterruptedWrite {
        lock: PathBuf,
        /// The worktree whose repair releases it, if it is known.
        worktree: Option<PathBuf>,
    },
    #[error("no reviewer identity: {0}")]
    NoIdentity(String),
    #[error("commit.gpgsign is set but the commit could not be signed: {0}")]
    Signing(String),
    #[error(
        "this is a partial clone: the audit reads every version of every record, and some \
         were left on the remote '{remote}'"
    )]
    NotInPartialClone { remote: String },
    #[error("could not write the change's pack: {0}")]
    PackNotWritten(&'static str),
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Only libgit2's message: its class and code numbers mean nothing to a reader.
    #[error("git: {}", .0.message())]
    Git(#[from] git2::Error),
}

impl StoreError {
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> StoreError {
        let path = path.into();
        move |source| StoreError::Io { path, source }
    }
}

/// A wait as a person says it: milliseconds under a second ("300 ms"), else seconds to a
/// tenth ("2.5 s"), whole ones without the tenth ("2 s") and from ten seconds on ("12 s").
pub(crate) fn spoken(wait: Duration) -> String {
    if wait < Duration::from_secs(1) {
        return format!("{} ms", wait.as_millis());
    }
    let tenths = (wait.as_secs_f64() * 10.0).round() as u64;
    if tenths >= 100 {
        format!("{} s", (tenths + 5) / 10)
    } else if tenths.is_multiple_of(10) {
        format!("{} s", tenths / 10)
    } else {
        format!("{}.{} s", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_is_said_in_milliseconds_under_a_second_else_in_seconds() {
        for (wait, said) in [
            (Duration::ZERO, "0 ms"),
            (Duration::from_micros(400), "0 ms"),
            (Duration::from_millis(325), "325 ms"),
            (Duration::from_millis(999), "999 ms"),
            (Duration::from_secs(1), "1 s"),
            (Duration::from_millis(2_040), "2 s"),
            (Duration::from_millis(2_500), "2.5 s"),
            (Duration::from_millis(9_960), "10 s"),
            (Duration::from_millis(12_400), "12 s"),
            (Duration::from_millis(12_600), "13 s"),
        ] {
            assert_eq!(spoken(wait), said, "{wait:?}");
        }
    }
}
