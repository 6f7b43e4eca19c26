//! The demo dataset (being written).
use sea_orm::DatabaseConnection;
use std::fmt;
/// What was loaded.
pub struct Summary;
impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("nothing")
    }
}
/// Loads it.
pub async fn seed(_db: &DatabaseConnection) -> Result<Summary, sea_orm::DbErr> {
    Ok(Summary)
}
