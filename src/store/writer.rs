//! Making one commit for one change, without disturbing anything else in the repository.
//!
//! The order is fixed: take the writers' lock, check the records are as committed, take git's
//! index lock, write the journal and the files atomically, write the commit (built from HEAD's
//! tree, never from the index, so the user's staged changes stay out of it), move the branch
//! with a compare-and-swap, refresh the changed paths in the index, and only then let git's
//! index lock go, so that git never commits an index older than the branch. A failure before
//! the branch moves puts the files back, so a failed command changes nothing; one that cannot
//! put them back, or cannot refresh the index after the branch moved, keeps the journal and
//! the index lock for the next command (or `claims doctor`) to finish.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use git2::build::TreeUpdateBuilder;
use git2::{ErrorCode, FileMode, ObjectType, Oid};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::git_index::{StatData, TreeChange, Update};
use super::identity::Reviewer;
use super::index_hash::Checkpoints;
use super::journal::{Journal, JournalFile, Recovery};
use super::packing::Written;
use super::{
    MAX_RECORD_BYTES, RECORDS_DIR, Store, StoreError, overwrite, parse_record, read_optional,
};
use crate::controls::escape;
use crate::domain::id::ClaimId;
use crate::domain::record::Record;

/// New contents for one repository-relative file.
#[derive(Debug, Clone)]
pub struct FileChange {
    pub path: String,
    pub contents: Vec<u8>,
}

impl FileChange {
    pub fn record(record: &Record) -> FileChange {
        FileChange {
            path: record.id.record_path(),
            contents: record.to_toml().into_bytes(),
        }
    }
}

/// A commit message: subject, optional body (the reviewer's note), then git trailers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitMessage {
    pub subject: String,
    pub body: Option<String>,
    pub trailers: Vec<(&'static str, String)>,
}

impl CommitMessage {
    /// The message as git stores it. Whatever the record holds, no control character but
    /// newline and tab reaches it raw (see `controls`): `git log` prints messages as they are.
    pub fn render(&self) -> String {
        let mut message = self.subject_line();
        if let Some(body) = self
            .body
            .as_deref()
            .map(|b| b.replace("\r\n", "\n"))
            .filter(|b| !b.trim().is_empty())
        {
            message.push_str("\n\n");
            message.push_str(&escape(body.trim()));
        }
        if !self.trailers.is_empty() {
            message.push_str("\n\n");
            for (key, value) in &self.trailers {
                message.push_str(&format!("{key}: {}\n", one_line_escaped(value)));
            }
        } else {
            message.push('\n');
        }
        message
    }
}

impl CommitMessage {
    /// The subject on one line, as the commit and the branch's reflog carry it.
    fn subject_line(&self) -> String {
        one_line_escaped(&self.subject)
    }
}

/// `text` on one line (whitespace runs, line breaks included, become one space), with its
/// other controls escaped.
fn one_line_escaped(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    escape(&flat).into_owned()
}

/// Changes to at most this many files flush each file to disk before committing.
const DURABLE_BATCH: usize = 16;
/// Where the hash states of the index (see `index_hash`) are kept, beside the index.
const INDEX_HASH_STATES: &str = "claims/index-hash";
/// Where the index a write replaced waits to be removed by the next (see `ReplacedIndex`).
const REPLACED_INDEX: &str = "claims/replaced-index";

/// How long to wait for a lock held by another process before giving up.
fn lock_timeout() -> Duration {
    let secs = std::env::var("CLAIMS_LOCK_TIMEOUT")
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .unwrap_or(10.0);
    Duration::from_secs_f64(secs)
}

/// Exclusive right to change the repository, held from before a record is read until its
/// commit is in place, so that two `claims` processes never lose each other's work.
pub struct Writer<'s> {
    store: &'s Store,
    /// The removal of the index the last write replaced (see `ReplacedIndex`); declared
    /// before the lock so that it ends before the lock is let go.
    replaced_index: RefCell<ReplacedIndex>,
    /// The committed blob of each path read for a change, to check under git's index lock
    /// that no commit beside this command changed it since.
    seen: RefCell<HashMap<String, Option<Oid>>>,
    _lock: File,
    /// What taking the lock found of an earlier, interrupted write, and did about it.
    pub recovery: Recovery,
}

/// The branch a commit goes on, and the commit it currently points at.
struct Head<'r> {
    refname: String,
    commit: Option<git2::Commit<'r>>,
}

impl Store {
    pub(crate) fn lock_path(&self) -> PathBuf {
        self.repo.commondir().join("claims.lock")
    }

