//! Reading objects straight out of git's pack files, for walks over the whole history.
//!
//! An audit of 100,000 commits reads about half a million trees and blobs, most of them
//! stored as deltas in chains up to fifty long. Through libgit2 every read takes process-wide
//! locks and shares one 16 MB cache of delta bases between all threads, so a second thread
//! added little and a third nothing. Here each thread has an `ObjectReader` of its own with
//! its own cache, which keeps every object read (a walk from new to old asks next for a
//! version stored as a delta against the one it just read) and some of the versions rebuilt
//! on the way. Packs and their indexes are mapped once and shared, so a
//! read is no system call. Objects the packs do not hold (loose ones, those in an alternate
//! object store, or packs written since the walk began) are read through libgit2.
//!
//! Like git's own history commands, and unlike `git fsck`, a read does not re-hash the object
//! to check its id.

use std::collections::HashMap;
use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};

use git2::{ObjectType, Oid, Repository};

use super::binary::{be32, offset_varint};
use crate::store::error::StoreError;

/// Where git keeps the packs of the repository's object store.
pub(crate) fn pack_dir(repo: &git2::Repository) -> PathBuf {
    repo.commondir().join("objects").join("pack")
}

/// A version 2 pack index starts with these bytes (`gitformat-pack`).
pub(super) const IDX_MAGIC: &[u8; 4] = b"\xfftOc";
/// In an index's offset table, an offset with this bit set is a position in the table of
/// 64-bit offsets that follows, for packs over 2 GiB.
pub(super) const LARGE_OFFSET: u32 = 0x8000_0000;
/// The kind codes of whole objects in a pack entry's header; 6 and 7 are deltas.
const WHOLE_KINDS: [(u8, ObjectType); 4] = [
    (1, ObjectType::Commit),
    (2, ObjectType::Tree),
    (3, ObjectType::Blob),
    (4, ObjectType::Tag),
];

/// The kind code a pack entry of a whole object of `kind` has, if packs hold that kind.
pub(super) fn kind_code(kind: ObjectType) -> Option<u8> {
    WHOLE_KINDS
        .iter()
        .find(|(_, k)| *k == kind)
        .map(|(code, _)| *code)
}
const IDX_HEADER: usize = 8;
const FANOUT: usize = 256 * 4;
const OID_LEN: usize = 20;

/// The packs of a repository's object store, as they were when opened.
pub struct Packs {
    packs: Vec<Pack>,
    /// Reads so far, all threads together: the clock regions are stamped with.
    reads: AtomicUsize,
}

struct Pack {
    index: memmap2::Mmap,
    count: usize,
    data: memmap2::Mmap,
    /// For each `REGION_BYTES` of `data`, the read that last used it; 0 once its pages were
    /// given back and not used since.
    last_used: Vec<AtomicUsize>,
}

impl Packs {
    /// Maps every pack in `objects/pack` and its index. A pack this code cannot read (one with
    /// an index of the old version 1, say) is left out: its objects are then read through
    /// libgit2.
    pub fn open(repo: &Repository) -> Packs {
        let dir = pack_dir(repo);
        let mut packs = Vec::new();
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "idx")
                && let Some(pack) = Pack::open(&path)
            {
                packs.push(pack);
            }
        }
        // The largest first: it holds most of what a walk asks for.
        packs.sort_by_key(|p| std::cmp::Reverse(p.count));
        Packs {
            packs,
            reads: AtomicUsize::new(0),
        }
    }

    /// Stamps the regions of pack `pack` that an entry of `len` bytes at `at` lies in as used
    /// by this read, and every `RELEASE_AFTER` reads gives back the pages of the regions used
    /// least recently. A walk reads most of a pack, and every page it kept mapped would count
    /// towards the process's memory; giving all of them back each time cost the audit a
    /// quarter of its time in mapping the same pages again, since a walk keeps returning to a
    /// few regions.
    fn note_read(&self, pack: usize, at: u64, len: usize) {
        let clock = self.reads.fetch_add(1, Ordering::Relaxed) + 1;
        let end = at.saturating_add(len.max(1) as u64 - 1);
        if let Some(pack) = self.packs.get(pack) {
            for region in at / REGION_BYTES..=end / REGION_BYTES {
                let region = usize::try_from(region).unwrap_or(usize::MAX);
                if let Some(stamp) = pack.last_used.get(region) {
                    stamp.store(clock, Ordering::Relaxed);
                }
            }
        }
        if clock.is_multiple_of(RELEASE_AFTER) {
            self.release_mapped_pages(MAPPED_REGIONS);
        }
    }

    /// Gives back the pages of every region used since its last release but the `keep`
    /// used most recently. The pages stay in the page cache, so a later read only maps one
    /// again.
    fn release_mapped_pages(&self, keep: usize) {
        let mut used: Vec<(usize, usize, usize)> = Vec::new();
        for (p, pack) in self.packs.iter().enumerate() {
            for (region, stamp) in pack.last_used.iter().enumerate() {
                let stamp = stamp.load(Ordering::Relaxed);
                if stamp != 0 {
                    used.push((stamp, p, region));
                }
            }
        }
        used.sort_unstable_by(|a, b| b.cmp(a));
        for &(stamp, p, region) in used.iter().skip(keep) {
            let pack = &self.packs[p];
            // A region another thread used meanwhile stays.
            if pack.last_used[region]
                .compare_exchange(stamp, 0, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
            {
                continue;
            }
            let start = region * REGION_BYTES as usize;
            let len = pack
                .data
                .len()
                .saturating_sub(start)
                .min(REGION_BYTES as usize);
            // Only ever inside the mapping: advice past its end would fall on another one.
            if len == 0 {
                continue;
            }
            // SAFETY: the mapping is read-only and of a file, so dropping its pages loses
            // nothing: the next read maps them again from the file.
            let _ = unsafe {
                pack.data
                    .unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, start, len)
            };
        }
    }

    fn find(&self, oid: Oid, first: usize) -> Option<(usize, u64)> {
        let order = std::iter::once(first).chain((0..self.packs.len()).filter(|&i| i != first));
        order
            .filter(|&i| i < self.packs.len())
            .find_map(|i| self.packs[i].offset_of(oid).map(|offset| (i, offset)))
    }
}

