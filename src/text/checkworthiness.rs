//! Check-worthiness scoring of single sentences.
//!
//! A logistic-regression model over hashed sparse features (word uni- and bi-grams, character
//! n-grams and a few hand-written cues such as numbers, money and first-person openers). It is
//! trained on the ClaimBuster debate sentences (Arslan, Hassan, Li and Tremayne, ICWSM 2020,
//! CC BY 4.0) and scores well over 50,000 sentences per second on one core.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Magic bytes opening every serialised model.
const MAGIC: &[u8; 4] = b"CWM\0";
/// Bumped whenever the feature extraction or the file layout changes.
const FORMAT_VERSION: u32 = 1;
/// Header: magic, version, hash bits, bias, weight scale, threshold.
const HEADER_LEN: usize = 4 + 4 + 4 + 4 + 4 + 4;
/// Trailer: FNV-1a checksum of everything before it.
const CHECKSUM_LEN: usize = 8;
/// Hash-table sizes the format accepts; keeps a corrupt header from asking for huge tables.
const HASH_BITS_RANGE: std::ops::RangeInclusive<u32> = 10..=24;
/// Longer inputs are scored on their first bytes only, so one huge "sentence" costs bounded time.
const MAX_SENTENCE_BYTES: usize = 4096;

static BUILTIN: OnceLock<Model> = OnceLock::new();
static BUILTIN_BYTES: &[u8] = include_bytes!("../../models/checkworthiness.bin");
/// SHA-256 of `models/checkworthiness.bin` as the training command wrote it, so a model file
/// swapped without its figures and tests (by a merge, say) is caught at load.
const BUILTIN_SHA256: &str = "8a62fe69523951f559d4c1b6539dda59702a3f638e373175b3b9f63fdfdc4923";

/// Errors from reading training data or (de)serialising a model.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}:{line}: {message}", path.display())]
    MalformedTsv {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("not a check-worthiness model (bad magic bytes)")]
    BadMagic,
    #[error("unsupported check-worthiness model format version {0}")]
    UnsupportedVersion(u32),
    #[error("invalid check-worthiness model header: {0}")]
    InvalidHeader(&'static str),
    #[error("check-worthiness model has {found} bytes, expected {expected} (truncated file?)")]
    WrongLength { expected: usize, found: usize },
    #[error("check-worthiness model checksum mismatch (corrupt file)")]
    ChecksumMismatch,
    #[error("the embedded check-worthiness model has SHA-256 {found}, not the pinned {expected}")]
    NotThePinnedModel {
        expected: &'static str,
        found: String,
    },
}

/// One labelled sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub text: String,
    pub check_worthy: bool,
}

/// Precision, recall and F1 of the check-worthy class.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluation {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub n: usize,
}

/// Training hyper-parameters. The defaults maximise the mean average precision of the dev set
/// and of the news training articles scored out of fold (see the README).
#[derive(Debug, Clone, PartialEq)]
pub struct TrainOptions {
    /// The model has `2^hash_bits` weights.
    pub hash_bits: u32,
    pub epochs: usize,
    /// AdaGrad base learning rate.
    pub learning_rate: f32,
    /// L2 penalty, applied to the weights a sentence touches.
    pub l2: f32,
    /// Each news training sentence counts this many times against one debate sentence.
    pub news_weight: usize,
    /// Folds of the out-of-fold scores the threshold is chosen on: debate sentences at random,
    /// news sentences by article.
    pub folds: usize,
    pub seed: u64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self {
            hash_bits: 20,
            epochs: 3,
            learning_rate: 0.1,
            l2: 1e-3,
            news_weight: 0,
            folds: 5,
            seed: 0x5EED_C1A1_5EED_C1A1,
        }
    }
}

/// A trained check-worthiness model.
#[derive(Clone, PartialEq)]
pub struct Model {
    hash_bits: u32,
    bias: f32,
    /// Weights are stored as `i16` times `weight_scale`, halving the file and memory size.
    weight_scale: f32,
    threshold: f32,
    weights: Vec<i16>,
}

