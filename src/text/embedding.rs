//! Sentence embeddings from a static token table, the semantic signal of claim matching.
//!
//! The table (`models/embeddings.bin`, built by `models/build-embeddings.sh`) holds one vector
//! per WordPiece token of all-MiniLM-L6-v2, each distilled once through the model. A sentence's
//! vector is the mean of its tokens' vectors, normalised: no transformer runs at extraction
//! time, so embedding costs a few microseconds a sentence. The sentence is cut into tokens as
//! the model's own tokenizer cuts it (BERT's basic tokenizer, then greedy WordPiece).

use std::collections::HashMap;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// What the table was distilled from, as the summary of `claims extract` names it.
pub const EMBEDDING_MODEL: &str = "all-MiniLM-L6-v2 (static embeddings)";

const MAGIC: &[u8; 4] = b"EMB\0";
const FORMAT_VERSION: u32 = 1;
/// Magic, version, rows, dimensions, vocabulary bytes, then the payload's SHA-256.
const HEADER_LEN: usize = 4 + 4 * 4 + 32;
/// Bounds a damaged header cannot push the allocation past.
const MAX_ROWS: usize = 1 << 20;
const MAX_DIMS: usize = 4096;
/// BERT's tokenizer gives up on longer words ([UNK]); so does this one.
const MAX_WORD_CHARS: usize = 100;
/// Tokens read per sentence, as the model reads at most 128 (its training length).
const MAX_TOKENS: usize = 128;

/// The table as built, when the repository had one at build time (see build.rs).
#[cfg(embedding_table)]
static BUILTIN_BYTES: Option<&[u8]> = Some(include_bytes!("../../models/embeddings.bin"));
#[cfg(not(embedding_table))]
static BUILTIN_BYTES: Option<&[u8]> = None;
static BUILTIN: OnceLock<Result<Embeddings, EmbeddingError>> = OnceLock::new();

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmbeddingError {
    #[error("not an embedding table (bad magic bytes)")]
    Magic,
    #[error("embedding table format {0} is not supported (this build reads {FORMAT_VERSION})")]
    Version(u32),
    #[error("embedding table is damaged: {0}")]
    Damaged(&'static str),
    #[error("embedding table is damaged: its SHA-256 does not match its contents")]
    Checksum,
}

/// A static token-embedding table and the WordPiece vocabulary it is indexed by.
pub struct Embeddings {
    /// The SHA-256 of the table's contents, as its header records it.
    sha256: [u8; 32],
    ids: HashMap<String, u32>,
    unknown: Option<u32>,
    dims: usize,
    scales: Vec<f32>,
    values: Vec<i8>,
}

impl std::fmt::Debug for Embeddings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embeddings")
            .field("tokens", &self.scales.len())
            .field("dims", &self.dims)
            .finish()
    }
}

/// A sentence's embedding, of unit length (or all zeros when no token was known).
#[derive(Debug, Clone, PartialEq)]
pub struct SentenceVector(Vec<f32>);

impl SentenceVector {
    /// Cosine similarity, in [-1, 1]; 0 against an empty vector.
    pub fn cosine(&self, other: &SentenceVector) -> f32 {
        self.0.iter().zip(&other.0).map(|(a, b)| a * b).sum()
    }

    /// The vector's components, for a model that reads the embedding as features.
    pub fn values(&self) -> &[f32] {
        &self.0
    }
}

fn read_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

