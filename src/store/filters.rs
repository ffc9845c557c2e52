//! Working files as git sees them. A clone may convert line endings on checkout
//! (`core.autocrlf`, `core.eol` with `text`, `.gitattributes`): its files then differ byte
//! for byte from the blobs committed, and git, converting them back as `git add` would, still
//! calls them unchanged. The tool asks the same question the same way, through libgit2's own
//! filters, and only when the bytes alone do not settle it.

use git2::{DiffOptions, Oid, Tree};

use super::{Store, StoreError};

impl Store {
    /// Whether the working file at `path`, read as `bytes`, holds the blob `expected`: byte
    /// for byte, or once git's filters for adding it have run (what `tree`, which holds
    /// `expected` at `path`, is compared with).
    pub(crate) fn working_file_holds(
        &self,
        path: &str,
        bytes: &[u8],
        expected: Oid,
        tree: &Tree<'_>,
    ) -> Result<bool, StoreError> {
        if Oid::hash_object(git2::ObjectType::Blob, bytes)? == expected {
            return Ok(true);
        }
        let mut options = DiffOptions::new();
        options.pathspec(path).disable_pathspec_match(true);
        let diff = self
            .repo
            .diff_tree_to_workdir(Some(tree), Some(&mut options))?;
        Ok(diff.deltas().len() == 0)
    }

    /// Of `paths`, whose bytes differ from their index entries, the ones git also sees as
    /// changed once its filters for adding them have run.
    pub(crate) fn changed_through_filters(
        &self,
        paths: &[String],
    ) -> Result<Vec<String>, StoreError> {
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        let mut options = DiffOptions::new();
        options.disable_pathspec_match(true);
        for path in paths {
            options.pathspec(path);
        }
        let diff = self.repo.diff_index_to_workdir(None, Some(&mut options))?;
        let changed: Vec<String> = diff
            .deltas()
            .filter_map(|delta| delta.new_file().path().or(delta.old_file().path()))
            .map(|path| path.to_string_lossy().into_owned())
            .collect();
        Ok(paths
            .iter()
            .filter(|path| changed.contains(path))
            .cloned()
            .collect())
    }
}
