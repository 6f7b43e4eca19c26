//! Which kinds of data a document reads and a mutation writes ([`Kinds`]), read from the document
//! and the schema's types: the response cache keeps an answer only while no write of a kind it read
//! has happened (see [`crate::events::Freshness`]).
//!
//! A document reads the kinds of every type it selects ([`kinds_of`], one line per type of the
//! schema); a mutation writes what its domain's fields write ([`DataMap::writes`]), including what
//! other kinds show of it: a skill renamed changes the skills developers and vacancies list, an
//! employer deleted takes its vacancies with it.

use std::collections::{HashMap, HashSet};

use async_graphql::{
    OutputType,
    parser::types::{
        DocumentOperations, ExecutableDocument, OperationDefinition, OperationType, Selection,
        SelectionSet,
    },
    registry::{MetaType, MetaTypeName, Registry},
};

use super::Query;
use crate::{
    auth::TokenMutation, developer::DeveloperMutation, employer::EmployerMutation, events::Kinds,
    skill::SkillMutation, vacancy::VacancyMutation,
};

/// The kinds of data a field of type `name` shows; None for a type this table does not know, which
/// counts as every kind. `node` answers any type, so `Node` reads them all; types made of their
/// parent's columns (a page's info, a link, a salary range) add nothing of their own.
pub fn kinds_of(name: &str) -> Option<Kinds> {
    const D: Kinds = Kinds::DEVELOPERS;
    const S: Kinds = Kinds::SKILLS;
    const E: Kinds = Kinds::EMPLOYERS;
    const V: Kinds = Kinds::VACANCIES;
    Some(match name {
        "Query" | "PageInfo" | "ProfileLink" | "SalaryExpectation" | "SalaryRange" => Kinds::NONE,
        "Developer" | "DeveloperConnection" | "DeveloperEdge" | "DeveloperSkill" => D,
        "Skill" | "SkillConnection" | "SkillEdge" => S,
        "Employer" | "EmployerConnection" | "EmployerEdge" => E,
        "Vacancy" | "VacancyConnection" | "VacancyEdge" | "VacancySkill" => V,
        // Scores and statistics are computed from developers and vacancies together.
        "DeveloperMatch"
        | "DeveloperMatchConnection"
        | "DeveloperMatchEdge"
        | "VacancyMatch"
        | "VacancyMatchConnection"
        | "VacancyMatchEdge"
        | "SkillMatch"
        | "SalaryInsights"
        | "SalaryGroup" => D.and(V),
        // Private (never cached) or written by mutations: every kind, to be safe.
        "Node" | "Viewer" | "ApiToken" | "ApiTokenConnection" | "ApiTokenEdge" | "UserError"
        | "Mutation" | "Subscription" => Kinds::ALL,
        name if name.ends_with("Payload") => Kinds::ALL,
        // Introspection describes the schema, which no write changes.
        name if name.starts_with("__") => Kinds::NONE,
        _ => return None,
    })
}

/// What the kinds of writes each domain's mutations make invalidate.
const WRITES: [Kinds; 4] = [
    Kinds::DEVELOPERS,
    Kinds::SKILLS.and(Kinds::DEVELOPERS).and(Kinds::VACANCIES),
    Kinds::EMPLOYERS.and(Kinds::VACANCIES),
    Kinds::VACANCIES,
];

/// The schema's types, and the kinds each mutation field writes.
pub struct DataMap {
    registry: Registry,
    writes: HashMap<String, Kinds>,
}

