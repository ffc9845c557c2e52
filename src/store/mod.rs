//! The claims repository on disk: record files in the working tree and commits in git.
//! Everything that touches the file system or git goes through here.

mod cache;
mod error;
mod fault;
mod files;
mod filters;
mod git;
mod history;
mod identity;
mod lock;
mod merge;
mod sharing;
mod signing;
mod worktree;
mod write;

use std::cell::{OnceCell, RefCell};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use git2::Repository;

use crate::domain::id::{ClaimId, check_prefix};
use crate::domain::policy::{Checklists, Policy};
use crate::domain::record::Record;

pub use error::{RecordError, StoreError};
pub use files::{write_atomically, write_cache};
use git::packs::{ObjectReader, Packs};
pub use history::{Change, Delta, HistoryReader, HistorySource, RawCommit, RawTree, Trailers};
pub use identity::{Reviewer, now};
pub use merge::{ATTRIBUTES_FILE, RecordMerge, merge_record_versions, with_merge_attribute};
pub use worktree::Uncommitted;
pub use write::{CommitMessage, FileChange, ForeignJournal, Recovery, Writer};

use files::read_optional;
use git::index::{IndexFile, StatData, Unreadable};

pub const RECORDS_DIR: &str = "records";
pub const POLICY_FILE: &str = "claims.toml";
pub const CHECKLIST_FILE: &str = "templates/checklist.toml";
/// The audit findings reviewers accepted, written only by `claims audit --accept`.
pub const ACCEPTED_FILE: &str = "audit/accepted.toml";

/// The largest record file read. The tool writes records of a few kilobytes; a file a
/// thousand times that size is not a claim, and parsing and showing one of tens of megabytes
/// costs minutes and gigabytes, so it is refused before it is read whole.
pub const MAX_RECORD_BYTES: usize = 1024 * 1024;

/// A record file's repository-relative path and what reading it gave.
pub type LoadedRecord = (String, Result<Record, RecordError>);

pub struct Store {
    repo: Repository,
    root: PathBuf,
    /// The index as last read, with the stat data of the file it was read from: a write
    /// reads it to check for staged changes and again under git's lock to update it, and
    /// at 100,000 entries a read costs milliseconds.
    index_cache: RefCell<Option<(StatData, Rc<IndexFile>)>>,
    /// How many times the index was parsed, for tests that a write reads it once.
    #[cfg(test)]
    index_parses: std::cell::Cell<usize>,
    /// The packs, mapped when a history walk first needs them.
    packs: OnceCell<Packs>,
    /// How files and folders created under `.git` are to be shared (`core.sharedRepository`):
    /// everything the tool creates there goes through it.
    sharing: sharing::Sharing,
}

/// The journal and the caches are written by many functions, readers' too; in a shared
/// repository each file and folder they made under `.git/claims` (and git's index, which a
/// write renames into place) is given git's permissions when the command ends, so that the
/// next member of the group can write there. Nothing is done under the umask alone, the
/// default.
impl Drop for Store {
    fn drop(&mut self) {
        if self.sharing == sharing::Sharing::Umask {
            return;
        }
        let _ = self.sharing.adjust(&self.repo.path().join("index"));
        let mut pending = vec![
            self.repo.commondir().join("claims"),
            self.repo.path().join("claims"),
        ];
        while let Some(dir) = pending.pop() {
            let Ok(entries) = fs::read_dir(&dir) else {
                continue;
            };
            let _ = self.sharing.adjust(&dir);
            for entry in entries.flatten() {
                let path = entry.path();
                if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
                    pending.push(path);
                } else {
                    let _ = self.sharing.adjust(&path);
                }
            }
        }
    }
}

impl Store {
    /// Opens the claims repository that contains `dir`.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        let repo = Repository::discover(dir).map_err(|e| match e.code() {
            git2::ErrorCode::NotFound => StoreError::NotARepository(dir.to_path_buf()),
            git2::ErrorCode::Owner => StoreError::NotOwned {
                path: worktree_of(dir),
                message: e.message().to_string(),
            },
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
        Ok(Store {
            sharing: sharing::Sharing::of(&repo),
            repo,
            root,
            index_cache: RefCell::default(),
            #[cfg(test)]
            index_parses: std::cell::Cell::default(),
            packs: OnceCell::new(),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A reader of commits, trees and blobs for a walk over history.
    pub(crate) fn history_reader(&self) -> HistoryReader<'_> {
        HistoryReader::new(ObjectReader::new(self.packs(), &self.repo))
    }

    /// The packs, mapped on first use.
    pub(crate) fn packs(&self) -> &Packs {
        self.packs.get_or_init(|| Packs::open(&self.repo))
    }

    /// The packs of the tool's changes, for a write to add one and merge them.
    pub(crate) fn change_packs(&self) -> git::packing::ChangePacks<'_> {
        git::packing::ChangePacks {
            repo: &self.repo,
            sharing: self.sharing,
        }
    }