    /// Takes the writers' lock (in git's directory, released by the OS if the process dies),
    /// waiting a bounded time for another `claims` process to finish.
    pub fn writer(&self) -> Result<Writer<'_>, StoreError> {
        self.ensure_committable()?;
        let path = self.lock_path();
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(StoreError::io(&path))?;
        // Shared as git shares what it creates (`core.sharedRepository`), or the next writer
        // of the group could not take the lock, nor write in the tool's folder.
        let claims_dir = self.repo.commondir().join("claims");
        self.sharing
            .adjust(&path)
            .and_then(|()| self.sharing.create_dir_all(&claims_dir))
            .map_err(StoreError::io(&path))?;
        let started = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(fs::TryLockError::WouldBlock) if started.elapsed() < lock_timeout() => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(fs::TryLockError::WouldBlock) => {
                    return Err(StoreError::Locked {
                        what: "the claims repository (another claims command is writing)",
                        lock: path,
                        waited_secs: started.elapsed().as_secs(),
                    });
                }
                Err(fs::TryLockError::Error(e)) => return Err(StoreError::io(path)(e)),
            }
        }
        let recovery = self.recover()?;
        let replaced_index =
            RefCell::new(ReplacedIndex::new(self.repo.path().join(REPLACED_INDEX)));
        Ok(Writer {
            store: self,
            replaced_index,
            seen: RefCell::default(),
            _lock: file,
            recovery,
        })
    }

    /// Refuses to write in the middle of a merge, rebase or the like (a commit there would
    /// mix the tool's change into the user's half-finished operation), and on a detached HEAD
    /// (the commit would belong to no branch and be lost at the next checkout).
    fn ensure_committable(&self) -> Result<(), StoreError> {
        use git2::RepositoryState as S;
        let in_progress = match self.repo.state() {
            S::Clean => None,
            S::Merge => Some((
                "merge",
                "resolve any conflicts, then git commit",
                "git merge --abort",
            )),
            S::Revert | S::RevertSequence => {
                Some(("revert", "git revert --continue", "git revert --abort"))
            }
            S::CherryPick | S::CherryPickSequence => Some((
                "cherry-pick",
                "git cherry-pick --continue",
                "git cherry-pick --abort",
            )),
            S::Bisect => Some(("bisect", "git bisect reset", "git bisect reset")),
            S::Rebase | S::RebaseInteractive | S::RebaseMerge => {
                Some(("rebase", "git rebase --continue", "git rebase --abort"))
            }
            S::ApplyMailbox | S::ApplyMailboxOrRebase => {
                Some(("git am", "git am --continue", "git am --abort"))
            }
        };
        if let Some((operation, finish, abort)) = in_progress {
            return Err(StoreError::OperationInProgress {
                operation,
                finish,
                abort,
            });
        }
        if self.repo.head_detached()? {
            let at = self.repo.head()?.peel_to_commit()?.id().to_string();
            return Err(StoreError::DetachedHead(at[..12].to_string()));
        }
        Ok(())
    }
}

