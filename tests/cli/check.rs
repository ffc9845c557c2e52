use crate::harness::Repo;

#[test]
fn check_passes_on_a_sound_repository_and_is_read_only() {
    let repo = Repo::new();
    let id = repo.claim_with_two_origins("A sound claim.");
    repo.ok(&["mark", &id, "sourced", "--all-checked"]);
    let before = snapshot(&repo);
    let out = repo.ok(&["check"]);
    assert_eq!(out, "checked 1 claim: ok\n");
    assert_eq!(snapshot(&repo), before);
}

#[test]
fn check_reports_every_violation_and_goes_on() {
    let repo = Repo::new();
    let good = repo.add("A good claim.");
    let broken = repo.add("A broken claim.");
    let published = repo.add("Published too early.");
    repo.ok(&["publish", &published, "--force"]);
    // Hand edits: a broken record, a misplaced copy and an unearned state.
    std::fs::write(repo.record_path(&broken), "id = \"broken\ntext = 1\n").unwrap();
    let misplaced = repo.read_record(&good);
    std::fs::create_dir_all(repo.path().join("records/zz")).unwrap();
    std::fs::write(repo.path().join("records/zz/zzzzzzzz.toml"), &misplaced).unwrap();
    let unearned = repo
        .read_record(&published)
        .replace("state = \"unverified\"", "state = \"corroborated\"");
    std::fs::write(repo.record_path(&published), unearned).unwrap();

    let before = snapshot(&repo);
    let output = repo.fails(&["check", "--format", "json"], 1);
    assert_eq!(snapshot(&repo), before, "check wrote something");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["ok"], false);
    assert_eq!(report["checked"], 4);
    let mut rules: Vec<(String, String)> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["path"].as_str().unwrap().to_string(),
                v["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    rules.sort();
    let path = |id: &str| format!("records/{}/{id}.toml", &id[..2]);
    let mut expected = vec![
        (path(&broken), "parse".to_string()),
        (path(&good), "duplicate-id".to_string()),
        (
            "records/zz/zzzzzzzz.toml".to_string(),
            "duplicate-id".to_string(),
        ),
        (
            "records/zz/zzzzzzzz.toml".to_string(),
            "file-name".to_string(),
        ),
        (path(&published), "checklist".to_string()),
        (path(&published), "checklist".to_string()),
        (path(&published), "independent-origins".to_string()),
    ];
    expected.sort();
    assert_eq!(rules, expected);
    let parse = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["rule"] == "parse")
        .unwrap();
    assert_eq!(parse["line"], 1);

    let text = [
        (&good, "GOOD"),
        (&broken, "BROKEN"),
        (&published, "PUBLISHED"),
    ]
    .iter()
    .fold(repo.sees(&["check"]), |text, (id, name)| {
        text.replace(&path(id), &format!("records/{name}.toml"))
    });
    insta::assert_snapshot!(text, @r#"
    records/GOOD.toml: duplicate-id: id hc2mtjtvgz is used by 2 files: records/GOOD.toml, records/zz/zzzzzzzz.toml
    records/PUBLISHED.toml: checklist: corroborated claim: the sourced checklist is not confirmed: provenance, source, date, location, motivation
    records/PUBLISHED.toml: checklist: corroborated claim: the corroborated checklist is not confirmed: independence, context
    records/PUBLISHED.toml: independent-origins: corroborated claim: needs supporting sources from at least 2 independent origins; has 0
    records/BROKEN.toml:1:13: parse: invalid basic string, expected `"`
    records/zz/zzzzzzzz.toml: duplicate-id: id hc2mtjtvgz is used by 2 files: records/GOOD.toml, records/zz/zzzzzzzz.toml
    records/zz/zzzzzzzz.toml: file-name: the record of hc2mtjtvgz belongs at records/GOOD.toml
    checked 4 claims: 7 violations
    [exit status: 1]
    "#);
}

/// Every file of the working tree and git's directory, with its contents.
fn snapshot(repo: &Repo) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut pending = vec![repo.path().to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let contents = std::fs::read(&path).unwrap();
                files.push((path.display().to_string(), contents));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn check_formats_parse() {
    let repo = Repo::new();
    let good = repo.claim_with_two_origins("A <good> & sound claim.");
    let bad = repo.add("Published & unproven.");
    repo.ok(&["publish", &bad, "--force"]);
    let _ = good;

    let junit = repo.fails(&["check", "--format", "junit"], 1);
    let xml = String::from_utf8(junit.stdout).unwrap();
    let document = roxmltree::Document::parse(&xml).unwrap();
    let cases: Vec<_> = document
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 2, "one test case per checked claim: {xml}");
    let failed: Vec<_> = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
        .collect();
    assert_eq!(failed.len(), 1);
    assert!(failed[0].attribute("name").unwrap().starts_with(&bad));
    let suite = document
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    assert_eq!(suite.attribute("tests"), Some("2"));
    assert_eq!(suite.attribute("failures"), Some("1"));

    let bad_path = format!("records/{}/{bad}.toml", &bad[..2]);
    let github = repo.sees(&["check", "--format", "github"]);
    insta::assert_snapshot!(github.replace(&bad_path, "records/BAD.toml"), @"
    ::error file=records/BAD.toml,title=published-not-corroborated::published while unverified
    [exit status: 1]
    ");

    // A broken record carries its line and column into the annotation.
    std::fs::write(repo.record_path(&bad), "id = 1\n").unwrap();
    let github = repo.sees(&["check", "--format", "github"]);
    insta::assert_snapshot!(github.replace(&bad_path, "records/BAD.toml"), @"
    ::error file=records/BAD.toml,line=1,col=6,title=parse::invalid type: integer `1`, expected a string
    [exit status: 1]
    ");
}
