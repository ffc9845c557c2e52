//! Hostile input and git edge cases: every one ends in a clear error naming what is wrong
//! (and the file and line where there is one), never a panic, and changes nothing.

use std::path::Path;

use crate::harness::Repo;

/// Runs a command that must exit with `code` and change nothing (a refused one, or one that
/// only reads); returns what the user sees of it, headed by the command, for a transcript.
fn unchanged(repo: &Repo, args: &[&str], code: i32) -> String {
    let before = repo.snapshot();
    let output = repo.fails(args, code);
    assert_eq!(
        repo.snapshot(),
        before,
        "claims {args:?} changed the repository"
    );
    repo.transcript(args, &output)
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
    let mut seen = String::new();
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
            seen.push_str(&unchanged(&repo, &args, 2));
        }
    }
    assert!(
        !seen.contains(['\u{1b}', '\u{7}', '\u{7f}']),
        "control characters echoed back: {seen:?}"
    );
    insta::assert_snapshot!(seen, @r#"
    $ claims ["show", ".."]
    ------- stderr -------
    error: '..' is not a claim id: ids use only lowercase letters a-z and digits
    hint: `claims list` shows the ids
    [exit status: 2]
    $ claims ["mark", "..", "sourced", "--all-checked"]
    ------- stderr -------
    error: '..' is not a claim id: ids use only lowercase letters a-z and digits
    hint: `claims list` shows the ids
    [exit status: 2]
    $ claims ["note", "..", "a note"]
    ------- stderr -------
    error: '..' is not a claim id: ids use only lowercase letters a-z and digits
    hint: `claims list` shows the ids
    [exit status: 2]
    $ claims ["show", "../../etc/passwd"]
    ------- stderr -------
    error: '../../etc/passwd' is not a claim id: ids use only lowercase letters a-z and digits
    hint: `claims list` shows the ids
    [exit status: 2]
    $ claims ["mark", "../../etc/passwd", "sourced", "--all-checked"]
    ------- stderr -------
    error: '../../etc/passwd' is not a claim id: ids use only lowercase letters a-z and digits
    hint: `claims list` shows the ids
    [exit status: 2]
    $ claims ["note", "../../etc/passwd", "a note"]
    ------- stderr -------
    error: '../../etc/passwd' is not a claim id: ids use only lowercase letters a-z and digits
    hint: `claims list` shows the ids
    [exit status: 2]
    $ claims ["show", "/etc/passwd"]
    ------- stderr -------
    error: '/etc/passwd' is not a claim id: ids use only lowercase letters a-z and digits
    hint: `claims list` shows the ids
    [exit status: 2]
    $ claims ["mark", "/etc/passwd", "sourced", "--all-checked"]
    ------- stderr -------
    error: '/etc/passwd' is not a claim id: ids use only lowercase letters a-z and digits
    hint: `claims list` shows the ids
    [exit status: 2]
    $ claims ["note", "/etc/passwd", "a note"]
    ------- stderr -------
    error: '/etc/passwd' is not a claim id: ids use only lowercase letters a-z and digits
    hint: `claims list` shows the ids
    [exit status: 2]
    $ claims ["show", "ab/../../../tmp"]
    ------- stderr -------
    error: 'ab/../../../tmp' is not a claim id: ids use only lowercase letters a-z and digits
    hint: `claims list` shows the ids
    [exit status: 2]
    $ claims ["mark", "ab/../../../tmp", "sourced", "--all-checked"]
    ------- stderr -------
    error: 'ab/../../../tmp' is not a claim id: ids use only lowercase letters a-z and digits
    hint: `claims list` shows the ids
    [exit status: 2]
    $ claims ["note", "ab/../../../tmp", "a note"]
    ------- stderr -------
    error: 'ab/../../../tmp' is not a claim id: ids use only lowercase letters a-z and digits
    hint: `claims list` shows the ids
    [exit status: 2]
    $ claims ["show", "abcd\u{1b}[2J"]
    ------- stderr -------
    error: 'abcd\u{1b}[2J' is not a claim id: ids use only lowercase letters a-z and digits
    hint: `claims list` shows the ids
    [exit status: 2]
    $ claims ["mark", "abcd\u{1b}[2J", "sourced", "--all-checked"]
    ------- stderr -------
    error: 'abcd\u{1b}[2J' is not a claim id: ids use only lowercase letters a-z and digits
    hint: `claims list` shows the ids
    [exit status: 2]
    $ claims ["note", "abcd\u{1b}[2J", "a note"]
    ------- stderr -------
    error: 'abcd\u{1b}[2J' is not a claim id: ids use only lowercase letters a-z and digits
    hint: `claims list` shows the ids
    [exit status: 2]
    $ claims ["show", "abcd\u{7}efgh"]
    ------- stderr -------
    error: 'abcd\u{7}efgh' is not a claim id: ids use only lowercase letters a-z and digits
    hint: `claims list` shows the ids
    [exit status: 2]
    $ claims ["mark", "abcd\u{7}efgh", "sourced", "--all-checked"]
    ------- stderr -------
    error: 'abcd\u{7}efgh' is not a claim id: ids use only lowercase letters a-z and digits
    hint: `claims list` shows the ids
    [exit status: 2]
    $ claims ["note", "abcd\u{7}efgh", "a note"]
    ------- stderr -------
    error: 'abcd\u{7}efgh' is not a claim id: ids use only lowercase letters a-z and digits
    hint: `claims list` shows the ids
    [exit status: 2]
    $ claims ["show", "abcd\nefgh"]
    ------- stderr -------
    error: 'abcd\nefgh' is not a claim id: ids use only lowercase letters a-z and digits
    hint: `claims list` shows the ids
    [exit status: 2]
    $ claims ["mark", "abcd\nefgh", "sourced", "--all-checked"]
    ------- stderr -------
    error: 'abcd\nefgh' is not a claim id: ids use only lowercase letters a-z and digits
    hint: `claims list` shows the ids
    [exit status: 2]
    $ claims ["note", "abcd\nefgh", "a note"]
    ------- stderr -------
    error: 'abcd\nefgh' is not a claim id: ids use only lowercase letters a-z and digits
    hint: `claims list` shows the ids
    [exit status: 2]
    $ claims ["show", "abcd\u{7f}"]
    ------- stderr -------
    error: 'abcd\u{7f}' is not a claim id: ids use only lowercase letters a-z and digits
    hint: `claims list` shows the ids
    [exit status: 2]
    $ claims ["mark", "abcd\u{7f}", "sourced", "--all-checked"]
    ------- stderr -------
    error: 'abcd\u{7f}' is not a claim id: ids use only lowercase letters a-z and digits
    hint: `claims list` shows the ids
    [exit status: 2]
    $ claims ["note", "abcd\u{7f}", "a note"]
    ------- stderr -------
    error: 'abcd\u{7f}' is not a claim id: ids use only lowercase letters a-z and digits
    hint: `claims list` shows the ids
    [exit status: 2]
    "#);
}

