//! An index from each claim to the commits that changed its record, kept in git's directory
//! and brought up to date from the commits made since it was last read, so that
//! `claims log ID` costs about the same with 100 commits or 100,000.
//!
//! Layout, in the working tree's own git directory (each linked working tree has its branch,
//! and so its index): `claims/log/<shard>` holds lines `ID COMMIT`, oldest first, for the ids
//! starting with that shard's two characters; `claims/log/manifest` names the commit the
//! index covers and each shard's length and SHA-1, and ends with the SHA-1 of itself.
//!
//! The index is a cache, never trusted over git: it answers only for the commit it was built
//! for, and only with a shard that checks out against the manifest, each commit it names
//! found in git and, when made by the tool, naming the claim. Anything else is rebuilt from
//! history. Writers hold `claims/log.lock` and replace each file by renaming a new one over
//! it, shards before the manifest, so a reader without the lock sees either the old index or
//! a shard that does not match it, which sends it to wait for the lock.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use git2::{ErrorCode, Oid, Sort};
use sha1::{Digest, Sha1};

use crate::domain::id::ClaimId;
use crate::store::error::StoreError;
use crate::store::files::{read_optional, write_cache};
use crate::store::history::{Change, HistoryReader, Trailers};
use crate::store::lock::CacheLock;
use crate::store::repository::Store;

const INDEX_DIR: &str = "claims/log";
const MANIFEST: &str = "manifest";
const FORMAT: &str = "claims log index 2";

impl Store {
    fn log_index_dir(&self) -> PathBuf {
        self.repo.path().join(INDEX_DIR)
    }

    /// The commits that changed one claim's record, newest first, from the index: `None` when
    /// the index cannot be trusted even after a rebuild, for the caller to walk history.
    pub(crate) fn indexed_history(
        &self,
        id: &ClaimId,
        head: Oid,
    ) -> Result<Option<Vec<Change>>, StoreError> {
        let dir = self.log_index_dir();
        if let Some(found) = self.look_up(&dir, id, head)? {
            return Ok(Some(found));
        }
        let _lock = CacheLock::take(&dir.with_extension("lock"))?;
        // Another process may have brought the index up to date while this one waited.
        if let Some(found) = self.look_up(&dir, id, head)? {
            return Ok(Some(found));
        }
        self.update_log_index(&dir, head)?;
        if let Some(found) = self.look_up(&dir, id, head)? {
            return Ok(Some(found));
        }
        // Brought up to date from a shard that does not check out, or one that lies.
        self.rebuild_log_index(&dir, head)?;
        self.look_up(&dir, id, head)
    }

    /// The claim's commits from the index as it stands, when it is for `head` and its shard
    /// of `id` checks out.
    fn look_up(
        &self,
        dir: &Path,
        id: &ClaimId,
        head: Oid,
    ) -> Result<Option<Vec<Change>>, StoreError> {
        let Some(manifest) = Manifest::read(dir)? else {
            return Ok(None);
        };
        if manifest.tip != head {
            return Ok(None);
        }
        let Some(text) = manifest.shard(dir, id.shard())? else {
            return Ok(None);
        };
        let prefix = format!("{id} ");
        let mut commits = Vec::new();
        for line in String::from_utf8_lossy(&text).lines() {
            let Some((named, commit)) = line.split_once(' ') else {
                return Ok(None);
            };
            let Ok(commit) = Oid::from_str(commit) else {
                return Ok(None);
            };
            if line.starts_with(&prefix) {
                commits.push(commit);
            } else if !named.starts_with(id.shard()) {
                return Ok(None);
            }
        }
        let mut changes = Vec::with_capacity(commits.len());
        for &oid in commits.iter().rev() {
            let commit = match self.repo.find_commit(oid) {
                Ok(commit) => commit,
                Err(e) if e.code() == ErrorCode::NotFound => return Ok(None),
                Err(e) => return Err(e.into()),
            };
            let change = Change::of(&commit);
            // A commit made by the tool names the claims it changed.
            let named = change.trailers.ids.iter().any(|named| named == id.as_str());
            if !change.trailers.ids.is_empty() && commit.parent_count() <= 1 && !named {
                return Ok(None);
            }
            changes.push(change);
        }
        Ok(Some(changes))
    }

    /// Adds the commits between the index's tip and `head`, when `head` descends from that
    /// tip and the shards they add to check out; otherwise rebuilds the index.
    fn update_log_index(&self, dir: &Path, head: Oid) -> Result<(), StoreError> {
        let Some(mut manifest) = Manifest::read(dir)? else {
            return self.rebuild_log_index(dir, head);
        };
        if manifest.tip == head {
            return Ok(());
        }
        // A tip git no longer has (its branch deleted and collected) is no ancestor either.
        if !self.descends_from(head, manifest.tip) {
            return self.rebuild_log_index(dir, head);
        }
        let added = self.index_lines(head, Some(manifest.tip))?;
        let mut shards = Vec::with_capacity(added.len());
        for (shard, lines) in added {
            let Some(mut text) = manifest.shard(dir, &shard)? else {
                return self.rebuild_log_index(dir, head);
            };
            text.extend_from_slice(lines.as_bytes());
            shards.push((shard, text));
        }
        manifest.tip = head;
        manifest.write(dir, shards)
    }

