use serde_json::Value;

use crate::harness::{Repo, stderr};

const ORGANIZATION: &str =
    "\n[organization]\nname = \"Verifica\"\nurl = \"https://verifica.example\"\n";

/// A repository with a published corroborated claim that appeared in a document, a disputed
/// claim, both with verdicts, and one still unverified; returns it with the ids of the first
/// two. Its rating scale is written in the older one-rating-per-verdict layout.
fn reviewed_repo() -> (Repo, String, String) {
    let repo = Repo::new();
    repo.configure(&format!(
        "{ORGANIZATION}\n[rating]\nbest = 5\nworst = 1\n\
         disputed = {{ name = \"Misleading\", value = 2 }}\n"
    ));
    std::fs::create_dir_all(repo.path().join("seeds")).unwrap();
    std::fs::write(
        repo.path().join("seeds/briefing.txt"),
        "Opening remarks.\nWe sent 55 people north in 2025.\n",
    )
    .unwrap();
    let published = repo
        .ok(&[
            "add",
            "Mexico extradited 55 people to the U.S. in 2025.",
            "--claimant",
            "Claudia Sheinbaum",
            "--document",
            "seeds/briefing.txt",
            "--line",
            "2",
        ])
        .trim()
        .to_string();
    for (url, publisher) in [
        ("https://one.example/a", "One Daily"),
        ("https://two.example/b", "Two Times"),
    ] {
        repo.ok(&[
            "source",
            "add",
            &published,
            "--url",
            url,
            "--publisher",
            publisher,
        ]);
    }
    repo.ok(&["mark", &published, "sourced", "--all-checked"]);
    repo.ok(&["mark", &published, "corroborated", "--all-checked"]);
    repo.ok(&[
        "publish",
        &published,
        "--url",
        "https://verifica.example/2026/extraditions",
    ]);
    repo.ok(&[
        "verdict",
        &published,
        "--rating",
        "True",
        "--url",
        "https://verifica.example/2026/extraditions",
    ]);
    let disputed = repo.disputed(
        "The border wall is 2,000 miles long.",
        "https://survey.example/wall",
    );
    repo.ok(&[
        "verdict",
        &disputed,
        "--rating",
        "Misleading",
        "--url",
        "https://verifica.example/2026/wall",
    ]);
    repo.add("Still waiting for a source.");
    (repo, published, disputed)
}

fn claim_reviews(repo: &Repo) -> (Vec<Value>, String) {
    let output = repo
        .claims(&["export", "--format", "claimreview"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let reviews: Value = serde_json::from_slice(&output.stdout).unwrap();
    (reviews.as_array().unwrap().clone(), stderr(&output))
}

fn review_of<'a>(reviews: &'a [Value], id: &str) -> &'a Value {
    reviews
        .iter()
        .find(|r| r["identifier"] == id)
        .unwrap_or_else(|| panic!("no ClaimReview for {id} in {reviews:?}"))
}

fn is_iso_date(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|s| s.len() == 10 && s.parse::<jiff::civil::Date>().is_ok())
}

#[test]
fn claimreview_has_every_required_and_recommended_field() {
    let (repo, published, disputed) = reviewed_repo();
    let (reviews, _) = claim_reviews(&repo);
    assert_eq!(reviews.len(), 2, "only verdicts are reviewed: {reviews:?}");

    let review = review_of(&reviews, &published);
    // Required: the claim in short, the rating, the published fact-check.
    assert_eq!(review["@context"], "https://schema.org");
    assert_eq!(review["@type"], "ClaimReview");
    let summary = review["claimReviewed"].as_str().unwrap();
    assert_eq!(summary, "Mexico extradited 55 people to the U.S. in 2025.");
    let rating = &review["reviewRating"];
    assert_eq!(rating["@type"], "Rating");
    assert_eq!(rating["alternateName"], "True");
    assert!(
        !summary.contains("True"),
        "the summary never carries the verdict"
    );
    assert_eq!(rating["ratingValue"], 5);
    assert_eq!(rating["bestRating"], 5);
    let worst = rating["worstRating"].as_u64().unwrap();
    assert!((1..5).contains(&worst), "worstRating {worst}");
    assert_eq!(review["url"], "https://verifica.example/2026/extraditions");
    // Recommended: who reviewed it and when, and the claim: who made it, when, where.
    assert_eq!(review["author"]["@type"], "Organization");
    assert_eq!(review["author"]["name"], "Verifica");
    assert_eq!(review["author"]["url"], "https://verifica.example/");
    assert!(is_iso_date(&review["datePublished"]), "{review}");
    let claim = &review["itemReviewed"];
    assert_eq!(claim["@type"], "Claim");
    assert_eq!(claim["author"]["@type"], "Person");
    assert_eq!(claim["author"]["name"], "Claudia Sheinbaum");
    assert!(is_iso_date(&claim["datePublished"]), "{claim}");
    let first = &claim["firstAppearance"];
    assert_eq!(first["@type"], "CreativeWork");
    assert_eq!(first["name"], "seeds/briefing.txt");
    assert_eq!(first["text"], "We sent 55 people north in 2025.");
    assert_eq!(claim["appearance"].as_array().unwrap()[0], *first);

    let review = review_of(&reviews, &disputed);
    assert_eq!(review["reviewRating"]["alternateName"], "Misleading");
    assert_eq!(review["reviewRating"]["ratingValue"], 2);
    assert_eq!(review["url"], "https://verifica.example/2026/wall");
}