/// Summarises instead of listing a million weights.
impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("hash_bits", &self.hash_bits)
            .field("bias", &self.bias)
            .field("weight_scale", &self.weight_scale)
            .field("threshold", &self.threshold)
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
        use sha2::{Digest, Sha256};
        let found: String = Sha256::digest(bytes)
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        if found != sha256 {
            return Err(ModelError::NotThePinnedModel {
                expected: sha256,
                found,
            });
        }
        Model::from_bytes(bytes)
    }

    /// Parses a model written by [`Model::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, ModelError> {
        if bytes.len() < HEADER_LEN + CHECKSUM_LEN {
            return Err(ModelError::WrongLength {
                expected: HEADER_LEN + CHECKSUM_LEN,
                found: bytes.len(),
            });
        }
        if &bytes[..4] != MAGIC {
            return Err(ModelError::BadMagic);
        }
        let word = |at: usize| [bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]];
        let version = u32::from_le_bytes(word(4));
        if version != FORMAT_VERSION {
            return Err(ModelError::UnsupportedVersion(version));
        }
        let hash_bits = u32::from_le_bytes(word(8));
        if !HASH_BITS_RANGE.contains(&hash_bits) {
            return Err(ModelError::InvalidHeader("hash size out of range"));
        }
        let bias = f32::from_le_bytes(word(12));
        let weight_scale = f32::from_le_bytes(word(16));
        let threshold = f32::from_le_bytes(word(20));
        if !bias.is_finite() || !weight_scale.is_finite() || weight_scale < 0.0 {
            return Err(ModelError::InvalidHeader("non-finite bias or weight scale"));
        }
        if !(0.0..=1.0).contains(&threshold) {
            return Err(ModelError::InvalidHeader("threshold outside 0..=1"));
        }
        let dim = 1usize << hash_bits;
        let expected = HEADER_LEN + 2 * dim + CHECKSUM_LEN;
        if bytes.len() != expected {
            return Err(ModelError::WrongLength {
                expected,
                found: bytes.len(),
            });
        }
        let (body, checksum) = bytes.split_at(expected - CHECKSUM_LEN);
        if fnv1a(body).to_le_bytes() != checksum {
            return Err(ModelError::ChecksumMismatch);
        }
        let weights = body[HEADER_LEN..]
            .chunks_exact(2)
            .map(|pair| i16::from_le_bytes([pair[0], pair[1]]))
            .collect();
        Ok(Model {
            hash_bits,
            bias,
            weight_scale,
            threshold,
            weights,
        })
    }

    /// Serialises the model (little-endian, with a checksum).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(HEADER_LEN + 2 * self.weights.len() + CHECKSUM_LEN);
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        bytes.extend_from_slice(&self.hash_bits.to_le_bytes());
        bytes.extend_from_slice(&self.bias.to_le_bytes());
        bytes.extend_from_slice(&self.weight_scale.to_le_bytes());
        bytes.extend_from_slice(&self.threshold.to_le_bytes());
        for weight in &self.weights {
            bytes.extend_from_slice(&weight.to_le_bytes());
        }
        let checksum = fnv1a(&bytes);
        bytes.extend_from_slice(&checksum.to_le_bytes());
        bytes
    }

    /// Probability-like check-worthiness of one sentence, in `0.0..=1.0`.
    pub fn score(&self, sentence: &str) -> f32 {
        let mut features = Vec::new();
        extract_features(sentence, self.hash_bits, &mut features);
        let total: i64 = features
            .iter()
            .map(|&index| i64::from(self.weights[index as usize]))
            .sum();
        let z = self.bias + self.weight_scale * feature_value(features.len()) * total as f32;
        sigmoid(z)
    }

    /// Scores at or above this are check-worthy; chosen on out-of-fold training scores.
    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    /// Whether the sentence scores at or above the threshold.
    pub fn is_check_worthy(&self, sentence: &str) -> bool {
        self.score(sentence) >= self.threshold
    }
}

