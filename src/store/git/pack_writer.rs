//! Writing the small pack of one change: a commit, its new trees and blobs, each stored
//! whole (every sixteen such packs are merged with deltas, see `packing`).
//!
//! libgit2's pack builder took 2.2 ms for the five objects of a note at 100,000 claims: it
//! looks for deltas between them, and its indexer reads back and re-hashes, with collision
//! detection, what it has just written. Here each object is compressed once and the pack's
//! index written from what is already known, in the formats git documents
//! (`gitformat-pack`): version 2 packs and indexes.
//!
//! A pack goes into git's pack folder as git puts its own there: under a temporary name
//! first, then the pack, then its index. Before either, a `.keep` file marks it as the
//! tool's, being written, until its commit is on the branch. Git's `repack -a -d` removes
//! every pack it listed whose objects it did not find reachable, and a pack whose commit the
//! branch has not reached yet is such a pack; a kept one it leaves alone. A process killed
//! part-way leaves that mark beside what it wrote, so the next write knows what is its own to
//! clean up, and touches nothing else (see `remove_leftovers`).

use std::fs;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::ptr::NonNull;

use git2::{ObjectType, Oid};

use sha1::{Digest, Sha1};

use super::packs::{IDX_MAGIC, LARGE_OFFSET, kind_code};
use crate::store::error::StoreError;
use crate::store::fault::fault_point;
use crate::store::sharing::Sharing;

/// libdeflate's level for git's default, zlib's 6.
const COMPRESSION_LEVEL: i32 = 6;
/// What the `.keep` of a pack the tool is writing says. Git's own say who holds them
/// (`receive-pack 123 on host`), so the tool never takes one of those for its own.
const KEEP_MARK: &[u8] = b"claims: being written\n";
/// Every temporary file or folder the tool makes in the pack folder has a name starting
/// so: git's are `tmp_pack_*`, `tmp_idx_*` and the like.
pub(super) const TEMPORARY_PREFIX: &str = "tmp_claims_";
/// Temporary files as versions before this one named them: `tmp_pack-<name>.pack_<pid>`.
const OLD_TEMPORARY_PREFIX: &str = "tmp_pack-";

/// Writes `objects` (id, kind and contents; an id listed twice is stored once) as a pack and
/// its index in `dir`, git's pack folder, marked kept until [`release`]; returns the pack's
/// name, its checksum in hex (the files are `pack-NAME.pack` and `pack-NAME.idx`), as
/// libgit2's pack builder does. Both files are flushed to disk before they take their names,
/// as git flushes its packs (libgit2 does not by default): a branch moved to a commit whose
/// pack a power cut lost would be a broken repository, which no journal can repair. Two
/// flushes, however many records changed.
pub(crate) fn write_pack(
    dir: &Path,
    objects: &[(Oid, ObjectType, &[u8])],
    sharing: Sharing,
) -> Result<String, StoreError> {
    let mut sorted: Vec<&(Oid, ObjectType, &[u8])> = objects.iter().collect();
    sorted.sort_by_key(|(oid, _, _)| *oid);
    sorted.dedup_by_key(|(oid, _, _)| *oid);

    let mut pack = b"PACK".to_vec();
    pack.extend_from_slice(&2u32.to_be_bytes());
    pack.extend_from_slice(&(sorted.len() as u32).to_be_bytes());
    let mut compressor = Compressor::new()?;
    // Offset and CRC-32 of each entry, in id order.
    let mut entries = Vec::with_capacity(sorted.len());
    for (_, kind, contents) in &sorted {
        let start = pack.len();
        push_entry_header(&mut pack, *kind, contents.len())?;
        compressor.compress_onto(contents, &mut pack)?;
        entries.push((start as u64, crc32(&pack[start..])));
    }
    let pack_checksum: [u8; 20] = Sha1::digest(&pack).into();
    pack.extend_from_slice(&pack_checksum);
    let ids: Vec<Oid> = sorted.iter().map(|(oid, _, _)| *oid).collect();
    let index = index_of(&ids, &entries, &pack_checksum);

    let name = Oid::from_bytes(&pack_checksum)?.to_string();
    mark_kept(dir, &name, sharing)?;
    let staged_pack = stage_file(dir, &format!("pack-{name}.pack"), &pack, sharing)?;
    fault_point("pack-staged");
    let staged_index = stage_file(dir, &format!("pack-{name}.idx"), &index, sharing)?;
    install(dir, &name, &staged_pack, &staged_index)?;
    Ok(name)
}

