//! Hostile input and git edge cases: every one ends in a clear error naming what is wrong
//! (and the file and line where there is one), never a panic, and changes nothing.

use std::path::Path;

use crate::harness::{Repo, stderr};

/// Runs a command that must fail with `code`, and returns its standard error after checking
/// that it did not panic and that the repository is exactly as it was.
fn refused(repo: &Repo, args: &[&str], code: i32) -> String {
    let before = repo.snapshot();
    let output = repo.fails(args, code);
    let message = stderr(&output);
    assert!(!message.contains("panicked"), "claims {args:?}:\n{message}");
    assert_eq!(
        repo.snapshot(),
        before,
        "claims {args:?} changed the repository"
    );
    message
}

/// Runs a read-only command that must exit with `code`; returns standard output and error.
fn read_only(repo: &Repo, args: &[&str], code: i32) -> (String, String) {
    let before = repo.snapshot();
    let output = repo.claims(args).output().unwrap();
    let (out, err) = (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr(&output),
    );
    assert_eq!(
        output.status.code(),
        Some(code),
        "claims {args:?}:\n{out}\n{err}"
    );
    assert!(!err.contains("panicked"), "claims {args:?}:\n{err}");
    assert_eq!(
        repo.snapshot(),
        before,
        "claims {args:?} changed the repository"
    );
    (out, err)
}

/// A minimal valid record, as a person could write it.
fn record(id: &str, text: &str) -> String {
    format!(
        "id = \"{id}\"\ntext = \"{text}\"\nstate = \"unverified\"\npublished = false\n\
         created = \"2026-01-01T00:00:00Z\"\n"
    )
}

