//! Git's file formats, read and written by hand where libgit2 is too slow at 100,000 claims.
//! Each part promises, in git's terms, what git itself would do, and is tested against git or
//! libgit2; each stays because of a row of `BENCHMARKS.md` ("How the targets are met"):
//!
//! - [`index`]: reads git's index as git does (mapped, its checksum verified only by `git
//!   fsck`), and writes it again with a few entries patched or inserted and every other byte
//!   kept, the cached trees of the changed folders moved to the new trees: what libgit2 writes.
//!   What it does not fully understand (a split or sparse index, extensions that record
//!   offsets, an insertion into a version 4 index) it leaves to libgit2. Row "A write
//!   commit": libgit2 parsed and rewrote the 10 MB index in 300 ms of a 350 ms write.
//! - [`index_hash`]: the index's SHA-1 checksum, resumed from a state saved beside the index,
//!   so that a write hashes from its first change on (half the file on average). Same row.
//! - [`pack_writer`]: a change's objects as one pack and `.idx`, version 2, as `git
//!   index-pack` would write them, flushed before the branch moves. Same row: libgit2's pack
//!   builder took 2.2 ms for five objects.
//! - [`packing`]: which packs of the tool's changes there are, merged sixteen at a time so
//!   that a repository keeps few packs, and removed only when git's housekeeping
//!   ([`housekeeping`]: a running `gc`, a multi-pack-index) lets go of them. Row "Bytes per
//!   transition": 30 KB a change against 51 KB loose.
//! - [`packs`]: reads objects from packs (`.idx` version 2, offset and reference deltas) on
//!   all cores, each thread with its own cache, large objects apart. Row "A full audit" and
//!   run T: the audit of 100,000 commits in 6–11 s as the machine's day goes, against the
//!   10 s target.
//! - [`commit_graph`]: lists a whole history, parents before children in libgit2's revwalk
//!   order, from git's commit-graph file (read with gix-commitgraph), where git itself would
//!   read one; libgit2 1.9 refuses the file git writes by default since 2.31 and reads every
//!   commit instead. Section "the full audit's listing of commits" of `BENCHMARKS.md`: before
//!   a full audit's threads start, 0.08–0.14 s against 1.2–2.2 s on a loaded machine (0.7–0.9
//!   s idle), and a peak 36 MB lower.
//!
//! Outside this folder, two more readers redo what gix does and stay for the same reason:
//! gix 0.91 is slower at each (`bench/readers.rs`; section "gix against the hand-written
//! readers" of `BENCHMARKS.md`, 100,000 claims and commits, the two run alternately):
//!
//! - `history`'s commit and tree parsers and its tree diff, over [`packs`]: what a full audit
//!   reads took 15.3 s against gix's 62.7 s (its object database, a pack cache as large as
//!   ours on each thread's handle, `gix-object`'s parsers, `gix-diff`'s tree changes; 21.7 s
//!   against 68.4 s with gix's object cache as well). Over half of gix's time is inflating
//!   with zlib-rs; [`packs`] inflates whole entries with libdeflate and keeps the objects it
//!   rebuilt. The change list of one new commit, repository opened: 1.10 ms against 1.40 ms.
//!   The commits themselves are listed by [`commit_graph`] where git's commit-graph file can
//!   be read, and by libgit2's revwalk where not (no file yet, as in a clone git's
//!   housekeeping has not run in, or only what came after the audit's cache): gix's own
//!   topological walk is twenty times slower without the file (6.3 s against 0.28 s).
//! - `worktree`'s scan of `records/` against the index and HEAD: 197 ms against 515 ms for
//!   gix's status (170 against 502 ms from the index to the working tree alone).

mod binary;
pub(crate) mod commit_graph;
pub(crate) mod housekeeping;
pub(crate) mod index;
pub(crate) mod index_hash;
pub(crate) mod pack_writer;
pub(crate) mod packing;
pub(crate) mod packs;