/// The ids of the objects in the pack whose index is at `idx_path`.
pub(crate) fn ids_in(idx_path: &Path) -> Option<Vec<Oid>> {
    let (index, count) = map_index(idx_path)?;
    let ids = IDX_HEADER + FANOUT;
    (0..count)
        .map(|i| Oid::from_bytes(&index[ids + i * OID_LEN..ids + (i + 1) * OID_LEN]).ok())
        .collect()
}

/// A pack index of version 2, mapped, and how many objects it lists.
fn map_index(idx_path: &Path) -> Option<(memmap2::Mmap, usize)> {
    let index_file = File::open(idx_path).ok()?;
    // SAFETY: git writes pack indexes once, under a temporary name, and never changes them in
    // place; a repack deletes them, which leaves this mapping intact.
    let index = unsafe { memmap2::Mmap::map(&index_file) }.ok()?;
    if index.len() < IDX_HEADER + FANOUT || &index[..4] != IDX_MAGIC || be32(&index, 4) != 2 {
        return None;
    }
    let count = be32(&index, IDX_HEADER + FANOUT - 4) as usize;
    // Ids, checksums and offsets, then the pack's and the index's own checksums.
    if index.len() < IDX_HEADER + FANOUT + count * (OID_LEN + 8) + 2 * OID_LEN {
        return None;
    }
    Some((index, count))
}

impl Pack {
    fn open(idx_path: &Path) -> Option<Pack> {
        let (index, count) = map_index(idx_path)?;
        let data_file = File::open(idx_path.with_extension("pack")).ok()?;
        // SAFETY: as for the index; packs too are only ever written whole and renamed.
        let data = unsafe { memmap2::Mmap::map(&data_file) }.ok()?;
        let regions = data.len().div_ceil(REGION_BYTES as usize);
        let last_used = (0..regions).map(|_| AtomicUsize::new(0)).collect();
        Some(Pack {
            index,
            count,
            data,
            last_used,
        })
    }

    /// Where the object is in the pack file, found in the index's sorted ids.
    fn offset_of(&self, oid: Oid) -> Option<u64> {
        let id = oid.as_bytes();
        let fanout = |byte: usize| be32(&self.index, IDX_HEADER + byte * 4) as usize;
        let first = usize::from(id[0]);
        let (mut low, mut high) = (
            if first == 0 { 0 } else { fanout(first - 1) },
            fanout(first),
        );
        let ids = IDX_HEADER + FANOUT;
        high = high.min(self.count);
        // Ids differ in their first eight bytes but for one pair in billions: compared as
        // one number first, the rest only when those are equal. As slices, each step of the
        // search was a call to `memcmp`, a twentieth of a full audit.
        let head = |id: &[u8]| u64::from_be_bytes(id[..8].try_into().expect("eight bytes"));
        let key = head(id);
        while low < high {
            let middle = (low + high) / 2;
            let at = ids + middle * OID_LEN;
            let probe = &self.index[at..at + OID_LEN];
            match head(probe).cmp(&key).then_with(|| probe[8..].cmp(&id[8..])) {
                std::cmp::Ordering::Less => low = middle + 1,
                std::cmp::Ordering::Greater => high = middle,
                std::cmp::Ordering::Equal => return self.offset_at(middle),
            }
        }
        None
    }

    fn offset_at(&self, position: usize) -> Option<u64> {
        let offsets = IDX_HEADER + FANOUT + self.count * (OID_LEN + 4);
        let small = be32(&self.index, offsets + position * 4);
        if small & LARGE_OFFSET == 0 {
            return Some(u64::from(small));
        }
        let large = offsets + self.count * 4 + (small & !LARGE_OFFSET) as usize * 8;
        let bytes = self.index.get(large..large + 8)?;
        Some(u64::from_be_bytes(bytes.try_into().ok()?))
    }
}

