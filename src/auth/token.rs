//! The secret part of an API token: how it is made, recognised and hashed.
//!
//! A token is `tal_` followed by 43 characters of URL-safe base64: 32 random bytes (256 bits) from
//! the operating system. The prefix makes leaked tokens easy to spot (secret scanners, logs); the
//! fixed shape lets a malformed token be refused without a database round trip. Tokens carry enough
//! entropy that one unsalted SHA-256 is the right hash: it is what the database keeps and looks up.

use std::fmt;

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

/// The prefix of every token.
pub const PREFIX: &str = "tal_";
/// Random bytes in a token.
const RANDOM_BYTES: usize = 32;
/// Characters after the prefix: 32 bytes in unpadded base64.
const BODY_LEN: usize = 43;
/// Characters of the token kept as its hint, prefix included.
const HINT_LEN: usize = PREFIX.len() + 6;

/// A token in clear. Shown once, when created; its `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// A new random token.
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut bytes = [0u8; RANDOM_BYTES];
        getrandom::fill(&mut bytes)?;
        Ok(Self(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))))
    }

    /// The token a client sent, if it has the shape of one.
    pub fn parse(token: &str) -> Option<Self> {
        let body = token.strip_prefix(PREFIX)?;
        let well_formed = body.len() == BODY_LEN
            && body
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            && URL_SAFE_NO_PAD.decode(body).is_ok();
        well_formed.then(|| Self(token.to_owned()))
    }

    /// The token itself, to show its owner once.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What the database stores and looks tokens up by: lower-case hex SHA-256.
    pub fn hash(&self) -> String {
        format!("{:x}", Sha256::digest(self.0.as_bytes()))
    }

    /// The first characters, safe to show in listings.
    pub fn hint(&self) -> String {
        self.0.chars().take(HINT_LEN).collect()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({}…)", self.hint())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_have_the_prefix_and_parse_back() -> Result<(), getrandom::Error> {
        let secret = Secret::generate()?;
        assert!(secret.expose().starts_with("tal_"));
        assert_eq!(secret.expose().len(), PREFIX.len() + BODY_LEN);
        assert_eq!(Secret::parse(secret.expose()), Some(secret));
        Ok(())
    }

    #[test]
    fn two_generated_tokens_differ() -> Result<(), getrandom::Error> {
        assert_ne!(Secret::generate()?, Secret::generate()?);
        Ok(())
    }

    #[test]
    fn tokens_of_the_wrong_shape_do_not_parse() {
        let body = "A".repeat(BODY_LEN);
        for token in [
            String::new(),
            "tal_".to_owned(),
            format!("tok_{body}"),
            format!("tal_{body}A"),
            format!("tal_{}", &body[1..]),
            format!("tal_{}+", &body[1..]),
            format!("tal_{}=", &body[1..]),
        ] {
            assert_eq!(Secret::parse(&token), None, "{token:?}");
        }
    }

    #[test]
    fn the_hash_is_hex_sha256_of_the_whole_token() {
        let secret = Secret(format!("tal_{}", "A".repeat(BODY_LEN)));
        let hash = secret.hash();
        assert_eq!(hash.len(), 64);
        assert!(
            hash.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert_eq!(
            hash,
            format!("{:x}", Sha256::digest(secret.expose().as_bytes()))
        );
    }

    #[test]
    fn debug_output_hides_the_secret() -> Result<(), getrandom::Error> {
        let secret = Secret::generate()?;
        let shown = format!("{secret:?}");
        assert!(!shown.contains(secret.expose()));
        assert!(shown.contains(&secret.hint()));
        Ok(())
    }
}
