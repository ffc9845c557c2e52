//! The intent journal: what a write is about to do, kept in git's directory until the write
//! is complete, so that a command killed half-way (power loss, kill -9) is finished or undone
//! by the next one instead of leaving a record half-committed.
//!
//! The journal is one file, overwritten in place (see `overwrite`): flushed to disk before a
//! write begins, and emptied to a one-line marker when it ends. A journal cut short while
//! being written does not parse, and means that nothing had been changed yet.

use std::path::Path;

use git2::{ErrorCode, ObjectType, Oid};
use serde::{Deserialize, Serialize};

use super::{Store, StoreError, overwrite, read_optional, writer::write_atomically};

const JOURNAL_FILE: &str = "claims/journal";
/// Where versions that created the journal for each write and deleted it after kept it: a
/// write such a version left interrupted is repaired from there.
const LEGACY_JOURNAL_FILE: &str = "claims/journal.json";
/// What the journal holds between writes: not a journal. Shorter than any journal, so that
/// keeping the file at its length never frees the block it has.
const NO_WRITE: &[u8] = b"{}\n";

/// A write in progress: the branch, the commit it pointed at, and the files being changed.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Journal {
    pub branch: String,
    pub base: Option<String>,
    pub files: Vec<JournalFile>,
}

#[derive(Debug, Serialize, Deserialize)]
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
    /// The branch had not moved: the files were put back as they were committed.
    RolledBack { paths: Vec<String> },
    /// The commit was in place: the index entries were refreshed.
    RolledForward { paths: Vec<String> },
    /// Something else changed the files or the branch since; nothing was touched.
    LeftAlone { reason: String },
}

impl Store {
    fn journal_path(&self) -> std::path::PathBuf {
        self.repo.commondir().join(JOURNAL_FILE)
    }

    /// Whether a write was interrupted and not yet repaired (for read-only commands to say so):
    /// a journal that no writer is working on. A journal whose writer holds the lock is a
    /// write in progress.
    pub fn interrupted_write(&self) -> bool {
        if self.pending_journal().is_none() {
            return false;
        }
        let Ok(lock) = std::fs::File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.lock_path())
        else {
            return true;
        };
        let free = lock.try_lock().is_ok();
        free && self.pending_journal().is_some()
    }

    /// The journal of a write not yet ended, if the file holds one.
    fn pending_journal(&self) -> Option<Journal> {
        [JOURNAL_FILE, LEGACY_JOURNAL_FILE].iter().find_map(|file| {
            let bytes = read_optional(&self.repo.commondir().join(file)).ok()??;
            serde_json::from_slice(&bytes).ok()
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
        let path = self.journal_path();
        if !path.exists() {
            return Ok(());
        }
        overwrite(&path, NO_WRITE, false)
    }

    /// Finishes or undoes a write that was cut short. Call with the writers' lock held.
    pub(crate) fn recover(&self) -> Result<Recovery, StoreError> {
        let legacy = self.repo.commondir().join(LEGACY_JOURNAL_FILE);
        if let Some(bytes) = read_optional(&legacy)? {
            let recovery = match serde_json::from_slice::<Journal>(&bytes) {
                Ok(journal) => self.repair(&journal)?,
                Err(_) => Recovery::Clean,
            };
            std::fs::remove_file(&legacy).map_err(StoreError::io(&legacy))?;
            if recovery != Recovery::Clean {
                return Ok(recovery);
            }
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
        let recovery = self.repair(&journal)?;
        self.end_journal()?;
        Ok(recovery)
    }

    fn repair(&self, journal: &Journal) -> Result<Recovery, StoreError> {
        let tip = match self.repo.find_reference(&journal.branch) {
            Ok(reference) => reference.target(),
            Err(e) if e.code() == ErrorCode::NotFound => None,
            Err(e) => return Err(e.into()),
        };
        let base = journal.base.as_deref().and_then(|b| Oid::from_str(b).ok());
        let paths: Vec<String> = journal.files.iter().map(|f| f.path.clone()).collect();
        let oid = |text: &str| Oid::from_str(text).ok();
        if tip == base {
            // The commit never became the branch's: put back what was committed.
            let base_tree = base
                .map(|base| self.repo.find_commit(base).and_then(|c| c.tree()))
                .transpose()?;
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
                    return Ok(Recovery::LeftAlone {
                        reason: format!(
                            "{} was changed again after the interrupted write",
                            file.path
                        ),
                    });
                }
            }
            for file in &journal.files {
                let absolute = self.root.join(&file.path);
                match file.before.as_deref().and_then(oid) {
                    Some(before) => {
                        write_atomically(&absolute, self.repo.find_blob(before)?.content())?
                    }
                    None => {
                        let _ = std::fs::remove_file(&absolute);
                        if let Some(dir) = absolute.parent() {
                            let _ = std::fs::remove_dir(dir);
                        }
                    }
                }
            }
            return Ok(Recovery::RolledBack { paths });
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
        // The commit is in place. A working file a power cut emptied or lost is written again
        // from the commit; then the index entries are refreshed.
        for file in &journal.files {
            let absolute = self.root.join(&file.path);
            let working = read_optional(&absolute)?
                .map(|bytes| Oid::hash_object(ObjectType::Blob, &bytes))
                .transpose()?;
            if let Some(after) = oid(&file.after).filter(|after| working != Some(*after)) {
                write_atomically(&absolute, self.repo.find_blob(after)?.content())?;
            }
        }
        let mut index = self.repo.index()?;
        index.read(true)?;
        for file in &journal.files {
            index.add_path(Path::new(&file.path))?;
        }
        index.write()?;
        Ok(Recovery::RolledForward { paths })
    }
}
