//! The audit's memory of verified history, in the working tree's own git directory (each
//! worktree audits its own branch). What is remembered is the audit's to say; here it is
//! stored bound to its tip: a SHA-256 over its JSON, keyed with the id of the tip's tree as
//! git has it, so that a cache damaged or edited by hand (a finding taken out) is read as
//! none, and one whose tip git does not have is never trusted.

use git2::Oid;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::store::files::write_cache;
use crate::store::repository::Store;

const CACHE_FILE: &str = "claims/audit-cache.json";

/// The cache as stored: its JSON and the checksum that binds it to the tip's tree.
#[derive(Serialize, Deserialize)]
struct Stored<T> {
    checksum: String,
    cache: T,
}

impl Store {
    /// The audit's cache, when there is one and its checksum holds for the tip `tip_of`
    /// names in it.
    pub fn audit_cache<T: Serialize + DeserializeOwned>(
        &self,
        tip_of: impl Fn(&T) -> Option<Oid>,
    ) -> Option<(Oid, T)> {
        let bytes = std::fs::read(self.repo.path().join(CACHE_FILE)).ok()?;
        let stored = serde_json::from_slice::<Stored<T>>(&bytes).ok()?;
        let tip = tip_of(&stored.cache)?;
        (stored.checksum == self.audit_checksum(tip, &stored.cache)?).then_some((tip, stored.cache))
    }

    /// Remembers the audit up to `tip`. A cache that cannot be written only costs the next
    /// audit its speed, so failures are ignored.
    pub fn write_audit_cache<T: Serialize>(&self, tip: Oid, cache: T) {
        let Some(checksum) = self.audit_checksum(tip, &cache) else {
            return;
        };
        let path = self.repo.path().join(CACHE_FILE);
        if let Ok(bytes) = serde_json::to_vec(&Stored { checksum, cache }) {
            let _ = write_cache(&path, &bytes);
        }
    }

    /// SHA-256 of the cache's JSON, keyed with the id of the tip's tree: `None` when git has
    /// no such commit.
    fn audit_checksum<T: Serialize>(&self, tip: Oid, cache: &T) -> Option<String> {
        use sha2::{Digest, Sha256};
        let tree = self.repo.find_commit(tip).ok()?.tree_id();
        let mut hash = Sha256::new();
        hash.update(b"claims audit cache\0");
        hash.update(tree.as_bytes());
        hash.update(serde_json::to_vec(cache).ok()?);
        Some(hash.finalize().iter().map(|b| format!("{b:02x}")).collect())
    }
}