/// Marks the pack `name` in `dir` as the tool's, being written: a `.keep` that git's
/// `repack` honours and that the next write recognises (see the module's comment).
pub(super) fn mark_kept(dir: &Path, name: &str, sharing: Sharing) -> Result<(), StoreError> {
    let keep = dir.join(format!("pack-{name}.keep"));
    // Someone else's `.keep` on a pack of the same objects stays theirs; the tool's own
    // left by a killed write marks the same pack as the tool's.
    if keep.exists() {
        return Ok(());
    }
    sharing
        .create_file(&keep, KEEP_MARK)
        .map_err(StoreError::io(keep))
}

/// Moves a pack and its index, written and flushed under other names, to their names in
/// `dir`: the pack first, then its index, since git and libgit2 look for packs by their
/// index, so that a reader never finds an index without its pack.
pub(super) fn install(
    dir: &Path,
    name: &str,
    staged_pack: &Path,
    staged_index: &Path,
) -> Result<(), StoreError> {
    let pack = dir.join(format!("pack-{name}.pack"));
    fs::rename(staged_pack, &pack).map_err(StoreError::io(&pack))?;
    fault_point("pack-without-index");
    let index = dir.join(format!("pack-{name}.idx"));
    fs::rename(staged_index, &index).map_err(StoreError::io(index))
}

/// Removes the mark [`mark_kept`] left on pack `name`, once its commit is on the branch (or
/// it is a merge of packs whose commits are): git may then merge it like any other.
pub(super) fn release(dir: &Path, name: &str) -> Result<(), StoreError> {
    let keep = dir.join(format!("pack-{name}.keep"));
    if is_own_keep(&keep) {
        fs::remove_file(&keep).map_err(StoreError::io(keep))?;
    }
    Ok(())
}

fn is_own_keep(keep: &Path) -> bool {
    fs::read(keep).is_ok_and(|contents| contents == KEEP_MARK)
}

/// Removes what a write or a merge killed part-way left in the pack folder `dir`, and only
/// that: files and folders under the tool's temporary names, and the packs it had marked as
/// its own. A marked pack without its index never reached any branch and is removed; one
/// with its index is whole and only loses its mark. Returns the names of those whole packs,
/// for the packing list. Runs under the writers' lock, so no write of the tool is under way.
pub(super) fn remove_leftovers(dir: &Path) -> Vec<String> {
    let mut whole = Vec::new();
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let file_name = entry.file_name();
        let Some(file_name) = file_name.to_str() else {
            continue;
        };
        let path = entry.path();
        if file_name.starts_with(TEMPORARY_PREFIX) {
            let _ = fs::remove_file(&path).or_else(|_| fs::remove_dir_all(&path));
        } else if file_name.starts_with(OLD_TEMPORARY_PREFIX)
            && (file_name.contains(".pack_") || file_name.contains(".idx_"))
        {
            let _ = fs::remove_file(&path);
        } else if let Some(name) = file_name
            .strip_prefix("pack-")
            .and_then(|rest| rest.strip_suffix(".keep"))
            && is_own_keep(&path)
        {
            if dir.join(format!("pack-{name}.idx")).exists() {
                whole.push(name.to_string());
            } else {
                let _ = fs::remove_file(dir.join(format!("pack-{name}.pack")));
            }
            let _ = fs::remove_file(&path);
        }
    }
    whole
}

/// A version 2 pack index: `ids` in order, with the offset and CRC-32 of each one's entry in
/// the pack whose checksum is `pack_checksum`.
fn index_of(ids: &[Oid], entries: &[(u64, u32)], pack_checksum: &[u8; 20]) -> Vec<u8> {
    let mut index = IDX_MAGIC.to_vec();
    index.extend_from_slice(&2u32.to_be_bytes());
    let mut fanout = [0u32; 256];
    for oid in ids {
        fanout[usize::from(oid.as_bytes()[0])] += 1;
    }
    let mut total = 0;
    for count in fanout {
        total += count;
        index.extend_from_slice(&total.to_be_bytes());
    }
    for oid in ids {
        index.extend_from_slice(oid.as_bytes());
    }
    for (_, crc) in entries {
        index.extend_from_slice(&crc.to_be_bytes());
    }
    let mut large = Vec::new();
    for (offset, _) in entries {
        let field = match u32::try_from(*offset) {
            Ok(small) if small & LARGE_OFFSET == 0 => small,
            _ => {
                large.push(*offset);
                LARGE_OFFSET | (large.len() as u32 - 1)
            }
        };
        index.extend_from_slice(&field.to_be_bytes());
    }
    for offset in large {
        index.extend_from_slice(&offset.to_be_bytes());
    }
    index.extend_from_slice(pack_checksum);
    let index_checksum: [u8; 20] = Sha1::digest(&index).into();
    index.extend_from_slice(&index_checksum);
    index
}

