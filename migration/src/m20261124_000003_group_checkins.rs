//! Group check-ins: several passengers of one booking held together, all or nothing.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE checkins ADD COLUMN group_id CHAR(26) NULL AFTER seat_preference, ADD KEY ix_checkins_group (group_id)")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "ALTER TABLE checkins DROP KEY ix_checkins_group, DROP COLUMN group_id",
            )
            .await?;
        Ok(())
    }
}
