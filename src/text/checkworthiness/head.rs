//! The stacked head: a logistic regression over the n-gram model's logit and the sentence's
//! static embedding (`models/embeddings.bin`). The n-gram model sees the words; the embedding
//! tells what kind of statement a sentence is (a forecast, a vow, a scene) in words the
//! debates never used. A head only makes sense over the n-gram model and the embedding table
//! it was trained with, so it records both and is refused over any other.

use sha2::{Digest, Sha256};

use super::{CHECKSUM_LEN, ModelError, Thresholds, check_preamble, checked_body, fnv1a, sigmoid};
use crate::text::SentenceVector;

const MAGIC: &[u8; 4] = b"CWH\0";
/// Version 1 held one threshold, read as the threshold of both genres.
const FORMAT_VERSION: u32 = 2;
/// Magic, version, input count, the two SHA-256 it was trained with, bias, the article
/// threshold, and from version 2 the transcript threshold.
const fn header_len(version: u32) -> usize {
    4 + 4 + 4 + 32 + 32 + 4 + 4 + if version >= 2 { 4 } else { 0 }
}
/// The head reads the n-gram logit and a 256-dimension embedding; the bound keeps a damaged
/// header from asking for a huge allocation.
const MAX_INPUTS: usize = 4096;
/// Embedding components are about 1/16 for a unit vector of 256 dimensions; scaled by 16 they
/// are of the order of one, as the logit is, so one L2 penalty suits every weight.
const EMBEDDING_SCALE: f32 = 16.0;
/// The n-gram score is clamped away from 0 and 1 before taking its logit.
const SCORE_FLOOR: f32 = 1e-6;

#[derive(Clone, PartialEq)]
pub struct Head {
    ngrams_sha256: [u8; 32],
    embeddings_sha256: [u8; 32],
    bias: f32,
    thresholds: Thresholds,
    weights: Vec<f32>,
}

impl std::fmt::Debug for Head {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Head")
            .field("inputs", &self.weights.len())
            .field("bias", &self.bias)
            .field("thresholds", &self.thresholds)
            .finish()
    }
}

/// The head's inputs for one sentence: the n-gram model's logit, then the embedding's
/// components. Training and scoring both go through this function.
pub fn inputs(ngram_score: f32, embedding: &SentenceVector) -> Vec<f32> {
    let p = ngram_score.clamp(SCORE_FLOOR, 1.0 - SCORE_FLOOR);
    std::iter::once((p / (1.0 - p)).ln())
        .chain(embedding.values().iter().map(|x| x * EMBEDDING_SCALE))
        .collect()
}

/// The SHA-256 of a file's bytes.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

impl Head {
    /// A head of trained weights (one per input) and a bias, over the n-gram model and the
    /// embedding table of the given SHA-256; the thresholds are 0.5 until they are chosen.
    pub fn new(
        weights: Vec<f32>,
        bias: f32,
        ngrams_sha256: [u8; 32],
        embeddings_sha256: [u8; 32],
    ) -> Head {
        Head {
            ngrams_sha256,
            embeddings_sha256,
            bias,
            thresholds: Thresholds::UNCHOSEN,
            weights,
        }
    }

    /// The same head deciding at `thresholds`.
    pub fn with_thresholds(self, thresholds: Thresholds) -> Head {
        Head { thresholds, ..self }
    }

    /// Probability-like check-worthiness from the sentence's [`inputs`].
    pub fn score(&self, inputs: &[f32]) -> f32 {
        let z: f32 = self
            .weights
            .iter()
            .zip(inputs)
            .map(|(weight, input)| weight * input)
            .sum();
        sigmoid(self.bias + z)
    }

    pub fn thresholds(&self) -> Thresholds {
        self.thresholds
    }

    /// The SHA-256 of the n-gram model file it was trained over.
    pub fn ngrams_sha256(&self) -> &[u8; 32] {
        &self.ngrams_sha256
    }

    /// The SHA-256 of the embedding table it was trained with (as the table records it).
    pub fn embeddings_sha256(&self) -> &[u8; 32] {
        &self.embeddings_sha256
    }

    /// Serialises the head (little-endian, with a checksum), in the current format.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes =
            Vec::with_capacity(header_len(FORMAT_VERSION) + 4 * self.weights.len() + CHECKSUM_LEN);
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        bytes.extend_from_slice(&(self.weights.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&self.ngrams_sha256);
        bytes.extend_from_slice(&self.embeddings_sha256);
        bytes.extend_from_slice(&self.bias.to_le_bytes());
        self.thresholds.write(&mut bytes);
        for weight in &self.weights {
            bytes.extend_from_slice(&weight.to_le_bytes());
        }
        let checksum = fnv1a(&bytes);
        bytes.extend_from_slice(&checksum.to_le_bytes());
        bytes
    }

