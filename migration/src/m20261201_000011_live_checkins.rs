//! One live check-in per passenger and flight moves from a unique key on `checkins` (over the
//! generated `active_passenger_id`) to a table keyed by `(flight_id, passenger_id)` that names
//! the passenger's latest check-in (`checkin_domain::checkin::live` claims it). The unique
//! key's duplicate checks locked index gaps, and neighbouring passengers asking again at the
//! same moment deadlocked; a primary key is checked with record locks only.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE TABLE live_checkins (
                flight_id BIGINT NOT NULL,
                passenger_id BIGINT NOT NULL,
                checkin_id CHAR(26) NOT NULL,
                PRIMARY KEY (flight_id, passenger_id)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
        )
        .await?;
        db.execute_unprepared(
            "INSERT INTO live_checkins (flight_id, passenger_id, checkin_id)
             SELECT flight_id, passenger_id, id FROM checkins WHERE active_passenger_id IS NOT NULL",
        )
        .await?;
        db.execute_unprepared(
            "ALTER TABLE checkins DROP KEY uq_checkins_active_passenger, DROP COLUMN active_passenger_id",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "ALTER TABLE checkins ADD COLUMN active_passenger_id BIGINT GENERATED ALWAYS AS (
                 CASE WHEN state IN ('queued', 'held', 'paying', 'confirmed') THEN passenger_id END
             ) STORED,
             ADD UNIQUE KEY uq_checkins_active_passenger (flight_id, active_passenger_id)",
        )
        .await?;
        db.execute_unprepared("DROP TABLE live_checkins").await?;
        Ok(())
    }
}
