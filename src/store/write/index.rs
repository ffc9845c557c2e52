//! Git's index under a write: its lock, the changed entries pointed at their new blobs once
//! the commit is stored, and put back when the branch cannot move. The fast way patches the
//! index file (see `git::index`); what it cannot patch, libgit2 rewrites.

use std::fs;
use std::path::{Path, PathBuf};

use git2::Oid;

use crate::store::error::StoreError;
use crate::store::fault::fault_point;
use crate::store::files::{overwrite, read_optional, write_new};
use crate::store::git::index::{IndexFile, StatData, TreeChange, Update};
use crate::store::git::index_hash::Checkpoints;
use crate::store::lock::{IndexLock, LockId};
use crate::store::repository::Store;

/// Where the hash states of the index (see `index_hash`) are kept, beside the index.
const INDEX_HASH_STATES: &str = "claims/index-hash";
/// Where the index a write replaced waits to be removed by the next (see `ReplacedIndex`).
const REPLACED_INDEX: &str = "claims/replaced-index";

/// The index a write replaces, kept under another name until the next write removes it in
/// the background.
///
/// Renaming the new index over the old frees the old one's 10 MB when this process lets go
/// of it. On a file system that discards freed blocks at once (ext4 mounted with `discard`)
/// that waits for the disk, behind the write-back of the new index the rename started: 4 to
/// 6 ms at the end of every write at 100,000 claims. Linked as `REPLACED_INDEX` it is not
/// freed then. The next write moves it aside and unlinks it on a thread of its own once its
/// own files are flushed (a discard queued before them would delay their flushes), while it
/// builds and stores the commit.
pub(crate) struct ReplacedIndex {
    path: PathBuf,
    removal: Option<std::thread::JoinHandle<()>>,
}

impl ReplacedIndex {
    pub(crate) fn of(repo: &git2::Repository) -> ReplacedIndex {
        ReplacedIndex {
            path: repo.path().join(REPLACED_INDEX),
            removal: None,
        }
    }

    /// Starts removing the index an earlier write kept (and one a write killed part-way had
    /// already moved aside). Called under the writers' lock.
    pub(crate) fn start_removal(&mut self) {
        self.finish_removal();
        let removing = self.path.with_extension("removing");
        if fs::rename(&self.path, &removing).is_err() && !removing.exists() {
            return;
        }
        self.removal = std::thread::Builder::new()
            .spawn({
                let removing = removing.clone();
                move || {
                    let _ = fs::remove_file(removing);
                }
            })
            .ok();
        if self.removal.is_none() {
            let _ = fs::remove_file(removing);
        }
    }

    /// Links the index about to be replaced (`index`, under git's index lock) so that
    /// replacing it frees nothing. Best effort: without the link, the rename frees it as git
    /// would. Linking changes the index's ctime, part of the stamp under which its parse is
    /// cached, so it comes after every read of the index.
    fn keep(&self, index: &Path) {
        let _ = fs::hard_link(index, &self.path);
    }

    fn finish_removal(&mut self) {
        if let Some(removal) = self.removal.take() {
            let _ = removal.join();
        }
    }
}

impl Drop for ReplacedIndex {
    fn drop(&mut self) {
        self.finish_removal();
    }
}

/// Where a new index is written before it is renamed over the index, under git's index lock.
const NEXT_INDEX: &str = "claims/index.next";
/// Where libgit2 rewrites a copy of the index that this code cannot patch.
const LIBGIT2_INDEX: &str = "claims/index.libgit2";

/// What git's index is to say of one changed file: its blob, and what the working file holds.
pub(crate) struct IndexedFile<'a> {
    pub path: &'a str,
    pub blob: Oid,
    pub contents: &'a [u8],
}

impl Store {
    pub(crate) fn index_lock_path(&self) -> PathBuf {
        self.repo.path().join("index.lock")
    }

    /// Takes git's index lock, waiting a bounded time for a git command that holds it.
    pub(crate) fn take_index_lock(&self) -> Result<IndexLock, StoreError> {
        IndexLock::take(&self.index_lock_path())
    }

