//! Git's index file, read and updated at the byte level.
//!
//! A command changes one record; the index of a repository of 100,000 claims holds 100,000
//! entries in about 10 MB. libgit2 parses every entry into a hash map and writes the whole
//! file back hashed with a collision-detecting SHA-1, which costs about 300 ms there: most of
//! a write. Here the file is mapped, not copied, and written out again with the few changed
//! entries patched or inserted, hashed once on the way with a plain SHA-1 (the trailing
//! checksum guards against torn writes, not attacks). Like git, which maps the index and checks
//! its checksum only in `git fsck`, the checksum is not verified on reading: at this size that
//! would double the cost of a write. Everything else in the file is kept byte for byte. Anything this code does not fully understand (a split or sparse index, extensions
//! that record offsets, an insertion into a path-compressed version 4 index) makes it answer
//! `None`, and the caller leaves the job to libgit2.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs;
use std::io::{self, Write};
use std::ops::{Deref, Range};
use std::os::unix::fs::MetadataExt;

use git2::Oid;

use super::binary::{be16, be32, offset_varint};
use super::index_hash::Checkpoints;

const HEADER_LEN: usize = 12;
const HASH_LEN: usize = 20;
/// Stat data (40 bytes), object id (20) and flags (2) precede an entry's path.
const FIXED_LEN: usize = 62;
const MODE_OFFSET: usize = 24;
const OID_OFFSET: usize = 40;
const FLAGS_OFFSET: usize = 60;
const NAME_MASK: u16 = 0x0fff;
const STAGE_MASK: u16 = 0x3000;
const EXTENDED_FLAG: u16 = 0x4000;
/// The mode a record has in the tool's commits.
const REGULAR_FILE: u32 = 0o100644;

/// The stat data git keeps per entry to tell, without reading a file, that it is unchanged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct StatData {
    ctime: (u32, u32),
    mtime: (u32, u32),
    dev: u32,
    ino: u32,
    uid: u32,
    gid: u32,
    size: u32,
}

impl StatData {
    /// What git records for a file with this metadata (each field truncated to 32 bits, as
    /// git does).
    pub(crate) fn of(meta: &fs::Metadata) -> StatData {
        StatData {
            ctime: (meta.ctime() as u32, meta.ctime_nsec() as u32),
            mtime: (meta.mtime() as u32, meta.mtime_nsec() as u32),
            dev: meta.dev() as u32,
            ino: meta.ino() as u32,
            uid: meta.uid(),
            gid: meta.gid(),
            size: meta.size() as u32,
        }
    }

    /// The same from a `stat` call's result.
    pub(crate) fn of_stat(stat: &rustix::fs::Stat) -> StatData {
        StatData {
            ctime: (stat.st_ctime as u32, stat.st_ctime_nsec as u32),
            mtime: (stat.st_mtime as u32, stat.st_mtime_nsec as u32),
            dev: stat.st_dev as u32,
            ino: stat.st_ino as u32,
            uid: stat.st_uid,
            gid: stat.st_gid,
            size: stat.st_size as u32,
        }
    }

    fn encode(&self) -> [u8; 40] {
        let fields = [
            self.ctime.0,
            self.ctime.1,
            self.mtime.0,
            self.mtime.1,
            self.dev,
            self.ino,
            REGULAR_FILE,
            self.uid,
            self.gid,
            self.size,
        ];
        let mut out = [0; 40];
        for (chunk, field) in out.chunks_exact_mut(4).zip(fields) {
            chunk.copy_from_slice(&field.to_be_bytes());
        }
        out
    }

    fn decode(bytes: &[u8]) -> StatData {
        let field = |i: usize| be32(bytes, i * 4);
        StatData {
            ctime: (field(0), field(1)),
            mtime: (field(2), field(3)),
            dev: field(4),
            ino: field(5),
            uid: field(7),
            gid: field(8),
            size: field(9),
        }
    }

    /// Modification time: seconds, nanoseconds.
    pub(crate) fn mtime(&self) -> (u32, u32) {
        self.mtime
    }

    /// Whether a file with stat data `now` can be taken as unchanged since this entry was
    /// written, the comparison `git status` makes (device numbers left out, as git does).
    pub(crate) fn matches(&self, now: &StatData) -> bool {
        self.mtime == now.mtime
            && self.ctime == now.ctime
            && self.ino == now.ino
            && self.uid == now.uid
            && self.gid == now.gid
            && self.size == now.size
    }
}

/// One entry of the index.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry<'a> {
    pub path: &'a [u8],
    pub stage: u16,
    /// The entry's bytes in the file, decoded on demand.
    raw: &'a [u8],
}