/// An object's kind and contents.
#[derive(Clone)]
pub struct Object {
    pub kind: ObjectType,
    pub data: Rc<Vec<u8>>,
}

/// Reads objects for one thread, keeping the ones it rebuilt most recently.
pub struct ObjectReader<'a> {
    packs: &'a Packs,
    repo: &'a Repository,
    cache: ObjectCache,
    /// The pack the last object came from, tried first.
    last_pack: usize,
    inflater: Inflater,
    /// The deltas of the chains being rebuilt, inflated.
    deltas: Vec<u8>,
    /// Two buffers for the versions a chain passes through and does not keep.
    versions: (Vec<u8>, Vec<u8>),
    /// Reads of bases named by id, under way one inside another.
    nested_reads: u32,
}

/// How deep bases named by id may nest before a read is left to libgit2.
const MAX_NESTED_READS: u32 = 64;

/// How sparsely the versions a chain of deltas passes through are cached. Git packs similar
/// files together, so the chain of one record's version runs through the versions of dozens
/// of others; caching all of them flooded the cache with versions read once. Keeping one in
/// eight leaves any later read in that chain at most seven deltas from a cached version, and
/// took a full audit at 100,000 commits from about 10 s to 8 s.
const KEEP_EVERY: usize = 8;

/// Objects larger than this are cached apart from the others, and every version a chain of
/// them passes through is kept. At 100,000 claims that is the `records/` tree (30 KB), one
/// version a commit, in chains of deltas up to fifty long that may run either way in time
/// (`git fast-import` and the reuse of its deltas by `git gc` make each version a delta on the
/// one before). Cached among the small objects, one in eight of those versions took the room
/// of 200 records, and a walk from new to old still applied four deltas of 30 KB a commit.
const LARGE_OBJECT: usize = 16 << 10;
/// The share of a reader's cache for large objects: an eighth, at 100,000 claims a hundred
/// versions of the `records/` tree, twice the longest chain.
const LARGE_SHARE: usize = 8;

/// Reads between two looks at how much of the packs is mapped (see `Packs::note_read`).
const RELEASE_AFTER: usize = 8192;
/// The span of a pack whose pages are given back together.
const REGION_BYTES: u64 = 4 << 20;
/// How many regions stay mapped at each look: 96 MB, plus what the reads until the next
/// look touch, whatever the size of the packs. At 100,000 commits (a 130 MB pack) an audit
/// gives back only the regions it has not used for longest, and spends under a second of
/// system time on it where giving back all the pages each time took five.
const MAPPED_REGIONS: usize = 24;

/// What one pack entry is: a whole object, or a delta against another.
enum Entry {
    Whole(ObjectType),
    DeltaAt(u64),
    DeltaOn(Oid),
}

impl<'a> ObjectReader<'a> {
    /// Git's default limit for its own cache of delta bases (`core.deltaBaseCacheLimit`).
    const CACHE_BYTES: usize = 96 << 20;

