//! Reading the workflow's history back out of git.

use std::collections::BTreeSet;
use std::path::Path;
use std::rc::Rc;

use git2::{ErrorCode, ObjectType, Oid, Sort};
use jiff::Timestamp;

use super::error::StoreError;
use super::git::commit_graph::CommitGraph;
use super::git::packs::{ObjectReader, Packs};
use super::repository::{RECORDS_DIR, Store};
use crate::domain::id::ClaimId;

/// The `Claim-*` trailers of a commit message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trailers {
    pub ids: Vec<String>,
    pub action: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// The commit whose audit findings an acceptance acknowledges.
    pub accepts: Option<String>,
}

impl Trailers {
    pub fn parse(message: &str) -> Trailers {
        let mut trailers = Trailers::default();
        let Ok(parsed) = git2::message_trailers_strs(message) else {
            return trailers;
        };
        for (key, value) in parsed.iter() {
            let value = value.trim().to_string();
            match key.to_ascii_lowercase().as_str() {
                "claim-id" => trailers.ids.push(value),
                "claim-action" => trailers.action = Some(value),
                "claim-from" => trailers.from = Some(value),
                "claim-to" => trailers.to = Some(value),
                "claim-accepts" => trailers.accepts = Some(value),
                _ => {}
            }
        }
        trailers
    }
}

/// One commit that changed records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub commit: Oid,
    pub author: String,
    pub at: Timestamp,
    pub subject: String,
    pub body: String,
    pub trailers: Trailers,
}

impl Change {
    pub(crate) fn of(commit: &git2::Commit<'_>) -> Change {
        let message = String::from_utf8_lossy(commit.message_bytes()).into_owned();
        let trailers = Trailers::parse(&message);
        let mut paragraphs = message.trim_end().split("\n\n");
        let subject = paragraphs.next().unwrap_or_default().trim().to_string();
        let rest: Vec<&str> = paragraphs.collect();
        // The body is everything between the subject and the trailer block.
        let body_parts = if trailers == Trailers::default() {
            &rest[..]
        } else {
            &rest[..rest.len().saturating_sub(1)]
        };
        let author = commit.author();
        Change {
            commit: commit.id(),
            author: format!(
                "{} <{}>",
                String::from_utf8_lossy(author.name_bytes()),
                String::from_utf8_lossy(author.email_bytes())
            ),
            at: Timestamp::from_second(author.when().seconds()).unwrap_or(Timestamp::UNIX_EPOCH),
            subject,
            body: body_parts.join("\n\n"),
            trailers,
        }
    }

    pub fn short_id(&self) -> String {
        self.commit.to_string()[..8].to_string()
    }
}

impl Store {
    /// A reader of commits, trees and blobs for a walk over history.
    pub(crate) fn history_reader(&self) -> HistoryReader<'_> {
        HistoryReader::new(ObjectReader::new(self.packs(), &self.repo))
    }

    /// Commits that changed `path`, newest first (up to `limit`). A commit made by the tool
    /// names every claim it changed in `Claim-Id` trailers, so `touches` decides it from the
    /// message alone; only commits without trailers (hand edits, merges) are compared tree
    /// against tree. `claims audit` is what proves the trailers honest.
    fn changes_to(
        &self,
        path: &str,
        limit: Option<usize>,
        touches: impl Fn(&Trailers) -> bool,
    ) -> Result<Vec<Change>, StoreError> {
        let repo = &self.repo;
        let Some(walk) = self.walk_from_head(Sort::TOPOLOGICAL | Sort::TIME)? else {
            return Ok(Vec::new());
        };
        let path = Path::new(path);
        let entry_at = |commit: &git2::Commit<'_>| -> Result<Option<Oid>, StoreError> {
            match commit.tree()?.get_path(path) {
                Ok(entry) => Ok(Some(entry.id())),
                Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
                Err(e) => Err(e.into()),
            }
        };
        let mut changes = Vec::new();
        for oid in walk {
            let commit = repo.find_commit(oid?)?;
            let trailers = Trailers::parse(&String::from_utf8_lossy(commit.message_bytes()));
            let changed = if !trailers.ids.is_empty() && commit.parent_count() <= 1 {
                touches(&trailers)
            } else if commit.parent_count() == 0 {
                entry_at(&commit)?.is_some()
            } else {
                // A merge or a hand edit changed the path if it differs from every parent.
                let here = entry_at(&commit)?;
                let mut differs = true;
                for parent in commit.parents() {
                    if entry_at(&parent)? == here {
                        differs = false;
                    }
                }
                differs
            };
            if changed {
                changes.push(Change::of(&commit));
                if limit.is_some_and(|limit| changes.len() >= limit) {
                    break;
                }
            }
        }
        Ok(changes)
    }

    /// The commits that changed one claim's record, newest first: from the log index in
    /// git's directory, or by walking the history where the index cannot be written or
    /// trusted.
    pub fn claim_history(&self, id: &ClaimId) -> Result<Vec<Change>, StoreError> {
        if let Ok(head) = self.repo.head().and_then(|h| h.peel_to_commit()) {
            match self.indexed_history(id, head.id()) {
                Ok(Some(changes)) => return Ok(changes),
                Ok(None) | Err(StoreError::Io { .. }) => {}
                Err(other) => return Err(other),
            }
        }
        self.changes_to(&id.record_path(), None, |trailers| {
            trailers.ids.iter().any(|named| named == id.as_str())
        })
    }

    /// The commits that changed any record, newest first.
    pub fn repository_history(&self, limit: Option<usize>) -> Result<Vec<Change>, StoreError> {
        self.changes_to(RECORDS_DIR, limit, |_| true)
    }
}

