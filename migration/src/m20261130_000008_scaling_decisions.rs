//! The autoscaler's decisions, one row each: what it saw, what it did, why. The dashboard
//! shows them beside the backlog they answered.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE TABLE scaling_decisions (
                    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
                    decided_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
                    backend VARCHAR(16) NOT NULL,
                    from_workers INT NOT NULL,
                    to_workers INT NOT NULL,
                    reason VARCHAR(255) NOT NULL,
                    backlog INT NOT NULL,
                    oldest_secs DOUBLE NOT NULL,
                    KEY ix_scaling_decisions_time (decided_at)
                ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE IF EXISTS scaling_decisions")
            .await?;
        Ok(())
    }
}
