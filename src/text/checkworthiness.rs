//! Check-worthiness scoring of single sentences.
//!
//! A logistic-regression model over hashed sparse features (word uni- and bi-grams, character
//! n-grams and a few hand-written cues such as numbers, money and first-person openers). It is
//! trained on the ClaimBuster debate sentences (Arslan, Hassan, Li and Tremayne, ICWSM 2020,
//! CC BY 4.0) and scores well over 50,000 sentences per second on one core.
//!
//! This module loads and scores models, and gives training what it must share with scoring:
//! the features ([`Features`]), the link ([`sigmoid`]) and the stored form of the weights
//! ([`Model::from_weights`]). Reading the labelled data and fitting are the training
//! command's (`examples/train_checkworthiness`).

use std::ops::RangeInclusive;
use std::sync::{LazyLock, OnceLock};

use super::tokens::{Tokenizer, never};
use crate::text::Embeddings;

mod head;
pub use head::{Head, inputs as head_inputs, sha256};

/// Magic bytes opening every serialised model.
const MAGIC: &[u8; 4] = b"CWM\0";
/// Bumped whenever the feature extraction or the file layout changes. Version 1 held one
/// threshold, read as the threshold of both genres.
const FORMAT_VERSION: u32 = 2;
/// Header: magic, version, hash bits, bias, weight scale, the article threshold, and from
/// version 2 the transcript threshold.
const fn header_len(version: u32) -> usize {
    4 + 4 + 4 + 4 + 4 + 4 + if version >= 2 { 4 } else { 0 }
}
/// Trailer: FNV-1a checksum of everything before it.
const CHECKSUM_LEN: usize = 8;
/// Hash-table sizes the format accepts; keeps a corrupt header from asking for huge tables.
pub const HASH_BITS: RangeInclusive<u32> = 10..=24;
/// Longer inputs are scored on their first bytes only, so one huge "sentence" costs bounded time.
const MAX_SENTENCE_BYTES: usize = 4096;

static BUILTIN: OnceLock<Model> = OnceLock::new();
static BUILTIN_BYTES: &[u8] = include_bytes!("../../models/checkworthiness.bin");
/// SHA-256 of `models/checkworthiness.bin` as the training command wrote it, so a model file
/// swapped without its figures and tests (by a merge, say) is caught at load.
const BUILTIN_SHA256: &str = "b503924d987a34b55f792a7208bef0801947dd4bf961f26d5c5089eab7f81477";
static BUILTIN_HEAD: OnceLock<Result<Head, ModelError>> = OnceLock::new();
static BUILTIN_HEAD_BYTES: &[u8] = include_bytes!("../../models/checkworthiness-head.bin");
/// SHA-256 of `models/checkworthiness-head.bin` as the training command wrote it.
const BUILTIN_HEAD_SHA256: &str =
    "2f8402418b47651519d345e8d8275ffc7ae330e9dfa91cf9cee9eaebd0dcfd2f";

/// Errors from building or (de)serialising a model.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("not a check-worthiness model (bad magic bytes)")]
    BadMagic,
    #[error("unsupported check-worthiness model format version {0}")]
    UnsupportedVersion(u32),
    #[error("invalid check-worthiness model header: {0}")]
    InvalidHeader(&'static str),
    #[error("check-worthiness model has {found} bytes, expected {expected} (truncated file?)")]
    WrongLength { expected: usize, found: usize },
    #[error("a check-worthiness model of {expected} weights was given {found}")]
    WrongWeightCount { expected: usize, found: usize },
    #[error("check-worthiness model checksum mismatch (corrupt file)")]
    ChecksumMismatch,
    #[error("the embedded {what} has SHA-256 {found}, not the pinned {expected}")]
    NotPinned {
        what: &'static str,
        expected: &'static str,
        found: String,
    },
    #[error("the check-worthiness head was trained with another {0}")]
    NotTrainedWith(&'static str),
}

/// What kind of text a sentence is read from. Transcripts of debates, speeches and interviews
/// state claims more often than news copy, whose narrative sentences and quoted vows and
/// forecasts are no claims to check, so each kind has its own decision threshold, chosen at
/// training time on out-of-fold scores of its own kind of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Genre {
    /// News copy: reports, features, explainers
    #[default]
    Article,
    /// What people said, turn by turn: debates, speeches, interviews, hearings
    Transcript,
}

impl Genre {
    /// How `claims extract` and `claims score` name it.
    pub fn name(self) -> &'static str {
        match self {
            Genre::Article => "article",
            Genre::Transcript => "transcript",
        }
    }
}