    /// The git directory of this working tree (for the main one, `.git`).
    pub fn git_dir(&self) -> &Path {
        self.repo.path()
    }

    /// The git directory all working trees share.
    pub fn common_dir(&self) -> &Path {
        self.repo.commondir()
    }

    /// The commit a revision (`main`, `HEAD~3`, an id) names.
    pub fn commit_named(&self, revision: &str) -> Result<git2::Oid, StoreError> {
        Ok(self.repo.revparse_single(revision)?.peel_to_commit()?.id())
    }

    /// The remote a partial clone (`git clone --filter`) leaves the objects it lacks on, as
    /// git's configuration names it; `None` in a whole clone.
    pub fn promisor_remote(&self) -> Option<String> {
        let config = self.repo.config().ok()?;
        if let Ok(remote) = config.get_string("extensions.partialclone") {
            return Some(remote);
        }
        let mut names = Vec::new();
        config
            .entries(Some(r"remote\..*\.promisor"))
            .ok()?
            .for_each(|entry| names.extend(entry.name().ok().map(str::to_string)))
            .ok()?;
        let name = names
            .into_iter()
            .find(|name| config.get_bool(name).unwrap_or(false))?;
        let remote = name.strip_prefix("remote.")?.strip_suffix(".promisor")?;
        Some(remote.to_string())
    }

    /// A file of the repository attached as evidence, as committed on the current branch:
    /// its path from the repository's root and the SHA-256 of its content. The working copy
    /// must match the commit, so that the hash recorded is of what everyone can check out.
    pub fn committed_document(&self, path: &str) -> Result<DocumentDigest, StoreError> {
        let Some(path) = repository_path(path) else {
            return Ok(DocumentDigest::OutsideRepository);
        };
        let committed = match self.repo.head().and_then(|head| head.peel_to_tree()) {
            Ok(tree) => match tree.get_path(Path::new(&path)) {
                Ok(entry) if entry.kind() == Some(git2::ObjectType::Blob) => {
                    Some(self.repo.find_blob(entry.id())?.content().to_vec())
                }
                Ok(_) => None,
                Err(e) if e.code() == git2::ErrorCode::NotFound => None,
                Err(e) => return Err(e.into()),
            },
            Err(e) if e.code() == git2::ErrorCode::UnbornBranch => None,
            Err(e) => return Err(e.into()),
        };
        let Some(committed) = committed else {
            return Ok(DocumentDigest::NotCommitted { path });
        };
        let sha256 = sha256_hex(&committed);
        let working = self.read_optional(&path)?;
        if working.is_some_and(|bytes| sha256_hex(&bytes) != sha256) {
            return Ok(DocumentDigest::ChangedSinceCommit { path });
        }
        Ok(DocumentDigest::Committed { path, sha256 })
    }

    /// The SHA-256 of a document of the work tree as it is now; `None` when it is missing
    /// or its path leads out of the repository.
    pub fn document_sha256(&self, path: &str) -> Result<Option<String>, StoreError> {
        match repository_path(path) {
            Some(path) => Ok(self.read_optional(&path)?.map(|bytes| sha256_hex(&bytes))),
            None => Ok(None),
        }
    }

    /// Reads a repository-relative file that may be absent.
    pub fn read_optional(&self, path: &str) -> Result<Option<Vec<u8>>, StoreError> {
        read_optional(&self.root.join(path))
    }