/// Writes a record file by hand, bypassing the tool; returns its repository-relative path.
fn plant(repo: &Repo, id: &str, contents: &[u8]) -> String {
    let path = format!("records/{}/{id}.toml", &id[..2]);
    let file = repo.path().join(&path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(file, contents).unwrap();
    path
}

#[test]
fn hostile_ids_are_refused_by_show_mark_and_note() {
    let repo = Repo::new();
    repo.add("A claim to aim at.");
    for id in [
        "..",
        "../../etc/passwd",
        "/etc/passwd",
        "ab/../../../tmp",
        "abcd\u{1b}[2J",
        "abcd\u{7}efgh",
        "abcd\nefgh",
        "abcd\u{7f}",
    ] {
        for args in [
            vec!["show", id],
            vec!["mark", id, "sourced", "--all-checked"],
            vec!["note", id, "a note"],
        ] {
            let message = refused(&repo, &args, 2);
            assert!(message.contains("is not a claim id"), "{args:?}: {message}");
            assert!(
                !message.contains(['\u{1b}', '\u{7}', '\u{7f}']),
                "control characters echoed back: {message:?}"
            );
        }
    }
}

#[test]
fn urls_other_than_web_addresses_are_refused_by_source_add_and_publish() {
    let repo = Repo::new();
    let id = repo.corroborated("A claim ready to publish.");
    let record = repo.read_record(&id);
    for (url, says) in [
        ("javascript:alert(document.cookie)", "is a javascript: URL"),
        ("JavaScript:alert(1)", "is a javascript: URL"),
        ("file:///etc/passwd", "is a file: URL"),
        ("data:text/html,<script>alert(1)</script>", "is a data: URL"),
        ("vbscript:msgbox(1)", "is a vbscript: URL"),
        ("ftp://example.org/a", "is a ftp: URL"),
        ("//example.org/story", "is not a URL"),
        ("https://", "is not a URL"),
        (
            "https://example.org/\u{1b}[2J",
            "contains control characters",
        ),
    ] {
        for args in [
            vec!["source", "add", &id, "--url", url],
            vec!["publish", &id, "--url", url],
        ] {
            let message = refused(&repo, &args, 2);
            assert!(message.contains(says), "{args:?}: {message}");
            assert!(message.contains("http"), "{message}");
            assert!(!message.contains('\u{1b}'), "{message:?}");
        }
    }
    assert_eq!(repo.read_record(&id), record);
}

#[test]
fn a_60_mb_record_is_refused_without_being_read_whole() {
    let repo = Repo::new();
    repo.add("A claim beside the huge one.");
    let mut huge = record("abcdefgh", "x").into_bytes();
    huge.extend(b"excerpt = \"");
    huge.resize(huge.len() + 60 * 1024 * 1024, b'y');
    huge.extend(b"\"\n");
    let path = plant(&repo, "abcdefgh", &huge);
    let (place, says) = (
        format!("{path}:1:1:"),
        "is larger than the 1 MiB a record may have",
    );

    // Each command reads at most 1 MiB of it, not the 60 MB whose parsing and drawing took
    // minutes and gigabytes before the limit.
    let (out, _) = read_only(&repo, &["check"], 1);
    assert!(out.contains(&place) && out.contains(says), "{out}");
    let (out, err) = read_only(&repo, &["list"], 0);
    assert!(err.contains(&format!("{place} {says}")), "{err}");
    assert!(out.contains("A claim beside the huge one."), "{out}");
    for args in [
        vec!["show", "abcdefgh"],
        vec!["mark", "abcdefgh", "disputed", "--note", "n"],
        vec!["note", "abcdefgh", "a note"],
    ] {
        let message = refused(&repo, &args, 2);
        assert!(
            message.contains(&format!("{place} {says}")),
            "{args:?}: {message}"
        );
    }
}

#[test]
fn a_change_that_would_make_a_record_too_large_to_read_back_is_refused() {
    let repo = Repo::new();
    let mut near_limit = record("abcdefgh", "x");
    near_limit.push_str(&format!("excerpt = \"{}\"\n", "y".repeat(1_000_000)));
    let path = plant(&repo, "abcdefgh", near_limit.as_bytes());
    repo.git(&["add", &path]);
    repo.git(&["commit", "-q", "-m", "A long record"]);
    let note = "z".repeat(100_000);
    let message = refused(&repo, &["note", "abcdefgh", &note], 2);
    assert!(
        message.contains(&format!(
            "{path} would be larger than the 1 MiB a record may have"
        )),
        "{message}"
    );
    assert!(message.contains("nothing was written"), "{message}");
    repo.ok(&["note", "abcdefgh", "A short note still fits."]);
}

#[test]
fn deeply_nested_records_are_errors_not_stack_overflows() {
    let repo = Repo::new();
    let head = record("abcdefgh", "x");
    for nested in [
        format!("x = {}{}\n", "[".repeat(20_000), "]".repeat(20_000)),
        format!("x = {}1{}\n", "{a = ".repeat(20_000), "}".repeat(20_000)),
        format!("[{}]\n", vec!["a"; 20_000].join(".")),
        format!("[[{}]]\n", vec!["a"; 20_000].join(".")),
        format!("x = {}\n", "[".repeat(20_000)),
    ] {
        let path = plant(&repo, "abcdefgh", format!("{head}{nested}").as_bytes());
        let (out, _) = read_only(&repo, &["check"], 1);
        assert!(out.contains(&path) && out.contains("recursion"), "{out}");
        let message = refused(&repo, &["show", "abcdefgh"], 2);
        assert!(
            message.contains(&format!("{path}:")) && message.contains("recursion"),
            "{message}"
        );
    }
}

#[test]
fn records_that_are_not_utf8_repeat_keys_or_have_wrong_types_name_file_line_and_column() {
    let repo = Repo::new();
    let head = record("abcdefgh", "x");
    for (tail, place, says) in [
        (
            &b"claimant = \"Ana \xff\"\n"[..],
            ":6:17:",
            "is not valid UTF-8",
        ),
        (b"\xfe\xff\n", ":6:1:", "is not valid UTF-8"),
        (b"text = \"again\"\n", ":6:1:", "duplicate key"),
        (b"tags = \"one\"\n", ":6:8:", "expected a sequence"),
        (b"published = \"yes\"\n", ":6:1:", "duplicate key"),
        (
            b"[[sources]]\nurl = 5\nstance = \"supports\"\n",
            ":7:7:",
            "expected a string",
        ),
        (b"[[history]]\nfrom = \"nowhere\"\n", ":7:8:", "nowhere"),
        (b"[[notes]]\nat = 2026\n", ":7:6:", "RFC 3339"),
    ] {
        let path = plant(&repo, "abcdefgh", &[head.as_bytes(), tail].concat());
        let expected = format!("{path}{place}");
        let (out, _) = read_only(&repo, &["check"], 1);
        assert!(out.contains(&expected) && out.contains(says), "{out}");
        let message = refused(&repo, &["show", "abcdefgh"], 2);
        assert!(
            message.contains(&expected) && message.contains(says),
            "{expected} {says}: {message}"
        );
    }
}

#[test]
fn symbolic_links_and_pipes_in_records_are_reported_never_followed() {
    let repo = Repo::new();
    let kept = repo.add("A claim kept as a plain file.");
    let outside = tempfile::TempDir::new().unwrap();
    let secret = outside.path().join("abcdefgh.toml");
    std::fs::write(&secret, record("abcdefgh", "SECRET FROM OUTSIDE")).unwrap();
    std::fs::create_dir(outside.path().join("cd")).unwrap();
    std::fs::write(
        outside.path().join("cd/cdefghij.toml"),
        record("cdefghij", "SECRET FROM OUTSIDE"),
    )
    .unwrap();
    let records = repo.path().join("records");
    std::fs::create_dir_all(records.join("ab")).unwrap();
    std::os::unix::fs::symlink(&secret, records.join("ab/abcdefgh.toml")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("cd"), records.join("cd")).unwrap();
    // A pipe that nobody writes to: reading it would wait for ever.
    std::fs::create_dir_all(records.join("ef")).unwrap();
    let fifo = records.join("ef/efghijkl.toml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());

    let (out, _) = read_only(&repo, &["check"], 1);
    for expected in [
        "records/ab/abcdefgh.toml:1:1: parse: is a symbolic link",
        "records/cd:1:1: parse: is a symbolic link",
        "records/ef/efghijkl.toml:1:1: parse: is not a plain file",
    ] {
        assert!(out.contains(expected), "{expected}: {out}");
    }
    let (out, err) = read_only(&repo, &["list"], 0);
    assert!(out.contains(&kept) && !out.contains("SECRET"), "{out}");
    assert!(err.contains("records/cd:1:1: is a symbolic link"), "{err}");
    for (args, says) in [
        (
            vec!["show", "abcdefgh"],
            "records/ab/abcdefgh.toml:1:1: is a symbolic link",
        ),
        (
            vec!["show", "cdefghij"],
            "records/cd/cdefghij.toml:1:1: its folder records/cd is a symbolic link",
        ),
        (vec!["note", "abcdefgh", "a note"], "is a symbolic link"),
        (vec!["note", "cdefghij", "a note"], "is a symbolic link"),
        (vec!["show", "efghijkl"], "is not a plain file"),
    ] {
        let message = refused(&repo, &args, 2);
        assert!(message.contains(says), "{args:?}: {message}");
        assert!(!message.contains("SECRET"), "{message}");
    }
    assert_eq!(
        std::fs::read_to_string(&secret).unwrap(),
        record("abcdefgh", "SECRET FROM OUTSIDE")
    );
}

#[test]
fn a_linked_records_folder_is_reported_not_followed() {
    let repo = Repo::new();
    let outside = tempfile::TempDir::new().unwrap();
    std::fs::create_dir(outside.path().join("ab")).unwrap();
    std::fs::write(
        outside.path().join("ab/abcdefgh.toml"),
        record("abcdefgh", "SECRET FROM OUTSIDE"),
    )
    .unwrap();
    std::os::unix::fs::symlink(outside.path(), repo.path().join("records")).unwrap();
    let (out, _) = read_only(&repo, &["check"], 1);
    assert!(
        out.contains("records:1:1: parse: is a symbolic link"),
        "{out}"
    );
    let message = refused(&repo, &["show", "abcdefgh"], 2);
    assert!(
        message.contains("its folder records is a symbolic link"),
        "{message}"
    );
    let message = refused(&repo, &["add", "A claim that would land outside."], 2);
    assert!(
        message.contains("its folder records is a symbolic link"),
        "{message}"
    );
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 1);
}

#[test]
fn extract_skips_huge_binary_and_endless_documents_with_a_warning() {
    let repo = Repo::new();
    let docs = repo.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    // Larger than the 64 MB a document may have: refused from its size, never read (sparse).
    std::fs::File::create(docs.join("huge.txt"))
        .unwrap()
        .set_len(65 * 1024 * 1024)
        .unwrap();
    let mut binary = b"\x7fELF\x02\x01\x01".to_vec();
    binary.extend((0..100_000u32).map(|i| (i * 7919 % 251) as u8));
    std::fs::write(docs.join("binary.txt"), binary).unwrap();
    let message = refused(&repo, &["extract", "docs"], 2);
    assert!(
        message.contains("docs/huge.txt: 65 MB is more than the 64 MB"),
        "{message}"
    );
    assert!(
        message.contains("docs/binary.txt: it is a binary file"),
        "{message}"
    );
    assert!(
        message.contains("none of the documents could be read"),
        "{message}"
    );
}

#[test]
fn extract_on_one_endless_line_stays_fast_and_records_no_giant_claim() {
    let repo = Repo::new();
    let path = repo.path().join("endless.txt");
    // 8 MB on one line: prose without a full stop, then one "sentence" of abbreviations.
    let mut line = "the ministry moved 1,200 people in 2025 according to officials "
        .repeat(4 * 1024 * 1024 / 64);
    line.push_str(&"U.S. ".repeat(4 * 1024 * 1024 / 5));
    std::fs::write(&path, &line).unwrap();
    let (_, message) = read_only(&repo, &["extract", "endless.txt"], 0);
    assert!(
        message.contains("skipped endless.txt:1: a sentence longer than 4 KiB is not one claim"),
        "{message}"
    );

    // A document outside the repository is named by its absolute path.
    let outside = tempfile::TempDir::new().unwrap();
    let elsewhere = outside.path().canonicalize().unwrap().join("endless.txt");
    std::fs::copy(&path, &elsewhere).unwrap();
    let (_, message) = read_only(&repo, &["extract", elsewhere.to_str().unwrap()], 0);
    assert!(
        message.contains(&format!("skipped {}:1: a sentence", elsewhere.display())),
        "{message}"
    );

    // Real sentences on the same endless line are still found.
    std::fs::write(
        &path,
        "Mexico extradited 55 cartel members to the United States in 2025. ".repeat(100_000),
    )
    .unwrap();
    let out = repo.ok(&["extract", "endless.txt"]);
    assert!(out.contains("1 new claim"), "{out}");
}

#[test]
fn extract_on_one_sentence_repeated_on_every_line_is_refused_whole() {
    let repo = Repo::new();
    // 12,000 lines of one sentence: one claim with 12,000 appearances, a record of about
    // 1.7 MB that could not be read back. (Matching each repeat once rescanned every earlier
    // one; how long extract takes is measured by the benchmark, not here.)
    let sentence = "The ministry said 1,200 people were moved in 2025, according to officials.\n";
    std::fs::write(repo.path().join("repeated.txt"), sentence.repeat(12_000)).unwrap();
    let message = refused(&repo, &["extract", "repeated.txt"], 2);
    assert!(
        message.contains("would be larger than the 1 MiB a record may have"),
        "{message}"
    );
}

/// `claims list/check/audit` and the writing commands in a repository in an unusual state.
struct GitCase<'a> {
    repo: &'a Repo,
    id: &'a str,
}

