//! The intent journal: what a write is about to do, kept until the write is complete, so that
//! a command killed half-way (power loss, kill -9) is finished or undone by the next one
//! instead of leaving a record half-committed.
//!
//! The journal describes one worktree's branch, files and index, so it lives in that
//! worktree's own git directory, beside its `index` and `HEAD` (for the main worktree, `.git`
//! itself): a crash in one worktree is repaired there and nowhere else. It is one file,
//! overwritten in place (see `overwrite`): flushed to disk before a write begins, and emptied
//! to a one-line marker when it ends. A journal cut short while being written does not parse,
//! and means that nothing had been changed yet.

use std::path::{Path, PathBuf};

use git2::{ErrorCode, ObjectType, Oid};
use serde::{Deserialize, Serialize};

use super::index::{IndexedFile, RolledBackEntry};
use crate::store::error::StoreError;
use crate::store::files::{
    overwrite, read_optional, remove_stray_temporaries, remove_with_empty_folder, write_atomically,
};
use crate::store::lock::{
    IndexLock, LockId, RefLock, branch_of_head, finish_ref_update, ref_lock_contents,
    ref_lock_path, remove_ref_lock_left, try_writers_lock,
};
use crate::store::repository::Store;

const JOURNAL_FILE: &str = "claims/journal";
/// Where versions that created the journal for each write and deleted it after kept it, in
/// the git directory all worktrees share. Also where a journal naming another worktree's
/// branch is set aside, for that worktree to find.
const LEGACY_JOURNAL_FILE: &str = "claims/journal.json";
/// What the journal holds between writes: not a journal. Shorter than any journal, so that
/// keeping the file at its length never frees the block it has.
const NO_WRITE: &[u8] = b"{}\n";

/// A write in progress: the branch, the commit it pointed at, and the files being changed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Journal {
    pub branch: String,
    pub base: Option<String>,
    pub files: Vec<JournalFile>,
    /// Git's index lock the write holds (older versions took it only at the end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_lock: Option<LockId>,
    /// Git's lock on the branch the write holds (older versions took none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch_lock: Option<LockId>,
    /// Git's lock on the worktree's HEAD the write holds (older versions took none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_lock: Option<LockId>,
    /// What the write's commit says (older versions kept none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<JournalCommit>,
}

/// The message, author and time of the commit a write makes: with its parent and its tree,
/// they tell the write's commit from any other a repair might find named.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct JournalCommit {
    pub message: String,
    /// "Name <email>", author and committer alike.
    pub author: String,
    /// Seconds since the epoch.
    pub time: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct JournalFile {
    pub path: String,
    /// The blob at `path` in the base commit, if any.
    pub before: Option<String>,
    /// The blob the write puts there.
    pub after: String,
}

/// What the next command found of an interrupted write, and what it did about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recovery {
    /// No write was interrupted.
    Clean,
    /// The branch had not moved: the files and their index entries were put back as they
    /// were committed.
    RolledBack { paths: Vec<String> },
    /// The commit was in place: the index entries were refreshed. Working files changed
    /// since the write (`kept`) were left as they are, their change unstaged.
    RolledForward {
        paths: Vec<String>,
        kept: Vec<String>,
    },
    /// Something else changed the files or the branch since; nothing was touched.
    LeftAlone { reason: String },
}

/// The journal of an interrupted write on a branch that is not checked out in this worktree:
/// only the worktree of that branch may repair it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignJournal {
    pub branch: String,
    pub file: PathBuf,
    /// The worktree the branch is checked out in, if any.
    pub worktree: Option<PathBuf>,
    /// Git's lock on the branch the interrupted write left, if it is still there: the
    /// repair there removes it.
    pub branch_lock: Option<PathBuf>,
}

impl Store {
    fn journal_path(&self) -> PathBuf {
        self.repo.path().join(JOURNAL_FILE)
    }

    /// Where older versions left journals, in the shared git directory: the one they created
    /// per write, and, seen from a linked worktree, the one they overwrote in place.
    fn legacy_journal_paths(&self) -> Vec<PathBuf> {
        let common = self.repo.commondir();
        let mut paths = vec![common.join(LEGACY_JOURNAL_FILE)];
        if !same_dir(common, self.repo.path()) {
            paths.push(common.join(JOURNAL_FILE));
        }
        paths
    }

