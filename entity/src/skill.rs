//! `skills`: the curated taxonomy.

use sea_orm::entity::prelude::*;

use crate::{SkillCategory, StringList};

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "skills")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    pub category: SkillCategory,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    #[sea_orm(column_type = "JsonBinary")]
    pub aliases: StringList,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
    #[sea_orm(has_many)]
    pub developer_skills: HasMany<super::developer_skill::Entity>,
    #[sea_orm(has_many)]
    pub vacancy_skills: HasMany<super::vacancy_skill::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}

impl dbkit::batch::Keyed for Model {
    fn key(&self) -> i64 {
        self.id
    }
}

dbkit::model_row! {
    id,
    slug by ["slug"],
    // Read by match reasons too, whatever their selection (src/matching).
    name,
    category by ["category"],
    description by ["description"],
    aliases by ["aliases"],
    created_at by ["createdAt"],
    updated_at by ["updatedAt"],
    version by ["version"],
}

impl dbkit::write::Versioned for Entity {
    const ID: Column = Column::Id;
    const VERSION: Column = Column::Version;
    const UPDATED_AT: Column = Column::UpdatedAt;
}