impl GitCase<'_> {
    fn reads_work(&self) {
        read_only(self.repo, &["list"], 0);
        read_only(self.repo, &["check"], 0);
        read_only(self.repo, &["audit"], 0);
    }

    fn writes_are_refused(&self, says: &[&str]) {
        for args in [
            vec!["add", "A claim written at the wrong moment."],
            vec!["note", self.id, "a note"],
            vec!["mark", self.id, "disputed", "--note", "n"],
        ] {
            let message = refused(self.repo, &args, 2);
            for expected in says {
                assert!(message.contains(expected), "{args:?}: {message}");
            }
        }
    }
}

#[test]
fn an_empty_repository_reads_as_empty_and_takes_a_first_claim() {
    let repo = Repo::bare_git();
    read_only(&repo, &["list"], 0);
    read_only(&repo, &["check"], 0);
    read_only(&repo, &["audit"], 0);
    let message = refused(&repo, &["mark", "abcdefgh", "sourced"], 2);
    assert!(message.contains("no claim has an id starting with 'abcdefgh'"));
    let id = repo.add("The first claim of an empty repository.");
    repo.ok(&["note", &id, "A note on the first claim."]);
    assert_eq!(repo.commit_count(), 2);
}

#[test]
fn a_detached_head_reads_and_refuses_writes_that_no_branch_would_keep() {
    let repo = Repo::new();
    let id = repo.add("A claim on main.");
    repo.git(&["checkout", "-q", "--detach"]);
    let case = GitCase {
        repo: &repo,
        id: &id,
    };
    case.reads_work();
    case.writes_are_refused(&["HEAD is detached", "git switch"]);
}