    pub fn new(packs: &'a Packs, repo: &'a Repository) -> ObjectReader<'a> {
        ObjectReader::with_cache(packs, repo, Self::CACHE_BYTES)
    }

    /// A reader whose cache holds up to `cache_bytes` of objects.
    pub fn with_cache(packs: &'a Packs, repo: &'a Repository, cache_bytes: usize) -> Self {
        ObjectReader {
            packs,
            repo,
            cache: ObjectCache::new(cache_bytes),
            last_pack: 0,
            inflater: Inflater::new(),
            deltas: Vec::new(),
            versions: (Vec::new(), Vec::new()),
            nested_reads: 0,
        }
    }

    pub fn read(&mut self, oid: Oid) -> Result<Object, StoreError> {
        if let Some((pack, offset)) = self.packs.find(oid, self.last_pack) {
            self.last_pack = pack;
            // A pack that cannot be read as expected is left to libgit2, which reports why.
            if let Some(object) = self.read_packed(pack, offset) {
                return Ok(object);
            }
        }
        let odb = self.repo.odb()?;
        let object = odb.read(oid)?;
        Ok(Object {
            kind: object.kind(),
            data: Rc::new(object.data().to_vec()),
        })
    }

    /// Rebuilds the object at `offset`: follows its chain of deltas down to a base that is
    /// cached or whole, then applies the deltas back up, caching the object asked for and
    /// every `KEEP_EVERY`th version below it (every one, for a large object).
    fn read_packed(&mut self, pack: usize, offset: u64) -> Option<Object> {
        // The deltas of a chain are inflated into one buffer, shared with the reads of bases
        // named by id that this read starts, each of which takes back only what it added.
        let start = self.deltas.len();
        let object = self.rebuild(pack, offset);
        self.deltas.truncate(start);
        object
    }

    fn rebuild(&mut self, pack: usize, offset: u64) -> Option<Object> {
        // Each delta on the way down: where its entry is, and where it is in `deltas`.
        let mut chain: Vec<(u64, std::ops::Range<usize>)> = Vec::new();
        let mut at = offset;
        let object = loop {
            if let Some(object) = self.cache.get(pack, at) {
                break object;
            }
            let (entry, size, header) = self.entry_header(pack, at)?;
            match entry {
                Entry::Whole(kind) => {
                    let mut data = Vec::new();
                    Self::inflate(
                        self.packs,
                        &mut self.inflater,
                        (pack, at),
                        header,
                        size,
                        &mut data,
                    )?;
                    let object = Object {
                        kind,
                        data: Rc::new(data),
                    };
                    self.cache.put(pack, at, object.clone());
                    break object;
                }
                Entry::DeltaAt(base) => {
                    chain.push((at, self.inflate_delta(pack, at, header, size)?));
                    at = base;
                }
                Entry::DeltaOn(base) => {
                    chain.push((at, self.inflate_delta(pack, at, header, size)?));
                    // Rare on disk: a pack fetched thin and completed by git. Its base may
                    // be anywhere, so it is read whole and the chain continues from it; a
                    // damaged pack whose bases name each other is left to libgit2.
                    if self.nested_reads >= MAX_NESTED_READS {
                        return None;
                    }
                    self.nested_reads += 1;
                    let base = self.read(base);
                    self.nested_reads -= 1;
                    break base.ok()?;
                }
            }
        };
        // The versions on the way up that are not kept are built in two buffers in turn, one
        // read while the other is written, instead of one allocation each.
        let kind = object.kind;
        let mut kept = Some(object.data);
        let (mut current, mut next) = std::mem::take(&mut self.versions);
        while let Some((entry_at, delta)) = chain.pop() {
            let delta = &self.deltas[delta];
            let base: &[u8] = kept.as_deref().map_or(&current, |data| data);
            if chain.len().is_multiple_of(KEEP_EVERY) || delta_target_size(delta)? > LARGE_OBJECT {
                let mut data = Vec::new();
                apply_delta(base, delta, &mut data)?;
                let data = Rc::new(data);
                self.cache.put(
                    pack,
                    entry_at,
                    Object {
                        kind,
                        data: data.clone(),
                    },
                );
                kept = Some(data);
            } else {
                apply_delta(base, delta, &mut next)?;
                std::mem::swap(&mut current, &mut next);
                kept = None;
            }
        }
        self.versions = (current, next);
        // The object asked for is always kept: the chain's last step is a multiple of any.
        Some(Object { kind, data: kept? })
    }

    /// Appends to `out` the `size` bytes of the data of the entry at `at`, whose header is
    /// `header` bytes long (`out` is a field of the reader, or not, as the caller needs).
    fn inflate(
        packs: &Packs,
        inflater: &mut Inflater,
        (pack, at): (usize, u64),
        header: usize,
        size: usize,
        out: &mut Vec<u8>,
    ) -> Option<()> {
        let stream = packs.packs[pack]
            .data
            .get(usize::try_from(at).ok()?.checked_add(header)?..)?;
        let read = inflater.inflate(stream, size, out)?;
        packs.note_read(pack, at, header + read);
        Some(())
    }

    /// Inflates the delta of the entry at `at` into `deltas`, and says where it is there.
    fn inflate_delta(
        &mut self,
        pack: usize,
        at: u64,
        header: usize,
        size: usize,
    ) -> Option<std::ops::Range<usize>> {
        let from = self.deltas.len();
        let (packs, inflater, deltas) = (self.packs, &mut self.inflater, &mut self.deltas);
        Self::inflate(packs, inflater, (pack, at), header, size, deltas)?;
        Some(from..self.deltas.len())
    }

    /// The entry at `at`: what it is, the size of its data inflated, and the length of its
    /// header, after which the zlib stream of that data starts.
    fn entry_header(&self, pack: usize, at: u64) -> Option<(Entry, usize, usize)> {
        let bytes = self.packs.packs[pack]
            .data
            .get(usize::try_from(at).ok()?..)?;
        let mut byte = *bytes.first()?;
        let kind = (byte >> 4) & 7;
        let mut size = usize::from(byte & 0x0f);
        let mut used = 1;
        let mut shift = 4;
        while byte & 0x80 != 0 {
            byte = *bytes.get(used)?;
            used += 1;
            size |= usize::from(byte & 0x7f).checked_shl(shift)?;
            shift += 7;
        }
        let entry = match kind {
            6 => {
                // The base's distance back. A base lies before its delta, so a chain ends.
                let (distance, next) = offset_varint(bytes, used)?;
                used = next;
                let distance = u64::try_from(distance).ok().filter(|&d| d > 0)?;
                Entry::DeltaAt(at.checked_sub(distance)?)
            }
            7 => {
                let base = Oid::from_bytes(bytes.get(used..used + OID_LEN)?).ok()?;
                used += OID_LEN;
                Entry::DeltaOn(base)
            }
            code => Entry::Whole(WHOLE_KINDS.iter().find(|(c, _)| *c == code)?.1),
        };
        Some((entry, size, used))
    }
}

