use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::Repo;

const CHROMIUM: &str = "/usr/bin/chromium";
const SCRIPT: &str = "<script>alert('owned')</script>";

/// A repository with a published claim, a disputed one and an open one, where every value a
/// person typed carries markup.
fn hostile_repo() -> Repo {
    let repo = Repo::new();
    repo.configure(&format!(
        "\n[organization]\nname = \"Verifica {SCRIPT}\"\nurl = \"https://verifica.example\"\n"
    ));
    let published = repo.add(&format!("Exports rose 12% in 2025 {SCRIPT}"));
    for (url, publisher) in [
        ("https://one.example/a", "One <b>Daily</b>"),
        ("https://two.example/b", "Two \"Times\""),
    ] {
        repo.ok(&[
            "source",
            "add",
            &published,
            "--url",
            url,
            "--publisher",
            publisher,
            "--excerpt",
            SCRIPT,
        ]);
    }
    repo.ok(&["mark", &published, "sourced", "--all-checked"]);
    repo.ok(&[
        "mark",
        &published,
        "corroborated",
        "--all-checked",
        "--note",
        SCRIPT,
    ]);
    repo.ok(&[
        "publish",
        &published,
        "--url",
        "https://verifica.example/2026/exports",
    ]);
    repo.disputed(
        &format!("The wall is 2,000 miles long {SCRIPT}"),
        "https://survey.example/wall?a=1&b=<2>",
    );
    repo.add("A claim still waiting for sources.");
    repo
}

fn html_report(repo: &Repo) -> (PathBuf, String) {
    let out = repo.ok(&["report", "--output", "report.html"]);
    assert_eq!(out, "wrote report.html (3 claims)\n");
    let path = repo.path().join("report.html");
    let html = std::fs::read_to_string(&path).unwrap();
    (path, html)
}

