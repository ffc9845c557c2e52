//! Listing a whole history from git's commit-graph file (`objects/info/commit-graph`, or the
//! split chain in `objects/info/commit-graphs/`), which `git gc`, `git maintenance` and `git
//! commit-graph write` keep: every commit's parents by position, read without inflating a
//! commit. libgit2 1.9 reads such a file only without generation data of version 2 (the
//! `GDA2` chunk git writes by default since 2.31); given one with it, its revwalk reads every
//! commit out of the packs instead. gix-commitgraph reads both, and split chains.

use std::collections::HashMap;

use git2::{Oid, Repository};
use gix_commitgraph::{Graph, Position};

use crate::store::error::StoreError;

/// A repository's commit-graph, where git itself would read one.
pub(crate) struct CommitGraph {
    graph: Graph,
}

impl CommitGraph {
    /// The commit-graph of `repo`, unless git would not read it: where `core.commitGraph` is
    /// false, or where git shows parents other than the commits name (a shallow clone's
    /// boundary, grafts in `info/grafts`, replace refs). `None` as well where there is none,
    /// or it cannot be read.
    pub fn of(repo: &Repository) -> Option<CommitGraph> {
        let enabled = repo
            .config()
            .and_then(|config| config.get_bool("core.commitGraph"))
            .unwrap_or(true);
        if !enabled || parents_rewritten(repo) {
            return None;
        }
        let info = repo.commondir().join("objects").join("info");
        let graph = Graph::at(&info, gix_hash::Kind::Sha1, None).ok()?;
        Some(CommitGraph { graph })
    }

    /// The commits reachable from `tip`, parents before children, in the order libgit2's
    /// revwalk lists them from that one tip (topological, reversed), so that what the audit
    /// reports comes in the order it did. Commits the file does not hold, made since it was
    /// written, are read with libgit2. `None` where the file turns out damaged (a parent out
    /// of its range, a cycle).
    pub fn commits_from(
        &self,
        repo: &Repository,
        tip: Oid,
    ) -> Result<Option<Vec<Oid>>, StoreError> {
        let mut walk = Walk::new(&self.graph);
        let tip = walk.node(tip);
        if !walk.reach(repo, tip)? {
            return Ok(None);
        }
        let order = parents_first(walk.seen.len(), &walk.reached, |node| walk.parents(node));
        if order.len() != walk.reached.len() {
            return Ok(None);
        }
        Ok(Some(order.into_iter().map(|node| walk.id(node)).collect()))
    }

    /// Whether `ancestor` is reachable from `commit` (or is it): git's own test
    /// (`repo_in_merge_bases`), pruned by generation numbers. A commit whose generation is
    /// not above the ancestor's cannot descend from it, so only the commits between the two
    /// are read, where libgit2, given a file it gives up on, reads every commit of a history
    /// to answer no. Commits made since the file was written are read with libgit2. `None`
    /// where the graph cannot answer: the ancestor is not in it, its layers lack generation
    /// numbers, or it turns out damaged.
    pub fn reaches(
        &self,
        repo: &Repository,
        commit: Oid,
        ancestor: Oid,
    ) -> Result<Option<bool>, StoreError> {
        let Some(target) = self
            .graph
            .lookup(gix_hash::oid::from_bytes_unchecked(ancestor.as_bytes()))
        else {
            return Ok(None);
        };
        let floor = self.graph.commit_at(target).generation();
        if !self.graph.generation_numbers_available()
            || floor >= gix_commitgraph::GENERATION_NUMBER_MAX
        {
            return Ok(None);
        }
        let mut walk = Walk::new(&self.graph);
        let start = walk.node(commit);
        walk.seen[start as usize] = true;
        let mut pending = vec![start];
        while let Some(node) = pending.pop() {
            if node == target.0 {
                return Ok(Some(true));
            }
            if node < walk.in_graph && self.graph.commit_at(Position(node)).generation() <= floor {
                continue;
            }
            if !walk.read_parents(repo, node)? {
                return Ok(None);
            }
            walk.meet_parents(node, &mut pending);
        }
        Ok(Some(false))
    }
}

