//! Reading the workflow's history back out of git.

use std::path::Path;

use git2::{ErrorCode, ObjectType, Oid, Repository, Sort, Tree};
use jiff::Timestamp;

use super::{RECORDS_DIR, Store, StoreError};
use crate::domain::id::ClaimId;

/// The `Claim-*` trailers of a commit message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trailers {
    pub ids: Vec<String>,
    pub action: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
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
    /// git's directory, or by walking the history where the index cannot be written.
    pub fn claim_history(&self, id: &ClaimId) -> Result<Vec<Change>, StoreError> {
        if let Ok(head) = self.repo.head().and_then(|h| h.peel_to_commit()) {
            match self.indexed_history(id, head.id()) {
                Err(StoreError::Io { .. }) => {}
                other => return other,
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

/// One record file's versions before and after a commit.
pub struct Delta {
    pub path: String,
    pub before: Option<Oid>,
    pub after: Option<Oid>,
}

/// Reads trees for history walks, keeping the last few it read: a walk from a commit to its
/// parent reads the parent's trees again as the next commit's, and at 100,000 records the
/// `records/` tree alone is 30 KB to inflate and undeltify.
pub struct TreeReader<'r> {
    repo: &'r Repository,
    recent: std::collections::VecDeque<Tree<'r>>,
}

impl<'r> TreeReader<'r> {
    /// Enough for both sides of a commit: root, `records/` and a shard, before and after.
    const KEPT: usize = 8;

    pub fn new(repo: &'r Repository) -> TreeReader<'r> {
        TreeReader {
            repo,
            recent: std::collections::VecDeque::with_capacity(Self::KEPT),
        }
    }

    pub fn tree(&mut self, oid: Oid) -> Result<Tree<'r>, StoreError> {
        if let Some(tree) = self.recent.iter().find(|t| t.id() == oid) {
            return Ok(tree.clone());
        }
        let tree = self.repo.find_tree(oid)?;
        if self.recent.len() == Self::KEPT {
            self.recent.pop_front();
        }
        self.recent.push_back(tree.clone());
        Ok(tree)
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
                Some(tree) => entry_id(&self.tree(tree)?, RECORDS_DIR),
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
        let old = old.map(|oid| self.tree(oid)).transpose()?;
        let new = new.map(|oid| self.tree(oid)).transpose()?;
        let length = |tree: &Option<Tree<'_>>| tree.as_ref().map_or(0, |t| t.len());
        let (old_len, new_len) = (length(&old), length(&new));
        // Both trees are in git's order: walk them side by side, like a merge, reading
        // entries in place (a records/ tree has a thousand of them, and this runs once per
        // commit).
        let (mut i, mut j) = (0, 0);
        while i < old_len || j < new_len {
            let a = old.as_ref().filter(|_| i < old_len).and_then(|t| t.get(i));
            let b = new.as_ref().filter(|_| j < new_len).and_then(|t| t.get(j));
            let order = match (&a, &b) {
                (Some(a), Some(b)) => git_order(a).cmp(git_order(b)),
                (Some(_), None) => std::cmp::Ordering::Less,
                _ => std::cmp::Ordering::Greater,
            };
            let (a, b) = match order {
                std::cmp::Ordering::Equal => {
                    i += 1;
                    j += 1;
                    (a, b)
                }
                std::cmp::Ordering::Less => {
                    i += 1;
                    (a, None)
                }
                std::cmp::Ordering::Greater => {
                    j += 1;
                    (None, b)
                }
            };
            if a.as_ref().map(|e| e.id()) == b.as_ref().map(|e| e.id()) {
                continue;
            }
            let entry = a.as_ref().or(b.as_ref()).expect("one side has an entry");
            let name = String::from_utf8_lossy(entry.name_bytes()).into_owned();
            let path = format!("{prefix}/{name}");
            let is_tree = |e: &git2::TreeEntry<'_>| e.kind() == Some(ObjectType::Tree);
            let subtree =
                |e: &Option<git2::TreeEntry<'_>>| e.as_ref().filter(|e| is_tree(e)).map(|e| e.id());
            let blob = |e: &Option<git2::TreeEntry<'_>>| {
                e.as_ref().filter(|e| !is_tree(e)).map(|e| e.id())
            };
            if subtree(&a).is_some() || subtree(&b).is_some() {
                self.diff_trees(subtree(&a), subtree(&b), &path, deltas)?;
            }
            if (blob(&a).is_some() || blob(&b).is_some()) && name.ends_with(".toml") {
                deltas.push(Delta {
                    path,
                    before: blob(&a),
                    after: blob(&b),
                });
            }
        }
        Ok(())
    }
}

/// Git sorts a folder as if its name ended in '/'.
fn git_order<'a>(entry: &'a git2::TreeEntry<'_>) -> impl Iterator<Item = u8> + 'a {
    let folder: &[u8] = if entry.kind() == Some(ObjectType::Tree) {
        b"/"
    } else {
        b""
    };
    entry.name_bytes().iter().chain(folder).copied()
}

/// The id of the object at `path` in `tree`, if there is one.
pub fn entry_id(tree: &Tree<'_>, path: &str) -> Result<Option<Oid>, StoreError> {
    match tree.get_path(Path::new(path)) {
        Ok(entry) => Ok(Some(entry.id())),
        Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            }
        );
        assert_eq!(Trailers::parse("Just a subject\n"), Trailers::default());
    }
}
