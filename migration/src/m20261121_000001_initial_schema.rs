//! The directory's tables: skills, employers, developers, vacancies and the two link tables.
//!
//! Enumerations are stored as upper-case strings guarded by CHECK constraints (portable, readable in
//! `psql`/`sqlite3`, and cheap to extend). Money is whole currency units in `bigint` with an ISO 4217
//! code; countries are ISO 3166-1 alpha-2 codes. Every mutable row carries `created_at`, `updated_at`
//! and, for the four top-level entities, a `version` counter for optimistic concurrency; the link
//! rows are versioned through their parent.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const SENIORITY: &[&str] = &["INTERN", "JUNIOR", "MIDDLE", "SENIOR", "LEAD", "PRINCIPAL"];
const WORKPLACE: &[&str] = &["ONSITE", "HYBRID", "REMOTE"];
const SKILL_CATEGORY: &[&str] = &[
    "LANGUAGE",
    "FRAMEWORK",
    "DATABASE",
    "PLATFORM",
    "API",
    "FRONTEND",
    "PRACTICE",
    "SOFT",
];
const INDUSTRY: &[&str] = &[
    "SOFTWARE",
    "FINANCE",
    "RETAIL",
    "LOGISTICS",
    "MEDIA",
    "PRINTING",
    "ENGINEERING",
    "AUTOMOTIVE",
    "HEALTHCARE",
    "EDUCATION",
    "GOVERNMENT",
];
const COMPANY_SIZE: &[&str] = &["STARTUP", "SMALL", "MEDIUM", "LARGE", "ENTERPRISE"];
const EMPLOYMENT_TYPE: &[&str] = &[
    "FULL_TIME",
    "PART_TIME",
    "CONTRACTOR",
    "TEMPORARY",
    "INTERN",
];
const VACANCY_STATUS: &[&str] = &["DRAFT", "OPEN", "CLOSED"];
const SALARY_PERIOD: &[&str] = &["HOUR", "DAY", "WEEK", "MONTH", "YEAR"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(skills()).await?;
        manager.create_table(employers()).await?;
        manager.create_table(developers()).await?;
        manager.create_table(developer_skills()).await?;
        manager.create_table(vacancies()).await?;
        manager.create_table(vacancy_skills()).await?;
        for index in indexes() {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "vacancy_skills",
            "vacancies",
            "developer_skills",
            "developers",
            "employers",
            "skills",
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}

/// `column IN ('A', 'B', ...)`, the CHECK behind every stored enumeration.
fn one_of(column: &'static str, values: &[&str]) -> Check {
    Check::named(
        format!("ck_{column}_value"),
        Expr::col(column).is_in(values.iter().copied()),
    )
}

/// A named CHECK constraint.
fn check(name: &str, expr: impl Into<Expr>) -> Check {
    Check::named(name.to_owned(), expr.into())
}

/// An enumeration column: a short string restricted to `values`.
fn enumeration(column: &'static str, values: &[&str]) -> ColumnDef {
    string_len(column, 16).check(one_of(column, values)).take()
}

/// An ISO 3166-1 alpha-2 code: two upper-case letters.
fn country_code(column: &'static str) -> ColumnDef {
    char_len(column, 2)
        .check(check(
            &format!("ck_{column}_shape"),
            Expr::cust(format!(
                "length({column}) = 2 AND upper({column}) = {column}"
            )),
        ))
        .take()
}

/// An ISO 4217 code: three upper-case letters.
fn currency_check(column: &str) -> Expr {
    Expr::cust(format!(
        "{column} IS NULL OR (length({column}) = 3 AND upper({column}) = {column})"
    ))
}

/// `created_at`, `updated_at` and, when `versioned`, the optimistic-concurrency `version`.
fn audit_columns(table: &mut TableCreateStatement, versioned: bool) {
    table
        .col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone("updated_at"));
    if versioned {
        table.col(
            integer("version")
                .default(1)
                .check(check("ck_version_positive", Expr::col("version").gte(1)))
                .take(),
        );
    }
}

