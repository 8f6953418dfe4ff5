//! Retention: the check-ins of flights that departed long ago (and their history, payment
//! and boarding pass) move out of the live tables into `archived_rows`, one JSON document per
//! row, so a year of flights does not weigh on the tables every request and sweep reads.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE TABLE archived_rows (
                id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
                kind VARCHAR(16) NOT NULL,
                flight_id BIGINT NOT NULL,
                checkin_id CHAR(26) NOT NULL,
                body JSON NOT NULL,
                archived_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
                KEY ix_archived_rows_checkin (checkin_id),
                KEY ix_archived_rows_flight (flight_id)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
        )
        .await?;
        db.execute_unprepared("ALTER TABLE flights ADD KEY ix_flights_departure (departure_at)")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("ALTER TABLE flights DROP KEY ix_flights_departure")
            .await?;
        db.execute_unprepared("DROP TABLE IF EXISTS archived_rows")
            .await?;
        Ok(())
    }
}
