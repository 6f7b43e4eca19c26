//! Persisted documents: Automatic Persisted Queries as Apollo's clients send them
//! (`extensions.persistedQuery { version: 1, sha256Hash }`), and trusted documents, the manifest of
//! documents a deployment's own clients were built with, outside which nothing runs.
//!
//! A request is read in two steps. [`Persisted::lookup`] gives it its text: from the manifest or
//! the automatic store when it sends a hash alone, after checking the hash when it sends both (the
//! pair is then kept, so the next request can send the hash alone). [`Persisted::admit`] runs once
//! the caller is known: with trusted documents on, only a manifest document runs, by hash or by
//! identical text, except for admins when the bypass is on.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
};

use async_graphql::{Request, ServerError, Value};
use sha2::{Digest, Sha256};

use crate::error::ErrorCode;

/// The message Apollo's clients look for (they match the message, not the code) before sending
/// the text with its hash.
pub const NOT_FOUND_MESSAGE: &str = "PersistedQueryNotFound";

/// The hash clients compute of a document's text: SHA-256, in lower-case hex.
pub fn hash(text: &str) -> String {
    sha256_hex(text.as_bytes())
}

/// The SHA-256 of `bytes`, in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The documents a deployment's clients were built with: the manifest GraphQL Code Generator's
/// client preset writes with `persistedDocuments: true`, a JSON object of hash to document.
#[derive(Debug, Default)]
pub struct Trusted {
    by_hash: HashMap<String, Arc<str>>,
    texts: HashSet<Arc<str>>,
}

impl Trusted {
    /// The manifest in `json`; what is wrong with it, for the operator, otherwise.
    pub fn from_manifest(json: &str) -> Result<Self, String> {
        let manifest: HashMap<String, String> = serde_json::from_str(json).map_err(|err| {
            format!("a manifest is a JSON object of hash to document text: {err}")
        })?;
        if manifest.is_empty() {
            return Err("the manifest lists no document".to_owned());
        }
        let mut trusted = Self::default();
        for (hash, text) in manifest {
            // GraphQL Code Generator writes `sha256:<hex>`; the hash alone is what clients send.
            let hash = hash.strip_prefix("sha256:").unwrap_or(&hash).to_owned();
            let text: Arc<str> = text.into();
            trusted.texts.insert(text.clone());
            trusted.by_hash.insert(hash, text);
        }
        Ok(trusted)
    }

    /// How many documents the manifest lists.
    pub fn len(&self) -> usize {
        self.by_hash.len()
    }

    /// Whether the manifest lists no document (never, once read).
    pub fn is_empty(&self) -> bool {
        self.by_hash.is_empty()
    }
}

/// The persisted documents of a server: the automatic store and, when configured, the manifest.
pub struct Persisted {
    automatic: Option<moka::sync::Cache<String, Arc<str>>>,
    trusted: Option<Trusted>,
    admin_bypass: bool,
}

impl std::fmt::Debug for Persisted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Persisted")
            .field(
                "automatic",
                &self.automatic.as_ref().map(|cache| cache.weighted_size()),
            )
            .field("trusted", &self.trusted.as_ref().map(Trusted::len))
            .field("admin_bypass", &self.admin_bypass)
            .finish()
    }
}

impl Persisted {
    /// Keeps automatic persisted queries up to `automatic_bytes` of text (0: none kept, a hash
    /// alone is then always unknown); with `trusted`, runs only its documents, except for admins
    /// when `admin_bypass` is on.
    pub fn new(automatic_bytes: u64, trusted: Option<Trusted>, admin_bypass: bool) -> Self {
        let automatic = (automatic_bytes > 0).then(|| {
            moka::sync::Cache::builder()
                .max_capacity(automatic_bytes)
                .weigher(|hash: &String, text: &Arc<str>| {
                    u32::try_from(hash.len() + text.len()).unwrap_or(u32::MAX)
                })
                .build()
        });
        Self {
            automatic,
            trusted,
            admin_bypass,
        }
    }