impl Entry<'_> {
    pub(crate) fn oid(&self) -> Oid {
        Oid::from_bytes(&self.raw[OID_OFFSET..OID_OFFSET + HASH_LEN])
            .expect("twenty bytes are an object id")
    }

    pub(crate) fn stat(&self) -> StatData {
        StatData::decode(self.raw)
    }

    /// Whether the entry only says a file is to be added (`git add -N`): git commits it as
    /// absent.
    pub(crate) fn intent_to_add(&self) -> bool {
        const INTENT_TO_ADD: u16 = 0x2000;
        be16(self.raw, FLAGS_OFFSET) & EXTENDED_FLAG != 0
            && be16(self.raw, FIXED_LEN) & INTENT_TO_ADD != 0
    }
}

/// A path to point at a new blob, with the stat data of the file that holds it.
pub(crate) struct Update<'a> {
    pub path: &'a str,
    pub oid: Oid,
    pub stat: StatData,
}

/// A folder's tree before and after the commit whose changes the index is catching up with.
pub(crate) struct TreeChange {
    /// Repository-relative, `""` for the root.
    pub dir: String,
    pub before: Option<Oid>,
    pub after: Oid,
}

/// Why an index file was not read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Unreadable {
    /// Damaged, or of a kind this code does not know: libgit2 decides.
    NotUnderstood,
    /// `core.splitIndex`: libgit2 cannot read it either.
    Split,
    /// A sparse index (`index.sparse`): libgit2 cannot read it either.
    Sparse,
}

/// Where an entry's bytes are, and its path: in the file, or for version 4, whose paths are
/// compressed, decoded in `IndexFile::paths`. Offsets are 32-bit (a larger file is left to
/// libgit2) so that the 100,000 slots of a large index take 1.6 MB, not 3.2.
struct Slot {
    start: u32,
    end: u32,
    path_start: u32,
    path_len: u32,
}

impl Slot {
    fn bytes(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    fn path(&self) -> Range<usize> {
        let start = self.path_start as usize;
        start..start + self.path_len as usize
    }
}

struct Extension {
    signature: [u8; 4],
    /// The extension's data, without its 8-byte header.
    data: Range<usize>,
}

/// An index file as read: its bytes, and where each entry and extension is.
pub(crate) struct IndexFile {
    /// The file's bytes, mapped or read.
    bytes: Box<dyn Deref<Target = [u8]> + Send + Sync>,
    version: u32,
    slots: Vec<Slot>,
    /// Version 4's decoded paths.
    paths: Vec<u8>,
    extensions: Vec<Extension>,
    /// Git's `index.skipHash`: the trailing checksum is left zero, and is kept so.
    skip_hash: bool,
}

impl IndexFile {
    /// Parses an index file.
    pub(crate) fn parse(
        bytes: impl Deref<Target = [u8]> + Send + Sync + 'static,
    ) -> Result<IndexFile, Unreadable> {
        let index = IndexFile::parse_entries(bytes).ok_or(Unreadable::NotUnderstood)?;
        // Entries of a split index live in another file; those of a sparse index can stand
        // for whole folders. libgit2 reads neither.
        if index.has_extension(b"link") {
            return Err(Unreadable::Split);
        }
        if index.has_extension(b"sdir") {
            return Err(Unreadable::Sparse);
        }
        Ok(index)
    }

    fn parse_entries(
        bytes: impl Deref<Target = [u8]> + Send + Sync + 'static,
    ) -> Option<IndexFile> {
        if bytes.len() < HEADER_LEN + HASH_LEN || &bytes[..4] != b"DIRC" {
            return None;
        }
        let version = be32(&bytes, 4);
        if !(2..=4).contains(&version) {
            return None;
        }
        if u32::try_from(bytes.len()).is_err() {
            return None;
        }
        let count = be32(&bytes, 8) as usize;
        let body_end = bytes.len() - HASH_LEN;
        let skip_hash = bytes[body_end..].iter().all(|&b| b == 0);
        // A damaged count must not reserve more than the file could hold.
        let mut slots = Vec::with_capacity(count.min(bytes.len() / FIXED_LEN));
        let mut paths = Vec::new();
        let mut offset = HEADER_LEN;
        let mut previous = 0..0;
        for _ in 0..count {
            let start = offset;
            let flags = be16(bytes.get(start..start + FIXED_LEN)?, FLAGS_OFFSET);
            let mut name_at = start + FIXED_LEN;
            if flags & EXTENDED_FLAG != 0 {
                if version < 3 {
                    return None;
                }
                name_at += 2;
            }
            let path = if version == 4 {
                // The path is the previous one less `strip` bytes, then a NUL-ended suffix.
                let path_start = paths.len();
                let (strip, suffix_at) = offset_varint(&bytes, name_at)?;
                let kept = previous.len().checked_sub(strip)?;
                paths.extend_from_within(previous.start..previous.start + kept);
                let suffix_len = bytes
                    .get(suffix_at..body_end)?
                    .iter()
                    .position(|&b| b == 0)?;
                paths.extend_from_slice(&bytes[suffix_at..suffix_at + suffix_len]);
                offset = suffix_at + suffix_len + 1;
                previous = path_start..paths.len();
                previous.clone()
            } else {
                let name_len = match flags & NAME_MASK {
                    NAME_MASK => bytes.get(name_at..body_end)?.iter().position(|&b| b == 0)?,
                    len => usize::from(len),
                };
                // Entries are padded with one to eight NULs to a multiple of eight bytes.
                offset = start + ((name_at - start + name_len + 8) & !7);
                name_at..name_at + name_len
            };
            if offset > body_end {
                return None;
            }
            // The file is under 4 GiB (checked above); version 4's decoded paths must be too.
            u32::try_from(path.end).ok()?;
            slots.push(Slot {
                start: start as u32,
                end: offset as u32,
                path_start: path.start as u32,
                path_len: path.len() as u32,
            });
        }
        let mut extensions = Vec::new();
        while offset < body_end {
            let header = bytes.get(offset..offset + 8)?;
            let signature: [u8; 4] = header[..4].try_into().ok()?;
            let len = be32(header, 4) as usize;
            let data = offset + 8..offset.checked_add(8 + len)?;
            if data.end > body_end {
                return None;
            }
            offset = data.end;
            extensions.push(Extension { signature, data });
        }
        Some(IndexFile {
            bytes: Box::new(bytes),
            version,
            slots,
            paths,
            extensions,
            skip_hash,
        })
    }

