//! The locks the store takes, and the bounded wait for one another process holds: the
//! writers' lock (one claims write at a time), git's `index.lock` (taken as git takes it),
//! and the locks of the caches under git's directory.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::error::StoreError;

/// Why a locked operation did not go through.
#[derive(Debug, thiserror::Error)]
pub(crate) enum LockError {
    /// Another process holds the lock on `what` at `path`: worth waiting for.
    #[error("{what} is locked ({})", .path.display())]
    Held { what: &'static str, path: PathBuf },
    /// Anything else, which waiting does not cure.
    #[error(transparent)]
    Failed(#[from] StoreError),
}

impl LockError {
    /// What a libgit2 operation that takes the lock file at `path` failed with. libgit2
    /// reports every lock file it finds taken as `GIT_ELOCKED` (its `filebuf.c` and
    /// `futils.c`); anything else is a failure.
    pub(crate) fn from_git(error: git2::Error, what: &'static str, path: &Path) -> LockError {
        if error.code() == git2::ErrorCode::Locked {
            LockError::Held {
                what,
                path: path.to_path_buf(),
            }
        } else {
            LockError::Failed(error.into())
        }
    }
}

/// How long to wait for a lock held by another process before giving up.
fn lock_timeout() -> Duration {
    let secs = std::env::var("CLAIMS_LOCK_TIMEOUT")
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .unwrap_or(10.0);
    Duration::from_secs_f64(secs)
}

/// Runs `attempt` until it no longer finds its lock held, for a bounded time; then
/// [`StoreError::Locked`] names the lock.
pub(crate) fn retry_while_locked<T>(
    mut attempt: impl FnMut() -> Result<T, LockError>,
) -> Result<T, StoreError> {
    // The wait starts when the lock is first found held.
    let mut first_held = None;
    loop {
        match attempt() {
            Ok(done) => return Ok(done),
            Err(LockError::Failed(error)) => return Err(error),
            Err(LockError::Held { what, path }) => {
                let waited = first_held.get_or_insert_with(Instant::now).elapsed();
                if waited >= lock_timeout() {
                    return Err(StoreError::Locked {
                        what,
                        lock: path,
                        waited,
                    });
                }
                std::thread::sleep(Duration::from_millis(25));
            }
        }
    }
}

/// Opens (creating it empty if need be) a file that is only ever locked, never written.
pub(crate) fn open_lock_file(path: &Path) -> io::Result<File> {
    File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
}

/// Takes the writers' lock on the open lock file `file` at `path` (released by the OS if
/// the process dies), waiting a bounded time for another `claims` process to finish.
pub(crate) fn take_writers_lock(file: &File, path: &Path) -> Result<(), StoreError> {
    retry_while_locked(|| match file.try_lock() {
        Ok(()) => Ok(()),
        Err(fs::TryLockError::WouldBlock) => Err(LockError::Held {
            what: "the claims repository (another claims command is writing)",
            path: path.to_path_buf(),
        }),
        Err(fs::TryLockError::Error(e)) => Err(StoreError::io(path)(e).into()),
    })
}

/// The writers' lock at `path` if no writer holds it now, held until the file is dropped.
pub(crate) fn try_writers_lock(path: &Path) -> io::Result<Option<File>> {
    let file = open_lock_file(path)?;
    Ok(file.try_lock().is_ok().then_some(file))
}

/// What names one `index.lock` taken by this tool: its file, and the time it was made (to the
/// nanosecond). The journal keeps it so that, after a crash, the next command can tell the
/// lock left behind is the crashed write's (and finish the index and release it) and not a
/// live git's, which would be another file, or one made later and written to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct LockId {
    pub dev: u64,
    pub ino: u64,
    pub ctime: (i64, i64),
    /// When the file was created, where the file system keeps it: unlike the change time it
    /// stays as a writer fills the lock, and unlike the inode number it is not given to the
    /// next file made after the lock is removed (older versions kept none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub born: Option<(u64, u32)>,
}

impl LockId {
    fn of(meta: &fs::Metadata) -> LockId {
        use std::os::unix::fs::MetadataExt;
        LockId {
            dev: meta.dev(),
            ino: meta.ino(),
            ctime: (meta.ctime(), meta.ctime_nsec()),
            born: born(meta),
        }
    }