    /// Parses a head written by [`Head::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Head, ModelError> {
        let version = check_preamble(bytes, MAGIC, FORMAT_VERSION, header_len)?;
        let header_len = header_len(version);
        let word = |at: usize| [bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]];
        let count = u32::from_le_bytes(word(8)) as usize;
        if count == 0 || count > MAX_INPUTS {
            return Err(ModelError::InvalidHeader("input count out of range"));
        }
        let body = checked_body(bytes, header_len + 4 * count)?;
        let digest = |at: usize| -> [u8; 32] {
            let mut out = [0u8; 32];
            out.copy_from_slice(&bytes[at..at + 32]);
            out
        };
        let bias = f32::from_le_bytes(word(76));
        if !bias.is_finite() {
            return Err(ModelError::InvalidHeader("non-finite bias"));
        }
        let thresholds = Thresholds::read(bytes, 80, version)?;
        let weights: Vec<f32> = body[header_len..]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        if !weights.iter().all(|w| w.is_finite()) {
            return Err(ModelError::InvalidHeader("non-finite weight"));
        }
        Ok(Head {
            ngrams_sha256: digest(12),
            embeddings_sha256: digest(44),
            bias,
            thresholds,
            weights,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small_head() -> Head {
        let weights: Vec<f32> = (0..9).map(|i| (i as f32 - 4.0) / 8.0).collect();
        Head::new(weights, -0.25, [1; 32], [2; 32])
            .with_thresholds(Thresholds::new(0.4, 0.3).expect("valid thresholds"))
    }

    #[test]
    fn bytes_round_trip() {
        let head = small_head();
        let bytes = head.to_bytes();
        assert_eq!(bytes.len(), header_len(2) + 4 * 9 + CHECKSUM_LEN);
        let parsed = Head::from_bytes(&bytes).expect("a valid head");
        assert_eq!(parsed, head);
        assert_eq!(parsed.to_bytes(), bytes);
        assert_eq!(
            (parsed.ngrams_sha256(), parsed.embeddings_sha256()),
            (&[1; 32], &[2; 32])
        );
        assert_eq!(parsed.thresholds(), Thresholds::new(0.4, 0.3).unwrap());
    }

    #[test]
    fn a_version_1_head_decides_at_its_one_threshold_for_both_genres() {
        let bytes = super::super::tests::as_version_1(&small_head().to_bytes(), 80);
        assert_eq!(bytes.len(), header_len(1) + 4 * 9 + CHECKSUM_LEN);
        let parsed = Head::from_bytes(&bytes).expect("a version 1 head");
        assert_eq!(parsed.thresholds(), Thresholds::both(0.4).unwrap());
        assert_eq!(parsed.weights, small_head().weights);
        // Written again, it is a version 2 file.
        assert_eq!(parsed.to_bytes()[4], 2);
    }

    #[test]
    fn damaged_heads_are_refused() {
        let bytes = small_head().to_bytes();
        assert!(matches!(
            Head::from_bytes(&bytes[..bytes.len() - 1]),
            Err(ModelError::WrongLength { .. })
        ));
        assert!(matches!(
            Head::from_bytes(&[]),
            Err(ModelError::WrongLength { .. })
        ));
        let mut flipped = bytes.clone();
        flipped[header_len(2) + 5] ^= 0x10;
        assert!(matches!(
            Head::from_bytes(&flipped),
            Err(ModelError::ChecksumMismatch)
        ));
        let mut magic = bytes.clone();
        magic[0] = b'X';
        assert!(matches!(
            Head::from_bytes(&magic),
            Err(ModelError::BadMagic)
        ));
        let mut version = bytes.clone();
        version[4] = 9;
        assert!(matches!(
            Head::from_bytes(&version),
            Err(ModelError::UnsupportedVersion(9))
        ));
        let mut huge = bytes;
        huge[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            Head::from_bytes(&huge),
            Err(ModelError::InvalidHeader(_))
        ));
        let mut outside = small_head().to_bytes();
        outside[84..88].copy_from_slice(&1.5f32.to_le_bytes());
        let outside = super::super::tests::checksummed(&outside[..outside.len() - CHECKSUM_LEN]);
        assert!(matches!(
            Head::from_bytes(&outside),
            Err(ModelError::InvalidHeader("threshold outside 0..=1"))
        ));
    }

    #[test]
    fn a_head_scores_the_logistic_of_its_weighted_inputs() {
        let head = Head::new(vec![2.0, -1.0], 0.5, [0; 32], [0; 32]);
        assert_eq!(head.score(&[0.0, 0.0]), sigmoid(0.5));
        assert_eq!(head.score(&[1.0, 3.0]), sigmoid(0.5 + 2.0 - 3.0));
        assert_eq!(head.thresholds(), Thresholds::both(0.5).unwrap());
    }

    #[test]
    fn inputs_are_the_ngram_logit_then_the_scaled_embedding() {
        let embeddings = crate::text::Embeddings::builtin()
            .expect("the repository's table")
            .expect("an intact table");
        let embedding = embeddings.embed("The death toll rose to 381.");
        let found = inputs(0.8, &embedding);
        assert_eq!(found.len(), 1 + embedding.values().len());
        assert!((found[0] - 4f32.ln()).abs() < 1e-6, "{}", found[0]);
        assert_eq!(found[1], embedding.values()[0] * EMBEDDING_SCALE);
        // Scores of exactly 0 and 1 are clamped, so the logit stays finite.
        assert!(inputs(0.0, &embedding)[0].is_finite() && inputs(1.0, &embedding)[0].is_finite());
    }
}