#[test]
fn claimreview_warns_about_what_is_not_ready() {
    let (repo, _, _) = reviewed_repo();
    let long = "x".repeat(40);
    let wordy = repo.corroborated(&format!(
        "A claim that goes on and on {long} past the limit."
    ));
    let verdict = |repo: &Repo, id: &str| {
        repo.ok(&[
            "verdict",
            id,
            "--rating",
            "True",
            "--url",
            "https://verifica.example/2026/x",
        ])
    };
    verdict(&repo, &wordy);
    let unrated = repo.corroborated("Corroborated, but no verdict is out yet.");
    let (reviews, warnings) = claim_reviews(&repo);
    assert_eq!(reviews.len(), 3);
    insta::assert_snapshot!(warnings.replace(&unrated, "UNRATED").replace(&wordy, "WORDY"), @"
    warning: left out 1 claim (UNRATED): no verdict (give it with: claims verdict ID --rating NAME --url URL)
    warning: 1 claim (WORDY): claim text too long for a ClaimReview summary
    ");

    let bare = Repo::new();
    let id = bare.corroborated("A claim with no organisation behind it.");
    verdict(&bare, &id);
    let (reviews, warnings) = claim_reviews(&bare);
    assert!(reviews[0].get("author").is_none());
    insta::assert_snapshot!(warnings, @"warning: claims.toml has no [organization]: the ClaimReview author is left out");
}

#[test]
fn claimreview_json_ld_is_safe_inside_a_script_element() {
    let repo = Repo::new();
    let text = "Says </script><script>alert('owned & done')</script> twice.";
    let id = repo.corroborated(text);
    repo.ok(&[
        "verdict",
        &id,
        "--rating",
        "True",
        "--url",
        "https://verifica.example/2026/x",
    ]);
    let exported = repo
        .claims(&["export", "--format", "claimreview"])
        .output()
        .unwrap();
    let output = String::from_utf8(exported.stdout.clone()).unwrap();
    assert!(!output.contains('<') && !output.contains('&'), "{output}");
    insta::assert_snapshot!(repo.shown(&exported).replace(&id, "ID"), @r#"
    [
      {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "identifier": "ID",
        "claimReviewed": "Says \u003c/script\u003e\u003cscript\u003ealert('owned \u0026 done')\u003c/script\u003e twice.",
        "reviewRating": {
          "@type": "Rating",
          "alternateName": "True",
          "ratingValue": 5,
          "bestRating": 5,
          "worstRating": 1
        },
        "url": "https://verifica.example/2026/x",
        "datePublished": "2026-03-01",
        "itemReviewed": {
          "@type": "Claim",
          "datePublished": "2026-03-01"
        }
      }
    ]
    ------- stderr -------
    warning: claims.toml has no [organization]: the ClaimReview author is left out
    [exit status: 0]
    "#);
    let reviews: Vec<Value> = serde_json::from_str(&output).unwrap();
    assert_eq!(review_of(&reviews, &id)["claimReviewed"], text);
}

#[test]
fn csv_export_has_one_row_per_claim() {
    let (repo, published, disputed) = reviewed_repo();
    let tricky = repo.add("Quotes \"inside\", commas, and = signs.");
    let output = repo.ok(&["export", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(output.as_bytes());
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        headers,
        [
            "id",
            "state",
            "published",
            "text",
            "claimant",
            "sources",
            "origins",
            "updated"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 4);
    let row = |id: &str| rows.iter().find(|r| &r[0] == id).unwrap().clone();
    let published = row(&published);
    assert_eq!(&published[1], "corroborated");
    assert_eq!(&published[2], "true");
    assert_eq!(&published[4], "Claudia Sheinbaum");
    assert_eq!((&published[5], &published[6]), ("2", "2"));
    assert!(
        published[7].parse::<jiff::Timestamp>().is_ok(),
        "{published:?}"
    );
    let disputed = row(&disputed);
    assert_eq!(
        (&disputed[1], &disputed[2], &disputed[5], &disputed[6]),
        ("disputed", "false", "1", "0")
    );
    assert_eq!(&row(&tricky)[3], "Quotes \"inside\", commas, and = signs.");
}

#[test]
fn json_export_has_every_record_in_full() {
    let (repo, published, _) = reviewed_repo();
    let output = repo.ok(&["export", "--format", "json"]);
    let records: Vec<Value> = serde_json::from_str(&output).unwrap();
    assert_eq!(records.len(), 3);
    let record = records
        .iter()
        .find(|r| r["id"] == published.as_str())
        .unwrap();
    let shown: Value =
        serde_json::from_str(&repo.ok(&["show", &published, "--format", "json"])).unwrap();
    for key in [
        "text",
        "state",
        "published",
        "published_url",
        "claimant",
        "appearances",
        "sources",
        "checklist",
        "history",
    ] {
        assert!(!record[key].is_null(), "{key} missing: {record}");
    }
    assert_eq!(record["sources"], shown["sources"]);
    assert_eq!(record["history"].as_array().unwrap().len(), 2);
}

#[test]
fn check_lints_claimreview_readiness_only_when_asked() {
    let repo = Repo::new();
    let off_domain = repo.corroborated("Published on someone else's site.");
    repo.ok(&[
        "verdict",
        &off_domain,
        "--rating",
        "True",
        "--url",
        "https://elsewhere.example/story",
    ]);
    let no_url = repo.corroborated("Published without a fact-check address.");
    repo.ok(&["publish", &no_url]);
    repo.ok(&["check"]);

    repo.configure(&format!("{ORGANIZATION}\n[check]\nclaimreview = true\n"));
    let output = repo.fails(&["check", "--format", "json"], 1);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut found: Vec<(String, String)> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["id"].as_str().unwrap().to_string(),
                v["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    let mut expected = vec![
        (off_domain, "claimreview-domain".to_string()),
        (no_url, "claimreview-url".to_string()),
    ];
    expected.sort();
    assert_eq!(found, expected);
}
