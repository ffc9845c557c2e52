use crate::harness::{Repo, user_sees};

#[test]
fn edit_rewrites_text_and_claimant_and_keeps_the_id() {
    let repo = Repo::new();
    let id = repo.add("Nevertheless, her government has extradited more than 50 criminal leaders.");
    let output = repo
        .process(&[
            "edit",
            &id[..5],
            "--text",
            "Mexico's government has extradited more than 50 criminal leaders.",
            "--claimant",
            "Claudia Sheinbaum",
        ])
        .output()
        .unwrap();
    insta::assert_snapshot!(user_sees(&output).replace(&id, "ID"), @"
    ID: edited; its id stays the same (`claims show ID`)
    [exit status: 0]
    ");
    let record = repo.read_record(&id);
    assert!(record.contains(&format!("id = \"{id}\"")), "{record}");
    assert!(
        record.contains(
            "text = \"Mexico's government has extradited more than 50 criminal leaders.\""
        ),
        "{record}"
    );
    assert!(
        record.contains("claimant = \"Claudia Sheinbaum\""),
        "{record}"
    );
    let message = repo.git(&["log", "-1", "--format=%B"]);
    insta::assert_snapshot!(message.replace(&id, "ID"), @"
    Edit text, claimant of ID: Mexico's government has extradited more than 50 c…

    Was: Nevertheless, her government has extradited more than 50 criminal leaders.

    Claim-Id: ID
    Claim-Action: edit
    ");
    assert_eq!(repo.status(), "");
    repo.ok(&["audit"]);
}

#[test]
fn edit_that_changes_nothing_is_refused_and_commits_nothing() {
    let repo = Repo::new();
    let id = repo.add("Mexico sent 10,000 soldiers to the border.");
    let before = repo.head();
    let same = [
        "edit",
        &id,
        "--text",
        "Mexico sent 10,000 soldiers to the border.",
    ];
    let output = repo.process(&same).output().unwrap();
    insta::assert_snapshot!(user_sees(&output).replace(&id, "ID"), @"
    ------- stderr -------
    error: ID is unchanged
    hint: nothing to do
    [exit status: 2]
    ");
    let output = repo.process(&["edit", &id]).output().unwrap();
    insta::assert_snapshot!(user_sees(&output).replace(&id, "ID"), @"
    ------- stderr -------
    error: the following required arguments were not provided:
      <--text <TEXT>|--claimant <NAME>|--no-claimant|--tag <TAG>|--no-tags>

    Usage: claims edit <--text <TEXT>|--claimant <NAME>|--no-claimant|--tag <TAG>|--no-tags> <ID>

    For more information, try '--help'.
    [exit status: 2]
    ");
    assert_eq!(repo.head(), before);
}