    /// The index lock a crashed write left, if `id` (from its journal) proves it is that one.
    pub(crate) fn adopt_index_lock(&self, id: &LockId) -> Option<IndexLock> {
        IndexLock::adopt(&self.index_lock_path(), id)
    }

    /// Under `lock`, points the index entries of `files` at their blobs (with fresh stat data,
    /// so `git status` stays clean) and leaves every other entry, staged or not, alone.
    pub(crate) fn refresh_index(
        &self,
        lock: &IndexLock,
        files: &[IndexedFile<'_>],
        trees: &[TreeChange],
        replaced: Option<&ReplacedIndex>,
    ) -> Result<(), StoreError> {
        debug_assert!(lock.path() == self.index_lock_path());
        let mut updates = Vec::with_capacity(files.len());
        for file in files {
            updates.push(Update {
                path: file.path,
                oid: file.blob,
                stat: stat_if_holding(&self.root.join(file.path), file.contents)?,
            });
        }
        fault_point("before-index-refresh");
        let index_path = self.repo.path().join("index");
        let patched = self
            .index_file()?
            .and_then(|index| self.write_patched(&index, &updates, trees).transpose());
        let next = match patched {
            Some(next) => next?,
            None => self.write_with_libgit2(files)?,
        };
        if let Some(replaced) = replaced {
            replaced.keep(&index_path);
        }
        fs::rename(&next, &index_path).map_err(StoreError::io(&index_path))
    }

    /// The fast way: the index copied to `NEXT_INDEX` with the changed entries patched (see
    /// `git::index`). `None` when the index is one that only libgit2 can rewrite.
    fn write_patched(
        &self,
        index: &IndexFile,
        updates: &[Update<'_>],
        trees: &[TreeChange],
    ) -> Result<Option<PathBuf>, StoreError> {
        let Some(patched) = index.with_updates(updates, trees) else {
            return Ok(None);
        };
        // The index's hash states: a cache, so a missing or damaged one only costs time.
        let states_path = self.repo.path().join(INDEX_HASH_STATES);
        let saved = read_optional(&states_path)
            .ok()
            .flatten()
            .and_then(|bytes| Checkpoints::decode(&bytes));
        let next = self.repo.path().join(NEXT_INDEX);
        let states = write_new(&next, |file| patched.write_to(file, saved))?;
        if let Some(states) = states {
            let _ = overwrite(&states_path, &states.encode(), false);
        }
        Ok(Some(next))
    }

    /// The slow way, for an index this code cannot patch: libgit2 rewrites a copy of it.
    fn write_with_libgit2(&self, files: &[IndexedFile<'_>]) -> Result<PathBuf, StoreError> {
        self.rewrite_index_copy(|index| {
            // A repository of its own to own the copy, which `add_path` needs to read the
            // working files; the store's keeps its own index.
            let repo = git2::Repository::open(&self.root)?;
            repo.set_index(index)?;
            for file in files {
                let absolute = self.root.join(file.path);
                if fs::read(&absolute).is_ok_and(|held| held == file.contents) {
                    index.add_path(Path::new(file.path))?;
                } else {
                    // A working file changed since stays unstaged: the entry is the blob,
                    // with no stat data, so git compares the file's contents.
                    index.add(&unstated_entry(file))?;
                }
            }
            Ok(())
        })
    }

    /// A copy of the index at `LIBGIT2_INDEX`, changed by `edit` and written by libgit2 (with
    /// its own lock on the copy; git's is ours already), to be renamed over the index.
    fn rewrite_index_copy(
        &self,
        edit: impl FnOnce(&mut git2::Index) -> Result<(), git2::Error>,
    ) -> Result<PathBuf, StoreError> {
        let index_path = self.repo.path().join("index");
        let copy = self.repo.path().join(LIBGIT2_INDEX);
        match fs::copy(&index_path, &copy) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let _ = fs::remove_file(&copy);
            }
            Err(e) => return Err(StoreError::io(&copy)(e)),
        }
        // Left by a libgit2 killed while writing the copy; nothing else writes it.
        let _ = fs::remove_file(copy.with_extension("libgit2.lock"));
        let result = git2::Index::open(&copy).and_then(|mut index| {
            edit(&mut index)?;
            index.write()
        });
        if let Err(error) = result {
            let _ = fs::remove_file(&copy);
            return Err(error.into());
        }
        Ok(copy)
    }

    /// Whether git's index stages the blob a write put at any of `entries`' paths.
    pub(crate) fn index_stages_any(
        &self,
        entries: &[RolledBackEntry<'_>],
    ) -> Result<bool, StoreError> {
        let index_path = self.repo.path().join("index");
        if !index_path.exists() {
            return Ok(false);
        }
        let index = git2::Index::open(&index_path)?;
        Ok(entries
            .iter()
            .any(|entry| staged_after(&index, entry).is_some()))
    }

    /// Under `lock`, puts back the index entries of a write whose commit did not become the
    /// branch's: an entry that stages the write's blob stages the one before again (with no
    /// stat data, so that git looks at the file), or goes where there was none. Any other
    /// entry, and an index the write never reached, is left alone.
    pub(crate) fn roll_back_index(
        &self,
        lock: &IndexLock,
        entries: &[RolledBackEntry<'_>],
    ) -> Result<(), StoreError> {
        debug_assert!(lock.path() == self.index_lock_path());
        if !self.index_stages_any(entries)? {
            return Ok(());
        }
        let index_path = self.repo.path().join("index");
        let next = self.rewrite_index_copy(|index| {
            for entry in entries {
                let Some(mut staged) = staged_after(index, entry) else {
                    continue;
                };
                match entry.before {
                    Some(before) => {
                        let never = git2::IndexTime::new(0, 0);
                        staged.id = before;
                        (staged.ctime, staged.mtime) = (never, never);
                        (staged.dev, staged.ino, staged.file_size) = (0, 0, 0);
                        index.add(&staged)?;
                    }
                    None => index.remove_path(Path::new(entry.path))?,
                }
            }
            Ok(())
        })?;
        fs::rename(&next, &index_path).map_err(StoreError::io(&index_path))
    }
}

/// The entry at `entry`'s path if it stages the write's blob (and so needs putting back).
fn staged_after(index: &git2::Index, entry: &RolledBackEntry<'_>) -> Option<git2::IndexEntry> {
    index
        .get_path(Path::new(entry.path), 0)
        .filter(|staged| staged.id == entry.after && Some(entry.after) != entry.before)
}

/// An index entry of a write that did not land: it staged `after`, and stages `before` again
/// (or nothing) once put back.
pub(crate) struct RolledBackEntry<'a> {
    pub path: &'a str,
    pub after: Oid,
    pub before: Option<Oid>,
}

/// An index entry for `file`'s blob with no stat data from the working file.
fn unstated_entry(file: &IndexedFile<'_>) -> git2::IndexEntry {
    let time = git2::IndexTime::new(0, 0);
    git2::IndexEntry {
        ctime: time,
        mtime: time,
        dev: 0,
        ino: 0,
        mode: 0o100644,
        uid: 0,
        gid: 0,
        file_size: 0,
        id: file.blob,
        flags: 0,
        flags_extended: 0,
        path: file.path.as_bytes().to_vec(),
    }
}

/// The stat data for an index entry of `path`, if the file still holds `contents`; zeroes
/// otherwise (someone changed it since it was written), which makes git look at the file and
/// see the change instead of taking it for the committed version.
fn stat_if_holding(path: &Path, contents: &[u8]) -> Result<StatData, StoreError> {
    use std::io::Read;
    let Ok(mut file) = fs::File::open(path) else {
        return Ok(StatData::default());
    };
    // Stat first: a change after this point changes the stat data git will compare.
    let meta = file.metadata().map_err(StoreError::io(path))?;
    let mut held = Vec::with_capacity(contents.len());
    file.read_to_end(&mut held).map_err(StoreError::io(path))?;
    Ok(if held == contents && meta.is_file() {
        StatData::of(&meta)
    } else {
        StatData::default()
    })
}