    /// Whether only trusted documents run.
    pub fn trusted_only(&self) -> bool {
        self.trusted.is_some()
    }

    /// Gives `request` the text its `persistedQuery` extension names, or checks the hash it sends
    /// with its text (and keeps the pair). A request without the extension is left as it is.
    pub fn lookup(&self, request: &mut Request) -> Result<(), ServerError> {
        let Some(extension) = request.extensions.0.remove("persistedQuery") else {
            return Ok(());
        };
        let hash = requested_hash(&extension)?;
        if request.query.is_empty() {
            let text = self
                .trusted
                .as_ref()
                .and_then(|trusted| trusted.by_hash.get(&hash).cloned())
                .or_else(|| self.automatic.as_ref().and_then(|cache| cache.get(&hash)));
            return match text {
                Some(text) => {
                    request.query = text.to_string();
                    Ok(())
                }
                None if self.trusted.is_some() && !self.admin_bypass => Err(not_allowed()),
                None => Err(refusal(
                    ErrorCode::PersistedQueryNotFound,
                    NOT_FOUND_MESSAGE.to_owned(),
                )),
            };
        }
        if hash != self::hash(&request.query) {
            return Err(refusal(
                ErrorCode::BadRequest,
                "`extensions.persistedQuery.sha256Hash` is not the SHA-256 of `query`".to_owned(),
            ));
        }
        if let Some(cache) = &self.automatic {
            cache.insert(hash, request.query.as_str().into());
        }
        Ok(())
    }

    /// Refuses a document outside the manifest when only trusted documents run, unless the caller
    /// is an admin (`admin`) and the bypass is on.
    pub fn admit(&self, request: &Request, admin: bool) -> Result<(), ServerError> {
        let Some(trusted) = &self.trusted else {
            return Ok(());
        };
        let listed = trusted.texts.contains(request.query.as_str());
        if listed || (self.admin_bypass && admin) {
            Ok(())
        } else {
            Err(not_allowed())
        }
    }
}

/// The hash a `persistedQuery` extension names: version 1, 64 lower-case hex digits (after a
/// `sha256:` prefix, if the client sends one).
fn requested_hash(extension: &Value) -> Result<String, ServerError> {
    let malformed = || {
        refusal(
            ErrorCode::BadRequest,
            "`extensions.persistedQuery` must be `{ version: 1, sha256Hash }` with the SHA-256 of the document in lower-case hex".to_owned(),
        )
    };
    let Value::Object(fields) = extension else {
        return Err(malformed());
    };
    let version_one =
        matches!(fields.get("version"), Some(Value::Number(n)) if n.as_i64() == Some(1));
    let hash = match fields.get("sha256Hash") {
        Some(Value::String(hash)) => Some(hash.strip_prefix("sha256:").unwrap_or(hash)),
        _ => None,
    };
    match hash {
        Some(hash)
            if version_one
                && hash.len() == 64
                && hash
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) =>
        {
            Ok(hash.to_owned())
        }
        _ => Err(malformed()),
    }
}

/// `PERSISTED_QUERY_NOT_ALLOWED`: only the manifest's documents run here.
fn not_allowed() -> ServerError {
    refusal(
        ErrorCode::PersistedQueryNotAllowed,
        "this server runs only the documents its clients were built with (trusted documents); send the hash of one of them".to_owned(),
    )
}