#[test]
fn a_merge_in_progress_refuses_writes_and_says_how_to_finish_or_abort() {
    let repo = Repo::new();
    let id = repo.add("A claim on main.");
    repo.git(&["checkout", "-q", "-b", "other"]);
    std::fs::write(repo.path().join("notes.txt"), "from other\n").unwrap();
    repo.git(&["add", "notes.txt"]);
    repo.git(&["commit", "-q", "-m", "Notes"]);
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["merge", "-q", "--no-ff", "--no-commit", "other"]);
    assert!(repo.path().join(".git/MERGE_HEAD").exists());
    let case = GitCase {
        repo: &repo,
        id: &id,
    };
    case.reads_work();
    case.writes_are_refused(&["a merge is in progress", "git commit", "git merge --abort"]);
    assert!(repo.path().join(".git/MERGE_HEAD").exists());
}

#[test]
fn a_shallow_clone_reads_audits_from_its_boundary_and_writes() {
    let origin = Repo::new();
    let id = origin.add("A claim with history.");
    origin.ok(&["note", &id, "A first note."]);
    let clone = origin.clone_with(&["--depth", "1"]);
    assert!(clone.path().join(".git/shallow").exists());
    read_only(&clone, &["list"], 0);
    read_only(&clone, &["check"], 0);
    let (out, err) = read_only(&clone, &["audit"], 0);
    assert!(
        format!("{out}{err}").contains("shallow clone"),
        "{out}{err}"
    );
    clone.ok(&["note", &id, "A note in the clone."]);
    clone.add("A claim made in the clone.");
    assert_eq!(clone.commit_count(), 3);
    read_only(&clone, &["audit"], 0);
}