/// An entry's header: its kind and, seven bits at a time from the lowest, its size.
fn push_entry_header(out: &mut Vec<u8>, kind: ObjectType, size: usize) -> Result<(), StoreError> {
    let code = kind_code(kind).ok_or(StoreError::PackNotWritten(
        "an object of a kind packs do not hold",
    ))?;
    let mut size = size as u64;
    let mut byte = (code << 4) | (size & 0x0f) as u8;
    size >>= 4;
    while size > 0 {
        out.push(byte | 0x80);
        byte = (size & 0x7f) as u8;
        size >>= 7;
    }
    out.push(byte);
    Ok(())
}

/// Writes `contents` to a temporary file in `dir` for the file `name`, read-only as git
/// leaves its packs (and as shared as the repository asks), flushed to disk; returns its path.
fn stage_file(
    dir: &Path,
    name: &str,
    contents: &[u8],
    sharing: Sharing,
) -> Result<PathBuf, StoreError> {
    // Never ending in `.idx`: git takes any such file in the pack folder for a pack's index,
    // and a multi-pack-index written meanwhile would list it.
    let temporary = dir.join(format!("{TEMPORARY_PREFIX}{name}.tmp"));
    let create = || {
        fs::File::options()
            .write(true)
            .create_new(true)
            .mode(0o444)
            .open(&temporary)
    };
    let result = (|| {
        // A leftover of the same name is read-only: removed, not opened for writing.
        let mut file = match create() {
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                fs::remove_file(&temporary)?;
                create()?
            }
            other => other?,
        };
        file.write_all(contents)?;
        file.sync_data()?;
        drop(file);
        sharing.adjust(&temporary)
    })();
    match result {
        Ok(()) => Ok(temporary),
        Err(e) => {
            let _ = fs::remove_file(&temporary);
            Err(StoreError::io(dir.join(name))(e))
        }
    }
}

fn crc32(bytes: &[u8]) -> u32 {
    // SAFETY: libdeflate reads exactly `bytes.len()` bytes from `bytes`.
    unsafe { libdeflate_sys::libdeflate_crc32(0, bytes.as_ptr().cast(), bytes.len()) }
}

/// zlib streams made with libdeflate, which the crate already uses to read packs.
struct Compressor(NonNull<libdeflate_sys::libdeflate_compressor>);

impl Compressor {
    fn new() -> Result<Compressor, StoreError> {
        // SAFETY: allocates a compressor, or returns null when memory is short.
        let compressor = unsafe { libdeflate_sys::libdeflate_alloc_compressor(COMPRESSION_LEVEL) };
        NonNull::new(compressor)
            .map(Compressor)
            .ok_or(StoreError::PackNotWritten("no memory for the compressor"))
    }

    /// Appends the zlib stream of `input` to `out`.
    fn compress_onto(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), StoreError> {
        // SAFETY: a pure function of the compressor's settings and the length.
        let bound =
            unsafe { libdeflate_sys::libdeflate_zlib_compress_bound(self.0.as_ptr(), input.len()) };
        out.reserve(bound);
        let start = out.len();
        // SAFETY: libdeflate reads `input.len()` bytes of `input` and writes at most `bound`
        // bytes at the end of `out`, which has that much room, returning how many (0 when
        // they did not fit, which the bound rules out).
        let written = unsafe {
            libdeflate_sys::libdeflate_zlib_compress(
                self.0.as_ptr(),
                input.as_ptr().cast(),
                input.len(),
                out.as_mut_ptr().add(start).cast(),
                bound,
            )
        };
        if written == 0 {
            return Err(StoreError::PackNotWritten("an object did not compress"));
        }
        // SAFETY: libdeflate initialised the `written` bytes after `start`.
        unsafe { out.set_len(start + written) };
        Ok(())
    }
}

impl Drop for Compressor {
    fn drop(&mut self) {
        // SAFETY: allocated by `libdeflate_alloc_compressor`, freed once.
        unsafe { libdeflate_sys::libdeflate_free_compressor(self.0.as_ptr()) }
    }
}

#[cfg(test)]
mod tests {
    use git2::Repository;

    use super::*;

