//! Reading the big-endian integers and varints of git's binary formats (the index, pack
//! indexes and packs).

/// A big-endian u16 at `at`; `bytes` must hold it.
pub(crate) fn be16(bytes: &[u8], at: usize) -> u16 {
    u16::from_be_bytes(bytes[at..at + 2].try_into().expect("two bytes"))
}

/// A big-endian u32 at `at`; `bytes` must hold it.
pub(crate) fn be32(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(bytes[at..at + 4].try_into().expect("four bytes"))
}

/// Git's offset varint (an index's path compression, a delta's distance to its base in a
/// pack): returns it and where it ends, `None` when truncated or too large.
pub(crate) fn offset_varint(bytes: &[u8], mut at: usize) -> Option<(usize, usize)> {
    let mut byte = *bytes.get(at)?;
    at += 1;
    let mut value = usize::from(byte & 0x7f);
    while byte & 0x80 != 0 {
        byte = *bytes.get(at)?;
        at += 1;
        value = value.checked_add(1)?.checked_mul(128)? | usize::from(byte & 0x7f);
    }
    Some((value, at))
}