    fn has_extension(&self, signature: &[u8; 4]) -> bool {
        self.extensions.iter().any(|e| &e.signature == signature)
    }

    fn path(&self, slot: &Slot) -> &[u8] {
        match self.version {
            4 => &self.paths[slot.path()],
            _ => &self.bytes[slot.path()],
        }
    }

    fn entry(&self, slot: &Slot) -> Entry<'_> {
        let raw = &self.bytes[slot.bytes()];
        Entry {
            path: self.path(slot),
            stage: (be16(raw, FLAGS_OFFSET) & STAGE_MASK) >> 12,
            raw,
        }
    }

    /// Every entry, in the index's (path, stage) order.
    #[cfg(test)]
    fn entries(&self) -> impl Iterator<Item = Entry<'_>> {
        self.slots.iter().map(|slot| self.entry(slot))
    }

    /// The entries whose path starts with `prefix`, in order.
    pub(crate) fn entries_under(&self, prefix: &str) -> impl Iterator<Item = Entry<'_>> {
        let prefix = prefix.as_bytes();
        self.slots[self.position(prefix)..]
            .iter()
            .map(|slot| self.entry(slot))
            .take_while(move |entry| entry.path.starts_with(prefix))
    }

    /// How many entries have a path that starts with `prefix`, stages all counted.
    pub(crate) fn count_under(&self, prefix: &str) -> usize {
        let prefix = prefix.as_bytes();
        let start = self.position(prefix);
        self.slots[start..].partition_point(|slot| self.path(slot).starts_with(prefix))
    }

    /// The tree the cached-tree extension holds for folder `dir` (`""` the root), when it is
    /// valid: the tree a commit of the index would hold there.
    pub(crate) fn cached_tree(&self, dir: &str) -> Option<Oid> {
        self.cached_trees().remove(dir)
    }

    /// Every folder whose cached tree is valid, with that tree; none when the extension is
    /// absent or cannot be read.
    pub(crate) fn cached_trees(&self) -> HashMap<String, Oid> {
        let Some(extension) = self.extensions.iter().find(|e| &e.signature == b"TREE") else {
            return HashMap::new();
        };
        let mut nodes = Vec::new();
        if read_cached_tree(&self.bytes[extension.data.clone()], &mut 0, "", &mut nodes).is_none() {
            return HashMap::new();
        }
        nodes
            .into_iter()
            .filter_map(|node| Some((node.path, node.oid?)))
            .collect()
    }

    /// The first entry at or after `path` in the index's order.
    fn position(&self, path: &[u8]) -> usize {
        self.slots.partition_point(|slot| self.path(slot) < path)
    }

    /// The entries for `path` (more than one only during a conflict).
    pub(crate) fn entries_for(&self, path: &str) -> impl Iterator<Item = Entry<'_>> {
        let path = path.as_bytes();
        self.slots[self.position(path)..]
            .iter()
            .map(|slot| self.entry(slot))
            .take_while(move |entry| entry.path == path)
    }

    /// The index with each update's entry pointed at its blob (inserted when new), and the
    /// cached trees of the folders above kept valid where they described `before`: the new
    /// file, mostly spans of this one. `None` when this code cannot do it exactly; libgit2 must
    /// then.
    pub(crate) fn with_updates(
        &self,
        updates: &[Update<'_>],
        trees: &[TreeChange],
    ) -> Option<Patched<'_>> {
        let mut updates: Vec<&Update<'_>> = updates.iter().collect();
        updates.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
        if updates.windows(2).any(|pair| pair[0].path == pair[1].path) {
            return None;
        }
        let mut inserted = 0;
        let mut placed = Vec::with_capacity(updates.len());
        for update in &updates {
            let position = self.position(update.path.as_bytes());
            let mut existing = self.slots[position..]
                .iter()
                .take_while(|slot| self.path(slot) == update.path.as_bytes());
            match (existing.next(), existing.next()) {
                (None, _) => {
                    inserted += 1;
                    placed.push((position, false));
                }
                (Some(slot), None) if self.patchable(slot) => placed.push((position, true)),
                _ => return None,
            }
        }
        let known = |e: &Extension| match &e.signature {
            b"TREE" | b"REUC" => true,
            // The untracked cache must forget a file that becomes tracked; git does that, so
            // an insertion is left to it.
            b"UNTR" => inserted == 0,
            _ => false,
        };
        if (inserted > 0 && self.version == 4) || !self.extensions.iter().all(known) {
            return None;
        }

        let bytes: &[u8] = &self.bytes;
        // Where the new file first differs from this one: the entry count when entries are
        // inserted, else the first entry patched.
        let unchanged = match placed.first() {
            _ if inserted > 0 => 8,
            Some(&(position, _)) => self.slots[position].start as usize,
            None => 0,
        };
        let mut header = bytes[..8].to_vec();
        header.extend_from_slice(&((self.slots.len() + inserted) as u32).to_be_bytes());
        let mut pieces = vec![Cow::Owned(header)];
        let entries_start = HEADER_LEN;
        let entries_end = self.slots.last().map_or(entries_start, |s| s.end as usize);
        let mut copied = entries_start;
        for (update, (position, exists)) in updates.iter().zip(placed) {
            if exists {
                let slot = &self.slots[position];
                pieces.push(Cow::Borrowed(&bytes[copied..slot.start as usize]));
                let mut entry = bytes[slot.bytes()].to_vec();
                entry[..40].copy_from_slice(&update.stat.encode());
                entry[OID_OFFSET..OID_OFFSET + HASH_LEN].copy_from_slice(update.oid.as_bytes());
                pieces.push(Cow::Owned(entry));
                copied = slot.end as usize;
            } else {
                let before = self
                    .slots
                    .get(position)
                    .map_or(entries_end, |s| s.start as usize);
                pieces.push(Cow::Borrowed(&bytes[copied..before]));
                copied = before;
                pieces.push(Cow::Owned(new_entry(update)));
            }
        }
        pieces.push(Cow::Borrowed(&bytes[copied..entries_end]));

        for extension in &self.extensions {
            let data = &bytes[extension.data.clone()];
            let data = if &extension.signature == b"TREE" {
                Cow::Owned(cached_trees_after(data, &updates, trees, inserted > 0)?)
            } else {
                Cow::Borrowed(data)
            };
            let mut header = extension.signature.to_vec();
            header.extend_from_slice(&(data.len() as u32).to_be_bytes());
            pieces.push(Cow::Owned(header));
            pieces.push(data);
        }
        Some(Patched {
            pieces,
            skip_hash: self.skip_hash,
            old_len: bytes.len() as u64,
            old_checksum: bytes[bytes.len() - HASH_LEN..].try_into().ok()?,
            unchanged,
        })
    }

    /// An entry that can be repointed by patching its stat data and id: a regular file, not
    /// hidden by a sparse checkout nor only intended to be added.
    fn patchable(&self, slot: &Slot) -> bool {
        let bytes = &self.bytes[slot.bytes()];
        let flags = be16(bytes, FLAGS_OFFSET);
        let mode = be32(bytes, MODE_OFFSET);
        let extended = flags & EXTENDED_FLAG != 0 && be16(bytes, FIXED_LEN) != 0;
        flags & STAGE_MASK == 0 && !extended && (mode == REGULAR_FILE || mode == 0o100755)
    }
}

