use crate::harness::{Repo, stderr};

#[test]
fn unknown_and_ambiguous_ids_are_usage_errors() {
    let repo = Repo::new();
    let id = repo.add("A claim.");
    let output = repo.fails(&["show", "zzzz"], 2);
    assert!(stderr(&output).contains("no claim has an id starting with 'zzzz'"));
    assert!(stderr(&output).contains("claims list"));
    repo.fails(&["show", &id[..3]], 2);
    for hostile in ["../../etc/passwd", "ab/cd", "ABCD", "abcd\u{1b}[2J"] {
        let output = repo.fails(&["mark", hostile, "sourced"], 2);
        assert!(
            !stderr(&output).contains('\u{1b}'),
            "control characters echoed back"
        );
    }
}

#[test]
fn bad_flags_are_usage_errors() {
    let repo = Repo::new();
    let id = repo.add("A claim.");
    repo.fails(&["mark", &id, "published"], 2);
    repo.fails(&["list", "--format", "xml"], 2);
    repo.fails(&["frobnicate"], 2);
    repo.fails(&["source", "add", &id, "--url", "javascript:alert(1)"], 2);
    repo.fails(&["source", "add", &id, "--url", "file:///etc/passwd"], 2);
    let output = repo.fails(&["mark", &id, "sourced", "--check", "provenence"], 2);
    assert!(
        stderr(&output).contains("the items are: provenance"),
        "{}",
        stderr(&output)
    );
    repo.fails(&["note", &id, "   "], 2);
    repo.fails(&["add", ""], 2);
}

#[test]
fn no_identity_is_a_usage_error_with_a_hint() {
    let repo = Repo::bare_git();
    let output = repo
        .claims_anonymous(&["add", "Who said this?"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains("no reviewer identity"), "{message}");
    assert!(message.contains("--reviewer"), "{message}");
    assert!(!repo.path().join("records").exists());

    // git's own identity is enough.
    repo.git(&["config", "user.name", "Git Person"]);
    repo.git(&["config", "user.email", "git@example.org"]);
    repo.claims_anonymous(&["add", "Who said this?"])
        .assert()
        .success();
    assert_eq!(
        repo.git(&["log", "-1", "--format=%an"]).trim(),
        "Git Person"
    );

    // A malformed --reviewer is refused, not half-used.
    repo.fails(&["--reviewer", "nobody", "add", "Another."], 2);
}

#[test]
fn outside_a_repository_is_a_usage_error_and_init_fixes_it() {
    let repo = Repo::new();
    let outside = tempfile::TempDir::new().unwrap();
    let dir = outside.path().to_str().unwrap();
    let output = repo.fails(&["-C", dir, "list"], 2);
    assert!(
        stderr(&output).contains("not in a git repository"),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&output).contains("claims init"));
    repo.fails(&["-C", "/nonexistent/dir", "list"], 2);

    repo.ok(&["-C", dir, "init"]);
    assert!(outside.path().join(".git").exists());
    assert!(outside.path().join("templates/checklist.toml").exists());
    let again = repo.ok(&["-C", dir, "init"]);
    assert!(again.contains("nothing to do"), "{again}");
}

#[test]
fn init_without_identity_creates_nothing() {
    let repo = Repo::bare_git();
    let fresh = tempfile::TempDir::new().unwrap();
    let output = repo
        .claims_anonymous(&["-C", fresh.path().to_str().unwrap(), "init"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(!fresh.path().join(".git").exists());
}

#[test]
fn a_broken_record_names_file_line_and_column() {
    let repo = Repo::new();
    let id = repo.add("A claim that will be broken.");
    let path = repo.record_path(&id);
    let text = repo
        .read_record(&id)
        .replace("published = false", "published = maybe");
    std::fs::write(&path, text).unwrap();
    let output = repo.fails(&["show", &id], 2);
    let message = stderr(&output);
    let expected = format!("records/{}/{id}.toml:4:13:", &id[..2]);
    assert!(message.contains(&expected), "{message}");
}

#[test]
fn help_has_an_example_for_every_command() {
    let repo = Repo::new();
    for command in [
        "init",
        "add",
        "list",
        "show",
        "source add",
        "source rebut",
        "mark",
        "publish",
        "unpublish",
        "note",
        "log",
        "check",
        "completions",
        "man",
    ] {
        let mut args: Vec<&str> = command.split(' ').collect();
        args.push("--help");
        let help = repo.ok(&args);
        assert!(
            help.contains("Example"),
            "claims {command} --help has no example:\n{help}"
        );
    }
    assert!(repo.ok(&["completions", "bash"]).contains("claims"));
    assert!(repo.ok(&["man"]).contains(".TH claims"));
}