    /// Whether `meta` is of the file this names, written to since or not.
    fn same_file(&self, meta: &fs::Metadata) -> bool {
        use std::os::unix::fs::MetadataExt;
        meta.is_file()
            && (meta.dev(), meta.ino()) == (self.dev, self.ino)
            && (self.born.is_none() || born(meta) == self.born)
    }
}

fn born(meta: &fs::Metadata) -> Option<(u64, u32)> {
    let since = meta
        .created()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some((since.as_secs(), since.subsec_nanos()))
}

/// Git's `index.lock`, taken the way git takes it (created exclusively) and removed when
/// dropped, unless kept for the journal's repair. It stays empty: the new index is written to
/// another file and renamed over the index while the lock is held, which is the same to every
/// reader and every git, and leaves the lock as it was made, for `LockId` to recognise (and
/// with no block to free, which on a disk that discards freed blocks at once waits for it).
pub(crate) struct IndexLock {
    path: PathBuf,
    pub id: LockId,
    kept: std::cell::Cell<bool>,
}

impl IndexLock {
    /// Takes git's index lock at `path`, waiting a bounded time for a git command that holds it.
    pub(crate) fn take(path: &Path) -> Result<IndexLock, StoreError> {
        retry_while_locked(|| IndexLock::try_take(path))
    }

    fn try_take(path: &Path) -> Result<IndexLock, LockError> {
        let file = match File::options().write(true).create_new(true).open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                return Err(LockError::Held {
                    what: "git's index",
                    path: path.to_path_buf(),
                });
            }
            Err(e) => return Err(StoreError::io(path)(e).into()),
        };
        // Made before the file is looked at, so that a failure removes it again.
        let mut lock = IndexLock {
            path: path.to_path_buf(),
            id: LockId {
                dev: 0,
                ino: 0,
                ctime: (0, 0),
                born: None,
            },
            kept: Default::default(),
        };
        let meta = file.metadata().map_err(StoreError::io(path))?;
        lock.id = LockId::of(&meta);
        Ok(lock)
    }

    /// The lock at `path` if it is the one `id` names (see [`is_lock_named`]).
    pub(crate) fn adopt(path: &Path, id: &LockId) -> Option<IndexLock> {
        is_lock_named(path, id).then(|| IndexLock {
            path: path.to_path_buf(),
            id: id.clone(),
            kept: Default::default(),
        })
    }

    /// The lock file's path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Leaves the lock in place when this process ends, for the journal's repair to release.
    pub(crate) fn keep(&self) {
        self.kept.set(true);
    }
}

impl Drop for IndexLock {
    fn drop(&mut self) {
        if !self.kept.get() {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Whether the lock file at `path` is the one `id` names: the same file, made at the same
/// time, still empty, as a write of this tool left it.
fn is_lock_named(path: &Path, id: &LockId) -> bool {
    fs::symlink_metadata(path)
        .is_ok_and(|meta| LockId::of(&meta) == *id && meta.len() == 0 && meta.is_file())
}

/// Git's locks on the worktree's HEAD (`HEAD.lock` in its git directory) and on the branch it
/// names (`refs/heads/NAME.lock` in the git directory all worktrees share), each taken through a
/// libgit2 reference transaction, which creates it as git does, HEAD's first as git orders
/// them. While they are held no git command moves the branch or points HEAD elsewhere (`git
/// commit` locks both, `git switch` HEAD). Moving the branch releases its lock; HEAD's is held
/// until this is dropped, so that a failed move can be undone first. A process killed holding
/// them leaves them, empty, for the journal's repair to recognise by their ids and remove.
pub(crate) struct BranchLock<'r> {
    head: git2::Transaction<'r>,
    branch: git2::Transaction<'r>,
    /// The branch HEAD names, through any symbolic branches between.
    pub refname: String,
    pub head_id: LockId,
    pub branch_id: LockId,
}

/// Most symbolic references followed from HEAD to its branch, as git bounds it.
const MAX_SYMREF_DEPTH: usize = 5;

impl<'r> BranchLock<'r> {
    /// Takes the lock on HEAD, then on the branch it names, waiting a bounded time for a git
    /// command that holds either.
    pub(crate) fn take(repo: &'r git2::Repository) -> Result<Self, StoreError> {
        let (head, head_id) = lock_ref(repo, "HEAD", "HEAD")?;
        let refname = branch_of_head(repo)?;
        if refname == "HEAD" {
            let at = repo.head()?.peel_to_commit()?.id().to_string();
            return Err(StoreError::DetachedHead(at[..12].to_string()));
        }
        let (branch, branch_id) = lock_ref(repo, &refname, "the branch")?;
        Ok(BranchLock {
            head,
            branch,
            refname,
            head_id,
            branch_id,
        })
    }

    /// Points the branch at `oid`, with `message` by `who` in its reflog, which releases the
    /// branch's lock (HEAD's stays until this is dropped).
    pub(crate) fn move_branch(
        self,
        oid: git2::Oid,
        who: &git2::Signature<'_>,
        message: &str,
    ) -> Result<HeadLock<'r>, (StoreError, HeadLock<'r>)> {
        let BranchLock {
            head,
            mut branch,
            refname,
            ..
        } = self;
        let head = HeadLock { _transaction: head };
        match branch
            .set_target(&refname, oid, Some(who), message)
            .and_then(|()| branch.commit())
        {
            Ok(()) => Ok(head),
            Err(error) => Err((error.into(), head)),
        }
    }
}

/// Git's lock on HEAD, released when dropped.
pub(crate) struct HeadLock<'r> {
    _transaction: git2::Transaction<'r>,
}