    /// Git's index, read at the byte level; `None` when there is none or it is of a kind
    /// only libgit2 reads (see `git::index`), an error for the kinds libgit2 cannot read.
    pub(crate) fn index_file(&self) -> Result<Option<Rc<IndexFile>>, StoreError> {
        let path = self.repo.path().join("index");
        let file = match fs::File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(StoreError::io(path)(e)),
        };
        // Git replaces the index by renaming a new file over it, so a file with the same
        // stat data as the one read before holds the same bytes.
        let stamp = StatData::of(&file.metadata().map_err(StoreError::io(&path))?);
        if let Some((cached, index)) = &*self.index_cache.borrow()
            && *cached == stamp
        {
            return Ok(Some(Rc::clone(index)));
        }
        // SAFETY: mapped as git maps it. Git and libgit2 never change an index file in place;
        // they write a new one and rename it over, which leaves this mapping intact.
        let bytes = unsafe { memmap2::Mmap::map(&file) }.map_err(StoreError::io(&path))?;
        #[cfg(test)]
        self.index_parses.set(self.index_parses.get() + 1);
        let index = match IndexFile::parse(bytes) {
            Ok(index) => Some(Rc::new(index)),
            Err(Unreadable::NotUnderstood) => None,
            Err(Unreadable::Split) => {
                return Err(StoreError::UnsupportedIndex {
                    kind: "a split index (core.splitIndex)",
                    fix: "git config core.splitIndex false && git update-index --no-split-index",
                });
            }
            Err(Unreadable::Sparse) => {
                return Err(StoreError::UnsupportedIndex {
                    kind: "a sparse index (index.sparse)",
                    fix: "git sparse-checkout init --no-sparse-index",
                });
            }
        };
        *self.index_cache.borrow_mut() = index.clone().map(|index| (stamp, index));
        Ok(index)
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
        // A whole id is its own file, whose match wins: one `stat`, not the folder's listing.
        if let Ok(id) = ClaimId::parse(prefix)
            && fs::symlink_metadata(shard.join(format!("{prefix}.toml"))).is_ok_and(|m| m.is_file())
        {
            return Ok(id);
        }
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
        match self.read_record_file(&path)? {
            Some(bytes) => Ok(parse_record(&path, &bytes)?),
            None => Err(StoreError::UnknownId(id.to_string())),
        }
    }

    /// Reads a record file (repository-relative), or None when there is none. A record must be
    /// a plain file reached without links, since a link can point anywhere outside the
    /// repository (or at a pipe that never ends), and at most `MAX_RECORD_BYTES` are read.
    pub(crate) fn read_record_file(&self, path: &str) -> Result<Option<Vec<u8>>, StoreError> {
        read_record_file(&self.root, path)
    }

    /// Repository-relative paths of every `.toml` file under `records/`, sorted, and of every
    /// symbolic link there (`records/` itself included): links are never followed, but they
    /// are listed so that reading them reports them instead of passing over them in silence.
    pub fn record_paths(&self) -> Result<Vec<String>, StoreError> {
        let records = self.root.join(RECORDS_DIR);
        if fs::symlink_metadata(&records).is_ok_and(|meta| meta.file_type().is_symlink()) {
            return Ok(vec![RECORDS_DIR.to_string()]);
        }
        let mut paths = Vec::new();
        let mut pending = vec![records];
        while let Some(dir) = pending.pop() {
            let entries = match fs::read_dir(&dir) {
                Ok(entries) => entries,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(StoreError::io(dir)(e)),
            };
            for entry in entries {
                let entry = entry.map_err(StoreError::io(&dir))?;
                let kind = entry.file_type().map_err(StoreError::io(entry.path()))?;
                let path = entry.path();
                if kind.is_dir() {
                    pending.push(path);
                } else if kind.is_symlink() || path.extension().is_some_and(|e| e == "toml") {
                    paths.push(self.relative(&path));
                }
            }
        }
        paths.sort();
        Ok(paths)
    }

    /// Reads and parses every record. Broken records come back as errors beside the rest.
    pub fn load_all(&self) -> Result<Vec<LoadedRecord>, StoreError> {
        let paths = self.record_paths()?;
        // Reading and parsing is most of what `check` and `list` do: spread it over the cores.
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
                            .filter_map(|path| load_record(root, path).transpose())
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
        relative(&self.root, path)
    }

    /// The reviewer for a change: `given` (from --reviewer or CLAIMS_REVIEWER), else git's
    /// configured identity.
    pub fn reviewer(&self, given: Option<&str>) -> Result<Reviewer, StoreError> {
        Reviewer::resolve(given, &self.repo.config()?)
    }
}

