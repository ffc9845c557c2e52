//! Git's merge driver for record files and the accepted audit findings: the three versions
//! git hands over, merged by [`crate::domain::merge`] (records) or
//! [`Acceptances::merged_with`] when they can be, else left for a person the way git leaves
//! any conflicting file.

use git2::{MergeFileInput, MergeFileOptions};

use super::error::StoreError;
use super::records::parse_record;
use super::repository::{ACCEPTED_FILE, Store};
use crate::domain::acceptance::Acceptances;
use crate::domain::merge::{Disagreement, merge};
use crate::domain::record::Record;

pub const ATTRIBUTES_FILE: &str = ".gitattributes";
/// The lines of `.gitattributes` that hand record files and the accepted audit findings to
/// the driver named `claims`, and keep them out of line-ending conversion: a clone that
/// converts (`core.autocrlf`) checks them out as committed, byte for byte.
const MERGE_ATTRIBUTES: [&str; 2] = [
    RECORDS_ATTRIBUTE,
    "audit/accepted.toml merge=claims text eol=lf",
];
const RECORDS_ATTRIBUTE: &str = "records/**/*.toml merge=claims text eol=lf";
/// The records' line older versions wrote, which `claims init` replaces.
const OLD_RECORDS_ATTRIBUTE: &str = "records/**/*.toml merge=claims";
const DRIVER_NAME: &str = "claims: keeps the evidence and history of both sides of a claim";
const DRIVER_COMMAND: &str = "claims merge-driver %O %A %B %P";

/// `existing` `.gitattributes` contents with the driver's attributes added (the records' in
/// place of the line older versions wrote), or `None` when they are all there already.
pub fn with_merge_attributes(existing: Option<&[u8]>) -> Option<Vec<u8>> {
    let existing = existing.unwrap_or_default();
    let lines: Vec<&[u8]> = existing.split_inclusive(|&b| b == b'\n').collect();
    let trimmed = |line: &[u8]| String::from_utf8_lossy(line).trim().to_string();
    let mut missing: Vec<&str> = MERGE_ATTRIBUTES
        .into_iter()
        .filter(|attribute| !lines.iter().any(|line| trimmed(line) == *attribute))
        .collect();
    if missing.is_empty() {
        return None;
    }
    let mut contents = Vec::with_capacity(existing.len() + 100);
    for line in lines {
        if trimmed(line) == OLD_RECORDS_ATTRIBUTE && missing.contains(&RECORDS_ATTRIBUTE) {
            missing.retain(|attribute| *attribute != RECORDS_ATTRIBUTE);
            let ending: &[u8] = if line.ends_with(b"\r\n") {
                b"\r\n"
            } else {
                b"\n"
            };
            contents.extend_from_slice(RECORDS_ATTRIBUTE.as_bytes());
            contents.extend_from_slice(ending);
        } else {
            contents.extend_from_slice(line);
        }
    }
    if !contents.is_empty() && !contents.ends_with(b"\n") {
        contents.push(b'\n');
    }
    for attribute in missing {
        contents.extend_from_slice(attribute.as_bytes());
        contents.push(b'\n');
    }
    Some(contents)
}

/// What sharing a claims repository needs in each clone's git config, which git never
/// copies with a clone: the merge driver for records, and `git pull` merging, which git
/// otherwise refuses to choose on its own once two clones have diverged.
const SHARING_CONFIG: [(&str, &str); 3] = [
    ("merge.claims.name", DRIVER_NAME),
    ("merge.claims.driver", DRIVER_COMMAND),
    ("pull.rebase", "false"),
];

impl Store {
    /// Sets the sharing configuration in the repository's own git config, each key only
    /// where no level of git config sets it already: a driver someone set by hand (a full
    /// path to claims, say) or a preference for rebasing is left alone. Returns the keys set.
    pub fn install_sharing_config(&self) -> Result<Vec<&'static str>, StoreError> {
        let all = self.repo.config()?;
        let mut local = all.open_level(git2::ConfigLevel::Local)?;
        let mut set = Vec::new();
        for (key, value) in SHARING_CONFIG {
            if all.get_string(key).is_err() {
                local.set_str(key, value)?;
                set.push(key);
            }
        }
        // Libgit2 rewrites the config by the umask alone; git keeps it shared.
        if !set.is_empty() {
            let _ = self.sharing.adjust(&self.repo.commondir().join("config"));
        }
        Ok(set)
    }
}

