//! Index entries a `git commit` wrote back. A plain `git commit` reads the index before it
//! takes `index.lock`, and once it has the lock it writes what it read back as the index
//! whenever its refresh changed anything (builtin/commit.c, `prepare_index`), even when its
//! commit then fails because the branch moved meanwhile. When its read came before a write of
//! this tool and its lock after, the index it writes back stages the record as it was before
//! that write (or not at all, for a new record), and the next `git commit` would undo the
//! change. Git does the same to a `git add` run beside it; no writer that follows git's lock
//! protocol can prevent it. What it leaves is recognisable: an entry that stages a version a
//! recent commit of the tool replaced, while the branch and the working file hold the newer
//! one. Staging the branch's version again is all the repair there is to it. Only records
//! are looked at: they are what the tool writes while people work beside it.

use std::collections::BTreeMap;
use std::path::Path;

use git2::Oid;

use super::index::IndexedFile;
use crate::store::files::read_optional;
use crate::store::{Store, StoreError, Trailers};

/// How far back along the branch a written-back version is looked for: a `git commit` that
/// read the index before several writes of the tool writes back the oldest one's version.
const RECENT_COMMITS: usize = 256;

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
    /// documentation), among the records the branch's recent commits of the tool changed, in
    /// `index` (an index file git is about to commit, as it names it to its hooks) or else in
    /// the worktree's index. Reads those commits' changes only, so it costs the same at any
    /// size of history.
    pub fn written_back_entries(
        &self,
        index: Option<&Path>,
    ) -> Result<Vec<WrittenBack>, StoreError> {
        let other_index = index.map(git2::Index::open).transpose()?;
        let staged_in = |path: &str| -> Result<Option<Oid>, StoreError> {
            match &other_index {
                Some(index) => Ok(index.get_path(Path::new(path), 0).map(|entry| entry.id)),
                None => self.staged_blob(path),
            }
        };
        let head = match self.repo.head() {
            Ok(head) => head.peel_to_commit()?,
            Err(e) if e.code() == git2::ErrorCode::UnbornBranch => return Ok(Vec::new()),
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        let mut reader = self.history_reader();
        // Each record a recent commit of the tool changed, with the versions those commits
        // replaced.
        let mut replaced: BTreeMap<String, Vec<Option<Oid>>> = BTreeMap::new();
        let mut at = head.id();
        for _ in 0..RECENT_COMMITS {
            let commit = reader.commit(at)?;
            let parent = commit.parents.first().copied();
            if Trailers::parse(&commit.message).action.is_some() {
                let before = parent.map(|p| reader.commit(p)).transpose()?;
                for delta in reader.record_deltas(before.map(|c| c.tree), commit.tree)? {
                    replaced.entry(delta.path).or_default().push(delta.before);
                }
            }
            match parent {
                Some(parent) => at = parent,
                None => break,
            }
        }
        let tree = reader.tree(head.tree_id())?;
        let mut found = Vec::new();
        for (path, versions) in replaced {
            let Some(committed) = reader.entry_id(&tree, &path)? else {
                continue;
            };
            let staged = staged_in(&path)?;
            if staged == Some(committed) || !versions.contains(&staged) {
                continue;
            }
            let Some(bytes) = read_optional(&self.root.join(&path))? else {
                continue;
            };
            if self.working_file_holds(&path, &bytes, committed, &head.tree()?)? {
                found.push(WrittenBack {
                    path,
                    staged,
                    committed,
                });
            }
        }
        Ok(found)
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
