//! `developer_skills`: a developer's level (1–5) and years in one skill.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "developer_skills")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub developer_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub skill_id: i64,
    pub level: i16,
    pub years: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "developer_id", to = "id", on_delete = "Cascade")]
    pub developer: HasOne<super::developer::Entity>,
    #[sea_orm(belongs_to, from = "skill_id", to = "id", on_delete = "Restrict")]
    pub skill: HasOne<super::skill::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}

dbkit::link_row!(developer_id, skill_id, level, years; created_at, updated_at);