#[test]
fn markdown_report_has_counts_evidence_disputes_and_moves() {
    let repo = hostile_repo();
    let markdown = repo.sees(&["report"]);
    insta::assert_snapshot!(markdown, @r#"
    # Claims report: Verifica &lt;script&gt;alert('owned')&lt;/script&gt;

    Generated 2026-03-01 09:00 UTC from 3 claims.

    | State | Claims |
    |---|---:|
    | unverified | 1 |
    | sourced | 0 |
    | corroborated | 1 |
    | disputed | 1 |

    ## Published claims (1)

    ### Exports rose 12% in 2025 &lt;script&gt;alert('owned')&lt;/script&gt;

    `swixxu5xwc` · corroborated · 2 independent origins · [fact-check](https://verifica.example/2026/exports)

    - supports: [One &lt;b&gt;Daily&lt;/b&gt;](https://one.example/a) (origin: One &lt;b&gt;Daily&lt;/b&gt;): “&lt;script&gt;alert('owned')&lt;/script&gt;”
    - supports: [Two "Times"](https://two.example/b) (origin: Two "Times"): “&lt;script&gt;alert('owned')&lt;/script&gt;”

    ## Disputed claims (1)

    ### The wall is 2,000 miles long &lt;script&gt;alert('owned')&lt;/script&gt;

    `gib2j3iujn`

    - contradicted by [https://survey.example/wall?a=1&amp;b=&lt;2&gt;](https://survey.example/wall?a=1&amp;b=%3C2%3E) (origin: survey.example)

    ## Recently moved

    | When | Claim | Move | By | Note |
    |---|---|---|---|---|
    | 2026-03-01 09:00 UTC | `swixxu5xwc` Exports rose 12% in 2025 &lt;script&gt;alert('owned')&lt;/script&gt; | sourced → corroborated | Ana Ruiz &lt;ana@example.org&gt; | &lt;script&gt;alert('owned')&lt;/script&gt; |
    | 2026-03-01 09:00 UTC | `swixxu5xwc` Exports rose 12% in 2025 &lt;script&gt;alert('owned')&lt;/script&gt; | unverified → sourced | Ana Ruiz &lt;ana@example.org&gt; |  |
    | 2026-03-01 09:00 UTC | `gib2j3iujn` The wall is 2,000 miles long &lt;script&gt;alert('owned')&lt;/script&gt; | unverified → disputed | Ana Ruiz &lt;ana@example.org&gt; | The record says otherwise. |
    [exit status: 0]
    "#);
    // Every record value is escaped: the script in the hostile texts never gets through.
    assert!(!markdown.contains("<script"), "{markdown}");
}

#[test]
fn html_report_escapes_every_record_value_and_is_self_contained() {
    let repo = hostile_repo();
    let (_, html) = html_report(&repo);
    assert!(
        !html.contains("<script"),
        "a record value got through unescaped"
    );
    assert!(html.contains("One &lt;b&gt;Daily"), "{html}");
    assert!(
        html.contains("Exports rose 12% in 2025 &lt;script&gt;"),
        "{html}"
    );
    assert!(html.contains("Verifica &lt;script&gt;"));
    assert!(html.contains("Two &quot;Times&quot;"), "{html}");
    // No external assets: nothing loaded from elsewhere, no scripts at all.
    for needle in ["<link", " src=", "url(", "@import"] {
        assert!(!html.contains(needle), "{needle} in the page");
    }
    assert!(html.contains(r#"<meta name="viewport""#));
    assert!(html.contains("<svg "), "the chart is inline");
    // Replayed in commit order, though every commit here shares one second.
    for state in ["unverified 1", "sourced 0", "corroborated 1", "disputed 1"] {
        assert!(
            html.contains(&format!(">{state}</text>")),
            "chart legend lacks {state}"
        );
    }
}

#[test]
fn repository_templates_override_the_defaults_and_template_overrides_both() {
    let repo = hostile_repo();
    std::fs::create_dir_all(repo.path().join("templates")).unwrap();
    std::fs::write(
        repo.path().join("templates/report.md.j2"),
        "Total {{ total }}, published {{ published | length }}\n",
    )
    .unwrap();
    assert_eq!(repo.ok(&["report"]), "Total 3, published 1\n");
    std::fs::write(
        repo.path().join("desk.j2"),
        "{% for row in counts %}{{ row.state }}={{ row.count }} {% endfor %}\n",
    )
    .unwrap();
    assert_eq!(
        repo.ok(&["report", "--template", "desk.j2"]),
        "unverified=1 sourced=0 corroborated=1 disputed=1 "
    );
    // The HTML default still applies, and escapes, when only the Markdown one is overridden.
    let (_, html) = html_report(&repo);
    assert!(html.starts_with("<!DOCTYPE html>"));
}

#[test]
fn a_broken_template_exits_2_naming_the_file_and_line() {
    let repo = Repo::new();
    std::fs::write(
        repo.path().join("broken.j2"),
        "# Report\n\n{% for row in counts %}\n{{ row.state }\n",
    )
    .unwrap();
    insta::assert_snapshot!(repo.sees(&["report", "--template", "broken.j2"]), @"
    ------- stderr -------
    error: template broken.j2:4: syntax error: unexpected `}`, expected end of variable block
    hint: fix the template, or remove it to use the built-in one
    [exit status: 2]
    ");

    std::fs::write(repo.path().join("misspelt.j2"), "ok\n\n{{ totl }}\n").unwrap();
    insta::assert_snapshot!(repo.sees(&["report", "--template", "misspelt.j2"]), @"
    ------- stderr -------
    error: template misspelt.j2:3: undefined value: `totl` is undefined
    hint: fix the template, or remove it to use the built-in one
    [exit status: 2]
    ");

    insta::assert_snapshot!(repo.sees(&["report", "--template", "missing.j2"]), @"
    ------- stderr -------
    error: cannot read template missing.j2
    caused by: No such file or directory (os error 2)
    [exit status: 2]
    ");
}

#[test]
fn html_report_renders_in_headless_chromium() {
    if !Path::new(CHROMIUM).exists() {
        eprintln!("skipped: {CHROMIUM} is not installed (apt-get install chromium)");
        return;
    }
    let repo = hostile_repo();
    let (page, _) = html_report(&repo);
    let profile = tempfile::TempDir::new().unwrap();
    let screenshot = repo.path().join("report.png");
    let mut chromium = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=412,900",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg(url::Url::from_file_path(&page).unwrap().as_str())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while chromium.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(120) {
            let _ = chromium.kill();
            panic!("chromium did not finish the screenshot in 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let (width, height, ink) = inked_pixels(&screenshot);
    assert_eq!((width, height), (412, 900));
    // Text, the state cards and the chart cover far more than a blank page's nothing.
    let share = ink as f64 / (width * height) as f64;
    assert!(
        share > 0.05,
        "only {:.1}% of the page is not white",
        share * 100.0
    );
}

/// The screenshot's size and how many of its pixels are not (near) white.
fn inked_pixels(png_file: &Path) -> (usize, usize, usize) {
    let file = std::io::BufReader::new(std::fs::File::open(png_file).unwrap());
    let mut decoder = png::Decoder::new(file);
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut pixels).unwrap();
    let channels = frame.color_type.samples();
    let ink = pixels[..frame.buffer_size()]
        .chunks(channels)
        .filter(|pixel| pixel.iter().take(3).any(|&c| c < 230))
        .count();
    (frame.width as usize, frame.height as usize, ink)
}