impl Store {
    /// Every commit reachable from HEAD, in `sorting` order; `None` before the first commit.
    fn walk_from_head(&self, sorting: Sort) -> Result<Option<git2::Revwalk<'_>>, StoreError> {
        let mut walk = self.repo.revwalk()?;
        match walk.push_head() {
            Ok(()) => {}
            Err(e) if e.code() == ErrorCode::UnbornBranch || e.code() == ErrorCode::NotFound => {
                return Ok(None);
            }
            Err(e) => return Err(e.into()),
        }
        walk.set_sorting(sorting)?;
        Ok(Some(walk))
    }

    /// Every commit the tool made (those with `Claim-Id` trailers), oldest first. Reads commit
    /// messages only, never trees, so replaying a long history stays fast; hand-made commits
    /// without trailers are not seen.
    pub fn workflow_changes(&self) -> Result<Vec<Change>, StoreError> {
        // Parents before children even within one second, where times cannot order them.
        let Some(walk) = self.walk_from_head(Sort::TOPOLOGICAL | Sort::TIME | Sort::REVERSE)?
        else {
            return Ok(Vec::new());
        };
        let mut changes = Vec::new();
        for oid in walk {
            let change = Change::of(&self.repo.find_commit(oid?)?);
            if !change.trailers.ids.is_empty() {
                changes.push(change);
            }
        }
        Ok(changes)
    }
}

/// What an audit of history asks of git, besides the objects a [`HistoryReader`] reads.
impl Store {
    /// The commit HEAD points at; `None` before the first commit.
    pub fn head_commit(&self) -> Result<Option<Oid>, StoreError> {
        match self.repo.head() {
            Ok(head) => Ok(Some(head.peel_to_commit()?.id())),
            Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Whether `commit` is `ancestor` or one of its descendants.
    pub fn descends_from(&self, commit: Oid, ancestor: Oid) -> bool {
        if commit == ancestor {
            return true;
        }
        let graph = CommitGraph::of(&self.repo);
        match graph.map(|graph| graph.reaches(&self.repo, commit, ancestor)) {
            Some(Ok(Some(answer))) => answer,
            // A commit the graph names and the object database lacks is no answer either.
            _ => self
                .repo
                .graph_descendant_of(commit, ancestor)
                .unwrap_or(false),
        }
    }

    /// The commits reachable from `tip` and not from `boundary`, parents before children, in
    /// the order of libgit2's revwalk (topological, reversed). All of history is listed from
    /// git's commit-graph file where git would read one: libgit2 gives up on the files git
    /// writes by default since 2.31 and reads each commit instead, while the audit's other
    /// threads wait (BENCHMARKS.md, run U). What came after a boundary, a few commits as a
    /// rule, is left to libgit2.
    pub fn commits_since(&self, tip: Oid, boundary: Option<Oid>) -> Result<Vec<Oid>, StoreError> {
        if boundary.is_none()
            && let Some(graph) = CommitGraph::of(&self.repo)
            && let Some(commits) = graph.commits_from(&self.repo, tip)?
        {
            return Ok(commits);
        }
        let mut walk = self.repo.revwalk()?;
        walk.push(tip)?;
        if let Some(boundary) = boundary {
            walk.hide(boundary)?;
        }
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
        Ok(walk.collect::<Result<_, _>>()?)
    }

    /// Whether this is a shallow clone, whose history stops at a boundary.
    pub fn is_shallow(&self) -> bool {
        self.repo.is_shallow()
    }

    /// The commits at the boundary of a shallow clone: their parents are not here.
    pub fn shallow_roots(&self) -> BTreeSet<Oid> {
        std::fs::read_to_string(self.repo.commondir().join("shallow"))
            .unwrap_or_default()
            .lines()
            .filter_map(|line| Oid::from_str(line.trim()).ok())
            .collect()
    }

    /// What threads open readers of history from, each its own.
    pub fn history_source(&self) -> HistorySource<'_> {
        HistorySource {
            git_dir: self.repo.path(),
            packs: self.packs(),
        }
    }
}

/// The repository's history for threads of their own to read: the packs are mapped once and
/// shared, and each reader has its own handle on git and its own cache.
pub struct HistorySource<'s> {
    git_dir: &'s Path,
    packs: &'s Packs,
}