fn skills() -> TableCreateStatement {
    let mut table = Table::create();
    table
        .table("skills")
        .col(big_pk_auto("id"))
        .col(string_len_uniq("slug", 40))
        .col(string_len("name", 200))
        .col(enumeration("category", SKILL_CATEGORY))
        .col(text("description"))
        .col(json_binary("aliases"));
    audit_columns(&mut table, true);
    table.take()
}

fn employers() -> TableCreateStatement {
    let mut table = Table::create();
    table
        .table("employers")
        .col(big_pk_auto("id"))
        .col(string_len_uniq("slug", 40))
        .col(string_len("name", 200))
        .col(enumeration("industry", INDUSTRY))
        .col(enumeration("size", COMPANY_SIZE))
        .col(string_len_null("website", 300))
        .col(text("description"))
        .col(string_len("city", 200))
        .col(country_code("country_code"));
    audit_columns(&mut table, true);
    table.take()
}

fn developers() -> TableCreateStatement {
    let mut table = Table::create();
    table
        .table("developers")
        .col(big_pk_auto("id"))
        .col(string_len_uniq("handle", 40))
        .col(string_len("name", 200))
        .col(string_len_uniq("email", 320))
        .col(string_len("headline", 300))
        .col(text("bio"))
        .col(enumeration("seniority", SENIORITY))
        .col(
            integer("years_of_experience")
                .check(check(
                    "ck_years_of_experience_range",
                    Expr::col("years_of_experience").between(0, 60),
                ))
                .take(),
        )
        .col(string_len("city", 200))
        .col(country_code("country_code"))
        .col(enumeration("remote_preference", WORKPLACE))
        .col(boolean("open_to_work"))
        .col(big_integer_null("salary_expectation_amount"))
        .col(char_len_null("salary_expectation_currency", 3))
        .check(check(
            "ck_salary_expectation",
            Expr::cust(
                "(salary_expectation_amount IS NULL AND salary_expectation_currency IS NULL) \
                 OR (salary_expectation_amount > 0 AND salary_expectation_currency IS NOT NULL)",
            ),
        ))
        .check(check(
            "ck_salary_expectation_currency",
            currency_check("salary_expectation_currency"),
        ));
    audit_columns(&mut table, true);
    table.take()
}

fn developer_skills() -> TableCreateStatement {
    let mut table = Table::create();
    table
        .table("developer_skills")
        .col(big_integer("developer_id"))
        .col(big_integer("skill_id"))
        .col(
            small_integer("level")
                .check(check("ck_level_range", Expr::col("level").between(1, 5)))
                .take(),
        )
        .col(
            integer("years")
                .check(check("ck_years_range", Expr::col("years").between(0, 60)))
                .take(),
        )
        .primary_key(Index::create().col("developer_id").col("skill_id"))
        .foreign_key(
            ForeignKey::create()
                .name("fk_developer_skills_developer")
                .from("developer_skills", "developer_id")
                .to("developers", "id")
                .on_delete(ForeignKeyAction::Cascade),
        )
        .foreign_key(
            ForeignKey::create()
                .name("fk_developer_skills_skill")
                .from("developer_skills", "skill_id")
                .to("skills", "id")
                .on_delete(ForeignKeyAction::Restrict),
        );
    audit_columns(&mut table, false);
    table.take()
}

