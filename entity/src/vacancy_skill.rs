//! `vacancy_skills`: a skill a vacancy asks for, must-have or nice-to-have, with a minimum level.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "vacancy_skills")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub vacancy_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub skill_id: i64,
    pub required: bool,
    pub min_level: i16,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "vacancy_id", to = "id", on_delete = "Cascade")]
    pub vacancy: HasOne<super::vacancy::Entity>,
    #[sea_orm(belongs_to, from = "skill_id", to = "id", on_delete = "Restrict")]
    pub skill: HasOne<super::skill::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}

dbkit::link_row!(vacancy_id, skill_id, required, min_level; created_at, updated_at);