/// What to write back into our version of a file the driver merges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergedFile {
    pub contents: Vec<u8>,
    /// Why a person has to finish the merge; `None` when `contents` is the merged file.
    pub conflict: Option<FileConflict>,
}

/// Why a person has to finish the merge of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileConflict {
    pub reason: String,
    /// What the two sides of a record decided differently; none when a version does not
    /// parse, or for the accepted findings.
    pub disagreements: Vec<Disagreement>,
}

impl FileConflict {
    fn unparsed(reason: String) -> FileConflict {
        FileConflict {
            reason,
            disagreements: Vec::new(),
        }
    }
}

/// Merges three versions of the file at `path` (its path in the repository): the accepted
/// audit findings, or a record.
pub fn merge_file_versions(path: &str, base: &[u8], ours: &[u8], theirs: &[u8]) -> MergedFile {
    if path == ACCEPTED_FILE {
        merge_acceptance_versions(base, ours, theirs)
    } else {
        merge_record_versions(path, base, ours, theirs)
    }
}

/// Merges three versions of the accepted audit findings: every acceptance of both sides is
/// kept (see [`Acceptances::merged_with`]); a side that does not parse leaves both between
/// conflict markers.
fn merge_acceptance_versions(base: &[u8], ours: &[u8], theirs: &[u8]) -> MergedFile {
    let parse = |label: &str, bytes: &[u8]| {
        Acceptances::from_toml(&String::from_utf8_lossy(bytes))
            .map_err(|e| format!("{label} version does not parse: {e}"))
    };
    match parse("our", ours).and_then(|ours| Ok(ours.merged_with(&parse("their", theirs)?))) {
        Ok(merged) => MergedFile {
            contents: merged.to_toml().into_bytes(),
            conflict: None,
        },
        Err(reason) => MergedFile {
            contents: with_conflict_markers(base, ours, theirs).unwrap_or_else(|| ours.to_vec()),
            conflict: Some(FileConflict::unparsed(reason)),
        },
    }
}

/// Merges three versions of the record file at `path`: `base` is the common ancestor, empty
/// when both sides created the file. Merged, the contents are the record in its canonical
/// form; otherwise they are git's line-by-line merge with conflict markers around whatever
/// differs (or our version unchanged if even that fails), so nothing of either side is lost.
fn merge_record_versions(path: &str, base: &[u8], ours: &[u8], theirs: &[u8]) -> MergedFile {
    let parse = |label: &str, bytes: &[u8]| {
        parse_record(path, bytes).map_err(|e| format!("{label} version does not parse: {e}"))
    };
    let merged = (|| -> Result<Record, FileConflict> {
        let parse = |label, bytes| parse(label, bytes).map_err(FileConflict::unparsed);
        let base = if base.trim_ascii().is_empty() {
            None
        } else {
            Some(parse("the common", base)?)
        };
        let (ours, theirs) = (parse("our", ours)?, parse("their", theirs)?);
        merge(base.as_ref(), &ours, &theirs).map_err(|conflict| FileConflict {
            reason: conflict.to_string(),
            disagreements: conflict.disagreements,
        })
    })();
    match merged {
        Ok(record) => MergedFile {
            contents: record.to_toml().into_bytes(),
            conflict: None,
        },
        Err(conflict) => MergedFile {
            contents: with_conflict_markers(base, ours, theirs).unwrap_or_else(|| ours.to_vec()),
            conflict: Some(conflict),
        },
    }
}