impl DataMap {
    /// The map of the schema's types, built once.
    pub fn get() -> &'static Self {
        static MAP: std::sync::LazyLock<DataMap> = std::sync::LazyLock::new(DataMap::new);
        &MAP
    }

    fn new() -> Self {
        let mut registry = Registry::default();
        Query::create_type_info(&mut registry);
        let [developers, skills, employers, vacancies] = WRITES;
        let domains = [
            (
                registry.create_fake_output_type::<DeveloperMutation>(),
                developers,
            ),
            (registry.create_fake_output_type::<SkillMutation>(), skills),
            (
                registry.create_fake_output_type::<EmployerMutation>(),
                employers,
            ),
            (
                registry.create_fake_output_type::<VacancyMutation>(),
                vacancies,
            ),
            // Tokens are private: no cached answer shows them.
            (
                registry.create_fake_output_type::<TokenMutation>(),
                Kinds::NONE,
            ),
        ];
        let mut writes = HashMap::new();
        for (domain, kinds) in domains {
            if let MetaType::Object { fields, .. } = domain {
                writes.extend(fields.into_keys().map(|name| (name, kinds)));
            }
        }
        Self { registry, writes }
    }

    /// The kinds of data the operation `name` of `document` reads: every kind when it is not a
    /// query, cannot be told, or names a field this schema lacks (execution refuses it anyway).
    pub fn reads(&self, document: &ExecutableDocument, name: Option<&str>) -> Kinds {
        let Some(operation) = operation(document, name) else {
            return Kinds::ALL;
        };
        if operation.ty != OperationType::Query {
            return Kinds::ALL;
        }
        let mut walk = Walk {
            registry: &self.registry,
            document,
            fragments: HashSet::new(),
            kinds: Kinds::NONE,
        };
        match walk.set(&operation.selection_set.node, "Query") {
            Some(()) => walk.kinds,
            None => Kinds::ALL,
        }
    }

    /// The kinds of data the operation `name` of `document` may have written: none for a query,
    /// what its root fields' domains write for a mutation (every kind for a field not known here).
    pub fn writes(&self, document: &ExecutableDocument, name: Option<&str>) -> Kinds {
        let Some(operation) = operation(document, name) else {
            return Kinds::NONE;
        };
        if operation.ty != OperationType::Mutation {
            return Kinds::NONE;
        }
        let mut kinds = Kinds::NONE;
        let mut sets = vec![&operation.selection_set.node];
        let mut fragments = HashSet::new();
        while let Some(set) = sets.pop() {
            for selection in &set.items {
                match &selection.node {
                    Selection::Field(field) => {
                        let name = field.node.name.node.as_str();
                        if !name.starts_with("__") {
                            kinds = kinds.and(self.writes.get(name).copied().unwrap_or(Kinds::ALL));
                        }
                    }
                    Selection::FragmentSpread(spread) => {
                        let name = &spread.node.fragment_name.node;
                        if fragments.insert(name.clone())
                            && let Some(fragment) = document.fragments.get(name)
                        {
                            sets.push(&fragment.node.selection_set.node);
                        }
                    }
                    Selection::InlineFragment(inline) => sets.push(&inline.node.selection_set.node),
                }
            }
        }
        kinds
    }

    /// The names of the output types a query can reach from `Query`.
    #[cfg(test)]
    fn reachable(&self) -> Vec<&str> {
        let mut seen = std::collections::BTreeSet::from(["Query"]);
        let mut next = vec!["Query"];
        while let Some(name) = next.pop() {
            let Some(ty) = self.registry.types.get(name) else {
                continue;
            };
            let mut reached: Vec<&str> = Vec::new();
            if let MetaType::Object { fields, .. } | MetaType::Interface { fields, .. } = ty {
                reached.extend(
                    fields
                        .values()
                        .map(|field| MetaTypeName::concrete_typename(&field.ty)),
                );
            }
            if let Some(possible) = ty.possible_types() {
                reached.extend(possible.iter().map(String::as_str));
            }
            for name in reached {
                if self
                    .registry
                    .types
                    .get(name)
                    .is_some_and(MetaType::is_composite)
                    && seen.insert(name)
                {
                    next.push(name);
                }
            }
        }
        seen.into_iter().collect()
    }
}

/// The operation a request named `name` runs, when it can be told.
fn operation<'d>(
    document: &'d ExecutableDocument,
    name: Option<&str>,
) -> Option<&'d OperationDefinition> {
    match (&document.operations, name) {
        (DocumentOperations::Single(operation), _) => Some(&operation.node),
        (DocumentOperations::Multiple(operations), Some(name)) => operations
            .iter()
            .find(|(operation, _)| operation.as_str() == name)
            .map(|(_, operation)| &operation.node),
        (DocumentOperations::Multiple(operations), None) => {
            let mut all = operations.values();
            match (all.next(), all.next()) {
                (Some(operation), None) => Some(&operation.node),
                _ => None,
            }
        }
    }
}

/// A walk over a document's selection sets, adding up the kinds of the types it meets.
struct Walk<'a> {
    registry: &'a Registry,
    document: &'a ExecutableDocument,
    /// Fragments walked already: a fragment reads the same kinds wherever it is spread.
    fragments: HashSet<&'a str>,
    kinds: Kinds,
}