/// Locks `refname` through a transaction of its own; `what` names it in a refusal.
fn lock_ref<'r>(
    repo: &'r git2::Repository,
    refname: &str,
    what: &'static str,
) -> Result<(git2::Transaction<'r>, LockId), StoreError> {
    let path = ref_lock_path(repo, refname);
    retry_while_locked(|| {
        let mut transaction = repo.transaction().map_err(StoreError::from)?;
        transaction
            .lock_ref(refname)
            .map_err(|e| LockError::from_git(e, what, &path))?;
        let meta = fs::symlink_metadata(&path).map_err(StoreError::io(&path))?;
        Ok((transaction, LockId::of(&meta)))
    })
}

/// Git's lock on `refname`, taken as git takes it and released when dropped: held by a repair
/// that found the interrupted write's lock gone, so that no git moves the branch while the
/// repair decides from where it points.
pub(crate) struct RefLock<'r> {
    _transaction: git2::Transaction<'r>,
    /// For the journal, so that a repair killed holding it is repaired in turn.
    pub id: LockId,
}

impl<'r> RefLock<'r> {
    pub(crate) fn take(repo: &'r git2::Repository, refname: &str) -> Result<Self, StoreError> {
        let (transaction, id) = lock_ref(repo, refname, "the branch")?;
        Ok(RefLock {
            _transaction: transaction,
            id,
        })
    }
}

/// The branch HEAD names, through symbolic branches ("HEAD" itself when it is detached).
pub(crate) fn branch_of_head(repo: &git2::Repository) -> Result<String, StoreError> {
    let mut refname = "HEAD".to_string();
    for _ in 0..MAX_SYMREF_DEPTH {
        let reference = match repo.find_reference(&refname) {
            Ok(reference) => reference,
            Err(e) if e.code() == git2::ErrorCode::NotFound => break,
            Err(e) => return Err(e.into()),
        };
        match reference.symbolic_target()? {
            Some(target) => refname = target.to_string(),
            None => break,
        }
    }
    Ok(refname)
}

/// Where git locks `refname`: HEAD in the worktree's git directory, a branch in the shared one.
pub(crate) fn ref_lock_path(repo: &git2::Repository, refname: &str) -> PathBuf {
    let dir = match refname {
        "HEAD" => repo.path(),
        _ => repo.commondir(),
    };
    dir.join(format!("{refname}.lock"))
}

/// What the lock at `path` that `id` named when it was taken holds now, or `None` if it is gone
/// or another file. A branch's lock is written to just before it is renamed over the branch
/// (libgit2 puts the new commit's id in it), which changes its time but not its file.
pub(crate) fn ref_lock_contents(path: &Path, id: &LockId) -> Result<Option<Vec<u8>>, StoreError> {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return Ok(None);
    };
    if !id.same_file(&meta) {
        return Ok(None);
    }
    fs::read(path).map(Some).map_err(StoreError::io(path))
}

/// Completes the update of the ref locked at `path` to `oid` that a killed process had begun
/// under that lock: writes the id into it and renames it over the ref, as libgit2 and git do.
pub(crate) fn finish_ref_update(path: &Path, oid: git2::Oid) -> Result<(), StoreError> {
    let target = path.with_extension("");
    let write = || -> io::Result<()> {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(path)?;
        writeln!(file, "{oid}")?;
        file.sync_all()?;
        fs::rename(path, &target)
    };
    write().map_err(StoreError::io(path))
}

/// Removes the lock at `path` if it is the one `id` names, which a write killed while holding
/// it left behind.
pub(crate) fn remove_ref_lock_left(path: &Path, id: &LockId) -> Result<(), StoreError> {
    if is_lock_named(path, id) {
        fs::remove_file(path).map_err(StoreError::io(path))?;
    }
    Ok(())
}

/// An exclusive lock on a cache, held until dropped. The kernel releases it when the process
/// ends, however it ends, so a crash never leaves it held.
pub(crate) struct CacheLock {
    _locked: File,
}