/// Reads a record file (repository-relative), or None when there is none. A record must be
/// a plain file reached without links, since a link can point anywhere outside the
/// repository (or at a pipe that never ends), and at most `MAX_RECORD_BYTES` are read.
pub(crate) fn read_record_file(root: &Path, path: &str) -> Result<Option<Vec<u8>>, StoreError> {
    let refuse = |message: String| StoreError::Record(RecordError::at_start(path, message));
    let mut walked = root.to_path_buf();
    let mut components = path.split('/').peekable();
    while let Some(component) = components.next() {
        walked.push(component);
        let meta = match fs::symlink_metadata(&walked) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(StoreError::io(walked)(e)),
        };
        let what = match components.peek() {
            Some(_) => format!("its folder {} is", relative(root, &walked)),
            None => "is".to_string(),
        };
        if meta.file_type().is_symlink() {
            return Err(refuse(format!(
                "{what} a symbolic link; records must be plain files inside the repository, \
                 and claims does not follow links"
            )));
        }
        if components.peek().is_none() && !meta.is_file() {
            return Err(refuse(format!("{what} not a plain file")));
        }
    }
    let file = fs::File::open(&walked).map_err(StoreError::io(&walked))?;
    let mut bytes = Vec::new();
    // One byte over the limit is enough to know the file is too large.
    io::Read::read_to_end(
        &mut io::Read::take(file, MAX_RECORD_BYTES as u64 + 1),
        &mut bytes,
    )
    .map_err(StoreError::io(&walked))?;
    if bytes.len() > MAX_RECORD_BYTES {
        return Err(StoreError::Record(too_large(path)));
    }
    Ok(Some(bytes))
}

/// Reads and parses one record file; a broken record is a result, not an error. None when the
/// file was deleted since it was listed.
fn load_record(root: &Path, path: &str) -> Result<Option<LoadedRecord>, StoreError> {
    let parsed = match read_record_file(root, path) {
        Ok(Some(bytes)) => parse_record(path, &bytes),
        Ok(None) => return Ok(None),
        Err(StoreError::Record(error)) => Err(error),
        Err(error) => return Err(error),
    };
    Ok(Some((path.to_string(), parsed)))
}

/// `path` relative to `root`, with `/` separators.
fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Parses record file contents, reporting the line and column of what is wrong.
pub fn parse_record(path: &str, bytes: &[u8]) -> Result<Record, RecordError> {
    // Files are cut short before they get here; records from git's history are not.
    if bytes.len() > MAX_RECORD_BYTES {
        return Err(too_large(path));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        RecordError::at_offset(path, bytes, e.valid_up_to(), "is not valid UTF-8".into())
    })?;
    toml::from_str::<Record>(text).map_err(|e| {
        let offset = e.span().map_or(0, |span| span.start);
        RecordError::at_offset(path, bytes, offset, e.message().trim().to_string())
    })
}

/// The folder git's `safe.directory` must name to open the repository around `dir`: the
/// working tree, or the git folder of a bare repository.
fn worktree_of(dir: &Path) -> PathBuf {
    let absolute = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    match Repository::discover_path(&absolute, None::<&Path>) {
        Ok(git_dir) if git_dir.file_name().is_some_and(|name| name == ".git") => {
            git_dir.parent().map_or(git_dir.clone(), Path::to_path_buf)
        }
        Ok(git_dir) => git_dir,
        Err(_) => absolute,
    }
}

fn too_large(path: &str) -> RecordError {
    RecordError::at_start(
        path,
        format!(
            "is larger than the {} MiB a record may have; records written by claims are a few \
             kilobytes",
            MAX_RECORD_BYTES / (1024 * 1024)
        ),
    )
}

/// What the store found of a document named as evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentDigest {
    Committed {
        path: String,
        sha256: String,
    },
    /// Absolute, or reaching out of the repository, or into `.git`.
    OutsideRepository,
    NotCommitted {
        path: String,
    },
    ChangedSinceCommit {
        path: String,
    },
}

/// A path from the repository's root, as git names it, if it stays inside the work tree.
fn repository_path(path: &str) -> Option<String> {
    let mut parts = Vec::new();
    for part in Path::new(path.trim()).components() {
        match part {
            std::path::Component::Normal(name) => parts.push(name.to_str()?),
            std::path::Component::CurDir => {}
            _ => return None,
        }
    }
    (!parts.is_empty() && parts[0] != ".git").then(|| parts.join("/"))
}

/// The SHA-256 of `bytes`, in lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
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

    /// A record as the tool writes it, with every kind of table and array in it.
    const VALID_RECORD: &str = r#"id = "abcdefgh2k"
text = "Mexico extradited 55 people to the U.S. in 2025."
state = "sourced"
published = false
created = "2026-01-02T03:04:05Z"
claimant = "Claudia Sheinbaum"
tags = ["mexico", "security"]
related = ["zzzzzzzz"]

