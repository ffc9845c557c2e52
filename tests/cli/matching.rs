//! Matching on the labelled set of tests/data/matching: the figures `cargo run --example
//! matching` prints, held to a floor so that a change that loses matches or merges claims of
//! different events fails here.

#[path = "../../bench/matching_set.rs"]
mod matching_set;

use std::path::Path;

use claims::text::Embeddings;

fn measure(embeddings: Option<&'static Embeddings>) -> matching_set::Figures {
    let test = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/matching/test");
    let figures = matching_set::measure(&test, embeddings);
    println!("{figures:?}");
    figures
}

#[test]
fn words_alone_match_across_outlets_and_never_across_events() {
    let figures = measure(None);
    assert_eq!(figures.shared, 16);
    assert!(figures.matched >= 5, "{figures:?}");
    assert!(figures.wrong_merges <= 1, "{figures:?}");
    assert_eq!(figures.cross_event, 0, "{figures:?}");
}

#[test]
fn embeddings_add_matches_without_merging_events() {
    let Some(Ok(embeddings)) = Embeddings::builtin() else {
        panic!("this build has no working embedding table");
    };
    let figures = measure(Some(embeddings));
    assert!(figures.matched >= 6, "{figures:?}");
    assert!(figures.wrong_merges <= 1, "{figures:?}");
    assert_eq!(figures.cross_event, 0, "{figures:?}");
}
