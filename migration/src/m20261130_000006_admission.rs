//! MariaDB is the queue of record and the job queue in Redis is bounded: `enqueued_at` is
//! NULL while a request waits in MariaDB for admission (the queue was full or unreachable
//! when it was made), and the time its job was last pushed otherwise.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE checkins MODIFY enqueued_at DATETIME(6) NULL")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE checkins SET enqueued_at = created_at WHERE enqueued_at IS NULL",
        )
        .await?;
        db.execute_unprepared(
            "ALTER TABLE checkins MODIFY enqueued_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)",
        )
        .await?;
        Ok(())
    }
}