/// Reads a `Sentence_id<TAB>Text<TAB>class_label` file with a header line and `Yes`/`No` labels.
///
/// Texts may be wrapped in double quotes with `""` escapes and lines may end in `\r`. A record
/// whose line break went missing (`...<TAB>No12345<TAB>next text<TAB>Yes`) is split back into two.
pub fn read_tsv(path: &Path) -> Result<Vec<Example>, ModelError> {
    let content = std::fs::read_to_string(path).map_err(|source| ModelError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_tsv(&content, path)
}

/// Parses the content of the TSV file at `path` (named in errors).
fn parse_tsv(content: &str, path: &Path) -> Result<Vec<Example>, ModelError> {
    let malformed = |line: usize, message: String| ModelError::MalformedTsv {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut examples = Vec::new();
    for (index, line) in content.lines().enumerate().skip(1) {
        let line_number = index + 1;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() < 3 || fields.len().is_multiple_of(2) {
            return Err(malformed(
                line_number,
                format!("expected 3 tab-separated fields, found {}", fields.len()),
            ));
        }
        // Fields after the first come in (text, label) pairs; all labels but the last carry
        // the next record's id glued on.
        for (pair, chunk) in fields[1..].chunks_exact(2).enumerate() {
            let is_last = pair == (fields.len() - 1) / 2 - 1;
            let label = if is_last {
                chunk[1]
            } else {
                chunk[1].trim_end_matches(|c: char| c.is_ascii_digit())
            };
            let check_worthy = match label.trim() {
                "Yes" => true,
                "No" => false,
                other => {
                    return Err(malformed(
                        line_number,
                        format!("label must be Yes or No, found {other:?}"),
                    ));
                }
            };
            examples.push(Example {
                text: unquote(chunk[0]),
                check_worthy,
            });
        }
    }
    Ok(examples)
}

/// Strips CSV-style double quotes, turning `""` back into `"`.
fn unquote(field: &str) -> String {
    match field
        .strip_prefix('"')
        .and_then(|inner| inner.strip_suffix('"'))
    {
        Some(inner) => inner.replace("\"\"", "\""),
        None => field.to_string(),
    }
}

/// Precision, recall and F1 of the check-worthy class at the model's threshold.
pub fn evaluate(model: &Model, examples: &[Example]) -> Evaluation {
    evaluate_scores(&scores(model, examples), model.threshold)
}

fn evaluate_scores(scored: &[(f32, bool)], threshold: f32) -> Evaluation {
    let (mut true_positives, mut false_positives, mut false_negatives) = (0usize, 0usize, 0usize);
    for &(score, check_worthy) in scored {
        match (score >= threshold, check_worthy) {
            (true, true) => true_positives += 1,
            (true, false) => false_positives += 1,
            (false, true) => false_negatives += 1,
            (false, false) => {}
        }
    }
    let ratio = |part: usize, whole: usize| {
        if whole == 0 {
            0.0
        } else {
            part as f64 / whole as f64
        }
    };
    let precision = ratio(true_positives, true_positives + false_positives);
    let recall = ratio(true_positives, true_positives + false_negatives);
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    Evaluation {
        precision,
        recall,
        f1,
        n: scored.len(),
    }
}

/// One sentence of the labelled news set, with the article it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewsSentence {
    pub article: String,
    /// The guide's category: `F` check-worthy, `U` unimportant factual, `O` opinion,
    /// `P` prediction, `V` vow, `Q` question.
    pub category: char,
    pub example: Example,
}

/// The labelled news set, split by article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewsSet {
    pub train: Vec<NewsSentence>,
    /// For reporting only: never trained on, never used to choose anything.
    pub test: Vec<NewsSentence>,
}

/// The guide's categories; only `F` is check-worthy.
const NEWS_CATEGORIES: &str = "FUOPVQ";

/// Reads `articles.tsv` (`article<TAB>split<TAB>outlet<TAB>topic<TAB>url`) and
/// `sentences.tsv` (`article<TAB>category<TAB>class_label<TAB>text`) from `dir`.
pub fn read_news_set(dir: &Path) -> Result<NewsSet, ModelError> {
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read_to_string(&path)
            .map(|content| (content, path.clone()))
            .map_err(|source| ModelError::Io { path, source })
    };
    let (articles, articles_path) = read("articles.tsv")?;
    let (sentences, sentences_path) = read("sentences.tsv")?;
    parse_news_set(&articles, &articles_path, &sentences, &sentences_path)
}