/// A request error with `code`.
fn refusal(code: ErrorCode, message: String) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", code.as_str());
    error.extensions = Some(extensions);
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "{ skills { totalCount } }";

    fn with_hash(query: &str, hash: &str) -> Request {
        let mut request = Request::new(query);
        let extension = serde_json::json!({ "version": 1, "sha256Hash": hash });
        request.extensions.0.insert(
            "persistedQuery".to_owned(),
            Value::from_json(extension).expect("a value"),
        );
        request
    }

    fn code(error: &ServerError) -> Option<String> {
        match error.extensions.as_ref()?.get("code")? {
            Value::String(code) => Some(code.clone()),
            _ => None,
        }
    }

    #[test]
    fn hashes_are_lower_case_hex_sha256() {
        assert_eq!(
            hash(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn a_hash_alone_is_unknown_until_sent_with_its_text() {
        let persisted = Persisted::new(1 << 20, None, false);
        let mut alone = with_hash("", &hash(DOC));
        let refused = persisted.lookup(&mut alone).expect_err("unknown");
        assert_eq!(refused.message, NOT_FOUND_MESSAGE);
        assert_eq!(code(&refused).as_deref(), Some("PERSISTED_QUERY_NOT_FOUND"));
        persisted
            .lookup(&mut with_hash(DOC, &hash(DOC)))
            .expect("registered");
        let mut alone = with_hash("", &hash(DOC));
        persisted.lookup(&mut alone).expect("known now");
        assert_eq!(alone.query, DOC);
    }

    #[test]
    fn a_hash_that_is_not_the_texts_is_a_bad_request() {
        let persisted = Persisted::new(1 << 20, None, false);
        let other = hash("{ vacancies { totalCount } }");
        let refused = persisted
            .lookup(&mut with_hash(DOC, &other))
            .expect_err("mismatch");
        assert_eq!(code(&refused).as_deref(), Some("BAD_REQUEST"));
        for bad in ["", "ABC", &hash(DOC).to_uppercase()] {
            let refused = persisted
                .lookup(&mut with_hash(DOC, bad))
                .expect_err("malformed");
            assert_eq!(code(&refused).as_deref(), Some("BAD_REQUEST"), "{bad}");
        }
    }

    #[test]
    fn trusted_documents_run_by_hash_or_identical_text_and_nothing_else() {
        let manifest = serde_json::json!({ "abc123": DOC }).to_string();
        let trusted = Trusted::from_manifest(&manifest).expect("a manifest");
        let persisted = Persisted::new(0, Some(trusted), false);
        let mut by_hash = with_hash("", "abc123");
        assert!(persisted.lookup(&mut by_hash).is_err(), "not a SHA-256");
        let manifest = serde_json::json!({ format!("sha256:{}", hash(DOC)): DOC }).to_string();
        let persisted = Persisted::new(0, Trusted::from_manifest(&manifest).ok(), false);
        let mut by_hash = with_hash("", &hash(DOC));
        persisted.lookup(&mut by_hash).expect("listed");
        persisted.admit(&by_hash, false).expect("trusted");
        persisted
            .admit(&Request::new(DOC), false)
            .expect("identical text");
        let other = Request::new("{ vacancies { totalCount } }");
        let refused = persisted.admit(&other, true).expect_err("no bypass");
        assert_eq!(
            code(&refused).as_deref(),
            Some("PERSISTED_QUERY_NOT_ALLOWED")
        );
        let mut unknown = with_hash("", &hash("{ vacancies { totalCount } }"));
        let refused = persisted.lookup(&mut unknown).expect_err("not listed");
        assert_eq!(
            code(&refused).as_deref(),
            Some("PERSISTED_QUERY_NOT_ALLOWED")
        );
    }

    #[test]
    fn admins_may_run_other_documents_when_the_bypass_is_on() {
        let manifest = serde_json::json!({ hash(DOC): DOC }).to_string();
        let persisted = Persisted::new(0, Trusted::from_manifest(&manifest).ok(), true);
        let other = Request::new("{ vacancies { totalCount } }");
        persisted.admit(&other, true).expect("an admin");
        assert!(persisted.admit(&other, false).is_err());
    }

    #[test]
    fn a_manifest_that_is_not_an_object_of_texts_is_refused() {
        for bad in ["[]", "{}", "{\"a\": 1}", "not json"] {
            assert!(Trusted::from_manifest(bad).is_err(), "{bad}");
        }
    }
}