impl HistorySource<'_> {
    /// Runs `read` with a reader whose cache holds up to `cache_bytes` of objects.
    pub fn read<R>(
        &self,
        cache_bytes: usize,
        read: impl for<'r> FnOnce(HistoryReader<'r>) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let repo = git2::Repository::open(self.git_dir)?;
        read(HistoryReader::new(ObjectReader::with_cache(
            self.packs,
            &repo,
            cache_bytes,
        )))
    }
}

/// One record file's versions before and after a commit.
pub struct Delta {
    pub path: String,
    pub before: Option<Oid>,
    pub after: Option<Oid>,
}

/// A tree as git stores it: entries of `<mode> <name>\0<id>`, in git's order, checked to be
/// well formed when read.
#[derive(Clone)]
pub struct RawTree {
    id: Oid,
    data: Rc<Vec<u8>>,
    /// Where each entry ends.
    ends: Rc<Vec<usize>>,
}

/// One entry of a `RawTree`.
#[derive(Clone, Copy)]
pub struct RawEntry<'a> {
    /// The whole entry as stored: equal bytes, equal entries.
    bytes: &'a [u8],
    pub name: &'a [u8],
    is_tree: bool,
}

impl RawTree {
    fn parse(id: Oid, data: Rc<Vec<u8>>) -> Result<RawTree, StoreError> {
        let mut ends = Vec::new();
        Self::parse_entries(id, &data, 0, &mut ends)?;
        Ok(RawTree {
            id,
            data,
            ends: Rc::new(ends),
        })
    }

    /// Parses `data` as a version of `like`, a tree already parsed: most versions of a tree
    /// differ from the next in an entry or two. Where the two have the same bytes from the
    /// start, or from an entry's start to the end, the entries are `like`'s, since parsing is
    /// the same on the same bytes; only the entries between are parsed. At 100,000 claims the
    /// `records/` tree lists 1,024 folders in 30 KB, and parsing it entry by entry was a
    /// twelfth of a full audit.
    fn parse_like(id: Oid, data: Rc<Vec<u8>>, like: &RawTree) -> Result<RawTree, StoreError> {
        let (new, old) = (&data[..], &like.data[..]);
        let prefix = common_prefix(new, old);
        let suffix = common_suffix(new, old).min(new.len().min(old.len()) - prefix);
        // Entries ending within the common start are `like`'s; parsing goes on from there.
        let kept = like.ends.partition_point(|&end| end <= prefix);
        let mut ends = Vec::with_capacity(like.ends.len() + 1);
        ends.extend_from_slice(&like.ends[..kept]);
        let mut at = ends.last().copied().unwrap_or(0);
        // From an entry's start within the common end, on, the entries are `like`'s too,
        // moved by the difference in length.
        let tail = new.len() - suffix;
        let same_from = |at: usize| -> Option<usize> {
            if at < tail {
                return None;
            }
            let at_in_like = (at + old.len()).checked_sub(new.len())?;
            let next = like.ends.partition_point(|&end| end <= at_in_like);
            let starts_an_entry =
                at_in_like == 0 || like.ends.get(next.wrapping_sub(1)) == Some(&at_in_like);
            starts_an_entry.then_some(next)
        };
        loop {
            if let Some(next) = same_from(at) {
                ends.extend(
                    like.ends[next..]
                        .iter()
                        .map(|&end| end + new.len() - old.len()),
                );
                break;
            }
            if at >= new.len() {
                break;
            }
            at = Self::parse_entry(id, new, at)?;
            ends.push(at);
        }
        Ok(RawTree {
            id,
            data,
            ends: Rc::new(ends),
        })
    }