impl Writer<'_> {
    pub fn store(&self) -> &Store {
        self.store
    }

    fn repo(&self) -> &git2::Repository {
        &self.store.repo
    }

    /// Reads a record to change it, refusing one whose file or index entry differs from HEAD:
    /// a hand edit that is not committed must not be swept into the tool's commit.
    pub fn read_for_update(&self, id: &ClaimId) -> Result<Record, StoreError> {
        let path = id.record_path();
        match self.read_file_for_update(&path)? {
            Some(bytes) => Ok(parse_record(&path, &bytes)?),
            None => Err(StoreError::UnknownId(id.to_string())),
        }
    }

    /// Reads any file the tool writes (repository-relative) to change it, with the same
    /// refusal as `read_for_update`; None when there is none. A file that holds the committed
    /// version only through git's filters (CRLF line endings in a clone that converts them)
    /// is read as committed.
    pub fn read_file_for_update(&self, path: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let tree = self.head_tree()?;
        let committed = self.committed_blob(tree.as_ref(), path)?;
        let bytes = self.store.read_record_file(path)?;
        self.ensure_unchanged(path, tree.as_ref(), committed, bytes.as_deref())?;
        Ok(match (committed, bytes) {
            (Some(blob), Some(bytes)) if Oid::hash_object(ObjectType::Blob, &bytes)? != blob => {
                Some(self.repo().find_blob(blob)?.content().to_vec())
            }
            (_, bytes) => bytes,
        })
    }

    /// Checks that nothing exists yet at a path where a new file is to be created.
    pub fn ensure_absent(&self, path: &str) -> Result<bool, StoreError> {
        let committed = committed_blob(self.head_tree()?.as_ref(), path)?;
        self.read_file_for_update(path)?;
        Ok(committed.is_none())
    }

    fn head_tree(&self) -> Result<Option<git2::Tree<'_>>, StoreError> {
        Ok(self.head()?.commit.map(|c| c.tree()).transpose()?)
    }

    /// HEAD's blob at `path` (in `tree`), remembered for the commit to check again under
    /// git's index lock.
    fn committed_blob(
        &self,
        tree: Option<&git2::Tree<'_>>,
        path: &str,
    ) -> Result<Option<Oid>, StoreError> {
        let committed = committed_blob(tree, path)?;
        self.seen.borrow_mut().insert(path.to_string(), committed);
        Ok(committed)
    }

    /// The blob git's index stages at `path`, if any.
    fn staged_blob(&self, path: &str) -> Result<Option<Oid>, StoreError> {
        self.store.staged_blob(path)
    }

    /// Whether `staged`, staged at `path` in place of `committed`, is a version a `git commit`
    /// wrote back (see `index_check`) rather than the user's: this write stages its own
    /// version over it, which is the repair.
    fn staged_by_user(
        &self,
        path: &str,
        staged: Option<Oid>,
        committed: Option<Oid>,
    ) -> Result<bool, StoreError> {
        if staged.is_none() || staged == committed {
            return Ok(false);
        }
        let written_back = self.store.written_back_entries()?;
        Ok(!written_back.iter().any(|entry| entry.path == path))
    }

    /// Refuses a path whose index entry or working file is not `committed` (HEAD's, in
    /// `tree`), the working file as git sees it through its filters.
    fn ensure_unchanged(
        &self,
        path: &str,
        tree: Option<&git2::Tree<'_>>,
        committed: Option<Oid>,
        working: Option<&[u8]>,
    ) -> Result<(), StoreError> {
        let staged = self.staged_blob(path)?;
        if self.staged_by_user(path, staged, committed)? {
            return Err(StoreError::UncommittedEdit {
                path: path.to_string(),
                staged: true,
            });
        }
        let unchanged = match (committed, working, tree) {
            (None, None, _) => true,
            (None, Some(_), _) => {
                return Err(StoreError::Untracked {
                    path: path.to_string(),
                });
            }
            (Some(blob), Some(bytes), Some(tree)) => {
                self.store.working_file_holds(path, bytes, blob, tree)?
            }
            _ => false,
        };
        if unchanged {
            Ok(())
        } else {
            Err(StoreError::UncommittedEdit {
                path: path.to_string(),
                staged: false,
            })
        }
    }

    fn head(&self) -> Result<Head<'_>, StoreError> {
        let repo = self.repo();
        let head = repo.find_reference("HEAD")?;
        let refname = match head.symbolic_target()? {
            Some(target) => target.to_string(),
            None => "HEAD".to_string(),
        };
        let commit = match repo.find_reference(&refname) {
            Ok(reference) => Some(reference.peel_to_commit()?),
            Err(e) if e.code() == ErrorCode::NotFound => None,
            Err(e) => return Err(e.into()),
        };
        Ok(Head { refname, commit })
    }

    /// Writes the files and commits exactly them, authored by `reviewer` at `at`.
    pub fn commit(
        &self,
        changes: &[FileChange],
        message: &CommitMessage,
        reviewer: &Reviewer,
        at: Timestamp,
    ) -> Result<Oid, StoreError> {
        // Git's index lock is held from before anything is written until the new index is in
        // place, as git holds it across its own commits: a `git commit` or `git add` beside
        // this write waits or refuses, and never commits an index that predates the branch's
        // move (which would revert the change).
        let lock = self.store.take_index_lock()?;
        let head = self.head()?;
        self.ensure_head_unchanged(&head, changes)?;
        let staged = self.staged_before(&head, changes)?;
        // Each change's blob id, hashed once for the journal, the index and the packing list.
        let blobs = changes
            .iter()
            .map(|change| Oid::hash_object(ObjectType::Blob, &change.contents))
            .collect::<Result<Vec<Oid>, _>>()?;
        self.store
            .begin_journal(&self.journal(&head, changes, &blobs, &lock)?)?;
        let mut written: Vec<(PathBuf, Option<Vec<u8>>)> = Vec::new();
        let outcome = self.write_files(changes, &mut written).and_then(|()| {
            self.commit_written(head, changes, &blobs, &staged, &lock, message, reviewer, at)
        });
        let (oid, trees, pack) = match outcome {
            Ok(done) => done,
            Err(error) => {
                let index_undone = !matches!(error, StoreError::NotUndone { .. });
                return match restore(written) {
                    Ok(()) if index_undone => {
                        self.store.end_journal()?;
                        Err(error)
                    }
                    // The journal and the lock stay until the files and the index are put
                    // back, so that git commits nothing half-written and the next command
                    // finishes the undo.
                    Ok(()) => {
                        lock.keep();
                        Err(error)
                    }
                    Err(undo) => {
                        lock.keep();
                        Err(StoreError::NotUndone {
                            error: Box::new(error),
                            undo: Box::new(undo),
                        })
                    }
                };
            }
        };
        fault_point("after-branch-moved");
        drop(lock);
        self.store.end_journal()?;
        // What a later commit of this writer builds on, as if read again.
        self.seen.borrow_mut().extend(
            changes
                .iter()
                .zip(&blobs)
                .map(|(change, &blob)| (change.path.clone(), Some(blob))),
        );
        // Housekeeping: the change is committed and in the index whatever happens here, and
        // packs left unmerged lose nothing.
        let _ = self.note_pack(oid, &trees, changes, &blobs, &pack);
        Ok(oid)
    }

    /// Refuses a change to a record that a commit made beside this command (between reading
    /// the record and taking git's index lock) changed: it was computed from a version that
    /// is no longer the branch's.
    fn ensure_head_unchanged(
        &self,
        head: &Head<'_>,
        changes: &[FileChange],
    ) -> Result<(), StoreError> {
        let tree = head.commit.as_ref().map(|c| c.tree()).transpose()?;
        let seen = self.seen.borrow();
        for change in changes {
            let committed = committed_blob(tree.as_ref(), &change.path)?;
            if seen.get(&change.path).is_some_and(|was| *was != committed) {
                return Err(StoreError::BranchMoved);
            }
        }
        Ok(())
    }

    /// What git's index stages at each changed path before the write (for putting it back if
    /// the write fails), refusing a change to a record that `git add` staged since it was
    /// read: the commit would drop what the user staged.
    fn staged_before(
        &self,
        head: &Head<'_>,
        changes: &[FileChange],
    ) -> Result<Vec<Option<Oid>>, StoreError> {
        let tree = head.commit.as_ref().map(|c| c.tree()).transpose()?;
        let mut staged_blobs = Vec::with_capacity(changes.len());
        for change in changes {
            let committed = committed_blob(tree.as_ref(), &change.path)?;
            let staged = self.staged_blob(&change.path)?;
            if self.staged_by_user(&change.path, staged, committed)? {
                return Err(StoreError::UncommittedEdit {
                    path: change.path.clone(),
                    staged: true,
                });
            }
            staged_blobs.push(staged);
        }
        Ok(staged_blobs)
    }

    /// Lists the pack this change wrote and its objects, and merges packs when enough have
    /// gathered.
    fn note_pack(
        &self,
        commit: Oid,
        trees: &[TreeChange],
        changes: &[FileChange],
        blobs: &[Oid],
        pack: &str,
    ) -> Result<(), StoreError> {
        let mut written = vec![(commit, Written::Commit, "")];
        written.extend(
            trees
                .iter()
                .map(|t| (t.after, Written::Tree, t.dir.as_str())),
        );
        for (change, &blob) in changes.iter().zip(blobs) {
            written.push((blob, Written::Blob, change.path.as_str()));
        }
        self.store.note_written(&written, pack)?;
        self.store.merge_packs_if_due()
    }

    /// What this write will do, for the next command to finish or undo it after a crash.
    fn journal(
        &self,
        head: &Head<'_>,
        changes: &[FileChange],
        blobs: &[Oid],
        lock: &IndexLock,
    ) -> Result<Journal, StoreError> {
        let tree = head.commit.as_ref().map(|c| c.tree()).transpose()?;
        let files = changes
            .iter()
            .zip(blobs)
            .map(|(change, blob)| JournalFile {
                path: change.path.clone(),
                before: tree
                    .as_ref()
                    .and_then(|t| t.get_path(Path::new(&change.path)).ok())
                    .map(|e| e.id().to_string()),
                after: blob.to_string(),
            })
            .collect();
        Ok(Journal {
            branch: head.refname.clone(),
            base: head.commit.as_ref().map(|c| c.id().to_string()),
            files,
            index_lock: Some(lock.id.clone()),
        })
    }

    /// Writes the changed files, noting in `written` what each held before.
    fn write_files(
        &self,
        changes: &[FileChange],
        written: &mut Vec<(PathBuf, Option<Vec<u8>>)>,
    ) -> Result<(), StoreError> {
        // Flushing each file costs milliseconds: worth it for a change to a few records, not
        // for an extraction of thousands, whose files the journal's repair restores from the
        // commit if a power cut loses them.
        let durable = changes.len() <= DURABLE_BATCH;
        for change in changes {
            let path = self.store.root.join(&change.path);
            // A record the tool could not read back must never be written.
            if Path::new(&change.path).starts_with(RECORDS_DIR)
                && change.contents.len() > MAX_RECORD_BYTES
            {
                return Err(StoreError::RecordTooLarge {
                    path: change.path.clone(),
                });
            }
            let previous = read_optional(&path)?;
            write_through_rename(&path, &change.contents, durable)?;
            written.push((path, previous));
        }
        fault_point("after-record-written");
        Ok(())
    }

    /// Commits the written files on `head`, puts the new index in place, then moves the
    /// branch. The index comes first because a plain `git commit` reads HEAD, then the index,
    /// and only then waits for `index.lock` (builtin/commit.c): one that read HEAD before the
    /// branch moved fails to move it (its parent is no longer the tip), and one that read it
    /// after reads the new index too, so that neither commits an index that reverts this
    /// change. If the branch cannot be moved, the index is put back as it was.
    ///
    /// A plain `git commit` does not hold git's index lock while it moves the branch, so it
    /// may move it first: then the commit is made again on the new tip, if the changed files
    /// are still as they were read there.
    #[allow(clippy::too_many_arguments)]
    fn commit_written<'w>(
        &'w self,
        mut head: Head<'w>,
        changes: &[FileChange],
        blobs: &[Oid],
        staged: &[Option<Oid>],
        lock: &IndexLock,
        message: &CommitMessage,
        reviewer: &Reviewer,
        at: Timestamp,
    ) -> Result<(Oid, Vec<TreeChange>, String), StoreError> {
        self.replaced_index.borrow_mut().start_removal();
        let (mut oid, mut trees, mut pack) =
            self.write_commit(&head, changes, message, reviewer, at)?;
        fault_point("after-commit-written");
        let files: Vec<IndexedFile<'_>> = changes
            .iter()
            .zip(blobs)
            .map(|(change, &blob)| IndexedFile {
                path: &change.path,
                blob,
                contents: &change.contents,
            })
            .collect();
        let replaced = self.replaced_index.borrow();
        self.store
            .refresh_index(lock, &files, &trees, Some(&replaced))?;
        fault_point("after-index-refreshed");
        let mut attempts = 0;
        let moved = loop {
            match self.move_branch(&head, oid, &message.subject_line()) {
                Err(StoreError::BranchMoved) if attempts < 8 => {
                    attempts += 1;
                    let retried = self.head().and_then(|new_head| {
                        head = new_head;
                        self.ensure_head_unchanged(&head, changes)?;
                        self.store
                            .begin_journal(&self.journal(&head, changes, blobs, lock)?)?;
                        self.write_commit(&head, changes, message, reviewer, at)
                    });
                    match retried {
                        Ok(commit) => (oid, trees, pack) = commit,
                        Err(error) => break Err(error),
                    }
                }
                moved => break moved,
            }
        };
        if let Err(error) = moved {
            let entries: Vec<RolledBackEntry<'_>> = changes
                .iter()
                .zip(blobs)
                .zip(staged)
                .map(|((change, &after), &before)| RolledBackEntry {
                    path: &change.path,
                    after,
                    before,
                })
                .collect();
            return Err(match self.store.roll_back_index(lock, &entries) {
                Ok(()) => error,
                Err(undo) => StoreError::NotUndone {
                    error: Box::new(error),
                    undo: Box::new(undo),
                },
            });
        }
        Ok((oid, trees, pack))
    }

    /// Stores the commit of `changes` on `head`, with its blobs and trees, as one pack.
    fn write_commit(
        &self,
        head: &Head<'_>,
        changes: &[FileChange],
        message: &CommitMessage,
        reviewer: &Reviewer,
        at: Timestamp,
    ) -> Result<(Oid, Vec<TreeChange>, String), StoreError> {
        // The change's objects go to git's store as one small pack (see `packing`).
        let (oid, trees, pack) = self.store.write_as_pack(|repo| {
            let odb = repo.odb()?;
            let mut update = TreeUpdateBuilder::new();
            // What the pack is to hold besides the commit: the blobs, then the trees changed.
            let mut new_objects = Vec::new();
            for change in changes {
                let blob = odb.write(ObjectType::Blob, &change.contents)?;
                update.upsert(&change.path, blob, FileMode::Blob);
                new_objects.push(blob);
            }
            let parent = head
                .commit
                .as_ref()
                .map(|c| repo.find_commit(c.id()))
                .transpose()?;
            let base = match &parent {
                Some(commit) => commit.tree()?,
                None => repo.find_tree(repo.treebuilder(None)?.write()?)?,
            };
            let tree = repo.find_tree(update.create_updated(repo, &base)?)?;
            let signature = reviewer.signature(at)?;
            let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
            let text = message.render();
            let buffer =
                repo.commit_create_buffer(&signature, &signature, &text, &tree, &parents)?;
            let buffer = std::str::from_utf8(&buffer)
                .map_err(|_| git2::Error::from_str("commit buffer is not UTF-8"))?
                .to_string();
            let config = repo.config()?.snapshot()?;
            let oid = if config.get_bool("commit.gpgsign").unwrap_or(false) {
                let signature = sign(&config, &buffer, reviewer)?;
                repo.commit_signed(&buffer, &signature, None)?
            } else {
                odb.write(ObjectType::Commit, buffer.as_bytes())?
            };
            let parent_tree = parent.as_ref().map(|c| c.tree()).transpose()?;
            let trees = tree_changes(changes, parent_tree.as_ref(), &tree);
            new_objects.extend(
                trees
                    .iter()
                    .filter(|t| t.before != Some(t.after))
                    .map(|t| t.after),
            );
            Ok((oid, new_objects, trees))
        })?;
        Ok((oid, trees, pack))
    }

    fn move_branch(&self, head: &Head<'_>, oid: Oid, subject: &str) -> Result<(), StoreError> {
        let repo = self.repo();
        let log = format!("commit: {subject}");
        let lock = repo.commondir().join(format!("{}.lock", head.refname));
        let moved = retry_while_locked("the branch", &lock, || match &head.commit {
            Some(parent) => repo
                .reference_matching(&head.refname, oid, true, parent.id(), &log)
                .map(drop),
            None => repo.reference(&head.refname, oid, false, &log).map(drop),
        });
        match moved {
            Err(StoreError::Git(e))
                if matches!(e.code(), ErrorCode::Modified | ErrorCode::Exists) =>
            {
                Err(StoreError::BranchMoved)
            }
            other => other,
        }
    }
}

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
    fn new(path: PathBuf) -> ReplacedIndex {
        ReplacedIndex {
            path,
            removal: None,
        }
    }

    /// Starts removing the index an earlier write kept (and one a write killed part-way had
    /// already moved aside). Called under the writers' lock.
    fn start_removal(&mut self) {
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

/// What names one `index.lock` taken by this tool: its file, and the time it was made (to the
/// nanosecond). The journal keeps it so that, after a crash, the next command can tell the
/// lock left behind is the crashed write's (and finish the index and release it) and not a
/// live git's, which would be another file, or one made later and written to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct LockId {
    pub dev: u64,
    pub ino: u64,
    pub ctime: (i64, i64),
}

