//! Text that no database column can hold is refused before anything runs.
//!
//! PostgreSQL's `text` stores any Unicode scalar value but U+0000 (NUL): a NUL in a bound
//! parameter fails the statement ("invalid byte sequence for encoding UTF8: 0x00"), which surfaced
//! as `INTERNAL` on PostgreSQL while SQLite stored or compared it. Both engines now refuse it the
//! same way, for every String argument and input field at once: a walk over the request's
//! variables and the argument literals of its document (linear in their size), answering
//! `BAD_USER_INPUT` with where the NUL is (`extensions.variable` / `extensions.argument` and
//! `extensions.field`, the path inside the value). Lone surrogates (`"\ud800"`) never get this far:
//! they are not valid JSON, so the body is refused with 400, and the document parser refuses them
//! in literals.

use async_graphql::{
    ErrorExtensionValues, Name, Positioned, ServerError, Value, Variables,
    parser::types::{ExecutableDocument, Field, Selection, SelectionSet},
};

/// Where a NUL was found: the variable or argument, and the path inside its value.
struct Found {
    /// `variable` or `argument`.
    kind: &'static str,
    name: String,
    path: Vec<String>,
}

impl Found {
    fn error(self) -> ServerError {
        let place = if self.path.is_empty() {
            format!("{} `{}`", self.kind, self.name)
        } else {
            format!("{} `{}` at `{}`", self.kind, self.name, self.path.join("."))
        };
        let mut error = ServerError::new(
            format!("{place} holds a NUL character (U+0000), which text cannot hold here"),
            None,
        );
        let mut extensions = ErrorExtensionValues::default();
        extensions.set("code", crate::error::ErrorCode::BadUserInput.as_str());
        extensions.set(self.kind, self.name);
        extensions.set("field", self.path);
        error.extensions = Some(extensions);
        error
    }
}

/// Refuses a request whose variables or argument literals hold a NUL character.
pub fn check(variables: &Variables, document: &ExecutableDocument) -> Result<(), ServerError> {
    for (name, value) in variables.iter() {
        if let Some(path) = nul_in(value) {
            return Err(Found {
                kind: "variable",
                name: name.to_string(),
                path,
            }
            .error());
        }
    }
    for (_, operation) in document.operations.iter() {
        for variable in &operation.node.variable_definitions {
            if let Some(path) = variable
                .node
                .default_value
                .as_ref()
                .and_then(|value| nul_in(&value.node))
            {
                return Err(Found {
                    kind: "variable",
                    name: variable.node.name.node.to_string(),
                    path,
                }
                .error());
            }
        }
        walk(&operation.node.selection_set)?;
    }
    for fragment in document.fragments.values() {
        walk(&fragment.node.selection_set)?;
    }
    Ok(())
}

fn walk(selection_set: &Positioned<SelectionSet>) -> Result<(), ServerError> {
    for item in &selection_set.node.items {
        match &item.node {
            Selection::Field(field) => {
                arguments(&field.node)?;
                walk(&field.node.selection_set)?;
            }
            Selection::InlineFragment(fragment) => walk(&fragment.node.selection_set)?,
            Selection::FragmentSpread(_) => {}
        }
    }
    Ok(())
}

fn arguments(field: &Field) -> Result<(), ServerError> {
    let directives = field
        .directives
        .iter()
        .flat_map(|directive| directive.node.arguments.iter());
    for (name, value) in field.arguments.iter().chain(directives) {
        // Literals only: `$variables` are checked with the request's variables.
        if let Some(path) = value.node.clone().into_const().as_ref().and_then(nul_in) {
            let mut error = Found {
                kind: "argument",
                name: name.node.to_string(),
                path,
            }
            .error();
            error.locations = vec![value.pos];
            return Err(error);
        }
    }
    Ok(())
}

/// The path to the first string in `value` holding a NUL, if any.
fn nul_in(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::String(text) => text.contains('\0').then(Vec::new),
        Value::List(items) => items.iter().enumerate().find_map(|(i, item)| {
            let mut path = nul_in(item)?;
            path.insert(0, i.to_string());
            Some(path)
        }),
        Value::Object(fields) => fields.iter().find_map(|(name, item): (&Name, _)| {
            let mut path = nul_in(item)?;
            path.insert(0, name.to_string());
            Some(path)
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(query: &str, variables: serde_json::Value) -> Option<serde_json::Value> {
        let document = async_graphql::parser::parse_query(query).ok()?;
        let variables = Variables::from_json(variables);
        let error = check(&variables, &document).err()?;
        serde_json::to_value(error.extensions?).ok()
    }

    #[test]
    fn a_nul_in_a_variable_is_refused_with_its_path() {
        let extensions = refused(
            "query($input: I) { a(input: $input) }",
            serde_json::json!({ "input": { "names": ["ok", "b\u{0}d"] } }),
        );
        assert_eq!(
            extensions,
            Some(serde_json::json!({
                "code": "BAD_USER_INPUT", "variable": "input", "field": ["names", "1"]
            }))
        );
    }

    #[test]
    fn a_nul_in_an_argument_literal_is_refused_in_fragments_too() {
        let extensions = refused(
            r#"{ ...F } fragment F on Query { a { b(slug: "x\u0000") } }"#,
            serde_json::json!({}),
        );
        assert_eq!(
            extensions,
            Some(serde_json::json!({ "code": "BAD_USER_INPUT", "argument": "slug", "field": [] }))
        );
    }

    #[test]
    fn text_without_nul_passes() {
        assert_eq!(
            refused(
                r#"query($s: String) { a(s: $s, t: "שלום e\u0301") }"#,
                serde_json::json!({ "s": "ok \u{202e} text" })
            ),
            None
        );
    }
}
