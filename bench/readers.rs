//! Times the store's hand-written readers of git against gix's on one repository, for the
//! choice `src/store/git/mod.rs` records: keep a reader by hand only where gix is slower.
//!
//!     cargo run --release --example readers -- REPO [ROUNDS] [NAME]
//!
//! Each measurement (or only those whose name starts with NAME) runs ours and gix's
//! alternately, ROUNDS times (default 3), and prints the median of each in milliseconds:
//!
//! - history: what a full audit reads, on as many threads as the audit takes, each run read
//!   newest first: every commit, its parents' commits, their root and `records/` trees, the
//!   record files the commit changed, both versions of each. Ours: `HistoryReader` (its own
//!   pack reader, commit and tree parsers, tree diff). gix: its object database, one handle a
//!   thread with a pack cache of the same size, `gix-object`'s parsers, `gix-diff`'s tree
//!   changes.
//! - walk: the commits the audit replays, parents first (libgit2's revwalk, as the store
//!   asks for them, against gix's topological walk).
//! - one commit: opening the repository and the change list of HEAD's commit under
//!   `records/`, as an audit after one new commit does, in a process already running.
//! - status: which files under `records/` differ from the index or HEAD (the store's scan
//!   against gix's status, index to working tree, and with HEAD to index).

use std::path::{Path, PathBuf};
use std::time::Instant;

use claims::store::{HistoryReader, Store};
use gix::bstr::{BStr, BString, ByteSlice};
use gix::objs::Find as _;

/// The audit's cache of objects, shared out between its threads (see `audit::audit_commits`).
const CACHE_BYTES: usize = 48 << 20;

fn main() {
    let mut args = std::env::args().skip(1);
    let repo_dir = PathBuf::from(args.next().expect("usage: readers REPO [ROUNDS]"));
    let rounds: usize = args
        .next()
        .map_or(3, |r| r.parse().expect("ROUNDS is a number"));
    let only = args.next().unwrap_or_default();
    let store = Store::open(&repo_dir).expect("a claims repository");
    let head = store.head_commit().unwrap().expect("a commit");
    let commits = store.commits_since(head, None).unwrap();
    let ids: Vec<gix::ObjectId> = commits
        .iter()
        .map(|oid| gix::ObjectId::from_bytes_or_panic(oid.as_bytes()))
        .collect();
    let threads = claims::store::worker_threads();
    println!("# {} commits, {threads} threads, {}", ids.len(), load());

    let gix_repo = gix::open(&repo_dir).expect("gix opens it");
    let shared = gix_repo.clone().into_sync();

    compare(
        &only,
        "history, the full audit's reads",
        rounds,
        || ours_history(&store, &commits, threads),
        || gix_history(&shared, &ids, threads, false),
    );
    compare(
        &only,
        "history, gix's object cache too",
        rounds,
        || ours_history(&store, &commits, threads),
        || gix_history(&shared, &ids, threads, true),
    );
    compare(
        &only,
        "walk (commits, parents first)",
        rounds,
        || store.commits_since(head, None).unwrap().len(),
        || gix_walk(&gix_repo, ids[ids.len() - 1]),
    );
    compare(
        &only,
        "one commit (open, HEAD's record changes)",
        rounds * 10,
        || {
            let store = Store::open(&repo_dir).unwrap();
            let source = store.history_source();
            source
                .read(CACHE_BYTES / threads, |mut reader| {
                    Ok(ours_commit(&mut reader, head_oid(&store)))
                })
                .unwrap()
        },
        || {
            let repo = gix::open(&repo_dir).unwrap();
            let head = repo.head_id().unwrap().detach();
            gix_commit(&repo, head, &mut Buffers::default())
        },
    );
    compare(
        &only,
        "status, index to working tree (records/)",
        rounds,
        || store.uncommitted_records().unwrap().len(),
        || gix_status(&repo_dir, false),
    );
    compare(
        &only,
        "status, with HEAD to index (records/)",
        rounds,
        || store.uncommitted_records().unwrap().len(),
        || gix_status(&repo_dir, true),
    );
}

fn head_oid(store: &Store) -> git2::Oid {
    store.head_commit().unwrap().unwrap()
}