    /// Builds the index of every commit reachable from `head` anew.
    fn rebuild_log_index(&self, dir: &Path, head: Oid) -> Result<(), StoreError> {
        let lines = self.index_lines(head, None)?;
        let manifest = Manifest {
            tip: head,
            shards: BTreeMap::new(),
        };
        let mut kept: HashSet<String> = lines.keys().cloned().collect();
        kept.insert(MANIFEST.to_string());
        let shards = lines
            .into_iter()
            .map(|(shard, text)| (shard, text.into_bytes()))
            .collect();
        manifest.write(dir, shards)?;
        // Files the new manifest does not name are never read; they are only in the way.
        for entry in fs::read_dir(dir).map_err(StoreError::io(dir))? {
            let entry = entry.map_err(StoreError::io(dir))?;
            if !kept.contains(entry.file_name().to_string_lossy().as_ref()) {
                let _ = fs::remove_file(entry.path());
            }
        }
        Ok(())
    }

    /// The index's lines for the commits reachable from `head` and not from `known`, by
    /// shard, oldest first.
    fn index_lines(
        &self,
        head: Oid,
        known: Option<Oid>,
    ) -> Result<BTreeMap<String, String>, StoreError> {
        let mut walk = self.repo.revwalk()?;
        walk.push(head)?;
        if let Some(known) = known {
            walk.hide(known)?;
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
        Ok(lines)
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

/// What the index covers: the commit it was built for, and each shard file's length and
/// SHA-1, so that a shard is checked when read, at the cost of that shard alone.
#[derive(Debug, PartialEq, Eq)]
struct Manifest {
    tip: Oid,
    shards: BTreeMap<String, (usize, [u8; 20])>,
}

impl Manifest {
    /// The manifest in `dir`, or `None` when there is none or it does not check out.
    fn read(dir: &Path) -> Result<Option<Manifest>, StoreError> {
        Ok(read_optional(&dir.join(MANIFEST))?.and_then(|bytes| Manifest::decode(&bytes)))
    }

    /// A shard's text, empty when the manifest names no such shard; `None` when the file
    /// is not the one the manifest describes.
    fn shard(&self, dir: &Path, shard: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let Some(&(len, sum)) = self.shards.get(shard) else {
            return Ok(Some(Vec::new()));
        };
        Ok(read_optional(&dir.join(shard))?.filter(|text| text.len() == len && sha1(text) == sum))
    }

    /// Replaces the `shards` given, then this manifest, updated to describe them.
    fn write(mut self, dir: &Path, shards: Vec<(String, Vec<u8>)>) -> Result<(), StoreError> {
        for (shard, text) in shards {
            write_cache(&dir.join(&shard), &text)?;
            self.shards.insert(shard, (text.len(), sha1(&text)));
        }
        write_cache(&dir.join(MANIFEST), &self.encode())
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = format!("{FORMAT}\n{}\n", self.tip);
        for (shard, (len, sum)) in &self.shards {
            out.push_str(&format!("{shard} {len} {}\n", hex(sum)));
        }
        let sum = hex(&sha1(out.as_bytes()));
        out.push_str(&sum);
        out.push('\n');
        out.into_bytes()
    }

    fn decode(bytes: &[u8]) -> Option<Manifest> {
        let text = std::str::from_utf8(bytes).ok()?.strip_suffix('\n')?;
        let (body, sum) = text.rsplit_once('\n')?;
        let body = &text[..body.len() + 1];
        if hex(&sha1(body.as_bytes())) != sum {
            return None;
        }
        let mut lines = body.lines();
        if lines.next()? != FORMAT {
            return None;
        }
        let tip = Oid::from_str(lines.next()?).ok()?;
        let mut shards = BTreeMap::new();
        for line in lines {
            let mut fields = line.split(' ');
            let (shard, len, sum) = (fields.next()?, fields.next()?, fields.next()?);
            if sum.len() != 40 || shard.contains(['/', '.']) || fields.next().is_some() {
                return None;
            }
            let mut digest = [0; 20];
            for (byte, pair) in digest.iter_mut().zip(sum.as_bytes().chunks(2)) {
                *byte = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
            }
            shards.insert(shard.to_string(), (len.parse().ok()?, digest));
        }
        Some(Manifest { tip, shards })
    }
}

fn sha1(bytes: &[u8]) -> [u8; 20] {
    Sha1::digest(bytes).into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        let mut shards = BTreeMap::new();
        shards.insert("ab".to_string(), (12, sha1(b"ab12 commit\n")));
        shards.insert("z7".to_string(), (0, sha1(b"")));
        Manifest {
            tip: Oid::from_str("0123456789abcdef0123456789abcdef01234567").unwrap(),
            shards,
        }
    }

    #[test]
    fn a_manifest_reads_back_as_written_and_any_change_to_it_is_refused() {
        let bytes = manifest().encode();
        assert_eq!(Manifest::decode(&bytes), Some(manifest()));
        for at in 0..bytes.len() {
            let mut changed = bytes.clone();
            changed[at] ^= 0x01;
            assert_eq!(Manifest::decode(&changed), None, "byte {at} changed");
            assert_eq!(Manifest::decode(&bytes[..at]), None, "cut at {at}");
        }
    }

    #[test]
    fn a_shard_is_read_only_as_the_manifest_describes_it() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = manifest();
        assert_eq!(manifest.shard(dir.path(), "cd").unwrap(), Some(Vec::new()));
        assert_eq!(manifest.shard(dir.path(), "ab").unwrap(), None, "missing");
        for (text, reads) in [
            (&b"ab12 commit\n"[..], true),
            (b"ab12 commit", false),
            (b"ab12 commiT\n", false),
            (b"ab12 commit\nab12 commit\n", false),
        ] {
            fs::write(dir.path().join("ab"), text).unwrap();
            let read = manifest.shard(dir.path(), "ab").unwrap();
            assert_eq!(read.is_some(), reads, "{}", String::from_utf8_lossy(text));
        }
    }
}