/// Inflates zlib streams with libdeflate, which decodes a whole buffer at once: a pack entry
/// says how large its data is, and the pack is mapped, so nothing is streamed. zlib took a
/// third of a full audit, most of it building the decoding tables of small streams, which
/// libdeflate does in about half the time.
///
/// Most deltas are a single block in deflate's fixed code, whose tables a decompressor builds
/// once and keeps until it decodes a block with a code of its own. So streams that open with
/// a block of their own code go to one decompressor, and all others (fixed code, or stored)
/// to another, which keeps the fixed code's tables from one stream to the next.
struct Inflater {
    fixed_code: Decompressor,
    dynamic_code: Decompressor,
}

/// A libdeflate decompressor, with the decoding tables of the last block it decoded.
struct Decompressor(std::ptr::NonNull<libdeflate_sys::libdeflate_decompressor>);

/// A zlib stream's header (`RFC 1950`): two bytes, without a preset dictionary in git's
/// objects.
const ZLIB_HEADER: usize = 2;
/// A deflate block's type (`RFC 1951`), in bits 1 and 2 of its first byte: 2 is a block
/// with a code of its own.
const DYNAMIC_CODE_BLOCK: u8 = 2;

impl Inflater {
    fn new() -> Inflater {
        Inflater {
            fixed_code: Decompressor::new(),
            dynamic_code: Decompressor::new(),
        }
    }

    /// Appends to `out` the `size` bytes of the zlib stream at the start of `input` (which
    /// may go on after it), and says how long the stream was; `None`, with `out` as it was, if
    /// it is not a stream of exactly that size.
    fn inflate(&mut self, input: &[u8], size: usize, out: &mut Vec<u8>) -> Option<usize> {
        let first_block = input.get(ZLIB_HEADER).map(|byte| (byte >> 1) & 3);
        if first_block == Some(DYNAMIC_CODE_BLOCK) {
            self.dynamic_code.inflate(input, size, out)
        } else {
            self.fixed_code.inflate(input, size, out)
        }
    }
}

impl Decompressor {
    fn new() -> Decompressor {
        // SAFETY: allocates a decompressor; null when memory is short.
        let decompressor = unsafe { libdeflate_sys::libdeflate_alloc_decompressor() };
        match std::ptr::NonNull::new(decompressor) {
            Some(decompressor) => Decompressor(decompressor),
            // As any allocation that fails in Rust; the layout only shows in the message.
            None => std::alloc::handle_alloc_error(std::alloc::Layout::new::<[u8; 1 << 15]>()),
        }
    }

    fn inflate(&mut self, input: &[u8], size: usize, out: &mut Vec<u8>) -> Option<usize> {
        // A damaged header can claim any size: refuse what cannot be had instead of aborting.
        // Never less than a byte, so that libdeflate is always given real memory.
        out.try_reserve_exact(size.max(1)).ok()?;
        let (mut read, mut written) = (0usize, 0usize);
        // SAFETY: libdeflate reads at most `input.len()` bytes of `input` and writes at most
        // `size` bytes into the room reserved after `out`'s contents, reporting how many in
        // `written`.
        let result = unsafe {
            libdeflate_sys::libdeflate_zlib_decompress_ex(
                self.0.as_ptr(),
                input.as_ptr().cast(),
                input.len(),
                out.as_mut_ptr().add(out.len()).cast(),
                size,
                &mut read,
                &mut written,
            )
        };
        if result != libdeflate_sys::libdeflate_result_LIBDEFLATE_SUCCESS || written != size {
            return None;
        }
        // SAFETY: the `size` bytes after the contents were just written.
        unsafe { out.set_len(out.len() + size) };
        Some(read)
    }
}

impl Drop for Decompressor {
    fn drop(&mut self) {
        // SAFETY: allocated by `Decompressor::new`, freed once.
        unsafe { libdeflate_sys::libdeflate_free_decompressor(self.0.as_ptr()) }
    }
}

/// The size of what a git delta builds.
fn delta_target_size(delta: &[u8]) -> Option<usize> {
    let (_, at) = delta_size(delta, 0)?;
    Some(delta_size(delta, at)?.0)
}

/// Applies a git delta (copy and insert instructions) to `base`, into `out` (emptied first).
fn apply_delta(base: &[u8], delta: &[u8], out: &mut Vec<u8>) -> Option<()> {
    out.clear();
    let (base_size, mut at) = delta_size(delta, 0)?;
    let (size, next) = delta_size(delta, at)?;
    at = next;
    if base_size != base.len() {
        return None;
    }
    out.try_reserve_exact(size).ok()?;
    while at < delta.len() {
        let op = delta[at];
        at += 1;
        if op & 0x80 != 0 {
            let mut offset = 0usize;
            let mut length = 0usize;
            for bit in 0..4 {
                if op & (1 << bit) != 0 {
                    offset |= usize::from(*delta.get(at)?) << (8 * bit);
                    at += 1;
                }
            }
            for bit in 0..3 {
                if op & (0x10 << bit) != 0 {
                    length |= usize::from(*delta.get(at)?) << (8 * bit);
                    at += 1;
                }
            }
            if length == 0 {
                length = 0x10000;
            }
            out.extend_from_slice(base.get(offset..offset.checked_add(length)?)?);
        } else if op != 0 {
            let length = usize::from(op);
            out.extend_from_slice(delta.get(at..at + length)?);
            at += length;
        } else {
            return None;
        }
    }
    (out.len() == size).then_some(())
}