    /// Whether the journal at `path`, seen from a linked worktree, is the main worktree's own:
    /// the main worktree keeps its journal where older versions kept every worktree's, and
    /// it is the main worktree's when that worktree has its branch checked out.
    fn main_worktrees_journal(&self, path: &Path, journal: &Journal) -> bool {
        let common = self.repo.commondir();
        !same_dir(common, self.repo.path())
            && path == common.join(JOURNAL_FILE)
            && head_names(&common.join("HEAD"), &journal.branch)
    }

    /// The branch checked out in this worktree, through symbolic branches as a write finds it.
    fn checked_out_branch(&self) -> Option<String> {
        branch_of_head(&self.repo)
            .ok()
            .filter(|branch| branch != "HEAD")
    }

    /// The branch of this worktree's interrupted write, if its journal is pending: with HEAD
    /// detached after the write was cut short, its repair waits for HEAD to be put back there.
    pub(crate) fn interrupted_write_branch(&self) -> Option<String> {
        let bytes = read_optional(&self.journal_path()).ok()??;
        let journal: Journal = serde_json::from_slice(&bytes).ok()?;
        Some(journal.branch)
    }

    /// Whether a write was interrupted and not yet repaired (for read-only commands to say so):
    /// a journal of this worktree that no writer is working on. A journal whose writer holds
    /// the lock is a write in progress.
    pub fn interrupted_write(&self) -> bool {
        if self.own_journals().is_empty() {
            return false;
        }
        // Looked at again with the lock held: a writer may have ended its journal meanwhile.
        match try_writers_lock(&self.lock_path()) {
            Ok(Some(_held)) => !self.own_journals().is_empty(),
            Ok(None) => false,
            Err(_) => true,
        }
    }

    /// The journals of writes not ended, with where each is, in the order they are repaired:
    /// those older versions left, then this worktree's own.
    fn pending_journals(&self) -> Vec<(PathBuf, Journal)> {
        let mut paths = self.legacy_journal_paths();
        paths.push(self.journal_path());
        paths
            .into_iter()
            .filter_map(|path| {
                let bytes = read_optional(&path).ok()??;
                let journal = serde_json::from_slice(&bytes).ok()?;
                (!self.main_worktrees_journal(&path, &journal)).then_some((path, journal))
            })
            .collect()
    }

    /// The pending journals this worktree may repair: those naming the branch checked out here.
    fn own_journals(&self) -> Vec<(PathBuf, Journal)> {
        let here = self.checked_out_branch();
        let mut journals = self.pending_journals();
        journals.retain(|(_, journal)| Some(&journal.branch) == here.as_ref());
        journals
    }

    /// Journals of interrupted writes that another worktree must repair, for `claims doctor`
    /// to point at: those older versions left here for another branch, and those of the
    /// other worktrees, whatever branch they name.
    pub fn foreign_journals(&self) -> Vec<ForeignJournal> {
        let here = self.checked_out_branch();
        let mut journals = self.pending_journals();
        journals.retain(|(_, journal)| Some(&journal.branch) != here.as_ref());
        journals.extend(self.other_worktrees_journals());
        journals
            .into_iter()
            .map(|(file, journal)| {
                let lock = ref_lock_path(&self.repo, &journal.branch);
                let holds_lock = journal.branch_lock.as_ref().is_some_and(|id| {
                    ref_lock_contents(&lock, id).is_ok_and(|contents| contents.is_some())
                });
                ForeignJournal {
                    worktree: self.worktree_of(&journal.branch),
                    branch_lock: holds_lock.then_some(lock),
                    branch: journal.branch,
                    file,
                }
            })
            .collect()
    }

    /// Whether the branch lock at `lock` is held by another worktree's interrupted write, and
    /// if so, that worktree, where it is known.
    pub(crate) fn interrupted_elsewhere(&self, lock: &Path) -> Option<Option<PathBuf>> {
        self.foreign_journals()
            .into_iter()
            .find(|foreign| foreign.branch_lock.as_deref() == Some(lock))
            .map(|foreign| foreign.worktree)
    }

