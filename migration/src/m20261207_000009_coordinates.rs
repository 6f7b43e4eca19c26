//! Coordinates of the city of each developer, vacancy and employer, for distance search: latitude
//! and longitude (degrees), and for developers and vacancies the same point as a unit vector
//! `geo_x`, `geo_y`, `geo_z`, whose squared distance to another ranks rows by great-circle
//! distance with arithmetic alone (see the server's `geo` module). Null where the city is not
//! known (a remote vacancy without one). `(latitude, longitude)` is indexed: a distance filter
//! first keeps the rows in a bounding box.
//!
//! The server fills them from its gazetteer: for the rows of a migrated database when it starts,
//! and on every write of a city.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables, and whether they get the unit vector too.
const TABLES: [(&str, bool); 3] = [
    ("developers", true),
    ("vacancies", true),
    ("employers", false),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, vector) in TABLES {
            let mut columns = vec!["latitude", "longitude"];
            if vector {
                columns.extend(["geo_x", "geo_y", "geo_z"]);
            }
            // One column per statement: SQLite's ALTER TABLE adds one at a time.
            for column in columns {
                manager
                    .alter_table(
                        Table::alter()
                            .table(table)
                            .add_column(double_null(column))
                            .to_owned(),
                    )
                    .await?;
            }
            if vector {
                manager
                    .create_index(
                        Index::create()
                            .name(format!("ix_{table}_latitude_longitude"))
                            .table(table)
                            .col("latitude")
                            .col("longitude")
                            .to_owned(),
                    )
                    .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, vector) in TABLES {
            let mut columns = vec!["latitude", "longitude"];
            if vector {
                manager
                    .drop_index(
                        Index::drop()
                            .name(format!("ix_{table}_latitude_longitude"))
                            .table(table)
                            .to_owned(),
                    )
                    .await?;
                columns.extend(["geo_x", "geo_y", "geo_z"]);
            }
            for column in columns {
                manager
                    .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                    .await?;
            }
        }
        Ok(())
    }
}
