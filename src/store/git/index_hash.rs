//! The checksum at the end of git's index, computed so that it can resume mid-file.
//!
//! At 100,000 claims the index is 10 MB, and hashing it is a fifth of a note's time. A note
//! changes one entry; every byte before it is what the last write hashed. So the hash's
//! state is kept every `CHECKPOINT_EVERY` bytes in a small cache file, keyed by the length
//! and checksum of the index it describes, and the next write starts from the last state
//! before its first change. The states are SHA-1's own five words, fed through the `sha1`
//! crate's compression function, so the cache means the same whatever that crate's version.

use sha1::block_api::compress;
use sha1::{Digest, Sha1};

const BLOCK: usize = 64;
/// SHA-1's initial state.
const INITIAL: [u32; 5] = [
    0x6745_2301,
    0xEFCD_AB89,
    0x98BA_DCFE,
    0x1032_5476,
    0xC3D2_E1F0,
];
/// How far apart the saved states are: a multiple of the block size. At 256 KiB a
/// 10 MB index keeps 37 states in 800 bytes, and a resumed write hashes at most 256 KiB more
/// than it must.
#[cfg(not(test))]
pub(crate) const CHECKPOINT_EVERY: usize = 256 * 1024;
#[cfg(test)]
pub(crate) const CHECKPOINT_EVERY: usize = 4 * BLOCK;
const MAGIC: &[u8; 8] = b"CLMIDXH1";
const HASH_LEN: usize = 20;

/// SHA-1 over a stream, whose state can be saved at block boundaries and resumed.
#[derive(Clone)]
pub(crate) struct ResumableSha1 {
    state: [u32; 5],
    /// Bytes hashed so far, the buffered ones included.
    len: u64,
    buffer: [u8; BLOCK],
}

impl ResumableSha1 {
    pub(crate) fn new() -> ResumableSha1 {
        ResumableSha1::resume(INITIAL, 0)
    }

    /// Continues from the state after `len` bytes, a multiple of the block size.
    fn resume(state: [u32; 5], len: u64) -> ResumableSha1 {
        ResumableSha1 {
            state,
            len,
            buffer: [0; BLOCK],
        }
    }

    fn buffered(&self) -> usize {
        (self.len % BLOCK as u64) as usize
    }

    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    pub(crate) fn update(&mut self, mut bytes: &[u8]) {
        let buffered = self.buffered();
        self.len += bytes.len() as u64;
        if buffered > 0 {
            let take = bytes.len().min(BLOCK - buffered);
            self.buffer[buffered..buffered + take].copy_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if buffered + take < BLOCK {
                return;
            }
            compress(&mut self.state, &[self.buffer]);
        }
        let (blocks, rest) = bytes.as_chunks::<BLOCK>();
        compress(&mut self.state, blocks);
        self.buffer[..rest.len()].copy_from_slice(rest);
    }

    /// The state, when the bytes hashed so far are a whole number of blocks.
    fn state(&self) -> Option<[u32; 5]> {
        (self.buffered() == 0).then_some(self.state)
    }

    pub(crate) fn finalize(mut self) -> [u8; HASH_LEN] {
        let buffered = self.buffered();
        let mut tail = [0u8; 2 * BLOCK];
        tail[..buffered].copy_from_slice(&self.buffer[..buffered]);
        tail[buffered] = 0x80;
        let end = if buffered < BLOCK - 8 {
            BLOCK
        } else {
            2 * BLOCK
        };
        tail[end - 8..end].copy_from_slice(&(self.len * 8).to_be_bytes());
        compress(&mut self.state, tail[..end].as_chunks::<BLOCK>().0);
        let mut out = [0; HASH_LEN];
        for (chunk, word) in out.chunks_exact_mut(4).zip(self.state) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        out
    }
}

/// Saved hash states of one index file: `states[i]` has hashed its first
/// `(i + 1) × CHECKPOINT_EVERY` bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Checkpoints {
    /// The file's length and checksum, which say which file the states belong to.
    len: u64,
    checksum: [u8; HASH_LEN],
    states: Vec<[u32; 5]>,
}

