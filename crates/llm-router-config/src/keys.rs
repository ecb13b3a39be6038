//! Caller keys: only their SHA-256 is kept, whether the file gave the key (through an
//! environment variable) or the hash.

use sha2::{Digest, Sha256};

/// The SHA-256 of a caller key, as the gateway compares it.
pub fn sha256(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

/// Compares two digests without an early exit.
pub(crate) fn digests_equal(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Reads 64 hex digits.
pub(crate) fn decode_sha256(hex: &str) -> Result<[u8; 32], String> {
    let hex = hex.trim();
    let bad = || {
        format!(
            "expected 64 hex digits (the SHA-256 of the key), got {} characters",
            hex.len()
        )
    };
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let mut out = [0u8; 32];
    for (i, slot) in out.iter_mut().enumerate() {
        let pair = hex.get(i * 2..i * 2 + 2).ok_or_else(bad)?;
        *slot = u8::from_str_radix(pair, 16).map_err(|_| bad())?;
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn hashes_round_trip() {
        // sha256("abc")
        let hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(decode_sha256(hex).unwrap(), sha256("abc"));
        assert_eq!(decode_sha256(&hex.to_uppercase()).unwrap(), sha256("abc"));
        assert!(decode_sha256("abc").is_err());
        assert!(digests_equal(&sha256("a"), &sha256("a")));
        assert!(!digests_equal(&sha256("a"), &sha256("b")));
        assert!(decode_sha256(&"zz".repeat(32)).is_err());
    }
}