/// A model's decision threshold for each [`Genre`]: scores at or above it are check-worthy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    article: f32,
    transcript: f32,
}

impl Thresholds {
    /// Where a model decides until its thresholds are chosen.
    pub const UNCHOSEN: Thresholds = Thresholds {
        article: 0.5,
        transcript: 0.5,
    };

    pub fn new(article: f32, transcript: f32) -> Result<Thresholds, ModelError> {
        if [article, transcript]
            .iter()
            .all(|threshold| (0.0..=1.0).contains(threshold))
        {
            Ok(Thresholds {
                article,
                transcript,
            })
        } else {
            Err(ModelError::InvalidHeader("threshold outside 0..=1"))
        }
    }

    /// The same threshold for both genres.
    pub fn both(threshold: f32) -> Result<Thresholds, ModelError> {
        Thresholds::new(threshold, threshold)
    }

    pub fn of(&self, genre: Genre) -> f32 {
        match genre {
            Genre::Article => self.article,
            Genre::Transcript => self.transcript,
        }
    }

    /// Reads the thresholds a header of `version` stores at `at`: one in version 1, two after.
    fn read(bytes: &[u8], at: usize, version: u32) -> Result<Thresholds, ModelError> {
        let word = |at: usize| {
            f32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        let article = word(at);
        let transcript = if version >= 2 { word(at + 4) } else { article };
        Thresholds::new(article, transcript)
    }

    fn write(&self, bytes: &mut Vec<u8>) {
        bytes.extend_from_slice(&self.article.to_le_bytes());
        bytes.extend_from_slice(&self.transcript.to_le_bytes());
    }
}

/// What scores sentences: the stacked model (the n-gram model, then a head reading its logit
/// and the sentence's embedding) when the head and the embedding table it was trained with
/// are both there, the n-gram model alone otherwise.
#[derive(Debug, Clone, Copy)]
pub enum Scorer<'a> {
    Stacked {
        ngrams: &'a Model,
        head: &'a Head,
        embeddings: &'a Embeddings,
    },
    NGrams(&'a Model),
}

impl Scorer<'static> {
    /// The scorer built into the tool and, when it fell back to the n-gram model alone, a
    /// one-line notice saying why.
    pub fn builtin() -> (Scorer<'static>, Option<String>) {
        let ngrams = Model::builtin();
        let fallback = |why: String| {
            (
                Scorer::NGrams(ngrams),
                Some(format!("{why}; scoring check-worthiness on n-grams alone")),
            )
        };
        let head = BUILTIN_HEAD.get_or_init(|| {
            check_pinned(
                BUILTIN_HEAD_BYTES,
                BUILTIN_HEAD_SHA256,
                "check-worthiness head",
            )
            .and_then(|()| Head::from_bytes(BUILTIN_HEAD_BYTES))
        });
        let head = match head {
            Ok(head) => head,
            Err(error) => return fallback(error.to_string()),
        };
        let embeddings = match Embeddings::builtin() {
            Some(Ok(embeddings)) => embeddings,
            Some(Err(error)) => return fallback(error.to_string()),
            None => return fallback("no embedding table in this build".to_string()),
        };
        match Scorer::stacked(ngrams, head, embeddings) {
            Ok(scorer) => (scorer, None),
            Err(error) => fallback(error.to_string()),
        }
    }
}

impl<'a> Scorer<'a> {
    /// The stacked scorer, refused when the head was trained over another n-gram model or
    /// another embedding table.
    pub fn stacked(
        ngrams: &'a Model,
        head: &'a Head,
        embeddings: &'a Embeddings,
    ) -> Result<Scorer<'a>, ModelError> {
        if head.ngrams_sha256() != &sha256(&ngrams.to_bytes()) {
            return Err(ModelError::NotTrainedWith("n-gram model"));
        }
        if head.embeddings_sha256() != embeddings.sha256() {
            return Err(ModelError::NotTrainedWith("embedding table"));
        }
        Ok(Scorer::Stacked {
            ngrams,
            head,
            embeddings,
        })
    }

    /// Probability-like check-worthiness of one sentence, in `0.0..=1.0`.
    pub fn score(&self, sentence: &str) -> f32 {
        match self {
            Scorer::Stacked {
                ngrams,
                head,
                embeddings,
            } => {
                let sentence = truncate(sentence, MAX_SENTENCE_BYTES);
                head.score(&head_inputs(
                    ngrams.score(sentence),
                    &embeddings.embed(sentence),
                ))
            }
            Scorer::NGrams(model) => model.score(sentence),
        }
    }

    /// Scores at or above these are check-worthy; chosen on out-of-fold training scores.
    pub fn thresholds(&self) -> Thresholds {
        match self {
            Scorer::Stacked { head, .. } => head.thresholds(),
            Scorer::NGrams(model) => model.thresholds(),
        }
    }

    /// Whether the sentence, read from text of `genre`, scores at or above its threshold.
    pub fn is_check_worthy(&self, sentence: &str, genre: Genre) -> bool {
        self.score(sentence) >= self.thresholds().of(genre)
    }

    /// The model's name, as `claims extract` reports it.
    pub fn name(&self) -> &'static str {
        match self {
            Scorer::Stacked { .. } => "n-grams and embeddings, stacked",
            Scorer::NGrams(_) => "n-grams",
        }
    }
}