    /// The journals of writes not ended in the worktrees other than this one: the linked
    /// ones, and the main worktree seen from a linked one.
    fn other_worktrees_journals(&self) -> Vec<(PathBuf, Journal)> {
        let common = self.repo.commondir();
        let linked = std::fs::read_dir(common.join("worktrees"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path())
            .filter(|dir| !same_dir(dir, self.repo.path()))
            .map(|dir| dir.join(JOURNAL_FILE));
        linked
            .chain([common.join(JOURNAL_FILE)])
            .filter_map(|path| {
                let bytes = read_optional(&path).ok()??;
                let journal: Journal = serde_json::from_slice(&bytes).ok()?;
                let theirs = !path.starts_with(common.join("claims"))
                    || self.main_worktrees_journal(&path, &journal);
                theirs.then_some((path, journal))
            })
            .collect()
    }

    /// The worktree whose HEAD names `branch`, as `git worktree list` finds it: the main
    /// worktree's HEAD in the shared git directory, each linked worktree's in its own, with
    /// the place of its working tree in its `gitdir` file.
    fn worktree_of(&self, branch: &str) -> Option<PathBuf> {
        let names = |head: &Path| head_names(head, branch);
        let common = self.repo.commondir();
        // As git names the main worktree: its git directory's parent, when that is `.git`.
        if names(&common.join("HEAD")) {
            return common
                .file_name()
                .filter(|name| *name == ".git")
                .and(common.parent())
                .map(Path::to_path_buf);
        }
        let entries = std::fs::read_dir(common.join("worktrees")).ok()?;
        entries.flatten().find_map(|entry| {
            let dir = entry.path();
            if !names(&dir.join("HEAD")) {
                return None;
            }
            let gitdir = std::fs::read_to_string(dir.join("gitdir")).ok()?;
            Path::new(gitdir.trim_end()).parent().map(Path::to_path_buf)
        })
    }

    pub(crate) fn begin_journal(&self, journal: &Journal) -> Result<(), StoreError> {
        let path = self.journal_path();
        let bytes = serde_json::to_vec(journal).map_err(|e| StoreError::io(&path)(e.into()))?;
        overwrite(&path, &bytes, true)
    }

    /// Marks the journal's write as ended. Not flushed: if a power cut loses the marker, the
    /// next writer finds the journal of a write that is complete, and only refreshes the index
    /// entries it names.
    pub(crate) fn end_journal(&self) -> Result<(), StoreError> {
        end_journal_at(&self.journal_path())
    }

    /// Finishes or undoes a write of this worktree that was cut short. Call with the writers'
    /// lock held.
    pub(crate) fn recover(&self) -> Result<Recovery, StoreError> {
        let here = self.checked_out_branch();
        for path in self.legacy_journal_paths() {
            let Some(bytes) = read_optional(&path)? else {
                continue;
            };
            let journal = match serde_json::from_slice::<Journal>(&bytes) {
                Ok(journal) if self.main_worktrees_journal(&path, &journal) => continue,
                Ok(journal) if Some(&journal.branch) == here.as_ref() => journal,
                // Another worktree's, for it to repair (see `foreign_journals`).
                Ok(_) => continue,
                Err(_) if path.ends_with(LEGACY_JOURNAL_FILE) => {
                    // Cut short while it was created: nothing had been changed yet.
                    std::fs::remove_file(&path).map_err(StoreError::io(&path))?;
                    continue;
                }
                Err(_) => continue,
            };
            let end_legacy = |path: &Path| match path.ends_with(LEGACY_JOURNAL_FILE) {
                true => std::fs::remove_file(path).map_err(StoreError::io(path)),
                false => end_journal_at(path),
            };
            // Taken over as this worktree's own journal before it is repaired, so that a
            // repair killed in turn leaves one journal, the one it updates with the locks it
            // takes. One pending here for the same branch is that journal, left by such a
            // repair; one for another branch keeps its place, and this is repaired where it is.
            let own = read_optional(&self.journal_path())?
                .and_then(|bytes| serde_json::from_slice::<Journal>(&bytes).ok());
            match own {
                None => {
                    self.begin_journal(&journal)?;
                    end_legacy(&path)?;
                    break;
                }
                Some(own) if own.branch == journal.branch => {
                    end_legacy(&path)?;
                    break;
                }
                Some(_) => {}
            }
            let recovery = self.repair(&journal)?;
            end_legacy(&path)?;
            // The repair may have journalled the index lock it took here.
            self.end_journal()?;
            return Ok(recovery);
        }
        let path = self.journal_path();
        let Some(bytes) = read_optional(&path)? else {
            return Ok(Recovery::Clean);
        };
        // The marker of no write, or a journal cut short while it was written: nothing had
        // been changed yet.
        let Ok(journal) = serde_json::from_slice::<Journal>(&bytes) else {
            if bytes != NO_WRITE {
                self.end_journal()?;
            }
            return Ok(Recovery::Clean);
        };
        if Some(&journal.branch) != here.as_ref() {
            // The branch was switched since (or an older version in another worktree wrote
            // here): set the journal aside where that branch's worktree looks, never over it.
            let aside = self.repo.commondir().join(LEGACY_JOURNAL_FILE);
            if aside.exists() {
                return Err(StoreError::ForeignJournal {
                    branch: journal.branch,
                    journal: path,
                });
            }
            std::fs::rename(&path, &aside).map_err(StoreError::io(&aside))?;
            return Ok(Recovery::Clean);
        }
        let recovery = self.repair(&journal)?;
        self.end_journal()?;
        Ok(recovery)
    }

    /// Repairs the write `journal` describes, then releases the locks on the branch and on
    /// HEAD it left, if any: its writer is gone (the writers' lock is held here), and until
    /// they are released no commit, git's or the tool's, can move the branch.
    fn repair(&self, journal: &Journal) -> Result<Recovery, StoreError> {
        // While the repair reads where the branch points and acts on it, no git may move the
        // branch: the interrupted write's lock, if it is still there, keeps git off it; else
        // the repair takes the lock as git would, and waits for (or refuses beside) a git
        // that holds it.
        let lock = ref_lock_path(&self.repo, &journal.branch);
        let left = match &journal.branch_lock {
            Some(id) => ref_lock_contents(&lock, id)?.is_some(),
            None => false,
        };
        let (_held, repairing) = match left {
            true => (None, journal.clone()),
            false => {
                // Journalled, so that if this repair is killed too, the next one knows the
                // lock it leaves for its own and releases it.
                let held = RefLock::take(&self.repo, &journal.branch)?;
                let repairing = Journal {
                    branch_lock: Some(held.id.clone()),
                    ..journal.clone()
                };
                self.begin_journal(&repairing)?;
                (Some(held), repairing)
            }
        };
        let recovery = self.repair_files_and_index(&repairing, left)?;
        // The branch the interrupted write or its repair moved, and its reflogs, as a write
        // leaves them in a shared repository.
        if let Recovery::RolledForward { .. } = recovery {
            self.share_moved_branch(&journal.branch);
        }
        let locks = [
            (journal.branch.as_str(), &journal.branch_lock),
            ("HEAD", &journal.head_lock),
        ];
        for (refname, id) in locks {
            if let Some(id) = id {
                remove_ref_lock_left(&ref_lock_path(&self.repo, refname), id)?;
            }
        }
        Ok(recovery)
    }

    /// `move_left` says whether the interrupted write's own lock on the branch is still
    /// there, for its move to be finished if it was killed inside it.
    fn repair_files_and_index(
        &self,
        journal: &Journal,
        move_left: bool,
    ) -> Result<Recovery, StoreError> {
        // A write killed before its rename leaves a temporary file beside the record, which
        // git and the audit would list as an untracked record.
        for file in &journal.files {
            remove_stray_temporaries(&self.root.join(&file.path));
        }
        // The index lock the interrupted write held, if it is still there: released when this
        // ends, unless the index still needs it.
        let stale_lock = journal
            .index_lock
            .as_ref()
            .and_then(|id| self.adopt_index_lock(id));
        let tip = match self.repo.find_reference(&journal.branch) {
            Ok(reference) => reference.target(),
            Err(e) if e.code() == ErrorCode::NotFound => None,
            Err(e) => return Err(e.into()),
        };
        let base = journal.base.as_deref().and_then(|b| Oid::from_str(b).ok());
        let paths: Vec<String> = journal.files.iter().map(|f| f.path.clone()).collect();
        let oid = |text: &str| Oid::from_str(text).ok();
        let tip = match tip {
            tip if tip == base && move_left => self.finish_branch_move(journal, base)?.or(tip),
            tip => tip,
        };
        if tip == base {
            // The commit never became the branch's: put back what was committed, in the
            // working files and, where the write had reached it, in the index. A working file
            // changed since by hand keeps every working file as it is; the index is put back
            // all the same, so that no commit takes the uncommitted change for committed.
            let base_tree = base
                .map(|base| self.repo.find_commit(base).and_then(|c| c.tree()))
                .transpose()?;
            let mut changed_again = None;
            for file in &journal.files {
                let working = read_optional(&self.root.join(&file.path))?;
                let before = file.before.as_deref().and_then(oid);
                // The file as committed, through git's filters (a CRLF checkout) too.
                let untouched = match (&working, before, &base_tree) {
                    (None, None, _) => true,
                    (Some(bytes), Some(before), Some(tree)) => {
                        self.working_file_holds(&file.path, bytes, before, tree)?
                    }
                    _ => false,
                };
                if untouched {
                    continue;
                }
                let working = working
                    .map(|bytes| Oid::hash_object(ObjectType::Blob, &bytes))
                    .transpose()?;
                if working != oid(&file.after) {
                    changed_again = Some(Recovery::LeftAlone {
                        reason: format!(
                            "{} was changed again after the interrupted write; its change is \
                             in the working file, unstaged",
                            file.path
                        ),
                    });
                    break;
                }
            }
            let files_to_put_back = match changed_again {
                None => journal.files.iter(),
                Some(_) => [].iter(),
            };
            for file in files_to_put_back {
                let absolute = self.root.join(&file.path);
                match file.before.as_deref().and_then(oid) {
                    Some(before) => {
                        write_atomically(&absolute, self.repo.find_blob(before)?.content())
                            .inspect_err(|_| {
                                // Git must not commit the half-undone files meanwhile.
                                if let Some(lock) = &stale_lock {
                                    lock.keep();
                                }
                            })?
                    }
                    None => {
                        let _ = remove_with_empty_folder(&absolute);
                    }
                }
            }
            let mut entries = Vec::with_capacity(journal.files.len());
            for file in &journal.files {
                let Some(after) = oid(&file.after) else {
                    continue;
                };
                entries.push(RolledBackEntry {
                    path: &file.path,
                    after,
                    before: file.before.as_deref().and_then(oid),
                });
            }
            let recovery = changed_again.unwrap_or(Recovery::RolledBack { paths });
            let lock = match stale_lock {
                Some(lock) => lock,
                None if self.index_stages_any(&entries)? => self.journalled_index_lock(journal)?,
                None => return Ok(recovery),
            };
            self.roll_back_index(&lock, &entries)
                .inspect_err(|_| lock.keep())?;
            return Ok(recovery);
        }
        let Some(tip) = tip else {
            return Ok(Recovery::LeftAlone {
                reason: format!("the branch {} is gone", journal.branch),
            });
        };
        let tree = self.repo.find_commit(tip)?.tree()?;
        for file in &journal.files {
            let committed = tree.get_path(Path::new(&file.path)).ok().map(|e| e.id());
            if committed != oid(&file.after) {
                return Ok(Recovery::LeftAlone {
                    reason: format!(
                        "the branch moved on since the interrupted write of {}",
                        file.path
                    ),
                });
            }
        }
        // The commit is in place. A working file a power cut emptied, lost or left at its
        // version before is written again from the commit; one changed since (a hand edit
        // after the crash) is kept. Then the index entries are refreshed, under the
        // interrupted write's index lock if it is still there, else under a new one,
        // journalled in case this repair is interrupted too.
        let lock = match stale_lock {
            Some(lock) => lock,
            None => self.journalled_index_lock(journal)?,
        };
        let mut contents = Vec::with_capacity(journal.files.len());
        let mut kept = Vec::new();
        for file in &journal.files {
            let after = oid(&file.after).ok_or_else(|| {
                StoreError::Git(git2::Error::from_str("the journal names no blob"))
            })?;
            let blob = self.repo.find_blob(after)?;
            let absolute = self.root.join(&file.path);
            let working = read_optional(&absolute)?;
            let working_blob = working
                .as_deref()
                .map(|bytes| Oid::hash_object(ObjectType::Blob, bytes))
                .transpose()?;
            let lost = match &working {
                None => true,
                Some(bytes) => {
                    bytes.is_empty() || working_blob == file.before.as_deref().and_then(oid)
                }
            };
            if working_blob != Some(after) {
                if lost {
                    write_atomically(&absolute, blob.content()).inspect_err(|_| lock.keep())?;
                } else {
                    kept.push(file.path.clone());
                }
            }
            contents.push((after, blob.content().to_vec()));
        }
        let files: Vec<IndexedFile<'_>> = journal
            .files
            .iter()
            .zip(&contents)
            .map(|(file, (blob, contents))| IndexedFile {
                path: &file.path,
                blob: *blob,
                contents,
            })
            .collect();
        // No cached trees are vouched for: those above the files are invalidated.
        self.refresh_index(&lock, &files, &[], None)
            .inspect_err(|_| lock.keep())?;
        Ok(Recovery::RolledForward { paths, kept })
    }
}

impl Store {
    /// Finishes the move of the branch a write was killed inside of, and returns the commit
    /// the branch now names; `None` if the move had not begun. Libgit2 appends the move to the
    /// reflogs, then writes the new commit's id into the branch's lock and renames the lock
    /// over the branch: killed between, the branch is unmoved while its reflog says it moved.
    /// The move is finished when the lock is still the write's own, the commit it or the
    /// reflog names is the one the write made (its parent is the base, its tree holds every
    /// file the journal names as written), and the branch is at the base.
    fn finish_branch_move(
        &self,
        journal: &Journal,
        base: Option<Oid>,
    ) -> Result<Option<Oid>, StoreError> {
        let Some(id) = &journal.branch_lock else {
            return Ok(None);
        };
        let path = ref_lock_path(&self.repo, &journal.branch);
        let Some(contents) = ref_lock_contents(&path, id)? else {
            return Ok(None);
        };
        let named = if contents.is_empty() {
            let logged = self.repo.reflog(&journal.branch)?;
            logged
                .get(0)
                .filter(|entry| entry.id_old() == base.unwrap_or(Oid::ZERO_SHA1))
                .map(|entry| entry.id_new())
        } else {
            std::str::from_utf8(&contents)
                .ok()
                .and_then(|text| Oid::from_str(text.trim_end()).ok())
        };
        let Some(named) = named else {
            return Ok(None);
        };
        let Ok(commit) = self.repo.find_commit(named) else {
            return Ok(None);
        };
        if !self.is_the_writes_commit(journal, base, &commit)? {
            return Ok(None);
        }
        finish_ref_update(&path, named)?;
        Ok(Some(named))
    }

