//! Matching on the labelled set of tests/data/matching: the figures `cargo run --example
//! matching` prints, held to a floor so that a change that loses matches or merges claims of
//! different events fails here.

#[path = "../../bench/matching_set.rs"]
mod matching_set;

use std::path::{Path, PathBuf};

use claims::text::Embeddings;

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

fn measure(part: &str, embeddings: Option<&'static Embeddings>) -> matching_set::Figures {
    let folder = data().join("matching").join(part);
    let figures = matching_set::measure(&folder, &[], embeddings);
    println!("{part}: {figures:#?}");
    figures
}

fn builtin_embeddings() -> &'static Embeddings {
    let Some(Ok(embeddings)) = Embeddings::builtin() else {
        panic!("this build has no working embedding table");
    };
    embeddings
}

#[test]
fn words_alone_match_across_outlets_and_never_across_events() {
    let tuning = measure("tuning", None);
    assert_eq!(tuning.shared, 41);
    assert!(tuning.matched >= 23, "{tuning:#?}");
    assert!(tuning.pairs_joined >= 33, "{tuning:#?}");
    assert_eq!(tuning.wrong_merges, 0, "{tuning:#?}");
    assert_eq!(tuning.cross_event, 0, "{tuning:#?}");
    let test = measure("test", None);
    assert_eq!(test.shared, 14);
    assert!(test.matched >= 9, "{test:#?}");
    assert!(test.pairs_joined >= 10, "{test:#?}");
    assert_eq!(test.wrong_merges, 0, "{test:#?}");
    assert_eq!(test.cross_event, 0, "{test:#?}");
}

#[test]
fn embeddings_keep_what_the_words_match_without_merging_events() {
    let embeddings = builtin_embeddings();
    let tuning = measure("tuning", Some(embeddings));
    assert!(tuning.matched >= 23, "{tuning:#?}");
    assert!(tuning.pairs_joined >= 33, "{tuning:#?}");
    assert_eq!(tuning.wrong_merges, 0, "{tuning:#?}");
    assert_eq!(tuning.cross_event, 0, "{tuning:#?}");
    let test = measure("test", Some(embeddings));
    assert!(test.matched >= 9, "{test:#?}");
    assert!(test.pairs_joined >= 10, "{test:#?}");
    assert_eq!(test.wrong_merges, 0, "{test:#?}");
    assert_eq!(test.cross_event, 0, "{test:#?}");
}

/// Beside 62 single outlets' articles on other stories, sentences of different stories seldom
/// join, and tuning's matches stay.
#[test]
fn beside_unrelated_articles_few_sentences_of_different_stories_join() {
    let background = matching_set::background(&data());
    assert_eq!(background.len(), 62);
    let figures = matching_set::measure(&data().join("matching/tuning"), &background, None);
    println!("tuning + background: {figures:#?}");
    assert!(figures.matched >= 23, "{figures:#?}");
    assert_eq!(figures.wrong_merges, 0, "{figures:#?}");
    assert!(figures.cross_event <= 13, "{figures:#?}");
}
