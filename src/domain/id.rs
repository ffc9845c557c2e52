//! Claim ids: derived from the claim's normalised text, never from a counter, so two branches
//! that record the same claim mint the same id and two different claims never share one.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Length of a freshly minted id: 50 bits, so that a newsroom with a million claims still has
/// a negligible chance of two texts sharing an id.
pub const ID_LENGTH: usize = 10;
/// Shortest id (and shortest prefix) accepted from a user or a record.
pub const MIN_ID_LENGTH: usize = 8;
/// Shortest prefix that `claims` resolves to a full id.
pub const MIN_PREFIX_LENGTH: usize = 4;
const BASE32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClaimId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidId {
    #[error("'{0}' is not a claim id: ids use only lowercase letters a-z and digits")]
    Characters(String),
    #[error("'{0}' is too short for a claim id: ids have at least {MIN_ID_LENGTH} characters")]
    TooShort(String),
    #[error(
        "'{0}' is too short to name a claim: give at least {MIN_PREFIX_LENGTH} characters of its id"
    )]
    PrefixTooShort(String),
}

impl ClaimId {
    /// The id of a claim text: base32 of the SHA-256 of its normalised form.
    pub fn derive(text: &str) -> ClaimId {
        Self::derive_with_length(text, ID_LENGTH)
    }

    /// A longer id for the rare text whose standard id is already taken by another text.
    pub fn derive_with_length(text: &str, length: usize) -> ClaimId {
        let digest = Sha256::digest(normalise(text).as_bytes());
        ClaimId(base32(&digest).chars().take(length).collect())
    }

    pub fn parse(s: &str) -> Result<ClaimId, InvalidId> {
        check_characters(s)?;
        if s.len() < MIN_ID_LENGTH {
            return Err(InvalidId::TooShort(s.to_string()));
        }
        Ok(ClaimId(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The shard folder a record lives in: the id's first two characters.
    pub fn shard(&self) -> &str {
        &self.0[..2]
    }

    /// The record's path relative to the repository root.
    pub fn record_path(&self) -> String {
        format!("records/{}/{}.toml", self.shard(), self.0)
    }
}

/// Checks that a user-typed prefix can name a claim at all, before any lookup.
pub fn check_prefix(prefix: &str) -> Result<(), InvalidId> {
    check_characters(prefix)?;
    if prefix.len() < MIN_PREFIX_LENGTH {
        return Err(InvalidId::PrefixTooShort(prefix.to_string()));
    }
    Ok(())
}

fn check_characters(s: &str) -> Result<(), InvalidId> {
    if s.is_empty()
        || !s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        return Err(InvalidId::Characters(s.escape_debug().to_string()));
    }
    Ok(())
}

impl TryFrom<String> for ClaimId {
    type Error = InvalidId;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        ClaimId::parse(&s)
    }
}

impl From<ClaimId> for String {
    fn from(id: ClaimId) -> String {
        id.0
    }
}

impl fmt::Display for ClaimId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The form of a claim text that its id is derived from: case, punctuation, quote style and
/// spacing do not make a different claim.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text
        .split(|c: char| !c.is_alphanumeric() && c != '%' && c != '$')
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_claim_in_other_case_spacing_and_punctuation_gets_same_id() {
        let a = ClaimId::derive("Mexico extradited 55 people in 2025.");
        let b = ClaimId::derive("  mexico EXTRADITED 55 people, in 2025 ");
        assert_eq!(a, b);
        assert_eq!(a.as_str().len(), ID_LENGTH);
    }

    #[test]
    fn different_claims_get_different_ids() {
        assert_ne!(
            ClaimId::derive("Mexico extradited 55 people"),
            ClaimId::derive("Mexico extradited 56 people")
        );
        assert_ne!(ClaimId::derive("up 5%"), ClaimId::derive("up 5"));
    }

    #[test]
    fn derived_ids_are_valid_ids() {
        for text in ["", "x", "Ünïcödé “quotes”", "a\u{0}b"] {
            let id = ClaimId::derive(text);
            assert_eq!(ClaimId::parse(id.as_str()), Ok(id.clone()));
            assert_eq!(
                id.record_path(),
                format!("records/{}/{}.toml", &id.as_str()[..2], id)
            );
        }
    }

    #[test]
    fn base32_matches_rfc4648_lowercase() {
        assert_eq!(base32(b"foobar"), "mzxw6ytboi");
        assert_eq!(base32(b""), "");
    }

    #[test]
    fn hostile_ids_are_rejected() {
        for bad in [
            "../../etc",
            "ab/cd1234",
            "ABCDEFGH",
            "abcd\u{7}efgh",
            "",
            "abcdéfgh",
        ] {
            assert!(
                matches!(ClaimId::parse(bad), Err(InvalidId::Characters(_))),
                "{bad}"
            );
        }
        assert_eq!(
            ClaimId::parse("abc1234"),
            Err(InvalidId::TooShort("abc1234".into()))
        );
        assert!(check_prefix("abcd").is_ok());
        assert_eq!(
            check_prefix("abc"),
            Err(InvalidId::PrefixTooShort("abc".into()))
        );
        assert!(check_prefix("ab.c").is_err());
    }
}
