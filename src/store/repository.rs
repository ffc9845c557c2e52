//! The repository itself: the `Store` type, opening it, and what every command reads from
//! it first (the index, the policy, the reviewer). The other files of the store add to
//! `Store` what each concern needs; this one imports none of them, only the parts below it
//! (`git/`, `identity`, `files`, `sharing`, `error`).

use std::cell::{OnceCell, RefCell};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use git2::Repository;

use super::error::StoreError;
use super::files::read_optional;
use super::git::index::{IndexFile, StatData, Unreadable};
use super::git::packing::ChangePacks;
use super::git::packs::Packs;
use super::identity::Reviewer;
use super::sharing::Sharing;
use crate::domain::policy::{Checklists, Policy};

pub const RECORDS_DIR: &str = "records";
pub const POLICY_FILE: &str = "claims.toml";
pub const CHECKLIST_FILE: &str = "templates/checklist.toml";
/// The audit findings reviewers accepted, written only by `claims audit --accept`.
pub const ACCEPTED_FILE: &str = "audit/accepted.toml";

/// The largest record file read. The tool writes records of a few kilobytes; a file a
/// thousand times that size is not a claim, and parsing and showing one of tens of megabytes
/// costs minutes and gigabytes, so it is refused before it is read whole.
pub const MAX_RECORD_BYTES: usize = 1024 * 1024;

pub struct Store {
    pub(super) repo: Repository,
    pub(super) root: PathBuf,
    /// The index as last read, with the stat data of the file it was read from: a write
    /// reads it to check for staged changes and again under git's lock to update it, and
    /// at 100,000 entries a read costs milliseconds.
    pub(super) index_cache: RefCell<Option<(StatData, Rc<IndexFile>)>>,
    /// How many times the index was parsed, for tests that a write reads it once.
    #[cfg(test)]
    pub(super) index_parses: std::cell::Cell<usize>,
    /// The packs, mapped when a history walk first needs them.
    pub(super) packs: OnceCell<Packs>,
    /// How files and folders created under `.git` are to be shared (`core.sharedRepository`):
    /// everything the tool creates there goes through it.
    pub(super) sharing: Sharing,
}

/// The journal and the caches are written by many functions, readers' too; in a shared
/// repository each file and folder they made under `.git/claims` (and git's index, which a
/// write renames into place) is given git's permissions when the command ends, so that the
/// next member of the group can write there. Nothing is done under the umask alone, the
/// default.
impl Drop for Store {
    fn drop(&mut self) {
        if self.sharing == Sharing::Umask {
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
    /// Gives the branch a write moved, and the reflogs libgit2 appended to, git's permissions
    /// in a shared repository: libgit2 makes them by the umask alone, and renames a new file
    /// over the branch at every move. With their folders, for a branch's first commit.
    pub(crate) fn share_moved_branch(&self, refname: &str) {
        if self.sharing == Sharing::Umask {
            return;
        }
        let (common, own) = (self.repo.commondir(), self.repo.path());
        let made = [
            (common, common.join(refname)),
            (common, common.join("logs").join(refname)),
            (own, own.join("logs/HEAD")),
        ];
        for (git_dir, file) in made {
            let _ = self.sharing.adjust(&file);
            let mut dir = file.parent();
            while let Some(folder) =
                dir.filter(|folder| folder.starts_with(git_dir) && *folder != git_dir)
            {
                let _ = self.sharing.adjust(folder);
                dir = folder.parent();
            }
        }
    }

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
            sharing: Sharing::of(&repo),
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

    /// The packs, mapped on first use.
    pub(crate) fn packs(&self) -> &Packs {
        self.packs.get_or_init(|| Packs::open(&self.repo))
    }

    /// The packs of the tool's changes, for a write to add one and merge them.
    pub(crate) fn change_packs(&self) -> ChangePacks<'_> {
        ChangePacks {
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
        #[cfg(test)]
        self.index_parses.set(self.index_parses.get() + 1);
        let index = map_index(&file, &path)?.map(Rc::new);
        *self.index_cache.borrow_mut() = index.clone().map(|index| (stamp, index));
        Ok(index)
    }

    /// An index file other than the worktree's (git names the one it is about to commit to
    /// its hooks), read at the byte level as [`Store::index_file`] reads that one.
    pub(crate) fn index_file_at(&self, path: &Path) -> Result<Option<IndexFile>, StoreError> {
        let file = fs::File::open(path).map_err(StoreError::io(path))?;
        map_index(&file, path)
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

    /// The reviewer for a change: `given` (from --reviewer or CLAIMS_REVIEWER), else git's
    /// configured identity.
    pub fn reviewer(&self, given: Option<&str>) -> Result<Reviewer, StoreError> {
        Reviewer::resolve(given, &self.repo.config()?)
    }
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

/// How many threads a job spread over the cores takes: one per core, at most eight (past
/// that the disk, not the cores, sets the pace).
pub fn worker_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

/// The SHA-256 of `bytes`, in lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Maps and parses an index file: `None` when it is of a kind only libgit2 reads.
fn map_index(file: &fs::File, path: &Path) -> Result<Option<IndexFile>, StoreError> {
    // SAFETY: mapped as git maps it. Git and libgit2 never change an index file in place;
    // they write a new one and rename it over, which leaves this mapping intact.
    let bytes = unsafe { memmap2::Mmap::map(file) }.map_err(StoreError::io(path))?;
    match IndexFile::parse(bytes) {
        Ok(index) => Ok(Some(index)),
        Err(Unreadable::NotUnderstood) => Ok(None),
        Err(Unreadable::Split) => Err(StoreError::UnsupportedIndex {
            kind: "a split index (core.splitIndex)",
            fix: "git config core.splitIndex false && git update-index --no-split-index",
        }),
        Err(Unreadable::Sparse) => Err(StoreError::UnsupportedIndex {
            kind: "a sparse index (index.sparse)",
            fix: "git sparse-checkout init --no-sparse-index",
        }),
    }
}