/// Runs `ours` and `theirs` alternately, `rounds` times each, and prints their medians; both
/// must give the same answer.
fn compare<A: PartialEq + std::fmt::Debug>(
    only: &str,
    name: &str,
    rounds: usize,
    mut ours: impl FnMut() -> A,
    mut theirs: impl FnMut() -> A,
) {
    if !name.starts_with(only) {
        return;
    }
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let start = Instant::now();
        let mine = ours();
        a.push(start.elapsed().as_secs_f64() * 1e3);
        let start = Instant::now();
        let gix = theirs();
        b.push(start.elapsed().as_secs_f64() * 1e3);
        assert_eq!(mine, gix, "{name}: ours and gix's answers differ");
    }
    println!(
        "{name}\tours {:.2} ms\tgix {:.2} ms\t({})",
        median(a),
        median(b),
        load()
    );
}

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn load() -> String {
    let loadavg = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let one = loadavg.split_whitespace().next().unwrap_or("?");
    format!("load {one}")
}

/// What both readers of history report: commits read, record versions read, their bytes.
type Tally = (usize, usize, usize);

fn add(a: Tally, b: Tally) -> Tally {
    (a.0 + b.0, a.1 + b.1, a.2 + b.2)
}

/// Splits `items` into one run a thread, each read newest first, as the audit does.
fn in_runs<T: Sync>(items: &[T], threads: usize, read: impl Fn(&[T]) -> Tally + Sync) -> Tally {
    let run = items.len().div_ceil(threads).max(2048);
    let read = &read;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(run)
            .map(|run| scope.spawn(move || read(run)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .fold((0, 0, 0), add)
    })
}

fn ours_history(store: &Store, commits: &[git2::Oid], threads: usize) -> Tally {
    let source = store.history_source();
    in_runs(commits, threads, |run| {
        source
            .read(CACHE_BYTES / threads, |mut reader| {
                Ok(run
                    .iter()
                    .rev()
                    .map(|&oid| ours_commit(&mut reader, oid))
                    .fold((0, 0, 0), add))
            })
            .unwrap()
    })
}

/// One commit as the audit reads it: the commit, its tree, its parents' commits and trees,
/// the changed records of `records/` and both versions of each.
fn ours_commit(reader: &mut HistoryReader<'_>, oid: git2::Oid) -> Tally {
    let commit = reader.commit(oid).unwrap();
    let tree = reader.tree(commit.tree).unwrap();
    let mut parent_tree = None;
    for &parent in &commit.parents {
        let parent = reader.commit(parent).unwrap();
        let tree = reader.tree(parent.tree).unwrap();
        parent_tree.get_or_insert(tree.id());
    }
    let deltas = reader.record_deltas(parent_tree, tree.id()).unwrap();
    let (mut versions, mut bytes) = (0, 0);
    for delta in deltas {
        for blob in [delta.before, delta.after].into_iter().flatten() {
            versions += 1;
            bytes += reader.blob(blob).unwrap().len();
        }
    }
    (1, versions, bytes)
}

#[derive(Default)]
struct Buffers {
    commit: Vec<u8>,
    parent: Vec<u8>,
    tree: Vec<u8>,
    blob: Vec<u8>,
    state: gix::diff::tree::State,
}

/// gix reading what `ours_history` reads, each thread with a cache of delta bases as large as
/// ours; with `objects`, half of it goes to gix's cache of whole objects instead.
fn gix_history(
    shared: &gix::ThreadSafeRepository,
    ids: &[gix::ObjectId],
    threads: usize,
    objects: bool,
) -> Tally {
    in_runs(ids, threads, |run| {
        let mut repo = shared.to_thread_local();
        let bytes = CACHE_BYTES / threads;
        if objects {
            repo.object_cache_size(bytes / 2);
        }
        let bases = if objects { bytes / 2 } else { bytes };
        repo.objects.set_pack_cache(move || {
            Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(bases))
        });
        let mut buffers = Buffers::default();
        run.iter()
            .rev()
            .map(|&id| gix_commit(&repo, id, &mut buffers))
            .fold((0, 0, 0), add)
    })
}

fn gix_commit(repo: &gix::Repository, id: gix::ObjectId, buffers: &mut Buffers) -> Tally {
    let objects = &repo.objects;
    let commit = objects
        .try_find(&id, &mut buffers.commit)
        .unwrap()
        .unwrap()
        .decode()
        .unwrap()
        .into_commit()
        .unwrap();
    let tree = commit.tree();
    let parents: Vec<gix::ObjectId> = commit.parents().collect();
    let after = records_tree(repo, tree, &mut buffers.tree);
    let mut before = None;
    for parent in parents {
        let parent = objects
            .try_find(&parent, &mut buffers.parent)
            .unwrap()
            .unwrap()
            .decode()
            .unwrap()
            .into_commit()
            .unwrap();
        let tree = parent.tree();
        let records = records_tree(repo, tree, &mut buffers.tree);
        before.get_or_insert(records);
    }
    let before = before.flatten();
    let mut changes = RecordChanges::default();
    if before != after {
        let mut lhs = Vec::new();
        let mut rhs = Vec::new();
        let lhs = tree_bytes(repo, before, &mut lhs);
        let rhs = tree_bytes(repo, after, &mut rhs);
        gix::diff::tree(
            gix::objs::TreeRefIter::from_bytes(lhs, gix::hash::Kind::Sha1),
            gix::objs::TreeRefIter::from_bytes(rhs, gix::hash::Kind::Sha1),
            &mut buffers.state,
            objects,
            &mut changes,
        )
        .unwrap();
    }
    let (mut versions, mut bytes) = (0, 0);
    for blob in changes.versions {
        versions += 1;
        bytes += objects
            .try_find(&blob, &mut buffers.blob)
            .unwrap()
            .unwrap()
            .data
            .len();
    }
    (1, versions, bytes)
}

