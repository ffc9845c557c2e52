//! Making one commit for one change, without disturbing anything else in the repository.
//!
//! The order is fixed: take the writers' lock, check the records are as committed, take git's
//! index lock and its lock on the branch, write the journal and the files atomically, write
//! the commit (built from HEAD's tree, never from the index, so the user's staged changes stay
//! out of it), put the index with the changed paths refreshed in place, move the branch, and
//! only then let git's index lock go, so that git never commits an index older than the
//! branch, nor moves the branch to a tree holding this write's files under its own message
//! (see `Writer::commit_written` for why the index comes first). A failure before the
//! branch moves puts the files and the index back, so a failed command changes nothing; one
//! that cannot put them back keeps the journal and the index lock for the next command (or
//! `claims doctor`) to finish.
//!
//! Here: the commit ([`Writer`]); [`journal`], what a write is about to do, for the next
//! command to finish or undo; [`index`], git's index under the write.

mod index;
mod index_check;
pub(super) mod journal;

use std::cell::RefCell;
use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use git2::build::TreeUpdateBuilder;
use git2::{ErrorCode, FileMode, ObjectType, Oid};
use jiff::Timestamp;

pub use index_check::WrittenBack;
pub use journal::{ForeignJournal, Recovery};

use self::index::{IndexedFile, ReplacedIndex, RolledBackEntry};
use self::journal::{Journal, JournalCommit, JournalFile};
use crate::controls::escape;
use crate::domain::id::ClaimId;
use crate::domain::record::Record;
use crate::store::error::StoreError;
use crate::store::fault::fault_point;
use crate::store::files::{
    read_optional, remove_with_empty_folder, write_atomically, write_through_rename,
};
use crate::store::git::index::TreeChange;
use crate::store::git::packing::Written;
use crate::store::identity::Reviewer;
use crate::store::lock::{
    BranchLock, IndexLock, branch_of_head, open_lock_file, take_writers_lock,
};
use crate::store::records::parse_record;
use crate::store::repository::{MAX_RECORD_BYTES, RECORDS_DIR, Store};
use crate::store::signing::sign;

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
        let file = open_lock_file(&path).map_err(StoreError::io(&path))?;
        // Shared as git shares what it creates (`core.sharedRepository`), or the next writer
        // of the group could not take the lock, nor write in the tool's folder.
        let claims_dir = self.repo.commondir().join("claims");
        self.sharing
            .adjust(&path)
            .and_then(|()| self.sharing.create_dir_all(&claims_dir))
            .map_err(StoreError::io(&path))?;
        take_writers_lock(&file, &path)?;
        let recovery = self.recover()?;
        let replaced_index = RefCell::new(ReplacedIndex::of(&self.repo));
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
            let at = self.repo.head()?.peel_to_commit()?.id().to_string()[..12].to_string();
            return Err(match self.interrupted_write_branch() {
                Some(branch) => StoreError::DetachedAfterInterruptedWrite { at, branch },
                None => StoreError::DetachedHead(at),
            });
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

    /// The refusal of a change to `path`, whose index entry stages something other than HEAD's
    /// version: a version a `git commit` wrote back (see `index_check`) is named as such, with
    /// its repair; anything else is the user's staged edit.
    fn staged_edit(&self, path: &str) -> Result<StoreError, StoreError> {
        Ok(if self.store.is_written_back(path)? {
            StoreError::WrittenBack {
                path: path.to_string(),
            }
        } else {
            StoreError::UncommittedEdit {
                path: path.to_string(),
                staged: true,
            }
        })
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
        let staged = self.store.staged_blob(path)?;
        if staged.is_some() && staged != committed {
            return Err(self.staged_edit(path)?);
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
        self.head_of(branch_of_head(self.repo())?)
    }

    /// The branch `refname` and the commit it points at.
    fn head_of(&self, refname: String) -> Result<Head<'_>, StoreError> {
        let commit = match self.repo().find_reference(&refname) {
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
        // Git's locks on HEAD and the branch too, taken before the branch is read and held
        // until it is moved: no git command beside this write moves the branch or points HEAD
        // elsewhere meanwhile, so none lands a tree holding this write's files under its own
        // message, nor leaves them staged on another branch (see `commit_written`).
        let branch_lock = match BranchLock::take(self.repo()) {
            Err(StoreError::Locked { what, lock, waited }) => {
                return Err(match self.store.interrupted_elsewhere(&lock) {
                    Some(worktree) => StoreError::LockedByInterruptedWrite { lock, worktree },
                    None => StoreError::Locked { what, lock, waited },
                });
            }
            taken => taken?,
        };
        let head = self.head_of(branch_lock.refname.clone())?;
        self.ensure_head_unchanged(&head, changes)?;
        let staged = self.staged_before(&head, changes)?;
        // Each change's blob id, hashed once for the journal, the index and the packing list.
        let blobs = changes
            .iter()
            .map(|change| Oid::hash_object(ObjectType::Blob, &change.contents))
            .collect::<Result<Vec<Oid>, _>>()?;
        let commit = JournalCommit {
            message: message.render(),
            author: reviewer.to_string(),
            time: at.as_second(),
        };
        self.store.begin_journal(&self.journal(
            &head,
            changes,
            &blobs,
            &lock,
            &branch_lock,
            commit,
        )?)?;
        let mut written: Vec<(PathBuf, Option<Vec<u8>>)> = Vec::new();
        let outcome = self.write_files(changes, &mut written).and_then(|()| {
            self.commit_written(
                &head,
                changes,
                &blobs,
                &staged,
                &lock,
                branch_lock,
                message,
                reviewer,
                at,
            )
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
        self.store.share_moved_branch(&head.refname);
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
    /// the record and taking git's locks) changed: it was computed from a version that is no
    /// longer the branch's.
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
            let staged = self.store.staged_blob(&change.path)?;
            if staged.is_some() && staged != committed {
                return Err(self.staged_edit(&change.path)?);
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
        let packs = self.store.change_packs();
        packs.note_written(&written, pack)?;
        packs.merge_packs_if_due()
    }

    /// What this write will do, for the next command to finish or undo it after a crash.
    fn journal(
        &self,
        head: &Head<'_>,
        changes: &[FileChange],
        blobs: &[Oid],
        lock: &IndexLock,
        branch_lock: &BranchLock<'_>,
        commit: JournalCommit,
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
            branch_lock: Some(branch_lock.branch_id.clone()),
            head_lock: Some(branch_lock.head_id.clone()),
            commit: Some(commit),
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
                    limit: MAX_RECORD_BYTES,
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
    /// branch, all under git's index lock and its lock on the branch.
    ///
    /// The index comes first because a plain `git commit` reads HEAD, then the index, and only
    /// then takes `index.lock` (builtin/commit.c, `prepare_index`): one that read HEAD after the
    /// branch moved reads the new index too. Every `git commit` that can reach its branch
    /// update during this write read HEAD before it began (one that had not yet taken
    /// `index.lock` finds it taken, and stops), so it can move the branch only while the
    /// branch still points where it read: not while this write holds the branch's lock, and
    /// not after the branch moved. That matters because such a commit reads the index a second
    /// time, unlocked, after its pre-commit hook (`prepare_to_commit`): without the branch's
    /// lock, one could take the index put in place here and land it under its own message.
    /// If the branch cannot be moved, the index is put back as it was.
    #[allow(clippy::too_many_arguments)]
    fn commit_written(
        &self,
        head: &Head<'_>,
        changes: &[FileChange],
        blobs: &[Oid],
        staged: &[Option<Oid>],
        lock: &IndexLock,
        branch_lock: BranchLock<'_>,
        message: &CommitMessage,
        reviewer: &Reviewer,
        at: Timestamp,
    ) -> Result<(Oid, Vec<TreeChange>, String), StoreError> {
        self.replaced_index.borrow_mut().start_removal();
        let (oid, trees, pack) = self.write_commit(head, changes, message, reviewer, at)?;
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
        // The reflog's line as git writes it for a commit.
        let kind = match head.commit {
            Some(_) => "commit",
            None => "commit (initial)",
        };
        let log = format!("{kind}: {}", message.subject_line());
        let moved = branch_lock.move_branch(oid, &reviewer.signature(at)?, &log);
        // HEAD's lock is held until the index is put back, if it must be.
        if let Err((error, _head_lock)) = moved {
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
        let (oid, trees, pack) = self.store.change_packs().write_as_pack(|repo| {
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

/// Puts files back as they were before a failed commit; the first failure is returned, after
/// trying every file.
fn restore(written: Vec<(PathBuf, Option<Vec<u8>>)>) -> Result<(), StoreError> {
    let mut failed = None;
    for (path, previous) in written.into_iter().rev() {
        let result = match previous {
            Some(bytes) => write_atomically(&path, &bytes),
            None => remove_with_empty_folder(&path),
        };
        if let Err(error) = result {
            failed.get_or_insert(error);
        }
    }
    failed.map_or(Ok(()), Err)
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