/// A new index file: spans of the old one between patched parts, without the checksum.
pub(crate) struct Patched<'a> {
    pieces: Vec<Cow<'a, [u8]>>,
    skip_hash: bool,
    /// The old file's length and checksum, which name the hash states saved for it.
    old_len: u64,
    old_checksum: [u8; HASH_LEN],
    /// How many leading bytes the new file shares with the old.
    unchanged: usize,
}

impl Patched<'_> {
    /// Writes the file and its checksum. The checksum resumes from `saved`, the hash states of
    /// the old file if they are at hand (see `index_hash`); the states of the new file are
    /// returned (none when the index keeps no checksum).
    pub(crate) fn write_to(
        &self,
        out: &mut impl Write,
        saved: Option<Checkpoints>,
    ) -> io::Result<Option<Checkpoints>> {
        for piece in &self.pieces {
            out.write_all(piece)?;
        }
        if self.skip_hash {
            out.write_all(&[0; HASH_LEN])?;
            return Ok(None);
        }
        let mut hash = Checkpoints::resume(saved, self.old_len, &self.old_checksum, self.unchanged);
        let mut piece_start = 0;
        for piece in &self.pieces {
            let skip = hash.position().saturating_sub(piece_start).min(piece.len());
            hash.update(&piece[skip..]);
            piece_start += piece.len();
        }
        let (checksum, checkpoints) = hash.finalize();
        out.write_all(&checksum)?;
        Ok(Some(checkpoints))
    }
}