    /// Parses the entries of `data` from `at` on, pushing where each ends.
    fn parse_entries(
        id: Oid,
        data: &[u8],
        mut at: usize,
        ends: &mut Vec<usize>,
    ) -> Result<(), StoreError> {
        while at < data.len() {
            at = Self::parse_entry(id, data, at)?;
            ends.push(at);
        }
        Ok(())
    }

    /// Where the entry starting at `at` ends: `<mode> <name>\0` and a 20-byte id.
    fn parse_entry(id: Oid, data: &[u8], at: usize) -> Result<usize, StoreError> {
        let rest = &data[at..];
        let nul = rest
            .iter()
            .position(|&b| b == 0)
            .filter(|&nul| nul + 21 <= rest.len() && rest[..nul].contains(&b' '))
            .ok_or_else(|| {
                StoreError::Git(git2::Error::from_str(&format!("tree {id} is damaged")))
            })?;
        Ok(at + nul + 21)
    }

    pub fn id(&self) -> Oid {
        self.id
    }

    fn entry(&self, index: usize) -> RawEntry<'_> {
        let start = index.checked_sub(1).map_or(0, |i| self.ends[i]);
        let bytes = &self.data[start..self.ends[index]];
        let space = bytes.iter().position(|&b| b == b' ').expect("checked");
        RawEntry {
            bytes,
            name: &bytes[space + 1..bytes.len() - 21],
            // Git writes a folder's mode as 40000; old tools padded it with a zero.
            is_tree: is_folder_mode(&bytes[..space]),
        }
    }

    fn entries(&self) -> impl Iterator<Item = RawEntry<'_>> {
        (0..self.ends.len()).map(|i| self.entry(i))
    }

    fn get(&self, name: &[u8]) -> Option<RawEntry<'_>> {
        self.entries().find(|entry| entry.name == name)
    }

    /// The entries that differ from `other`'s, when both list the same names (the entries end
    /// at the same places and, entry by entry, differ at most in their ids); `None` otherwise.
    fn changed_ids(&self, other: &RawTree) -> Option<Vec<usize>> {
        if self.ends != other.ends {
            return None;
        }
        // Compare runs of entries at once, and entry by entry only within a run that differs.
        const RUN: usize = 32;
        let mut changed = Vec::new();
        for first in (0..self.ends.len()).step_by(RUN) {
            let last = (first + RUN).min(self.ends.len()) - 1;
            let start = first.checked_sub(1).map_or(0, |i| self.ends[i]);
            let span = start..self.ends[last];
            if self.data[span.clone()] == other.data[span] {
                continue;
            }
            for index in first..=last {
                let (a, b) = (self.entry(index), other.entry(index));
                if a.bytes != b.bytes {
                    if a.bytes[..a.bytes.len() - 20] != b.bytes[..b.bytes.len() - 20] {
                        return None;
                    }
                    changed.push(index);
                }
            }
        }
        Some(changed)
    }
}

/// How many bytes `a` and `b` have the same from their start.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let words = a.chunks_exact(WORD).zip(b.chunks_exact(WORD));
    let same = words.take_while(|(a, b)| word(a) == word(b)).count() * WORD;
    same + a[same..]
        .iter()
        .zip(&b[same..])
        .take_while(|(a, b)| a == b)
        .count()
}

/// How many bytes `a` and `b` have the same at their end.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    let words = a.rchunks_exact(WORD).zip(b.rchunks_exact(WORD));
    let same = words.take_while(|(a, b)| word(a) == word(b)).count() * WORD;
    let (a, b) = (&a[..a.len() - same], &b[..b.len() - same]);
    same + a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(a, b)| a == b)
        .count()
}

/// Bytes compared a word at a time: as slices, each comparison was a call to `memcmp`.
const WORD: usize = 16;

fn word(bytes: &[u8]) -> u128 {
    u128::from_ne_bytes(bytes.try_into().expect("a word's bytes"))
}

