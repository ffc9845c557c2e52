//! Text processing behind `claims extract`: splitting news copy into
//! classified sentences, finding who a sentence credits and who made the
//! claim, and matching claims across outlets through an index.
//!
//! The intended flow for one document: [`sentences`] gives every sentence
//! with its line and [`SentenceKind`]; only statements (and, if wanted,
//! headlines) are candidate claims. For each, [`attribution`] gives the
//! default origin of its evidence and [`claimant_with_context`] (fed the
//! previous sentence's claimant) who made it. [`Fingerprint::of`] reduces it
//! for matching; [`ClaimIndex::find`] says whether it is an appearance of a
//! known claim ([`Match::Same`]), a variant with different figures
//! ([`Match::Related`]) or new. Inserting every appearance's fingerprint
//! under its claim's key lets later wordings match any earlier one.
//!
//! Everything here is pure: no file, network or repository access. The word lists the rules
//! read are data files under `words/`, one folder per module, built into the binary.

/// A word list of `words/`, one entry a line, as a constant slice: split when the crate is
/// compiled, so that looking a word up costs what it did when the lists were written inline.
macro_rules! word_list {
    ($path:literal) => {{
        const TEXT: &str = include_str!(concat!("words/", $path));
        const LIST: [&str; $crate::text::line_count(TEXT)] = $crate::text::lines(TEXT);
        &LIST
    }};
}

/// How many lines `text` has, as [`str::lines`] counts them.
const fn line_count(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut count = 0;
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'\n' || at + 1 == bytes.len() {
            count += 1;
        }
        at += 1;
    }
    count
}

/// The `N` lines of `text` without their line ends, as [`str::lines`] gives them.
const fn lines<const N: usize>(text: &'static str) -> [&'static str; N] {
    let mut out = [""; N];
    let mut rest = text.as_bytes();
    let mut index = 0;
    while index < N {
        let mut end = 0;
        while end < rest.len() && rest[end] != b'\n' {
            end += 1;
        }
        let (mut line, after) = rest.split_at(end);
        if let [head @ .., b'\r'] = line {
            line = head;
        }
        out[index] = match std::str::from_utf8(line) {
            Ok(line) => line,
            Err(_) => panic!("a word list is not UTF-8"),
        };
        rest = match after {
            [_, tail @ ..] => tail,
            [] => after,
        };
        index += 1;
    }
    out
}

mod attribution;
pub mod checkworthiness;
mod embedding;
mod figures;
mod fingerprint;
mod matching;
mod quotes;
mod sentences;
mod standalone;
mod tokens;

pub use attribution::{
    Turn, attribution, claimant, claimant_with_context, fullest_name, sole_person, speaker_turn,
};
pub use embedding::{EMBEDDING_MODEL, EmbeddingError, Embeddings, SentenceVector};
pub use figures::{Figure, Qualifier, Unit, figure_difference};
pub use fingerprint::Fingerprint;
pub use matching::{ClaimIndex, Judgement, Match, Ranking, Verdict};
pub use sentences::{Sentence, SentenceKind, sentences};
pub use standalone::{name_speaker, name_subject, opens_with_personal_pronoun, standalone};

#[cfg(test)]
mod tests {
    use super::*;

    /// Pieces of news copy that have tripped up parsers, for building documents: quotes,
    /// dashes, abbreviations, figures, handles, bylines, multi-byte and control characters.
    pub(super) const PIECES: &[&str] = &[
        "U.S.",
        "Mr.",
        " ",
        "\n",
        "\n\n",
        "“",
        "”",
        "‘",
        "’",
        "\"",
        "'",
        ".",
        "?",
        "!",
        "…",
        "—",
        "-",
        "(",
        ")",
        "(@x)",
        "March 3, 2025",
        "pic.twitter.com/a",
        "$1.5",
        "bn",
        "%",
        "per cent",
        "55",
        "more than",
        "between",
        "and",
        "50",
        "Trump",
        "said",
        "according to",
        "NBC News",
        "told",
        "the",
        "é",
        "\u{0}",
        "\u{1b}",
        "\r",
        "\u{feff}",
        "Photo:",
        "©",
        "MEXICO CITY (AP) —",
        "date 2025-11-03",
        "he",
        "officials",
        ",",
        ":",
        "No.",
        "2.8",
        "Jan.",
        "1.",
        "\r\n",
        "By Jane Doe",
        "Read more",
        "Officials",
        "\u{2028}",
        "\u{85}",
        "a",
        "The",
        "word",
    ];

    /// A deterministic pseudo-random document built from `PIECES`.
    fn document(seed: u64, pieces: usize) -> String {
        let mut state = seed;
        (0..pieces)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                PIECES[usize::try_from(state >> 33).unwrap_or(0) % PIECES.len()]
            })
            .collect()
    }

    #[test]
    fn word_lists_split_as_str_lines_does() {
        macro_rules! same_as_str_lines {
            ($($text:literal),*) => {$({
                const LIST: [&str; line_count($text)] = lines($text);
                assert_eq!(LIST, *$text.lines().collect::<Vec<_>>(), "{:?}", $text);
            })*};
        }
        same_as_str_lines!(
            "",
            "a",
            "a\n",
            "\n",
            "a\n\nb",
            "a\r\nb\r\n",
            "é\n税\n",
            "\n\n"
        );
    }

    #[test]
    fn arbitrary_input_never_panics() {
        let mut index = ClaimIndex::new();
        for seed in 0..300 {
            let text = document(seed, 60);
            let mut previous = None;
            for sentence in sentences(&text) {
                assert!(!sentence.text.is_empty());
                assert!(sentence.line >= 1);
                let _ = attribution(&sentence.text);
                previous = claimant_with_context(&sentence.text, previous.as_deref());
                let _ = index.find(&sentence.text);
                index.insert(seed, &sentence.text);
            }
            let _ = figure_difference(&text, &document(seed + 1, 20));
        }
    }

    #[test]
    fn a_single_huge_line_is_handled() {
        let line = "Officials told NBC News that 55 U.S. troops, “about 2.8% more,” were sent. "
            .repeat(5_000);
        assert_eq!(sentences(&line).len(), 5_000);
        let _ = attribution(&line);
        let _ = claimant(&line);
        assert_eq!(Fingerprint::of(&line).figures().len(), 10_000);
        let mut index = ClaimIndex::new();
        index.insert(0, &line);
        assert_eq!(index.find(&line), Match::Same(0));
        let other = line.replace("55", "56");
        assert!(matches!(index.find(&other), Match::Related { .. }));
    }

    #[test]
    fn line_numbers_stay_within_the_document() {
        for seed in 0..100 {
            let text = document(seed, 80);
            let lines = text.lines().count().max(1);
            for sentence in sentences(&text) {
                assert!(sentence.line <= lines, "{sentence:?} in {text:?}");
            }
        }
    }
}