impl Embeddings {
    /// The table built into this binary: `None` when the build had none, an error when it is
    /// damaged. Parsed and checked once.
    pub fn builtin() -> Option<Result<&'static Embeddings, EmbeddingError>> {
        let bytes = BUILTIN_BYTES?;
        Some(
            BUILTIN
                .get_or_init(|| Embeddings::from_bytes(bytes))
                .as_ref()
                .map_err(Clone::clone),
        )
    }

    /// Parses a table written by `models/build_embeddings.py`, checking its SHA-256.
    pub fn from_bytes(bytes: &[u8]) -> Result<Embeddings, EmbeddingError> {
        if bytes.len() < HEADER_LEN {
            return Err(EmbeddingError::Damaged("shorter than its header"));
        }
        if &bytes[..4] != MAGIC {
            return Err(EmbeddingError::Magic);
        }
        let version = read_u32(bytes, 4);
        if version != FORMAT_VERSION {
            return Err(EmbeddingError::Version(version));
        }
        let rows = read_u32(bytes, 8) as usize;
        let dims = read_u32(bytes, 12) as usize;
        let vocabulary_len = read_u32(bytes, 16) as usize;
        if rows == 0 || rows > MAX_ROWS || dims == 0 || dims > MAX_DIMS {
            return Err(EmbeddingError::Damaged("impossible table size"));
        }
        let payload = &bytes[HEADER_LEN..];
        if payload.len() != vocabulary_len + rows * 4 + rows * dims {
            return Err(EmbeddingError::Damaged("length does not match its header"));
        }
        if Sha256::digest(payload).as_slice() != &bytes[20..HEADER_LEN] {
            return Err(EmbeddingError::Checksum);
        }
        let (vocabulary, rest) = payload.split_at(vocabulary_len);
        let (scales, values) = rest.split_at(rows * 4);
        let vocabulary = std::str::from_utf8(vocabulary)
            .map_err(|_| EmbeddingError::Damaged("vocabulary is not UTF-8"))?;
        let tokens: Vec<&str> = vocabulary.split('\n').collect();
        if tokens.len() != rows {
            return Err(EmbeddingError::Damaged(
                "vocabulary size does not match its header",
            ));
        }
        let ids: HashMap<String, u32> = tokens
            .iter()
            .zip(0u32..)
            .map(|(token, id)| ((*token).to_owned(), id))
            .collect();
        let mut sha256 = [0u8; 32];
        sha256.copy_from_slice(&bytes[20..HEADER_LEN]);
        Ok(Embeddings {
            sha256,
            unknown: ids.get("[UNK]").copied(),
            ids,
            dims,
            scales: scales
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
            values: values.iter().map(|&b| b as i8).collect(),
        })
    }

    /// The SHA-256 of the table's contents: what a model trained on its vectors records.
    pub fn sha256(&self) -> &[u8; 32] {
        &self.sha256
    }

    /// The normalised mean of the sentence's token vectors. Unknown words add nothing.
    pub fn embed(&self, sentence: &str) -> SentenceVector {
        let mut sum = vec![0f32; self.dims];
        for id in self.token_ids(sentence).into_iter().take(MAX_TOKENS) {
            if Some(id) == self.unknown {
                continue;
            }
            let row = id as usize;
            let scale = self.scales[row];
            let values = &self.values[row * self.dims..(row + 1) * self.dims];
            for (total, &value) in sum.iter_mut().zip(values) {
                *total += f32::from(value) * scale;
            }
        }
        let norm = sum.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            sum.iter_mut().for_each(|x| *x /= norm);
        }
        SentenceVector(sum)
    }

    /// The sentence's WordPiece token ids, as the model's tokenizer gives them (without the
    /// [CLS] and [SEP] it adds around them).
    pub fn token_ids(&self, sentence: &str) -> Vec<u32> {
        let mut ids = Vec::new();
        for word in basic_tokens(sentence) {
            self.word_pieces(&word, &mut ids);
        }
        ids
    }

    /// Greedy longest-match-first WordPiece; a word that cannot be cut is one [UNK].
    fn word_pieces(&self, word: &str, ids: &mut Vec<u32>) {
        let chars: Vec<(usize, char)> = word.char_indices().collect();
        if chars.len() > MAX_WORD_CHARS {
            ids.extend(self.unknown);
            return;
        }
        let found_before = ids.len();
        let mut start = 0;
        let mut piece = String::new();
        while start < chars.len() {
            let mut end = chars.len();
            let mut found = None;
            while end > start {
                piece.clear();
                if start > 0 {
                    piece.push_str("##");
                }
                let from = chars[start].0;
                let to = chars.get(end).map_or(word.len(), |(at, _)| *at);
                piece.push_str(&word[from..to]);
                if let Some(&id) = self.ids.get(piece.as_str()) {
                    found = Some(id);
                    break;
                }
                end -= 1;
            }
            let Some(id) = found else {
                ids.truncate(found_before);
                ids.extend(self.unknown);
                return;
            };
            ids.push(id);
            start = end;
        }
    }
}

