//! Acknowledged audit findings: a file of the repository that only `claims audit --accept`
//! adds to, one entry per reviewed commit. Pure code: parsing, and judging whether a change
//! to the file is the one the tool makes.

use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The acknowledgements, oldest first, as written in the file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Acceptances {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accepted: Vec<Acceptance>,
}

/// The findings of one commit, reviewed and accepted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Acceptance {
    /// The accepted commit's full id.
    pub commit: String,
    pub note: String,
    pub by: String,
    pub at: Timestamp,
    /// The findings as they were when accepted: a finding that later rules add to the same
    /// commit is not accepted by this entry.
    pub findings: Vec<AcceptedFinding>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptedFinding {
    pub rule: String,
    pub path: String,
}

impl Acceptances {
    pub fn from_toml(text: &str) -> Result<Acceptances, String> {
        toml::from_str(text).map_err(|e| e.message().trim().to_string())
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("acceptances always serialise: every key is a string")
    }

    /// The acceptances of two clones brought together, for git's merge driver: ours as they
    /// are, then each of theirs that ours does not have. The file only ever grows, each
    /// entry a fact (someone accepted a commit's findings), so nothing is dropped: two
    /// acceptances of one commit are both kept.
    pub fn merged_with(&self, theirs: &Acceptances) -> Acceptances {
        let mut accepted = self.accepted.clone();
        for entry in &theirs.accepted {
            if !accepted.contains(entry) {
                accepted.push(entry.clone());
            }
        }
        Acceptances { accepted }
    }

    /// The entry for `commit` (a full id, or an abbreviation of one).
    pub fn of(&self, commit: &str) -> Option<&Acceptance> {
        self.accepted.iter().find(|a| a.commit.starts_with(commit))
    }
}

impl Acceptance {
    /// Whether this entry accepts the finding `rule` about `path` in `commit`.
    pub fn covers(&self, commit: &str, rule: &str, path: &str) -> bool {
        self.commit.starts_with(commit)
            && self
                .findings
                .iter()
                .any(|f| f.rule == rule && f.path == path)
    }
}

/// Why a change to the acceptances is not one the tool made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forgery {
    /// The commit does not say it is an acceptance.
    NotAnAcceptance,
    /// The file does not parse.
    Unreadable(String),
    /// Earlier entries were changed or removed.
    Rewritten,
    /// Not exactly one entry was added.
    Added(usize),
    /// The new entry accepts another commit than the one its trailer names.
    OtherCommit { entry: String, trailer: String },
    /// The new entry says someone else accepted it than the commit's author.
    OtherAuthor { entry: String, author: String },
}

impl fmt::Display for Forgery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Forgery::NotAnAcceptance => write!(
                f,
                "changes the accepted audit findings without going through \
                 claims audit --accept"
            ),
            Forgery::Unreadable(e) => write!(f, "leaves the accepted findings unreadable: {e}"),
            Forgery::Rewritten => write!(f, "rewrites or removes earlier acceptances"),
            Forgery::Added(n) => write!(f, "adds {n} acceptances; an acceptance adds one"),
            Forgery::OtherCommit { entry, trailer } => write!(
                f,
                "accepts commit {entry} but its Claim-Accepts trailer names {trailer}"
            ),
            Forgery::OtherAuthor { entry, author } => {
                write!(f, "says {entry} accepted the findings, git says {author}")
            }
        }
    }
}

