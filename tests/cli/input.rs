//! Input and repositories people really have: clones that convert line endings, and claim
//! text carrying terminal escapes and other control characters.

use crate::harness::Repo;

const ARTICLE: &str = "Border report\n\n\
Mexico extradited 55 cartel members to the United States in 2025, according to NBC News.\n";
const SECOND_ARTICLE: &str = "More on the border\n\n\
In 2025, Mexico extradited 55 cartel members to the U.S., officials told the New York Times.\n";

/// A repository whose records were extracted and sourced by the tool, with `attributes` as
/// its committed `.gitattributes`; returns it and the id of the extracted claim.
fn origin_with(attributes: &str) -> (Repo, String) {
    let origin = Repo::new();
    std::fs::write(origin.path().join(".gitattributes"), attributes).unwrap();
    std::fs::create_dir_all(origin.path().join("seeds")).unwrap();
    std::fs::write(origin.path().join("seeds/a.txt"), ARTICLE).unwrap();
    origin.git(&["add", ".gitattributes", "seeds"]);
    origin.git(&["commit", "-q", "-m", "Attributes and an article"]);
    origin.ok(&["extract", "seeds/a.txt"]);
    let list: serde_json::Value =
        serde_json::from_str(&origin.ok(&["list", "--format", "json"])).unwrap();
    let id = list[0]["id"].as_str().unwrap().to_string();
    origin.ok(&["source", "add", &id, "--url", "https://one.example/a"]);
    (origin, id)
}

/// In a clone whose checkout converts line endings (a Windows colleague's), every write works
/// and leaves `git status`, `claims check` and `claims audit` clean: with the attributes older
/// versions of `claims init` committed, under which git checks records out with CRLF, and with
/// today's, under which it does not.
#[test]
fn writes_work_in_a_clone_that_converts_line_endings() {
    const OLD_ATTRIBUTES: &str = "records/**/*.toml merge=claims\n";
    const TEXT_AUTO: &str = "* text=auto\nrecords/**/*.toml merge=claims\n";
    // The clone's config, the origin's `.gitattributes`, whether today's `claims init` ran
    // in the origin after it, and whether git then checks records out with CRLF.
    let cases: [(&str, &str, bool, bool); 4] = [
        ("core.autocrlf=true", OLD_ATTRIBUTES, false, true),
        ("core.eol=crlf", TEXT_AUTO, false, true),
        ("core.autocrlf=true", OLD_ATTRIBUTES, true, false),
        ("core.eol=crlf", TEXT_AUTO, true, false),
    ];
    for (config, attributes, init, crlf_checkout) in cases {
        let case = format!("{config} with {attributes:?}, init {init}");
        let (origin, id) = origin_with(attributes);
        if init {
            origin.ok(&["init"]);
        }
        let clone = origin.clone_with(&["-c", config]);
        let record = std::fs::read(clone.record_path(&id)).unwrap();
        assert_eq!(
            record.windows(2).any(|pair| pair == b"\r\n"),
            crlf_checkout,
            "{case}: the checkout is not what the case is about"
        );
        // Written again as it is, the record's stat data no longer vouches for it: the audit
        // reads it, and must see what git sees.
        std::fs::write(clone.record_path(&id), &record).unwrap();
        clone.ok(&["audit"]);
        assert_eq!(clone.status(), "", "{case}: git status of the checkout");
        std::fs::write(clone.path().join("seeds/b.txt"), SECOND_ARTICLE).unwrap();
        clone.git(&["add", "seeds/b.txt"]);
        clone.git(&["commit", "-q", "-m", "Another article"]);
        let before = clone.commit_count();
        for args in [
            vec!["note", &id, "Checked against the court filings."],
            vec!["source", "add", &id, "--url", "https://two.example/b"],
            vec!["mark", &id, "sourced", "--all-checked"],
            vec!["extract", "seeds/b.txt"],
        ] {
            let output = clone.claims(&args).output().unwrap();
            assert_eq!(
                output.status.code(),
                Some(0),
                "{case}: claims {args:?}:\n{}",
                crate::harness::describe(&output)
            );
            assert_eq!(
                clone.status(),
                "",
                "{case}: git status after claims {args:?}"
            );
        }
        assert_eq!(clone.commit_count(), before + 4, "{case}");
        let shown: serde_json::Value =
            serde_json::from_str(&clone.ok(&["show", &id, "--format", "json"])).unwrap();
        assert_eq!(shown["appearances"].as_array().unwrap().len(), 2, "{case}");
        assert_eq!(shown["state"], "sourced", "{case}");
        clone.ok(&["check"]);
        clone.ok(&["audit"]);
        // Git, refreshing every entry from the files, sees what the index says.
        clone.git(&["update-index", "--really-refresh"]);
        assert_eq!(clone.status(), "", "{case}: after git refreshed the index");
    }
}