/// Git's own line-by-line merge of the three versions, where libgit2 makes one we can
/// read: for binary input (a NUL byte, or over its limit of 1023 MiB) or an empty side it
/// hands back a null buffer, which git2 would turn into a slice all the same.
fn with_conflict_markers(base: &[u8], ours: &[u8], theirs: &[u8]) -> Option<Vec<u8>> {
    let is_text = |bytes: &[u8]| bytes.len() <= 1023 << 20 && !bytes.contains(&0);
    if ours.is_empty() || theirs.is_empty() || ![base, ours, theirs].into_iter().all(is_text) {
        return None;
    }
    let input = |content| {
        let mut input = MergeFileInput::new();
        input.content(content);
        input
    };
    // Unlike git2's other entry points, `merge_file` does not initialise libgit2 itself;
    // making a buffer does.
    drop(git2::Buf::new());
    let mut options = MergeFileOptions::new();
    options
        .ancestor_label("base")
        .our_label("ours")
        .their_label("theirs");
    git2::merge_file(
        &input(base),
        &input(ours),
        &input(theirs),
        Some(&mut options),
    )
    .ok()
    .map(|merged| merged.content().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::state::State;

    const PATH: &str = "records/ab/abcdefgh.toml";

    fn version(state: &str, notes: &[&str]) -> Vec<u8> {
        let mut text = format!(
            "id = \"abcdefgh\"\ntext = \"x\"\nstate = \"{state}\"\npublished = false\n\
             created = \"2026-01-01T00:00:00Z\"\n"
        );
        for note in notes {
            text.push_str(&format!(
                "\n[[notes]]\nat = \"2026-01-02T00:00:00Z\"\nby = \"Ana\"\ntext = \"{note}\"\n"
            ));
        }
        text.into_bytes()
    }

    const ATTRIBUTES: &[u8] =
        b"records/**/*.toml merge=claims text eol=lf\naudit/accepted.toml merge=claims text eol=lf\n";

    #[test]
    fn the_merge_attributes_are_added_once_after_what_is_there() {
        assert_eq!(with_merge_attributes(None).unwrap(), ATTRIBUTES);
        let added = with_merge_attributes(Some(b"*.png binary")).unwrap();
        assert_eq!(added, [b"*.png binary\n", ATTRIBUTES].concat());
        assert_eq!(with_merge_attributes(Some(&added)), None);
        assert_eq!(
            with_merge_attributes(Some(
                b"  records/**/*.toml merge=claims text eol=lf  \r\naudit/accepted.toml merge=claims text eol=lf"
            )),
            None
        );
    }

    #[test]
    fn a_repository_with_the_records_line_only_gets_the_acceptances_line() {
        assert_eq!(
            with_merge_attributes(Some(b"records/**/*.toml merge=claims text eol=lf\n")).unwrap(),
            ATTRIBUTES
        );
    }

    #[test]
    fn the_line_older_versions_wrote_is_replaced_in_place() {
        assert_eq!(
            with_merge_attributes(Some(
                b"* text=auto\nrecords/**/*.toml merge=claims\n*.png binary"
            ))
            .unwrap(),
            b"* text=auto\nrecords/**/*.toml merge=claims text eol=lf\n*.png binary\n\
              audit/accepted.toml merge=claims text eol=lf\n"
        );
        assert_eq!(
            with_merge_attributes(Some(b" records/**/*.toml merge=claims\r\n")).unwrap(),
            b"records/**/*.toml merge=claims text eol=lf\r\naudit/accepted.toml merge=claims text eol=lf\n"
        );
        assert_eq!(
            with_merge_attributes(Some(b"records/**/*.toml merge=claims")).unwrap(),
            ATTRIBUTES
        );
    }

    fn acceptances(commits: &[&str]) -> Vec<u8> {
        let mut text = String::new();
        for commit in commits {
            text.push_str(&format!(
                "[[accepted]]\ncommit = \"{commit}\"\nnote = \"Reviewed.\"\nby = \"Ana\"\n\
                 at = \"2026-03-01T09:00:00Z\"\n\n[[accepted.findings]]\nrule = \"no-trailers\"\n\
                 path = \"records/ab/abcdefgh.toml\"\n\n"
            ));
        }
        text.into_bytes()
    }

    #[test]
    fn acceptances_of_both_sides_are_kept_and_an_unreadable_side_is_left_to_a_person() {
        let merged = merge_file_versions(
            ACCEPTED_FILE,
            &acceptances(&["aaaa"]),
            &acceptances(&["aaaa", "bbbb"]),
            &acceptances(&["aaaa", "cccc"]),
        );
        assert_eq!(merged.conflict, None);
        let read = Acceptances::from_toml(&String::from_utf8(merged.contents).unwrap()).unwrap();
        let commits: Vec<&str> = read.accepted.iter().map(|a| a.commit.as_str()).collect();
        assert_eq!(commits, ["aaaa", "bbbb", "cccc"]);
        // Both clones accepted their first finding: the file did not exist before.
        let merged = merge_file_versions(
            ACCEPTED_FILE,
            b"",
            &acceptances(&["bbbb"]),
            &acceptances(&["cccc"]),
        );
        assert_eq!(merged.conflict, None);

        let merged = merge_file_versions(
            ACCEPTED_FILE,
            &acceptances(&["aaaa"]),
            &acceptances(&["aaaa", "bbbb"]),
            b"accepted = 3\n",
        );
        assert!(
            merged
                .conflict
                .unwrap()
                .reason
                .contains("their version does not parse")
        );
        let text = String::from_utf8(merged.contents).unwrap();
        assert!(
            text.contains("<<<<<<< ours") && text.contains("accepted = 3"),
            "{text}"
        );
    }

    #[test]
    fn additions_on_both_sides_merge_into_the_canonical_record() {
        let merged = merge_file_versions(
            PATH,
            &version("unverified", &[]),
            &version("unverified", &["ours"]),
            &version("unverified", &["theirs"]),
        );
        assert_eq!(merged.conflict, None);
        let record = parse_record(PATH, &merged.contents).unwrap();
        assert_eq!(record.notes.len(), 2);
        assert_eq!(merged.contents, record.to_toml().into_bytes());
    }

    #[test]
    fn an_empty_base_is_a_record_created_on_both_sides() {
        let merged = merge_file_versions(
            PATH,
            b"",
            &version("unverified", &["ours"]),
            &version("unverified", &["theirs"]),
        );
        assert_eq!(merged.conflict, None);
    }

    #[test]
    fn disagreements_and_unparsable_versions_keep_both_sides_between_markers() {
        let ours = version("sourced", &[]);
        let conflicting = merge_file_versions(
            PATH,
            &version("unverified", &[]),
            &ours,
            &version("disputed", &[]),
        );
        let conflict = conflicting.conflict.unwrap();
        assert!(
            conflict
                .reason
                .contains("ours to sourced, theirs to disputed"),
            "{conflict:?}"
        );
        assert_eq!(
            conflict.disagreements,
            [Disagreement::States {
                ours: State::Sourced,
                theirs: State::Disputed
            }]
        );
        let text = String::from_utf8(conflicting.contents).unwrap();
        assert!(
            text.contains(
                "<<<<<<< ours\nstate = \"sourced\"\n=======\nstate = \"disputed\"\n>>>>>>> theirs"
            ),
            "{text}"
        );

        for garbage in [&b"id = [unclosed"[..], b"\xff\xfe", b"not = \"a record\""] {
            let merged = merge_file_versions(PATH, &version("unverified", &[]), &ours, garbage);
            assert!(
                merged
                    .conflict
                    .unwrap()
                    .reason
                    .contains("their version does not parse")
            );
            let text = String::from_utf8_lossy(&merged.contents);
            assert!(text.contains("<<<<<<< ours"), "{text}");
            assert!(
                text.contains(&String::from_utf8_lossy(garbage).to_string()),
                "{text}"
            );
        }
        // An empty base is no base; an empty, binary or mangled side is not a record.
        let odd = [&b""[..], b"\0\0binary\0", b"\xef\xbb\xbfid = 1"];
        for (base, theirs) in odd[1..]
            .iter()
            .map(|odd| (*odd, &ours[..]))
            .chain(odd.iter().map(|odd| (&ours[..], *odd)))
        {
            let merged = merge_file_versions(PATH, base, &ours, theirs);
            assert!(merged.conflict.is_some());
            assert!(!merged.contents.is_empty());
        }
        let merged = merge_file_versions(PATH, b"garbage", &ours, &ours);
        assert!(
            merged
                .conflict
                .unwrap()
                .reason
                .contains("common version does not parse")
        );
        assert_eq!(
            parse_record(PATH, &merged.contents).unwrap().state,
            State::Sourced
        );
    }
}