/// Whether git shows some commit with parents other than the ones it names, as the
/// commit-graph records them.
fn parents_rewritten(repo: &Repository) -> bool {
    repo.is_shallow()
        || repo.commondir().join("info").join("grafts").exists()
        || repo
            .references_glob("refs/replace/*")
            .map_or(true, |mut replaced| replaced.next().is_some())
}

/// The commits met so far, numbered: a commit the graph holds by its position there, one it
/// does not after the graph's.
struct Walk<'g> {
    graph: &'g Graph,
    in_graph: u32,
    /// The commits the graph does not hold: commit `in_graph + k` is `outside[k]`.
    outside: Vec<Oid>,
    outside_numbers: HashMap<Oid, u32>,
    /// For each commit, whether the walk met it.
    seen: Vec<bool>,
    /// Each commit met, where its parents are in `edges` (in the order the commit names them).
    spans: Vec<(u32, u32)>,
    edges: Vec<u32>,
    /// The commits met, the tip first.
    reached: Vec<u32>,
}

impl<'g> Walk<'g> {
    fn new(graph: &'g Graph) -> Walk<'g> {
        let in_graph = graph.num_commits();
        Walk {
            graph,
            in_graph,
            outside: Vec::new(),
            outside_numbers: HashMap::new(),
            seen: vec![false; in_graph as usize],
            spans: vec![(0, 0); in_graph as usize],
            edges: Vec::with_capacity(in_graph as usize + in_graph as usize / 8),
            reached: Vec::with_capacity(in_graph as usize),
        }
    }

    /// The number of commit `oid`.
    fn node(&mut self, oid: Oid) -> u32 {
        if let Some(position) = self
            .graph
            .lookup(gix_hash::oid::from_bytes_unchecked(oid.as_bytes()))
        {
            return position.0;
        }
        *self.outside_numbers.entry(oid).or_insert_with(|| {
            self.outside.push(oid);
            self.seen.push(false);
            self.spans.push((0, 0));
            self.in_graph + self.outside.len() as u32 - 1
        })
    }

    fn id(&self, node: u32) -> Oid {
        match node.checked_sub(self.in_graph) {
            Some(k) => self.outside[k as usize],
            None => Oid::from_bytes(self.graph.id_at(Position(node)).as_bytes())
                .expect("a commit-graph of SHA-1 ids"),
        }
    }

    fn parents(&self, node: u32) -> &[u32] {
        let (start, end) = self.spans[node as usize];
        &self.edges[start as usize..end as usize]
    }

    /// Meets every commit reachable from `tip`, depth first; false where the graph names a
    /// parent it does not hold.
    fn reach(&mut self, repo: &Repository, tip: u32) -> Result<bool, StoreError> {
        self.seen[tip as usize] = true;
        let mut pending = vec![tip];
        while let Some(node) = pending.pop() {
            self.reached.push(node);
            if !self.read_parents(repo, node)? {
                return Ok(false);
            }
            self.meet_parents(node, &mut pending);
        }
        Ok(true)
    }

    /// Reads the parents of `node` into `edges`, from the graph or, for a commit it does not
    /// hold, with libgit2; false where the graph names a parent it does not hold.
    fn read_parents(&mut self, repo: &Repository, node: u32) -> Result<bool, StoreError> {
        let start = self.edges.len();
        if node < self.in_graph {
            for parent in self.graph.commit_at(Position(node)).iter_parents() {
                let Ok(parent) = parent else { return Ok(false) };
                self.edges.push(parent.0);
            }
        } else {
            let commit = repo.find_commit(self.outside[(node - self.in_graph) as usize])?;
            for parent in commit.parent_ids() {
                let parent = self.node(parent);
                self.edges.push(parent);
            }
        }
        self.spans[node as usize] = (start as u32, self.edges.len() as u32);
        Ok(true)
    }

    /// Puts the parents of `node` not met before on `pending`.
    fn meet_parents(&mut self, node: u32, pending: &mut Vec<u32>) {
        let (start, end) = self.spans[node as usize];
        for at in start..end {
            let parent = self.edges[at as usize];
            if !std::mem::replace(&mut self.seen[parent as usize], true) {
                pending.push(parent);
            }
        }
    }
}

/// The commits `reached` from `reached[0]`, their tip, in libgit2's topological order
/// (`sort_in_topological_order` in revwalk.c, without ordering by time), reversed: a commit
/// comes once every child of it in `reached` came, the parents of the commit that came last
/// looked at first, each in the order its commit names them. `parents` lists a commit's
/// parents; numbers run below `count`.
fn parents_first<'e>(
    count: usize,
    reached: &[u32],
    parents: impl Fn(u32) -> &'e [u32],
) -> Vec<u32> {
    // 1 and the children still to come for a commit reached; 0 for one that came.
    let mut in_degree = vec![0u32; count];
    for &node in reached {
        in_degree[node as usize] = 1;
    }
    for &node in reached {
        for &parent in parents(node) {
            in_degree[parent as usize] += 1;
        }
    }
    // A stack: libgit2's queue without a comparison pops what it took last.
    let mut ready: Vec<u32> = reached.first().copied().into_iter().collect();
    let mut order = Vec::with_capacity(reached.len());
    while let Some(node) = ready.pop() {
        for &parent in parents(node) {
            let waiting = &mut in_degree[parent as usize];
            if *waiting == 0 {
                continue;
            }
            *waiting -= 1;
            if *waiting == 1 {
                ready.push(parent);
            }
        }
        in_degree[node as usize] = 0;
        order.push(node);
    }
    order.reverse();
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::git::packs::tests::git;
    use git2::{Signature, Sort, Time};
    use proptest::prelude::*;

    /// A repository of commits with no files, `parents[i]` naming commit `i`'s parents among
    /// the commits before it, `times[i]` its time (so that ties and clock skew occur).
    struct History {
        dir: tempfile::TempDir,
        repo: Repository,
        ids: Vec<Oid>,
    }

    impl History {
        fn new() -> History {
            let dir = tempfile::tempdir().unwrap();
            let repo = Repository::init(dir.path()).unwrap();
            History {
                dir,
                repo,
                ids: Vec::new(),
            }
        }

        fn commit(&mut self, parents: &[usize], time: i64) -> Oid {
            let tree = self.repo.treebuilder(None).unwrap().write().unwrap();
            let tree = self.repo.find_tree(tree).unwrap();
            let who = Signature::new("T", "t@example.org", &Time::new(time, 0)).unwrap();
            let parents: Vec<git2::Commit<'_>> = parents
                .iter()
                .map(|&p| self.repo.find_commit(self.ids[p]).unwrap())
                .collect();
            let parents: Vec<&git2::Commit<'_>> = parents.iter().collect();
            let message = format!("commit {}", self.ids.len());
            let id = self
                .repo
                .commit(None, &who, &who, &message, &tree, &parents)
                .unwrap();
            // A branch at every commit, for `git commit-graph write --reachable`.
            let branch = format!("refs/heads/c{}", self.ids.len());
            self.repo.reference(&branch, id, true, "").unwrap();
            self.ids.push(id);
            id
        }

        fn git(&self, args: &[&str]) {
            git(self.dir.path(), args);
        }

        fn libgit2_order(&self, tip: Oid) -> Vec<Oid> {
            let mut walk = self.repo.revwalk().unwrap();
            walk.push(tip).unwrap();
            walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE).unwrap();
            walk.collect::<Result<_, _>>().unwrap()
        }

        fn graph_order(&self, tip: Oid) -> Vec<Oid> {
            let graph = CommitGraph::of(&self.repo).expect("a commit-graph git would read");
            graph.commits_from(&self.repo, tip).unwrap().expect("read")
        }
    }

    /// Commit `i`'s parents, from numbers drawn for it: distinct, among the commits before it.
    fn parents_of(i: usize, drawn: &[usize]) -> Vec<usize> {
        let mut parents = Vec::new();
        if i > 0 {
            for d in drawn {
                if !parents.contains(&(d % i)) {
                    parents.push(d % i);
                }
            }
        }
        parents
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        /// From any tip, the walk over the commit-graph lists what libgit2's revwalk lists,
        /// in its order: with merges, with commits made since the file was written, with the
        /// file split in two layers, whatever the commits' times.
        #[test]
        fn the_walk_over_the_graph_is_libgit2s_revwalk(
            commits in proptest::collection::vec(
                (proptest::collection::vec(0usize..1000, 0..4), 0i64..4), 1..40),
            written in 1usize..40,
            split in proptest::option::of(1usize..40),
            tip in 0usize..40,
        ) {
            let mut history = History::new();
            let written = written.min(commits.len());
            let split = split.map(|s| (written + s).min(commits.len()));
            for (i, (drawn, time)) in commits.iter().enumerate() {
                history.commit(&parents_of(i, drawn), 1_700_000_000 + time);
                if i + 1 == written {
                    let layer = if split.is_some() { "--split" } else { "--reachable" };
                    history.git(&["commit-graph", "write", "--reachable", layer]);
                }
                if Some(i + 1) == split {
                    history.git(&["commit-graph", "write", "--reachable", "--split=no-merge"]);
                }
            }
            let tip = history.ids[tip % history.ids.len()];
            prop_assert_eq!(history.graph_order(tip), history.libgit2_order(tip));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        /// Whether one commit descends from another, answered over the graph, is libgit2's
        /// answer, for every pair of a random history; only an ancestor made since the file
        /// was written is left to libgit2.
        #[test]
        fn descent_over_the_graph_is_libgit2s(
            commits in proptest::collection::vec(proptest::collection::vec(0usize..1000, 0..4), 1..30),
            written in 1usize..30,
            split in proptest::option::of(1usize..30),
        ) {
            let mut history = History::new();
            let written = written.min(commits.len());
            let split = split.map(|s| (written + s).min(commits.len()));
            for (i, drawn) in commits.iter().enumerate() {
                history.commit(&parents_of(i, drawn), 1_700_000_000);
                if i + 1 == written {
                    let layer = if split.is_some() { "--split" } else { "--reachable" };
                    history.git(&["commit-graph", "write", "--reachable", layer]);
                }
                if Some(i + 1) == split {
                    history.git(&["commit-graph", "write", "--reachable", "--split=no-merge"]);
                }
            }
            let graph = CommitGraph::of(&history.repo).expect("a commit-graph git would read");
            let in_file = split.unwrap_or(written);
            for (a, &commit) in history.ids.iter().enumerate() {
                for (b, &ancestor) in history.ids.iter().enumerate() {
                    let answer = graph.reaches(&history.repo, commit, ancestor).unwrap();
                    prop_assert_eq!(answer.is_some(), b < in_file, "{} from {}", b, a);
                    let libgit2 = commit == ancestor
                        || history.repo.graph_descendant_of(commit, ancestor).unwrap();
                    if let Some(answer) = answer {
                        prop_assert_eq!(answer, libgit2, "is {} an ancestor of {}", b, a);
                    }
                }
            }
        }
    }

    #[test]
    fn the_graph_is_read_where_git_reads_it_and_only_there() {
        let mut history = History::new();
        let root = history.commit(&[], 1_700_000_000);
        let tip = history.commit(&[0], 1_700_000_001);
        let info = history.dir.path().join(".git").join("info");
        assert!(CommitGraph::of(&history.repo).is_none(), "none written");
        history.git(&["commit-graph", "write", "--reachable"]);
        assert!(CommitGraph::of(&history.repo).is_some());
        assert_eq!(history.graph_order(tip), [root, tip]);

        history.git(&["config", "core.commitGraph", "false"]);
        assert!(CommitGraph::of(&history.repo).is_none(), "turned off");
        history.git(&["config", "core.commitGraph", "true"]);
        assert!(CommitGraph::of(&history.repo).is_some());

        std::fs::create_dir_all(&info).unwrap();
        std::fs::write(info.join("grafts"), format!("{tip}\n")).unwrap();
        assert!(CommitGraph::of(&history.repo).is_none(), "grafts");
        std::fs::remove_file(info.join("grafts")).unwrap();

        history.git(&["replace", &tip.to_string(), &root.to_string()]);
        assert!(CommitGraph::of(&history.repo).is_none(), "replace refs");
        history.git(&["replace", "-d", &tip.to_string()]);
        assert!(CommitGraph::of(&history.repo).is_some());

        let shallow = history.dir.path().join(".git").join("shallow");
        std::fs::write(&shallow, format!("{tip}\n")).unwrap();
        assert!(CommitGraph::of(&history.repo).is_none(), "shallow");
        std::fs::remove_file(&shallow).unwrap();
        assert!(CommitGraph::of(&history.repo).is_some());
    }
}
