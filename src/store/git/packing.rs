//! Where the objects of the tool's changes are stored.
//!
//! A change writes a handful of objects: the commit, the trees above the record and the record.
//! At 100,000 claims they weigh about 27 KB, most of it the `records/` tree, which lists 1,024
//! folders by id. Written loose, as git writes them, each is a file and often a new fan-out
//! folder too, which right after a `git gc` brought a change to about 49 KB in `.git`. So a
//! change's objects are written to memory and stored as one small pack (two files) instead.
//! Once `MERGE_AFTER` packs of one level have gathered, they are merged into one pack of the
//! next level, with deltas against one another, which brings a change down to a kilobyte or
//! two; merged packs are merged again the same way, up to `TOP_LEVEL`, so that the number of
//! packs stays small (git's `gc --auto` merges everything once there are 50).
//!
//! Git's own `gc`, `repack` or `git maintenance` may merge them at any time: packs found
//! gone are simply dropped from the list. The tool removes the packs it merged only when git
//! would not mind (see `housekeeping`): not while a `gc` or `git maintenance` runs, and
//! never one a multi-pack-index lists, which git's `multi-pack-index expire` or next `gc`
//! removes properly. Until then they stay listed, to be removed by a later write; their
//! objects are also in the merged pack, which git reads first, being the newer.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use git2::{ObjectType, Oid, Repository};

use super::housekeeping::{git_housekeeping_running, packs_in_multi_pack_index};
use super::pack_writer::{self, TEMPORARY_PREFIX};
use super::packs::{self, pack_dir};
use crate::store::error::StoreError;
use crate::store::fault::fault_point;
use crate::store::files::{append, read_optional, remove_with_empty_folder, write_atomically};
use crate::store::sharing::Sharing;

/// The objects written since the last merge of first-level packs, one per line:
/// `<id> <c|t|b> <path>` (commit, tree or blob; the path groups them for the delta search).
/// Lines from an older version of the tool name loose objects, which are packed the same way.
const OBJECTS: &str = "claims/loose-objects";
/// The packs the tool wrote and has not merged yet: `<level> <pack name>` per line; and
/// those it merged but could not remove yet: `- <pack name>`.
const PACKS: &str = "claims/packs";
/// The level of a merged pack waiting to be removed, in `PACKS`.
const MERGED: &str = "-";
/// Packs of one level merged at once.
const MERGE_AFTER: usize = 16;
/// Packs are not merged past this level: a merge into level 4 would take every object of
/// 65,536 changes, minutes of delta search in the middle of someone's command.
const TOP_LEVEL: usize = 3;

/// What kind of object was written, for the order objects go into a pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Written {
    Commit,
    Tree,
    Blob,
}

impl Written {
    fn letter(self) -> char {
        match self {
            Written::Commit => 'c',
            Written::Tree => 't',
            Written::Blob => 'b',
        }
    }

    fn from_letter(letter: &str) -> Option<Written> {
        match letter {
            "c" => Some(Written::Commit),
            "t" => Some(Written::Tree),
            "b" => Some(Written::Blob),
            _ => None,
        }
    }
}

/// The packs of the tool's changes in one repository, and their lists under `.git/claims`.
pub(crate) struct ChangePacks<'r> {
    pub repo: &'r Repository,
    /// How what is created in the pack folder and the lists is shared (see `sharing`).
    pub sharing: Sharing,
}