/// A size at the start of a delta: seven bits a byte, least significant first.
fn delta_size(delta: &[u8], mut at: usize) -> Option<(usize, usize)> {
    let mut size = 0usize;
    let mut shift = 0u32;
    loop {
        let byte = *delta.get(at)?;
        at += 1;
        size |= usize::from(byte & 0x7f).checked_shl(shift)?;
        shift += 7;
        if byte & 0x80 == 0 {
            return Some((size, at));
        }
    }
}

/// The objects a reader keeps, by where they are in a pack: large ones apart, so that the
/// versions of a large tree never push out the small objects a walk comes back to.
struct ObjectCache {
    small: Generations,
    large: Generations,
}

impl ObjectCache {
    fn new(limit: usize) -> ObjectCache {
        let large = limit / LARGE_SHARE;
        ObjectCache {
            small: Generations::new(limit - large),
            large: Generations::new(large),
        }
    }

    fn get(&mut self, pack: usize, offset: u64) -> Option<Object> {
        self.small
            .get(pack, offset)
            .or_else(|| self.large.get(pack, offset))
    }

    fn put(&mut self, pack: usize, offset: u64, object: Object) {
        if object.data.len() > LARGE_OBJECT {
            self.large.put(pack, offset, object);
        } else {
            self.small.put(pack, offset, object);
        }
    }
}

/// Objects by where they are in a pack, in two generations: new objects go into the young
/// one, and once it weighs half the limit the old generation is dropped and the young one
/// becomes old. An object found in the old generation is moved back to the young one. This
/// keeps what a walk keeps asking for, at a constant cost per object.
struct Generations {
    limit: usize,
    young: Generation,
    old: Generation,
}

#[derive(Default)]
struct Generation {
    bytes: usize,
    objects: HashMap<u64, Object, BuildHasherDefault<OffsetHasher>>,
}

impl Generation {
    fn insert(&mut self, key: u64, object: Object) {
        self.bytes += object.data.len();
        if let Some(old) = self.objects.insert(key, object) {
            self.bytes -= old.data.len();
        }
    }
}

impl Generations {
    fn new(limit: usize) -> Generations {
        Generations {
            limit,
            young: Generation::default(),
            old: Generation::default(),
        }
    }

    fn key(pack: usize, offset: u64) -> u64 {
        // Offsets stay below 2^48 (256 TB); packs below 2^16.
        (pack as u64) << 48 | offset
    }

    fn get(&mut self, pack: usize, offset: u64) -> Option<Object> {
        let key = Generations::key(pack, offset);
        if let Some(object) = self.young.objects.get(&key) {
            return Some(object.clone());
        }
        let object = self.old.objects.remove(&key)?;
        self.old.bytes -= object.data.len();
        self.put(pack, offset, object.clone());
        Some(object)
    }

    fn put(&mut self, pack: usize, offset: u64, object: Object) {
        if object.data.len() > self.limit / 4 {
            return;
        }
        self.young.insert(Generations::key(pack, offset), object);
        if self.young.bytes > self.limit / 2 {
            self.old = std::mem::take(&mut self.young);
        }
    }

    #[cfg(test)]
    fn bytes(&self) -> usize {
        self.young.bytes + self.old.bytes
    }
}

/// Hashes the cache's keys, pack offsets that are already spread well, with one multiply;
/// the standard library's SipHash cost more than the lookups themselves.
#[derive(Default)]
struct OffsetHasher(u64);

impl Hasher for OffsetHasher {
    fn finish(&self) -> u64 {
        self.0.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(32)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 << 8 | u64::from(byte)).wrapping_mul(31);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use std::process::Command;

    /// Runs git in `dir`, away from the machine's configuration, and asserts it succeeds.
    pub(in crate::store::git) fn git(dir: &Path, args: &[&str]) {
        let status = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", dir)
            .env("GIT_AUTHOR_NAME", "T")
            .env("GIT_AUTHOR_EMAIL", "t@example.org")
            .env("GIT_COMMITTER_NAME", "T")
            .env("GIT_COMMITTER_EMAIL", "t@example.org")
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    }