/// Whether an entry's octal mode is a folder's.
fn is_folder_mode(mode: &[u8]) -> bool {
    let mode = mode.iter().try_fold(0u32, |mode, &digit| match digit {
        b'0'..=b'7' => mode.checked_mul(8)?.checked_add(u32::from(digit - b'0')),
        _ => None,
    });
    mode.is_some_and(|mode| mode & 0o170000 == 0o040000)
}

impl RawEntry<'_> {
    pub fn id(&self) -> Oid {
        Oid::from_bytes(&self.bytes[self.bytes.len() - 20..]).expect("twenty bytes")
    }

    /// Git sorts a folder as if its name ended in '/'.
    fn git_order(&self) -> impl Iterator<Item = u8> + '_ {
        let folder: &[u8] = if self.is_tree { b"/" } else { b"" };
        self.name.iter().chain(folder).copied()
    }
}

/// What a history walk needs of a commit, parsed from the object as git stores it: headers
/// (`tree`, `parent`, `author`, ...), a blank line, the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawCommit {
    pub id: Oid,
    pub tree: Oid,
    pub parents: Vec<Oid>,
    /// `Name <email>`, read as libgit2 reads it: the email between the last `<` and `>`.
    pub author: String,
    /// Whether it carries a `gpgsig` header.
    pub signed: bool,
    /// The message, leading blank lines left out.
    pub message: String,
}

impl RawCommit {
    /// Parses the headers in git's order, as git and libgit2 do: `tree` first, then the
    /// `parent` lines, then `author` and `committer`; a `tree` or `parent` line anywhere else
    /// is an extra header that means nothing.
    fn parse(id: Oid, data: &[u8]) -> Option<RawCommit> {
        let hex = |value: &[u8]| {
            let text = std::str::from_utf8(value).ok()?;
            (text.len() == 40).then(|| Oid::from_str(text).ok())?
        };
        let (headers, message) = match data.windows(2).position(|w| w == b"\n\n") {
            Some(at) => (&data[..at], &data[at + 2..]),
            None => (data, &[][..]),
        };
        let mut lines = headers.split(|&b| b == b'\n').peekable();
        let tree = hex(lines.next()?.strip_prefix(b"tree ")?)?;
        let mut parents = Vec::new();
        while let Some(parent) = lines.peek().and_then(|l| l.strip_prefix(b"parent ")) {
            parents.push(hex(parent)?);
            lines.next();
        }
        let author = signature(lines.next()?.strip_prefix(b"author ")?)?;
        lines.next()?.strip_prefix(b"committer ")?;
        let signed = lines.any(|line| line.starts_with(b"gpgsig "));
        // As libgit2 gives it: leading blank lines left out, and up to a NUL.
        let message = message
            .iter()
            .position(|&b| b != b'\n')
            .map_or(&[][..], |at| &message[at..]);
        let message = message.split(|&b| b == 0).next().unwrap_or_default();
        Some(RawCommit {
            id,
            tree,
            parents,
            author,
            signed,
            message: String::from_utf8_lossy(message).into_owned(),
        })
    }
}

/// `Name <email>` from a signature line's `Name <email> time zone`.
fn signature(value: &[u8]) -> Option<String> {
    let open = value.iter().rposition(|&b| b == b'<')?;
    let close = open + value[open..].iter().rposition(|&b| b == b'>')?;
    let name = String::from_utf8_lossy(value[..open].trim_ascii());
    let email = String::from_utf8_lossy(value[open + 1..close].trim_ascii());
    Some(format!("{name} <{email}>"))
}

/// Reads commits, trees and blobs for history walks, straight from the packs (see `git::packs`). The
/// last few trees are kept parsed: a walk from a commit to its parent reads the parent's
/// trees again as the next commit's.
pub struct HistoryReader<'r> {
    objects: ObjectReader<'r>,
    recent: std::collections::VecDeque<RawTree>,
}

impl<'r> HistoryReader<'r> {
    /// Enough for both sides of a commit: root, `records/` and a shard, before and after.
    const KEPT: usize = 8;