/// A version 2 or 3 entry: fixed part, path, and NUL padding to a multiple of eight.
fn new_entry(update: &Update<'_>) -> Vec<u8> {
    let path = update.path.as_bytes();
    let mut entry = update.stat.encode().to_vec();
    entry.extend_from_slice(update.oid.as_bytes());
    let name_len = path.len().min(usize::from(NAME_MASK)) as u16;
    entry.extend_from_slice(&name_len.to_be_bytes());
    entry.extend_from_slice(path);
    entry.resize((FIXED_LEN + path.len() + 8) & !7, 0);
    entry
}

/// One node of the cached-tree extension: a folder, how many entries it covers (-1 when
/// invalid), how many sub-folders follow it, and its tree's id when valid.
struct CachedTree {
    path: String,
    name: Vec<u8>,
    entries: i64,
    subtrees: usize,
    oid: Option<Oid>,
}

/// The cached-tree extension after `updates`. A folder above a changed path keeps a valid tree
/// only when its cached tree was the one the commit started from (then the index holds what
/// the commit holds there) and nothing was inserted; otherwise it is marked invalid, as
/// `git add` does.
fn cached_trees_after(
    data: &[u8],
    updates: &[&Update<'_>],
    trees: &[TreeChange],
    inserted: bool,
) -> Option<Vec<u8>> {
    let mut nodes = Vec::new();
    let mut at = 0;
    read_cached_tree(data, &mut at, "", &mut nodes)?;
    if at != data.len() {
        return None;
    }
    for node in &mut nodes {
        let above = updates.iter().any(|u| is_within(u.path, &node.path));
        if !above {
            continue;
        }
        let change = trees.iter().find(|t| t.dir == node.path);
        node.oid = match (node.oid, change) {
            (Some(cached), Some(change)) if !inserted && change.before == Some(cached) => {
                Some(change.after)
            }
            _ => None,
        };
        if node.oid.is_none() {
            node.entries = -1;
        }
    }
    let mut out = Vec::with_capacity(data.len());
    for node in &nodes {
        out.extend_from_slice(&node.name);
        out.push(0);
        out.extend_from_slice(format!("{} {}\n", node.entries, node.subtrees).as_bytes());
        if let Some(oid) = node.oid {
            out.extend_from_slice(oid.as_bytes());
        }
    }
    Some(out)
}

fn read_cached_tree(
    data: &[u8],
    at: &mut usize,
    parent: &str,
    nodes: &mut Vec<CachedTree>,
) -> Option<()> {
    let name_end = *at + data.get(*at..)?.iter().position(|&b| b == 0)?;
    let name = data[*at..name_end].to_vec();
    let line_end = name_end + data.get(name_end..)?.iter().position(|&b| b == b'\n')?;
    let line = std::str::from_utf8(&data[name_end + 1..line_end]).ok()?;
    let (entries, subtrees) = line.split_once(' ')?;
    let entries: i64 = entries.parse().ok()?;
    let subtrees: usize = subtrees.parse().ok()?;
    *at = line_end + 1;
    let oid = if entries >= 0 {
        let oid = Oid::from_bytes(data.get(*at..*at + HASH_LEN)?).ok()?;
        *at += HASH_LEN;
        Some(oid)
    } else {
        None
    };
    let name_text = std::str::from_utf8(&name).ok()?;
    let path = match (parent, name_text) {
        ("", name) => name.to_string(),
        (parent, name) => format!("{parent}/{name}"),
    };
    nodes.push(CachedTree {
        path: path.clone(),
        name,
        entries,
        subtrees,
        oid,
    });
    for _ in 0..subtrees {
        read_cached_tree(data, at, &path, nodes)?;
    }
    Some(())
}

/// Whether `path` lies in folder `dir` (`""` is the root).
fn is_within(path: &str, dir: &str) -> bool {
    dir.is_empty()
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use git2::{Index, IndexAddOption, Repository};
    use sha1::{Digest, Sha1};

    use super::*;

    /// A repository with `files` committed, and its index as written by libgit2 (with the
    /// cached trees valid, as after `git commit`).
    fn repository(files: &[(&str, &str)], version: u32) -> (tempfile::TempDir, Repository) {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        for (path, contents) in files {
            let full = dir.path().join(path);
            fs::create_dir_all(full.parent().unwrap()).unwrap();
            fs::write(full, contents).unwrap();
        }
        {
            let mut index = repo.index().unwrap();
            index.set_version(version).unwrap();
            index.add_all(["*"], IndexAddOption::DEFAULT, None).unwrap();
            let tree = index.write_tree().unwrap();
            index.write().unwrap();
            let signature = git2::Signature::now("Test", "test@example.org").unwrap();
            let tree = repo.find_tree(tree).unwrap();
            repo.commit(Some("HEAD"), &signature, &signature, "files", &tree, &[])
                .unwrap();
        }
        (dir, repo)
    }

    fn written(patched: Patched<'_>) -> Vec<u8> {
        let mut bytes = Vec::new();
        patched.write_to(&mut bytes, None).unwrap();
        bytes
    }

    fn index_bytes(repo: &Repository) -> Vec<u8> {
        fs::read(repo.path().join("index")).unwrap()
    }

    fn head_tree(repo: &Repository) -> Oid {
        repo.head().unwrap().peel_to_tree().unwrap().id()
    }

    /// Writes `contents` at `path`, commits it (tree only, through the object database), and
    /// returns the update for the index and the folders' trees before and after.
    fn change(repo: &Repository, path: &str, contents: &str) -> (Update<'static>, Vec<TreeChange>) {
        let root = repo.workdir().unwrap();
        let full = root.join(path);
        fs::create_dir_all(full.parent().unwrap()).unwrap();
        fs::write(&full, contents).unwrap();
        let oid = repo.blob(contents.as_bytes()).unwrap();
        let before = repo.head().unwrap().peel_to_tree().unwrap();
        let mut builder = git2::build::TreeUpdateBuilder::new();
        builder.upsert(path, oid, git2::FileMode::Blob);
        let after = repo
            .find_tree(builder.create_updated(repo, &before).unwrap())
            .unwrap();
        let mut trees = Vec::new();
        let mut dirs = vec![String::new()];
        dirs.extend(
            path.match_indices('/')
                .map(|(at, _)| path[..at].to_string()),
        );
        for dir in dirs {
            let id = |tree: &git2::Tree<'_>| match dir.as_str() {
                "" => Some(tree.id()),
                dir => tree.get_path(Path::new(dir)).ok().map(|e| e.id()),
            };
            trees.push(TreeChange {
                before: id(&before),
                after: id(&after).unwrap(),
                dir,
            });
        }
        let signature = git2::Signature::now("Test", "test@example.org").unwrap();
        let parent = repo.head().unwrap().peel_to_commit().unwrap();
        repo.commit(
            Some("HEAD"),
            &signature,
            &signature,
            "change",
            &after,
            &[&parent],
        )
        .unwrap();
        let stat = StatData::of(&fs::metadata(&full).unwrap());
        let path: &'static str = Box::leak(path.to_string().into_boxed_str());
        (Update { path, oid, stat }, trees)
    }

    /// What libgit2 makes of the same index after adding the same paths.
    fn libgit2_entries(repo: &Repository, paths: &[&str]) -> Vec<(Vec<u8>, Oid, u32, u32)> {
        let mut index = repo.index().unwrap();
        index.read(true).unwrap();
        for path in paths {
            index.add_path(Path::new(path)).unwrap();
        }
        entries_of(&index)
    }

    fn entries_of(index: &Index) -> Vec<(Vec<u8>, Oid, u32, u32)> {
        index
            .iter()
            .map(|e| (e.path, e.id, e.mode, e.file_size))
            .collect()
    }

    /// Writes `bytes` as the index and reads it back with libgit2 (which checks the checksum).
    fn reread(repo: &Repository, bytes: &[u8]) -> Index {
        fs::write(repo.path().join("index"), bytes).unwrap();
        let mut index = repo.index().unwrap();
        index.read(true).unwrap();
        index
    }

    const FILES: &[(&str, &str)] = &[
        ("README.md", "readme\n"),
        ("records/ab/abc.toml", "a = 1\n"),
        ("records/ab/abd.toml", "a = 2\n"),
        ("records/cd/cde.toml", "a = 3\n"),
    ];

    #[test]
    fn a_modified_entry_matches_what_libgit2_writes_and_keeps_the_cached_trees_valid() {
        for version in [2, 4] {
            let (_dir, repo) = repository(FILES, version);
            let index = IndexFile::parse(index_bytes(&repo)).unwrap();
            assert_eq!(index.version, version);
            let (update, trees) = change(&repo, "records/ab/abd.toml", "a = 22\n");
            let bytes = index.with_updates(&[update], &trees).map(written).unwrap();
            let expected = libgit2_entries(&repo, &["records/ab/abd.toml"]);
            let mut ours = reread(&repo, &bytes);
            assert_eq!(entries_of(&ours), expected, "version {version}");
            assert_eq!(ours.version(), version);
            // The cached trees were valid before and describe the new commit after.
            let parsed = IndexFile::parse(bytes).unwrap();
            let tree = parsed
                .extensions
                .iter()
                .find(|e| &e.signature == b"TREE")
                .unwrap();
            let mut nodes = Vec::new();
            read_cached_tree(&parsed.bytes[tree.data.clone()], &mut 0, "", &mut nodes).unwrap();
            assert!(nodes.iter().all(|n| n.oid.is_some()), "version {version}");
            assert_eq!(nodes[0].oid, Some(head_tree(&repo)));
            assert_eq!(ours.write_tree().unwrap(), head_tree(&repo));
        }
    }

    #[test]
    fn a_version_3_index_with_extended_flags_is_patched_around_them() {
        let (dir, repo) = repository(FILES, 2);
        // `git add -N`: an entry intended to be added, which needs version 3's extended flags.
        fs::write(dir.path().join("draft.md"), "draft\n").unwrap();
        let mut index = repo.index().unwrap();
        let mut draft = index.get_path(Path::new("README.md"), 0).unwrap();
        draft.path = b"draft.md".to_vec();
        draft.id = repo.blob(b"").unwrap();
        draft.flags |= EXTENDED_FLAG;
        draft.flags_extended = 1 << 13;
        index.add(&draft).unwrap();
        index.write().unwrap();
        let parsed = IndexFile::parse(index_bytes(&repo)).unwrap();
        assert_eq!(parsed.version, 3);
        let (update, trees) = change(&repo, "records/ab/abd.toml", "a = 22\n");
        let bytes = parsed.with_updates(&[update], &trees).map(written).unwrap();
        let expected = libgit2_entries(&repo, &["records/ab/abd.toml"]);
        let ours = reread(&repo, &bytes);
        assert_eq!(entries_of(&ours), expected);
        assert_eq!(ours.version(), 3);
        let draft = ours.get_path(Path::new("draft.md"), 0).unwrap();
        assert_eq!(draft.flags_extended, 1 << 13);
        // The intended-to-add entry itself is not patched: libgit2 handles it.
        let (update, trees) = change(&repo, "draft.md", "draft 2\n");
        let parsed = IndexFile::parse(bytes).unwrap();
        assert!(parsed.with_updates(&[update], &trees).is_none());
    }

    #[test]
    fn an_inserted_entry_matches_what_libgit2_writes() {
        for version in [2, 3] {
            let (_dir, repo) = repository(FILES, version);
            let index = IndexFile::parse(index_bytes(&repo)).unwrap();
            let (first, mut trees) = change(&repo, "records/ab/abb.toml", "new = 1\n");
            let (second, more) = change(&repo, "records/zz/zzz.toml", "new = 2\n");
            trees.extend(more);
            let bytes = index
                .with_updates(&[second, first], &trees)
                .map(written)
                .unwrap();
            let expected = libgit2_entries(&repo, &["records/ab/abb.toml", "records/zz/zzz.toml"]);
            let mut ours = reread(&repo, &bytes);
            assert_eq!(entries_of(&ours), expected, "version {version}");
            assert_eq!(ours.write_tree().unwrap(), head_tree(&repo));
        }
    }

    #[test]
    fn a_staged_change_beside_the_updated_path_leaves_the_folders_invalid() {
        let (_dir, repo) = repository(FILES, 2);
        // Stage a change to a sibling, so the index no longer holds HEAD's records/ab.
        fs::write(
            repo.workdir().unwrap().join("records/ab/abc.toml"),
            "staged = 1\n",
        )
        .unwrap();
        let mut index = repo.index().unwrap();
        index.add_path(Path::new("records/ab/abc.toml")).unwrap();
        index.write().unwrap();
        let staged = IndexFile::parse(index_bytes(&repo)).unwrap();
        let (update, trees) = change(&repo, "records/ab/abd.toml", "a = 22\n");
        let bytes = staged.with_updates(&[update], &trees).map(written).unwrap();
        let mut ours = reread(&repo, &bytes);
        // The staged change survives, and the tree written from the index is not HEAD's.
        let entry = ours.get_path(Path::new("records/ab/abc.toml"), 0).unwrap();
        assert_eq!(entry.id, repo.blob(b"staged = 1\n").unwrap());
        assert_ne!(ours.write_tree().unwrap(), head_tree(&repo));
    }

    #[test]
    fn what_is_not_understood_is_left_to_libgit2() {
        let (_dir, repo) = repository(FILES, 4);
        let index = IndexFile::parse(index_bytes(&repo)).unwrap();
        let (update, trees) = change(&repo, "records/ab/new.toml", "x = 1\n");
        assert!(
            index.with_updates(&[update], &trees).is_none(),
            "insertion into version 4"
        );

        // An extension this code does not know (an optional one, by its capital letter).
        let (_dir, repo) = repository(FILES, 2);
        let mut bytes = index_bytes(&repo);
        bytes.truncate(bytes.len() - HASH_LEN);
        bytes.extend_from_slice(b"ZZZZ\0\0\0\x01x");
        let hash = Sha1::digest(&bytes);
        bytes.extend_from_slice(&hash);
        let index = IndexFile::parse(bytes).unwrap();
        let (update, trees) = change(&repo, "records/ab/abd.toml", "a = 22\n");
        assert!(
            index.with_updates(&[update], &trees).is_none(),
            "unknown extension"
        );
    }

    #[test]
    fn a_checksum_resumed_from_the_last_write_is_the_one_computed_afresh() {
        use super::super::index_hash::CHECKPOINT_EVERY;
        let files: Vec<(String, String)> = (0..40)
            .map(|i| (format!("records/{i:02}/c{i:02}.toml"), format!("n = {i}\n")))
            .collect();
        let files: Vec<(&str, &str)> = files.iter().map(|(p, c)| (&**p, &**c)).collect();
        let (_dir, repo) = repository(&files, 2);
        let mut saved: Option<Checkpoints> = None;
        // Each write with the states of the one before: late in the file, early, and an
        // insertion (which changes the entry count at the top).
        for path in [
            "records/31/c31.toml",
            "records/35/c35.toml",
            "records/02/c02.toml",
            "records/20/new.toml",
        ] {
            let index = IndexFile::parse(index_bytes(&repo)).unwrap();
            let (update, trees) = change(&repo, path, "n = changed\n");
            let patched = index.with_updates(&[update], &trees).unwrap();
            let first = index.position(path.as_bytes());
            let expected_unchanged = match index.entries_for(path).next() {
                Some(_) => index.slots[first].start as usize,
                None => 8,
            };
            assert_eq!(patched.unchanged, expected_unchanged, "{path}");
            let resumed_at = saved.clone().map_or(0, |states| {
                Checkpoints::resume(
                    Some(states),
                    patched.old_len,
                    &patched.old_checksum,
                    patched.unchanged,
                )
                .position()
            });
            let expected_resume = match &saved {
                Some(_) => patched.unchanged / CHECKPOINT_EVERY * CHECKPOINT_EVERY,
                None => 0,
            };
            assert_eq!(resumed_at, expected_resume, "{path}");
            let mut resumed = Vec::new();
            let states = patched.write_to(&mut resumed, saved.take()).unwrap();
            assert_eq!(resumed, written(patched), "{path}");
            reread(&repo, &resumed);
            saved = states;
            if path == "records/35/c35.toml" {
                assert!(resumed_at > 0, "the states of the last write were not used");
            }
        }
    }

    #[test]
    fn two_updates_of_one_path_are_left_to_libgit2() {
        let (_dir, repo) = repository(FILES, 2);
        let index = IndexFile::parse(index_bytes(&repo)).unwrap();
        let (first, trees) = change(&repo, "records/ab/abd.toml", "a = 22\n");
        let (second, _) = change(&repo, "records/ab/abd.toml", "a = 23\n");
        assert!(index.with_updates(&[first, second], &trees).is_none());
    }

    #[test]
    fn a_checksum_left_zero_stays_zero() {
        let (_dir, repo) = repository(FILES, 2);
        let mut bytes = index_bytes(&repo);
        let body = bytes.len() - HASH_LEN;
        bytes[body..].fill(0);
        let index = IndexFile::parse(bytes).unwrap();
        let (update, trees) = change(&repo, "records/ab/abd.toml", "a = 22\n");
        let bytes = index.with_updates(&[update], &trees).map(written).unwrap();
        assert!(bytes[bytes.len() - HASH_LEN..].iter().all(|&b| b == 0));
        let entry = IndexFile::parse(bytes).unwrap();
        let entry = entry.entries_for("records/ab/abd.toml").next().unwrap();
        assert_eq!(entry.oid(), repo.blob(b"a = 22\n").unwrap());
    }

    #[test]
    fn entries_are_found_by_path_with_their_stat_data() {
        let (dir, repo) = repository(FILES, 4);
        let index = IndexFile::parse(index_bytes(&repo)).unwrap();
        let paths: Vec<&[u8]> = index.entries().map(|e| e.path).collect();
        let expected: Vec<&[u8]> = FILES.iter().map(|(p, _)| p.as_bytes()).collect();
        assert_eq!(paths, expected);
        let entry = index.entries_for("records/cd/cde.toml").next().unwrap();
        assert_eq!(entry.oid(), repo.blob(b"a = 3\n").unwrap());
        let now = StatData::of(&fs::metadata(dir.path().join("records/cd/cde.toml")).unwrap());
        assert!(entry.stat().matches(&now));
        assert!(index.entries_for("records/cd").next().is_none());
        for (prefix, count) in [
            ("records/", 3),
            ("records/ab/", 2),
            ("records/c", 1),
            ("x", 0),
        ] {
            assert_eq!(index.count_under(prefix), count, "{prefix}");
            assert_eq!(index.entries_under(prefix).count(), count, "{prefix}");
        }
    }
}
