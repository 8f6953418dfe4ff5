//! The initial schema, written as SQL because its guarantees live in details a builder hides:
//! `DATETIME(6)` times from the database clock, the unique keys that make a double
//! assignment impossible, and a stored generated column that allows one active check-in
//! per passenger and flight.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &[&str] = &[
    r"CREATE TABLE flights (
        id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
        code VARCHAR(8) NOT NULL,
        origin CHAR(3) NOT NULL,
        destination CHAR(3) NOT NULL,
        departure_at DATETIME(6) NOT NULL,
        aircraft VARCHAR(16) NOT NULL,
        currency CHAR(3) NOT NULL,
        created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
        UNIQUE KEY uq_flights_code_departure (code, departure_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    // One row per physical seat. The row is the lock of record: every state change is a
    // single-row conditional UPDATE. `passenger_id` is set while held or booked, so the
    // unique key (flight_id, passenger_id) means one seat per passenger per flight, and the
    // row itself means one passenger per seat.
    r"CREATE TABLE seats (
        id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
        flight_id BIGINT NOT NULL,
        seat_code VARCHAR(4) NOT NULL,
        row_no INT NOT NULL,
        letter CHAR(1) NOT NULL,
        cabin VARCHAR(16) NOT NULL,
        position VARCHAR(8) NOT NULL,
        extra_legroom BOOLEAN NOT NULL DEFAULT FALSE,
        fee_cents INT NOT NULL,
        state VARCHAR(12) NOT NULL DEFAULT 'available',
        hold_id CHAR(26) NULL,
        hold_expires_at DATETIME(6) NULL,
        passenger_id BIGINT NULL,
        checkin_id CHAR(26) NULL,
        version BIGINT NOT NULL DEFAULT 0,
        updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
        UNIQUE KEY uq_seats_flight_seat (flight_id, seat_code),
        UNIQUE KEY uq_seats_flight_passenger (flight_id, passenger_id),
        KEY ix_seats_state_expiry (state, hold_expires_at),
        CONSTRAINT fk_seats_flight FOREIGN KEY (flight_id) REFERENCES flights (id),
        CONSTRAINT ck_seats_state CHECK (state IN ('available', 'held', 'booked')),
        CONSTRAINT ck_seats_holder CHECK (
            (state = 'available' AND passenger_id IS NULL AND hold_id IS NULL)
            OR (state = 'held' AND passenger_id IS NOT NULL AND hold_id IS NOT NULL AND hold_expires_at IS NOT NULL)
            OR (state = 'booked' AND passenger_id IS NOT NULL AND hold_id IS NOT NULL))
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    r"CREATE TABLE bookings (
        id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
        pnr CHAR(6) NOT NULL,
        flight_id BIGINT NOT NULL,
        created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
        UNIQUE KEY uq_bookings_pnr (pnr),
        CONSTRAINT fk_bookings_flight FOREIGN KEY (flight_id) REFERENCES flights (id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    r"CREATE TABLE passengers (
        id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
        booking_id BIGINT NOT NULL,
        flight_id BIGINT NOT NULL,
        first_name VARCHAR(64) NOT NULL,
        last_name VARCHAR(64) NOT NULL,
        created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
        KEY ix_passengers_booking (booking_id),
        CONSTRAINT fk_passengers_booking FOREIGN KEY (booking_id) REFERENCES bookings (id),
        CONSTRAINT fk_passengers_flight FOREIGN KEY (flight_id) REFERENCES flights (id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    r"CREATE TABLE sessions (
        token_hash CHAR(64) NOT NULL PRIMARY KEY,
        booking_id BIGINT NOT NULL,
        expires_at DATETIME(6) NOT NULL,
        created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
        KEY ix_sessions_expiry (expires_at),
        CONSTRAINT fk_sessions_booking FOREIGN KEY (booking_id) REFERENCES bookings (id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    // The check-in request is the queue of record: it is committed before its job is pushed
    // to Redis, and the re-drive step re-pushes what is stuck. There is deliberately no
    // foreign key to seats: its shared lock on the hot seat rows would queue every request
    // behind the worker holding that seat. `active_passenger_id` is
    // non-NULL only while the check-in is live or confirmed, so its unique key allows one
    // such check-in per passenger and flight, however many requests race.
    r"CREATE TABLE checkins (
        id CHAR(26) NOT NULL PRIMARY KEY,
        booking_id BIGINT NOT NULL,
        flight_id BIGINT NOT NULL,
        passenger_id BIGINT NOT NULL,
        seat_id BIGINT NOT NULL,
        state VARCHAR(16) NOT NULL,
        reason VARCHAR(32) NULL,
        hold_id CHAR(26) NULL,
        hold_expires_at DATETIME(6) NULL,
        attempts INT NOT NULL DEFAULT 0,
        enqueued_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
        created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
        updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
        active_passenger_id BIGINT GENERATED ALWAYS AS (
            CASE WHEN state IN ('queued', 'held', 'paying', 'confirmed') THEN passenger_id END
        ) STORED,
        UNIQUE KEY uq_checkins_active_passenger (flight_id, active_passenger_id),
        KEY ix_checkins_state_enqueued (state, enqueued_at),
        KEY ix_checkins_state_expiry (state, hold_expires_at),
        KEY ix_checkins_booking (booking_id),
        CONSTRAINT fk_checkins_passenger FOREIGN KEY (passenger_id) REFERENCES passengers (id),
        CONSTRAINT ck_checkins_state CHECK (state IN
            ('queued', 'held', 'paying', 'confirmed', 'rejected', 'payment_failed', 'expired', 'cancelled'))
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    r"CREATE TABLE checkin_events (
        id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
        checkin_id CHAR(26) NOT NULL,
        kind VARCHAR(32) NOT NULL,
        detail VARCHAR(255) NOT NULL,
        created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
        KEY ix_checkin_events_checkin (checkin_id),
        KEY ix_checkin_events_kind_time (kind, created_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    r"CREATE TABLE payments (
        id CHAR(26) NOT NULL PRIMARY KEY,
        checkin_id CHAR(26) NOT NULL,
        hold_id CHAR(26) NOT NULL,
        idempotency_key VARCHAR(64) NOT NULL,
        amount_cents INT NOT NULL,
        currency CHAR(3) NOT NULL,
        payment_method VARCHAR(64) NOT NULL,
        state VARCHAR(16) NOT NULL,
        provider_charge_id VARCHAR(64) NULL,
        decline_code VARCHAR(48) NULL,
        attempts INT NOT NULL DEFAULT 0,
        created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
        updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
        UNIQUE KEY uq_payments_checkin (checkin_id),
        UNIQUE KEY uq_payments_idempotency (idempotency_key),
        KEY ix_payments_state_time (state, updated_at),
        CONSTRAINT fk_payments_checkin FOREIGN KEY (checkin_id) REFERENCES checkins (id),
        CONSTRAINT ck_payments_state CHECK (state IN ('pending', 'succeeded', 'declined', 'refunded', 'failed'))
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    r"CREATE TABLE boarding_passes (
        id CHAR(26) NOT NULL PRIMARY KEY,
        checkin_id CHAR(26) NOT NULL,
        flight_id BIGINT NOT NULL,
        passenger_id BIGINT NOT NULL,
        seat_code VARCHAR(4) NOT NULL,
        barcode VARCHAR(160) NOT NULL,
        issued_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
        UNIQUE KEY uq_boarding_passes_checkin (checkin_id),
        UNIQUE KEY uq_boarding_passes_flight_passenger (flight_id, passenger_id),
        UNIQUE KEY uq_boarding_passes_flight_seat (flight_id, seat_code),
        CONSTRAINT fk_boarding_passes_checkin FOREIGN KEY (checkin_id) REFERENCES checkins (id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    r"CREATE TABLE idempotency_keys (
        booking_id BIGINT NOT NULL,
        idem_key VARCHAR(255) NOT NULL,
        request_hash CHAR(64) NOT NULL,
        response_status INT NOT NULL,
        response_body TEXT NOT NULL,
        created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
        PRIMARY KEY (booking_id, idem_key),
        KEY ix_idempotency_keys_created (created_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    r"CREATE TABLE sweeps (
        tick_at DATETIME(6) NOT NULL PRIMARY KEY,
        worker VARCHAR(128) NOT NULL,
        started_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
        finished_at DATETIME(6) NULL,
        holds_released INT NOT NULL DEFAULT 0,
        checkins_expired INT NOT NULL DEFAULT 0,
        redriven INT NOT NULL DEFAULT 0
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
];

const DOWN: &[&str] = &[
    "DROP TABLE IF EXISTS sweeps",
    "DROP TABLE IF EXISTS idempotency_keys",
    "DROP TABLE IF EXISTS boarding_passes",
    "DROP TABLE IF EXISTS payments",
    "DROP TABLE IF EXISTS checkin_events",
    "DROP TABLE IF EXISTS checkins",
    "DROP TABLE IF EXISTS sessions",
    "DROP TABLE IF EXISTS passengers",
    "DROP TABLE IF EXISTS bookings",
    "DROP TABLE IF EXISTS seats",
    "DROP TABLE IF EXISTS flights",
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
