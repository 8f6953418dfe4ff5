//! End reasons become a closed set: a declined card ends a check-in as `card_declined`, and
//! the provider's decline code (`insufficient_funds`, ...) stays on the payment, where it
//! already was. A CHECK keeps anything else out.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const REASONS: &str = "'seat_taken', 'passenger_has_seat', 'flight_full', 'hold_timeout', 'hold_lost', \
     'provider_unavailable', 'provider_refused', 'card_declined', 'cancelled_by_passenger'";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(&format!(
            "UPDATE checkins SET reason = 'card_declined' WHERE reason IS NOT NULL AND reason NOT IN ({REASONS})"
        ))
        .await?;
        db.execute_unprepared(&format!(
            "ALTER TABLE checkins ADD CONSTRAINT ck_checkins_reason CHECK (reason IS NULL OR reason IN ({REASONS}))"
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("ALTER TABLE checkins DROP CONSTRAINT ck_checkins_reason")
            .await?;
        db.execute_unprepared(
            "UPDATE checkins c JOIN payments p ON p.checkin_id = c.id
             SET c.reason = COALESCE(p.decline_code, 'card_declined')
             WHERE c.reason = 'card_declined'",
        )
        .await?;
        Ok(())
    }
}