    /// Whether `commit` is the one the write of `journal` made: its parent is the base, its
    /// tree is the base's with exactly the journal's files written, and its message, author
    /// and time are the journal's.
    fn is_the_writes_commit(
        &self,
        journal: &Journal,
        base: Option<Oid>,
        commit: &git2::Commit<'_>,
    ) -> Result<bool, StoreError> {
        let Some(expected) = &journal.commit else {
            return Ok(false);
        };
        let said = |who: git2::Signature<'_>| {
            who.to_string() == expected.author && who.when().seconds() == expected.time
        };
        let parents: Vec<Oid> = commit.parent_ids().collect();
        if parents != base.into_iter().collect::<Vec<_>>()
            || commit.message_bytes() != expected.message.as_bytes()
            || !said(commit.author())
            || !said(commit.committer())
        {
            return Ok(false);
        }
        let base_tree = match base {
            Some(base) => self.repo.find_commit(base)?.tree()?,
            None => self.repo.find_tree(self.repo.treebuilder(None)?.write()?)?,
        };
        let mut update = git2::build::TreeUpdateBuilder::new();
        for file in &journal.files {
            let Ok(after) = Oid::from_str(&file.after) else {
                return Ok(false);
            };
            update.upsert(&file.path, after, git2::FileMode::Blob);
        }
        Ok(update.create_updated(&self.repo, &base_tree)? == commit.tree_id())
    }

    /// A new index lock for the repair of `journal`, journalled in case the repair is
    /// interrupted too.
    fn journalled_index_lock(&self, journal: &Journal) -> Result<IndexLock, StoreError> {
        let lock = self.take_index_lock()?;
        self.begin_journal(&Journal {
            index_lock: Some(lock.id.clone()),
            ..journal.clone()
        })?;
        Ok(lock)
    }
}

/// Whether the HEAD file at `head` names `branch`, as a worktree's HEAD does when the branch is
/// checked out there.
fn head_names(head: &Path, branch: &str) -> bool {
    std::fs::read_to_string(head)
        .is_ok_and(|text| text.trim_end().strip_prefix("ref: ") == Some(branch))
}

fn end_journal_at(path: &Path) -> Result<(), StoreError> {
    if !path.exists() {
        return Ok(());
    }
    overwrite(path, NO_WRITE, false)
}

/// Whether two paths name one folder (libgit2 spells the same git directory alike, but a
/// worktree's may be reached through a link).
fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
