//! Beside plain git: git commands run at any moment next to the tool never undo or hide its
//! work, and whatever git or a full disk leaves behind, `claims doctor` finds and explains.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use crate::harness::{Repo, describe, user_sees};

/// How a hand commit beside the tool stages its change.
#[derive(Debug, Clone, Copy)]
enum HandCommit {
    /// `git add hand.txt`, then `git commit`.
    AddThenCommit,
    /// `git commit -a`.
    All,
}

/// Runs `git ARGS` until it succeeds: beside a write git refuses ("index.lock: File exists")
/// or its branch update loses the race, and the person at the keyboard tries again; when the
/// pre-commit hook refuses an index git wrote back, they run `claims doctor`, as it says.
fn retry_git(repo: &Repo, args: &[&str]) {
    for _ in 0..2000 {
        let output = repo.git_output(args);
        if output.status.success() {
            return;
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        if stderr.contains("run `claims doctor`") {
            repo.ok(&["doctor"]);
            continue;
        }
        assert!(
            stderr.contains("index.lock") || stderr.contains("cannot lock ref"),
            "git {args:?}: {}",
            describe(&output)
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    panic!("git {args:?} never got through");
}

/// One commit by hand of a new line of hand.txt.
fn hand_commit(repo: &Repo, n: usize, how: HandCommit) {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(repo.path().join("hand.txt"))
        .unwrap();
    writeln!(file, "x {n}").unwrap();
    let message = format!("Hand edit {n}");
    match how {
        HandCommit::AddThenCommit => {
            retry_git(repo, &["add", "hand.txt"]);
            retry_git(repo, &["commit", "-q", "-m", &message]);
        }
        HandCommit::All => retry_git(repo, &["commit", "-q", "-a", "-m", &message]),
    }
}

/// A loop of `claims note` beside a loop of `git commit -a`: every note stays in the branch's
/// record, the audit finds no commit that reverted one, and `git status` is clean.
#[test]
fn hand_commits_beside_writes_never_revert_them() {
    notes_beside_hand_commits(HandCommit::All);
}

/// The same beside `git add` then a plain `git commit`, which reads HEAD and the index before
/// it takes `index.lock` (builtin/commit.c, `prepare_index`): one whose read came before a
/// write and whose lock came after writes back the index it read, then fails to move the
/// branch, and its retry would commit that index. The pre-commit hook `claims init`
/// installed refuses that commit, and `claims doctor` repairs the index.
#[test]
fn plain_commits_beside_writes_never_revert_them() {
    notes_beside_hand_commits(HandCommit::AddThenCommit);
}

/// A note, then git's index put back as it was before the note: what a `git commit` that read
/// the index just before the note and locked it just after writes back.
fn note_with_index_written_back(repo: &Repo, id: &str, note: &str) {
    let index = repo.path().join(".git/index");
    let before = std::fs::read(&index).unwrap();
    repo.ok(&["note", id, note]);
    std::fs::write(&index, before).unwrap();
}

/// The user's view of `output`, with the record's path named RECORD.
fn seen(repo: &Repo, output: &std::process::Output, path: &str) -> String {
    in_repo(repo, user_sees(output).as_bytes()).replace(path, "RECORD")
}

/// A hand commit of `hand.txt` over an index in which git wrote back `path`: the hook refuses
/// it and the branch stays where it was.
fn hand_commit_is_refused_over(repo: &Repo, path: &str) {
    std::fs::write(repo.path().join("hand.txt"), "by hand\n").unwrap();
    repo.git(&["add", "hand.txt"]);
    let head = repo.head();
    let output = repo.git_output(&["commit", "-q", "-m", "Hand edit"]);
    // One expected answer, asserted for each test that calls this.
    insta::allow_duplicates! {
        insta::assert_snapshot!(seen(repo, &output, path), @"
        ------- stderr -------
        error: git's index stages an earlier version of RECORD than the branch, one a commit of claims replaced; committing it would undo what claims committed
        hint: a `git commit` run beside a claims write writes back the index it read before the write; run `claims doctor`, which stages the branch's version again, then commit again
        hint: if you changed the index on purpose, commit with: git commit --no-verify
        [exit status: 1]
        ");
    }
    assert_eq!(repo.head(), head);
}

/// A commit of an index git wrote back is refused by the hook, which changes nothing; `claims
/// doctor` stages the branch's version again, and the commit then holds only what the user
/// staged.
#[test]
fn a_commit_of_an_index_git_wrote_back_is_refused_until_doctor_repairs_it() {
    let repo = Repo::new();
    let id = repo.add("A claim whose note git's index forgets.");
    note_with_index_written_back(&repo, &id, "a note git wrote back");
    let path = format!("records/{}/{id}.toml", &id[..2]);
    assert_eq!(
        repo.git(&["diff", "--cached", "--name-only"]),
        format!("{path}\n")
    );
    hand_commit_is_refused_over(&repo, &path);
    let output = repo.claims(&["doctor"]).output().unwrap();
    insta::assert_snapshot!(seen(&repo, &output, &path), @r"
    ok: no interrupted change
    repaired: staged RECORD as the branch has it again: a `git commit` beside a claims write had written back an earlier version, and committing it would have undone the write
    the repository is sound
    [exit status: 0]
    ");
    repo.git(&["commit", "-q", "-m", "Hand edit"]);
    assert_eq!(
        repo.git(&["show", "--name-only", "--format=", "HEAD"]),
        "hand.txt\n"
    );
    assert!(
        repo.git(&["show", &format!("HEAD:{path}")])
            .contains("a note git wrote back")
    );
    assert_eq!(repo.status(), "");
    repo.ok(&["audit"]);
}

/// A written-back entry is recognised however many commits of the tool came after the one it
/// undoes: here 300 (a busy desk's day), appended in one `git fast-import`, changing nothing.
#[test]
fn a_write_back_behind_hundreds_of_later_commits_is_still_refused() {
    let repo = Repo::new();
    let id = repo.add("A claim whose note git's index forgets.");
    let index = repo.path().join(".git/index");
    let before = std::fs::read(&index).unwrap();
    repo.ok(&["note", &id, "a note git wrote back"]);
    let mut stream = String::new();
    for n in 0..300 {
        let message =
            format!("Note on another claim {n}\n\nClaim-Id: zz{n:08}\nClaim-Action: note\n");
        stream.push_str(&format!(
            "commit refs/heads/main\ncommitter Reviewer <r@example.org> 1700000000 +0000\ndata {}\n{message}{}\n",
            message.len(),
            if n == 0 { "from refs/heads/main^0\n" } else { "" }
        ));
    }
    let mut import = repo.git_command(&["fast-import", "--quiet"]);
    import.stdin(std::process::Stdio::piped());
    let mut child = import.spawn().unwrap();
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stream.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
    std::fs::write(&index, before).unwrap();
    let path = format!("records/{}/{id}.toml", &id[..2]);
    hand_commit_is_refused_over(&repo, &path);
    repo.ok(&["doctor"]);
    repo.git(&["commit", "-q", "-m", "Hand edit"]);
    assert!(
        repo.git(&["show", &format!("HEAD:{path}")])
            .contains("a note git wrote back")
    );
    assert_eq!(repo.status(), "");
}

/// `git commit -a` commits a copy of the index under git's lock: the hook checks that copy,
/// so a new claim the written-back index forgot is not deleted from the branch.
#[test]
fn a_commit_all_of_an_index_that_forgot_a_new_claim_is_refused() {
    let repo = Repo::new();
    std::fs::write(repo.path().join("hand.txt"), "by hand\n").unwrap();
    repo.git(&["add", "hand.txt"]);
    repo.git(&["commit", "-q", "-m", "Hand file"]);
    let index = repo.path().join(".git/index");
    let before = std::fs::read(&index).unwrap();
    let id = repo.add("A claim git's index never heard of.");
    std::fs::write(&index, before).unwrap();
    std::fs::write(repo.path().join("hand.txt"), "by hand, again\n").unwrap();
    let output = repo.git_output(&["commit", "-q", "-a", "-m", "Hand edit"]);
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    let path = format!("records/{}/{id}.toml", &id[..2]);
    assert!(
        repo.git(&["ls-tree", "-r", "--name-only", "HEAD"])
            .contains(&path)
    );
    repo.ok(&["doctor"]);
    repo.git(&["commit", "-q", "-a", "-m", "Hand edit"]);
    assert!(
        repo.git(&["ls-tree", "-r", "--name-only", "HEAD"])
            .contains(&path)
    );
    assert_eq!(repo.status(), "");
}

/// A record taken out of the index on purpose looks like git's write-back of a new claim:
/// the hook refuses rather than undo it, and `--no-verify` commits it as asked.
#[test]
fn an_index_change_made_on_purpose_is_refused_never_undone() {
    let repo = Repo::new();
    let id = repo.add("A claim that names a source it must not.");
    let path = format!("records/{}/{id}.toml", &id[..2]);
    repo.git(&["rm", "-q", "--cached", &path]);
    let output = repo.git_output(&["commit", "-q", "-m", "Remove the claim"]);
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    assert!(
        repo.git(&["diff", "--cached", "--name-status"])
            .starts_with('D')
    );
    repo.git(&["commit", "-q", "--no-verify", "-m", "Remove the claim"]);
    assert!(
        !repo
            .git(&["ls-tree", "-r", "--name-only", "HEAD"])
            .contains(&path)
    );
}

/// `git add -N` after `git rm --cached` leaves an entry git commits as absent: the same
/// deletion, refused the same way.
#[test]
fn an_intent_to_add_entry_counts_as_absent() {
    let repo = Repo::new();
    let id = repo.add("A claim whose entry is only meant to be added.");
    let path = format!("records/{}/{id}.toml", &id[..2]);
    repo.git(&["rm", "-q", "--cached", &path]);
    repo.git(&["add", "-N", &path]);
    let output = repo.git_output(&["commit", "-q", "-m", "Remove the claim"]);
    insta::assert_snapshot!(seen(&repo, &output, &path), @"
    ------- stderr -------
    error: git's index leaves out RECORD, which a commit of claims added; committing it would undo what claims committed
    hint: a `git commit` run beside a claims write writes back the index it read before the write; run `claims doctor`, which stages the branch's version again, then commit again
    hint: if you changed the index on purpose, commit with: git commit --no-verify
    [exit status: 1]
    ");
}

/// A record in conflict (a `git stash pop` over a claims write) is the user's to merge:
/// doctor neither stages it nor calls it written back.
#[test]
fn doctor_leaves_a_record_in_conflict_alone() {
    let repo = Repo::new();
    let id = repo.add("A claim edited by hand, then noted by claims.");
    let path = format!("records/{}/{id}.toml", &id[..2]);
    let record = repo.path().join(&path);
    let text = std::fs::read_to_string(&record).unwrap();
    std::fs::write(&record, text.replace("edited by hand", "EDITED by hand")).unwrap();
    repo.git(&["stash", "-q"]);
    repo.ok(&["note", &id, "a note over the stash"]);
    let output = repo.git_output(&["-c", "merge.claims.driver=false", "stash", "pop"]);
    assert!(!output.status.success(), "{}", describe(&output));
    repo.git(&["checkout", "--ours", "--", &path]);
    let output = repo.claims(&["doctor"]).output().unwrap();
    insta::assert_snapshot!(seen(&repo, &output, &path), @"
    ok: no interrupted change
    needs you: RECORD has changes that are not committed (unmerged) (commit it, or discard it: git checkout -- RECORD)
    [exit status: 1]
    ");
    assert!(repo.status().starts_with("UU "), "{}", repo.status());
}

/// A write-back after an extract of many claims is named in one short line, and found at
/// once: the branch's recent commits are read once for all the records.
#[test]
fn a_written_back_extract_is_refused_in_one_line() {
    let repo = Repo::new();
    let sentences: Vec<String> = (0..8)
        .map(|n| format!("The city of Town{n} said it has {} parks and spent {} million dollars on them in 2023.", 100 + n, 7 * n + 13))
        .collect();
    std::fs::write(repo.path().join("doc.txt"), sentences.join(" ") + "\n").unwrap();
    repo.git(&["add", "doc.txt"]);
    repo.git(&["commit", "-q", "-m", "An article"]);
    repo.ok(&["extract", "doc.txt"]);
    repo.git(&["read-tree", "HEAD~1"]);
    let output = repo.git_output(&["commit", "-q", "--allow-empty", "-m", "By hand"]);
    let shown = regex::Regex::new(r"records/[a-z0-9]{2}/[a-z0-9]+\.toml")
        .unwrap()
        .replace_all(&user_sees(&output), "RECORD")
        .into_owned();
    insta::assert_snapshot!(shown, @"
    ------- stderr -------
    error: git's index leaves out RECORD, RECORD, RECORD and 5 more, which a commit of claims added; committing it would undo what claims committed
    hint: a `git commit` run beside a claims write writes back the index it read before the write; run `claims doctor`, which stages the branch's version again, then commit again
    hint: if you changed the index on purpose, commit with: git commit --no-verify
    [exit status: 1]
    ");
    repo.ok(&["doctor"]);
    assert_eq!(repo.status(), "");
}

/// Without the hook, `claims doctor` stages the branch's version again, a new claim's entry
/// too; a write over such an entry is refused with that repair named.
#[test]
fn doctor_stages_again_what_git_wrote_back_and_a_write_names_it() {
    let repo = Repo::new();
    std::fs::remove_file(repo.path().join(".git/hooks/pre-commit")).unwrap();
    let id = repo.add("A claim whose note git's index forgets.");
    note_with_index_written_back(&repo, &id, "a note git wrote back");
    let index = repo.path().join(".git/index");
    let before_new = std::fs::read(&index).unwrap();
    let new = repo.add("A claim git's index never heard of.");
    std::fs::write(&index, before_new).unwrap();
    let staged = repo.git(&["diff", "--cached", "--name-status"]);
    assert_eq!(staged.lines().count(), 2, "{staged}");

    let path = format!("records/{}/{id}.toml", &id[..2]);
    let head = repo.head();
    let output = repo
        .claims(&["note", &id, "a note over it"])
        .output()
        .unwrap();
    insta::assert_snapshot!(seen(&repo, &output, &path), @"
    ------- stderr -------
    warning: this clone lacks the pre-commit hook of claims, so a `git commit` retried beside a claims write could undo the write; run `claims init` to install it
    error: git's index stages an earlier version of RECORD than the branch, one a commit of claims replaced
    hint: a `git commit` run beside a claims write can write back the index it read before the write; committing it would undo the write. Run `claims doctor`, which stages the branch's version again; if you staged it on purpose, commit or unstage it first (git restore --staged RECORD)
    [exit status: 2]
    ");
    assert_eq!(repo.head(), head);

    let output = repo.claims(&["doctor"]).output().unwrap();
    let shown = user_sees(&output)
        .replace(&path, "NOTED")
        .replace(&format!("records/{}/{new}.toml", &new[..2]), "NEW");
    let mut lines: Vec<&str> = shown.lines().collect();
    lines[1..3].sort();
    insta::assert_snapshot!(lines.join("\n"), @"
    ok: no interrupted change
    repaired: staged NEW as the branch has it again: a `git commit` beside a claims write had written back an earlier version, and committing it would have undone the write
    repaired: staged NOTED as the branch has it again: a `git commit` beside a claims write had written back an earlier version, and committing it would have undone the write
    note: this clone has no pre-commit hook, so a `git commit` retried beside a claims write could undo the write; `claims init` installs it
    the repository is sound
    [exit status: 0]
    ");
    assert_eq!(repo.status(), "");
    repo.ok(&["note", &id, "a note over it"]);
    assert_eq!(repo.status(), "");
    let committed = repo.git(&["show", &format!("HEAD:{path}")]);
    assert!(committed.contains("a note git wrote back") && committed.contains("a note over it"));
    repo.ok(&["audit"]);
}

/// What the user staged is the user's: an older version of a record staged on purpose with
/// the working file changed too is no written-back index, and is left alone.
#[test]
fn an_older_version_the_user_staged_is_left_alone() {
    let repo = Repo::new();
    let id = repo.add("A claim someone reverts by hand.");
    repo.ok(&["note", &id, "a note"]);
    let path = format!("records/{}/{id}.toml", &id[..2]);
    repo.git(&["checkout", "HEAD~1", "--", &path]);
    let output = repo.git_output(&["commit", "-q", "-m", "Revert the note by hand"]);
    assert!(output.status.success(), "{}", describe(&output));
    assert!(
        !repo
            .git(&["show", &format!("HEAD:{path}")])
            .contains("a note")
    );
}

fn notes_beside_hand_commits(how: HandCommit) {
    const NOTES: usize = 8;
    for notes_first in [true, false] {
        let repo = Repo::new();
        let id = repo.add("A claim noted while someone commits by hand beside it.");
        std::fs::write(repo.path().join("hand.txt"), "start\n").unwrap();
        repo.git(&["add", "hand.txt"]);
        repo.git(&["commit", "-q", "-m", "Hand file"]);
        let notes_done = AtomicBool::new(false);
        let notes_started = AtomicBool::new(false);
        let hand_commits = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            scope.spawn(|| {
                while notes_first && !notes_started.load(Ordering::SeqCst) {
                    std::thread::yield_now();
                }
                // Bounded: the hand loop stops with the notes, or after 200 commits.
                for n in 0..200 {
                    if notes_done.load(Ordering::SeqCst) {
                        break;
                    }
                    hand_commit(&repo, n, how);
                    hand_commits.fetch_add(1, Ordering::SeqCst);
                }
            });
            while !notes_first && hand_commits.load(Ordering::SeqCst) == 0 {
                std::thread::yield_now();
            }
            for n in 0..NOTES {
                let text = format!("note {n}");
                let mut output = repo.process(&["note", &id, &text]).output().unwrap();
                if n == 0 {
                    notes_started.store(true, Ordering::SeqCst);
                }
                // Refused over an index git wrote back: the user runs what the hint names.
                if String::from_utf8_lossy(&output.stderr).contains("Run `claims doctor`") {
                    repo.ok(&["doctor"]);
                    output = repo.process(&["note", &id, &text]).output().unwrap();
                }
                assert!(
                    output.status.success(),
                    "{how:?}, note {n}: {}\nthe repository then:\n{}",
                    describe(&output),
                    state_of(&repo, &id)
                );
            }
            notes_done.store(true, Ordering::SeqCst);
        });
        let case = format!("{how:?}, notes first: {notes_first}");
        assert!(hand_commits.load(Ordering::SeqCst) > 0, "{case}");
        let path = format!("records/{}/{id}.toml", &id[..2]);
        let committed = repo.git(&["show", &format!("HEAD:{path}")]);
        for n in 0..NOTES {
            assert_eq!(
                committed.matches(&format!("note {n}\"")).count(),
                1,
                "{case}: note {n}"
            );
        }
        assert_eq!(repo.status(), "", "{case}");
        repo.ok(&["audit"]);
        repo.git(&["fsck", "--no-progress", "--no-dangling"]);
    }
}

/// Waits, a bounded time, for `path` to exist (or, with `exists` false, to be gone).
fn wait_for(path: &std::path::Path, exists: bool) {
    let start = std::time::Instant::now();
    while path.exists() != exists {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{} never {}",
            path.display(),
            if exists { "appeared" } else { "went" }
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A plain `git commit` reads git's index again once its pre-commit hook has run
/// (builtin/commit.c, `prepare_to_commit`), without the index lock. One whose hook ends while
/// a claims write has put its index in place but not yet moved the branch reads the write's
/// record there: it must not land it under its own message. Here the hook is held until the
/// write reaches that step, and the write until the commit is done.
#[test]
fn a_commit_that_reads_the_index_mid_write_never_carries_the_write() {
    let repo = Repo::new();
    let id = repo.add("A claim noted while a hand commit waits in its hook.");
    let path = format!("records/{}/{id}.toml", &id[..2]);
    std::fs::write(repo.path().join("hand.txt"), "start\n").unwrap();
    repo.git(&["add", "hand.txt"]);
    repo.git(&["commit", "-q", "-m", "Hand file"]);
    let markers = tempfile::tempdir().unwrap();
    let (entered, go) = (
        markers.path().join("hook-entered"),
        markers.path().join("hook-go"),
    );
    // The hook of `claims init`, run once the write has reached the step.
    let hooks = repo.path().join(".git/hooks");
    std::fs::rename(hooks.join("pre-commit"), hooks.join("pre-commit.claims")).unwrap();
    let hook = format!(
        "#!/bin/sh\n: > '{}'\nwhile [ ! -e '{}' ]; do sleep 0.01; done\nexec .git/hooks/pre-commit.claims\n",
        entered.display(),
        go.display()
    );
    std::fs::write(hooks.join("pre-commit"), hook).unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(
        hooks.join("pre-commit"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    std::fs::write(repo.path().join("hand.txt"), "by hand\n").unwrap();
    repo.git(&["add", "hand.txt"]);
    let hand = repo
        .git_command(&["commit", "-q", "-m", "Hand edit"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    wait_for(&entered, true);
    let mut hand = Some(hand);
    let mut hand_output = None;
    during_a_note_at(&repo, &id, "after-index-refreshed", || {
        std::fs::write(&go, "").unwrap();
        hand_output = hand.take().map(|hand| hand.wait_with_output().unwrap());
    });
    let hand = hand_output.unwrap();
    // The hand commit failed to move the branch, as beside any write, and its retry commits
    // what was staged by hand: hand.txt alone.
    if !hand.status.success() {
        assert!(
            String::from_utf8_lossy(&hand.stderr).contains("cannot lock ref"),
            "{}",
            describe(&hand)
        );
        repo.git(&["commit", "-q", "-m", "Hand edit"]);
    }
    assert_eq!(
        repo.git(&["show", "--name-only", "--format=%s", "HEAD"]),
        "Hand edit\n\nhand.txt\n",
        "{}",
        state_of(&repo, &id)
    );
    // Only the tool's commits ever changed the record.
    let record_log = repo.git(&["log", "--format=%s", "--", &path]);
    assert_eq!(record_log.lines().count(), 2, "{record_log}");
    assert!(
        repo.git(&["show", &format!("HEAD:{path}")])
            .contains("a note held part-way")
    );
    assert_eq!(repo.status(), "");
    repo.ok(&["audit"]);
}

/// A note held at `step`, with `during` run meanwhile; then the note goes on and must succeed.
fn during_a_note_at(repo: &Repo, id: &str, step: &str, during: impl FnOnce()) {
    let markers = tempfile::tempdir().unwrap();
    let paused = markers.path().join("write-paused");
    let note = repo
        .process(&["note", id, "a note held part-way"])
        .env("CLAIMS_PAUSE", step)
        .env("CLAIMS_PAUSE_FILE", &paused)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    wait_for(&paused, true);
    during();
    std::fs::remove_file(&paused).unwrap();
    let note = note.wait_with_output().unwrap();
    assert!(note.status.success(), "{}", describe(&note));
}

/// `git switch -c` to the same commit touches neither the index nor the branch, only HEAD:
/// during a write it is refused (the write holds HEAD's lock), so the write's record is never
/// left staged on another branch.
#[test]
fn a_switch_during_a_write_is_refused_until_the_write_is_done() {
    let repo = Repo::new();
    let id = repo.add("A claim noted while someone switches branches.");
    during_a_note_at(&repo, &id, "after-index-refreshed", || {
        let output = repo.git_output(&["switch", "-q", "-c", "feature"]);
        assert!(!output.status.success(), "{}", describe(&output));
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("HEAD.lock"),
            "{}",
            describe(&output)
        );
    });
    // Git made the branch before it found HEAD locked; HEAD stayed where the write committed.
    assert_eq!(repo.git(&["symbolic-ref", "HEAD"]), "refs/heads/main\n");
    assert_eq!(repo.status(), "");
    assert!(
        repo.git(&["show", &format!("main:records/{}/{id}.toml", &id[..2])])
            .contains("a note held part-way")
    );
}

/// A branch reached through a symbolic one (HEAD → master → main) is the one moved; the
/// symbolic branch stays symbolic.
#[test]
fn a_write_moves_the_branch_a_symbolic_branch_names() {
    let repo = Repo::new();
    let id = repo.add("A claim on a branch with two names.");
    repo.git(&["symbolic-ref", "refs/heads/master", "refs/heads/main"]);
    repo.git(&["symbolic-ref", "HEAD", "refs/heads/master"]);
    repo.ok(&["note", &id, "through the other name"]);
    assert_eq!(
        repo.git(&["symbolic-ref", "refs/heads/master"]),
        "refs/heads/main\n"
    );
    assert!(
        repo.git(&["log", "-1", "--format=%s", "main"])
            .starts_with("Note on")
    );
    assert_eq!(repo.status(), "");
}

/// The reflog says what git's would: the kind of commit, its subject, and who made it.
#[test]
fn the_reflog_reads_as_git_writes_it() {
    let repo = Repo::new();
    let id = repo.add("A claim whose history the reflog tells.");
    repo.ok(&["note", &id, "a note"]);
    let reflog = repo.git(&["reflog", "--format=%gs | %gn <%ge>", "main"]);
    insta::assert_snapshot!(reflog.replace(&id, "ID"), @"
    commit: Note on ID: a note | Ana Ruiz <ana@example.org>
    commit: Add claim ID: A claim whose history the reflog tells. | Ana Ruiz <ana@example.org>
    commit (initial): Start a claims repository | Ana Ruiz <ana@example.org>
    ");
}

/// Replaces the repository's folder in `text` by `REPO`, for snapshots.
fn in_repo(repo: &Repo, text: &[u8]) -> String {
    let root = repo.path().canonicalize().unwrap();
    String::from_utf8_lossy(text)
        .replace(&root.display().to_string(), "REPO")
        .replace(&repo.path().display().to_string(), "REPO")
}

/// Locks a killed git leaves block every later commit, git's and the tool's: doctor names each
/// with what it blocks and how to remove it, and exits 1; a write that meets one says the same.
#[test]
fn doctor_names_every_lock_git_left_behind() {
    let repo = Repo::new();
    let id = repo.add("A claim behind a stale lock.");
    let git_dir = repo.path().join(".git");
    for lock in ["refs/heads/main.lock", "HEAD.lock", "index.lock"] {
        std::fs::write(git_dir.join(lock), "").unwrap();
    }
    let output = repo.claims(&["doctor"]).output().unwrap();
    insta::assert_snapshot!(format!("exit {:?}\n{}", output.status.code(), in_repo(&repo, &output.stdout)), @r"
    exit Some(1)
    ok: no interrupted change
    needs you: .git/index.lock is a lock left by a git command that was killed, or one still running; while it exists `git add`, `git commit` and every claims change fail. If no git command is running, remove it: rm .git/index.lock
    needs you: .git/HEAD.lock is a lock left by a git command that was killed, or one still running; while it exists `git commit`, `git switch` and every claims change fail. If no git command is running, remove it: rm .git/HEAD.lock
    needs you: .git/refs/heads/main.lock is a lock left by a git command that was killed, or one still running; while it exists no commit can move refs/heads/main: git commit and claims changes there fail. If no git command is running, remove it: rm .git/refs/heads/main.lock
    ");
    let before = repo.snapshot();
    let output = repo
        .claims(&["note", &id, "behind the lock"])
        .env("CLAIMS_LOCK_TIMEOUT", "0")
        .output()
        .unwrap();
    insta::assert_snapshot!(format!("exit {:?}\n{}", output.status.code(), in_repo(&repo, &output.stderr)), @r"
    exit Some(2)
    error: git's index is locked (REPO/.git/index.lock); waited 0 ms
    hint: nothing was changed; if no git command is running, the lock was left by one that was killed: remove it (rm REPO/.git/index.lock) and run this again; `claims doctor` lists every such lock
    ");
    std::fs::remove_file(git_dir.join("index.lock")).unwrap();
    let output = repo
        .claims(&["note", &id, "behind the lock"])
        .env("CLAIMS_LOCK_TIMEOUT", "0")
        .output()
        .unwrap();
    insta::assert_snapshot!(format!("exit {:?}\n{}", output.status.code(), in_repo(&repo, &output.stderr)), @r"
    exit Some(2)
    error: HEAD is locked (REPO/.git/HEAD.lock); waited 0 ms
    hint: nothing was changed; if no git command is running, the lock was left by one that was killed: remove it (rm REPO/.git/HEAD.lock) and run this again; `claims doctor` lists every such lock
    ");
    std::fs::remove_file(git_dir.join("HEAD.lock")).unwrap();
    let output = repo
        .claims(&["note", &id, "behind the lock"])
        .env("CLAIMS_LOCK_TIMEOUT", "0")
        .output()
        .unwrap();
    insta::assert_snapshot!(format!("exit {:?}\n{}", output.status.code(), in_repo(&repo, &output.stderr)), @r"
    exit Some(2)
    error: the branch is locked (REPO/.git/refs/heads/main.lock); waited 0 ms
    hint: nothing was changed; if no git command is running, the lock was left by one that was killed: remove it (rm REPO/.git/refs/heads/main.lock) and run this again; `claims doctor` lists every such lock
    ");
    assert_eq!(repo.snapshot(), before);
    std::fs::remove_file(git_dir.join("refs/heads/main.lock")).unwrap();
    assert_eq!(
        repo.ok(&["doctor"]),
        "ok: no interrupted change\nthe repository is sound\n"
    );
    repo.ok(&["note", &id, "after the locks"]);
    assert_eq!(repo.status(), "");
}

/// A small file system of its own, unmounted when dropped.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    /// Mounts one of `size` (as `mount -o size=` takes it), or says why it cannot.
    fn mount(size: &str) -> Result<Tmpfs, String> {
        let dir = tempfile::TempDir::new().unwrap();
        let output = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if !output.status.success() {
            return Err(String::from_utf8_lossy(&output.stderr).trim().to_string());
        }
        Ok(Tmpfs { dir })
    }

    /// Fills the file system with `filler` until a write fails, then frees `free` bytes.
    fn fill_leaving(&self, free: u64) -> std::path::PathBuf {
        use std::io::Write;
        let filler = self.dir.path().join("filler");
        let mut file = std::fs::File::create(&filler).unwrap();
        let block = vec![0u8; 4096];
        while file.write_all(&block).is_ok() {}
        let _ = file.flush();
        let written = file.metadata().unwrap().len();
        file.set_len(written.saturating_sub(free)).unwrap();
        filler
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.dir.path())
            .status();
    }
}

/// A note on a full disk fails, and leaves the record as committed, or its journal for
/// doctor, which finishes the undo once there is room: at every amount of room left.
#[test]
fn a_note_on_a_full_disk_is_undone_or_left_for_doctor() {
    let tmpfs = match Tmpfs::mount("2m") {
        Ok(tmpfs) => tmpfs,
        Err(why) => {
            eprintln!("skipped: no tmpfs could be mounted to fill ({why})");
            return;
        }
    };
    {
        let repo = Repo::new_in(tmpfs.dir.path());
        let id = repo.claim_with_two_origins("A claim noted on a full disk.");
        let before = repo.read_record(&id);
        let head = repo.head();
        let mut failures = 0;
        for pages in 0..64 {
            let filler = tmpfs.fill_leaving(pages * 4096);
            let output = repo
                .claims(&["note", &id, &format!("room for {pages} pages")])
                .output()
                .unwrap();
            if output.status.success() {
                std::fs::remove_file(&filler).unwrap();
                assert!(repo.read_record(&id).contains("room for"), "{pages}");
                assert_eq!(repo.status(), "", "{pages}");
                break;
            }
            failures += 1;
            assert_eq!(
                output.status.code(),
                Some(2),
                "{pages}: {}",
                describe(&output)
            );
            assert_eq!(repo.head(), head, "{pages}: a failed note committed");
            let undone = repo.read_record(&id) == before;
            let check = repo.claims(&["check"]).output().unwrap();
            let journal_left = String::from_utf8_lossy(&check.stderr).contains("claims doctor");
            assert!(
                undone || journal_left,
                "{pages}: the record was left changed, and no journal says so"
            );
            std::fs::remove_file(&filler).unwrap();
            let report = repo.ok(&["doctor"]);
            assert!(
                report.ends_with("the repository is sound\n"),
                "{pages}: {report}"
            );
            assert_eq!(repo.read_record(&id), before, "{pages}");
            assert_eq!(repo.status(), "", "{pages}");
        }
        assert!(
            failures > 0,
            "the disk was never full enough to fail a note"
        );
        repo.ok(&["audit"]);
        repo.git(&["fsck", "--no-progress", "--no-dangling"]);
    }
}

/// `claims init` run again replaces its own hook (for another program path, or of an earlier
/// version) and leaves alone a hook someone else wrote, one of its own that someone changed,
/// and hooks taken from `core.hooksPath`.
#[test]
fn init_again_replaces_only_a_hook_of_its_own_left_as_written() {
    let repo = Repo::new();
    let hook = repo.path().join(".git/hooks/pre-commit");
    let written = std::fs::read_to_string(&hook).unwrap();
    let program_line = |script: &str| {
        script
            .lines()
            .find(|line| line.starts_with("claims='"))
            .unwrap()
            .to_string()
    };
    let moved = written.replace(&program_line(&written), "claims='/old/place/claims'");
    write_hook(&hook, &moved);
    insta::assert_snapshot!(repo.sees(&["init"]), @"
    Installed the pre-commit hook .git/hooks/pre-commit: it refuses to commit a record that a `git commit` beside a claims write put back in git's index as it was before
    [exit status: 0]
    ");
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), written);

    let edited = format!("{written}./run-linters\n");
    write_hook(&hook, &edited);
    insta::assert_snapshot!(repo.sees(&["init"]), @"
    Left the pre-commit hook .git/hooks/pre-commit alone: claims wrote it, and lines of it have been changed since; to take this version, move it aside and run `claims init` again
    [exit status: 0]
    ");
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), edited);
    let line = program_line(&written);
    let on_the_program_line = written.replace(&line, &format!("{line}; ./run-linters || exit 1"));
    write_hook(&hook, &on_the_program_line);
    repo.ok(&["init"]);
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), on_the_program_line);

    let foreign = "#!/bin/sh\nexec ./run-linters\n";
    write_hook(&hook, foreign);
    insta::assert_snapshot!(repo.sees(&["init"]), @"
    Left the pre-commit hook .git/hooks/pre-commit alone (it is not claims'); add the line `claims doctor --index-only || [ $? -ne 1 ] || exit 1` to it, so that a `git commit` retried beside a claims write never undoes the write
    [exit status: 0]
    ");
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), foreign);

    repo.git(&["config", "core.hooksPath", "shared-hooks"]);
    insta::assert_snapshot!(repo.sees(&["init"]), @"
    Left the hooks in shared-hooks (core.hooksPath) alone; add the line `claims doctor --index-only || [ $? -ne 1 ] || exit 1` to their pre-commit hook, so that a `git commit` retried beside a claims write never undoes the write
    [exit status: 0]
    ");
    assert!(!repo.path().join("shared-hooks").exists());
}

/// A hook file as git runs it: executable.
fn write_hook(path: &std::path::Path, script: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, script).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// The hook an earlier version of claims wrote, byte for byte, for a program at /usr/bin.
const EARLIER_HOOK: &str = "#!/bin/sh
# claims: stage again what a git commit beside a claims write wrote back
#
# A git commit reads git's index before it locks it. One whose read came just before a
# write of claims writes back the index it read, in which a record is as it was before
# that write, and committing that index would undo the write. This stages the
# branch's version again first. Without claims it does nothing.
claims='/usr/bin/claims'
[ -x \"$claims\" ] || claims=$(command -v claims) || exit 0
exec \"$claims\" doctor --index-only
";

/// A clone whose `git commit`s do not pass through the check is told so: a write warns where
/// `claims init` would install or replace the hook, and `claims doctor` notes what to do.
#[test]
fn a_clone_without_the_hook_is_told_at_its_writes_and_by_doctor() {
    let repo = Repo::new();
    let id = repo.add("A claim in a clone that lost its hook.");
    let hook = repo.path().join(".git/hooks/pre-commit");
    let written = std::fs::read_to_string(&hook).unwrap();
    std::fs::remove_file(&hook).unwrap();
    insta::assert_snapshot!(repo.sees(&["note", &id, "a note"]), @"
    46iau2g7h7: note added (1 in all)
    ------- stderr -------
    warning: this clone lacks the pre-commit hook of claims, so a `git commit` retried beside a claims write could undo the write; run `claims init` to install it
    [exit status: 0]
    ");
    insta::assert_snapshot!(repo.sees(&["doctor"]), @"
    ok: no interrupted change
    note: this clone has no pre-commit hook, so a `git commit` retried beside a claims write could undo the write; `claims init` installs it
    the repository is sound
    [exit status: 0]
    ");

    write_hook(&hook, EARLIER_HOOK);
    insta::assert_snapshot!(repo.sees(&["note", &id, "a second note"]), @"
    46iau2g7h7: note added (2 in all)
    ------- stderr -------
    warning: this clone's pre-commit hook is an earlier claims' one; run `claims init` to replace it
    [exit status: 0]
    ");
    insta::assert_snapshot!(repo.sees(&["doctor"]), @"
    ok: no interrupted change
    note: .git/hooks/pre-commit is the pre-commit hook of an earlier claims; `claims init` replaces it
    the repository is sound
    [exit status: 0]
    ");
    insta::assert_snapshot!(repo.sees(&["init"]), @"
    Installed the pre-commit hook .git/hooks/pre-commit: it refuses to commit a record that a `git commit` beside a claims write put back in git's index as it was before
    [exit status: 0]
    ");
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), written);

    write_hook(&hook, "#!/bin/sh\nexec ./run-linters\n");
    insta::assert_snapshot!(repo.sees(&["note", &id, "another note"]), @"
    46iau2g7h7: note added (3 in all)
    [exit status: 0]
    ");
    insta::assert_snapshot!(repo.sees(&["doctor"]), @"
    ok: no interrupted change
    note: the pre-commit hook .git/hooks/pre-commit does not run claims, so a `git commit` retried beside a claims write could undo the write; add the line `claims doctor --index-only || [ $? -ne 1 ] || exit 1` to it
    the repository is sound
    [exit status: 0]
    ");

    write_hook(&hook, &written);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o644)).unwrap();
    insta::assert_snapshot!(repo.sees(&["note", &id, "a note git would not guard"]), @"
    46iau2g7h7: note added (4 in all)
    ------- stderr -------
    warning: this clone lacks the pre-commit hook of claims, so a `git commit` retried beside a claims write could undo the write; run `claims init` to install it
    [exit status: 0]
    ");
    insta::assert_snapshot!(repo.sees(&["init"]), @"
    Installed the pre-commit hook .git/hooks/pre-commit: it refuses to commit a record that a `git commit` beside a claims write put back in git's index as it was before
    [exit status: 0]
    ");
    insta::assert_snapshot!(repo.sees(&["doctor"]), @"
    ok: no interrupted change
    the repository is sound
    [exit status: 0]
    ");
}

/// What git's index, the branch and the working file hold of a record, and the latest commits:
/// what a refusal in a race is read against (the hand commits may still be running).
fn state_of(repo: &Repo, id: &str) -> String {
    let path = format!("records/{}/{id}.toml", &id[..2]);
    let git = |args: &[&str]| {
        let output = repo.git_output(args);
        format!(
            "$ git {}\n{}{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    };
    [
        git(&["status", "--porcelain"]),
        git(&["ls-files", "--stage", "--", &path]),
        git(&["rev-parse", &format!("HEAD:{path}")]),
        git(&["hash-object", "--", &path]),
        git(&["log", "--format=%h %p %s", "-6"]),
    ]
    .concat()
}
