//! Index entries a `git commit` wrote back. A plain `git commit` reads the index before it
//! takes `index.lock`, and once it has the lock it writes what it read back as the index
//! whenever its refresh changed anything (builtin/commit.c, `prepare_index`), even when its
//! commit then fails because the branch moved meanwhile. When its read came before a write of
//! this tool and its lock after, the index it writes back stages the record as it was before
//! that write (or not at all, for a new record), and the next `git commit` would undo the
//! change. Git does the same to a `git add` run beside it; no writer that follows git's lock
//! protocol can prevent it. What it leaves is recognisable: an entry that stages a version a
//! commit of the tool on the branch replaced, while the branch and the working file hold the newer
//! one. Staging the branch's version again is all the repair there is to it. Only records
//! are looked at: they are what the tool writes while people work beside it.

use std::path::Path;
use std::rc::Rc;

use git2::Oid;

use super::index::IndexedFile;
use crate::domain::id::ClaimId;
use crate::store::files::read_optional;
use crate::store::history::HistoryReader;
use crate::store::{RECORDS_DIR, Store, StoreError};

/// A file whose index entry a `git commit` wrote back: it stages `staged` (`None`: no entry),
/// a version a recent commit of the tool replaced, where the branch and the working file hold
/// `committed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenBack {
    pub path: String,
    pub staged: Option<Oid>,
    pub committed: Oid,
}

impl Store {
    /// Whether `path` (relative to the working folder, as git gives `GIT_INDEX_FILE` to its
    /// hooks) is this worktree's index.
    pub fn is_index_file(&self, path: &Path) -> bool {
        let index = self.repo.path().join("index");
        match (path.canonicalize(), index.canonicalize()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
    }

    /// The blob git's index stages at `path`, if any.
    pub(crate) fn staged_blob(&self, path: &str) -> Result<Option<Oid>, StoreError> {
        Ok(match self.index_file()? {
            Some(index) => index
                .entries_for(path)
                .find(|entry| entry.stage == 0)
                .map(|entry| entry.oid()),
            None => self
                .repo
                .index()?
                .get_path(Path::new(path), 0)
                .map(|entry| entry.id),
        })
    }

    /// The index entries a `git commit` beside a write of the tool wrote back (see the module
    /// documentation), in `index` (an index file git is about to commit, as it names it to
    /// its hooks) or else in the worktree's index. Only records the index stages otherwise
    /// than the branch are looked into, and folders the index's cached trees vouch for are
    /// not read, so the usual index costs one comparison; an index without cached trees,
    /// a comparison of every record's entry.
    pub fn written_back_entries(
        &self,
        index: Option<&Path>,
    ) -> Result<Vec<WrittenBack>, StoreError> {
        let head = match self.repo.head() {
            Ok(head) => head.peel_to_commit()?,
            Err(e) if e.code() == git2::ErrorCode::UnbornBranch => return Ok(Vec::new()),
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        let mut reader = self.history_reader();
        let root = reader.tree(head.tree_id())?;
        let Some(records) = reader.entry_id(&root, RECORDS_DIR)? else {
            return Ok(Vec::new());
        };
        let differing = self.records_staged_otherwise(&mut reader, index, records)?;
        let mut found = Vec::new();
        for (path, staged, committed) in differing {
            let Some(bytes) = read_optional(&self.root.join(&path))? else {
                continue;
            };
            if self.working_file_holds(&path, &bytes, committed, &head.tree()?)?
                && self.replaced_by_the_tool(&mut reader, &path, staged)?
            {
                found.push(WrittenBack {
                    path,
                    staged,
                    committed,
                });
            }
        }
        Ok(found)
    }

    /// The records the index stages otherwise than the branch's `records/` tree: path,
    /// staged id, committed id.
    fn records_staged_otherwise(
        &self,
        reader: &mut HistoryReader<'_>,
        index: Option<&Path>,
        records: Oid,
    ) -> Result<Vec<(String, Option<Oid>, Oid)>, StoreError> {
        let parsed = match index {
            Some(path) => self.index_file_at(path)?.map(Rc::new),
            None => self.index_file()?,
        };
        let mut found = Vec::new();
        match parsed {
            Some(index) => {
                let cached = index.cached_trees();
                let mut staged = |path: &str| {
                    Ok(index
                        .entries_for(path)
                        .find(|entry| entry.stage == 0)
                        .map(|entry| entry.oid()))
                };
                reader.staged_otherwise(
                    RECORDS_DIR,
                    records,
                    &|dir| cached.get(dir).copied(),
                    &mut staged,
                    &mut found,
                )?;
            }
            // A kind of index only libgit2 reads: every entry is compared.
            None => {
                let index = match index {
                    Some(path) => git2::Index::open(path)?,
                    None => self.repo.index()?,
                };
                let mut staged =
                    |path: &str| Ok(index.get_path(Path::new(path), 0).map(|entry| entry.id));
                reader.staged_otherwise(
                    RECORDS_DIR,
                    records,
                    &|_| None,
                    &mut staged,
                    &mut found,
                )?;
            }
        }
        Ok(found)
    }

    /// Whether a commit of the tool on the branch replaced `staged` (`None`: added the
    /// record) at `path`: only then is a staged version one a `git commit` wrote back.
    fn replaced_by_the_tool(
        &self,
        reader: &mut HistoryReader<'_>,
        path: &str,
        staged: Option<Oid>,
    ) -> Result<bool, StoreError> {
        let Some(id) = record_id(path) else {
            return Ok(false);
        };
        for change in self.claim_history(&id)? {
            if change.trailers.action.is_none() {
                continue;
            }
            let commit = reader.commit(change.commit)?;
            let before = match commit.parents.first() {
                Some(&parent) => {
                    let tree = reader.commit(parent)?.tree;
                    let tree = reader.tree(tree)?;
                    reader.entry_id(&tree, path)?
                }
                None => None,
            };
            if before == staged {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Stages the branch's version again of every index entry a `git commit` wrote back,
    /// found afresh under git's index lock; returns them.
    pub fn restage_written_back(&self) -> Result<Vec<WrittenBack>, StoreError> {
        if self.written_back_entries(None)?.is_empty() {
            return Ok(Vec::new());
        }
        let lock = self.take_index_lock()?;
        let entries = self.written_back_entries(None)?;
        let mut contents = Vec::with_capacity(entries.len());
        for entry in &entries {
            let path = self.root.join(&entry.path);
            contents.push(read_optional(&path)?.unwrap_or_default());
        }
        let files: Vec<IndexedFile<'_>> = entries
            .iter()
            .zip(&contents)
            .map(|(entry, contents)| IndexedFile {
                path: &entry.path,
                blob: entry.committed,
                contents,
            })
            .collect();
        // No cached trees are vouched for: those above the files are invalidated.
        self.refresh_index(&lock, &files, &[], None)?;
        Ok(entries)
    }
}

/// The claim whose record lies at `path`, if a record does.
fn record_id(path: &str) -> Option<ClaimId> {
    let stem = path.rsplit('/').next()?.strip_suffix(".toml")?;
    let id = ClaimId::parse(stem).ok()?;
    (id.record_path() == path).then_some(id)
}
