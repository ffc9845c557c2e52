use std::process::Command as Process;

use crate::harness::{REVIEWER, Repo, describe};

#[test]
fn staged_user_files_stay_staged_and_out_of_the_commit() {
    let repo = Repo::new();
    std::fs::write(repo.path().join("draft.md"), "my draft\n").unwrap();
    std::fs::write(repo.path().join("claims.toml"), "# edited policy\n").unwrap();
    repo.git(&["add", "draft.md", "claims.toml"]);
    let id = repo.add("Staged files are not swept in.");
    repo.ok(&["note", &id, "still not swept in"]);

    let files = repo.git(&["show", "--name-only", "--format=", "HEAD"]);
    assert_eq!(files.trim(), format!("records/{}/{id}.toml", &id[..2]));
    let files = repo.git(&["show", "--name-only", "--format=", "HEAD~1"]);
    assert_eq!(files.trim(), format!("records/{}/{id}.toml", &id[..2]));
    assert_eq!(repo.status(), "M  claims.toml\nA  draft.md\n");
}

#[test]
fn git_status_is_clean_after_every_command() {
    let repo = Repo::new();
    assert_eq!(repo.status(), "");
    let id = repo.claim_with_two_origins("Status stays clean.");
    assert_eq!(repo.status(), "");
    for args in [
        vec!["mark", &id, "sourced", "--all-checked"],
        vec!["mark", &id, "corroborated", "--all-checked"],
        vec!["publish", &id],
        vec!["unpublish", &id],
        vec!["note", &id, "done"],
    ] {
        repo.ok(&args);
        assert_eq!(repo.status(), "", "after {args:?}");
        // And git agrees the index matches HEAD without rehashing.
        repo.git(&["diff-index", "--quiet", "--cached", "HEAD"]);
    }
}