/// The id of `records/` in the root tree `tree`.
fn records_tree(
    repo: &gix::Repository,
    tree: gix::ObjectId,
    buffer: &mut Vec<u8>,
) -> Option<gix::ObjectId> {
    let tree = repo
        .objects
        .try_find(&tree, buffer)
        .unwrap()
        .unwrap()
        .try_into_tree_iter()
        .unwrap();
    tree.filter_map(Result::ok)
        .find(|entry| entry.filename == "records" && entry.mode.is_tree())
        .map(|entry| entry.oid.to_owned())
}

fn tree_bytes<'b>(
    repo: &gix::Repository,
    tree: Option<gix::ObjectId>,
    buffer: &'b mut Vec<u8>,
) -> &'b [u8] {
    match tree {
        Some(tree) => {
            repo.objects.try_find(&tree, buffer).unwrap().unwrap();
            buffer
        }
        None => &[],
    }
}

/// The record files a tree diff finds changed, as the versions to read.
#[derive(Default)]
struct RecordChanges {
    path: BString,
    versions: Vec<gix::ObjectId>,
}

impl gix::diff::tree::Visit for RecordChanges {
    fn pop_front_tracked_path_and_set_current(&mut self) {}
    fn push_back_tracked_path_component(&mut self, _component: &BStr) {}
    fn push_path_component(&mut self, component: &BStr) {
        self.path = component.to_owned();
    }
    fn pop_path_component(&mut self) {}
    fn visit(&mut self, change: gix::diff::tree::visit::Change) -> gix::diff::tree::visit::Action {
        use gix::diff::tree::visit::Change;
        if self.path.ends_with(b".toml") {
            match change {
                Change::Addition {
                    entry_mode, oid, ..
                }
                | Change::Deletion {
                    entry_mode, oid, ..
                } if entry_mode.is_blob() => self.versions.push(oid),
                Change::Modification {
                    previous_entry_mode,
                    previous_oid,
                    entry_mode,
                    oid,
                } => {
                    if previous_entry_mode.is_blob() {
                        self.versions.push(previous_oid);
                    }
                    if entry_mode.is_blob() {
                        self.versions.push(oid);
                    }
                }
                _ => {}
            }
        }
        std::ops::ControlFlow::Continue(())
    }
}

/// gix's topological walk, with the commit-graph file git's housekeeping wrote when there is one.
fn gix_walk(repo: &gix::Repository, tip: gix::ObjectId) -> usize {
    let walk = gix::traverse::commit::topo::Builder::from_iters(
        &repo.objects,
        [tip],
        None::<Vec<gix::ObjectId>>,
    )
    .with_commit_graph(repo.commit_graph_if_enabled().unwrap())
    .sorting(gix::traverse::commit::topo::Sorting::TopoOrder)
    .build()
    .unwrap();
    walk.map(Result::unwrap).count()
}

/// The paths under `records/` gix's status lists.
fn gix_status(dir: &Path, with_head: bool) -> usize {
    let repo = gix::open(dir).unwrap();
    let status = repo
        .status(gix::progress::Discard)
        .unwrap()
        .index_worktree_rewrites(None)
        .index_worktree_submodules(gix::status::Submodule::Given {
            ignore: gix::submodule::config::Ignore::All,
            check_dirty: false,
        });
    let patterns = vec![BString::from("records/")];
    let mut paths = std::collections::BTreeSet::new();
    if with_head {
        for item in status.into_iter(patterns).unwrap() {
            paths.insert(item.unwrap().location().to_owned());
        }
    } else {
        for item in status.into_index_worktree_iter(patterns).unwrap() {
            let item = item.unwrap();
            if item.summary().is_some() {
                paths.insert(item.rela_path().to_owned());
            }
        }
    }
    paths.iter().filter(|p| p.to_str().is_ok()).count()
}
