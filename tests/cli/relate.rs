//! `claims relate`: two claims linked, both ways, with a note why, in one commit the audit
//! accepts; a forged `relate` commit that changes more is reported.

use crate::harness::{Repo, user_sees};

#[test]
fn two_claims_are_related_both_ways_in_one_commit() {
    let repo = Repo::new();
    let yearly = repo.add("Fentanyl kills 250,000 to 300,000 Americans a year.");
    let since = repo.add("Fentanyl has claimed over 100,000 lives since 2017.");
    let before = repo.commit_count();
    let output = repo
        .claims(&[
            "relate",
            &yearly,
            &since,
            "--note",
            "a yearly toll against a total since 2017",
        ])
        .output()
        .unwrap();
    let shown = user_sees(&output)
        .replace(&yearly, "YEARLY")
        .replace(&since, "SINCE");
    let shown: String = shown
        .lines()
        .map(|line| match line.find("(commit ") {
            Some(at) => format!("{}(commit COMMIT)", &line[..at]),
            None => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!(shown, @r"
    YEARLY and SINCE: related (commit COMMIT)
    [exit status: 0]
    ");
    assert_eq!(repo.commit_count(), before + 1);
    let message = repo.git(&["log", "-1", "--format=%B"]);
    assert!(
        message.contains(&format!(
            "Claim-Id: {yearly}\nClaim-Id: {since}\nClaim-Action: relate"
        )),
        "{message}"
    );
    for (id, other) in [(&yearly, &since), (&since, &yearly)] {
        let record = repo.read_record(id);
        assert!(
            record.contains(&format!("related = [\"{other}\"]")),
            "{record}"
        );
        assert!(
            record.contains(&format!(
                "Related to {other}: a yearly toll against a total since 2017"
            )),
            "{record}"
        );
        assert!(repo.ok(&["show", id]).contains(other.as_str()));
    }
    assert_eq!(repo.status(), "");
    repo.ok(&["audit"]);
    repo.ok(&["check"]);

    let again = repo.fails(&["relate", &since, &yearly, "--note", "again"], 2);
    let again = user_sees(&again)
        .replace(&yearly, "YEARLY")
        .replace(&since, "SINCE");
    insta::assert_snapshot!(again, @r"
    ------- stderr -------
    error: SINCE and YEARLY are already related
    hint: nothing to do
    [exit status: 2]
    ");
    let itself = repo.fails(&["relate", &since, &since, "--note", "x"], 2);
    assert!(user_sees(&itself).contains("cannot be related to itself"));
    assert_eq!(repo.commit_count(), before + 1);
}

#[test]
fn a_forged_relate_commit_that_changes_more_is_reported() {
    let repo = Repo::new();
    let a = repo.add("The port handled 3 million containers.");
    let b = repo.add("The port handled 2 million containers.");
    let path = repo.record_path(&a);
    let text = repo.read_record(&a);
    let forged = text.replace("The port handled 3 million", "The port handled 30 million")
        + &format!("related = [\"{b}\"]\n");
    std::fs::write(&path, forged).unwrap();
    let message = format!("Relate\n\nClaim-Id: {a}\nClaim-Action: relate");
    repo.git(&["commit", "-qam", &message]);
    let output = repo.claims(&["audit"]).output().unwrap();
    let shown = user_sees(&output).replace(&format!("records/{}/{a}", &a[..2]), "RECORD");
    let shown = shown
        .split_once(' ')
        .map_or(shown.clone(), |(_, rest)| rest.to_string());
    insta::assert_snapshot!(shown, @r"
    (Git User <git@example.org>) RECORD.toml: action-overreach: changes text in a commit whose action is 'relate'
    audited 3 commits: 1 violation
    [exit status: 1]
    ");
}