#[test]
fn urls_other_than_web_addresses_are_refused_by_source_add_and_publish() {
    let repo = Repo::new();
    let id = repo.corroborated("A claim ready to publish.");
    let record = repo.read_record(&id);
    let mut seen = String::new();
    for url in [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        "file:///etc/passwd",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "ftp://example.org/a",
        "//example.org/story",
        "https://",
        "https://example.org/\u{1b}[2J",
    ] {
        for args in [
            vec!["source", "add", &id, "--url", url],
            vec!["publish", &id, "--url", url],
        ] {
            seen.push_str(&unchanged(&repo, &args, 2));
        }
    }
    assert!(!seen.contains('\u{1b}'), "{seen:?}");
    insta::assert_snapshot!(seen.replace(&id, "ID"), @r#"
    $ claims ["source", "add", "ID", "--url", "javascript:alert(document.cookie)"]
    ------- stderr -------
    error: 'javascript:alert(document.cookie)' is a javascript: URL; sources must be http or https
    hint: give the full web address, e.g. --url https://example.org/story
    [exit status: 2]
    $ claims ["publish", "ID", "--url", "javascript:alert(document.cookie)"]
    ------- stderr -------
    error: 'javascript:alert(document.cookie)' is a javascript: URL; sources must be http or https
    hint: give the full web address, e.g. --url https://example.org/story
    [exit status: 2]
    $ claims ["source", "add", "ID", "--url", "JavaScript:alert(1)"]
    ------- stderr -------
    error: 'JavaScript:alert(1)' is a javascript: URL; sources must be http or https
    hint: give the full web address, e.g. --url https://example.org/story
    [exit status: 2]
    $ claims ["publish", "ID", "--url", "JavaScript:alert(1)"]
    ------- stderr -------
    error: 'JavaScript:alert(1)' is a javascript: URL; sources must be http or https
    hint: give the full web address, e.g. --url https://example.org/story
    [exit status: 2]
    $ claims ["source", "add", "ID", "--url", "file:///etc/passwd"]
    ------- stderr -------
    error: 'file:///etc/passwd' is a file: URL; sources must be http or https
    hint: give the full web address, e.g. --url https://example.org/story
    [exit status: 2]
    $ claims ["publish", "ID", "--url", "file:///etc/passwd"]
    ------- stderr -------
    error: 'file:///etc/passwd' is a file: URL; sources must be http or https
    hint: give the full web address, e.g. --url https://example.org/story
    [exit status: 2]
    $ claims ["source", "add", "ID", "--url", "data:text/html,<script>alert(1)</script>"]
    ------- stderr -------
    error: 'data:text/html,<script>alert(1)</script>' is a data: URL; sources must be http or https
    hint: give the full web address, e.g. --url https://example.org/story
    [exit status: 2]
    $ claims ["publish", "ID", "--url", "data:text/html,<script>alert(1)</script>"]
    ------- stderr -------
    error: 'data:text/html,<script>alert(1)</script>' is a data: URL; sources must be http or https
    hint: give the full web address, e.g. --url https://example.org/story
    [exit status: 2]
    $ claims ["source", "add", "ID", "--url", "vbscript:msgbox(1)"]
    ------- stderr -------
    error: 'vbscript:msgbox(1)' is a vbscript: URL; sources must be http or https
    hint: give the full web address, e.g. --url https://example.org/story
    [exit status: 2]
    $ claims ["publish", "ID", "--url", "vbscript:msgbox(1)"]
    ------- stderr -------
    error: 'vbscript:msgbox(1)' is a vbscript: URL; sources must be http or https
    hint: give the full web address, e.g. --url https://example.org/story
    [exit status: 2]
    $ claims ["source", "add", "ID", "--url", "ftp://example.org/a"]
    ------- stderr -------
    error: 'ftp://example.org/a' is a ftp: URL; sources must be http or https
    hint: give the full web address, e.g. --url https://example.org/story
    [exit status: 2]
    $ claims ["publish", "ID", "--url", "ftp://example.org/a"]
    ------- stderr -------
    error: 'ftp://example.org/a' is a ftp: URL; sources must be http or https
    hint: give the full web address, e.g. --url https://example.org/story
    [exit status: 2]
    $ claims ["source", "add", "ID", "--url", "//example.org/story"]
    ------- stderr -------
    error: '//example.org/story' is not a URL: relative URL without a base
    hint: give the full web address, e.g. --url https://example.org/story
    [exit status: 2]
    $ claims ["publish", "ID", "--url", "//example.org/story"]
    ------- stderr -------
    error: '//example.org/story' is not a URL: relative URL without a base
    hint: give the full web address, e.g. --url https://example.org/story
    [exit status: 2]
    $ claims ["source", "add", "ID", "--url", "https://"]
    ------- stderr -------
    error: 'https://' is not a URL: empty host
    hint: give the full web address, e.g. --url https://example.org/story
    [exit status: 2]
    $ claims ["publish", "ID", "--url", "https://"]
    ------- stderr -------
    error: 'https://' is not a URL: empty host
    hint: give the full web address, e.g. --url https://example.org/story
    [exit status: 2]
    $ claims ["source", "add", "ID", "--url", "https://example.org/\u{1b}[2J"]
    ------- stderr -------
    error: 'https://example.org/\u{1b}[2J' contains control characters; a URL has none
    hint: give the full web address, e.g. --url https://example.org/story
    [exit status: 2]
    $ claims ["publish", "ID", "--url", "https://example.org/\u{1b}[2J"]
    ------- stderr -------
    error: 'https://example.org/\u{1b}[2J' contains control characters; a URL has none
    hint: give the full web address, e.g. --url https://example.org/story
    [exit status: 2]
    "#);
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
    plant(&repo, "abcdefgh", &huge);

    // Each command reads at most 1 MiB of it, not the 60 MB whose parsing and drawing took
    // minutes and gigabytes before the limit.
    let mut seen = unchanged(&repo, &["check"], 1);
    seen.push_str(&unchanged(&repo, &["list"], 0));
    for args in [
        vec!["show", "abcdefgh"],
        vec!["mark", "abcdefgh", "disputed", "--note", "n"],
        vec!["note", "abcdefgh", "a note"],
    ] {
        seen.push_str(&unchanged(&repo, &args, 2));
    }
    insta::assert_snapshot!(seen, @r#"
    $ claims ["check"]
    records/ab/abcdefgh.toml:1:1: parse: is larger than the 1 MiB a record may have; records written by claims are a few kilobytes
    checked 2 claims: 1 violation
    [exit status: 1]
    $ claims ["list"]
     ID          STATE       PUB  SOURCES  ORIGINS  CLAIM
     xrizz4avk6  unverified       0        0        A claim beside the huge one.
    1 claim: 1 unverified
    next: claims review   (steps through the 1 claim still to check)
    ------- stderr -------
    warning: skipped records/ab/abcdefgh.toml:1:1: is larger than the 1 MiB a record may have; records written by claims are a few kilobytes
    [exit status: 0]
    $ claims ["show", "abcdefgh"]
    ------- stderr -------
    error: records/ab/abcdefgh.toml:1:1: is larger than the 1 MiB a record may have; records written by claims are a few kilobytes
    hint: fix the file by hand (a key added by hand is kept only above the first [table]), or restore a version that parses: git checkout -- records/ab/abcdefgh.toml for the committed one, git log -- records/ab/abcdefgh.toml for earlier ones
    [exit status: 2]
    $ claims ["mark", "abcdefgh", "disputed", "--note", "n"]
    ------- stderr -------
    error: records/ab/abcdefgh.toml:1:1: is larger than the 1 MiB a record may have; records written by claims are a few kilobytes
    hint: fix the file by hand (a key added by hand is kept only above the first [table]), or restore a version that parses: git checkout -- records/ab/abcdefgh.toml for the committed one, git log -- records/ab/abcdefgh.toml for earlier ones
    [exit status: 2]
    $ claims ["note", "abcdefgh", "a note"]
    ------- stderr -------
    error: records/ab/abcdefgh.toml:1:1: is larger than the 1 MiB a record may have; records written by claims are a few kilobytes
    hint: fix the file by hand (a key added by hand is kept only above the first [table]), or restore a version that parses: git checkout -- records/ab/abcdefgh.toml for the committed one, git log -- records/ab/abcdefgh.toml for earlier ones
    [exit status: 2]
    "#);
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
    let seen = unchanged(&repo, &["note", "abcdefgh", &note], 2);
    insta::assert_snapshot!(seen.replace(&note, "Z…"), @r#"
    $ claims ["note", "abcdefgh", "Z…"]
    ------- stderr -------
    error: records/ab/abcdefgh.toml would be larger than the 1 MiB a record may have
    hint: nothing was written; keep notes and excerpts short, or split the claim
    [exit status: 2]
    "#);
    repo.ok(&["note", "abcdefgh", "A short note still fits."]);
}

#[test]
fn deeply_nested_records_are_errors_not_stack_overflows() {
    let repo = Repo::new();
    let head = record("abcdefgh", "x");
    let mut seen = String::new();
    for nested in [
        format!("x = {}{}\n", "[".repeat(20_000), "]".repeat(20_000)),
        format!("x = {}1{}\n", "{a = ".repeat(20_000), "}".repeat(20_000)),
        format!("[{}]\n", vec!["a"; 20_000].join(".")),
        format!("[[{}]]\n", vec!["a"; 20_000].join(".")),
        format!("x = {}\n", "[".repeat(20_000)),
    ] {
        plant(&repo, "abcdefgh", format!("{head}{nested}").as_bytes());
        seen.push_str(&unchanged(&repo, &["check"], 1));
        seen.push_str(&unchanged(&repo, &["show", "abcdefgh"], 2));
    }
    insta::assert_snapshot!(seen, @r#"
    $ claims ["check"]
    records/ab/abcdefgh.toml:6:85: parse: cannot recurse further; max recursion depth met
    checked 1 claim: 1 violation
    [exit status: 1]
    $ claims ["show", "abcdefgh"]
    ------- stderr -------
    error: records/ab/abcdefgh.toml:6:85: cannot recurse further; max recursion depth met
    hint: fix the file by hand (a key added by hand is kept only above the first [table]), or restore a version that parses: git checkout -- records/ab/abcdefgh.toml for the committed one, git log -- records/ab/abcdefgh.toml for earlier ones
    [exit status: 2]
    $ claims ["check"]
    records/ab/abcdefgh.toml:6:405: parse: cannot recurse further; max recursion depth met
    checked 1 claim: 1 violation
    [exit status: 1]
    $ claims ["show", "abcdefgh"]
    ------- stderr -------
    error: records/ab/abcdefgh.toml:6:405: cannot recurse further; max recursion depth met
    hint: fix the file by hand (a key added by hand is kept only above the first [table]), or restore a version that parses: git checkout -- records/ab/abcdefgh.toml for the committed one, git log -- records/ab/abcdefgh.toml for earlier ones
    [exit status: 2]
    $ claims ["check"]
    records/ab/abcdefgh.toml:1:1: parse: recursion limit
    checked 1 claim: 1 violation
    [exit status: 1]
    $ claims ["show", "abcdefgh"]
    ------- stderr -------
    error: records/ab/abcdefgh.toml:1:1: recursion limit
    hint: fix the file by hand (a key added by hand is kept only above the first [table]), or restore a version that parses: git checkout -- records/ab/abcdefgh.toml for the committed one, git log -- records/ab/abcdefgh.toml for earlier ones
    [exit status: 2]
    $ claims ["check"]
    records/ab/abcdefgh.toml:1:1: parse: recursion limit
    checked 1 claim: 1 violation
    [exit status: 1]
    $ claims ["show", "abcdefgh"]
    ------- stderr -------
    error: records/ab/abcdefgh.toml:1:1: recursion limit
    hint: fix the file by hand (a key added by hand is kept only above the first [table]), or restore a version that parses: git checkout -- records/ab/abcdefgh.toml for the committed one, git log -- records/ab/abcdefgh.toml for earlier ones
    [exit status: 2]
    $ claims ["check"]
    records/ab/abcdefgh.toml:6:85: parse: cannot recurse further; max recursion depth met
    checked 1 claim: 1 violation
    [exit status: 1]
    $ claims ["show", "abcdefgh"]
    ------- stderr -------
    error: records/ab/abcdefgh.toml:6:85: cannot recurse further; max recursion depth met
    hint: fix the file by hand (a key added by hand is kept only above the first [table]), or restore a version that parses: git checkout -- records/ab/abcdefgh.toml for the committed one, git log -- records/ab/abcdefgh.toml for earlier ones
    [exit status: 2]
    "#);
}

#[test]
fn records_that_are_not_utf8_repeat_keys_or_have_wrong_types_name_file_line_and_column() {
    let repo = Repo::new();
    let head = record("abcdefgh", "x");
    let mut seen = String::new();
    for tail in [
        &b"claimant = \"Ana \xff\"\n"[..],
        b"\xfe\xff\n",
        b"text = \"again\"\n",
        b"tags = \"one\"\n",
        b"published = \"yes\"\n",
        b"[[sources]]\nurl = 5\nstance = \"supports\"\n",
        b"[[history]]\nfrom = \"nowhere\"\n",
        b"[[notes]]\nat = 2026\n",
    ] {
        plant(&repo, "abcdefgh", &[head.as_bytes(), tail].concat());
        seen.push_str(&format!("# {}\n", tail.escape_ascii()));
        seen.push_str(&unchanged(&repo, &["check"], 1));
        seen.push_str(&unchanged(&repo, &["show", "abcdefgh"], 2));
    }
    insta::assert_snapshot!(seen, @r#"
    # claimant = \"Ana \xff\"\n
    $ claims ["check"]
    records/ab/abcdefgh.toml:6:17: parse: is not valid UTF-8
    checked 1 claim: 1 violation
    [exit status: 1]
    $ claims ["show", "abcdefgh"]
    ------- stderr -------
    error: records/ab/abcdefgh.toml:6:17: is not valid UTF-8
    hint: fix the file by hand (a key added by hand is kept only above the first [table]), or restore a version that parses: git checkout -- records/ab/abcdefgh.toml for the committed one, git log -- records/ab/abcdefgh.toml for earlier ones
    [exit status: 2]
    # \xfe\xff\n
    $ claims ["check"]
    records/ab/abcdefgh.toml:6:1: parse: is not valid UTF-8
    checked 1 claim: 1 violation
    [exit status: 1]
    $ claims ["show", "abcdefgh"]
    ------- stderr -------
    error: records/ab/abcdefgh.toml:6:1: is not valid UTF-8
    hint: fix the file by hand (a key added by hand is kept only above the first [table]), or restore a version that parses: git checkout -- records/ab/abcdefgh.toml for the committed one, git log -- records/ab/abcdefgh.toml for earlier ones
    [exit status: 2]
    # text = \"again\"\n
    $ claims ["check"]
    records/ab/abcdefgh.toml:6:1: parse: duplicate key
    checked 1 claim: 1 violation
    [exit status: 1]
    $ claims ["show", "abcdefgh"]
    ------- stderr -------
    error: records/ab/abcdefgh.toml:6:1: duplicate key
    hint: fix the file by hand (a key added by hand is kept only above the first [table]), or restore a version that parses: git checkout -- records/ab/abcdefgh.toml for the committed one, git log -- records/ab/abcdefgh.toml for earlier ones
    [exit status: 2]
    # tags = \"one\"\n
    $ claims ["check"]
    records/ab/abcdefgh.toml:6:8: parse: invalid type: string "one", expected a sequence
    checked 1 claim: 1 violation
    [exit status: 1]
    $ claims ["show", "abcdefgh"]
    ------- stderr -------
    error: records/ab/abcdefgh.toml:6:8: invalid type: string "one", expected a sequence
    hint: fix the file by hand (a key added by hand is kept only above the first [table]), or restore a version that parses: git checkout -- records/ab/abcdefgh.toml for the committed one, git log -- records/ab/abcdefgh.toml for earlier ones
    [exit status: 2]
    # published = \"yes\"\n
    $ claims ["check"]
    records/ab/abcdefgh.toml:6:1: parse: duplicate key
    checked 1 claim: 1 violation
    [exit status: 1]
    $ claims ["show", "abcdefgh"]
    ------- stderr -------
    error: records/ab/abcdefgh.toml:6:1: duplicate key
    hint: fix the file by hand (a key added by hand is kept only above the first [table]), or restore a version that parses: git checkout -- records/ab/abcdefgh.toml for the committed one, git log -- records/ab/abcdefgh.toml for earlier ones
    [exit status: 2]
    # [[sources]]\nurl = 5\nstance = \"supports\"\n
    $ claims ["check"]
    records/ab/abcdefgh.toml:7:7: parse: invalid type: integer `5`, expected a string
    checked 1 claim: 1 violation
    [exit status: 1]
    $ claims ["show", "abcdefgh"]
    ------- stderr -------
    error: records/ab/abcdefgh.toml:7:7: invalid type: integer `5`, expected a string
    hint: fix the file by hand (a key added by hand is kept only above the first [table]), or restore a version that parses: git checkout -- records/ab/abcdefgh.toml for the committed one, git log -- records/ab/abcdefgh.toml for earlier ones
    [exit status: 2]
    # [[history]]\nfrom = \"nowhere\"\n
    $ claims ["check"]
    records/ab/abcdefgh.toml:7:8: parse: unknown variant `nowhere`, expected one of `unverified`, `sourced`, `corroborated`, `disputed`
    checked 1 claim: 1 violation
    [exit status: 1]
    $ claims ["show", "abcdefgh"]
    ------- stderr -------
    error: records/ab/abcdefgh.toml:7:8: unknown variant `nowhere`, expected one of `unverified`, `sourced`, `corroborated`, `disputed`
    hint: fix the file by hand (a key added by hand is kept only above the first [table]), or restore a version that parses: git checkout -- records/ab/abcdefgh.toml for the committed one, git log -- records/ab/abcdefgh.toml for earlier ones
    [exit status: 2]
    # [[notes]]\nat = 2026\n
    $ claims ["check"]
    records/ab/abcdefgh.toml:7:6: parse: expected an RFC 3339 timestamp such as "2026-01-31T09:30:00Z"
    checked 1 claim: 1 violation
    [exit status: 1]
    $ claims ["show", "abcdefgh"]
    ------- stderr -------
    error: records/ab/abcdefgh.toml:7:6: expected an RFC 3339 timestamp such as "2026-01-31T09:30:00Z"
    hint: fix the file by hand (a key added by hand is kept only above the first [table]), or restore a version that parses: git checkout -- records/ab/abcdefgh.toml for the committed one, git log -- records/ab/abcdefgh.toml for earlier ones
    [exit status: 2]
    "#);
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

    let mut seen = unchanged(&repo, &["check"], 1);
    seen.push_str(&unchanged(&repo, &["list"], 0));
    for args in [
        vec!["show", "abcdefgh"],
        vec!["show", "cdefghij"],
        vec!["note", "abcdefgh", "a note"],
        vec!["note", "cdefghij", "a note"],
        vec!["show", "efghijkl"],
    ] {
        seen.push_str(&unchanged(&repo, &args, 2));
    }
    assert!(!seen.contains("SECRET"), "{seen}");
    insta::assert_snapshot!(seen.replace(&kept, "KEPT"), @r#"
    $ claims ["check"]
    records/ab/abcdefgh.toml:1:1: parse: is a symbolic link; records must be plain files inside the repository, and claims does not follow links
    records/cd:1:1: parse: is a symbolic link; records must be plain files inside the repository, and claims does not follow links
    records/ef/efghijkl.toml:1:1: parse: is not a plain file
    checked 4 claims: 3 violations
    [exit status: 1]
    $ claims ["list"]
     ID          STATE       PUB  SOURCES  ORIGINS  CLAIM
     KEPT  unverified       0        0        A claim kept as a plain file.
    1 claim: 1 unverified
    next: claims review   (steps through the 1 claim still to check)
    ------- stderr -------
    warning: skipped records/ab/abcdefgh.toml:1:1: is a symbolic link; records must be plain files inside the repository, and claims does not follow links
    warning: skipped records/cd:1:1: is a symbolic link; records must be plain files inside the repository, and claims does not follow links
    warning: skipped records/ef/efghijkl.toml:1:1: is not a plain file
    [exit status: 0]
    $ claims ["show", "abcdefgh"]
    ------- stderr -------
    error: records/ab/abcdefgh.toml:1:1: is a symbolic link; records must be plain files inside the repository, and claims does not follow links
    hint: fix the file by hand (a key added by hand is kept only above the first [table]), or restore a version that parses: git checkout -- records/ab/abcdefgh.toml for the committed one, git log -- records/ab/abcdefgh.toml for earlier ones
    [exit status: 2]
    $ claims ["show", "cdefghij"]
    ------- stderr -------
    error: records/cd/cdefghij.toml:1:1: its folder records/cd is a symbolic link; records must be plain files inside the repository, and claims does not follow links
    hint: fix the file by hand (a key added by hand is kept only above the first [table]), or restore a version that parses: git checkout -- records/cd/cdefghij.toml for the committed one, git log -- records/cd/cdefghij.toml for earlier ones
    [exit status: 2]
    $ claims ["note", "abcdefgh", "a note"]
    ------- stderr -------
    error: records/ab/abcdefgh.toml:1:1: is a symbolic link; records must be plain files inside the repository, and claims does not follow links
    hint: fix the file by hand (a key added by hand is kept only above the first [table]), or restore a version that parses: git checkout -- records/ab/abcdefgh.toml for the committed one, git log -- records/ab/abcdefgh.toml for earlier ones
    [exit status: 2]
    $ claims ["note", "cdefghij", "a note"]
    ------- stderr -------
    error: records/cd/cdefghij.toml:1:1: its folder records/cd is a symbolic link; records must be plain files inside the repository, and claims does not follow links
    hint: fix the file by hand (a key added by hand is kept only above the first [table]), or restore a version that parses: git checkout -- records/cd/cdefghij.toml for the committed one, git log -- records/cd/cdefghij.toml for earlier ones
    [exit status: 2]
    $ claims ["show", "efghijkl"]
    ------- stderr -------
    error: records/ef/efghijkl.toml:1:1: is not a plain file
    hint: fix the file by hand (a key added by hand is kept only above the first [table]), or restore a version that parses: git checkout -- records/ef/efghijkl.toml for the committed one, git log -- records/ef/efghijkl.toml for earlier ones
    [exit status: 2]
    "#);
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
    let mut seen = unchanged(&repo, &["check"], 1);
    seen.push_str(&unchanged(&repo, &["show", "abcdefgh"], 2));
    seen.push_str(&unchanged(
        &repo,
        &["add", "A claim that would land outside."],
        2,
    ));
    insta::assert_snapshot!(seen, @r#"
    $ claims ["check"]
    records:1:1: parse: is a symbolic link; records must be plain files inside the repository, and claims does not follow links
    checked 1 claim: 1 violation
    [exit status: 1]
    $ claims ["show", "abcdefgh"]
    ------- stderr -------
    error: records/ab/abcdefgh.toml:1:1: its folder records is a symbolic link; records must be plain files inside the repository, and claims does not follow links
    hint: fix the file by hand (a key added by hand is kept only above the first [table]), or restore a version that parses: git checkout -- records/ab/abcdefgh.toml for the committed one, git log -- records/ab/abcdefgh.toml for earlier ones
    [exit status: 2]
    $ claims ["add", "A claim that would land outside."]
    ------- stderr -------
    error: records/sd/sdtzi7ugki.toml:1:1: its folder records is a symbolic link; records must be plain files inside the repository, and claims does not follow links
    hint: fix the file by hand (a key added by hand is kept only above the first [table]), or restore a version that parses: git checkout -- records/sd/sdtzi7ugki.toml for the committed one, git log -- records/sd/sdtzi7ugki.toml for earlier ones
    [exit status: 2]
    "#);
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
    insta::assert_snapshot!(unchanged(&repo, &["extract", "docs"], 2), @r#"
    $ claims ["extract", "docs"]
    ------- stderr -------
    warning: skipped docs/binary.txt: it is a binary file, not plain text
    warning: skipped docs/huge.txt: 65 MB is more than the 64 MB a document may have
    error: none of the documents could be read
    [exit status: 2]
    "#);
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
    insta::assert_snapshot!(unchanged(&repo, &["extract", "endless.txt"], 0), @r#"
    $ claims ["extract", "endless.txt"]
    1 document (8128 KB), 1 sentence, 0 check-worthy: 0 new claims (0 related to a known claim), 0 new appearances, 0 already recorded; nothing new to record
    models: check-worthiness n-grams and embeddings, stacked (built in), documents read as articles; matching on words, figures and all-MiniLM-L6-v2 (static embeddings)
    ------- stderr -------
    warning: skipped endless.txt:1: a sentence longer than 4 KiB is not one claim
    [exit status: 0]
    "#);

    // A document outside the repository is named by its absolute path.
    let outside = tempfile::TempDir::new().unwrap();
    let elsewhere = outside.path().canonicalize().unwrap().join("endless.txt");
    std::fs::copy(&path, &elsewhere).unwrap();
    let elsewhere = elsewhere.to_str().unwrap();
    let seen = unchanged(&repo, &["extract", elsewhere], 0);
    insta::assert_snapshot!(seen.replace(elsewhere, "ELSEWHERE"), @r#"
    $ claims ["extract", "ELSEWHERE"]
    1 document (8128 KB), 1 sentence, 0 check-worthy: 0 new claims (0 related to a known claim), 0 new appearances, 0 already recorded; nothing new to record
    models: check-worthiness n-grams and embeddings, stacked (built in), documents read as articles; matching on words, figures and all-MiniLM-L6-v2 (static embeddings)
    ------- stderr -------
    warning: skipped ELSEWHERE:1: a sentence longer than 4 KiB is not one claim
    [exit status: 0]
    "#);

    // Real sentences on the same endless line are still found.
    std::fs::write(
        &path,
        "Mexico extradited 55 cartel members to the United States in 2025. ".repeat(100_000),
    )
    .unwrap();
    let output = repo.claims(&["extract", "endless.txt"]).output().unwrap();
    let commit = repo.git(&["rev-parse", "--short=8", "HEAD"]);
    insta::assert_snapshot!(repo.shown(&output).replace(commit.trim(), "COMMIT"), @"
    1 document (6446 KB), 100000 sentences, 100000 check-worthy: 1 new claim (0 related to a known claim), 0 new appearances, 99999 already recorded; commit COMMIT
    models: check-worthiness n-grams and embeddings, stacked (built in), documents read as articles; matching on words, figures and all-MiniLM-L6-v2 (static embeddings)
    [exit status: 0]
    ");
}

#[test]
fn extract_on_one_sentence_repeated_on_every_line_is_refused_whole() {
    let repo = Repo::new();
    // 12,000 lines of one sentence: one claim with 12,000 appearances, a record of about
    // 1.7 MB that could not be read back. (Matching each repeat once rescanned every earlier
    // one; how long extract takes is measured by the benchmark, not here.)
    let sentence = "The ministry said 1,200 people were moved in 2025, according to officials.\n";
    std::fs::write(repo.path().join("repeated.txt"), sentence.repeat(12_000)).unwrap();
    insta::assert_snapshot!(unchanged(&repo, &["extract", "repeated.txt"], 2), @r#"
    $ claims ["extract", "repeated.txt"]
    ------- stderr -------
    error: records/mz/mzv4a5lbez.toml would be larger than the 1 MiB a record may have
    hint: nothing was written; keep notes and excerpts short, or split the claim
    [exit status: 2]
    "#);
}

/// `claims list/check/audit` and the writing commands in a repository in an unusual state.
struct GitCase<'a> {
    repo: &'a Repo,
    id: &'a str,
}

impl GitCase<'_> {
    fn reads_work(&self) {
        unchanged(self.repo, &["list"], 0);
        unchanged(self.repo, &["check"], 0);
        unchanged(self.repo, &["audit"], 0);
    }

    /// What the refused writes said, with the claim's id as ID.
    fn writes_are_refused(&self) -> String {
        [
            vec!["add", "A claim written at the wrong moment."],
            vec!["note", self.id, "a note"],
            vec!["mark", self.id, "disputed", "--note", "n"],
        ]
        .iter()
        .map(|args| unchanged(self.repo, args, 2))
        .collect::<String>()
        .replace(self.id, "ID")
    }
}

#[test]
fn an_empty_repository_reads_as_empty_and_takes_a_first_claim() {
    let repo = Repo::bare_git();
    let mut seen = unchanged(&repo, &["list"], 0);
    seen.push_str(&unchanged(&repo, &["check"], 0));
    seen.push_str(&unchanged(&repo, &["audit"], 0));
    seen.push_str(&unchanged(&repo, &["mark", "abcdefgh", "sourced"], 2));
    insta::assert_snapshot!(seen, @r#"
    $ claims ["list"]
    no claims match
    [exit status: 0]
    $ claims ["check"]
    checked 0 claims: ok
    [exit status: 0]
    $ claims ["audit"]
    audited 0 commits: ok
    [exit status: 0]
    $ claims ["mark", "abcdefgh", "sourced"]
    ------- stderr -------
    warning: this clone lacks the pre-commit hook of claims, so a `git commit` retried beside a claims write could undo the write; run `claims init` to install it
    error: no claim has an id starting with 'abcdefgh'
    hint: `claims list` shows the ids
    [exit status: 2]
    "#);
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
    insta::assert_snapshot!(case.writes_are_refused(), @r#"
    $ claims ["add", "A claim written at the wrong moment."]
    ------- stderr -------
    error: HEAD is detached (at d81357d90b8a): a commit made here belongs to no branch
    hint: switch to a branch first: git switch BRANCH, or start one here: git switch -c NEW-BRANCH
    [exit status: 2]
    $ claims ["note", "ID", "a note"]
    ------- stderr -------
    error: HEAD is detached (at d81357d90b8a): a commit made here belongs to no branch
    hint: switch to a branch first: git switch BRANCH, or start one here: git switch -c NEW-BRANCH
    [exit status: 2]
    $ claims ["mark", "ID", "disputed", "--note", "n"]
    ------- stderr -------
    error: HEAD is detached (at d81357d90b8a): a commit made here belongs to no branch
    hint: switch to a branch first: git switch BRANCH, or start one here: git switch -c NEW-BRANCH
    [exit status: 2]
    "#);
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
    insta::assert_snapshot!(case.writes_are_refused(), @r#"
    $ claims ["add", "A claim written at the wrong moment."]
    ------- stderr -------
    error: a merge is in progress; claims does not commit in the middle of one
    hint: finish it (resolve any conflicts, then git commit) or abort it (git merge --abort), then run the command again
    [exit status: 2]
    $ claims ["note", "ID", "a note"]
    ------- stderr -------
    error: a merge is in progress; claims does not commit in the middle of one
    hint: finish it (resolve any conflicts, then git commit) or abort it (git merge --abort), then run the command again
    [exit status: 2]
    $ claims ["mark", "ID", "disputed", "--note", "n"]
    ------- stderr -------
    error: a merge is in progress; claims does not commit in the middle of one
    hint: finish it (resolve any conflicts, then git commit) or abort it (git merge --abort), then run the command again
    [exit status: 2]
    "#);
    assert!(repo.path().join(".git/MERGE_HEAD").exists());
}

#[test]
fn a_shallow_clone_reads_audits_from_its_boundary_and_writes() {
    let origin = Repo::new();
    let id = origin.add("A claim with history.");
    origin.ok(&["note", &id, "A first note."]);
    let clone = origin.clone_with(&["--depth", "1"]);
    assert!(clone.path().join(".git/shallow").exists());
    unchanged(&clone, &["list"], 0);
    unchanged(&clone, &["check"], 0);
    insta::assert_snapshot!(unchanged(&clone, &["audit"], 0), @r#"
    $ claims ["audit"]
    note: this is a shallow clone: history before its boundary is not here and was not audited (fetch it with: git fetch --unshallow)
    audited 0 commits: ok
    [exit status: 0]
    "#);
    clone.ok(&["note", &id, "A note in the clone."]);
    clone.add("A claim made in the clone.");
    assert_eq!(clone.commit_count(), 3);
    unchanged(&clone, &["audit"], 0);
}

#[test]
fn a_bare_repository_is_a_usage_error_with_a_hint() {
    let origin = Repo::new();
    let id = origin.add("A claim on the server.");
    let bare = origin.clone_with(&["--bare"]);
    let mut seen = String::new();
    for args in [
        vec!["list"],
        vec!["check"],
        vec!["audit"],
        vec!["add", "A claim typed on the server."],
        vec!["mark", &id, "disputed", "--note", "n"],
    ] {
        seen.push_str(&unchanged(&bare, &args, 2));
    }
    insta::assert_snapshot!(seen.replace(&id, "ID"), @r#"
    $ claims ["list"]
    ------- stderr -------
    error: REPO/ is a bare repository; claims needs a working tree
    hint: clone it and run claims in the clone
    [exit status: 2]
    $ claims ["check"]
    ------- stderr -------
    error: REPO/ is a bare repository; claims needs a working tree
    hint: clone it and run claims in the clone
    [exit status: 2]
    $ claims ["audit"]
    ------- stderr -------
    error: REPO/ is a bare repository; claims needs a working tree
    hint: clone it and run claims in the clone
    [exit status: 2]
    $ claims ["add", "A claim typed on the server."]
    ------- stderr -------
    error: REPO/ is a bare repository; claims needs a working tree
    hint: clone it and run claims in the clone
    [exit status: 2]
    $ claims ["mark", "ID", "disputed", "--note", "n"]
    ------- stderr -------
    error: REPO/ is a bare repository; claims needs a working tree
    hint: clone it and run claims in the clone
    [exit status: 2]
    "#);
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
    let mut seen = String::new();
    for args in [
        vec!["list"],
        vec!["check"],
        vec!["audit"],
        vec!["add", "A claim typed in someone else's repository."],
        vec!["mark", &id, "disputed", "--note", "n"],
    ] {
        seen.push_str(&unchanged(&repo, &args, 2));
    }
    insta::assert_snapshot!(seen.replace(&id, "ID"), @r#"
    $ claims ["list"]
    ------- stderr -------
    error: REPO: repository path 'REPO' is not owned by current user: git treats a repository owned by another user as unsafe
    hint: run claims as the user who owns it, or, if you trust it, allow it with: git config --global --add safe.directory REPO
    [exit status: 2]
    $ claims ["check"]
    ------- stderr -------
    error: REPO: repository path 'REPO' is not owned by current user: git treats a repository owned by another user as unsafe
    hint: run claims as the user who owns it, or, if you trust it, allow it with: git config --global --add safe.directory REPO
    [exit status: 2]
    $ claims ["audit"]
    ------- stderr -------
    error: REPO: repository path 'REPO' is not owned by current user: git treats a repository owned by another user as unsafe
    hint: run claims as the user who owns it, or, if you trust it, allow it with: git config --global --add safe.directory REPO
    [exit status: 2]
    $ claims ["add", "A claim typed in someone else's repository."]
    ------- stderr -------
    error: REPO: repository path 'REPO' is not owned by current user: git treats a repository owned by another user as unsafe
    hint: run claims as the user who owns it, or, if you trust it, allow it with: git config --global --add safe.directory REPO
    [exit status: 2]
    $ claims ["mark", "ID", "disputed", "--note", "n"]
    ------- stderr -------
    error: REPO: repository path 'REPO' is not owned by current user: git treats a repository owned by another user as unsafe
    hint: run claims as the user who owns it, or, if you trust it, allow it with: git config --global --add safe.directory REPO
    [exit status: 2]
    "#);
    chown("root", repo.path());
}

/// A key a person adds inside a source would be dropped by the next write, so the record does
/// not parse: writes refuse it and the gate names the key and its line, and a key added at the
/// top of the record is kept.
#[test]
fn a_key_added_inside_a_source_is_refused_not_dropped() {
    let repo = Repo::new();
    let id = repo.add("The Hollins Dam held 12 million cubic metres of water.");
    repo.ok(&[
        "source",
        "add",
        &id,
        "--url",
        "https://a.example/1",
        "--publisher",
        "Alpha",
    ]);
    let written = repo.read_record(&id);
    repo.edit_record(
        &id,
        "url = \"https://a.example/1\"\n",
        "url = \"https://a.example/1\"\narchive = \"https://web.archive.org/a\"\n",
    );
    repo.git(&["commit", "-qam", "hand: an archive link"]);
    let seen = [
        unchanged(&repo, &["note", &id, "checked"], 2),
        unchanged(&repo, &["check"], 1),
    ]
    .concat()
    .replace(&format!("records/{}/", &id[..2]), "records/XX/")
    .replace(&id, "ID");
    insta::assert_snapshot!(seen, @r#"
    $ claims ["note", "ID", "checked"]
    ------- stderr -------
    error: records/XX/ID.toml:9:1: unknown field `archive`, expected one of `url`, `document`, `sha256`, `title`, `publisher`, `origin`, `stance`, `excerpt`, `accessed`, `added_by`, `rebuttal`, `withdrawn`, `corrections`
    hint: fix the file by hand (a key added by hand is kept only above the first [table]), or restore a version that parses: git checkout -- records/XX/ID.toml for the committed one, git log -- records/XX/ID.toml for earlier ones
    [exit status: 2]
    $ claims ["check"]
    records/XX/ID.toml:9:1: parse: unknown field `archive`, expected one of `url`, `document`, `sha256`, `title`, `publisher`, `origin`, `stance`, `excerpt`, `accessed`, `added_by`, `rebuttal`, `withdrawn`, `corrections`
    checked 1 claim: 1 violation
    [exit status: 1]
    "#);

    std::fs::write(
        repo.record_path(&id),
        format!("desk = \"metro\"\n{written}"),
    )
    .unwrap();
    repo.git(&["commit", "-qam", "hand: a desk"]);
    repo.ok(&["note", &id, "checked"]);
    assert!(repo.read_record(&id).contains("desk = \"metro\""));
}
