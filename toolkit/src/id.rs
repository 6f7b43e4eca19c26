//! Opaque global IDs: a type name and a key, base64url-encoded. Clients must not parse them.
//!
//! Which types have global IDs is the server's business: it names them with a [`Kind`].

use async_graphql::ID;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

use crate::error::{ApiError, ApiResult};

/// The types that have a global ID, each with the name its IDs carry.
pub trait Kind: Copy + Eq + 'static {
    /// Every kind.
    const ALL: &'static [Self];

    /// The type name in its IDs (the GraphQL type's name).
    fn name(self) -> &'static str;
}

/// The global ID of the `kind` row with primary key `key`.
pub fn encode_id<K: Kind>(kind: K, key: i64) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{key}", kind.name())))
}

/// The primary key in `id`, which must be a global ID of `kind`; `field` names the argument for the
/// error.
pub fn decode_id<K: Kind>(id: &ID, kind: K, field: &[&str]) -> ApiResult<i64> {
    match decode::<K>(id) {
        Some((found, key)) if found == kind => Ok(key),
        _ => Err(ApiError::bad_input(
            field.iter().copied(),
            format!("`{}` is not a valid {} ID", id.as_str(), kind.name()),
        )),
    }
}

/// The type and primary key in `id`, a global ID of any type; `field` names the argument for the
/// error.
pub fn decode_any_id<K: Kind>(id: &ID, field: &[&str]) -> ApiResult<(K, i64)> {
    decode(id).ok_or_else(|| {
        ApiError::bad_input(
            field.iter().copied(),
            format!("`{}` is not a valid ID", id.as_str()),
        )
    })
}

fn decode<K: Kind>(id: &ID) -> Option<(K, i64)> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(id.as_str()).ok()?).ok()?;
    let (name, key) = text.split_once(':')?;
    let kind = K::ALL.iter().copied().find(|kind| kind.name() == name)?;
    // Only the canonical decimal form: "007" or "+7" must not alias a real ID.
    let value = key.parse::<i64>().ok()?;
    (value > 0 && value.to_string() == key).then_some((kind, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum NodeKind {
        Skill,
        Vacancy,
    }

    impl Kind for NodeKind {
        const ALL: &'static [Self] = &[Self::Skill, Self::Vacancy];

        fn name(self) -> &'static str {
            match self {
                Self::Skill => "Skill",
                Self::Vacancy => "Vacancy",
            }
        }
    }

    #[test]
    fn an_encoded_id_decodes_to_its_key() {
        let id = encode_id(NodeKind::Vacancy, 42);
        assert_eq!(decode_id(&id, NodeKind::Vacancy, &["id"]).ok(), Some(42));
    }

    #[test]
    fn an_id_of_another_type_is_bad_input() {
        let id = encode_id(NodeKind::Skill, 42);
        let err = decode_id(&id, NodeKind::Vacancy, &["id"]).expect_err("wrong type");
        assert_eq!(err.code(), crate::error::ErrorCode::BadUserInput);
    }

    #[test]
    fn a_non_canonical_key_is_bad_input() {
        for text in [
            "Vacancy:007",
            "Vacancy:+7",
            "Vacancy:0",
            "Vacancy:-3",
            "Vacancy:",
            "Vacancy",
        ] {
            let id = ID(URL_SAFE_NO_PAD.encode(text));
            assert!(
                decode_id(&id, NodeKind::Vacancy, &["id"]).is_err(),
                "{text} was accepted"
            );
        }
    }

    #[test]
    fn garbage_is_bad_input() {
        assert!(decode_id(&ID("not base64 at all!".into()), NodeKind::Vacancy, &["id"]).is_err());
    }
}