    /// A repository whose history git packs into long chains of deltas, plus one loose commit.
    /// With `by_offset` false, each delta names its base by id (as in a pack that was fetched
    /// thin and completed) instead of by position.
    fn packed_repository(by_offset: bool) -> (tempfile::TempDir, Repository) {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q"]);
        let mut text = String::new();
        for round in 0..40 {
            for file in 0..5 {
                text.push_str(&format!("line {round} of file {file}\n"));
                std::fs::write(dir.path().join(format!("f{file}.txt")), &text).unwrap();
            }
            git(dir.path(), &["add", "-A"]);
            git(
                dir.path(),
                &["commit", "-q", "-m", &format!("round {round}")],
            );
        }
        let offsets = format!("repack.useDeltaBaseOffset={by_offset}");
        git(
            dir.path(),
            &[
                "-c",
                &offsets,
                "repack",
                "-adq",
                "--depth=50",
                "--window=50",
            ],
        );
        std::fs::write(dir.path().join("loose.txt"), "not packed\n").unwrap();
        git(dir.path(), &["add", "-A"]);
        git(dir.path(), &["commit", "-q", "-m", "loose"]);
        let repo = Repository::open(dir.path()).unwrap();
        (dir, repo)
    }

    fn all_objects(repo: &Repository) -> Vec<Oid> {
        let mut oids = Vec::new();
        repo.odb()
            .unwrap()
            .foreach(|oid| {
                oids.push(*oid);
                true
            })
            .unwrap();
        oids
    }

    #[test]
    fn every_object_reads_as_libgit2_reads_it_whatever_the_cache() {
        for by_offset in [true, false] {
            every_object_reads_as_libgit2_reads_it(by_offset);
        }
    }

    fn every_object_reads_as_libgit2_reads_it(by_offset: bool) {
        let (_dir, repo) = packed_repository(by_offset);
        let packs = Packs::open(&repo);
        assert_eq!(packs.packs.len(), 1);
        let odb = repo.odb().unwrap();
        let oids = all_objects(&repo);
        let packed = oids.iter().filter(|&&oid| packs.find(oid, 0).is_some());
        assert!(packed.count() > 200, "the history is packed");
        // A cache too small to hold anything makes every read rebuild its whole chain.
        for cache in [ObjectReader::CACHE_BYTES, 0] {
            let mut reader = ObjectReader::with_cache(&packs, &repo, cache);
            for (n, &oid) in oids.iter().rev().enumerate() {
                if n % 50 == 0 {
                    packs.release_mapped_pages(0);
                }
                // Packed objects are read from the pack, not left to libgit2.
                let ours = match packs.find(oid, 0) {
                    Some((pack, offset)) => reader.read_packed(pack, offset).expect("packed"),
                    None => reader.read(oid).unwrap(),
                };
                let theirs = odb.read(oid).unwrap();
                assert_eq!(ours.kind, theirs.kind(), "{oid}");
                assert_eq!(&ours.data[..], theirs.data(), "{oid}");
            }
        }
    }

    #[test]
    fn a_release_keeps_the_regions_used_last_and_forgets_the_others() {
        let (_dir, repo) = packed_repository(true);
        let mut packs = Packs::open(&repo);
        // Regions as if the pack were 12 MB long (those past its end are never given back),
        // used in the order 2, 0, 1.
        packs.packs[0].last_used = (0..3).map(|_| AtomicUsize::new(0)).collect();
        for region in [2u64, 0, 1] {
            packs.note_read(0, region * REGION_BYTES + 5, 10);
        }
        let stamps = |packs: &Packs| -> Vec<usize> {
            let regions = &packs.packs[0].last_used;
            regions.iter().map(|s| s.load(Ordering::Relaxed)).collect()
        };
        assert_eq!(stamps(&packs), [2, 3, 1]);
        packs.release_mapped_pages(2);
        assert_eq!(stamps(&packs), [2, 3, 0], "the least recent is given back");
        packs.note_read(0, 2 * REGION_BYTES, 1);
        packs.release_mapped_pages(3);
        assert_eq!(stamps(&packs), [2, 3, 4], "within the limit all stay");
        packs.release_mapped_pages(0);
        assert_eq!(stamps(&packs), [0, 0, 0]);
        // An entry across a boundary stamps both regions.
        packs.note_read(0, REGION_BYTES - 2, 4);
        assert_eq!(stamps(&packs), [5, 5, 0]);
        // Reading after a release maps the pages again.
        let (pack, offset) = packs.find(all_objects(&repo)[0], 0).unwrap();
        let mut reader = ObjectReader::new(&packs, &repo);
        assert!(reader.read_packed(pack, offset).is_some());
    }

    #[test]
    fn deltas_are_applied_and_bad_ones_refused() {
        // Base "hello world"; copy 6 bytes from offset 0, insert "there".
        let apply_delta = |base: &[u8], delta: &[u8]| {
            let mut out = Vec::new();
            apply_delta(base, delta, &mut out).map(|()| out)
        };
        let delta = [11, 11, 0x90, 6, 5, b't', b'h', b'e', b'r', b'e'];
        assert_eq!(
            apply_delta(b"hello world", &delta).as_deref(),
            Some(&b"hello there"[..])
        );
        assert_eq!(apply_delta(b"hello", &delta), None, "wrong base size");
        let past_the_end = [11, 4, 0x91, 10, 4];
        assert_eq!(apply_delta(b"hello world", &past_the_end), None);
        let truncated = [11, 11, 0x90, 6, 5, b't'];
        assert_eq!(apply_delta(b"hello world", &truncated), None);
        // A damaged size, claiming petabytes, is refused rather than allocated.
        let huge = [5, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x90, 1];
        assert_eq!(apply_delta(b"hello", &huge), None);
    }

