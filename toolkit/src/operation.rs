//! Which operation of a document runs, and whether its variables are all there: request errors
//! that async-graphql reports without a code (an unknown `operationName`, several operations and
//! none named) or, for a required variable left out, as a field error at the first field that
//! reads it (`path: ["node"]`). The spec ("GetOperation", "CoerceVariableValues") makes each a
//! request error: no data, and here a stable code each.

use async_graphql::{
    ErrorExtensionValues, Positioned, ServerError, Value, Variables,
    parser::types::{DocumentOperations, ExecutableDocument, OperationDefinition},
};

use crate::error::ErrorCode;

/// A request error with `code`, and `extension` set to `value` when given.
fn refused(code: ErrorCode, message: String, extension: Option<(&str, &str)>) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", code.as_str());
    if let Some((name, value)) = extension {
        extensions.set(name, value);
    }
    error.extensions = Some(extensions);
    error
}

/// The operation `name` selects in `document` (the only one when no name is given).
fn select<'d>(
    document: &'d ExecutableDocument,
    name: Option<&str>,
) -> Result<&'d Positioned<OperationDefinition>, ServerError> {
    match (&document.operations, name) {
        (DocumentOperations::Single(operation), None) => Ok(operation),
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => operations
            .values()
            .next()
            .ok_or_else(|| refused(ErrorCode::OperationNameRequired, String::new(), None)),
        (DocumentOperations::Multiple(_), None) => Err(refused(
            ErrorCode::OperationNameRequired,
            "the document holds several operations: name the one to run in `operationName`"
                .to_owned(),
            None,
        )),
        (DocumentOperations::Multiple(operations), Some(name)) => {
            operations.get(name).ok_or_else(|| {
                refused(
                    ErrorCode::OperationNotFound,
                    format!("the document has no operation named `{name}`"),
                    Some(("operationName", name)),
                )
            })
        }
        (DocumentOperations::Single(_), Some(name)) => Err(refused(
            ErrorCode::OperationNotFound,
            format!("the document's only operation has no name, so none is named `{name}`"),
            Some(("operationName", name)),
        )),
    }
}

/// Refuses a request whose operation cannot be told, or that leaves out a variable its operation
/// requires (non-null, without a default).
pub fn check(
    document: &ExecutableDocument,
    name: Option<&str>,
    variables: &Variables,
) -> Result<(), ServerError> {
    let operation = select(document, name)?;
    for definition in &operation.node.variable_definitions {
        let definition = &definition.node;
        let name = definition.name.node.as_str();
        let given = variables
            .get(&definition.name.node)
            .is_some_and(|value| *value != Value::Null);
        if !definition.var_type.node.nullable && definition.default_value.is_none() && !given {
            return Err(refused(
                ErrorCode::VariableMissing,
                format!(
                    "the variable `${name}` of type `{}` is required and was not given",
                    definition.var_type.node
                ),
                Some(("variable", name)),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(query: &str, name: Option<&str>, variables: serde_json::Value) -> Option<String> {
        let document = async_graphql::parser::parse_query(query).ok()?;
        let error = check(&document, name, &Variables::from_json(variables)).err()?;
        match error.extensions?.get("code")? {
            Value::String(code) => Some(code.clone()),
            _ => None,
        }
    }

    #[test]
    fn the_operation_must_be_told_apart() {
        let two = "query A { a } query B { b }";
        assert_eq!(
            code(two, None, serde_json::json!({})).as_deref(),
            Some("OPERATION_NAME_REQUIRED")
        );
        assert_eq!(
            code(two, Some("C"), serde_json::json!({})).as_deref(),
            Some("OPERATION_NOT_FOUND")
        );
        assert_eq!(code(two, Some("B"), serde_json::json!({})), None);
        assert_eq!(
            code("{ a }", Some("A"), serde_json::json!({})).as_deref(),
            Some("OPERATION_NOT_FOUND")
        );
        assert_eq!(code("query A { a }", None, serde_json::json!({})), None);
    }

    #[test]
    fn required_variables_must_be_given_and_not_null() {
        let query = "query($id: ID!, $n: Int, $d: Int! = 3) { a }";
        assert_eq!(
            code(query, None, serde_json::json!({})).as_deref(),
            Some("VARIABLE_MISSING")
        );
        assert_eq!(
            code(query, None, serde_json::json!({ "id": null })).as_deref(),
            Some("VARIABLE_MISSING")
        );
        assert_eq!(code(query, None, serde_json::json!({ "id": "x" })), None);
    }
}
