//! Input values with rules, each rule written once, in its type: a [`Slug`] or [`Handle`], an
//! [`Email`] address, an [`HttpUrl`]. A value of one of these types has passed its rules
//! ([`Checked::parse`]); the [`Validator`](crate::validation::Validator) reads them from an input
//! and reports what is wrong at the input's path.

use std::fmt;

use crate::validation::UserErrorCode;

/// What is wrong with a raw input value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    /// What is wrong, for programs.
    pub code: UserErrorCode,
    /// What is wrong, for people.
    pub message: String,
}

impl Invalid {
    fn new(code: UserErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    fn blank() -> Self {
        Self::new(UserErrorCode::Required, "must not be blank")
    }
}

/// A value read from a raw input by its rules.
pub trait Checked: Sized {
    /// `raw`, normalised (trimmed, lower-cased where the rules say so), or what is wrong with it.
    fn parse(raw: &str) -> Result<Self, Invalid>;

    /// The value as stored.
    fn into_string(self) -> String;
}

/// Declares a checked text type: a `String` that has passed `$rule`.
macro_rules! checked_text {
    ($(#[$doc:meta])* $name:ident, $rule:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl Checked for $name {
            fn parse(raw: &str) -> Result<Self, Invalid> {
                let rule: fn(&str) -> Result<String, Invalid> = $rule;
                rule(raw).map(Self)
            }

            fn into_string(self) -> String {
                self.0
            }
        }

        impl $name {
            /// The value as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }
    };
}

/// 2 to 40 of `a-z`, `0-9` and `-`: the rule of slugs and handles.
fn url_safe_name(raw: &str) -> Result<String, Invalid> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(Invalid::blank());
    }
    let valid = (2..=40).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid {
        return Err(Invalid::new(
            UserErrorCode::Invalid,
            "must be 2 to 40 characters of a-z, 0-9 and -",
        ));
    }
    Ok(value.to_owned())
}

checked_text!(
    /// A record's URL-safe name, e.g. `postgresql`: 2 to 40 of `a-z`, `0-9` and `-`.
    Slug,
    url_safe_name
);

checked_text!(
    /// A developer's URL-safe name, e.g. `ana-kowalska`: the rules of a [`Slug`].
    Handle,
    url_safe_name
);

checked_text!(
    /// An email address: trimmed and lower-cased, one `@`, a dotted domain, at most 320
    /// characters.
    Email,
    |raw| {
        let value = raw.trim().to_lowercase();
        if value.is_empty() {
            return Err(Invalid::blank());
        }
        let valid = value.len() <= 320
            && !value.chars().any(char::is_whitespace)
            && value.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            });
        if !valid {
            return Err(Invalid::new(UserErrorCode::Invalid, "is not an email address"));
        }
        Ok(value)
    }
);

checked_text!(
    /// An absolute `http://` or `https://` address with a host, without spaces, at most 300
    /// characters.
    HttpUrl,
    |raw| {
        let value = raw.trim();
        if value.is_empty() {
            return Err(Invalid::blank());
        }
        let valid = http_host(value).is_some_and(|host| !host.is_empty())
            && value.len() <= 300
            && !value.chars().any(char::is_whitespace);
        if !valid {
            return Err(Invalid::new(
                UserErrorCode::Invalid,
                "must be an http:// or https:// address of at most 300 characters",
            ));
        }
        Ok(value.to_owned())
    }
);

/// The host (with its port, if any) of an `http://` or `https://` address; None for another
/// scheme.
pub fn http_host(url: &str) -> Option<&str> {
    url.strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_handles_follow_one_rule() {
        assert_eq!(
            Slug::parse(" rust-2 ").map(String::from),
            Ok("rust-2".to_owned())
        );
        assert_eq!(
            Handle::parse("ana-kowalska").map(String::from),
            Ok("ana-kowalska".to_owned())
        );
        for bad in ["A", "a", "Not A Slug", "ümlaut", &"x".repeat(41)] {
            assert_eq!(
                Slug::parse(bad).map_err(|e| e.code),
                Err(UserErrorCode::Invalid),
                "{bad}"
            );
            assert_eq!(
                Handle::parse(bad).map_err(|e| e.code),
                Err(UserErrorCode::Invalid),
                "{bad}"
            );
        }
        assert_eq!(
            Slug::parse("  ").map_err(|e| e.code),
            Err(UserErrorCode::Required)
        );
    }

    #[test]
    fn email_addresses_are_normalised_and_checked() {
        assert_eq!(
            Email::parse(" Ana.Kowalska@Example.COM ").map(String::from),
            Ok("ana.kowalska@example.com".to_owned())
        );
        for bad in [
            "ana",
            "ana@",
            "@example.com",
            "ana@example",
            "ana @example.com",
            "a@b@example.com",
            "ana@.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn web_addresses_are_http_or_https_with_a_host() {
        for good in [
            "https://github.com/ana",
            "http://ana.dev",
            "https://x.io/a?b=c#d",
        ] {
            assert_eq!(HttpUrl::parse(good).map(String::from), Ok(good.to_owned()));
        }
        for bad in [
            "github.com/ana",
            "ftp://ana.dev",
            "https://",
            "https:///path",
            "https://a b",
            "javascript:alert(1)",
        ] {
            assert!(HttpUrl::parse(bad).is_err(), "{bad} was accepted");
        }
        assert!(HttpUrl::parse(&format!("https://a.io/{}", "x".repeat(300))).is_err());
    }
}