    #[test]
    fn git_reads_every_object_of_a_pack_written_here() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let big: Vec<u8> = (0..200_000u32)
            .flat_map(|i| (i * 7919).to_le_bytes())
            .collect();
        let blobs: Vec<&[u8]> = vec![b"", b"a", b"id = \"x\"\n", &big];
        let objects: Vec<(Oid, ObjectType, &[u8])> = blobs
            .iter()
            .chain(&blobs[..1])
            .map(|bytes| {
                (
                    Oid::hash_object(ObjectType::Blob, bytes).unwrap(),
                    ObjectType::Blob,
                    *bytes,
                )
            })
            .collect();
        let pack_dir = dir.path().join(".git/objects/pack");
        let name = write_pack(&pack_dir, &objects, Sharing::Umask).unwrap();
        assert!(pack_dir.join(format!("pack-{name}.idx")).exists());
        assert!(
            pack_dir.join(format!("pack-{name}.keep")).exists(),
            "kept until released"
        );
        release(&pack_dir, &name).unwrap();
        let left = names_in(&pack_dir);
        assert_eq!(
            left,
            [format!("pack-{name}.idx"), format!("pack-{name}.pack")]
        );
        let repo = Repository::open(repo.path()).unwrap();
        for (oid, _, bytes) in &objects {
            assert_eq!(repo.find_blob(*oid).unwrap().content(), *bytes);
        }
        let verified = std::process::Command::new("git")
            .args(["verify-pack", "-v"])
            .arg(pack_dir.join(format!("pack-{name}.idx")))
            .output()
            .unwrap();
        assert!(
            verified.status.success(),
            "{}",
            String::from_utf8_lossy(&verified.stderr)
        );
        let listing = String::from_utf8_lossy(&verified.stdout);
        assert_eq!(listing.matches(" blob ").count(), 4, "{listing}");
    }

    /// The names in folder `dir`, sorted.
    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn leftovers_are_removed_when_they_are_the_tools_and_only_then() {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        let names = [
            "tmp_claims_pack-aa.pack.tmp",
            "tmp_pack-bb.pack_123",
            "tmp_pack_Xy12Zq",
            "pack-cc.keep",
            "pack-cc.pack",
            "pack-dd.keep",
            "pack-dd.pack",
            "pack-dd.idx",
            "pack-ee.keep",
            "pack-ee.pack",
            "pack-ff.pack",
        ];
        for name in names {
            fs::write(dir.join(name), b"x").unwrap();
        }
        fs::create_dir(dir.join("tmp_claims_merge")).unwrap();
        fs::write(dir.join("tmp_claims_merge/pack-gg.pack"), b"x").unwrap();
        for ours in ["cc", "dd"] {
            fs::write(dir.join(format!("pack-{ours}.keep")), KEEP_MARK).unwrap();
        }
        fs::write(dir.join("pack-ee.keep"), b"receive-pack 12 on host\n").unwrap();
        assert_eq!(
            remove_leftovers(dir),
            ["dd"],
            "the whole pack marked as the tool's"
        );
        let left = names_in(dir);
        // Git's temporary file, a pack someone else keeps, and a pack without an index
        // that the tool did not mark (git may be writing it) stay.
        assert_eq!(
            left,
            [
                "pack-dd.idx",
                "pack-dd.pack",
                "pack-ee.keep",
                "pack-ee.pack",
                "pack-ff.pack",
                "tmp_pack_Xy12Zq"
            ]
        );
    }

    #[test]
    fn offsets_past_two_gigabytes_go_to_the_table_of_large_offsets() {
        use std::io::Write as _;
        use std::process::{Command, Stdio};
        let ids: Vec<Oid> = (1u8..=3)
            .map(|b| Oid::from_bytes(&[b; 20]).unwrap())
            .collect();
        let entries = [
            (12, 0x1111_1111),
            (u64::from(LARGE_OFFSET), 0x2222_2222),
            (5 << 32, 0x3333_3333),
        ];
        let index = index_of(&ids, &entries, &[9; 20]);
        let mut git = Command::new("git")
            .arg("show-index")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        git.stdin.take().unwrap().write_all(&index).unwrap();
        let shown = git.wait_with_output().unwrap();
        assert!(shown.status.success());
        let expected: String = ids
            .iter()
            .zip(entries)
            .map(|(id, (offset, crc))| format!("{offset} {id} ({crc:08x})\n"))
            .collect();
        assert_eq!(String::from_utf8_lossy(&shown.stdout), expected);
    }

    #[test]
    fn sizes_take_as_many_header_bytes_as_they_need() {
        for (size, expected) in [
            (0, vec![0x30]),
            (15, vec![0x3f]),
            (16, vec![0xb0, 0x01]),
            (2063, vec![0xbf, 0x80, 0x01]),
        ] {
            let mut out = Vec::new();
            push_entry_header(&mut out, ObjectType::Blob, size).unwrap();
            assert_eq!(out, expected, "{size}");
        }
    }
}
