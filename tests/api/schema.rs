//! `schema.graphql` is the exported SDL.

use std::path::Path;

#[test]
fn schema_graphql_is_the_exported_sdl() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    let exported = talent_api::graphql::sdl();
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != exported {
        std::fs::write(&path, &exported).expect("rewrite schema.graphql");
        panic!(
            "schema.graphql was out of date and has been rewritten: review `git diff schema.graphql` and commit it"
        );
    }
}
