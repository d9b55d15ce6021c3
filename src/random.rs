//! Randomness from the operating system, for secrets and generated passwords.

/// `len` random bytes. Without an operating-system random source nothing here could be
/// kept secret, so its failure is fatal.
pub fn bytes(len: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; len];
    getrandom::getrandom(&mut bytes).expect("the operating system's random source failed");
    bytes
}