    pub(crate) fn new(objects: ObjectReader<'r>) -> HistoryReader<'r> {
        HistoryReader {
            objects,
            recent: std::collections::VecDeque::with_capacity(Self::KEPT),
        }
    }

    pub fn tree(&mut self, oid: Oid) -> Result<RawTree, StoreError> {
        self.tree_like(oid, None)
    }

    /// Tree `oid`, parsed as a version of `like` when it is read (see `RawTree::parse_like`).
    fn tree_like(&mut self, oid: Oid, like: Option<&RawTree>) -> Result<RawTree, StoreError> {
        if let Some(tree) = self.recent.iter().find(|t| t.id == oid) {
            return Ok(tree.clone());
        }
        let data = self.read_as(oid, ObjectType::Tree)?;
        let tree = match like {
            Some(like) => RawTree::parse_like(oid, data, like)?,
            None => RawTree::parse(oid, data)?,
        };
        if self.recent.len() == Self::KEPT {
            self.recent.pop_front();
        }
        self.recent.push_back(tree.clone());
        Ok(tree)
    }

    pub fn commit(&mut self, oid: Oid) -> Result<RawCommit, StoreError> {
        let data = self.read_as(oid, ObjectType::Commit)?;
        RawCommit::parse(oid, &data).ok_or_else(|| {
            StoreError::Git(git2::Error::from_str(&format!("commit {oid} is damaged")))
        })
    }

    pub fn blob(&mut self, oid: Oid) -> Result<Rc<Vec<u8>>, StoreError> {
        self.read_as(oid, ObjectType::Blob)
    }

    /// The contents of object `oid`, which must be of kind `kind`.
    fn read_as(&mut self, oid: Oid, kind: ObjectType) -> Result<Rc<Vec<u8>>, StoreError> {
        let object = self.objects.read(oid)?;
        if object.kind != kind {
            return Err(StoreError::Git(git2::Error::from_str(&format!(
                "{oid} is not a {kind}"
            ))));
        }
        Ok(object.data)
    }

    /// The id of the object at `path` (folders separated by '/') in `tree`, if there is one.
    pub fn entry_id(&mut self, tree: &RawTree, path: &str) -> Result<Option<Oid>, StoreError> {
        let mut components = path.split('/').peekable();
        let mut tree = tree.clone();
        while let Some(name) = components.next() {
            let Some(entry) = tree.get(name.as_bytes()) else {
                return Ok(None);
            };
            if components.peek().is_none() {
                return Ok(Some(entry.id()));
            }
            if !entry.is_tree {
                return Ok(None);
            }
            let id = entry.id();
            tree = self.tree(id)?;
        }
        Ok(None)
    }

    /// The files in folder `dir`, whose tree is `tree`, that an index would stage otherwise:
    /// each with the id `staged` gives for it (`None`: no entry) and the tree's id. A subfolder
    /// whose tree `vouched` gives (an index's valid cached tree) holds what the index holds,
    /// and is not read.
    pub(crate) fn staged_otherwise(
        &mut self,
        dir: &str,
        tree: Oid,
        vouched: &dyn Fn(&str) -> Option<Oid>,
        staged: &mut dyn FnMut(&str) -> Result<Option<Oid>, StoreError>,
        found: &mut Vec<(String, Option<Oid>, Oid)>,
    ) -> Result<(), StoreError> {
        if vouched(dir) == Some(tree) {
            return Ok(());
        }
        let tree = self.tree(tree)?;
        for entry in tree.entries() {
            let path = format!("{dir}/{}", String::from_utf8_lossy(entry.name));
            if entry.is_tree {
                self.staged_otherwise(&path, entry.id(), vouched, staged, found)?;
            } else {
                let stages = staged(&path)?;
                if stages != Some(entry.id()) {
                    found.push((path, stages, entry.id()));
                }
            }
        }
        Ok(())
    }

    /// The record files that differ between `before` (absent for a root commit) and `after`,
    /// given as root trees. Only subtrees whose ids differ are read, so a commit that changes
    /// one record costs a few tree reads whatever the size of the repository.
    pub fn record_deltas(
        &mut self,
        before: Option<Oid>,
        after: Oid,
    ) -> Result<Vec<Delta>, StoreError> {
        let mut records = |tree: Option<Oid>| -> Result<Option<Oid>, StoreError> {
            match tree {
                Some(tree) => {
                    let tree = self.tree(tree)?;
                    Ok(tree
                        .get(RECORDS_DIR.as_bytes())
                        .filter(|e| e.is_tree)
                        .map(|e| e.id()))
                }
                None => Ok(None),
            }
        };
        let (old, new) = (records(before)?, records(Some(after))?);
        let mut deltas = Vec::new();
        if old != new {
            self.diff_trees(old, new, RECORDS_DIR, &mut deltas)?;
        }
        Ok(deltas)
    }

    fn diff_trees(
        &mut self,
        old: Option<Oid>,
        new: Option<Oid>,
        prefix: &str,
        deltas: &mut Vec<Delta>,
    ) -> Result<(), StoreError> {
        let new = new.map(|oid| self.tree(oid)).transpose()?;
        let old = old
            .map(|oid| self.tree_like(oid, new.as_ref()))
            .transpose()?;
        if let (Some(old), Some(new)) = (&old, &new)
            && let Some(changed) = old.changed_ids(new)
        {
            for index in changed {
                self.diff_entries(
                    Some(old.entry(index)),
                    Some(new.entry(index)),
                    prefix,
                    deltas,
                )?;
            }
            return Ok(());
        }
        // Both trees are in git's order: walk them side by side, like a merge.
        let mut a_entries = old.iter().flat_map(|t| t.entries()).peekable();
        let mut b_entries = new.iter().flat_map(|t| t.entries()).peekable();
        let mut changed = Vec::new();
        loop {
            let order = match (a_entries.peek(), b_entries.peek()) {
                (None, None) => break,
                // Most entries are the same on both sides: one comparison of their bytes.
                (Some(a), Some(b)) if a.bytes == b.bytes => {
                    a_entries.next();
                    b_entries.next();
                    continue;
                }
                (Some(a), Some(b)) => a.git_order().cmp(b.git_order()),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
            };
            let (a, b) = match order {
                std::cmp::Ordering::Equal => (a_entries.next(), b_entries.next()),
                std::cmp::Ordering::Less => (a_entries.next(), None),
                std::cmp::Ordering::Greater => (None, b_entries.next()),
            };
            if a.map(|e| e.id()) != b.map(|e| e.id()) {
                changed.push((a, b));
            }
        }
        for (a, b) in changed {
            self.diff_entries(a, b, prefix, deltas)?;
        }
        Ok(())
    }

    /// Records the change between two entries of one name, going down into folders.
    fn diff_entries(
        &mut self,
        a: Option<RawEntry<'_>>,
        b: Option<RawEntry<'_>>,
        prefix: &str,
        deltas: &mut Vec<Delta>,
    ) -> Result<(), StoreError> {
        let entry = a.or(b).expect("one side has an entry");
        let name = String::from_utf8_lossy(entry.name).into_owned();
        let path = format!("{prefix}/{name}");
        let subtree = |e: Option<RawEntry<'_>>| e.filter(|e| e.is_tree).map(|e| e.id());
        let blob = |e: Option<RawEntry<'_>>| e.filter(|e| !e.is_tree).map(|e| e.id());
        if subtree(a).is_some() || subtree(b).is_some() {
            self.diff_trees(subtree(a), subtree(b), &path, deltas)?;
        }
        if (blob(a).is_some() || blob(b).is_some()) && name.ends_with(".toml") {
            deltas.push(Delta {
                path,
                before: blob(a),
                after: blob(b),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tree's bytes from `(name, id byte)` entries, in the order given (names as they come,
    /// with names shared by ids chosen to contain the bytes a parse looks for: 0 and ' ').
    fn tree_bytes(entries: &[(String, u8)]) -> Vec<u8> {
        let mut data = Vec::new();
        for (name, id) in entries {
            data.extend_from_slice(b"100644 ");
            data.extend_from_slice(name.as_bytes());
            data.push(0);
            data.extend_from_slice(&[*id; 20]);
        }
        data
    }

    fn parsed(data: &[u8]) -> Result<Vec<usize>, String> {
        RawTree::parse(Oid::ZERO_SHA1, Rc::new(data.to_vec()))
            .map(|tree| tree.ends.to_vec())
            .map_err(|e| e.to_string())
    }

    proptest::proptest! {
        /// Parsed as a version of another tree, a tree has the entries parsing it alone finds,
        /// and is refused as damaged where that parse refuses it.
        #[test]
        fn a_tree_parsed_as_a_version_of_another_is_parsed_as_alone(
            entries in proptest::collection::vec(("[a-c ]{1,3}", proptest::sample::select(vec![0u8, b' ', b'a', 7])), 0..12),
            edits in proptest::collection::vec((0usize..16, 0u8..4, "[a-c]{1,3}", proptest::prelude::any::<u8>()), 0..4),
            cut in proptest::option::of(0usize..400),
        ) {
            let like = tree_bytes(&entries);
            let mut changed = entries.clone();
            for (at, kind, name, id) in edits {
                let at = at.min(changed.len());
                match kind {
                    0 if at < changed.len() => changed[at].1 = id,
                    1 => changed.insert(at, (name, id)),
                    2 if at < changed.len() => { changed.remove(at); }
                    _ if at < changed.len() => changed[at].0 = name,
                    _ => {}
                }
            }
            let mut data = tree_bytes(&changed);
            // Damage: a tree cut short anywhere.
            if let Some(cut) = cut { data.truncate(cut.min(data.len())); }
            let like = RawTree::parse(Oid::ZERO_SHA1, Rc::new(like)).unwrap();
            let as_version = RawTree::parse_like(Oid::ZERO_SHA1, Rc::new(data.clone()), &like)
                .map(|tree| tree.ends.to_vec())
                .map_err(|e| e.to_string());
            proptest::prop_assert_eq!(as_version, parsed(&data));
        }
    }

    #[test]
    fn commits_read_as_libgit2_reads_them() {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(dir.path()).unwrap();
        let tree = repo.treebuilder(None).unwrap().write().unwrap();
        let tree = repo.find_tree(tree).unwrap();
        let who =
            git2::Signature::new(" Ann  Example ", "ann@example.org", &git2::Time::new(1, 60))
                .unwrap();
        let first = repo
            .commit(None, &who, &who, "\n\nFirst\n\nbody\n", &tree, &[])
            .unwrap();
        let first = repo.find_commit(first).unwrap();
        let second = repo
            .commit(None, &who, &who, "Second", &tree, &[&first])
            .unwrap();
        let second = repo.find_commit(second).unwrap();
        // A signed merge: a multi-line header, and two parents.
        let buffer = repo
            .commit_create_buffer(&who, &who, "Merge\n", &tree, &[&first, &second])
            .unwrap();
        let merge = repo
            .commit_signed(
                std::str::from_utf8(&buffer).unwrap(),
                "-----BEGIN\nsig\n-----END",
                None,
            )
            .unwrap();
        let odb = repo.odb().unwrap();
        for oid in [first.id(), second.id(), merge] {
            let commit = repo.find_commit(oid).unwrap();
            let raw = RawCommit::parse(oid, odb.read(oid).unwrap().data()).unwrap();
            assert_eq!(raw.tree, commit.tree_id());
            assert_eq!(raw.parents, commit.parent_ids().collect::<Vec<_>>());
            let author = commit.author();
            let expected = format!("{} <{}>", author.name().unwrap(), author.email().unwrap());
            assert_eq!(raw.author, expected);
            assert_eq!(raw.message.as_bytes(), commit.message_bytes());
            assert_eq!(raw.signed, commit.header_field_bytes("gpgsig").is_ok());
        }
        assert!(RawCommit::parse(merge, b"author x <y> 1 +0000\n\nno tree").is_none());
        // Only the first line names the tree, and only the lines after it the parents.
        let tree_hex = "1".repeat(40);
        let crafted = format!(
            "tree {tree_hex}\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n\
             tree {0}\nparent {0}\n\nmessage",
            "2".repeat(40)
        );
        let raw = RawCommit::parse(merge, crafted.as_bytes()).unwrap();
        assert_eq!(raw.tree.to_string(), tree_hex);
        assert!(raw.parents.is_empty());
        let short = "tree 1234\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n\nm";
        assert!(
            RawCommit::parse(merge, short.as_bytes()).is_none(),
            "a short id"
        );
    }

    #[test]
    fn folder_modes_are_read_as_octal_numbers() {
        assert!(is_folder_mode(b"40000"));
        assert!(is_folder_mode(b"040000"), "zero-padded, as old tools wrote");
        assert!(!is_folder_mode(b"100644"));
        assert!(!is_folder_mode(b"160000"), "a submodule");
        assert!(!is_folder_mode(b"4000x"));
    }

    #[test]
    fn trailers_are_read_case_insensitively_from_the_last_paragraph() {
        let message = "Move x\n\nnote\n\nClaim-Id: abcdefgh\nclaim-action: transition\nClaim-From: sourced\nClaim-To: corroborated\n";
        assert_eq!(
            Trailers::parse(message),
            Trailers {
                ids: vec!["abcdefgh".into()],
                action: Some("transition".into()),
                from: Some("sourced".into()),
                to: Some("corroborated".into()),
                accepts: None,
            }
        );
        assert_eq!(Trailers::parse("Just a subject\n"), Trailers::default());
    }
}
