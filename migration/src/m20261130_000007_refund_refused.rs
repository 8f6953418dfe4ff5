//! A payment whose refund the provider refused for good is `refund_refused`: nothing
//! retries it, and an operator acts on it from the dashboard.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("ALTER TABLE payments DROP CONSTRAINT ck_payments_state")
            .await?;
        db.execute_unprepared(
            "ALTER TABLE payments ADD CONSTRAINT ck_payments_state CHECK (state IN
             ('pending', 'succeeded', 'declined', 'refunded', 'refund_refused', 'failed'))",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE payments SET state = 'failed' WHERE state = 'refund_refused'",
        )
        .await?;
        db.execute_unprepared("ALTER TABLE payments DROP CONSTRAINT ck_payments_state")
            .await?;
        db.execute_unprepared(
            "ALTER TABLE payments ADD CONSTRAINT ck_payments_state CHECK (state IN
             ('pending', 'succeeded', 'declined', 'refunded', 'failed'))",
        )
        .await?;
        Ok(())
    }
}
