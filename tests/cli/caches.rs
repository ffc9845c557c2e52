//! The caches under git's directory are only ever an optimisation: damaged, edited, left by
//! another branch or raced by another process, they never change an answer.

use std::path::{Path, PathBuf};

use crate::harness::{Repo, describe, stderr};

/// What git lists as the commits that changed a claim's record, newest first.
fn git_log(repo: &Repo, id: &str) -> Vec<String> {
    let path = format!("records/{}/{id}.toml", &id[..2]);
    repo.git(&["log", "--format=%H", "--", &path])
        .lines()
        .map(str::to_string)
        .collect()
}

/// What `claims log ID` lists, newest first; fails on any exit but 0, and on a message about
/// git's object store, which a cache must never cause.
fn claims_log(repo: &Repo, id: &str) -> Vec<String> {
    let output = repo.fails(&["log", id, "--format", "json"], 0);
    commits_of(&output)
}

fn commits_of(output: &std::process::Output) -> Vec<String> {
    assert!(
        output.status.success() && !stderr(output).contains("object store"),
        "{}",
        describe(output)
    );
    let entries: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    entries
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["commit"].as_str().unwrap().to_string())
        .collect()
}

/// Every file under `dir`, sorted.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn copy_dir(from: &Path, to: &Path) {
    if to.exists() {
        std::fs::remove_dir_all(to).unwrap();
    }
    for file in files_under(from) {
        let target = to.join(file.strip_prefix(from).unwrap());
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(&file, &target).unwrap();
    }
}

/// A change made to a cache file's bytes.
type Damage = fn(Vec<u8>) -> Vec<u8>;

/// The ways a cache file is found damaged: cut short, a line lost, bytes changed (one in the
/// middle, and one hexadecimal digit near the end changed into another, which leaves an
/// object id that names no object).
const DAMAGE: &[(&str, Damage)] = &[
    ("truncated", |bytes| bytes[..bytes.len() / 2].to_vec()),
    ("a line removed", |bytes| {
        let lines: Vec<&[u8]> = bytes.split_inclusive(|&b| b == b'\n').collect();
        let removed = if lines.len() > 1 { 1 } else { 0 };
        lines
            .iter()
            .enumerate()
            .filter(|(n, _)| *n != removed)
            .flat_map(|(_, line)| line.iter().copied())
            .collect()
    }),
    ("bytes flipped", |mut bytes| {
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x01;
        if let Some(digit) = bytes.iter().rposition(u8::is_ascii_hexdigit) {
            bytes[digit] = if bytes[digit] == b'0' { b'1' } else { b'0' };
        }
        bytes
    }),
];

/// A claim changed by the workflow and by hand, among others.
fn history_of_one_claim() -> (Repo, String) {
    let repo = Repo::new();
    let id = repo.add("A claim with a long history.");
    repo.add_numbered(6, |n| format!("Another claim, number {n}."));
    for n in 0..4 {
        repo.ok(&["note", &id, &format!("Note {n}.")]);
    }
    let record = repo.record_path(&id);
    let text = repo.read_record(&id);
    std::fs::write(&record, text.replace("long history", "longer history")).unwrap();
    repo.git(&["commit", "-qam", "Edit by hand"]);
    repo.ok(&["note", &id, "After the hand edit."]);
    (repo, id)
}

#[test]
fn a_damaged_log_index_never_changes_what_log_lists() {
    let (repo, id) = history_of_one_claim();
    let expected = git_log(&repo, &id);
    assert_eq!(expected.len(), 7);
    assert_eq!(claims_log(&repo, &id), expected);
    let index = repo.path().join(".git/claims/log");
    let pristine = tempfile::tempdir().unwrap();
    copy_dir(&index, pristine.path());
    let files = files_under(&index);
    assert!(files.len() > 1, "{files:?}");
    for file in &files {
        for (damage, apply) in DAMAGE {
            copy_dir(pristine.path(), &index);
            std::fs::write(file, apply(std::fs::read(file).unwrap())).unwrap();
            assert_eq!(
                claims_log(&repo, &id),
                expected,
                "{} {damage}",
                file.display()
            );
            // And once rebuilt, still right.
            assert_eq!(
                claims_log(&repo, &id),
                expected,
                "{} {damage}",
                file.display()
            );
        }
        copy_dir(pristine.path(), &index);
        std::fs::remove_file(file).unwrap();
        assert_eq!(
            claims_log(&repo, &id),
            expected,
            "{} removed",
            file.display()
        );
    }
}