#[test]
fn a_bare_repository_is_a_usage_error_with_a_hint() {
    let origin = Repo::new();
    let id = origin.add("A claim on the server.");
    let bare = origin.clone_with(&["--bare"]);
    for args in [
        vec!["list"],
        vec!["check"],
        vec!["audit"],
        vec!["add", "A claim typed on the server."],
        vec!["mark", &id, "disputed", "--note", "n"],
    ] {
        let message = refused(&bare, &args, 2);
        assert!(message.contains("is a bare repository"), "{message}");
        assert!(message.contains("clone it"), "{message}");
    }
}

#[test]
fn a_repository_owned_by_another_user_is_refused_with_gits_reason_and_the_fix() {
    let repo = Repo::new();
    let id = repo.add("A claim in someone else's repository.");
    let chown = |owner: &str, path: &Path| {
        let status = std::process::Command::new("chown")
            .args(["-R", owner])
            .arg(path)
            .status()
            .unwrap();
        assert!(status.success());
    };
    let owner = std::process::Command::new("id").arg("-u").output().unwrap();
    if String::from_utf8_lossy(&owner.stdout).trim() != "0" {
        eprintln!("skipped: only root can give a repository to another user");
        return;
    }
    chown("nobody", repo.path());
    for args in [
        vec!["list"],
        vec!["check"],
        vec!["audit"],
        vec!["add", "A claim typed in someone else's repository."],
        vec!["mark", &id, "disputed", "--note", "n"],
    ] {
        let message = refused(&repo, &args, 2);
        assert!(
            message.contains("is not owned by current user"),
            "{message}"
        );
        assert!(
            message.contains("git config --global --add safe.directory"),
            "{message}"
        );
        assert!(message.contains(repo.path().to_str().unwrap()), "{message}");
        assert!(!message.contains("code=Owner"), "{message}");
    }
    chown("root", repo.path());
}
