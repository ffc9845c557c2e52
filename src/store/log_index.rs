//! An index from each claim to the commits that changed its record, kept in git's directory
//! and brought up to date from the commits made since it was last read, so that
//! `claims log ID` costs about the same with 100 commits or 100,000.
//!
//! Layout: `claims/log/TIP` holds the commit the index covers; `claims/log/<shard>` holds
//! lines `ID COMMIT`, oldest first, for the ids starting with that shard's two characters.
//! Files are only appended to, and TIP is written last, so an interrupted update at worst
//! repeats lines, which reading skips.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use git2::{Oid, Sort};

use super::history::{Change, HistoryReader, Trailers};
use super::{Store, StoreError, append, read_optional, write_atomically};
use crate::domain::id::ClaimId;

const INDEX_DIR: &str = "claims/log";

impl Store {
    fn log_index_dir(&self) -> PathBuf {
        self.repo.commondir().join(INDEX_DIR)
    }

    /// The commits that changed one claim's record, newest first, from the index.
    pub(crate) fn indexed_history(
        &self,
        id: &ClaimId,
        head: Oid,
    ) -> Result<Vec<Change>, StoreError> {
        self.update_log_index(head)?;
        let shard = self.log_index_dir().join(id.shard());
        let text = read_optional(&shard)?.unwrap_or_default();
        let prefix = format!("{id} ");
        let mut seen = HashSet::new();
        let mut commits: Vec<Oid> = String::from_utf8_lossy(&text)
            .lines()
            .filter_map(|line| line.strip_prefix(&prefix))
            .filter_map(|oid| Oid::from_str(oid.trim()).ok())
            .filter(|oid| seen.insert(*oid))
            .collect();
        commits.reverse();
        commits
            .into_iter()
            .map(|oid| Ok(Change::of(&self.repo.find_commit(oid)?)))
            .collect()
    }

    /// Adds the commits between the index's tip and `head`; rebuilds it when `head` does not
    /// descend from that tip (a rewritten or switched branch).
    fn update_log_index(&self, head: Oid) -> Result<(), StoreError> {
        let dir = self.log_index_dir();
        let tip_path = dir.join("TIP");
        let tip = read_optional(&tip_path)?
            .and_then(|bytes| Oid::from_str(String::from_utf8_lossy(&bytes).trim()).ok());
        if tip == Some(head) {
            return Ok(());
        }
        let mut walk = self.repo.revwalk()?;
        walk.push(head)?;
        match tip {
            Some(tip) if self.repo.graph_descendant_of(head, tip)? => walk.hide(tip)?,
            _ => {
                if dir.exists() {
                    std::fs::remove_dir_all(&dir).map_err(StoreError::io(&dir))?;
                }
            }
        }
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
        let mut lines: BTreeMap<String, String> = BTreeMap::new();
        // One reader for the whole walk, made at the first commit without trailers: its cache
        // keeps the trees one commit shares with the next.
        let mut trees = None;
        for oid in walk {
            let commit = self.repo.find_commit(oid?)?;
            for id in self.claims_changed_by(&commit, &mut trees)? {
                lines
                    .entry(id.shard().to_string())
                    .or_default()
                    .push_str(&format!("{id} {}\n", commit.id()));
            }
        }
        std::fs::create_dir_all(&dir).map_err(StoreError::io(&dir))?;
        for (shard, text) in lines {
            append(&dir.join(shard), text.as_bytes())?;
        }
        write_atomically(&tip_path, head.to_string().as_bytes())
    }

    /// The claims whose records a commit changed. A commit made by the tool names them in its
    /// Claim-Id trailers (`claims audit` proves the trailers honest); any other commit, and
    /// every merge, is compared tree against tree: a merge changed a record when it differs
    /// from every parent's.
    fn claims_changed_by<'s>(
        &'s self,
        commit: &git2::Commit<'_>,
        trees: &mut Option<HistoryReader<'s>>,
    ) -> Result<Vec<ClaimId>, StoreError> {
        let trailers = Trailers::parse(&String::from_utf8_lossy(commit.message_bytes()));
        if !trailers.ids.is_empty() && commit.parent_count() <= 1 {
            return Ok(trailers
                .ids
                .iter()
                .filter_map(|id| ClaimId::parse(id).ok())
                .collect());
        }
        let trees = trees.get_or_insert_with(|| self.history_reader());
        let mut changed_against = |parent: Option<Oid>| -> Result<HashSet<ClaimId>, StoreError> {
            Ok(trees
                .record_deltas(parent, commit.tree_id())?
                .into_iter()
                .filter_map(|delta| {
                    let stem = Path::new(&delta.path).file_stem()?.to_str()?.to_string();
                    ClaimId::parse(&stem).ok()
                })
                .collect())
        };
        let mut parents = commit.parents();
        let mut changed = match parents.next() {
            Some(first) => changed_against(Some(first.tree_id()))?,
            None => changed_against(None)?,
        };
        for parent in parents {
            let against = changed_against(Some(parent.tree_id()))?;
            changed.retain(|id| against.contains(id));
        }
        let mut changed: Vec<ClaimId> = changed.into_iter().collect();
        changed.sort();
        Ok(changed)
    }
}
