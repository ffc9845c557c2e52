//! The claims repository on disk: record files in the working tree and commits in git.
//! Everything that touches the file system or git goes through here.

mod error;
mod history;
mod identity;
mod journal;
mod log_index;
mod merge;
mod writer;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use git2::Repository;

use crate::domain::id::{ClaimId, check_prefix};
use crate::domain::policy::{Checklists, Policy};
use crate::domain::record::Record;

pub use error::{RecordError, StoreError};
pub use history::{Change, Delta, Trailers, entry_id, record_deltas};
pub use identity::{Reviewer, now};
pub use journal::Recovery;
pub use merge::{ATTRIBUTES_FILE, RecordMerge, merge_record_versions, with_merge_attribute};
pub use writer::{CommitMessage, FileChange, Writer, write_atomically};

pub const RECORDS_DIR: &str = "records";
pub const POLICY_FILE: &str = "claims.toml";
pub const CHECKLIST_FILE: &str = "templates/checklist.toml";

/// A record file's repository-relative path and what reading it gave.
pub type LoadedRecord = (String, Result<Record, RecordError>);

pub struct Store {
    repo: Repository,
    root: PathBuf,
}

impl Store {
    /// Opens the claims repository that contains `dir`.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        let repo = Repository::discover(dir).map_err(|e| match e.code() {
            git2::ErrorCode::NotFound => StoreError::NotARepository(dir.to_path_buf()),
            _ => StoreError::Git(e),
        })?;
        Store::from_repository(repo)
    }

    /// Opens the repository at `dir`, creating it with `git init` first when there is none.
    /// Returns whether a repository was created.
    pub fn open_or_init(dir: &Path) -> Result<(Store, bool), StoreError> {
        match Store::open(dir) {
            Err(StoreError::NotARepository(_)) => {
                let repo = Repository::init(dir)?;
                Ok((Store::from_repository(repo)?, true))
            }
            other => other.map(|store| (store, false)),
        }
    }

    fn from_repository(repo: Repository) -> Result<Store, StoreError> {
        let root = match repo.workdir() {
            Some(root) => root.to_path_buf(),
            None => return Err(StoreError::BareRepository(repo.path().to_path_buf())),
        };
        Ok(Store { repo, root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn repository(&self) -> &Repository {
        &self.repo
    }

    /// Reads a repository-relative file that may be absent.
    pub fn read_optional(&self, path: &str) -> Result<Option<Vec<u8>>, StoreError> {
        read_optional(&self.root.join(path))
    }

    /// The policy in force: `claims.toml` and `templates/checklist.toml` over the defaults.
    pub fn policy(&self) -> Result<Policy, StoreError> {
        let text = |path: &str| -> Result<Option<String>, StoreError> {
            self.read_optional(path)?
                .map(|bytes| {
                    String::from_utf8(bytes).map_err(|_| StoreError::Policy {
                        path: path.to_string(),
                        error: crate::domain::policy::PolicyError::Syntax("not valid UTF-8".into()),
                    })
                })
                .transpose()
        };
        let checklists = match text(CHECKLIST_FILE)? {
            Some(text) => Checklists::from_toml(&text).map_err(|error| StoreError::Policy {
                path: CHECKLIST_FILE.to_string(),
                error,
            })?,
            None => Checklists::default(),
        };
        Policy::from_toml(&text(POLICY_FILE)?.unwrap_or_default(), checklists).map_err(|error| {
            StoreError::Policy {
                path: POLICY_FILE.to_string(),
                error,
            }
        })
    }

    /// The claim whose id starts with `prefix` (4 characters or more).
    pub fn resolve(&self, prefix: &str) -> Result<ClaimId, StoreError> {
        check_prefix(prefix)?;
        let shard = self.root.join(RECORDS_DIR).join(&prefix[..2]);
        let entries = match fs::read_dir(&shard) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(StoreError::UnknownId(prefix.to_string()));
            }
            Err(e) => return Err(StoreError::io(shard)(e)),
        };
        let mut candidates = Vec::new();
        for entry in entries {
            let name = entry.map_err(StoreError::io(&shard))?.file_name();
            let Some(stem) = name.to_str().and_then(|n| n.strip_suffix(".toml")) else {
                continue;
            };
            if stem == prefix {
                return Ok(ClaimId::parse(stem)?);
            }
            if stem.starts_with(prefix)
                && let Ok(id) = ClaimId::parse(stem)
            {
                candidates.push(id);
            }
        }
        match candidates.len() {
            0 => Err(StoreError::UnknownId(prefix.to_string())),
            1 => Ok(candidates.remove(0)),
            _ => {
                candidates.sort();
                Err(StoreError::AmbiguousId {
                    prefix: prefix.to_string(),
                    candidates: candidates.iter().map(ToString::to_string).collect(),
                })
            }
        }
    }

    /// Reads the record of `id` from the working tree.
    pub fn read(&self, id: &ClaimId) -> Result<Record, StoreError> {
        let path = id.record_path();
        let bytes = fs::read(self.root.join(&path)).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => StoreError::UnknownId(id.to_string()),
            _ => StoreError::io(self.root.join(&path))(e),
        })?;
        Ok(parse_record(&path, &bytes)?)
    }

    /// Repository-relative paths of every `.toml` file under `records/`, sorted.
    pub fn record_paths(&self) -> Result<Vec<String>, StoreError> {
        let mut paths = Vec::new();
        let mut pending = vec![self.root.join(RECORDS_DIR)];
        while let Some(dir) = pending.pop() {
            let entries = match fs::read_dir(&dir) {
                Ok(entries) => entries,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(StoreError::io(dir)(e)),
            };
            for entry in entries {
                let entry = entry.map_err(StoreError::io(&dir))?;
                // Never follow a link out of the repository: a record is a plain file.
                let kind = entry.file_type().map_err(StoreError::io(entry.path()))?;
                let path = entry.path();
                if kind.is_dir() {
                    pending.push(path);
                } else if path.extension().is_some_and(|e| e == "toml") {
                    paths.push(self.relative(&path));
                }
            }
        }
        paths.sort();
        Ok(paths)
    }

    /// Reads and parses every record. Broken records come back as errors beside the rest.
    /// Reading and parsing is spread over the machine's cores: with 100,000 records it is
    /// most of what `check` and `list` do.
    pub fn load_all(&self) -> Result<Vec<LoadedRecord>, StoreError> {
        let paths = self.record_paths()?;
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
        let chunk = paths.len().div_ceil(threads).max(512);
        let root = self.root.as_path();
        std::thread::scope(|scope| {
            let loaders: Vec<_> = paths
                .chunks(chunk)
                .map(|chunk| {
                    scope.spawn(move || {
                        chunk
                            .iter()
                            .map(|path| load_record(root, path))
                            .collect::<Result<Vec<_>, _>>()
                    })
                })
                .collect();
            let mut loaded = Vec::with_capacity(paths.len());
            for loader in loaders {
                match loader.join() {
                    Ok(records) => loaded.extend(records?),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
            Ok(loaded)
        })
    }

    fn relative(&self, path: &Path) -> String {
        let rel = path.strip_prefix(&self.root).unwrap_or(path);
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The reviewer for a change: `given` (from --reviewer or CLAIMS_REVIEWER), else git's
    /// configured identity.
    pub fn reviewer(&self, given: Option<&str>) -> Result<Reviewer, StoreError> {
        Reviewer::resolve(given, &self.repo.config()?)
    }
}

/// Reads one record file; a broken record is a result, not an error.
fn load_record(root: &Path, path: &str) -> Result<LoadedRecord, StoreError> {
    let absolute = root.join(path);
    let parsed = match fs::symlink_metadata(&absolute) {
        Ok(meta) if meta.file_type().is_symlink() => Err(RecordError {
            path: path.to_string(),
            line: 1,
            column: 1,
            message: "is a symbolic link; a record must be a plain file".into(),
        }),
        _ => {
            let bytes = fs::read(&absolute).map_err(StoreError::io(&absolute))?;
            parse_record(path, &bytes)
        }
    };
    Ok((path.to_string(), parsed))
}

/// Parses record file contents, reporting the line and column of what is wrong.
pub fn parse_record(path: &str, bytes: &[u8]) -> Result<Record, RecordError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        RecordError::at_offset(path, bytes, e.valid_up_to(), "is not valid UTF-8".into())
    })?;
    toml::from_str::<Record>(text).map_err(|e| {
        let offset = e.span().map_or(0, |span| span.start);
        RecordError::at_offset(path, bytes, offset, e.message().trim().to_string())
    })
}

pub(crate) fn read_optional(path: &Path) -> Result<Option<Vec<u8>>, StoreError> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StoreError::io(path)(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors_point_at_line_and_column() {
        let text = b"id = \"abcdefgh\"\ntext = \"x\"\nstate = \"maybe\"\n";
        let err = parse_record("records/ab/abcdefgh.toml", text).unwrap_err();
        assert_eq!((err.line, err.column), (3, 9), "{err}");
        assert!(
            err.message.contains("maybe") || err.message.contains("variant"),
            "{err}"
        );

        let err = parse_record("r.toml", b"id = \"abcdefgh\"\ntext = \"\xff\"\n").unwrap_err();
        assert_eq!((err.line, err.column), (2, 9));
        assert_eq!(err.message, "is not valid UTF-8");

        let err = parse_record("r.toml", b"").unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.message.contains("missing field"), "{err}");
    }
}