/// BERT's basic tokenizer for an uncased model: control characters dropped, lower case,
/// accents stripped, words split on whitespace and punctuation, each punctuation mark a token
/// of its own, each CJK ideograph too.
fn basic_tokens(sentence: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, words: &mut Vec<String>| {
        if !word.is_empty() {
            words.push(std::mem::take(word));
        }
    };
    for c in sentence.chars().flat_map(char::to_lowercase).nfd() {
        if is_combining_mark(c) || c == '\u{fffd}' || c == '\0' {
            continue;
        }
        if c.is_whitespace() || c.is_control() {
            flush(&mut word, &mut words);
        } else if is_punctuation(c) || is_cjk(c) {
            flush(&mut word, &mut words);
            words.push(c.to_string());
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut words);
    words
}

/// BERT's test: ASCII non-alphanumerics, and Unicode punctuation. Without a table of Unicode
/// categories, a non-ASCII character counts when it is neither alphanumeric nor a currency
/// or other symbol common in news copy, which BERT keeps inside words.
fn is_punctuation(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_punctuation();
    }
    !c.is_alphanumeric() && !matches!(c, '€' | '£' | '¥' | '₹' | '°' | '©' | '®' | '™' | '×')
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2A6DF | 0x2A700..=0x2B73F
        | 0x2B740..=0x2B81F | 0x2B820..=0x2CEAF | 0xF900..=0xFAFF | 0x2F800..=0x2FA1F)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A table in the shipped format over a small vocabulary, for tests that need no model:
    /// token i's vector is the i-th unit vector, so a sentence's vector counts its tokens.
    pub(crate) fn table(vocabulary: &[&str]) -> Vec<u8> {
        let rows = vocabulary.len();
        let dims = rows;
        let vocabulary = vocabulary.join("\n").into_bytes();
        let mut payload = vocabulary.clone();
        for _ in 0..rows {
            payload.extend_from_slice(&(1.0f32 / 127.0).to_le_bytes());
        }
        for row in 0..rows {
            payload.extend((0..dims).map(|col| if col == row { 127u8 } else { 0 }));
        }
        let mut bytes = MAGIC.to_vec();
        for value in [
            FORMAT_VERSION,
            rows as u32,
            dims as u32,
            vocabulary.len() as u32,
        ] {
            bytes.extend_from_slice(&value.to_le_bytes());
        }
        bytes.extend_from_slice(&Sha256::digest(&payload));
        bytes.extend(payload);
        bytes
    }

    const VOCABULARY: &[&str] = &[
        "[PAD]", "[UNK]", "the", "louvre", "was", "rob", "##bed", "##s", ",", "'", "s", "cafe",
        "thieves", "fled", "by", "car",
    ];

    fn tokens(embeddings: &Embeddings, sentence: &str) -> Vec<String> {
        let names: HashMap<u32, &str> = embeddings
            .ids
            .iter()
            .map(|(name, id)| (*id, name.as_str()))
            .collect();
        embeddings
            .token_ids(sentence)
            .into_iter()
            .map(|id| names[&id].to_owned())
            .collect()
    }

    #[test]
    fn sentences_are_cut_as_bert_cuts_them() {
        let embeddings = Embeddings::from_bytes(&table(VOCABULARY)).unwrap();
        assert_eq!(
            tokens(&embeddings, "The Louvre was robbed, the Louvre's café robs"),
            [
                "the", "louvre", "was", "rob", "##bed", ",", "the", "louvre", "'", "s", "cafe",
                "rob", "##s"
            ]
        );
        // A word that cannot be cut whole is one unknown token, not a partial one.
        assert_eq!(tokens(&embeddings, "robx thieves"), ["[UNK]", "thieves"]);
        assert_eq!(tokens(&embeddings, ""), Vec::<String>::new());
    }

    #[test]
    fn a_sentence_is_the_normalised_mean_of_its_tokens() {
        let embeddings = Embeddings::from_bytes(&table(VOCABULARY)).unwrap();
        let a = embeddings.embed("thieves fled by car");
        let b = embeddings.embed("The thieves fled");
        // Two of four unit vectors shared against two of three: 2 / (2 * sqrt 3).
        assert!((a.cosine(&b) - 2.0 / (2.0 * 3f32.sqrt())).abs() < 1e-4);
        assert!((a.cosine(&a) - 1.0).abs() < 1e-4);
        // Unknown words add nothing; a sentence of them has no direction.
        let unknown = embeddings.embed("zzz qqq");
        assert_eq!(unknown.cosine(&a), 0.0);
    }

    #[test]
    fn a_damaged_table_is_refused() {
        let good = table(VOCABULARY);
        assert!(Embeddings::from_bytes(&good).is_ok());
        let mut flipped = good.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert_eq!(
            Embeddings::from_bytes(&flipped).unwrap_err(),
            EmbeddingError::Checksum
        );
        let mut magic = good.clone();
        magic[0] = b'X';
        assert_eq!(
            Embeddings::from_bytes(&magic).unwrap_err(),
            EmbeddingError::Magic
        );
        let mut version = good.clone();
        version[4] = 9;
        assert_eq!(
            Embeddings::from_bytes(&version).unwrap_err(),
            EmbeddingError::Version(9)
        );
        assert!(matches!(
            Embeddings::from_bytes(&good[..good.len() - 1]),
            Err(EmbeddingError::Damaged(_))
        ));
        assert!(matches!(
            Embeddings::from_bytes(&good[..10]),
            Err(EmbeddingError::Damaged(_))
        ));
    }

    #[test]
    #[cfg(embedding_table)]
    fn the_shipped_table_loads_and_tells_related_sentences_apart() {
        let embeddings = Embeddings::builtin().unwrap().unwrap();
        let stolen = embeddings.embed("Thieves stole eight pieces of jewellery from the Louvre.");
        let taken = embeddings.embed("Eight priceless jewels were taken from the Paris museum.");
        let rates = embeddings.embed("The central bank cut interest rates by a quarter point.");
        assert!(
            stolen.cosine(&taken) > stolen.cosine(&rates) + 0.2,
            "{} vs {}",
            stolen.cosine(&taken),
            stolen.cosine(&rates)
        );
    }
}
