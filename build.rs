//! Builds the embedding table into the binary when the repository has one: without it (a copy
//! that left the file out), `claims extract` matches on words alone and says so.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(embedding_table)");
    println!("cargo::rerun-if-changed=models/embeddings.bin");
    if std::path::Path::new("models/embeddings.bin").is_file() {
        println!("cargo::rustc-cfg=embedding_table");
    }
}