impl Checkpoints {
    /// A hasher for a new version of the file described by `len` and `checksum`, whose first
    /// `unchanged` bytes are the same: it has hashed as many of them as the saved states
    /// allow, and goes on saving a state every `CHECKPOINT_EVERY` bytes.
    pub(crate) fn resume(
        saved: Option<Checkpoints>,
        len: u64,
        checksum: &[u8],
        unchanged: usize,
    ) -> CheckpointingHasher {
        let mut states = match saved {
            Some(saved) if saved.len == len && saved.checksum == checksum => saved.states,
            _ => Vec::new(),
        };
        states.truncate(unchanged / CHECKPOINT_EVERY);
        let hash = match states.last() {
            Some(&state) => ResumableSha1::resume(state, (states.len() * CHECKPOINT_EVERY) as u64),
            None => ResumableSha1::new(),
        };
        CheckpointingHasher { hash, states }
    }

    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(MAGIC.len() + 32 + 20 * self.states.len() + HASH_LEN);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(CHECKPOINT_EVERY as u64).to_le_bytes());
        out.extend_from_slice(&self.len.to_le_bytes());
        out.extend_from_slice(&self.checksum);
        out.extend_from_slice(&(self.states.len() as u32).to_le_bytes());
        for state in &self.states {
            for word in state {
                out.extend_from_slice(&word.to_le_bytes());
            }
        }
        let own = Sha1::digest(&out);
        out.extend_from_slice(&own);
        out
    }

    /// The states in `bytes`, or `None` for a file that is damaged (a cache written without
    /// flushing can be cut short by a power cut) or was written with other settings.
    pub(crate) fn decode(bytes: &[u8]) -> Option<Checkpoints> {
        let (body, trailer) = bytes.split_at_checked(bytes.len().checked_sub(HASH_LEN)?)?;
        if Sha1::digest(body).as_slice() != trailer {
            return None;
        }
        let body = body.strip_prefix(MAGIC)?;
        let (every, body) = body.split_first_chunk::<8>()?;
        if u64::from_le_bytes(*every) != CHECKPOINT_EVERY as u64 {
            return None;
        }
        let (len, body) = body.split_first_chunk::<8>()?;
        let (checksum, body) = body.split_first_chunk::<HASH_LEN>()?;
        let (count, body) = body.split_first_chunk::<4>()?;
        let (words, rest) = body.as_chunks::<4>();
        if !rest.is_empty() || words.len() != 5 * u32::from_le_bytes(*count) as usize {
            return None;
        }
        let states = words
            .chunks_exact(5)
            .map(|state| std::array::from_fn(|i| u32::from_le_bytes(state[i])))
            .collect();
        Some(Checkpoints {
            len: u64::from_le_bytes(*len),
            checksum: *checksum,
            states,
        })
    }
}

/// A hasher that saves its state every `CHECKPOINT_EVERY` bytes.
pub(crate) struct CheckpointingHasher {
    hash: ResumableSha1,
    states: Vec<[u32; 5]>,
}

impl CheckpointingHasher {
    /// How many bytes from the start the hash has covered; the caller feeds the rest.
    pub(crate) fn position(&self) -> usize {
        self.hash.len() as usize
    }