impl<'a> Walk<'a> {
    /// Adds the kinds `set`, selected on type `parent`, reads; None for a field or type unknown.
    fn set(&mut self, set: &'a SelectionSet, parent: &str) -> Option<()> {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    let name = field.node.name.node.as_str();
                    if name.starts_with("__") {
                        continue;
                    }
                    let ty = self
                        .registry
                        .types
                        .get(parent)?
                        .field_by_name(name)
                        .map(|field| MetaTypeName::concrete_typename(&field.ty))?;
                    // A scalar or an enum is a column of its parent, already counted.
                    if self.registry.types.get(ty)?.is_composite() {
                        self.kinds = self.kinds.and(kinds_of(ty)?);
                        self.set(&field.node.selection_set.node, ty)?;
                    }
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    if self.fragments.insert(name) {
                        let fragment = &self.document.fragments.get(name)?.node;
                        let on = fragment.type_condition.node.on.node.as_str();
                        self.kinds = self.kinds.and(kinds_of(on)?);
                        self.set(&fragment.selection_set.node, on)?;
                    }
                }
                Selection::InlineFragment(inline) => {
                    let on = match &inline.node.type_condition {
                        Some(condition) => condition.node.on.node.as_str(),
                        None => parent,
                    };
                    self.kinds = self.kinds.and(kinds_of(on)?);
                    self.set(&inline.node.selection_set.node, on)?;
                }
            }
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    fn reads(query: &str) -> Kinds {
        let document = parse_query(query).expect("parses");
        DataMap::get().reads(&document, None)
    }

    fn writes(query: &str) -> Kinds {
        let document = parse_query(query).expect("parses");
        DataMap::get().writes(&document, None)
    }

    #[test]
    fn every_output_type_of_the_schema_has_its_kinds_written_down() {
        let reachable = DataMap::get().reachable();
        for name in [
            "Developer",
            "SalaryGroup",
            "VacancyMatchEdge",
            "ProfileLink",
        ] {
            assert!(reachable.contains(&name), "{name} is reachable");
        }
        let unknown: Vec<&str> = DataMap::get()
            .reachable()
            .into_iter()
            .filter(|name| kinds_of(name).is_none())
            .collect();
        assert_eq!(unknown, Vec::<&str>::new());
    }

    #[test]
    fn a_query_reads_the_kinds_of_every_type_it_selects() {
        assert_eq!(
            reads("{ skills(first: 2) { nodes { name } } }"),
            Kinds::SKILLS
        );
        assert_eq!(
            reads(
                "{ vacancies(first: 2) { nodes { title employer { name } skills { skill { name } } } } }"
            ),
            Kinds::VACANCIES.and(Kinds::EMPLOYERS).and(Kinds::SKILLS)
        );
        assert_eq!(
            reads("{ skill(slug: \"rust\") { developers(first: 1) { totalCount } } }"),
            Kinds::SKILLS.and(Kinds::DEVELOPERS)
        );
    }

    #[test]
    fn fragments_and_node_count_what_they_select() {
        assert_eq!(
            reads(
                "{ employers(first: 1) { ...E } } fragment E on EmployerConnection { nodes { ... on Employer { vacancies(first: 1) { totalCount } } } }"
            ),
            Kinds::EMPLOYERS.and(Kinds::VACANCIES)
        );
        assert_eq!(reads("{ node(id: \"x\") { id } }"), Kinds::ALL);
        assert_eq!(reads("{ __typename }"), Kinds::NONE);
    }

    #[test]
    fn an_unknown_field_or_a_mutation_reads_everything() {
        assert_eq!(reads("{ nothingHere { id } }"), Kinds::ALL);
        assert_eq!(
            reads("mutation { deleteSkill(id: \"x\") { deletedId } }"),
            Kinds::ALL
        );
    }

    #[test]
    fn a_mutation_writes_what_its_domains_show() {
        assert_eq!(writes("{ skills(first: 1) { totalCount } }"), Kinds::NONE);
        assert_eq!(
            writes("mutation { updateDeveloper(input: {}) { __typename } }"),
            Kinds::DEVELOPERS
        );
        assert_eq!(
            writes(
                "mutation { a: deleteEmployer(id: \"x\") { __typename } b: updateSkill(input: {}) { __typename } }"
            ),
            Kinds::ALL
        );
        assert_eq!(
            writes("mutation { revokeApiToken(id: \"x\") { __typename } }"),
            Kinds::NONE
        );
        assert_eq!(writes("mutation { unknownField }"), Kinds::ALL);
    }
}