impl ChangePacks<'_> {
    /// Runs `write` on a handle of the repository whose object writes stay in memory, then
    /// stores the commit it returns with the trees and blobs it names as new as one pack in
    /// git's object store (see `pack_writer`); returns what `write` returned and the pack's
    /// name. Git finds the pack at once; so does libgit2, which looks for new packs when an
    /// object is missing.
    pub(crate) fn write_as_pack<T>(
        &self,
        write: impl FnOnce(&Repository) -> Result<(Oid, Vec<Oid>, T), StoreError>,
    ) -> Result<(Oid, T, String), StoreError> {
        let repo = Repository::open(self.repo.path())?;
        let odb = repo.odb()?;
        // Before every other store, so that writes go to it.
        let _memory = odb.add_new_mempack_backend(1000)?;
        let (commit, objects, value) = write(&repo)?;
        let read = std::iter::once(commit)
            .chain(objects)
            .map(|oid| odb.read(oid))
            .collect::<Result<Vec<_>, _>>()?;
        let entries: Vec<(Oid, ObjectType, &[u8])> = read
            .iter()
            .map(|object| (object.id(), object.kind(), object.data()))
            .collect();
        let dir = self.pack_dir();
        self.sharing
            .create_dir_all(&dir)
            .map_err(StoreError::io(&dir))?;
        Ok((
            commit,
            value,
            pack_writer::write_pack(&dir, &entries, self.sharing)?,
        ))
    }

    fn pack_dir(&self) -> PathBuf {
        pack_dir(self.repo)
    }

    /// Lists the objects of a change and the pack they went into, for a later merge, once
    /// its commit is on the branch: the pack loses its mark (see `pack_writer`), and what a
    /// write killed part-way left in the pack folder is cleaned up, its whole packs listed.
    pub(crate) fn note_written(
        &self,
        objects: &[(Oid, Written, &str)],
        pack: &str,
    ) -> Result<(), StoreError> {
        let dir = self.pack_dir();
        pack_writer::release(&dir, pack)?;
        let mut text = String::new();
        for (oid, kind, name) in objects {
            text.push_str(&format!("{oid} {} {name}\n", kind.letter()));
        }
        self.append_listed(OBJECTS, &text)?;
        let mut packs = format!("0 {pack}\n");
        for leftover in pack_writer::remove_leftovers(&dir) {
            packs.push_str(&format!("0 {leftover}\n"));
        }
        self.append_listed(PACKS, &packs)
    }

    /// Appends to one of the lists under `.git/claims`, created as shared as git would.
    fn append_listed(&self, list: &str, text: &str) -> Result<(), StoreError> {
        let path = self.repo.commondir().join(list);
        if let Some(dir) = path.parent() {
            self.sharing
                .create_dir_all(dir)
                .map_err(StoreError::io(dir))?;
        }
        append(&path, text.as_bytes())?;
        self.sharing.adjust(&path).map_err(StoreError::io(path))
    }

    /// Merges the packs of each level once there are `MERGE_AFTER` of them, and removes the
    /// packs merged when git's housekeeping allows. Runs under the writers' lock. A crash
    /// part-way leaves objects in two packs, which is harmless; the lists are rewritten only
    /// once the merged pack is in place.
    pub(crate) fn merge_packs_if_due(&self) -> Result<(), StoreError> {
        let list = self.repo.commondir().join(PACKS);
        let mut packs = Vec::new();
        let mut merged_away = Vec::new();
        for line in read_lines(&list)? {
            let Some((level, name)) = line.split_once(' ') else {
                continue;
            };
            if level == MERGED {
                merged_away.push(name.to_string());
            } else if let Ok(level) = level.parse::<usize>() {
                packs.push((level, name.to_string()));
            }
        }
        let mut counts = [0; TOP_LEVEL + 1];
        for (level, _) in &packs {
            if let Some(count) = counts.get_mut(*level) {
                *count += 1;
            }
        }
        // An older version's list of loose objects, without packs: pack them now.
        if packs.is_empty() && self.loose_listed()? >= 256 {
            counts[0] = MERGE_AFTER;
        }
        let levels = levels_to_merge(counts);
        if levels.is_empty() && merged_away.is_empty() {
            return Ok(());
        }
        let write_list = |packs: &[(usize, String)], merged_away: &[String]| {
            let mut text: String = packs.iter().map(|(l, n)| format!("{l} {n}\n")).collect();
            text.extend(merged_away.iter().map(|n| format!("{MERGED} {n}\n")));
            write_atomically(&list, text.as_bytes())?;
            self.sharing.adjust(&list).map_err(StoreError::io(&list))
        };
        for level in levels {
            let at_level: Vec<String> = packs
                .iter()
                .filter(|(l, _)| *l == level)
                .map(|(_, name)| name.clone())
                .collect();
            let merged = self.merge(&at_level, level == 0)?;
            fault_point("pack-merged");
            packs.retain(|(l, _)| *l != level);
            packs.extend(merged.iter().map(|name| (level + 1, name.clone())));
            merged_away.extend(at_level);
            write_list(&packs, &merged_away)?;
            // Kept until listed: a merge killed before that leaves a pack the next write
            // finds marked as the tool's, and lists for merging again.
            if let Some(name) = &merged {
                pack_writer::release(&self.pack_dir(), name)?;
            }
            if level == 0 {
                self.forget_listed_objects()?;
            }
            fault_point("pack-merge-listed");
        }
        let before = merged_away.len();
        self.remove_merged(&mut merged_away);
        if merged_away.len() != before {
            write_list(&packs, &merged_away)?;
        }
        Ok(())
    }

    /// Writes one pack of every object in `names` (and, for the first level, of the listed
    /// objects, whose paths guide the delta search), marked as the tool's until released.
    /// `None` when there was nothing to pack.
    fn merge(&self, names: &[String], with_listed: bool) -> Result<Option<String>, StoreError> {
        let mut merged_packs = Vec::new();
        for name in names {
            let idx = self.pack_dir().join(format!("pack-{name}.idx"));
            // A pack git's own gc has merged away is gone; one that cannot be read stops the
            // merge, since the packs merged are removed afterwards.
            if !idx.exists() {
                continue;
            }
            let ids = packs::ids_in(&idx).ok_or_else(|| {
                git2::Error::from_str(&format!("cannot read {}: packs not merged", idx.display()))
            })?;
            merged_packs.push(ids);
        }
        let in_merged_packs: std::collections::HashSet<Oid> =
            merged_packs.iter().flatten().copied().collect();
        let mut builder = self.repo.packbuilder()?;
        let mut inserted = std::collections::HashSet::new();
        if with_listed {
            let mut listed: Vec<(Written, usize, Oid, String)> = Vec::new();
            for (order, line) in read_lines(&self.repo.commondir().join(OBJECTS))?
                .iter()
                .enumerate()
            {
                let mut fields = line.splitn(3, ' ');
                if let (Some(Ok(oid)), Some(Some(kind)), name) = (
                    fields.next().map(Oid::from_str),
                    fields.next().map(Written::from_letter),
                    fields.next(),
                ) {
                    listed.push((kind, order, oid, name.unwrap_or("").to_string()));
                }
            }
            // Commits, then trees, then blobs, each newest first: the order libgit2 asks for.
            listed.sort_by_key(|&(kind, order, _, _)| (kind, std::cmp::Reverse(order)));
            for (_, _, oid, name) in &listed {
                // Only what is still in the packs merged or loose: an object git's gc has
                // packed (or pruned) since is not packed a second time.
                let still_ours = in_merged_packs.contains(oid) || self.loose_path(*oid).exists();
                if still_ours && inserted.insert(*oid) {
                    builder.insert_object(*oid, Some(name))?;
                }
            }
        }
        for oid in merged_packs.into_iter().flatten() {
            if inserted.insert(oid) {
                builder.insert_object(oid, None)?;
            }
        }
        if inserted.is_empty() {
            return Ok(None);
        }
        // Written aside, in a folder of the tool's own, and moved into place as the pack of a
        // change is: a merge killed part-way leaves nothing git would take for a pack.
        let dir = self.pack_dir();
        let staging = dir.join(format!("{TEMPORARY_PREFIX}merge"));
        let _ = fs::remove_dir_all(&staging);
        fs::create_dir(&staging).map_err(StoreError::io(&staging))?;
        builder.write(&staging, 0)?;
        let name = builder
            .name()?
            .map(str::to_string)
            .ok_or_else(|| git2::Error::from_str("the merged pack has no name"))?;
        let staged = |extension: &str| staging.join(format!("pack-{name}.{extension}"));
        // On disk before the packs it replaces are removed, as git's repack makes sure.
        for path in [staged("pack"), staged("idx")] {
            File::open(&path)
                .and_then(|file| file.sync_all())
                .and_then(|()| self.sharing.adjust(&path))
                .map_err(StoreError::io(&path))?;
        }
        pack_writer::mark_kept(&dir, &name, self.sharing)?;
        pack_writer::install(&dir, &name, &staged("pack"), &staged("idx"))?;
        File::open(&dir)
            .and_then(|folder| folder.sync_all())
            .map_err(StoreError::io(&dir))?;
        let _ = fs::remove_dir_all(&staging);
        Ok(Some(name))
    }

    /// Where git stores `oid` as a loose object.
    fn loose_path(&self, oid: Oid) -> PathBuf {
        let hex = oid.to_string();
        let objects = self.repo.commondir().join("objects");
        objects.join(&hex[..2]).join(&hex[2..])
    }

    /// How many objects are listed.
    fn loose_listed(&self) -> Result<usize, StoreError> {
        Ok(read_lines(&self.repo.commondir().join(OBJECTS))?.len())
    }

    /// Empties the list of objects, removing the loose copies an older version left.
    fn forget_listed_objects(&self) -> Result<(), StoreError> {
        let list = self.repo.commondir().join(OBJECTS);
        for line in read_lines(&list)? {
            let Some(Ok(oid)) = line.split(' ').next().map(Oid::from_str) else {
                continue;
            };
            // Like git's prune-packed, leave no empty fan-out folder behind.
            let _ = remove_with_empty_folder(&self.loose_path(oid));
        }
        fs::write(&list, "").map_err(StoreError::io(&list))
    }

    /// Removes the merged packs `names` that git's housekeeping lets go of, and keeps in
    /// `names` those to try again later: all of them while a `gc`, `git maintenance` or a
    /// write of the multi-pack-index runs, and those a multi-pack-index lists. A pack kept
    /// by someone else's `.keep` is dropped from the list and left in place.
    fn remove_merged(&self, names: &mut Vec<String>) {
        let dir = self.pack_dir();
        if git_housekeeping_running(self.repo.commondir()) {
            return;
        }
        let listed = packs_in_multi_pack_index(&dir);
        names.retain(|name| {
            let stem = format!("pack-{name}");
            if dir.join(format!("{stem}.keep")).exists() {
                return false;
            }
            if listed.as_ref().is_none_or(|listed| listed.contains(&stem)) {
                return true;
            }
            // Its index first, so that no reader finds an index whose pack is gone.
            for extension in ["idx", "pack", "rev"] {
                let _ = fs::remove_file(dir.join(format!("{stem}.{extension}")));
            }
            false
        });
    }
}