    /// `data` as a zlib stream, by libdeflate at `level` (0 stores it).
    fn zlib(data: &[u8], level: i32) -> Vec<u8> {
        // SAFETY: a compressor is allocated, used within the bounds given and freed.
        unsafe {
            let compressor = libdeflate_sys::libdeflate_alloc_compressor(level);
            assert!(!compressor.is_null());
            let mut out = vec![0u8; data.len() + 64];
            let written = libdeflate_sys::libdeflate_zlib_compress(
                compressor,
                data.as_ptr().cast(),
                data.len(),
                out.as_mut_ptr().cast(),
                out.len(),
            );
            libdeflate_sys::libdeflate_free_compressor(compressor);
            assert!(written > 0);
            out.truncate(written);
            out
        }
    }

    #[test]
    fn streams_of_every_block_type_inflate_in_any_order() {
        let short = b"a short delta: copy 40 bytes, insert these".to_vec();
        let varied: Vec<u8> = (0..20_000u32)
            .flat_map(|n| format!("{} ", n.wrapping_mul(2_654_435_761) % 977).into_bytes())
            .collect();
        let streams = [
            // Block types (RFC 1951): stored, the fixed code, a code of its own.
            (short.clone(), zlib(&short, 0), 0),
            (short.clone(), zlib(&short, 6), 1),
            (varied.clone(), zlib(&varied, 6), DYNAMIC_CODE_BLOCK),
        ];
        for (_, stream, block) in &streams {
            assert_eq!((stream[ZLIB_HEADER] >> 1) & 3, *block, "the stream tried");
        }
        let mut inflater = Inflater::new();
        // Each kind after each other, the fixed code's tables built before and after a
        // stream with a code of its own.
        for round in [0, 1, 2, 1, 0, 2, 2, 1, 1, 0] {
            let (data, stream, _) = &streams[round];
            let mut input = stream.clone();
            input.extend_from_slice(b"the next entry");
            let mut out = b"before".to_vec();
            let read = inflater
                .inflate(&input, data.len(), &mut out)
                .expect("inflates");
            assert_eq!(&out[..6], b"before");
            assert_eq!(&out[6..], data, "appended");
            assert_eq!(read, stream.len());
            let mut out = Vec::new();
            assert!(
                inflater.inflate(stream, data.len() + 1, &mut out).is_none(),
                "wrong size"
            );
            assert!(out.is_empty(), "nothing appended");
        }
    }

    #[test]
    fn large_objects_never_push_small_ones_out() {
        let object = |n: usize| Object {
            kind: ObjectType::Tree,
            data: Rc::new(vec![0u8; n]),
        };
        let limit = 64 * LARGE_OBJECT;
        let mut cache = ObjectCache::new(limit);
        cache.put(0, 1, object(100));
        // Large objects weighing several times the whole limit.
        for n in 0..(4 * limit / LARGE_OBJECT) {
            cache.put(0, 1000 + n as u64, object(LARGE_OBJECT + 1));
        }
        assert!(cache.get(0, 1).is_some(), "the small object is still kept");
        let last = 1000 + (4 * limit / LARGE_OBJECT) as u64 - 1;
        assert!(cache.get(0, last).is_some(), "the last large one is kept");
        assert!(
            cache.get(0, 1000).is_none(),
            "the first large ones are gone"
        );
        assert!(cache.small.bytes() + cache.large.bytes() <= limit);
    }

    #[test]
    fn the_cache_keeps_what_is_used_and_stays_under_its_limit() {
        let object = |n: usize| Object {
            kind: ObjectType::Blob,
            data: Rc::new(vec![0u8; n]),
        };
        let mut cache = Generations::new(100);
        cache.put(0, 1, object(20));
        cache.put(0, 2, object(20));
        // The young generation passes half the limit and becomes the old one.
        cache.put(0, 3, object(20));
        assert!(
            cache.get(0, 1).is_some(),
            "found in the old generation, moved back"
        );
        cache.put(0, 4, object(20));
        assert!(
            cache.get(0, 3).is_some(),
            "found in the old generation, moved back"
        );
        // Young again passes half: objects 2, not used for a generation, are gone.
        assert!(cache.get(0, 2).is_none());
        assert!(cache.get(0, 1).is_some() && cache.get(0, 3).is_some());
        assert!(cache.get(0, 4).is_some());
        assert!(cache.bytes() <= 100);
        cache.put(0, 9, object(40));
        assert!(cache.get(0, 9).is_none(), "more than a quarter is not kept");
        cache.put(1, 1, object(10));
        assert_eq!(
            cache.get(1, 1).map(|o| o.data.len()),
            Some(10),
            "packs are told apart"
        );
    }
}