/// Checks that `bytes` have the SHA-256 `expected` (lower-case hex).
fn check_pinned(
    bytes: &[u8],
    expected: &'static str,
    what: &'static str,
) -> Result<(), ModelError> {
    let found: String = sha256(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    if found == expected {
        Ok(())
    } else {
        Err(ModelError::NotPinned {
            what,
            expected,
            found,
        })
    }
}

#[derive(Clone, PartialEq)]
pub struct Model {
    hash_bits: u32,
    bias: f32,
    /// Weights are stored as `i16` times `weight_scale`, halving the file and memory size.
    weight_scale: f32,
    thresholds: Thresholds,
    weights: Vec<i16>,
}

/// Summarises instead of listing a million weights.
impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("hash_bits", &self.hash_bits)
            .field("bias", &self.bias)
            .field("weight_scale", &self.weight_scale)
            .field("thresholds", &self.thresholds)
            .field(
                "nonzero_weights",
                &self.weights.iter().filter(|&&w| w != 0).count(),
            )
            .finish()
    }
}

impl Model {
    /// The model shipped with the tool.
    pub fn builtin() -> &'static Model {
        BUILTIN.get_or_init(|| {
            Model::from_pinned_bytes(BUILTIN_BYTES, BUILTIN_SHA256)
                .expect("the embedded check-worthiness model is valid")
        })
    }

    /// Parses a model whose SHA-256 must be `sha256` (lower-case hex).
    fn from_pinned_bytes(bytes: &[u8], sha256: &'static str) -> Result<Model, ModelError> {
        check_pinned(bytes, sha256, "check-worthiness model")?;
        Model::from_bytes(bytes)
    }

    /// Parses a model written by [`Model::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, ModelError> {
        let version = check_preamble(bytes, MAGIC, FORMAT_VERSION, header_len)?;
        let header_len = header_len(version);
        let word = |at: usize| [bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]];
        let hash_bits = u32::from_le_bytes(word(8));
        if !HASH_BITS.contains(&hash_bits) {
            return Err(ModelError::InvalidHeader("hash size out of range"));
        }
        let bias = f32::from_le_bytes(word(12));
        let weight_scale = f32::from_le_bytes(word(16));
        if !bias.is_finite() || !weight_scale.is_finite() || weight_scale < 0.0 {
            return Err(ModelError::InvalidHeader("non-finite bias or weight scale"));
        }
        let thresholds = Thresholds::read(bytes, 20, version)?;
        let dim = 1usize << hash_bits;
        let body = checked_body(bytes, header_len + 2 * dim)?;
        let weights = body[header_len..]
            .chunks_exact(2)
            .map(|pair| i16::from_le_bytes([pair[0], pair[1]]))
            .collect();
        Ok(Model {
            hash_bits,
            bias,
            weight_scale,
            thresholds,
            weights,
        })
    }

    /// Serialises the model (little-endian, with a checksum), in the current format.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes =
            Vec::with_capacity(header_len(FORMAT_VERSION) + 2 * self.weights.len() + CHECKSUM_LEN);
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        bytes.extend_from_slice(&self.hash_bits.to_le_bytes());
        bytes.extend_from_slice(&self.bias.to_le_bytes());
        bytes.extend_from_slice(&self.weight_scale.to_le_bytes());
        self.thresholds.write(&mut bytes);
        for weight in &self.weights {
            bytes.extend_from_slice(&weight.to_le_bytes());
        }
        let checksum = fnv1a(&bytes);
        bytes.extend_from_slice(&checksum.to_le_bytes());
        bytes
    }

    /// A model of `2^hash_bits` trained weights and a bias, with the threshold 0.5 until they
    /// are chosen. The weights are stored as `i16` times one scale, the largest mapping to
    /// `i16::MAX`.
    pub fn from_weights(hash_bits: u32, bias: f32, weights: &[f32]) -> Result<Model, ModelError> {
        if !HASH_BITS.contains(&hash_bits) {
            return Err(ModelError::InvalidHeader("hash size out of range"));
        }
        if weights.len() != 1 << hash_bits {
            return Err(ModelError::WrongWeightCount {
                expected: 1 << hash_bits,
                found: weights.len(),
            });
        }
        let largest = weights.iter().fold(0f32, |max, w| max.max(w.abs()));
        let weight_scale = if largest > 0.0 {
            largest / f32::from(i16::MAX)
        } else {
            1.0
        };
        Ok(Model {
            hash_bits,
            bias,
            weight_scale,
            thresholds: Thresholds::UNCHOSEN,
            weights: weights
                .iter()
                .map(|w| (w / weight_scale).round() as i16)
                .collect(),
        })
    }

    /// The same model deciding at `thresholds`.
    pub fn with_thresholds(self, thresholds: Thresholds) -> Model {
        Model { thresholds, ..self }
    }

    /// Probability-like check-worthiness of one sentence, in `0.0..=1.0`.
    pub fn score(&self, sentence: &str) -> f32 {
        let features = Features::of(sentence, self.hash_bits);
        let total: i64 = features
            .indices
            .iter()
            .map(|&index| i64::from(self.weights[index as usize]))
            .sum();
        sigmoid(self.bias + self.weight_scale * features.value * total as f32)
    }

    /// Scores at or above these are check-worthy; chosen on out-of-fold training scores.
    pub fn thresholds(&self) -> Thresholds {
        self.thresholds
    }
}
/// The hashed features of one sentence: the weights it touches, with repeats, each taken with
/// the same value, so that sentence vectors have about unit norm (exactly, when no feature
/// repeats) and long sentences do not dominate training.
pub struct Features {
    pub indices: Vec<u32>,
    pub value: f32,
}

