//! The check-in schema. Migrations are an explicit step (`checkin-api migrate up`), never run on
//! boot. Targets MariaDB 10.11+ and MySQL 8.0+.

pub use sea_orm_migration::prelude::*;

mod m20261124_000001_schema;
mod m20261124_000002_seat_preferences;
mod m20261124_000003_group_checkins;
mod m20261124_000004_payment_reconciliation;
mod m20261130_000005_end_reasons;
mod m20261130_000006_admission;
mod m20261130_000007_refund_refused;
mod m20261130_000008_scaling_decisions;
mod m20261130_000009_retention;
mod m20261201_000010_operator_console;
mod m20261201_000011_live_checkins;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_schema::Migration),
            Box::new(m20261124_000002_seat_preferences::Migration),
            Box::new(m20261124_000003_group_checkins::Migration),
            Box::new(m20261124_000004_payment_reconciliation::Migration),
            Box::new(m20261130_000005_end_reasons::Migration),
            Box::new(m20261130_000006_admission::Migration),
            Box::new(m20261130_000007_refund_refused::Migration),
            Box::new(m20261130_000008_scaling_decisions::Migration),
            Box::new(m20261130_000009_retention::Migration),
            Box::new(m20261201_000010_operator_console::Migration),
            Box::new(m20261201_000011_live_checkins::Migration),
        ]
    }
}