/// A write keeps the index it replaced until the next write, which removes it: freeing a large
/// index is left to a moment nobody waits for, and only the last one is ever kept.
#[test]
fn the_index_a_write_replaces_is_kept_until_the_next_write() {
    let repo = Repo::new();
    let id = repo.add("Replaced indexes do not pile up.");
    let index = repo.path().join(".git/index");
    let kept = repo.path().join(".git/claims/replaced-index");
    for note in ["first", "second"] {
        let before = std::fs::read(&index).unwrap();
        repo.ok(&["note", &id, note]);
        assert_eq!(std::fs::read(&kept).unwrap(), before, "{note}");
        assert_ne!(std::fs::read(&index).unwrap(), before, "{note}");
    }
    let kept_files: Vec<String> = std::fs::read_dir(repo.path().join(".git/claims"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("replaced-index"))
        .collect();
    assert_eq!(kept_files, ["replaced-index"]);
    assert_eq!(repo.status(), "");
    repo.git(&["fsck", "--no-progress"]);
}

/// An index large enough to hold saved hash states (one every 256 KiB): notes in a row, late
/// in the file and then early, each resuming from the states the one before saved, leave an
/// index whose checksum is right.
#[test]
fn notes_in_a_large_index_leave_its_checksum_right() {
    use sha1::{Digest, Sha1};
    let repo = Repo::new();
    let template_id = repo.add("A claim copied thousands of times.");
    let template = repo.read_record(&template_id);
    let ids: Vec<String> = (0..6000).map(|n| format!("x{n:09}")).collect();
    let folder = repo.path().join("records/x0");
    std::fs::create_dir_all(&folder).unwrap();
    for id in &ids {
        let record = template.replace(&template_id, id);
        std::fs::write(folder.join(format!("{id}.toml")), record).unwrap();
    }
    repo.git(&["add", "records"]);
    repo.git(&["commit", "-q", "-m", "Copies"]);
    let index = repo.path().join(".git/index");
    assert!(std::fs::metadata(&index).unwrap().len() > 2 * 256 * 1024);
    for id in [&ids[5990], &ids[5500], &ids[3000], &ids[10]] {
        repo.ok(&["note", id, "checked"]);
        let bytes = std::fs::read(&index).unwrap();
        let (body, checksum) = bytes.split_at(bytes.len() - 20);
        assert_eq!(
            Sha1::digest(body).as_slice(),
            checksum,
            "after the note on {id}"
        );
    }
    assert_eq!(repo.status(), "");
    repo.git(&["fsck", "--no-progress"]);
}

/// The index is updated in place of git for the common kinds of index, and left to libgit2 for
/// the rest; either way a staged file stays staged and git sees nothing else changed.
#[test]
fn every_kind_of_index_git_writes_stays_consistent() {
    for config in [
        vec![],
        vec!["index.version=4"],
        vec!["index.skipHash=true"],
        vec!["core.untrackedCache=true"],
        vec!["feature.manyFiles=true"],
    ] {
        let repo = Repo::new();
        for setting in &config {
            let (key, value) = setting.split_once('=').unwrap();
            repo.git(&["config", key, value]);
        }
        let id = repo.add("Index kinds are all kept consistent.");
        std::fs::write(repo.path().join("draft.md"), "my draft\n").unwrap();
        repo.git(&["add", "draft.md"]);
        repo.git(&["status"]); // lets git rewrite the index its configured way
        repo.ok(&["note", &id, "in place"]);
        let second = repo.add("A second claim goes into the same index.");
        repo.ok(&["note", &second, "in place too"]);
        assert_eq!(repo.status(), "A  draft.md\n", "{config:?}");
        let tree = repo.git(&["write-tree"]);
        assert_ne!(tree, repo.git(&["rev-parse", "HEAD^{tree}"]), "{config:?}");
        repo.git(&["restore", "--staged", "draft.md"]);
        repo.git(&["diff-index", "--quiet", "--cached", "HEAD"]);
        assert_eq!(
            repo.git(&["write-tree"]),
            repo.git(&["rev-parse", "HEAD^{tree}"])
        );
        repo.git(&["fsck", "--no-progress"]);
    }
}

#[test]
fn a_split_index_is_refused_with_the_command_that_undoes_it() {
    let repo = Repo::new();
    let id = repo.add("Split indexes are refused.");
    repo.git(&["config", "core.splitIndex", "true"]);
    repo.git(&["update-index", "--split-index"]);
    let before = repo.snapshot();
    insta::assert_snapshot!(repo.sees(&["note", &id, "refused"]), @"
    ------- stderr -------
    error: git's index is a split index (core.splitIndex), which claims cannot update
    hint: nothing was changed; turn it into an ordinary index with: git config core.splitIndex false && git update-index --no-split-index
    [exit status: 2]
    ");
    assert_eq!(repo.snapshot(), before);
    repo.git(&["config", "core.splitIndex", "false"]);
    repo.git(&["update-index", "--no-split-index"]);
    repo.ok(&["note", &id, "accepted"]);
    assert_eq!(repo.status(), "");
}

#[test]
fn trailers_are_readable_by_git_interpret_trailers() {
    let repo = Repo::new();
    let id = repo.claim_with_two_origins("Trailers parse.");
    repo.ok(&["mark", &id, "sourced", "--all-checked"]);
    let message = repo.git(&["log", "-1", "--format=%B"]);
    let mut parse = Process::new("git");
    parse
        .args(["interpret-trailers", "--parse"])
        .current_dir(repo.path());
    let output = run_with_stdin(parse, &message);
    assert_eq!(
        output,
        format!(
            "Claim-Id: {id}\nClaim-Action: transition\nClaim-From: unverified\nClaim-To: sourced\n"
        )
    );
    let author = repo.git(&["log", "-1", "--format=%an <%ae>|%cn <%ce>|%aI"]);
    assert_eq!(
        author.trim(),
        format!("{REVIEWER}|{REVIEWER}|2026-03-01T09:00:00Z")
    );

    let actions: Vec<String> = repo
        .git(&["log", "--format=%(trailers:key=Claim-Action,valueonly)"])
        .split_whitespace()
        .map(String::from)
        .collect();
    assert_eq!(actions, ["transition", "source", "source", "create"]);
}

fn run_with_stdin(mut command: Process, input: &str) -> String {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", describe(&output));
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn the_first_commit_of_an_unborn_branch() {
    let repo = Repo::bare_git();
    let id = repo.add("A claim in a repository with no commits yet.");
    assert_eq!(repo.commit_count(), 1);
    assert_eq!(
        repo.git(&["symbolic-ref", "HEAD"]).trim(),
        "refs/heads/main"
    );
    assert_eq!(repo.status(), "");
    repo.ok(&["show", &id]);
}

#[test]
fn uncommitted_hand_edits_are_refused_with_the_way_out() {
    let repo = Repo::new();
    let id = repo.add("Hand edits are protected.");
    let path = repo.record_path(&id);
    let edited = repo
        .read_record(&id)
        .replace("Hand edits", "Hand-edited edits");
    std::fs::write(&path, &edited).unwrap();
    let head = repo.head();
    let path_shown = format!("records/{}/{id}.toml", &id[..2]);
    let sees = |args: &[&str]| {
        repo.sees(args)
            .replace(&path_shown, "records/XX/ID.toml")
            .replace(&id, "ID")
    };
    insta::assert_snapshot!(sees(&["note", &id, "x"]), @"
    ------- stderr -------
    error: records/XX/ID.toml has changes that are not committed
    hint: commit the edit (git commit records/XX/ID.toml) or discard it (git checkout -- records/XX/ID.toml), then run the command again
    [exit status: 2]
    ");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), edited);
    assert_eq!(repo.head(), head);

    // Staged, too.
    repo.git(&["add", "-A"]);
    insta::assert_snapshot!(sees(&["note", &id, "x"]), @"
    ------- stderr -------
    error: records/XX/ID.toml has changes that are not committed
    hint: commit the edit (git commit records/XX/ID.toml) or discard it (git restore --staged --worktree records/XX/ID.toml), then run the command again
    [exit status: 2]
    ");

    // Once committed by hand, the tool works on it again and keeps the edit.
    repo.git(&["commit", "-qm", "Fix wording"]);
    repo.ok(&["note", &id, "x"]);
    assert!(repo.read_record(&id).contains("Hand-edited edits"));
}

#[test]
fn a_record_that_is_only_in_the_working_tree_is_not_committed_by_the_tool() {
    let repo = Repo::new();
    let id = repo.add("Untracked copies are not swept in.");
    let copy = repo.read_record(&id).replace(&id, "zzzzzzzzzz");
    std::fs::create_dir_all(repo.path().join("records/zz")).unwrap();
    std::fs::write(repo.path().join("records/zz/zzzzzzzzzz.toml"), copy).unwrap();
    insta::assert_snapshot!(repo.sees(&["note", "zzzz", "x"]), @"
    ------- stderr -------
    error: records/zz/zzzzzzzzzz.toml is in the working tree but was never committed
    hint: commit it (git add records/zz/zzzzzzzzzz.toml && git commit) or remove it, then run the command again
    [exit status: 2]
    ");
}

/// `writers` processes at once, each making `writes` notes on the claims `claim_of` picks.
fn concurrent_notes(
    repo: &Repo,
    writers: usize,
    writes: usize,
    claim_of: impl Fn(usize) -> String,
) {
    let children: Vec<_> = (0..writers)
        .map(|w| {
            let script: Vec<String> = (0..writes)
                .map(|n| {
                    format!(
                        "\"$0\" note {} 'writer {w} note {n}' >/dev/null || exit 1",
                        claim_of(w)
                    )
                })
                .collect();
            let command = repo.process(&[]);
            let claims = command.get_program().to_owned();
            let mut shell = std::process::Command::new("sh");
            shell.arg("-c").arg(script.join("\n")).arg(claims);
            shell.current_dir(repo.path());
            for (key, value) in command.get_envs() {
                match value {
                    Some(value) => shell.env(key, value),
                    None => shell.env_remove(key),
                };
            }
            shell.spawn().unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{}", describe(&output));
    }
}

#[test]
fn eight_writers_on_different_claims_all_land() {
    let repo = Repo::new();
    let ids = repo.add_numbered(8, |i| format!("Concurrent claim number {i}."));
    let before = repo.commit_count();
    concurrent_notes(&repo, 8, 25, |w| ids[w].clone());
    assert_eq!(
        repo.commit_count(),
        before + 8 * 25,
        "exactly one commit per write"
    );
    assert_eq!(
        repo.git(&["rev-list", "--merges", "--count", "HEAD"])
            .trim(),
        "0"
    );
    for id in &ids {
        assert_eq!(repo.read_record(id).matches("[[notes]]").count(), 25);
    }
    assert_eq!(repo.status(), "");
    repo.git(&["fsck", "--no-progress"]);
    repo.ok(&["audit"]);
}

#[test]
fn two_writers_on_one_claim_lose_nothing() {
    let repo = Repo::new();
    let id = repo.add("Many hands, one claim.");
    concurrent_notes(&repo, 2, 10, |_| id.clone());
    let record = repo.read_record(&id);
    for w in 0..2 {
        for n in 0..10 {
            assert!(
                record.contains(&format!("writer {w} note {n}")),
                "lost {w}/{n}:\n{record}"
            );
        }
    }
    assert_eq!(repo.commit_count(), 2 + 20);
    assert_eq!(repo.status(), "");
    repo.git(&["fsck", "--no-progress"]);
    repo.ok(&["audit"]);
}

#[test]
fn a_held_index_lock_is_waited_for_then_reported_and_nothing_changes() {
    let repo = Repo::new();
    let id = repo.add("Locks are respected.");
    let lock = repo.path().join(".git/index.lock");
    insta::assert_snapshot!(a_held_lock_changes_nothing(&repo, &id, &lock), @"
    ------- stderr -------
    error: git's index is locked (REPO/.git/index.lock); waited N ms
    hint: nothing was changed; if no git command is running, the lock was left by one that was killed: remove it (rm REPO/.git/index.lock) and run this again; `claims doctor` lists every such lock
    [exit status: 2]
    ");

    // A lock that goes away while the command waits is simply waited for.
    std::fs::write(&lock, "").unwrap();
    let child = std::thread::spawn({
        let lock = lock.clone();
        move || {
            std::thread::sleep(std::time::Duration::from_millis(300));
            std::fs::remove_file(lock).unwrap();
        }
    });
    repo.ok(&["note", &id, "after the lock"]);
    child.join().unwrap();
    assert_eq!(repo.status(), "");
}

#[test]
fn a_held_branch_lock_fails_cleanly_and_changes_nothing() {
    let repo = Repo::new();
    let id = repo.add("Branch locks are respected.");
    let lock = repo.path().join(".git/refs/heads/main.lock");
    insta::assert_snapshot!(a_held_lock_changes_nothing(&repo, &id, &lock), @"
    ------- stderr -------
    error: the branch is locked (REPO/.git/refs/heads/main.lock); waited N ms
    hint: nothing was changed; if no git command is running, the lock was left by one that was killed: remove it (rm REPO/.git/refs/heads/main.lock) and run this again; `claims doctor` lists every such lock
    [exit status: 2]
    ");
}

/// The index a write puts in place before it moves the branch is put back when the branch
/// cannot move: a new claim's entry goes again, and git stages nothing.
#[test]
fn a_held_branch_lock_leaves_no_new_claim_staged() {
    let repo = Repo::new();
    repo.add("An earlier claim.");
    let head = repo.head();
    let lock = repo.path().join(".git/refs/heads/main.lock");
    std::fs::write(&lock, "").unwrap();
    let output = repo
        .claims(&["add", "A claim added while the branch is locked."])
        .env("CLAIMS_LOCK_TIMEOUT", "0")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    std::fs::remove_file(&lock).unwrap();
    assert_eq!(repo.head(), head);
    assert_eq!(repo.git(&["diff", "--cached", "--name-status"]), "");
    assert_eq!(repo.status(), "");
    repo.ok(&["audit"]);
}

/// With `lock` held by someone else, a note waits briefly, then fails, and the repository is
/// as it was; returns what the user saw.
fn a_held_lock_changes_nothing(repo: &Repo, id: &str, lock: &std::path::Path) -> String {
    let before = repo.read_record(id);
    let head = repo.head();
    std::fs::write(lock, "").unwrap();
    let output = repo
        .claims(&["note", id, "x"])
        .env("CLAIMS_LOCK_TIMEOUT", "0.3")
        .output()
        .unwrap();
    std::fs::remove_file(lock).unwrap();
    assert_eq!(repo.head(), head);
    assert_eq!(repo.read_record(id), before);
    assert_eq!(repo.status(), "");
    // It waited the whole timeout, and a little more on a loaded machine.
    let shown = repo.shown(&output);
    let waited = regex::Regex::new(r"waited (\d+) ms").unwrap();
    let millis: u64 = waited.captures(&shown).expect(&shown)[1].parse().unwrap();
    assert!((300..1000).contains(&millis), "{shown}");
    waited.replace(&shown, "waited N ms").into_owned()
}

#[test]
fn commits_are_signed_when_git_asks_for_it() {
    let repo = Repo::new();
    let key = repo.path().join(".git/test-signing-key");
    let made = Process::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&key)
        .output();
    if !made.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: ssh-keygen is not available to make a signing key");
        return;
    }
    repo.git(&["config", "commit.gpgsign", "true"]);
    repo.git(&["config", "gpg.format", "ssh"]);
    repo.git(&["config", "user.signingkey", key.to_str().unwrap()]);
    let id = repo.add("Signed commits.");
    let commit = repo.git(&["cat-file", "commit", "HEAD"]);
    assert!(
        commit.contains("gpgsig -----BEGIN SSH SIGNATURE-----"),
        "{commit}"
    );
    assert!(repo.read_record(&id).contains("Signed commits."));

    // A signing setup that cannot work is refused clearly, and nothing changes.
    repo.git(&["config", "user.signingkey", "/nonexistent/key"]);
    let head = repo.head();
    // What ssh-keygen says after its name differs between its versions.
    let ssh_keygen = regex::Regex::new(r"ssh-keygen failed: .*").unwrap();
    let seen = repo.sees(&["note", &id, "x"]);
    insta::assert_snapshot!(ssh_keygen.replace(&seen, "ssh-keygen failed: SSH-KEYGEN'S MESSAGE"), @"
    ------- stderr -------
    error: commit.gpgsign is set but the commit could not be signed: ssh-keygen failed: SSH-KEYGEN'S MESSAGE
    hint: fix the signing setup (gpg.format, user.signingkey), or turn signing off for this repository: git config commit.gpgsign false
    [exit status: 2]
    ");
    assert_eq!(repo.head(), head);
    assert_eq!(repo.status(), "");
}

/// Each change's objects go into git's store as one small pack, never loose, and every
/// sixteen small packs are merged into one; git finds every object and the history is whole.
#[test]
fn the_objects_of_many_changes_are_packed() {
    let repo = Repo::new();
    let loose = |repo: &Repo| -> u64 {
        let counts = repo.git(&["count-objects", "-v"]);
        counts
            .lines()
            .find_map(|l| l.strip_prefix("count:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap()
    };
    let packs = |repo: &Repo| {
        std::fs::read_dir(repo.path().join(".git/objects/pack"))
            .map(|dir| {
                dir.flatten()
                    .filter(|e| e.path().extension().is_some_and(|x| x == "pack"))
                    .count()
            })
            .unwrap_or(0)
    };
    let loose_before = loose(&repo);
    let packs_before = packs(&repo);
    let ids = repo.add_numbered(4, |n| {
        format!("Claim number {n} is packed with the others.")
    });
    assert_eq!(packs(&repo), packs_before + 4, "one pack per change");
    let commits = repo.commit_count();
    for n in 0..60 {
        repo.ok(&["note", &ids[n % ids.len()], &format!("note {n}")]);
    }
    assert_eq!(loose(&repo), loose_before, "no object written loose");
    // 64 changes: four merges of sixteen packs each.
    assert_eq!(packs(&repo), packs_before + 4);
    repo.git(&["fsck", "--strict", "--no-progress"]);
    assert_eq!(repo.status(), "");
    assert_eq!(repo.commit_count(), commits + 60);
    insta::assert_snapshot!(repo.sees(&["audit"]), @"
    audited 64 commits: ok
    [exit status: 0]
    ");
    let log = repo.ok(&["log", &ids[0]]);
    assert_eq!(log.matches("Note on").count(), 15, "{log}");
}