impl Features {
    /// The features of `sentence` in a table of `2^hash_bits` weights.
    pub fn of(sentence: &str, hash_bits: u32) -> Features {
        let mut indices = Vec::new();
        extract_features(sentence, hash_bits, &mut indices);
        let value = if indices.is_empty() {
            0.0
        } else {
            1.0 / (indices.len() as f32).sqrt()
        };
        Features { indices, value }
    }
}

/// The logistic link from a linear score to the model's probability; training fits the
/// weights through the same function.
pub fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

/// Feature families, mixed into each hash so equal strings in different families differ.
#[derive(Clone, Copy)]
#[repr(u64)]
enum Family {
    Word = 1,
    WordBigram = 2,
    CharGram = 3,
    Cue = 4,
    WordShape = 5,
    BackoffBigram = 6,
}

/// A token of the sentence: lower-cased text plus what its original spelling tells.
struct Term {
    lower: String,
    capitalised: bool,
    has_digit: bool,
}

/// Words are letters and digits, with inner apostrophes and digit separators ("I'd", "3.5",
/// "1,000"); every other character but whitespace and control characters is a token alone.
const TOKENIZER: Tokenizer = Tokenizer {
    separates: char::is_control,
    opens: never,
    closes: never,
    joins: |before, inner, after| match inner {
        '\'' | '\u{2019}' => before.is_alphanumeric() && after.is_alphanumeric(),
        '.' | ',' => before.is_ascii_digit() && after.is_ascii_digit(),
        _ => false,
    },
};

fn tokenize(sentence: &str) -> Vec<Term> {
    let mut terms = Vec::new();
    TOKENIZER.each_token(sentence, |token| {
        terms.push(if token.is_word {
            Term {
                lower: token
                    .text
                    .chars()
                    .flat_map(char::to_lowercase)
                    .map(|c| if c == '\u{2019}' { '\'' } else { c })
                    .collect(),
                capitalised: token.text.starts_with(char::is_uppercase),
                has_digit: token.text.chars().any(|c| c.is_ascii_digit()),
            }
        } else {
            Term {
                lower: token.text.to_lowercase(),
                capitalised: false,
                has_digit: false,
            }
        });
    });
    terms
}