/// The levels to merge, in order, given how many packs each level holds: a level with
/// `MERGE_AFTER` packs becomes one pack of the next, which may fill that level in turn.
fn levels_to_merge(mut counts: [usize; TOP_LEVEL + 1]) -> Vec<usize> {
    let mut levels = Vec::new();
    for level in 0..TOP_LEVEL {
        if counts[level] >= MERGE_AFTER {
            levels.push(level);
            counts[level] = 0;
            counts[level + 1] += 1;
        }
    }
    levels
}

fn read_lines(path: &Path) -> Result<Vec<String>, StoreError> {
    Ok(read_optional(path)?
        .map(|bytes| {
            String::from_utf8_lossy(&bytes)
                .lines()
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_levels_merge_upwards_and_the_top_level_stays() {
        assert_eq!(levels_to_merge([15, 15, 15, 0]), Vec::<usize>::new());
        assert_eq!(levels_to_merge([16, 0, 0, 0]), vec![0]);
        assert_eq!(
            levels_to_merge([16, 15, 0, 0]),
            vec![0, 1],
            "a merge fills the next level"
        );
        assert_eq!(levels_to_merge([16, 15, 15, 7]), vec![0, 1, 2]);
        assert_eq!(levels_to_merge([3, 16, 2, 0]), vec![1]);
        assert_eq!(
            levels_to_merge([0, 0, 0, 40]),
            Vec::<usize>::new(),
            "never past the top"
        );
    }
}
