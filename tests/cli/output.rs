//! What people see: snapshots of list and show, and the record format on disk.

use crate::harness::Repo;

fn populated() -> (Repo, String) {
    let repo = Repo::new();
    let id = repo.claim_with_two_origins("Mexico extradited 55 people to the U.S. in 2025.");
    repo.ok(&["mark", &id, "sourced", "--all-checked"]);
    repo.ok(&["note", &id, "Ministry confirms the figure."]);
    repo.add("Cartels cause 300,000 deaths in the U.S. every year.");
    (repo, id)
}

#[test]
fn list_table() {
    let (repo, _) = populated();
    insta::assert_snapshot!(
        repo.claims(&["list"])
            .env("COLUMNS", "100")
            .output()
            .map(|o| String::from_utf8(o.stdout).unwrap())
            .unwrap()
    );
}

#[test]
fn list_filters_and_formats() {
    let (repo, id) = populated();
    let json: serde_json::Value =
        serde_json::from_str(&repo.ok(&["list", "--state", "sourced", "--format", "json"]))
            .unwrap();
    assert_eq!(json.as_array().unwrap().len(), 1);
    assert_eq!(json[0]["id"], id.as_str());
    assert_eq!(json[0]["origins"], 2);
    let csv = repo.ok(&["list", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        &rows[0][3],
        "Mexico extradited 55 people to the U.S. in 2025."
    );
    assert_eq!(repo.ok(&["list", "--published"]), "no claims match\n");
}

#[test]
fn show_text() {
    let (repo, id) = populated();
    insta::assert_snapshot!(
        repo.claims(&["show", &id])
            .env("COLUMNS", "100")
            .output()
            .map(|o| String::from_utf8(o.stdout).unwrap())
            .unwrap()
    );
}

#[test]
fn show_fits_a_narrow_terminal() {
    let (repo, id) = populated();
    let out = repo
        .claims(&["show", &id])
        .env("COLUMNS", "60")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for line in text.lines() {
        assert!(line.chars().count() <= 60, "too wide: {line}");
    }
}

#[test]
fn the_record_on_disk() {
    let (repo, id) = populated();
    insta::assert_snapshot!(repo.read_record(&id));
}

#[test]
fn show_toml_is_the_file_and_json_has_everything() {
    let (repo, id) = populated();
    assert_eq!(
        repo.ok(&["show", &id, "--format", "toml"]),
        repo.read_record(&id)
    );
    let json: serde_json::Value =
        serde_json::from_str(&repo.ok(&["show", &id, "--format", "json"])).unwrap();
    assert_eq!(json["state"], "sourced");
    assert_eq!(json["sources"].as_array().unwrap().len(), 2);
    assert_eq!(json["checklist"]["sourced"]["provenance"], true);
    assert_eq!(json["next"].as_array().unwrap().len(), 3);
}

#[test]
fn log_of_a_claim_and_of_the_repository() {
    let (repo, id) = populated();
    let json: serde_json::Value =
        serde_json::from_str(&repo.ok(&["log", &id, "--format", "json"])).unwrap();
    let actions: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["note", "transition", "source", "source", "create"]
    );
    assert_eq!(json[1]["from"], "unverified");
    assert_eq!(json[1]["to"], "sourced");
    assert_eq!(json[0]["note"], "Ministry confirms the figure.");
    let all: serde_json::Value =
        serde_json::from_str(&repo.ok(&["log", "--format", "json", "-n", "2"])).unwrap();
    assert_eq!(all.as_array().unwrap().len(), 2);
    assert_eq!(all[0]["action"], "create");
}

#[test]
fn a_record_written_by_the_tool_is_rewritten_unchanged() {
    let (repo, id) = populated();
    // A note adds one table (four lines and a blank line) and changes nothing else.
    repo.ok(&["note", &id, "Second note."]);
    let diff = repo.git(&["diff", "--numstat", "HEAD~1", "HEAD"]);
    assert!(diff.starts_with("5\t0\t"), "{diff}");
}

#[test]
fn log_of_a_claim_follows_hand_edits_merges_and_rewritten_history() {
    let (repo, id) = populated();
    let actions = |repo: &Repo| -> Vec<String> {
        let json: serde_json::Value =
            serde_json::from_str(&repo.ok(&["log", &id, "--format", "json"])).unwrap();
        json.as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap_or("(by hand)").to_string())
            .collect()
    };
    assert_eq!(
        actions(&repo),
        ["note", "transition", "source", "source", "create"]
    );
    // A hand edit has no trailers: it is found by comparing trees.
    let path = repo.record_path(&id);
    let text = repo
        .read_record(&id)
        .replace("Mexico extradited", "Mexico sent");
    std::fs::write(&path, text).unwrap();
    repo.git(&["commit", "-qam", "Reword by hand"]);
    assert_eq!(actions(&repo)[0], "(by hand)");
    // Rewriting history (the index's tip is no longer an ancestor) rebuilds the index.
    repo.git(&["reset", "-q", "--hard", "HEAD~3"]);
    assert_eq!(actions(&repo), ["transition", "source", "source", "create"]);
    repo.ok(&["note", &id, "after the rewrite"]);
    assert_eq!(
        actions(&repo),
        ["note", "transition", "source", "source", "create"]
    );
}