/// Words that mark quantities and checkable statistics.
const QUANTITY_WORDS: &[&str] = word_list!("checkworthiness/quantity-words.txt");
/// Comparisons and changes over time, typical of statistical claims.
const COMPARATIVE_WORDS: &[&str] = word_list!("checkworthiness/comparative-words.txt");
/// Openers of opinions, promises and courtesies, which are rarely check-worthy.
/// One opener a line, its words separated by a space.
static OPINION_OPENERS: LazyLock<Vec<Vec<&str>>> = LazyLock::new(|| {
    include_str!("words/checkworthiness/opinion-openers.txt")
        .lines()
        .map(|line| line.split(' ').collect())
        .collect()
});

/// Appends the hashed feature indices of `sentence` (with repeats) to `out`.
fn extract_features(sentence: &str, hash_bits: u32, out: &mut Vec<u32>) {
    let sentence = truncate(sentence, MAX_SENTENCE_BYTES);
    let tokens = tokenize(sentence);
    let index = |hash: u64| (mix(hash) >> (64 - hash_bits)) as u32;
    let family_hash = |family: Family, text: &str| fnv1a_from(family as u64, text.as_bytes());

    let mut previous = family_hash(Family::Word, "<s>");
    for token in &tokens {
        let word = family_hash(Family::Word, &token.lower);
        out.push(index(word));
        out.push(index(combine(Family::WordBigram, previous, word)));
        if token.has_digit {
            let shape: String = token
                .lower
                .chars()
                .map(|c| if c.is_ascii_digit() { '0' } else { c })
                .collect();
            out.push(index(family_hash(Family::WordShape, &shape)));
        }
        previous = word;
    }
    out.push(index(combine(
        Family::WordBigram,
        previous,
        family_hash(Family::Word, "</s>"),
    )));

    // Bigrams with numbers and inner capitalised words (names, mostly) backed off to classes.
    let backoff: Vec<u64> = std::iter::once(family_hash(Family::Word, "<s>"))
        .chain(tokens.iter().enumerate().map(|(position, token)| {
            if token.has_digit {
                family_hash(Family::Word, "<num>")
            } else if token.capitalised && position > 0 {
                family_hash(Family::Word, "<cap>")
            } else {
                family_hash(Family::Word, &token.lower)
            }
        }))
        .chain(std::iter::once(family_hash(Family::Word, "</s>")))
        .collect();
    for pair in backoff.windows(2) {
        out.push(index(combine(Family::BackoffBigram, pair[0], pair[1])));
    }

    // Character 3- to 5-grams over the lower-cased tokens, digits folded to 0.
    let mut text: Vec<char> = vec![' '];
    for token in &tokens {
        text.extend(
            token
                .lower
                .chars()
                .map(|c| if c.is_ascii_digit() { '0' } else { c }),
        );
        text.push(' ');
    }
    for start in 0..text.len() {
        let mut hash = Family::CharGram as u64 ^ FNV_OFFSET;
        for (length, &c) in text[start..].iter().take(5).enumerate() {
            hash = (hash ^ u64::from(c)).wrapping_mul(FNV_PRIME);
            if length >= 2 {
                out.push(index(hash));
            }
        }
    }

    for cue in cues(sentence, &tokens) {
        out.push(index(family_hash(Family::Cue, cue)));
    }
}

/// Hand-written signals that generalise beyond the exact words of the training data.
fn cues(sentence: &str, tokens: &[Term]) -> Vec<&'static str> {
    let mut cues = Vec::new();
    let is = |token: &Term, words: &[&str]| words.contains(&token.lower.as_str());
    if tokens.iter().any(|t| t.has_digit) {
        cues.push("number");
    }
    if sentence.contains('%') || tokens.iter().any(|t| t.lower == "percent") {
        cues.push("percent");
    }
    if sentence.contains('$') || tokens.iter().any(|t| t.lower.starts_with("dollar")) {
        cues.push("money");
    }
    if tokens.iter().any(|t| {
        t.lower.len() == 4
            && t.has_digit
            && (t.lower.starts_with("19") || t.lower.starts_with("20"))
    }) {
        cues.push("year");
    }
    if tokens.iter().any(|t| is(t, QUANTITY_WORDS)) {
        cues.push("quantity-word");
    }
    if tokens.iter().any(|t| is(t, COMPARATIVE_WORDS)) {
        cues.push("comparative");
    }
    let words: Vec<&str> = tokens.iter().map(|t| t.lower.as_str()).collect();
    if OPINION_OPENERS
        .iter()
        .any(|opener| words.starts_with(opener))
    {
        cues.push("opinion-opener");
    }
    if words.last() == Some(&"?") {
        cues.push("question");
    }
    let capitalised_inside = tokens.iter().skip(1).filter(|t| t.capitalised).count();
    cues.push(match capitalised_inside {
        0 => "capitalised-0",
        1 => "capitalised-1",
        2 | 3 => "capitalised-2-3",
        _ => "capitalised-4+",
    });
    let word_count = tokens
        .iter()
        .filter(|t| t.lower.chars().any(char::is_alphanumeric))
        .count();
    cues.push(match word_count {
        0..=3 => "length-0-3",
        4..=7 => "length-4-7",
        8..=12 => "length-8-12",
        13..=20 => "length-13-20",
        21..=35 => "length-21-35",
        _ => "length-36+",
    });
    cues
}

