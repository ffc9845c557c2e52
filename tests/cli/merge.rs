//! Sharing a claims repository through a remote: two clones change claims, then pull and
//! push with plain git, and the merge driver that `claims init` installs merges records.

use std::ffi::OsStr;
use std::process::Output;

use tempfile::TempDir;

use crate::harness::{Repo, describe, path_with_claims, path_without_claims};

/// A claims repository with claims ready to corroborate, shared through a bare remote, and
/// two reviewers' clones of it in which `claims init` installed the merge driver.
fn newsroom(texts: &[&str]) -> (TempDir, Repo, Repo, Vec<String>) {
    let origin = Repo::new();
    let ids = texts
        .iter()
        .map(|text| {
            let id = origin.claim_with_two_origins(text);
            origin.ok(&["mark", &id, "sourced", "--all-checked"]);
            id
        })
        .collect();
    let remote = origin.share();
    let ana = Repo::clone_of(remote.path());
    let ben = Repo::clone_of(remote.path());
    for clone in [&ana, &ben] {
        // Every clone says the same: a plain comparison, as a snapshot here would be taken
        // once for each clone of each test.
        assert_eq!(
            clone.sees(&["init"]),
            "Installed the merge driver for records in this clone's git config \
             (merge.claims.name, merge.claims.driver, pull.rebase)\n\
             Installed the pre-commit hook .git/hooks/pre-commit: it refuses to commit a \
             record that a `git commit` beside a claims write put back in git's index as it \
             was before\n[exit status: 0]"
        );
    }
    (remote, ana, ben, ids)
}

/// A plain `git pull`, with git's PATH set to `path`.
fn pull(repo: &Repo, path: &OsStr) -> Output {
    repo.git_on_path(path, &["pull", "-q"])
}

fn unmerged(repo: &Repo) -> String {
    repo.git(&["diff", "--name-only", "--diff-filter=U"])
}

fn record_path(id: &str) -> String {
    format!("records/{}/{id}.toml", &id[..2])
}

/// The gate and the audit both pass, and nothing is left uncommitted.
fn assert_clean(repo: &Repo) {
    let audit = repo.ok(&["audit"]);
    assert!(audit.ends_with(": ok\n"), "{audit}");
    repo.ok(&["check"]);
    assert_eq!(repo.status(), "");
}