impl CacheLock {
    pub(crate) fn take(path: &Path) -> Result<CacheLock, StoreError> {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(StoreError::io(dir))?;
        }
        let file = open_lock_file(path).map_err(StoreError::io(path))?;
        file.lock().map_err(StoreError::io(path))?;
        Ok(CacheLock { _locked: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_lock_taken_is_held_for_the_next_and_free_once_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.lock");
        let lock = IndexLock::try_take(&path).unwrap();
        match IndexLock::try_take(&path) {
            Err(LockError::Held { what, path: held }) => {
                assert_eq!((what, held.as_path()), ("git's index", path.as_path()));
            }
            Err(other) => panic!("{other}"),
            Ok(_) => panic!("taken twice"),
        }
        drop(lock);
        assert!(!path.exists());
        IndexLock::try_take(&path).unwrap().keep();
        assert!(path.exists(), "a kept lock stays for the repair");
    }

    #[test]
    fn a_ref_lock_is_known_by_its_file_and_its_update_finished_as_git_would() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("main.lock");
        fs::write(&path, "").unwrap();
        let id = LockId::of(&fs::symlink_metadata(&path).unwrap());
        assert_eq!(ref_lock_contents(&path, &id).unwrap(), Some(Vec::new()));
        // Written in place: the same file, though its time changed.
        let mut file = fs::OpenOptions::new().write(true).open(&path).unwrap();
        file.write_all(b"partial").unwrap();
        drop(file);
        assert_eq!(
            ref_lock_contents(&path, &id).unwrap(),
            Some(b"partial".to_vec())
        );
        // Another file at the same path is another's lock.
        let other = dir.path().join("other");
        fs::write(&other, "").unwrap();
        fs::rename(&other, &path).unwrap();
        assert_eq!(ref_lock_contents(&path, &id).unwrap(), None);
        fs::remove_file(&path).unwrap();
        assert_eq!(ref_lock_contents(&path, &id).unwrap(), None);
        // A file made later that the file system gave the lock's inode number (as ext4 does
        // with a freed one) is another's lock too, where the file system keeps birth times.
        fs::write(&path, "").unwrap();
        let reused = LockId::of(&fs::symlink_metadata(&path).unwrap());
        if let Some((seconds, nanos)) = reused.born {
            let earlier = LockId {
                born: Some((seconds - 1, nanos)),
                ..reused.clone()
            };
            assert_eq!(ref_lock_contents(&path, &earlier).unwrap(), None);
            assert_eq!(ref_lock_contents(&path, &reused).unwrap(), Some(Vec::new()));
        }
        fs::remove_file(&path).unwrap();

        fs::write(&path, "partial").unwrap();
        let oid = git2::Oid::from_str("5f1a8e2b3c4d5e6f708192a3b4c5d6e7f8091a2b").unwrap();
        finish_ref_update(&path, oid).unwrap();
        assert!(!path.exists());
        assert_eq!(
            fs::read_to_string(dir.path().join("main")).unwrap(),
            format!("{oid}\n")
        );
    }

    #[test]
    fn a_lock_that_cannot_be_created_is_a_failure_not_held() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing folder").join("index.lock");
        assert!(matches!(
            IndexLock::try_take(&path),
            Err(LockError::Failed(StoreError::Io { .. }))
        ));
    }

    #[test]
    fn libgit2_lock_errors_are_held_and_others_failures() {
        let path = Path::new("refs/heads/main.lock");
        let locked = git2::Error::new(
            git2::ErrorCode::Locked,
            git2::ErrorClass::Os,
            "failed to lock file",
        );
        assert!(matches!(
            LockError::from_git(locked, "the branch", path),
            LockError::Held {
                what: "the branch",
                ..
            }
        ));
        let modified = git2::Error::new(
            git2::ErrorCode::Modified,
            git2::ErrorClass::Reference,
            "old reference value does not match",
        );
        assert!(matches!(
            LockError::from_git(modified, "the branch", path),
            LockError::Failed(StoreError::Git(_))
        ));
    }

    #[test]
    fn retries_end_at_the_first_answer_that_is_not_held() {
        let mut attempts = 0;
        let done = retry_while_locked(|| {
            attempts += 1;
            if attempts < 3 {
                Err(LockError::Held {
                    what: "git's index",
                    path: PathBuf::from("index.lock"),
                })
            } else {
                Ok(attempts)
            }
        });
        assert_eq!(done.unwrap(), 3);
        let failed: Result<(), _> =
            retry_while_locked(|| Err(StoreError::UnknownId("x".into()).into()));
        assert!(matches!(failed, Err(StoreError::UnknownId(_))));
    }
}