fn parse_news_set(
    articles: &str,
    articles_path: &Path,
    sentences: &str,
    sentences_path: &Path,
) -> Result<NewsSet, ModelError> {
    let malformed = |path: &Path, line: usize, message: String| ModelError::MalformedTsv {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut is_test = std::collections::HashMap::new();
    for (index, line) in articles.lines().enumerate().skip(1) {
        let fields: Vec<&str> = line.trim_end_matches('\r').split('\t').collect();
        let test = match fields.as_slice() {
            [_, "train", _, _, _] => false,
            [_, "test", _, _, _] => true,
            _ => {
                return Err(malformed(
                    articles_path,
                    index + 1,
                    "expected article, split (train or test), outlet, topic and url".into(),
                ));
            }
        };
        is_test.insert(fields[0], test);
    }
    let mut set = NewsSet {
        train: Vec::new(),
        test: Vec::new(),
    };
    for (index, line) in sentences.lines().enumerate().skip(1) {
        let line = line.trim_end_matches('\r');
        let fields: Vec<&str> = line.splitn(4, '\t').collect();
        let [article, category, label, text] = fields.as_slice() else {
            return Err(malformed(
                sentences_path,
                index + 1,
                format!("expected 4 tab-separated fields, found {}", fields.len()),
            ));
        };
        let test = *is_test.get(article).ok_or_else(|| {
            malformed(
                sentences_path,
                index + 1,
                format!("article {article:?} is not in articles.tsv"),
            )
        })?;
        let category = match category.chars().collect::<Vec<_>>().as_slice() {
            [c] if NEWS_CATEGORIES.contains(*c) => *c,
            _ => {
                return Err(malformed(
                    sentences_path,
                    index + 1,
                    format!("category must be one of {NEWS_CATEGORIES}, found {category:?}"),
                ));
            }
        };
        let expected = if category == 'F' { "Yes" } else { "No" };
        if *label != expected {
            return Err(malformed(
                sentences_path,
                index + 1,
                format!("category {category} is labelled {expected}, found {label:?}"),
            ));
        }
        let sentence = NewsSentence {
            article: article.to_string(),
            category,
            example: Example {
                text: text.to_string(),
                check_worthy: category == 'F',
            },
        };
        if test {
            set.test.push(sentence);
        } else {
            set.train.push(sentence);
        }
    }
    Ok(set)
}

/// What the decision threshold was chosen on, and the figures there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Selection {
    pub threshold: f32,
    /// Out-of-fold scores of the debate sentences: each fold is scored by a model trained
    /// without it.
    pub debates: Evaluation,
    /// Out-of-fold scores of the news training articles, folded by article.
    pub news: Evaluation,
}

/// Trains on the debate sentences and the news training articles (each repeated
/// `options.news_weight` times), then picks the threshold maximising the mean F1 of the
/// debates and of the news articles, both scored out of fold. The same inputs always give a
/// byte-identical model.
pub fn train_and_select(
    debates: &[Example],
    news: &[NewsSentence],
    options: &TrainOptions,
) -> (Model, Selection) {
    let mut model = train_with_threshold(&with_news(debates, news, options), options, 0.5);
    let debate_scores = debates_out_of_fold(debates, news, options);
    let news_scores = if options.news_weight == 0 {
        // Trained without any news, the model scores every article out of fold.
        let examples: Vec<Example> = news.iter().map(|s| s.example.clone()).collect();
        scores(&model, &examples)
    } else {
        news_out_of_fold(debates, news, options)
    };
    model.threshold = best_mean_threshold(&[&debate_scores, &news_scores]);
    let selection = Selection {
        threshold: model.threshold,
        debates: evaluate_scores(&debate_scores, model.threshold),
        news: evaluate_scores(&news_scores, model.threshold),
    };
    (model, selection)
}

/// Scores the debate sentences in `options.folds` seeded random folds, each by a model
/// trained on the other folds and on all the news.
fn debates_out_of_fold(
    debates: &[Example],
    news: &[NewsSentence],
    options: &TrainOptions,
) -> Vec<(f32, bool)> {
    let folds = options.folds.max(2);
    let mut order: Vec<usize> = (0..debates.len()).collect();
    // A different stream from the training shuffles, so folds do not follow visiting order.
    Rng::new(options.seed ^ 0xF01D).shuffle(&mut order);
    let mut scored = Vec::with_capacity(debates.len());
    for fold in 0..folds {
        let (mut held_out, mut kept) = (Vec::new(), Vec::new());
        for (position, &index) in order.iter().enumerate() {
            let part = if position % folds == fold {
                &mut held_out
            } else {
                &mut kept
            };
            part.push(debates[index].clone());
        }
        let model = train_with_threshold(&with_news(&kept, news, options), options, 0.5);
        scored.extend(scores(&model, &held_out));
    }
    scored
}

/// The debate sentences followed by the news sentences, each repeated `options.news_weight`
/// times.
fn with_news(debates: &[Example], news: &[NewsSentence], options: &TrainOptions) -> Vec<Example> {
    let mut examples = debates.to_vec();
    for _ in 0..options.news_weight {
        examples.extend(news.iter().map(|sentence| sentence.example.clone()));
    }
    examples
}

