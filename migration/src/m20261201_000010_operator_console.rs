//! The operator console: every action an operator takes from the dashboard (retry or discard
//! a dead job, re-drive a check-in, mark a refused refund handled) is a row of
//! `operator_actions`, with who, when, what and the outcome. A refused refund an operator has
//! dealt with keeps its state (`refund_refused`: it was refused) and gets
//! `refund_resolved_at`. Boarding passes get the check-in sequence number IATA's BCBP
//! carries, unique per flight, from a per-flight counter bumped in the confirming
//! transaction.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &[&str] = &[
    r"CREATE TABLE operator_actions (
        id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
        acted_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
        operator VARCHAR(64) NOT NULL,
        action VARCHAR(32) NOT NULL,
        target VARCHAR(64) NOT NULL,
        checkin_id CHAR(26) NULL,
        note VARCHAR(500) NOT NULL,
        outcome VARCHAR(255) NOT NULL,
        KEY ix_operator_actions_checkin (checkin_id),
        KEY ix_operator_actions_time (acted_at),
        CONSTRAINT ck_operator_actions_action CHECK (action IN
            ('retry_job', 'discard_job', 'redrive_checkin', 'resolve_refund'))
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    r"CREATE TABLE flight_checkin_sequences (
        flight_id BIGINT NOT NULL PRIMARY KEY,
        last_seq INT NOT NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    r"ALTER TABLE payments ADD COLUMN refund_resolved_at DATETIME(6) NULL AFTER next_check_at",
    r"ALTER TABLE boarding_passes ADD COLUMN checkin_seq INT NULL AFTER seat_code,
        MODIFY barcode VARCHAR(255) NOT NULL,
        ADD UNIQUE KEY uq_boarding_passes_flight_seq (flight_id, checkin_seq)",
];

const DOWN: &[&str] = &[
    "ALTER TABLE boarding_passes DROP KEY uq_boarding_passes_flight_seq, DROP COLUMN checkin_seq",
    "ALTER TABLE payments DROP COLUMN refund_resolved_at",
    "DROP TABLE IF EXISTS flight_checkin_sequences",
    "DROP TABLE IF EXISTS operator_actions",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for sql in UP {
            manager.get_connection().execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for sql in DOWN {
            manager.get_connection().execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
