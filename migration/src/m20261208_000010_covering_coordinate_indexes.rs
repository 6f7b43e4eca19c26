//! Coordinate indexes that cover a distance search: besides latitude and longitude (the bounding
//! box), the unit vector (the exact distance and the order by it) and the id, and for vacancies
//! their status (what a viewer may see). A `near` filter's count and the ids of a page by
//! distance are then read from the index alone, with no visit to the rows: at scale 334, counting
//! the 2,561 developers within 50 km of London went from 7.4 ms (2,178 heap blocks) to 0.9 ms on
//! PostgreSQL.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (table, old index, new index, new columns)
const INDEXES: [(&str, &str, &str, &[&str]); 2] = [
    (
        "developers",
        "ix_developers_latitude_longitude",
        "ix_developers_near",
        &["latitude", "longitude", "geo_x", "geo_y", "geo_z", "id"],
    ),
    (
        "vacancies",
        "ix_vacancies_latitude_longitude",
        "ix_vacancies_near",
        &[
            "latitude",
            "longitude",
            "geo_x",
            "geo_y",
            "geo_z",
            "status",
            "id",
        ],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, old, new, columns) in INDEXES {
            let mut index = Index::create();
            index.name(new).table(table);
            for column in columns {
                index.col(*column);
            }
            manager.create_index(index.take()).await?;
            manager
                .drop_index(Index::drop().name(old).table(table).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, old, new, _) in INDEXES {
            manager
                .create_index(
                    Index::create()
                        .name(old)
                        .table(table)
                        .col("latitude")
                        .col("longitude")
                        .to_owned(),
                )
                .await?;
            manager
                .drop_index(Index::drop().name(new).table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
