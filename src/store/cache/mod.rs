//! What the store remembers under git's directory to answer faster, each a cache never
//! trusted over git: checked against git before it is used, and rebuilt when it does not
//! check out.
//!
//! - [`audit`]: the findings of history already audited, for `claims audit`.
//! - [`log_index`]: the commits that changed each claim, for `claims log ID`.
//! - [`folder_listings`]: the names each folder under `records/` held, for the scan of the
//!   working tree.

mod audit;
pub(crate) mod folder_listings;
pub(crate) mod log_index;