/// The entry a commit adds to the acceptances, if the commit is an acceptance as the tool
/// makes it: its trailers name the accepted commit (`accepts`), it adds exactly that one
/// entry, by its author, and leaves the others as they were.
pub fn added_acceptance(
    before: Option<&str>,
    after: &str,
    accepts: Option<&str>,
    author: &str,
) -> Result<Acceptance, Forgery> {
    let Some(accepts) = accepts else {
        return Err(Forgery::NotAnAcceptance);
    };
    let before = match before {
        Some(text) => Acceptances::from_toml(text).unwrap_or_default(),
        None => Acceptances::default(),
    };
    let after = Acceptances::from_toml(after).map_err(Forgery::Unreadable)?;
    if !after.accepted.starts_with(&before.accepted) {
        return Err(Forgery::Rewritten);
    }
    let [entry] = &after.accepted[before.accepted.len()..] else {
        return Err(Forgery::Added(after.accepted.len() - before.accepted.len()));
    };
    if entry.commit != accepts {
        return Err(Forgery::OtherCommit {
            entry: entry.commit.clone(),
            trailer: accepts.to_string(),
        });
    }
    if entry.by != author {
        return Err(Forgery::OtherAuthor {
            entry: entry.by.clone(),
            author: author.to_string(),
        });
    }
    Ok(entry.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANA: &str = "Ana <ana@example.org>";
    const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

    fn entry(commit: &str, by: &str) -> Acceptance {
        Acceptance {
            commit: commit.into(),
            note: "Reverted the next day.".into(),
            by: by.into(),
            at: "2026-03-01T09:00:00Z".parse().unwrap(),
            findings: vec![AcceptedFinding {
                rule: "no-trailers".into(),
                path: "records/ab/abcdefgh.toml".into(),
            }],
        }
    }

    fn file(entries: &[Acceptance]) -> String {
        Acceptances {
            accepted: entries.to_vec(),
        }
        .to_toml()
    }

    #[test]
    fn the_file_round_trips() {
        let text = file(&[entry(COMMIT, ANA)]);
        let read = Acceptances::from_toml(&text).unwrap();
        assert_eq!(read.to_toml(), text);
        assert!(read.of(&COMMIT[..8]).is_some());
        assert!(read.accepted[0].covers(&COMMIT[..8], "no-trailers", "records/ab/abcdefgh.toml"));
        assert!(!read.accepted[0].covers(
            &COMMIT[..8],
            "record-deleted",
            "records/ab/abcdefgh.toml"
        ));
        assert!(!read.accepted[0].covers("ffffffff", "no-trailers", "records/ab/abcdefgh.toml"));
    }

    #[test]
    fn two_clones_acceptances_merge_into_both_ours_first() {
        let base = Acceptances {
            accepted: vec![entry(COMMIT, ANA)],
        };
        let other = "fedcba9876543210fedcba9876543210fedcba98";
        let third = "1111111111111111111111111111111111111111";
        let mut ours = base.clone();
        ours.accepted.push(entry(other, ANA));
        let mut theirs = base.clone();
        theirs.accepted.push(entry(third, "Ben <ben@example.org>"));
        assert_eq!(
            ours.merged_with(&theirs).accepted,
            [
                entry(COMMIT, ANA),
                entry(other, ANA),
                entry(third, "Ben <ben@example.org>")
            ]
        );
        assert_eq!(
            theirs.merged_with(&ours).accepted,
            [
                entry(COMMIT, ANA),
                entry(third, "Ben <ben@example.org>"),
                entry(other, ANA)
            ]
        );
        // One commit accepted in both clones, with different notes: both acknowledgements.
        let mut again = base.clone();
        again.accepted.push(Acceptance {
            note: "Seen by Ben too.".into(),
            ..entry(other, "Ben <ben@example.org>")
        });
        assert_eq!(ours.merged_with(&again).accepted.len(), 3);
        assert_eq!(ours.merged_with(&ours), ours);
        assert_eq!(ours.merged_with(&base), ours);
    }

    #[test]
    fn the_tools_acceptance_is_one_entry_by_the_author_for_the_named_commit() {
        let one = file(&[entry(COMMIT, ANA)]);
        assert_eq!(
            added_acceptance(None, &one, Some(COMMIT), ANA),
            Ok(entry(COMMIT, ANA))
        );
        let other = "fedcba9876543210fedcba9876543210fedcba98";
        let two = file(&[entry(COMMIT, ANA), entry(other, ANA)]);
        assert_eq!(
            added_acceptance(Some(&one), &two, Some(other), ANA),
            Ok(entry(other, ANA))
        );
    }

    #[test]
    fn every_other_change_is_a_forgery() {
        let other = "fedcba9876543210fedcba9876543210fedcba98";
        let one = file(&[entry(COMMIT, ANA)]);
        let two = file(&[entry(COMMIT, ANA), entry(other, ANA)]);
        /// The file before and after, the Claim-Accepts trailer, the author, the verdict.
        type Case<'a> = (Option<&'a str>, &'a str, Option<&'a str>, &'a str, Forgery);
        let cases: &[Case] = &[
            (None, &one, None, ANA, Forgery::NotAnAcceptance),
            (
                None,
                "accepted = 3",
                Some(COMMIT),
                ANA,
                Forgery::Unreadable(String::new()),
            ),
            (Some(&one), "", Some(COMMIT), ANA, Forgery::Rewritten),
            (None, &two, Some(COMMIT), ANA, Forgery::Added(2)),
            (Some(&one), &one, Some(COMMIT), ANA, Forgery::Added(0)),
            (
                None,
                &one,
                Some(other),
                ANA,
                Forgery::OtherCommit {
                    entry: COMMIT.into(),
                    trailer: other.into(),
                },
            ),
            (
                None,
                &one,
                Some(COMMIT),
                "Eve <eve@example.org>",
                Forgery::OtherAuthor {
                    entry: ANA.into(),
                    author: "Eve <eve@example.org>".into(),
                },
            ),
        ];
        for (before, after, accepts, author, expected) in cases {
            let found = added_acceptance(*before, after, *accepts, author).unwrap_err();
            match (&found, expected) {
                (Forgery::Unreadable(_), Forgery::Unreadable(_)) => {}
                _ => assert_eq!(&found, expected),
            }
        }
    }
}