fn vacancies() -> TableCreateStatement {
    let mut table = Table::create();
    table
        .table("vacancies")
        .col(big_pk_auto("id"))
        .col(big_integer("employer_id"))
        .col(string_len("title", 200))
        .col(text("description"))
        .col(json_binary("responsibilities"))
        .col(enumeration("seniority", SENIORITY))
        .col(enumeration("employment_type", EMPLOYMENT_TYPE))
        .col(enumeration("workplace", WORKPLACE))
        .col(string_len_null("city", 200))
        .col(country_code("country_code"))
        .col(big_integer_null("salary_min"))
        .col(big_integer_null("salary_max"))
        .col(char_len_null("salary_currency", 3))
        .col(
            string_len_null("salary_period", 16)
                .check(Check::named(
                    "ck_salary_period_value",
                    Expr::col("salary_period")
                        .is_null()
                        .or(Expr::col("salary_period").is_in(SALARY_PERIOD.iter().copied())),
                ))
                .take(),
        )
        .col(enumeration("status", VACANCY_STATUS))
        .col(timestamp_with_time_zone_null("published_at"))
        .col(timestamp_with_time_zone_null("valid_through"))
        .check(check(
            "ck_salary_range",
            Expr::cust(
                "(salary_min IS NULL AND salary_max IS NULL AND salary_currency IS NULL \
                   AND salary_period IS NULL) \
                 OR (salary_min > 0 AND salary_min <= salary_max \
                   AND salary_currency IS NOT NULL AND salary_period IS NOT NULL)",
            ),
        ))
        .check(check(
            "ck_salary_currency",
            currency_check("salary_currency"),
        ))
        .check(check(
            "ck_published_unless_draft",
            Expr::cust("status = 'DRAFT' OR published_at IS NOT NULL"),
        ))
        .foreign_key(
            ForeignKey::create()
                .name("fk_vacancies_employer")
                .from("vacancies", "employer_id")
                .to("employers", "id")
                .on_delete(ForeignKeyAction::Cascade),
        );
    audit_columns(&mut table, true);
    table.take()
}

fn vacancy_skills() -> TableCreateStatement {
    let mut table = Table::create();
    table
        .table("vacancy_skills")
        .col(big_integer("vacancy_id"))
        .col(big_integer("skill_id"))
        .col(boolean("required"))
        .col(
            small_integer("min_level")
                .check(check(
                    "ck_min_level_range",
                    Expr::col("min_level").between(1, 5),
                ))
                .take(),
        )
        .primary_key(Index::create().col("vacancy_id").col("skill_id"))
        .foreign_key(
            ForeignKey::create()
                .name("fk_vacancy_skills_vacancy")
                .from("vacancy_skills", "vacancy_id")
                .to("vacancies", "id")
                .on_delete(ForeignKeyAction::Cascade),
        )
        .foreign_key(
            ForeignKey::create()
                .name("fk_vacancy_skills_skill")
                .from("vacancy_skills", "skill_id")
                .to("skills", "id")
                .on_delete(ForeignKeyAction::Restrict),
        );
    audit_columns(&mut table, false);
    table.take()
}

/// Indexes for every foreign key and every planned filter and sort order. Sort indexes end in `id`,
/// the tie-breaker of keyset pagination.
fn indexes() -> Vec<IndexCreateStatement> {
    let spec: &[(&str, &[&str])] = &[
        ("skills", &["category", "name", "id"]),
        ("skills", &["name", "id"]),
        ("employers", &["name", "id"]),
        ("employers", &["industry"]),
        ("employers", &["size"]),
        ("employers", &["country_code"]),
        ("developers", &["name", "id"]),
        ("developers", &["years_of_experience", "id"]),
        ("developers", &["created_at", "id"]),
        ("developers", &["seniority"]),
        ("developers", &["country_code"]),
        ("developers", &["remote_preference"]),
        ("developers", &["open_to_work"]),
        // The primary key (developer_id, skill_id) serves lookups by developer.
        ("developer_skills", &["skill_id", "level"]),
        ("vacancies", &["employer_id"]),
        ("vacancies", &["status", "published_at", "id"]),
        ("vacancies", &["status", "salary_max", "id"]),
        ("vacancies", &["title", "id"]),
        ("vacancies", &["seniority"]),
        ("vacancies", &["employment_type"]),
        ("vacancies", &["workplace"]),
        ("vacancies", &["country_code"]),
        // The primary key (vacancy_id, skill_id) serves lookups by vacancy.
        ("vacancy_skills", &["skill_id", "required"]),
    ];
    spec.iter()
        .map(|(table, columns)| {
            let mut index = Index::create();
            index
                .name(format!("ix_{table}_{}", columns.join("_")))
                .table(*table);
            for column in *columns {
                index.col(*column);
            }
            index.take()
        })
        .collect()
}