/// Scores each fold of articles with a model trained without them; folds go by article, so
/// no article is scored by a model that saw part of it.
fn news_out_of_fold(
    debates: &[Example],
    news: &[NewsSentence],
    options: &TrainOptions,
) -> Vec<(f32, bool)> {
    let mut articles: Vec<&str> = Vec::new();
    for sentence in news {
        if !articles.contains(&sentence.article.as_str()) {
            articles.push(&sentence.article);
        }
    }
    let folds = options.folds.clamp(1, articles.len().max(1));
    let fold_of = |sentence: &NewsSentence| {
        articles
            .iter()
            .position(|&article| article == sentence.article)
            .map_or(0, |position| position % folds)
    };
    let mut scored = Vec::with_capacity(news.len());
    for fold in 0..folds {
        let (held_out, kept): (Vec<NewsSentence>, Vec<NewsSentence>) =
            news.iter().cloned().partition(|s| fold_of(s) == fold);
        let model = train_with_threshold(&with_news(debates, &kept, options), options, 0.5);
        let held_out: Vec<Example> = held_out.into_iter().map(|s| s.example).collect();
        scored.extend(scores(&model, &held_out));
    }
    scored
}

fn scores(model: &Model, examples: &[Example]) -> Vec<(f32, bool)> {
    examples
        .iter()
        .map(|example| (model.score(&example.text), example.check_worthy))
        .collect()
}

/// The cut maximising the mean F1 over the non-empty score sets, placed halfway between two
/// neighbouring scores; 0.5 when there is nothing to choose on.
fn best_mean_threshold(sets: &[&[(f32, bool)]]) -> f32 {
    let sets: Vec<&[(f32, bool)]> = sets.iter().copied().filter(|s| !s.is_empty()).collect();
    let mut cuts: Vec<f32> = sets
        .iter()
        .flat_map(|s| s.iter().map(|&(score, _)| score))
        .collect();
    cuts.sort_by(f32::total_cmp);
    cuts.dedup();
    let mut best = (f64::NEG_INFINITY, 0.5);
    for pair in cuts.windows(2) {
        let cut = (pair[0] + pair[1]) / 2.0;
        let mean = sets
            .iter()
            .map(|set| evaluate_scores(set, cut).f1)
            .sum::<f64>()
            / sets.len() as f64;
        if mean > best.0 {
            best = (mean, cut);
        }
    }
    best.1
}

/// Trains with a given decision threshold: logistic regression with AdaGrad over the hashed
/// features, visiting the examples in a seeded shuffled order.
pub fn train_with_threshold(examples: &[Example], options: &TrainOptions, threshold: f32) -> Model {
    let hash_bits = options
        .hash_bits
        .clamp(*HASH_BITS_RANGE.start(), *HASH_BITS_RANGE.end());
    let dim = 1usize << hash_bits;
    let encoded: Vec<(Vec<u32>, f32)> = examples
        .iter()
        .map(|example| {
            let mut features = Vec::new();
            extract_features(&example.text, hash_bits, &mut features);
            (features, if example.check_worthy { 1.0 } else { 0.0 })
        })
        .collect();
    let mut weights = vec![0f32; dim];
    let mut squared_gradients = vec![0f32; dim];
    let (mut bias, mut bias_squared_gradient) = (0f32, 0f32);
    let mut order: Vec<usize> = (0..encoded.len()).collect();
    let mut rng = Rng::new(options.seed);
    const EPSILON: f32 = 1e-8;
    for _ in 0..options.epochs {
        rng.shuffle(&mut order);
        for &index in &order {
            let (features, label) = &encoded[index];
            let value = feature_value(features.len());
            let dot: f32 = features.iter().map(|&f| weights[f as usize]).sum();
            let error = sigmoid(bias + value * dot) - label;
            bias_squared_gradient += error * error;
            bias -= options.learning_rate * error / (bias_squared_gradient + EPSILON).sqrt();
            for &feature in features {
                let feature = feature as usize;
                let gradient = error * value + options.l2 * weights[feature];
                squared_gradients[feature] += gradient * gradient;
                weights[feature] -= options.learning_rate * gradient
                    / (squared_gradients[feature] + EPSILON).sqrt();
            }
        }
    }
    let largest = weights.iter().fold(0f32, |max, w| max.max(w.abs()));
    let weight_scale = if largest > 0.0 {
        largest / f32::from(i16::MAX)
    } else {
        1.0
    };
    Model {
        hash_bits,
        bias,
        weight_scale,
        threshold,
        weights: weights
            .iter()
            .map(|w| (w / weight_scale).round() as i16)
            .collect(),
    }
}

/// Each of a sentence's `count` features gets this value, so sentence vectors have about unit
/// norm (exactly, when no feature repeats) and long sentences do not dominate training.
fn feature_value(count: usize) -> f32 {
    if count == 0 {
        0.0
    } else {
        1.0 / (count as f32).sqrt()
    }
}

