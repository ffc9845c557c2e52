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

use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;

use git2::Oid;

use super::index::IndexedFile;
use crate::domain::id::ClaimId;
use crate::store::error::StoreError;
use crate::store::files::read_optional;
use crate::store::history::HistoryReader;
use crate::store::history::Trailers;
use crate::store::repository::{RECORDS_DIR, Store};

/// How many of the branch's latest commits are read once for all written-back candidates,
/// before each remaining record's own history is.
const RECENT_COMMITS: usize = 256;

/// libgit2's extended flag for an entry only meant to be added (`git add -N`).
const INTENT_TO_ADD: u16 = 1 << 13;

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
        let Some(head) = self.head_for_check()? else {
            return Ok(Vec::new());
        };
        let mut reader = self.history_reader();
        let root = reader.tree(head.tree_id())?;
        let Some(records) = reader.entry_id(&root, RECORDS_DIR)? else {
            return Ok(Vec::new());
        };
        let differing = self.records_staged_otherwise(&mut reader, index, records)?;
        self.written_back_among(&mut reader, &head, differing)
    }

    /// Whether the worktree's index entry for `path` is one a `git commit` wrote back.
    pub(crate) fn is_written_back(&self, path: &str) -> Result<bool, StoreError> {
        let Some(head) = self.head_for_check()? else {
            return Ok(false);
        };
        let mut reader = self.history_reader();
        let root = reader.tree(head.tree_id())?;
        let Some(committed) = reader.entry_id(&root, path)? else {
            return Ok(false);
        };
        let staged = self.staged_blob(path)?;
        if staged == Some(committed) {
            return Ok(false);
        }
        let found = self.written_back_among(
            &mut reader,
            &head,
            vec![(path.to_string(), staged, committed)],
        )?;
        Ok(!found.is_empty())
    }

    fn head_for_check(&self) -> Result<Option<git2::Commit<'_>>, StoreError> {
        match self.repo.head() {
            Ok(head) => Ok(Some(head.peel_to_commit()?)),
            Err(e) if e.code() == git2::ErrorCode::UnbornBranch => Ok(None),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Of `differing` (path, staged id, committed id), the entries a `git commit` wrote back:
    /// the working file holds the branch's version, and a commit of the tool replaced the
    /// staged one. The branch's recent commits of the tool are read first, once for all the
    /// records (a write-back after an extract has thousands); each record's own history only
    /// for what they leave.
    fn written_back_among(
        &self,
        reader: &mut HistoryReader<'_>,
        head: &git2::Commit<'_>,
        differing: Vec<(String, Option<Oid>, Oid)>,
    ) -> Result<Vec<WrittenBack>, StoreError> {
        let mut open: HashMap<String, (Option<Oid>, Oid)> = HashMap::new();
        let head_tree = head.tree()?;
        for (path, staged, committed) in differing {
            let Some(bytes) = read_optional(&self.root.join(&path))? else {
                continue;
            };
            // A working file that is what the index stages is the user's staged edit (the
            // usual case), told apart without asking libgit2 to diff through the filters.
            if staged == Some(Oid::hash_object(git2::ObjectType::Blob, &bytes)?) {
                continue;
            }
            if self.working_file_holds(&path, &bytes, committed, &head_tree)? {
                open.insert(path, (staged, committed));
            }
        }
        let mut found = Vec::new();
        let mut confirm = |open: &mut HashMap<String, (Option<Oid>, Oid)>, path: &str| {
            if let Some((staged, committed)) = open.remove(path) {
                found.push(WrittenBack {
                    path: path.to_string(),
                    staged,
                    committed,
                });
            }
        };
        let mut at = Some(head.id());
        for _ in 0..RECENT_COMMITS {
            let Some(oid) = at.filter(|_| !open.is_empty()) else {
                break;
            };
            let commit = reader.commit(oid)?;
            at = commit.parents.first().copied();
            if Trailers::parse(&commit.message).action.is_none() {
                continue;
            }
            let before = at.map(|p| reader.commit(p)).transpose()?;
            for delta in reader.record_deltas(before.map(|c| c.tree), commit.tree)? {
                if open
                    .get(&delta.path)
                    .is_some_and(|(staged, _)| *staged == delta.before)
                {
                    confirm(&mut open, &delta.path);
                }
            }
        }
        let older: Vec<(String, Option<Oid>)> = open
            .iter()
            .map(|(path, (staged, _))| (path.clone(), *staged))
            .collect();
        for (path, staged) in older {
            if self.replaced_by_the_tool(reader, &path, staged)? {
                confirm(&mut open, &path);
            }
        }
        found.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(found)
    }

    /// The records the index stages otherwise than the branch's `records/` tree: path,
    /// staged id (`None` for no entry, or one only meant to be added), committed id. A record
    /// in conflict is left out: its merge is the user's.
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
                        .find(|entry| entry.stage == 0 && !entry.intent_to_add())
                        .map(|entry| entry.oid()))
                };
                reader.staged_otherwise(
                    RECORDS_DIR,
                    records,
                    &|dir| cached.get(dir).copied(),
                    &mut staged,
                    &mut found,
                )?;
                found.retain(|(path, _, _)| index.entries_for(path).all(|entry| entry.stage == 0));
            }
            // A kind of index only libgit2 reads: every entry is compared.
            None => {
                let index = match index {
                    Some(path) => git2::Index::open(path)?,
                    None => self.repo.index()?,
                };
                let mut staged = |path: &str| {
                    Ok(index
                        .get_path(Path::new(path), 0)
                        .filter(|entry| entry.flags_extended & INTENT_TO_ADD == 0)
                        .map(|entry| entry.id))
                };
                reader.staged_otherwise(
                    RECORDS_DIR,
                    records,
                    &|_| None,
                    &mut staged,
                    &mut found,
                )?;
                found.retain(|(path, _, _)| {
                    (1..=3).all(|stage| index.get_path(Path::new(path), stage).is_none())
                });
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
            let entry_in = |reader: &mut HistoryReader<'_>, tree: Oid| {
                let tree = reader.tree(tree)?;
                reader.entry_id(&tree, path)
            };
            let before = match commit.parents.first() {
                Some(&parent) => {
                    let tree = reader.commit(parent)?.tree;
                    entry_in(reader, tree)?
                }
                None => None,
            };
            // A commit that names the claim without changing its record replaced nothing.
            if before == staged && entry_in(reader, commit.tree)? != before {
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
