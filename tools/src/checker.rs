//! The checker: reads MariaDB after a run and says whether the guarantees held.

use sea_orm::{ConnectionTrait, DbErr};
use serde::Serialize;

use checkin_domain::db::stmt;

/// What the database says about a set of flights.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Verdict {
    /// Seats with two boarding passes, or two passengers (must be 0).
    pub seats_doubled: i64,
    /// Passengers holding or owning two seats on one flight (must be 0).
    pub passengers_doubled: i64,
    /// Check-ins still `queued`, `held` or `paying` (0 once a run has settled).
    pub unfinished: i64,
    pub confirmed: i64,
    pub seats_booked: i64,
    pub ok: bool,
}

async fn count(conn: &impl ConnectionTrait, sql: &str, flights: &str) -> Result<i64, DbErr> {
    let sql = sql.replace("{flights}", flights);
    let row = conn
        .query_one_raw(stmt(&format!("SELECT CAST(({sql}) AS SIGNED) AS n"), []))
        .await?;
    Ok(row
        .map(|r| r.try_get::<Option<i64>>("", "n"))
        .transpose()?
        .flatten()
        .unwrap_or(0))
}

/// Checks the flights `flight_ids` (all flights if empty).
pub async fn verdict(conn: &impl ConnectionTrait, flight_ids: &[i64]) -> Result<Verdict, DbErr> {
    let flights = if flight_ids.is_empty() {
        "SELECT id FROM flights".to_owned()
    } else {
        flight_ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",")
    };
    let seats_doubled = count(conn, "SELECT COUNT(*) FROM (SELECT flight_id, seat_code FROM boarding_passes WHERE flight_id IN ({flights}) GROUP BY 1, 2 HAVING COUNT(*) > 1) x", &flights).await?;
    let passengers_doubled = count(conn, "SELECT COUNT(*) FROM (SELECT flight_id, passenger_id FROM seats WHERE passenger_id IS NOT NULL AND flight_id IN ({flights}) GROUP BY 1, 2 HAVING COUNT(*) > 1) x", &flights).await?
        + count(conn, "SELECT COUNT(*) FROM (SELECT flight_id, passenger_id FROM boarding_passes WHERE flight_id IN ({flights}) GROUP BY 1, 2 HAVING COUNT(*) > 1) x", &flights).await?;
    let unfinished = count(conn, "SELECT COUNT(*) FROM checkins WHERE state IN ('queued', 'held', 'paying') AND flight_id IN ({flights})", &flights).await?;
    let confirmed = count(
        conn,
        "SELECT COUNT(*) FROM checkins WHERE state = 'confirmed' AND flight_id IN ({flights})",
        &flights,
    )
    .await?;
    let seats_booked = count(
        conn,
        "SELECT COUNT(*) FROM seats WHERE state = 'booked' AND flight_id IN ({flights})",
        &flights,
    )
    .await?;
    let ok = seats_doubled == 0 && passengers_doubled == 0 && confirmed == seats_booked;
    Ok(Verdict {
        seats_doubled,
        passengers_doubled,
        unfinished,
        confirmed,
        seats_booked,
        ok,
    })
}
