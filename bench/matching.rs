//! Prints how `claims extract` matches claims across outlets on the labelled set in
//! tests/data/matching, with and without the embedding table:
//!
//!     cargo run --release --example matching
//!
//! `tuning` is the part the matcher's weights were chosen on; `test` was never used for that.

#[path = "matching_set.rs"]
mod matching_set;

use std::path::Path;

use claims::text::Embeddings;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/matching");
    let embeddings = match Embeddings::builtin() {
        Some(Ok(embeddings)) => Some(embeddings),
        Some(Err(error)) => panic!("{error}"),
        None => None,
    };
    println!(
        "part\tmatching\tshared claims matched\tpairs joined\twrong merges\tcross-event\tsentences\trecords"
    );
    for part in ["tuning", "test"] {
        for (name, table) in [("words", None), ("words+embeddings", embeddings)] {
            if name != "words" && table.is_none() {
                println!("{part}\t{name}\tno embedding table in this build");
                continue;
            }
            let f = matching_set::measure(&root.join(part), table);
            println!(
                "{part}\t{name}\t{} of {}\t{} of {}\t{}\t{}\t{}\t{}",
                f.matched,
                f.shared,
                f.pairs_joined,
                f.pairs,
                f.wrong_merges,
                f.cross_event,
                f.sentences,
                f.records
            );
        }
    }
}