/// The longest prefix of at most `max` bytes that ends on a character boundary.
fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Checks what every model file of this module starts with: its magic, a format version from
/// 1 to `latest`, and room for the header of that version (`header_len`) and the checksum.
/// Returns the version.
fn check_preamble(
    bytes: &[u8],
    magic: &[u8; 4],
    latest: u32,
    header_len: fn(u32) -> usize,
) -> Result<u32, ModelError> {
    let too_short = |version: u32| ModelError::WrongLength {
        expected: header_len(version) + CHECKSUM_LEN,
        found: bytes.len(),
    };
    if bytes.len() < 8 {
        return Err(too_short(latest));
    }
    if &bytes[..4] != magic {
        return Err(ModelError::BadMagic);
    }
    let version = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
    if !(1..=latest).contains(&version) {
        return Err(ModelError::UnsupportedVersion(version));
    }
    if bytes.len() < header_len(version) + CHECKSUM_LEN {
        return Err(too_short(version));
    }
    Ok(version)
}

/// The file without its checksum, when it is `body_len` bytes and the checksum that follows
/// them matches.
fn checked_body(bytes: &[u8], body_len: usize) -> Result<&[u8], ModelError> {
    let expected = body_len + CHECKSUM_LEN;
    if bytes.len() != expected {
        return Err(ModelError::WrongLength {
            expected,
            found: bytes.len(),
        });
    }
    let (body, checksum) = bytes.split_at(body_len);
    if fnv1a(body).to_le_bytes() != checksum {
        return Err(ModelError::ChecksumMismatch);
    }
    Ok(body)
}

fn fnv1a(bytes: &[u8]) -> u64 {
    fnv1a_from(0, bytes)
}

fn fnv1a_from(seed: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(FNV_OFFSET ^ seed, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(FNV_PRIME)
    })
}

fn combine(family: Family, left: u64, right: u64) -> u64 {
    mix(left ^ (family as u64).rotate_left(32)).wrapping_add(right.rotate_left(17))
}

