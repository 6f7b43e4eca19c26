//! The documents parsed lately, by their text. Clients send the same few query texts again and
//! again with new variables, and copying a parsed document is cheaper than parsing its text again
//! (docs/decisions/0003-document-cache.md).
//!
//! Bounded in entries and in the length of a text kept; when full, an arbitrary entry makes room
//! (a stream of one-off texts only churns the cache). Only documents that parsed are kept.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use async_graphql::{Request, parser::types::ExecutableDocument};

/// Texts kept at most.
const ENTRIES: usize = 256;
/// Longest text kept, in bytes (longer ones are parsed every time).
const LONGEST: usize = 4 * 1024;

/// Parsed documents by their text.
#[derive(Debug, Default)]
pub struct Documents {
    parsed: Mutex<HashMap<String, Arc<ExecutableDocument>>>,
}

impl Documents {
    /// Gives `request` its parsed document: a copy of the one kept for its text, else its own
    /// parse (kept for next time). The parse error, if the text does not parse.
    pub fn parse<'r>(
        &self,
        request: &'r mut Request,
    ) -> Result<&'r ExecutableDocument, async_graphql::ServerError> {
        if let Some(document) = self.get(&request.query) {
            request.set_parsed_query(ExecutableDocument::clone(&document));
            return request.parsed_query();
        }
        let text = (request.query.len() <= LONGEST).then(|| request.query.clone());
        let document = request.parsed_query()?;
        if let Some(text) = text {
            self.keep(text, document);
        }
        Ok(document)
    }

    fn get(&self, text: &str) -> Option<Arc<ExecutableDocument>> {
        // The lock is held for a lookup only; the copy is made outside it.
        self.parsed.lock().ok()?.get(text).cloned()
    }

    fn keep(&self, text: String, document: &ExecutableDocument) {
        let document = Arc::new(document.clone());
        let Ok(mut parsed) = self.parsed.lock() else {
            return;
        };
        if parsed.len() >= ENTRIES
            && let Some(room) = parsed.keys().next().cloned()
        {
            parsed.remove(&room);
        }
        parsed.insert(text, document);
    }

    /// How many documents are kept.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.parsed.lock().map_or(0, |parsed| parsed.len())
    }

    /// Whether none is.
    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn operation_count(document: &ExecutableDocument) -> usize {
        document.operations.iter().count()
    }

    #[test]
    fn a_text_seen_before_gets_the_same_document_without_a_new_entry() {
        let documents = Documents::default();
        let text = "query A { skills(first: 1) { nodes { id } } }";
        let mut first = Request::new(text);
        let parsed = documents.parse(&mut first).map(operation_count);
        assert_eq!(parsed.ok(), Some(1));
        let mut second = Request::new(text);
        let again = documents.parse(&mut second).map(|d| format!("{d:?}"));
        assert_eq!(
            again.ok(),
            first.parsed_query().ok().map(|d| format!("{d:?}"))
        );
        assert_eq!(documents.len(), 1);
    }

    #[test]
    fn a_text_that_does_not_parse_is_refused_and_not_kept() {
        let documents = Documents::default();
        assert!(documents.parse(&mut Request::new("{ skills(")).is_err());
        assert!(documents.is_empty());
    }

    #[test]
    fn the_cache_keeps_at_most_its_entries_and_no_long_texts() {
        let documents = Documents::default();
        for i in 0..ENTRIES + 10 {
            assert!(
                documents
                    .parse(&mut Request::new(format!("{{ a{i}: __typename }}")))
                    .is_ok()
            );
        }
        assert_eq!(documents.len(), ENTRIES);
        let long = format!("{{ __typename }}\n#{}", "x".repeat(LONGEST));
        let fresh = Documents::default();
        assert!(fresh.parse(&mut Request::new(long)).is_ok());
        assert!(fresh.is_empty());
    }
}