    pub(crate) fn update(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let to_boundary = CHECKPOINT_EVERY - self.position() % CHECKPOINT_EVERY;
            let (now, later) = bytes.split_at(to_boundary.min(bytes.len()));
            self.hash.update(now);
            if let Some(state) = self.hash.state()
                && self.position() == (self.states.len() + 1) * CHECKPOINT_EVERY
            {
                self.states.push(state);
            }
            bytes = later;
        }
    }

    /// The checksum, and the states of the file it ends.
    pub(crate) fn finalize(self) -> ([u8; HASH_LEN], Checkpoints) {
        let len = self.hash.len() + HASH_LEN as u64;
        let checksum = self.hash.finalize();
        let checkpoints = Checkpoints {
            len,
            checksum,
            states: self.states,
        };
        (checksum, checkpoints)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn reference(bytes: &[u8]) -> [u8; HASH_LEN] {
        Sha1::digest(bytes).into()
    }

    /// The whole of `bytes` and its checksum, hashed from `unchanged` on with `saved`.
    fn checkpointed(
        bytes: &[u8],
        saved: Option<Checkpoints>,
        old: (u64, [u8; HASH_LEN]),
        unchanged: usize,
    ) -> ([u8; HASH_LEN], Checkpoints, usize) {
        let mut hasher = Checkpoints::resume(saved, old.0, &old.1, unchanged);
        let resumed_at = hasher.position();
        hasher.update(&bytes[resumed_at..]);
        let (checksum, checkpoints) = hasher.finalize();
        (checksum, checkpoints, resumed_at)
    }

    proptest! {
        #[test]
        fn streamed_in_pieces_it_is_sha1(
            bytes in proptest::collection::vec(any::<u8>(), 0..700),
            cuts in proptest::collection::vec(0usize..700, 0..6),
        ) {
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(bytes.len())).collect();
            cuts.sort();
            let mut hash = ResumableSha1::new();
            let mut from = 0;
            for cut in cuts.into_iter().chain([bytes.len()]) {
                hash.update(&bytes[from..cut]);
                from = cut;
            }
            prop_assert_eq!(hash.finalize(), reference(&bytes));
        }

        #[test]
        fn resumed_from_saved_states_it_is_sha1_of_the_new_file(
            old in proptest::collection::vec(any::<u8>(), 0..3000),
            at in 0usize..3000,
            patch in proptest::collection::vec(any::<u8>(), 0..100),
        ) {
            let (old_sum, saved, _) = checkpointed(&old, None, (0, [0; HASH_LEN]), 0);
            prop_assert_eq!(old_sum, reference(&old));
            let old_key = ((old.len() + HASH_LEN) as u64, old_sum);
            let at = at.min(old.len());
            let mut new = old[..at].to_vec();
            new.extend_from_slice(&patch);
            new.extend_from_slice(&old[(at + patch.len()).min(old.len())..]);
            let encoded = saved.encode();
            let (sum, _, resumed_at) =
                checkpointed(&new, Checkpoints::decode(&encoded), old_key, at);
            prop_assert_eq!(sum, reference(&new));
            prop_assert!(resumed_at <= at);
            prop_assert_eq!(resumed_at, at / CHECKPOINT_EVERY * CHECKPOINT_EVERY);
        }
    }

    #[test]
    fn states_of_another_file_are_not_used() {
        let old = vec![7u8; 2000];
        let (sum, saved, _) = checkpointed(&old, None, (0, [0; HASH_LEN]), 0);
        let other_key = ((old.len() + HASH_LEN) as u64, [1; HASH_LEN]);
        let mut new = old.clone();
        new[1500] = 8;
        let (checksum, _, resumed_at) = checkpointed(&new, Some(saved), other_key, 1500);
        assert_eq!(resumed_at, 0);
        assert_eq!(checksum, reference(&new));
        assert_ne!(checksum, sum);
    }

    #[test]
    fn a_damaged_or_foreign_cache_is_not_read() {
        let (_, saved, _) = checkpointed(&[3u8; 2000], None, (0, [0; HASH_LEN]), 0);
        let encoded = saved.encode();
        assert_eq!(Checkpoints::decode(&encoded).as_ref(), Some(&saved));
        for cut in [0, 1, HASH_LEN, encoded.len() / 2, encoded.len() - 1] {
            assert_eq!(Checkpoints::decode(&encoded[..cut]), None, "cut at {cut}");
        }
        let mut flipped = encoded.clone();
        flipped[MAGIC.len() + 20] ^= 1;
        assert_eq!(Checkpoints::decode(&flipped), None);
        let mut other_spacing = encoded.clone();
        other_spacing[MAGIC.len()] ^= 1;
        let body = other_spacing.len() - HASH_LEN;
        let trailer = Sha1::digest(&other_spacing[..body]);
        other_spacing[body..].copy_from_slice(&trailer);
        assert_eq!(Checkpoints::decode(&other_spacing), None);
    }
}