[checklist.sourced]
provenance = true

[[appearances]]
document = "seeds/a.txt"
line = 3
excerpt = """She said “55” people were sent north.
Second line"""

[[sources]]
url = "https://example.org/a?b=c#d"
publisher = "Example Times"
stance = "supports"
accessed = 2026-01-03T00:00:00Z

[[notes]]
at = "2026-01-04T00:00:00Z"
by = "Ana <ana@example.org>"
text = 'Called the ministry.'

[[history]]
from = "unverified"
to = "sourced"
at = "2026-01-05T00:00:00Z"
by = "Ana <ana@example.org>"
"#;

    /// Pieces of TOML syntax that parsers trip over, for building and mutating records.
    const TOML_PIECES: &[&str] = &[
        "[",
        "]",
        "[[",
        "]]",
        "{",
        "}",
        "=",
        ".",
        ",",
        "\"",
        "'",
        "\"\"\"",
        "'''",
        "\\",
        "\\u",
        "#",
        "\n",
        "\r\n",
        " ",
        "\t",
        "\u{0}",
        "\u{feff}",
        "é",
        "id",
        "text",
        "state",
        "sources",
        "x",
        "1",
        "-0",
        "1e400",
        "nan",
        "inf",
        "true",
        "2026-01-02",
        "T03:04:05Z",
        "\"unverified\"",
    ];

    /// What every parse must give: a record, or an error that points into the file.
    fn assert_parses_or_points_inside(bytes: &[u8]) {
        match parse_record("records/ab/abcdefgh.toml", bytes) {
            Ok(record) => {
                // Whatever reads must also write and read back the same: `mark` and `note`
                // rewrite the record they read.
                let written = record.to_toml();
                let again = parse_record("again.toml", written.as_bytes())
                    .unwrap_or_else(|e| panic!("{e}\nwritten:\n{written}"));
                assert_eq!(again.to_toml(), written);
            }
            Err(error) => {
                let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
                assert!(
                    (1..=lines).contains(&error.line) && error.column >= 1,
                    "{error} is outside a file of {lines} lines"
                );
            }
        }
    }

    #[test]
    fn the_valid_record_parses() {
        assert!(parse_record("r.toml", VALID_RECORD.as_bytes()).is_ok());
    }

    #[test]
    fn too_large_and_too_deep_records_are_errors() {
        let mut large = VALID_RECORD.to_string();
        large.push_str(&format!("padding = \"{}\"\n", "x".repeat(MAX_RECORD_BYTES)));
        let err = parse_record("r.toml", large.as_bytes()).unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.message.contains("1 MiB"), "{err}");

        // The toml crate stops at its recursion limit instead of overflowing the stack.
        for deep in [
            format!("x = {}{}", "[".repeat(20_000), "]".repeat(20_000)),
            format!("x = {}1{}", "{a=".repeat(20_000), "}".repeat(20_000)),
            format!("[{}]", vec!["a"; 20_000].join(".")),
            format!("x = {}", "[".repeat(20_000)),
        ] {
            let err = parse_record("r.toml", deep.as_bytes()).unwrap_err();
            assert!(err.message.contains("recurs"), "{err}");
        }
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..4096)) {
            assert_parses_or_points_inside(&bytes);
        }

        #[test]
        fn records_made_of_toml_pieces_never_panic(
            pieces in proptest::collection::vec(proptest::sample::select(TOML_PIECES), 0..120)
        ) {
            assert_parses_or_points_inside(pieces.concat().as_bytes());
        }

        #[test]
        fn mutated_records_never_panic(
            mutations in proptest::collection::vec(
                (proptest::prelude::any::<proptest::sample::Index>(), 0..3u8, proptest::sample::select(TOML_PIECES)),
                1..8,
            )
        ) {
            let mut bytes = VALID_RECORD.as_bytes().to_vec();
            for (at, operation, piece) in mutations {
                let at = at.index(bytes.len() + 1);
                match operation {
                    0 => {
                        bytes.splice(at..at, piece.bytes());
                    }
                    1 => {
                        let end = (at + piece.len()).min(bytes.len());
                        bytes.drain(at..end);
                    }
                    _ => {
                        let end = (at + piece.len()).min(bytes.len());
                        bytes.splice(at..end, piece.bytes());
                    }
                }
            }
            assert_parses_or_points_inside(&bytes);
        }
    }
}
