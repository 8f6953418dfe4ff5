//! Reconciling given-up payments with the provider: when a payment was last looked up there
//! and found clean (no charge to give back).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "ALTER TABLE payments ADD COLUMN reconciled_at DATETIME(6) NULL AFTER attempts",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE payments DROP COLUMN reconciled_at")
            .await?;
        Ok(())
    }
}