/// SplitMix64 finaliser: spreads FNV's weak high bits before taking the top `hash_bits`.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A small model of fixed, varied weights: the file format does not care how they came.
    fn small_model() -> Model {
        let weights: Vec<f32> = (0..1 << 12)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 25.0)
            .collect();
        Model::from_weights(12, -0.25, &weights)
            .expect("a valid model")
            .with_thresholds(Thresholds::new(0.4, 0.3).expect("valid thresholds"))
    }

    /// `body` with its checksum after it.
    pub fn checksummed(body: &[u8]) -> Vec<u8> {
        let mut bytes = body.to_vec();
        bytes.extend_from_slice(&fnv1a(body).to_le_bytes());
        bytes
    }

    /// A version 2 file written as version 1 would have been: the transcript threshold, the
    /// word after the article threshold at `at`, left out.
    pub fn as_version_1(bytes: &[u8], at: usize) -> Vec<u8> {
        let mut body = bytes[..bytes.len() - CHECKSUM_LEN].to_vec();
        body[4..8].copy_from_slice(&1u32.to_le_bytes());
        body.drain(at + 4..at + 8);
        checksummed(&body)
    }

    #[test]
    fn tokenizer_keeps_numbers_contractions_and_symbols_whole() {
        let tokens: Vec<String> = tokenize("I'd say 3.5% of $1,000 in 1990.")
            .into_iter()
            .map(|token| token.lower)
            .collect();
        assert_eq!(
            tokens,
            [
                "i'd", "say", "3.5", "%", "of", "$", "1,000", "in", "1990", "."
            ]
        );
    }

    #[test]
    fn cues_spot_numbers_money_years_and_opinions() {
        let sentence = "We spent $4 billion in 1996, more than Texas and Ohio.";
        let found = cues(sentence, &tokenize(sentence));
        for cue in [
            "number",
            "money",
            "year",
            "quantity-word",
            "comparative",
            "capitalised-2-3",
        ] {
            assert!(found.contains(&cue), "{cue} missing from {found:?}");
        }
        let opinion = "I think that's right?";
        let found = cues(opinion, &tokenize(opinion));
        assert!(found.contains(&"opinion-opener") && found.contains(&"question"));
        assert!(!found.contains(&"number"));
    }

    #[test]
    fn features_are_deterministic_and_in_range() {
        let mut first = Vec::new();
        let mut second = Vec::new();
        extract_features("Taxes went up 12 percent.", 12, &mut first);
        extract_features("Taxes went up 12 percent.", 12, &mut second);
        assert_eq!(first, second);
        assert!(!first.is_empty());
        assert!(first.iter().all(|&index| index < 1 << 12));
    }

    #[test]
    fn bytes_round_trip() {
        let model = small_model();
        let bytes = model.to_bytes();
        let parsed = Model::from_bytes(&bytes).expect("valid model");
        assert_eq!(parsed, model);
        assert_eq!(parsed.to_bytes(), bytes);
        assert_eq!(parsed.thresholds().of(Genre::Article), 0.4);
        assert_eq!(parsed.thresholds().of(Genre::Transcript), 0.3);
    }

    #[test]
    fn a_version_1_model_decides_at_its_one_threshold_for_both_genres() {
        let bytes = as_version_1(&small_model().to_bytes(), 20);
        assert_eq!(bytes.len(), header_len(1) + 2 * (1 << 12) + CHECKSUM_LEN);
        let parsed = Model::from_bytes(&bytes).expect("a version 1 model");
        assert_eq!(parsed.thresholds(), Thresholds::both(0.4).unwrap());
        assert_eq!(parsed.weights, small_model().weights);
        assert_eq!(parsed.to_bytes()[4], 2);
    }

    #[test]
    fn thresholds_outside_0_to_1_are_refused() {
        assert!(matches!(
            Thresholds::new(0.4, 1.5),
            Err(ModelError::InvalidHeader(_))
        ));
        assert!(matches!(
            Thresholds::both(-0.1),
            Err(ModelError::InvalidHeader(_))
        ));
        let mut bytes = small_model().to_bytes();
        bytes[24..28].copy_from_slice(&f32::NAN.to_le_bytes());
        let bytes = checksummed(&bytes[..bytes.len() - CHECKSUM_LEN]);
        assert!(matches!(
            Model::from_bytes(&bytes),
            Err(ModelError::InvalidHeader("threshold outside 0..=1"))
        ));
    }

    #[test]
    fn corrupt_models_are_errors() {
        let bytes = small_model().to_bytes();
        assert!(matches!(
            Model::from_bytes(&[]),
            Err(ModelError::WrongLength { .. })
        ));
        assert!(matches!(
            Model::from_bytes(&bytes[..bytes.len() - 1]),
            Err(ModelError::WrongLength { .. })
        ));
        let mut flipped = bytes.clone();
        flipped[header_len(2) + 7] ^= 0x40;
        assert!(matches!(
            Model::from_bytes(&flipped),
            Err(ModelError::ChecksumMismatch)
        ));
        let mut wrong_magic = bytes.clone();
        wrong_magic[0] = b'X';
        assert!(matches!(
            Model::from_bytes(&wrong_magic),
            Err(ModelError::BadMagic)
        ));
        let mut huge_table = bytes;
        huge_table[8..12].copy_from_slice(&63u32.to_le_bytes());
        assert!(matches!(
            Model::from_bytes(&huge_table),
            Err(ModelError::InvalidHeader(_))
        ));
    }

    #[test]
    fn odd_inputs_score_in_range() {
        let model = Model::builtin();
        let huge = "The budget grew 7 percent. ".repeat(100_000);
        for sentence in [
            "",
            " ",
            "\0\u{7}\r\n\t",
            "Ünïcödé 税金 は 5 % 上がった — ¿verdad?",
            "'''...,,,$$$%%%",
            "\u{2019}s",
            huge.as_str(),
        ] {
            let score = model.score(sentence);
            assert!((0.0..=1.0).contains(&score), "{score} for {sentence:?}");
        }
    }

    #[test]
    fn builtin_model_is_the_pinned_file_and_round_trips() {
        let model = Model::from_pinned_bytes(BUILTIN_BYTES, BUILTIN_SHA256).expect("pinned");
        assert_eq!(model.to_bytes(), BUILTIN_BYTES);
        assert_eq!(&model, Model::builtin());
        let mut other = BUILTIN_BYTES.to_vec();
        other[header_len(FORMAT_VERSION)] ^= 1;
        assert!(matches!(
            Model::from_pinned_bytes(&other, BUILTIN_SHA256),
            Err(ModelError::NotPinned { .. })
        ));
    }

    fn builtin_embeddings() -> &'static Embeddings {
        Embeddings::builtin()
            .expect("the repository's embedding table")
            .expect("an intact embedding table")
    }

    #[test]
    fn builtin_scorer_is_the_pinned_head_stacked_over_the_ngrams() {
        let (scorer, notice) = Scorer::builtin();
        assert_eq!(notice, None);
        let Scorer::Stacked { head, .. } = scorer else {
            panic!("the built-in scorer fell back: {scorer:?}");
        };
        assert_eq!(head.to_bytes(), BUILTIN_HEAD_BYTES);
        assert_eq!(scorer.thresholds(), head.thresholds());
        assert_eq!(scorer.name(), "n-grams and embeddings, stacked");
        let mut damaged = BUILTIN_HEAD_BYTES.to_vec();
        damaged[100] ^= 1;
        let refused = check_pinned(&damaged, BUILTIN_HEAD_SHA256, "check-worthiness head")
            .expect_err("a damaged head is not the pinned one")
            .to_string();
        assert!(
            refused.starts_with("the embedded check-worthiness head has SHA-256 "),
            "{refused}"
        );
    }

    #[test]
    fn a_head_over_other_models_is_refused() {
        let (Scorer::Stacked { head, .. }, _) = Scorer::builtin() else {
            panic!("the built-in scorer fell back");
        };
        let other_ngrams = small_model();
        assert!(matches!(
            Scorer::stacked(&other_ngrams, head, builtin_embeddings()),
            Err(ModelError::NotTrainedWith("n-gram model"))
        ));
        let other_table = Head::new(vec![0.0; 257], 0.0, sha256(BUILTIN_BYTES), [7; 32]);
        assert!(matches!(
            Scorer::stacked(Model::builtin(), &other_table, builtin_embeddings()),
            Err(ModelError::NotTrainedWith("embedding table"))
        ));
    }

    #[test]
    fn stacked_scores_rank_claims_above_forecasts_and_stay_in_range() {
        let (scorer, _) = Scorer::builtin();
        let claim = scorer.score("The death toll from the earthquake rose to 381 on Monday.");
        let forecast = scorer.score("The central bank is expected to raise rates next week.");
        assert!(
            claim > scorer.thresholds().of(Genre::Article) && claim > forecast,
            "{claim} vs {forecast}"
        );
        let huge = "The budget grew 7 percent. ".repeat(100_000);
        for sentence in ["", "\0\u{7}", "Ünïcödé 税金 は 5 % 上がった", huge.as_str()] {
            let score = scorer.score(sentence);
            assert!((0.0..=1.0).contains(&score), "{score} for {sentence:?}");
        }
        let ngrams = Scorer::NGrams(Model::builtin());
        assert_eq!(ngrams.name(), "n-grams");
        assert_eq!(ngrams.thresholds(), Model::builtin().thresholds());
    }

    #[test]
    fn weights_are_stored_to_one_scale() {
        let model = Model::from_weights(10, 0.5, &[-2.0, 1.0].repeat(512)).expect("valid");
        assert_eq!(model.weights[..2], [-i16::MAX, i16::MAX / 2 + 1]);
        assert_eq!(model.weight_scale, 2.0 / f32::from(i16::MAX));
        let zero = Model::from_weights(10, 0.0, &[0.0; 1024]).expect("valid");
        assert_eq!((zero.weight_scale, zero.weights[0]), (1.0, 0));
        assert_eq!(zero.thresholds(), Thresholds::both(0.5).unwrap());
        assert!(matches!(
            Model::from_weights(9, 0.0, &[0.0; 512]),
            Err(ModelError::InvalidHeader(_))
        ));
        assert!(matches!(
            Model::from_weights(10, 0.0, &[0.0; 1023]),
            Err(ModelError::WrongWeightCount {
                expected: 1024,
                found: 1023
            })
        ));
    }
}