#[test]
fn init_installs_the_driver_in_every_clone_and_commits_the_attribute_once() {
    let (remote, ana, _ben, _) = newsroom(&[]);
    let attributes = std::fs::read_to_string(ana.path().join(".gitattributes")).unwrap();
    assert_eq!(
        attributes,
        "records/**/*.toml merge=claims text eol=lf\naudit/accepted.toml merge=claims text eol=lf\n"
    );
    assert_eq!(
        ana.git(&["config", "merge.claims.driver"]).trim(),
        "claims merge-driver %O %A %B %P"
    );
    assert_eq!(ana.git(&["config", "pull.rebase"]).trim(), "false");
    assert_eq!(
        ana.git(&["check-attr", "merge", "records/ab/abcdefgh.toml"]),
        "records/ab/abcdefgh.toml: merge: claims\n"
    );
    insta::assert_snapshot!(ana.sees(&["init"]), @"
    REPO/ is already a claims repository; nothing to do
    [exit status: 0]
    ");
    let commits = ana.commit_count();
    ana.git(&[
        "config",
        "merge.claims.driver",
        "/opt/claims merge-driver %O %A %B %P",
    ]);
    ana.ok(&["init"]);
    assert_eq!(ana.commit_count(), commits);
    assert_eq!(
        ana.git(&["config", "merge.claims.driver"]).trim(),
        "/opt/claims merge-driver %O %A %B %P",
        "a driver set by hand is left alone"
    );

    let rebaser = Repo::clone_of(remote.path());
    rebaser.git(&["config", "--global", "pull.rebase", "true"]);
    rebaser.ok(&["init"]);
    let local = std::fs::read_to_string(rebaser.path().join(".git/config")).unwrap();
    assert!(local.contains("[merge \"claims\"]"), "{local}");
    assert!(
        !local.contains("rebase"),
        "a preference for rebasing is left alone: {local}"
    );
}

#[test]
fn a_repository_made_before_the_driver_gets_the_attribute_added_to_its_own() {
    let repo = Repo::bare_git();
    std::fs::write(repo.path().join(".gitattributes"), "*.png binary").unwrap();
    repo.git(&["add", ".gitattributes"]);
    repo.git(&["commit", "-qm", "Attributes"]);
    repo.ok(&["init"]);
    let attributes = std::fs::read_to_string(repo.path().join(".gitattributes")).unwrap();
    assert_eq!(
        attributes,
        "*.png binary\nrecords/**/*.toml merge=claims text eol=lf\n\
         audit/accepted.toml merge=claims text eol=lf\n"
    );
    assert_eq!(repo.status(), "");
}

#[test]
fn different_claims_changed_in_two_clones_merge_cleanly() {
    let (_remote, ana, ben, ids) = newsroom(&["First shared claim.", "Second shared claim."]);
    ana.ok(&["mark", &ids[0], "corroborated", "--all-checked"]);
    ana.git(&["push", "-q"]);
    ben.ok(&["note", &ids[1], "Waiting for the ministry."]);
    let pulled = pull(&ben, &path_with_claims());
    assert!(pulled.status.success(), "{}", describe(&pulled));
    assert_clean(&ben);
    ben.git(&["push", "-q"]);
    let pulled = pull(&ana, &path_with_claims());
    assert!(pulled.status.success(), "{}", describe(&pulled));
    assert_eq!(ana.head(), ben.head());
    assert_clean(&ana);
}

#[test]
fn evidence_added_to_one_claim_in_two_clones_is_merged_by_the_driver() {
    let (_remote, ana, ben, ids) = newsroom(&["The bridge cost 40 million."]);
    let id = &ids[0];
    ana.ok(&[
        "source",
        "add",
        id,
        "--url",
        "https://three.example/c",
        "--publisher",
        "Three",
    ]);
    ana.ok(&["note", id, "Ana: the council minutes agree."]);
    ana.ok(&["mark", id, "corroborated", "--all-checked"]);
    ana.git(&["push", "-q"]);
    ben.ok(&[
        "source",
        "add",
        id,
        "--url",
        "https://four.example/d",
        "--publisher",
        "Four",
    ]);
    ben.ok(&["note", id, "Ben: the contractor confirms."]);

    let pulled = pull(&ben, &path_with_claims());
    assert!(pulled.status.success(), "{}", describe(&pulled));
    assert_eq!(unmerged(&ben), "");
    let parents = ben.git(&["rev-list", "--parents", "-n", "1", "HEAD"]);
    assert_eq!(parents.split_whitespace().count(), 3, "a merge commit");
    let record = ben.read_record(id);
    for kept in [
        "https://one.example/a",
        "https://two.example/b",
        "https://three.example/c",
        "https://four.example/d",
        "Ana: the council minutes agree.",
        "Ben: the contractor confirms.",
        "state = \"corroborated\"",
        "to = \"corroborated\"",
    ] {
        assert!(record.contains(kept), "{kept} missing from\n{record}");
    }
    assert_eq!(
        ben.ok(&["show", id, "--format", "toml"]),
        record,
        "canonical form"
    );
    assert_clean(&ben);

    ben.git(&["push", "-q"]);
    let pulled = pull(&ana, &path_with_claims());
    assert!(pulled.status.success(), "{}", describe(&pulled));
    assert_eq!(ana.read_record(id), record);
    assert_clean(&ana);
}

#[test]
fn two_verdicts_on_one_claim_are_an_ordinary_conflict_that_loses_nothing() {
    let (_remote, ana, ben, ids) = newsroom(&["Unemployment fell to 4 percent."]);
    let id = &ids[0];
    ana.ok(&["mark", id, "corroborated", "--all-checked"]);
    ana.git(&["push", "-q"]);
    ben.ok(&[
        "source",
        "add",
        id,
        "--url",
        "https://stats.example/q3",
        "--stance",
        "contradicts",
    ]);
    ben.ok(&[
        "mark",
        id,
        "disputed",
        "--note",
        "The statistics office says 4.6.",
    ]);

    let pulled = pull(&ben, &path_with_claims());
    assert!(!pulled.status.success(), "{}", describe(&pulled));
    insta::assert_snapshot!(ben.shown(&pulled), @"
    Auto-merging records/4m/4mgf6avnme.toml
    CONFLICT (content): Merge conflict in records/4m/4mgf6avnme.toml
    Automatic merge failed; fix conflicts and then commit the result.
    ------- stderr -------
    error: cannot merge records/4m/4mgf6avnme.toml: both sides moved the claim, to different states: ours to disputed, theirs to corroborated
    hint: both versions are in the file between conflict markers: keep what should stand (of two states, one, with the history that leads to it), then `git add records/4m/4mgf6avnme.toml` and commit; `git checkout --ours records/4m/4mgf6avnme.toml` or `--theirs` takes one side whole
    [exit status: 1]
    ");
    let path = record_path(id);
    assert_eq!(unmerged(&ben).trim(), path);
    let file = ben.read_record(id);
    for kept in [
        "<<<<<<< ours",
        ">>>>>>> theirs",
        "state = \"disputed\"",
        "state = \"corroborated\"",
        "https://stats.example/q3",
        "The statistics office says 4.6.",
    ] {
        assert!(file.contains(kept), "{kept} missing from\n{file}");
    }
    assert!(
        ben.git(&["show", &format!(":2:{path}")])
            .contains("disputed")
    );
    assert!(
        ben.git(&["show", &format!(":3:{path}")])
            .contains("corroborated")
    );

    // Resolved by keeping one side's verdict, the merge passes the audit.
    ben.git(&["checkout", "--ours", &path]);
    ben.git(&["add", &path]);
    ben.git(&["commit", "-q", "--no-edit"]);
    assert_clean(&ben);
}

#[test]
fn without_the_driver_the_same_claim_changed_twice_is_an_ordinary_conflict() {
    let origin = Repo::new();
    let id = origin.claim_with_two_origins("Rents rose 12 percent.");
    let remote = origin.share();
    let (ana, ben) = (Repo::clone_of(remote.path()), Repo::clone_of(remote.path()));
    ana.ok(&["note", &id, "Ana's note."]);
    ana.git(&["push", "-q"]);
    ben.ok(&["note", &id, "Ben's note."]);

    // Not installed in this clone: git merges the record line by line.
    let pulled = ben.git_on_path(&path_with_claims(), &["pull", "-q", "--no-rebase"]);
    assert!(!pulled.status.success(), "{}", describe(&pulled));
    assert_eq!(unmerged(&ben).trim(), record_path(&id));
    ben.git(&["merge", "--abort"]);

    // Installed, but claims is not on git's PATH: git cannot run it.
    ben.ok(&["init"]);
    let pulled = pull(&ben, &path_without_claims());
    assert!(!pulled.status.success(), "{}", describe(&pulled));
    assert_eq!(unmerged(&ben).trim(), record_path(&id));
    assert!(ben.read_record(&id).contains("Ben's note."));
    ben.git(&["merge", "--abort"]);

    let pulled = pull(&ben, &path_with_claims());
    assert!(pulled.status.success(), "{}", describe(&pulled));
    let record = ben.read_record(&id);
    assert!(
        record.contains("Ana's note.") && record.contains("Ben's note."),
        "{record}"
    );
    assert_clean(&ben);
}

#[test]
fn pulling_with_rebase_merges_through_the_driver_too() {
    let (_remote, ana, ben, ids) = newsroom(&["Turnout was 71 percent."]);
    let id = &ids[0];
    ana.ok(&["note", id, "Ana: the electoral board agrees."]);
    ana.ok(&["mark", id, "corroborated", "--all-checked"]);
    ana.git(&["push", "-q"]);
    ben.ok(&[
        "source",
        "add",
        id,
        "--url",
        "https://five.example/e",
        "--publisher",
        "Five",
    ]);
    ben.ok(&["note", id, "Ben: so does the wire."]);

    let pulled = ben.git_on_path(&path_with_claims(), &["pull", "-q", "--rebase"]);
    assert!(pulled.status.success(), "{}", describe(&pulled));
    let record = ben.read_record(id);
    for kept in [
        "https://five.example/e",
        "Ana: the electoral board agrees.",
        "Ben: so does the wire.",
        "state = \"corroborated\"",
    ] {
        assert!(record.contains(kept), "{kept} missing from\n{record}");
    }
    assert_clean(&ben);
}

#[test]
fn one_claim_recorded_in_both_clones_is_merged_into_one_record() {
    let (_remote, ana, ben, _) = newsroom(&[]);
    let id = ana.add("The port handled 2 million containers.");
    ana.ok(&["note", &id, "Ana's note."]);
    ana.git(&["push", "-q"]);
    assert_eq!(ben.add("the port handled 2 million containers"), id);
    ben.ok(&["note", &id, "Ben's note."]);

    let pulled = pull(&ben, &path_with_claims());
    assert!(pulled.status.success(), "{}", describe(&pulled));
    let record = ben.read_record(&id);
    assert!(
        record.contains("Ana's note.") && record.contains("Ben's note."),
        "{record}"
    );
    assert_clean(&ben);
}

#[test]
fn the_same_verdict_reached_in_both_clones_keeps_both_moves_and_passes_the_audit() {
    let (_remote, ana, ben, ids) = newsroom(&["The dam holds 3 billion litres."]);
    let id = &ids[0];
    ana.ok(&["mark", id, "corroborated", "--all-checked"]);
    ana.git(&["push", "-q"]);
    ben.ok(&[
        "--reviewer",
        "Ben Ode <ben@example.org>",
        "mark",
        id,
        "corroborated",
        "--all-checked",
    ]);

    let pulled = pull(&ben, &path_with_claims());
    assert!(pulled.status.success(), "{}", describe(&pulled));
    let record = ben.read_record(id);
    assert_eq!(
        record.matches("to = \"corroborated\"").count(),
        2,
        "{record}"
    );
    assert!(record.contains("Ben Ode"), "{record}");
    assert_clean(&ben);
    ben.ok(&["publish", id]);
    assert_clean(&ben);
}

#[test]
fn a_dismissal_in_one_clone_and_a_source_in_the_other_merge_cleanly() {
    let (_remote, ana, ben, ids) = newsroom(&["The bridge cost 40 million."]);
    let id = &ids[0];
    ana.ok(&[
        "dismiss",
        id,
        "--reason",
        "out-of-scope",
        "--note",
        "A local matter",
    ]);
    ana.git(&["push", "-q"]);
    ben.ok(&[
        "source",
        "add",
        id,
        "--url",
        "https://three.example/c",
        "--publisher",
        "Three",
    ]);
    let pulled = pull(&ben, &path_with_claims());
    assert!(pulled.status.success(), "{}", describe(&pulled));
    let record = ben.read_record(id);
    assert!(record.contains("[[dismissals]]"), "{record}");
    assert!(record.contains("https://three.example/c"), "{record}");
    insta::assert_snapshot!(ben.sees(&["list"]), @"
    no claims match
    [exit status: 0]
    ");
    assert_clean(&ben);
}

#[test]
fn two_different_published_verdicts_in_two_clones_conflict() {
    let (_remote, ana, ben, ids) = newsroom(&["Unemployment fell to 4 percent."]);
    let id = &ids[0];
    for (clone, rating) in [(&ana, "True"), (&ben, "Mostly true")] {
        clone.ok(&["mark", id, "corroborated", "--all-checked"]);
        clone.ok(&[
            "verdict",
            id,
            "--rating",
            rating,
            "--url",
            "https://factcheck.example/jobs",
        ]);
    }
    ana.git(&["push", "-q"]);
    let pulled = pull(&ben, &path_with_claims());
    assert!(!pulled.status.success(), "{}", describe(&pulled));
    insta::assert_snapshot!(ben.shown(&pulled), @"
    Auto-merging records/4m/4mgf6avnme.toml
    CONFLICT (content): Merge conflict in records/4m/4mgf6avnme.toml
    Automatic merge failed; fix conflicts and then commit the result.
    ------- stderr -------
    error: cannot merge records/4m/4mgf6avnme.toml: both sides changed the verdict, differently
    hint: both versions are in the file between conflict markers: keep what should stand (of two [verdict] tables, the one whose fact-check is published), then `git add records/4m/4mgf6avnme.toml` and commit; `git checkout --ours records/4m/4mgf6avnme.toml` or `--theirs` takes one side whole; once merged, `claims verdict 4mgf6avnme --rating RATING --url URL` replaces the verdict kept, `claims verdict 4mgf6avnme --withdraw --note WHY` takes it back
    [exit status: 1]
    ");
    let file = ben.read_record(id);
    for kept in ["rating = \"True\"", "rating = \"Mostly true\""] {
        assert!(file.contains(kept), "{kept} missing from\n{file}");
    }

    // Done as the hint says: one side taken, then the other verdict recorded as the one
    // that stands.
    let path = record_path(id);
    ben.git(&["checkout", "--ours", &path]);
    ben.git(&["add", &path]);
    ben.git(&["commit", "-q", "--no-edit"]);
    ben.ok(&[
        "verdict",
        id,
        "--rating",
        "True",
        "--url",
        "https://factcheck.example/jobs",
    ]);
    let shown: serde_json::Value =
        serde_json::from_str(&ben.ok(&["show", id, "--format", "json"])).unwrap();
    assert_eq!(shown["verdict"]["rating"], "True");
    assert_clean(&ben);
    ben.ok(&["check"]);
}

#[test]
fn audit_findings_accepted_in_two_clones_merge_into_both_acceptances() {
    let origin = Repo::new();
    let id = origin.claim_with_two_origins("Rents rose 12 percent.");
    // Two hand edits: one finding each, for each clone to accept one.
    let path = origin.record_path(&id);
    let record = origin.read_record(&id);
    std::fs::write(
        &path,
        record.replace("published = false", "published = false\nclaimant = \"Me\""),
    )
    .unwrap();
    origin.git(&["commit", "-qam", "Name a claimant by hand"]);
    let edited = origin.head();
    std::fs::write(&path, &record).unwrap();
    origin.git(&["commit", "-qam", "Take it back"]);
    let reverted = origin.head();
    let remote = origin.share();
    let (ana, ben) = (Repo::clone_of(remote.path()), Repo::clone_of(remote.path()));
    // A clone where `claims init` never ran: no driver.
    let carol = Repo::clone_of(remote.path());
    carol.git(&["config", "pull.rebase", "false"]);
    for clone in [&ana, &ben] {
        clone.ok(&["init"]);
        assert_eq!(
            clone.git(&["check-attr", "merge", "audit/accepted.toml"]),
            "audit/accepted.toml: merge: claims\n"
        );
    }
    ana.ok(&[
        "audit",
        "--accept",
        &edited,
        "--note",
        "A slip, taken back at once.",
    ]);
    ana.git(&["push", "-q"]);
    ben.ok(&["audit", "--accept", &reverted, "--note", "The taking back."]);

    let pulled = pull(&ben, &path_with_claims());
    assert!(pulled.status.success(), "{}", describe(&pulled));
    assert_eq!(unmerged(&ben), "");
    let parents = ben.git(&["rev-list", "--parents", "-n", "1", "HEAD"]);
    assert_eq!(parents.split_whitespace().count(), 3, "a merge commit");
    let accepted = std::fs::read_to_string(ben.path().join("audit/accepted.toml")).unwrap();
    let commits: Vec<&str> = accepted
        .lines()
        .filter_map(|line| line.strip_prefix("commit = "))
        .collect();
    assert_eq!(
        commits,
        [format!("\"{reverted}\""), format!("\"{edited}\"")],
        "ours first, then theirs:\n{accepted}"
    );
    let audit = ben.ok(&["audit"]);
    assert!(audit.ends_with(": ok, 2 findings accepted\n"), "{audit}");
    ben.ok(&["check"]);
    assert_eq!(ben.status(), "");

    // Without the driver, git merges the file line by line and conflicts.
    carol.ok(&[
        "audit",
        "--accept",
        &reverted,
        "--note",
        "Carol saw it too.",
    ]);
    let pulled = pull(&carol, &path_without_claims());
    assert!(!pulled.status.success(), "{}", describe(&pulled));
    assert_eq!(unmerged(&carol).trim(), "audit/accepted.toml");
}
