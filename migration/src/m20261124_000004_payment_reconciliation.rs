//! Reconciling given-up payments with the provider: how many times a payment was looked up
//! there and found without a charge, and when it is due to be looked up (or its refund tried)
//! again. Payments that ended before this migration keep `next_check_at` NULL: their charges
//! were made without the hold's metadata, so a search could not find them anyway.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "ALTER TABLE payments
                 ADD COLUMN reconcile_checks INT NOT NULL DEFAULT 0 AFTER attempts,
                 ADD COLUMN next_check_at DATETIME(6) NULL AFTER reconcile_checks,
                 ADD KEY ix_payments_next_check (next_check_at)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "ALTER TABLE payments DROP KEY ix_payments_next_check, DROP COLUMN next_check_at, DROP COLUMN reconcile_checks",
            )
            .await?;
        Ok(())
    }
}
