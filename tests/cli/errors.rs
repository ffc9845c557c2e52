use crate::harness::{Repo, stderr};

#[test]
fn unknown_and_ambiguous_ids_are_usage_errors() {
    let repo = Repo::new();
    let id = repo.add("A claim.");
    insta::assert_snapshot!(repo.sees(&["show", "zzzz"]), @"
    ------- stderr -------
    error: no claim has an id starting with 'zzzz'
    hint: `claims list` shows the ids
    [exit status: 2]
    ");
    insta::assert_snapshot!(repo.sees(&["show", &id[..3]]).replace(&id[..3], "ID3"), @"
    ------- stderr -------
    error: 'ID3' is too short to name a claim: give at least 4 characters of its id
    hint: `claims list` shows the ids
    [exit status: 2]
    ");
    let mut transcript = String::new();
    for hostile in ["../../etc/passwd", "ab/cd", "ABCD", "abcd\u{1b}[2J"] {
        let args = ["mark", hostile, "sourced"];
        let output = repo.claims(&args).output().unwrap();
        assert!(
            !stderr(&output).contains('\u{1b}'),
            "control characters echoed back"
        );
        transcript.push_str(&repo.transcript(&args, &output));
    }
    insta::assert_snapshot!(transcript, @r#"
    $ claims ["mark", "../../etc/passwd", "sourced"]
    ------- stderr -------
    error: '../../etc/passwd' is not a claim id: ids use only lowercase letters a-z and digits
    hint: `claims list` shows the ids
    [exit status: 2]
    $ claims ["mark", "ab/cd", "sourced"]
    ------- stderr -------
    error: 'ab/cd' is not a claim id: ids use only lowercase letters a-z and digits
    hint: `claims list` shows the ids
    [exit status: 2]
    $ claims ["mark", "ABCD", "sourced"]
    ------- stderr -------
    error: 'ABCD' is not a claim id: ids use only lowercase letters a-z and digits
    hint: `claims list` shows the ids
    [exit status: 2]
    $ claims ["mark", "abcd\u{1b}[2J", "sourced"]
    ------- stderr -------
    error: 'abcd\u{1b}[2J' is not a claim id: ids use only lowercase letters a-z and digits
    hint: `claims list` shows the ids
    [exit status: 2]
    "#);
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
    insta::assert_snapshot!(
        repo.sees(&["mark", &id, "sourced", "--check", "provenence"]).replace(&id, "ID"),
        @"
    ------- stderr -------
    error: unknown checklist item for sourced: provenence
    hint: the items are: provenance, source, date, location, motivation
    [exit status: 2]
    "
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
    insta::assert_snapshot!(repo.shown(&output), @r#"
    ------- stderr -------
    warning: this clone lacks the pre-commit hook of claims, so a `git commit` retried beside a claims write could undo the write; run `claims init` to install it
    error: no reviewer identity: neither --reviewer, CLAIMS_REVIEWER nor git's user.name and user.email is set
    hint: pass --reviewer "Name <email>", set CLAIMS_REVIEWER, or run: git config user.name "Name" && git config user.email you@example.org
    [exit status: 2]
    "#);
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

/// `--reviewer` is optional: a usage error does not show it as a required part of the
/// command when the reviewer comes from CLAIMS_REVIEWER, and the help says where the reviewer
/// comes from without it.
#[test]
fn the_reviewer_is_shown_as_optional_with_where_it_comes_from() {
    let repo = Repo::new();
    let id = repo.add("Who said this?");
    insta::assert_snapshot!(repo.sees(&["note", &id]), @"
    ------- stderr -------
    error: the following required arguments were not provided:
      <TEXT>

    Usage: claims note <ID> <TEXT>

    For more information, try '--help'.
    [exit status: 2]
    ");
    let help = repo.ok(&["note", "--help"]);
    let reviewer = help
        .lines()
        .skip_while(|line| !line.contains("--reviewer"))
        .take_while(|line| !line.contains("--no-input"))
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!(reviewer, @r#"
    --reviewer <NAME <EMAIL>>  Who makes the change, as "Name <email>"; without it,
                               $CLAIMS_REVIEWER, else git's user.name and user.email
    "#);
}

#[test]
fn outside_a_repository_is_a_usage_error_and_init_fixes_it() {
    let repo = Repo::new();
    let outside = tempfile::TempDir::new().unwrap();
    let dir = outside.path().to_str().unwrap();
    insta::assert_snapshot!(repo.sees(&["-C", dir, "list"]).replace(dir, "DIR"), @"
    ------- stderr -------
    error: . is not in a git repository
    hint: run `claims init` here to start a claims repository, or pass -C DIR
    [exit status: 2]
    ");
    insta::assert_snapshot!(repo.sees(&["-C", "/nonexistent/dir", "list"]), @"
    ------- stderr -------
    error: cannot change to /nonexistent/dir
    caused by: No such file or directory (os error 2)
    [exit status: 2]
    ");

    repo.ok(&["-C", dir, "init"]);
    assert!(outside.path().join(".git").exists());
    assert!(outside.path().join("templates/checklist.toml").exists());
    insta::assert_snapshot!(repo.sees(&["-C", dir, "init"]).replace(dir, "DIR"), @"
    DIR/ is already a claims repository; nothing to do
    [exit status: 0]
    ");
}

#[test]
fn init_without_identity_creates_nothing() {
    let repo = Repo::bare_git();
    let fresh = tempfile::TempDir::new().unwrap();
    let output = repo
        .claims_anonymous(&["-C", fresh.path().to_str().unwrap(), "init"])
        .output()
        .unwrap();
    insta::assert_snapshot!(repo.shown(&output).replace(fresh.path().to_str().unwrap(), "DIR"), @r#"
    ------- stderr -------
    error: no reviewer identity: neither --reviewer, CLAIMS_REVIEWER nor git's user.name and user.email is set
    hint: pass --reviewer "Name <email>", set CLAIMS_REVIEWER, or run: git config user.name "Name" && git config user.email you@example.org
    [exit status: 2]
    "#);
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
    insta::assert_snapshot!(repo
            .sees(&["show", &id])
            .replace(&id, "ID")
            .replace(&format!("records/{}/", &id[..2]), "records/XX/"), @"
    ------- stderr -------
    error: records/XX/ID.toml:4:13: string values must be quoted, expected literal string
    hint: fix the file by hand (a key added by hand is kept only above the first [table]), or restore a version that parses: git checkout -- records/XX/ID.toml for the committed one, git log -- records/XX/ID.toml for earlier ones
    [exit status: 2]
    ");
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