#[test]
fn a_log_index_left_by_another_branch_never_answers_for_this_one() {
    let (repo, id) = history_of_one_claim();
    repo.git(&["switch", "-q", "-c", "other", "HEAD~3"]);
    repo.ok(&["note", &id, "Only on the other branch."]);
    assert_eq!(claims_log(&repo, &id), git_log(&repo, &id));
    let index = repo.path().join(".git/claims/log");
    let other = tempfile::tempdir().unwrap();
    copy_dir(&index, other.path());
    repo.git(&["switch", "-q", "main"]);
    let expected = git_log(&repo, &id);
    assert_eq!(claims_log(&repo, &id), expected);
    copy_dir(other.path(), &index);
    assert_eq!(claims_log(&repo, &id), expected);
    // And when git no longer has that branch's tip at all.
    repo.git(&["branch", "-q", "-D", "other"]);
    repo.git(&["reflog", "expire", "--expire=now", "--all"]);
    repo.git(&["gc", "-q", "--prune=now"]);
    copy_dir(other.path(), &index);
    assert_eq!(claims_log(&repo, &id), expected);
}

/// `claims log` run at once in two working trees of one repository, on branches that went
/// apart, round after round: each lists what git lists on its own branch.
#[test]
fn log_at_once_in_two_worktrees_on_diverged_branches() {
    let (main, id) = history_of_one_claim();
    let linked = main.worktree("other");
    for round in 0..6 {
        main.ok(&["note", &id, &format!("On main, round {round}.")]);
        linked.ok(&["note", &id, &format!("On the other branch, round {round}.")]);
        let runs: Vec<_> = [&main, &linked]
            .iter()
            .map(|repo| {
                repo.process(&["log", &id, "--format", "json"])
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for (repo, run) in [&main, &linked].into_iter().zip(runs) {
            let output = run.wait_with_output().unwrap();
            assert_eq!(commits_of(&output), git_log(repo, &id), "round {round}");
        }
        for repo in [&main, &linked] {
            assert_eq!(claims_log(repo, &id), git_log(repo, &id), "round {round}");
        }
    }
}

/// Runs `claims audit --format json`; returns the exit code and the rules reported, sorted.
fn audit_rules(repo: &Repo) -> (i32, Vec<String>) {
    let output = repo
        .claims(&["audit", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        !stderr(&output).contains("object store"),
        "{}",
        describe(&output)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", describe(&output)));
    let mut rules: Vec<String> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["rule"].as_str().unwrap().to_string())
        .collect();
    rules.sort();
    (output.status.code().unwrap(), rules)
}

/// Empties every list of violations in a JSON document: what someone hiding a finding from
/// the next audit would write.
fn without_violations(bytes: Vec<u8>) -> Vec<u8> {
    fn empty(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(fields) => {
                for (key, field) in fields.iter_mut() {
                    if key == "violations" {
                        *field = serde_json::Value::Array(Vec::new());
                    } else {
                        empty(field);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(empty),
            _ => {}
        }
    }
    let mut value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    empty(&mut value);
    serde_json::to_vec(&value).unwrap()
}

#[test]
fn a_damaged_or_edited_audit_cache_never_hides_a_violation() {
    let (repo, id) = history_of_one_claim();
    let other = repo.add("A claim left edited and not committed.");
    let expected = vec!["no-trailers".to_string(), "uncommitted".to_string()];
    let edit_uncommitted = || {
        let text = repo.read_record(&other);
        std::fs::write(
            repo.record_path(&other),
            text.replace("left edited", "EDITED"),
        )
        .unwrap();
    };
    edit_uncommitted();
    assert_eq!(audit_rules(&repo), (1, expected.clone()));
    let claims_dir = repo.path().join(".git/claims");
    let caches: Vec<PathBuf> = files_under(&claims_dir)
        .into_iter()
        .filter(|f| f.to_string_lossy().contains("audit"))
        .collect();
    assert_eq!(caches.len(), 1, "{caches:?}");
    let cache = &caches[0];
    let pristine = std::fs::read(cache).unwrap();
    let mut edits: Vec<(&str, Damage)> = DAMAGE.to_vec();
    edits.push(("edited, still valid JSON", without_violations));
    for (edit, apply) in edits {
        std::fs::write(cache, apply(pristine.clone())).unwrap();
        assert_eq!(audit_rules(&repo), (1, expected.clone()), "{edit}");
        // The next audit, from what this one left, is as right.
        std::fs::write(cache, apply(pristine.clone())).unwrap();
        repo.ok(&["note", &id, &format!("After the cache was {edit}.")]);
        edit_uncommitted();
        assert_eq!(
            audit_rules(&repo),
            (1, expected.clone()),
            "{edit}, one commit on"
        );
    }
}

#[test]
fn an_edited_folder_listing_never_hides_an_uncommitted_record() {
    let repo = Repo::new();
    let ids = repo.add_numbered(4, |n| format!("Listed claim {n}."));
    let stray = repo.record_path(&ids[0]).with_file_name("zzzzzzzzzz.toml");
    std::fs::write(&stray, "new\n").unwrap();
    // Folders changed within two seconds of a scan are read again until they settle.
    std::thread::sleep(std::time::Duration::from_millis(2200));
    assert_eq!(audit_rules(&repo), (1, vec!["uncommitted".to_string()]));
    let listings = repo.path().join(".git/claims/folders");
    let pristine = std::fs::read(&listings).unwrap();
    let name = b"zzzzzzzzzz.toml\0";
    let at = pristine
        .windows(name.len())
        .position(|w| w == name)
        .expect("the stray file is listed");
    // The stray name taken out of its folder's names, and the length of those names made to
    // match: a listing that reads well.
    let mut edited = pristine[..at].to_vec();
    edited.extend_from_slice(&pristine[at + name.len()..]);
    let header_end = pristine[..at].iter().rposition(|&b| b == b'\n').unwrap();
    let header_start = pristine[..header_end]
        .iter()
        .rposition(|&b| b == b'\n')
        .unwrap()
        + 1;
    let header = String::from_utf8(pristine[header_start..header_end].to_vec()).unwrap();
    // The folder's line: checksum, inode, change and modification times, names' length, path.
    let mut fields: Vec<String> = header.split(' ').map(str::to_string).collect();
    let length: usize = fields[6].parse().unwrap();
    fields[6] = (length - name.len()).to_string();
    edited.splice(header_start..header_end, fields.join(" ").into_bytes());
    let mut flipped = pristine.clone();
    flipped[at + 3] ^= 0x01;
    for (edit, bytes) in [("name removed", edited), ("name changed", flipped)] {
        std::fs::write(&listings, &bytes).unwrap();
        assert_eq!(
            audit_rules(&repo),
            (1, vec!["uncommitted".to_string()]),
            "{edit}"
        );
    }
}

#[test]
fn audit_in_a_partial_clone_says_what_to_fetch() {
    let (source, _) = history_of_one_claim();
    source.git(&["config", "uploadpack.allowFilter", "true"]);
    let clone = source.clone_with(&["--filter=blob:none"]);
    let output = clone.fails(&["audit"], 2);
    insta::assert_snapshot!(stderr(&output), @"
    error: this is a partial clone: the audit reads every version of every record, and some were left on the remote 'origin'
    hint: fetch them, and have later fetches bring them too, with: git config --unset remote.origin.partialclonefilter && git fetch --refetch origin
    ");
    // What it says to run is enough: the clone is audited as its source is.
    clone.git(&["config", "--unset", "remote.origin.partialclonefilter"]);
    clone.git(&["fetch", "-q", "--refetch", "origin"]);
    let audited = |repo: &Repo| String::from_utf8(repo.fails(&["audit"], 1).stdout).unwrap();
    assert_eq!(audited(&clone), audited(&source));
    // And a revision that names nothing is still what --since is told.
    let output = clone.fails(&["audit", "--since", "no-such-branch"], 2);
    insta::assert_snapshot!(stderr(&output), @"error: --since: revspec 'no-such-branch' not found");
}

/// The index's hash states let a write re-hash only what follows its record; damaged, they
/// are not used, and git's index still checks out.
#[test]
fn damaged_index_hash_states_never_leave_an_index_git_refuses() {
    let repo = Repo::new();
    let id = repo.add("A claim noted beside many papers.");
    // An index of several hash states (one every 256 KiB): 8,000 files.
    let papers = repo.path().join("papers");
    std::fs::create_dir(&papers).unwrap();
    for n in 0..8000 {
        std::fs::write(papers.join(format!("{n:04}.txt")), "x\n").unwrap();
    }
    repo.git(&["add", "papers"]);
    repo.git(&["commit", "-qm", "Papers"]);
    repo.ok(&["note", &id, "Writes the states."]);
    let index = std::fs::metadata(repo.path().join(".git/index"))
        .unwrap()
        .len();
    assert!(index > 512 * 1024, "{index} bytes");
    let states = repo.path().join(".git/claims/index-hash");
    for (damage, apply) in DAMAGE {
        std::fs::write(&states, apply(std::fs::read(&states).unwrap())).unwrap();
        repo.ok(&["note", &id, &format!("With the states {damage}.")]);
        // Git checks the index's checksum as it reads it.
        assert_eq!(repo.status(), "", "{damage}");
    }
}