impl LockId {
    fn of(meta: &fs::Metadata) -> LockId {
        use std::os::unix::fs::MetadataExt;
        LockId {
            dev: meta.dev(),
            ino: meta.ino(),
            ctime: (meta.ctime(), meta.ctime_nsec()),
        }
    }
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
    fn take(path: &Path) -> Result<IndexLock, git2::Error> {
        let file = match File::options().write(true).create_new(true).open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(git2::Error::new(
                    ErrorCode::Locked,
                    git2::ErrorClass::Index,
                    "index is locked",
                ));
            }
            Err(e) => {
                return Err(git2::Error::new(
                    ErrorCode::GenericError,
                    git2::ErrorClass::Os,
                    format!("{}: {e}", path.display()),
                ));
            }
        };
        // Made before the file is looked at, so that a failure removes it again.
        let mut lock = IndexLock {
            path: path.to_path_buf(),
            id: LockId {
                dev: 0,
                ino: 0,
                ctime: (0, 0),
            },
            kept: Default::default(),
        };
        let meta = file
            .metadata()
            .map_err(|e| git2::Error::from_str(&format!("{}: {e}", path.display())))?;
        lock.id = LockId::of(&meta);
        Ok(lock)
    }

    /// The lock at `path` if it is the one `id` names: the same file, made at the same time,
    /// still empty.
    fn adopt(path: &Path, id: &LockId) -> Option<IndexLock> {
        let meta = fs::symlink_metadata(path).ok()?;
        let ours = LockId::of(&meta) == *id && meta.len() == 0 && meta.is_file();
        ours.then(|| IndexLock {
            path: path.to_path_buf(),
            id: id.clone(),
            kept: Default::default(),
        })
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
        let path = self.index_lock_path();
        retry_while_locked("git's index", &path, || IndexLock::take(&path))
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
        debug_assert!(lock.path == self.index_lock_path());
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
    /// `git_index`). `None` when the index is one that only libgit2 can rewrite.
    fn write_patched(
        &self,
        index: &super::git_index::IndexFile,
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
                index.add_path(Path::new(file.path))?;
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
        debug_assert!(lock.path == self.index_lock_path());
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

/// Creates `path` afresh and fills it with `write`; removed again if that fails.
fn write_new<T>(
    path: &Path,
    write: impl FnOnce(&mut File) -> std::io::Result<T>,
) -> Result<T, StoreError> {
    let result = path
        .parent()
        .map_or(Ok(()), fs::create_dir_all)
        .and_then(|()| File::create(path))
        .and_then(|mut file| write(&mut file));
    if result.is_err() {
        let _ = fs::remove_file(path);
    }
    result.map_err(StoreError::io(path))
}

/// The stat data for an index entry of `path`, if the file still holds `contents`; zeroes
/// otherwise (someone changed it since it was written), which makes git look at the file and
/// see the change instead of taking it for the committed version.
fn stat_if_holding(path: &Path, contents: &[u8]) -> Result<StatData, StoreError> {
    use std::io::Read;
    let Ok(mut file) = File::open(path) else {
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

/// The blob at `path` in `tree`, if any.
fn committed_blob(tree: Option<&git2::Tree<'_>>, path: &str) -> Result<Option<Oid>, StoreError> {
    let Some(tree) = tree else {
        return Ok(None);
    };
    match tree.get_path(Path::new(path)) {
        Ok(entry) => Ok(Some(entry.id())),
        Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The trees of the folders above the changed paths, before and after a commit.
fn tree_changes(
    changes: &[FileChange],
    before: Option<&git2::Tree<'_>>,
    after: &git2::Tree<'_>,
) -> Vec<TreeChange> {
    let subtree = |tree: &git2::Tree<'_>, dir: &str| -> Option<Oid> {
        if dir.is_empty() {
            return Some(tree.id());
        }
        let entry = tree.get_path(Path::new(dir)).ok()?;
        (entry.kind() == Some(ObjectType::Tree)).then(|| entry.id())
    };
    let mut dirs = std::collections::BTreeSet::new();
    for change in changes {
        dirs.insert(String::new());
        for (at, _) in change.path.match_indices('/') {
            dirs.insert(change.path[..at].to_string());
        }
    }
    dirs.into_iter()
        .filter_map(|dir| {
            let after = subtree(after, &dir)?;
            let before = before.and_then(|tree| subtree(tree, &dir));
            Some(TreeChange { dir, before, after })
        })
        .collect()
}

/// Test builds (feature `fault-injection`) stop the process at the step of a write named by
/// `CLAIMS_FAULT`, the way a crash or `kill -9` would, to prove the next command recovers.
pub(super) fn fault_point(step: &str) {
    #[cfg(feature = "fault-injection")]
    if std::env::var_os("CLAIMS_FAULT").is_some_and(|fault| fault == step) {
        std::process::abort();
    }
    #[cfg(not(feature = "fault-injection"))]
    let _ = step;
}

/// Runs a git operation, retrying for a bounded time while another git process holds the lock.
fn retry_while_locked<T>(
    what: &'static str,
    lock: &Path,
    mut operation: impl FnMut() -> Result<T, git2::Error>,
) -> Result<T, StoreError> {
    let started = Instant::now();
    loop {
        match operation() {
            Err(e) if e.code() == ErrorCode::Locked || lock.exists() && is_lock_error(&e) => {
                if started.elapsed() >= lock_timeout() {
                    return Err(StoreError::Locked {
                        what,
                        lock: lock.to_path_buf(),
                        waited_secs: started.elapsed().as_secs(),
                    });
                }
                std::thread::sleep(Duration::from_millis(25));
            }
            other => return other.map_err(StoreError::from),
        }
    }
}

fn is_lock_error(e: &git2::Error) -> bool {
    e.message().contains("lock")
}

/// Writes a file through a temporary file in the same folder and a rename, so that a reader
/// (or a crash) sees the old contents or the new, never a mix; flushed to disk first.
pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), StoreError> {
    write_through_rename(path, contents, true)
}

/// Replaces a cache file (under git's directory) atomically, without flushing it to disk: a
/// cache lost or left empty by a power cut is read as no cache, and rebuilt.
pub fn write_cache(path: &Path, contents: &[u8]) -> Result<(), StoreError> {
    write_through_rename(path, contents, false)
}

/// Like [`write_atomically`], flushing to disk only when `durable`.
fn write_through_rename(path: &Path, contents: &[u8], durable: bool) -> Result<(), StoreError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(StoreError::io(dir))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let temporary = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = File::create(&temporary)?;
        file.write_all(contents)?;
        if durable {
            file.sync_all()?;
        }
        fs::rename(&temporary, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result.map_err(StoreError::io(path))
}

/// Puts files back as they were before a failed commit; the first failure is returned, after
/// trying every file.
fn restore(written: Vec<(PathBuf, Option<Vec<u8>>)>) -> Result<(), StoreError> {
    let mut failed = None;
    for (path, previous) in written.into_iter().rev() {
        let result = match previous {
            Some(bytes) => write_atomically(&path, &bytes),
            None => match fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(StoreError::io(&path)(e)),
                _ => {
                    if let Some(dir) = path.parent() {
                        // Only succeeds when the folder is empty, which is what we want.
                        let _ = fs::remove_dir(dir);
                    }
                    Ok(())
                }
            },
        };
        if let Err(error) = result {
            failed.get_or_insert(error);
        }
    }
    failed.map_or(Ok(()), Err)
}

/// Signs a commit buffer the way git is configured to: OpenPGP through `gpg`, or SSH through
/// `ssh-keygen -Y sign`.
fn sign(config: &git2::Config, buffer: &str, reviewer: &Reviewer) -> Result<String, StoreError> {
    let format = config
        .get_string("gpg.format")
        .unwrap_or_else(|_| "openpgp".into());
    let key = config.get_string("user.signingkey").ok();
    match format.as_str() {
        "openpgp" => {
            let program = config
                .get_string("gpg.openpgp.program")
                .or_else(|_| config.get_string("gpg.program"))
                .unwrap_or_else(|_| "gpg".into());
            let key = key.unwrap_or_else(|| reviewer.to_string());
            run_signer(
                &program,
                &["--status-fd=2", "-bsau", &key],
                buffer.as_bytes(),
            )
        }
        "ssh" => {
            let program = config
                .get_string("gpg.ssh.program")
                .unwrap_or_else(|_| "ssh-keygen".into());
            let key = key.ok_or_else(|| {
                StoreError::Signing("gpg.format is ssh but user.signingkey is not set".into())
            })?;
            if key.starts_with("key::") {
                return Err(StoreError::Signing(
                    "user.signingkey holds a literal key; set it to the path of the key file"
                        .into(),
                ));
            }
            let key = expand_home(&key);
            let directory = tempfile_dir()?;
            let payload = directory.join("commit");
            fs::write(&payload, buffer).map_err(StoreError::io(&payload))?;
            let payload_arg = payload.to_string_lossy().into_owned();
            let result = run_signer(
                &program,
                &["-Y", "sign", "-n", "git", "-f", &key, &payload_arg],
                &[],
            )
            .and_then(|_| {
                let signature = payload.with_extension("sig");
                fs::read_to_string(&signature).map_err(StoreError::io(signature))
            });
            let _ = fs::remove_dir_all(&directory);
            result
        }
        other => Err(StoreError::Signing(format!(
            "gpg.format = {other} is not supported; use openpgp or ssh"
        ))),
    }
}

fn expand_home(path: &str) -> String {
    match (path.strip_prefix("~/"), std::env::var("HOME")) {
        (Some(rest), Ok(home)) => format!("{home}/{rest}"),
        _ => path.to_string(),
    }
}

fn tempfile_dir() -> Result<PathBuf, StoreError> {
    let dir = std::env::temp_dir().join(format!("claims-sign-{}", std::process::id()));
    fs::create_dir_all(&dir).map_err(StoreError::io(&dir))?;
    Ok(dir)
}

fn run_signer(program: &str, args: &[&str], input: &[u8]) -> Result<String, StoreError> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| StoreError::Signing(format!("cannot run {program}: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(input);
    }
    let output = child
        .wait_with_output()
        .map_err(|e| StoreError::Signing(format!("{program}: {e}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(StoreError::Signing(format!(
            "{program} failed: {}",
            stderr.trim()
        )));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// At 100,000 claims reading the index takes 1.5 ms: a write must not read it twice (as
    /// it did when linking the replaced index changed its stat data before the second look).
    #[test]
    fn a_write_reads_the_index_once() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open_or_init(dir.path()).unwrap();
        // Whatever the machine's own git configuration says.
        let mut config = store.repo.config().unwrap();
        config.set_bool("commit.gpgsign", false).unwrap();
        let reviewer = Reviewer::parse("Test <test@example.org>").unwrap();
        let at = Timestamp::from_second(1_800_000_000).unwrap();
        let path = "records/ab/abcdefgh2k.toml";
        for contents in ["n = 1\n", "n = 2\n", "n = 3\n"] {
            let writer = store.writer().unwrap();
            let parses = store.index_parses.get();
            writer.ensure_absent(path).ok();
            let change = FileChange {
                path: path.to_string(),
                contents: contents.as_bytes().to_vec(),
            };
            let message = CommitMessage {
                subject: format!("Write {contents}"),
                body: None,
                trailers: Vec::new(),
            };
            writer.commit(&[change], &message, &reviewer, at).unwrap();
            let reads = store.index_parses.get() - parses;
            assert!(reads <= 1, "{contents}: the index was read {reads} times");
        }
        assert!(dir.path().join(".git/claims/replaced-index").exists());
    }

    #[test]
    fn message_has_subject_body_and_trailers_last() {
        let message = CommitMessage {
            subject: "Move abcdefgh from sourced\nto corroborated".into(),
            body: Some("  Two origins now.\n\nChecked twice.  ".into()),
            trailers: vec![
                ("Claim-Id", "abcdefgh".into()),
                ("Claim-Action", "transition".into()),
            ],
        };
        assert_eq!(
            message.render(),
            "Move abcdefgh from sourced to corroborated\n\nTwo origins now.\n\nChecked twice.\n\n\
             Claim-Id: abcdefgh\nClaim-Action: transition\n"
        );
    }

    #[test]
    fn no_control_character_reaches_a_message_raw() {
        let message = CommitMessage {
            subject: "Note on abcdefgh: \u{1b}]0;owned\u{7}\u{1b}[31mred\r\u{202e}x\u{85}y".into(),
            body: Some("Line one\r\nline\ttwo\u{1b}[2J\rover\u{9b}".into()),
            trailers: vec![("Claim-Id", "abcd\u{1b}[0m\nefgh".into())],
        };
        assert_eq!(
            message.render(),
            "Note on abcdefgh: \\u001b]0;owned\\u0007\\u001b[31mred \\u202ex y\n\n\
             Line one\nline\ttwo\\u001b[2J\\u000dover\\u009b\n\n\
             Claim-Id: abcd\\u001b[0m efgh\n"
        );
        assert_eq!(
            message.subject_line(),
            "Note on abcdefgh: \\u001b]0;owned\\u0007\\u001b[31mred \\u202ex y"
        );
    }
}
