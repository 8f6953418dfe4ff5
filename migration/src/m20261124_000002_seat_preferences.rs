//! Check-ins that ask for "the best free seat" instead of a given one: the seat is chosen by
//! the worker, so `seat_id` is empty until then, and the passenger's preferences are kept.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "ALTER TABLE checkins MODIFY seat_id BIGINT NULL, ADD COLUMN seat_preference VARCHAR(32) NULL AFTER seat_id",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        conn.execute_unprepared("DELETE FROM checkins WHERE seat_id IS NULL")
            .await?;
        conn.execute_unprepared(
            "ALTER TABLE checkins DROP COLUMN seat_preference, MODIFY seat_id BIGINT NOT NULL",
        )
        .await?;
        Ok(())
    }
}