fn sigmoid(z: f32) -> f32 {
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
struct Token {
    lower: String,
    capitalised: bool,
    has_digit: bool,
}

/// Splits into words (letters and digits, with inner apostrophes and digit separators) and
/// single punctuation or symbol characters.
fn tokenize(sentence: &str) -> Vec<Token> {
    let chars: Vec<char> = sentence.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() || c.is_control() {
            i += 1;
            continue;
        }
        if !c.is_alphanumeric() {
            tokens.push(Token {
                lower: c.to_lowercase().collect(),
                capitalised: false,
                has_digit: false,
            });
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() {
            let c = chars[i];
            let joins_next = |accept: fn(char) -> bool| {
                i > start
                    && accept(chars[i - 1])
                    && chars.get(i + 1).is_some_and(|&next| accept(next))
            };
            let keep = c.is_alphanumeric()
                || (matches!(c, '\'' | '\u{2019}') && joins_next(char::is_alphanumeric))
                || (matches!(c, '.' | ',') && joins_next(|c| c.is_ascii_digit()));
            if !keep {
                break;
            }
            i += 1;
        }
        let word = &chars[start..i];
        tokens.push(Token {
            lower: word
                .iter()
                .flat_map(|c| c.to_lowercase())
                .map(|c| if c == '\u{2019}' { '\'' } else { c })
                .collect(),
            capitalised: word[0].is_uppercase(),
            has_digit: word.iter().any(|c| c.is_ascii_digit()),
        });
    }
    tokens
}

/// Words that mark quantities and checkable statistics.
const QUANTITY_WORDS: &[&str] = &[
    "percent",
    "million",
    "millions",
    "billion",
    "billions",
    "trillion",
    "thousand",
    "thousands",
    "hundred",
    "hundreds",
    "half",
    "twice",
    "double",
    "doubled",
    "tripled",
    "times",
    "rate",
    "average",
    "number",
    "per",
    "tax",
    "taxes",
    "budget",
    "deficit",
];
/// Comparisons and changes over time, typical of statistical claims.
const COMPARATIVE_WORDS: &[&str] = &[
    "more",
    "less",
    "fewer",
    "than",
    "most",
    "least",
    "highest",
    "lowest",
    "largest",
    "increased",
    "decreased",
    "cut",
    "raised",
    "rose",
    "fell",
    "grew",
    "lost",
];
/// Openers of opinions, promises and courtesies, which are rarely check-worthy.
const OPINION_OPENERS: &[&[&str]] = &[
    &["i", "think"],
    &["i", "believe"],
    &["i", "want"],
    &["i", "will"],
    &["i'll"],
    &["we", "will"],
    &["we'll"],
    &["we", "need"],
    &["we", "must"],
    &["we", "should"],
    &["let", "me"],
    &["thank", "you"],
];

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
fn cues(sentence: &str, tokens: &[Token]) -> Vec<&'static str> {
    let mut cues = Vec::new();
    let is = |token: &Token, words: &[&str]| words.contains(&token.lower.as_str());
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

/// SplitMix64 generator: small, seedable and identical on every platform.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    /// Fisher-Yates shuffle.
    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dev-test F1 measured when the shipped model was trained, minus a small tolerance.
    const BUILTIN_DEV_TEST_F1: f64 = 0.7749 - 0.01;
    /// News test precision and recall measured when the shipped model was trained, minus a
    /// small tolerance.
    const BUILTIN_NEWS_TEST_PRECISION_RECALL: (f64, f64) = (0.4954 - 0.01, 0.9818 - 0.01);

    fn example(text: &str, check_worthy: bool) -> Example {
        Example {
            text: text.to_string(),
            check_worthy,
        }
    }

    fn tiny_model() -> Model {
        let mut examples = Vec::new();
        for year in 1990..2010 {
            examples.push(example(
                &format!("Unemployment rose 5 percent in {year} under the governor."),
                true,
            ));
            examples.push(example(
                &format!("The deficit was $ {year} billion last year."),
                true,
            ));
            examples.push(example(
                "Thank you very much, it is good to be here.",
                false,
            ));
            examples.push(example("I think we need to look forward together.", false));
        }
        let options = TrainOptions {
            hash_bits: 12,
            ..TrainOptions::default()
        };
        train_with_threshold(&examples, &options, 0.5)
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
    fn training_separates_a_synthetic_set() {
        let model = tiny_model();
        let worthy = model.score("Unemployment rose 5 percent in 2003 under the governor.");
        let unworthy = model.score("Thank you very much, it is good to be here.");
        assert!(worthy > 0.5 && unworthy < 0.5, "{worthy} vs {unworthy}");
        assert!(model.is_check_worthy("The deficit was $ 1995 billion last year."));
    }

    #[test]
    fn training_is_deterministic() {
        assert_eq!(tiny_model().to_bytes(), tiny_model().to_bytes());
    }

    #[test]
    fn threshold_maximises_the_mean_f1_of_the_sets() {
        let scored = [
            (0.9, true),
            (0.7, true),
            (0.6, false),
            (0.4, true),
            (0.2, false),
        ];
        // Alone, the best cut keeps the top four (F1 6/7).
        assert!((best_mean_threshold(&[&scored]) - 0.3).abs() < 1e-6);
        // A second set whose positives all score above 0.65 moves the cut up.
        let other = [(0.8, true), (0.66, true), (0.62, false), (0.3, false)];
        assert!((best_mean_threshold(&[&scored, &other]) - 0.64).abs() < 1e-6);
        // Empty sets are ignored; with nothing to choose on, the cut is 0.5.
        assert!((best_mean_threshold(&[&scored, &[]]) - 0.3).abs() < 1e-6);
        assert_eq!(best_mean_threshold(&[&[], &[]]), 0.5);
    }

    fn news_sentence(article: &str, text: &str, check_worthy: bool) -> NewsSentence {
        NewsSentence {
            article: article.to_string(),
            category: if check_worthy { 'F' } else { 'O' },
            example: example(text, check_worthy),
        }
    }

    #[test]
    fn selection_is_deterministic_and_scores_news_out_of_fold() {
        let debates: Vec<Example> = (0..40)
            .flat_map(|i| {
                [
                    example(&format!("The deficit rose {i} percent last year."), true),
                    example("I think we can do better together.", false),
                ]
            })
            .collect();
        let news: Vec<NewsSentence> = (0..6)
            .flat_map(|i| {
                let article = format!("a{i}");
                [
                    news_sentence(&article, &format!("The toll rose to {i}00 people."), true),
                    news_sentence(&article, "It is a tragedy, the mayor said.", false),
                ]
            })
            .collect();
        let options = TrainOptions {
            hash_bits: 12,
            folds: 3,
            news_weight: 2,
            ..TrainOptions::default()
        };
        let (model, selection) = train_and_select(&debates, &news, &options);
        let (again, _) = train_and_select(&debates, &news, &options);
        assert_eq!(model.to_bytes(), again.to_bytes());
        assert_eq!(model.threshold(), selection.threshold);
        assert_eq!((selection.debates.n, selection.news.n), (80, 12));
        assert_eq!(selection.news.f1, 1.0, "{selection:?}");
    }

    #[test]
    fn news_set_parsing_checks_every_field() {
        let articles = "article\tsplit\toutlet\ttopic\turl\n\
            a1\ttrain\tOutlet\ttopic\thttps://example.com/1\n\
            a2\ttest\tOutlet\ttopic\thttps://example.com/2\n";
        let parse = |sentences: &str| {
            parse_news_set(articles, Path::new("a.tsv"), sentences, Path::new("s.tsv"))
        };
        let header = "article\tcategory\tclass_label\ttext\n";
        let set = parse(&format!(
            "{header}a1\tF\tYes\tThe toll rose to 381.\na2\tP\tNo\tIt will rain.\n"
        ))
        .expect("valid set");
        assert_eq!(
            set.train,
            [news_sentence("a1", "The toll rose to 381.", true)]
        );
        assert_eq!(
            (
                set.test.len(),
                set.test[0].category,
                set.test[0].example.check_worthy
            ),
            (1, 'P', false)
        );
        for (bad, message) in [
            ("a3\tF\tYes\tText.", "not in articles.tsv"),
            ("a1\tX\tNo\tText.", "category must be one of"),
            ("a1\tF\tNo\tText.", "category F is labelled Yes"),
            ("a1\tF\tYes", "expected 4 tab-separated fields"),
        ] {
            let error = parse(&format!("{header}{bad}\n")).unwrap_err().to_string();
            assert!(
                error.starts_with("s.tsv:2: ") && error.contains(message),
                "{error}"
            );
        }
        let error = parse_news_set(
            "h\na1\tdev\to\tt\tu\n",
            Path::new("a.tsv"),
            header,
            Path::new("s.tsv"),
        )
        .unwrap_err()
        .to_string();
        assert!(error.starts_with("a.tsv:2: "), "{error}");
    }

    #[test]
    fn bytes_round_trip() {
        let model = tiny_model();
        let bytes = model.to_bytes();
        let parsed = Model::from_bytes(&bytes).expect("valid model");
        assert_eq!(parsed, model);
        assert_eq!(parsed.to_bytes(), bytes);
    }

    #[test]
    fn corrupt_models_are_errors() {
        let bytes = tiny_model().to_bytes();
        assert!(matches!(
            Model::from_bytes(&[]),
            Err(ModelError::WrongLength { .. })
        ));
        assert!(matches!(
            Model::from_bytes(&bytes[..bytes.len() - 1]),
            Err(ModelError::WrongLength { .. })
        ));
        let mut flipped = bytes.clone();
        flipped[HEADER_LEN + 7] ^= 0x40;
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
    fn tsv_parsing_handles_quotes_carriage_returns_and_glued_lines() {
        let content = "Sentence_id\tText\tclass_label\r\n\
            1\t\"He said \"\"no\"\" twice.\"\tNo\r\n\
            2\tTaxes rose 5%.\tYes\n\
            3\tWe must act.\tNo4\tIt cost $9.\tYes\n";
        let examples = parse_tsv(content, Path::new("x.tsv")).expect("valid TSV");
        assert_eq!(
            examples,
            [
                example("He said \"no\" twice.", false),
                example("Taxes rose 5%.", true),
                example("We must act.", false),
                example("It cost $9.", true),
            ]
        );
        let error = parse_tsv("id\ttext\tlabel\n1\tHello\tMaybe\n", Path::new("x.tsv"));
        assert!(matches!(
            error,
            Err(ModelError::MalformedTsv { line: 2, .. })
        ));
        let error = parse_tsv("id\ttext\tlabel\n1\tHello\n", Path::new("x.tsv"));
        assert!(matches!(
            error,
            Err(ModelError::MalformedTsv { line: 2, .. })
        ));
    }

    #[test]
    fn builtin_model_is_the_pinned_file_and_round_trips() {
        let model = Model::from_pinned_bytes(BUILTIN_BYTES, BUILTIN_SHA256).expect("pinned");
        assert_eq!(model.to_bytes(), BUILTIN_BYTES);
        assert_eq!(&model, Model::builtin());
        let mut other = BUILTIN_BYTES.to_vec();
        other[HEADER_LEN] ^= 1;
        assert!(matches!(
            Model::from_pinned_bytes(&other, BUILTIN_SHA256),
            Err(ModelError::NotThePinnedModel { .. })
        ));
    }

    /// The shared debate data: `CLAIMS_CHECKWORTHINESS_DATA`, or `../shared/data/checkworthiness`
    /// beside the repository.
    fn debate_data() -> Option<PathBuf> {
        let dir = std::env::var_os("CLAIMS_CHECKWORTHINESS_DATA")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/checkworthiness")
            });
        if dir.join("dev-test.tsv").exists() {
            Some(dir)
        } else {
            eprintln!(
                "skipping: {} holds no dev-test.tsv (the debate data is not committed; \
                 set CLAIMS_CHECKWORTHINESS_DATA to its folder)",
                dir.display()
            );
            None
        }
    }

    #[test]
    fn builtin_model_reaches_its_dev_test_f1() {
        let Some(dir) = debate_data() else { return };
        let examples = read_tsv(&dir.join("dev-test.tsv")).expect("dev-test.tsv parses");
        let evaluation = evaluate(Model::builtin(), &examples);
        println!(
            "dev-test: F1 {:.4}, precision {:.4}, recall {:.4}",
            evaluation.f1, evaluation.precision, evaluation.recall
        );
        assert!(
            evaluation.f1 >= BUILTIN_DEV_TEST_F1,
            "dev-test F1 {:.4} below {BUILTIN_DEV_TEST_F1:.4}",
            evaluation.f1
        );
    }

    #[test]
    fn builtin_model_reaches_its_news_test_precision_and_recall() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/news-checkworthiness");
        let news = read_news_set(&dir).expect("the committed news set parses");
        let examples: Vec<Example> = news.test.into_iter().map(|s| s.example).collect();
        let evaluation = evaluate(Model::builtin(), &examples);
        println!(
            "news test: precision {:.4}, recall {:.4}, F1 {:.4} over {} sentences",
            evaluation.precision, evaluation.recall, evaluation.f1, evaluation.n
        );
        let (precision, recall) = BUILTIN_NEWS_TEST_PRECISION_RECALL;
        assert!(
            evaluation.precision >= precision && evaluation.recall >= recall,
            "news test precision {:.4} or recall {:.4} below {precision:.4} / {recall:.4}",
            evaluation.precision,
            evaluation.recall
        );
    }
}
