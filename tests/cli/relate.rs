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
    let named = |text: String| text.replace(&yearly, "YEARLY").replace(&since, "SINCE");
    let shown = named(user_sees(&output));
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
    insta::assert_snapshot!(named(repo.git(&["log", "-1", "--format=%B"])), @"
    Relate YEARLY and SINCE: Fentanyl kills 250,000 to 300,000 Americans a yea…

    a yearly toll against a total since 2017

    Claim-Id: YEARLY
    Claim-Id: SINCE
    Claim-Action: relate
    ");
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
    }
    // Real ids: names of another length would break the tables' alignment.
    insta::assert_snapshot!(repo.sees(&["show", &yearly]), @"
    ┌─────────┬─────────────────────────────────────────────────────┐
    │         ┆ w5b7z7n5pc                                          │
    ╞═════════╪═════════════════════════════════════════════════════╡
    │ Claim   ┆ Fentanyl kills 250,000 to 300,000 Americans a year. │
    │ State   ┆ unverified                                          │
    │ Created ┆ 2026-03-01T09:00:00Z                                │
    └─────────┴─────────────────────────────────────────────────────┘

    Related claims with other figures
    ┌────────────┬─────────────────────────────────────────────────────────────┬─────────────────────────────────────────────────────┐
    │ RELATED    ┆ FIGURES                                                     ┆ CLAIM                                               │
    ╞════════════╪═════════════════════════════════════════════════════════════╪═════════════════════════════════════════════════════╡
    │ hegtm3dfxx ┆ 250,000 vs more than 100,000; 300,000 vs none; none vs 2017 ┆ Fentanyl has claimed over 100,000 lives since 2017. │
    └────────────┴─────────────────────────────────────────────────────────────┴─────────────────────────────────────────────────────┘

    Sources: none yet

    ┌────────────────────────┬────────────────────────────────────────────────────────────────────────────────────────┐
    │ PROGRESS               ┆                                                                                        │
    ╞════════════════════════╪════════════════════════════════════════════════════════════════════════════════════════╡
    │ sourced                ┆ needs at least 1 supporting source; has 0                                              │
    │                        ┆ the sourced checklist is not confirmed: provenance, source, date, location, motivation │
    │ corroborated           ┆ needs supporting sources from at least 2 independent origins; has 0                    │
    │                        ┆ the sourced checklist is not confirmed: provenance, source, date, location, motivation │
    │                        ┆ the corroborated checklist is not confirmed: independence, context                     │
    │ disputed               ┆ needs at least 1 contradicting source; has 0                                           │
    │ sourced checklist      ┆ [ ] provenance  [ ] source  [ ] date  [ ] location  [ ] motivation                     │
    │ corroborated checklist ┆ [ ] independence  [ ] context                                                          │
    └────────────────────────┴────────────────────────────────────────────────────────────────────────────────────────┘

    Notes
    ┌──────────────────────┬────────────────────────────┬─────────────────────────────────────────────────────────────────┐
    │ WHEN                 ┆ BY                         ┆ NOTE                                                            │
    ╞══════════════════════╪════════════════════════════╪═════════════════════════════════════════════════════════════════╡
    │ 2026-03-01T09:00:00Z ┆ Ana Ruiz <ana@example.org> ┆ Related to hegtm3dfxx: a yearly toll against a total since 2017 │
    └──────────────────────┴────────────────────────────┴─────────────────────────────────────────────────────────────────┘
    [exit status: 0]
    ");
    insta::assert_snapshot!(repo.sees(&["show", &since]), @"
    ┌─────────┬─────────────────────────────────────────────────────┐
    │         ┆ hegtm3dfxx                                          │
    ╞═════════╪═════════════════════════════════════════════════════╡
    │ Claim   ┆ Fentanyl has claimed over 100,000 lives since 2017. │
    │ State   ┆ unverified                                          │
    │ Created ┆ 2026-03-01T09:00:00Z                                │
    └─────────┴─────────────────────────────────────────────────────┘

    Related claims with other figures
    ┌────────────┬─────────────────────────────────────────────────────────────┬─────────────────────────────────────────────────────┐
    │ RELATED    ┆ FIGURES                                                     ┆ CLAIM                                               │
    ╞════════════╪═════════════════════════════════════════════════════════════╪═════════════════════════════════════════════════════╡
    │ w5b7z7n5pc ┆ 2017 vs none; more than 100,000 vs 250,000; none vs 300,000 ┆ Fentanyl kills 250,000 to 300,000 Americans a year. │
    └────────────┴─────────────────────────────────────────────────────────────┴─────────────────────────────────────────────────────┘

    Sources: none yet

    ┌────────────────────────┬────────────────────────────────────────────────────────────────────────────────────────┐
    │ PROGRESS               ┆                                                                                        │
    ╞════════════════════════╪════════════════════════════════════════════════════════════════════════════════════════╡
    │ sourced                ┆ needs at least 1 supporting source; has 0                                              │
    │                        ┆ the sourced checklist is not confirmed: provenance, source, date, location, motivation │
    │ corroborated           ┆ needs supporting sources from at least 2 independent origins; has 0                    │
    │                        ┆ the sourced checklist is not confirmed: provenance, source, date, location, motivation │
    │                        ┆ the corroborated checklist is not confirmed: independence, context                     │
    │ disputed               ┆ needs at least 1 contradicting source; has 0                                           │
    │ sourced checklist      ┆ [ ] provenance  [ ] source  [ ] date  [ ] location  [ ] motivation                     │
    │ corroborated checklist ┆ [ ] independence  [ ] context                                                          │
    └────────────────────────┴────────────────────────────────────────────────────────────────────────────────────────┘

    Notes
    ┌──────────────────────┬────────────────────────────┬─────────────────────────────────────────────────────────────────┐
    │ WHEN                 ┆ BY                         ┆ NOTE                                                            │
    ╞══════════════════════╪════════════════════════════╪═════════════════════════════════════════════════════════════════╡
    │ 2026-03-01T09:00:00Z ┆ Ana Ruiz <ana@example.org> ┆ Related to w5b7z7n5pc: a yearly toll against a total since 2017 │
    └──────────────────────┴────────────────────────────┴─────────────────────────────────────────────────────────────────┘
    [exit status: 0]
    ");
    assert_eq!(repo.status(), "");
    repo.ok(&["audit"]);
    repo.ok(&["check"]);

    let again = named(repo.sees(&["relate", &since, &yearly, "--note", "again"]));
    insta::assert_snapshot!(again, @r"
    ------- stderr -------
    error: SINCE and YEARLY are already related
    hint: nothing to do
    [exit status: 2]
    ");
    let itself = named(repo.sees(&["relate", &since, &since, "--note", "x"]));
    insta::assert_snapshot!(itself, @"
    ------- stderr -------
    error: a claim cannot be related to itself
    hint: name two different claims
    [exit status: 2]
    ");
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
