//! The best free seat for a check-in that left the choice to the system.

use sea_orm::{ConnectionTrait, FromQueryResult};

use super::EndReason;
use crate::{
    DomainError, DomainResult,
    db::stmt,
    seat::{self, NewHold},
    types::SeatPreference,
};

#[derive(FromQueryResult)]
struct Candidate {
    id: i64,
    tier: i64,
}

/// Holds the best free seat by the check-in's preferences without ever waiting on a row
/// another transaction holds: candidates come from a plain read in preference order, and each
/// is then locked by primary key with `FOR UPDATE SKIP LOCKED`, so a seat being taken by
/// someone else is passed over, not queued behind. At most one seat row is locked at a time.
///
/// The best candidate is always tried first. When it is being taken by someone else, many
/// passengers are racing for the same seats (a burst at check-in opening): the rest of the
/// equally good candidates are then tried from a random starting point, so the racers spread
/// over them instead of all probing the same rows in the same order.
///
/// Returns the seat held, or why none was: `FlightFull` (no free seat at all) or
/// `PassengerHasSeat`. When free seats exist but every one was being taken by others at
/// that moment, nothing is decided: [`DomainError::Busy`], and the job runs again.
pub(super) async fn pick_free_seat(
    conn: &impl ConnectionTrait,
    preference: Option<&str>,
    flight_id: i64,
    hold: &NewHold<'_>,
) -> DomainResult<Result<i64, EndReason>> {
    let preference = SeatPreference::from_stored(preference.unwrap_or_default());
    let (tier, order) = (preference.tier(), preference.order_by());
    let free = seat::free("seats");
    let mut tried: Vec<i64> = Vec::new();
    for _round in 0..8 {
        let skip = if tried.is_empty() {
            String::new()
        } else {
            let ids: Vec<String> = tried.iter().map(i64::to_string).collect();
            format!(" AND id NOT IN ({})", ids.join(","))
        };
        let candidates = Candidate::find_by_statement(stmt(
            &format!(
                "SELECT id, CAST({tier} AS SIGNED) AS tier FROM seats
                 WHERE flight_id = ? AND {free}{skip} ORDER BY {order} LIMIT 32"
            ),
            [flight_id.into()],
        ))
        .all(conn)
        .await?;
        if candidates.is_empty() {
            if tried.is_empty() {
                return Ok(Err(EndReason::FlightFull));
            }
            // Every free seat was tried, and each was being taken by someone else.
            break;
        }
        let ranked: Vec<(i64, i64)> = candidates.iter().map(|c| (c.id, c.tier)).collect();
        for seat_id in probe_order(&ranked) {
            tried.push(seat_id);
            if !seat::lock_if_free(conn, seat_id).await? {
                continue;
            }
            match seat::hold(conn, seat_id, flight_id, hold).await? {
                None => return Ok(Ok(seat_id)),
                Some(EndReason::PassengerHasSeat) => {
                    // The passenger's own run-out hold is not a seat of theirs.
                    if seat::release_run_out_of(conn, flight_id, hold.passenger_id).await?
                        && seat::hold(conn, seat_id, flight_id, hold).await?.is_none()
                    {
                        return Ok(Ok(seat_id));
                    }
                    return Ok(Err(EndReason::PassengerHasSeat));
                }
                Some(_) => {}
            }
        }
    }
    // Every candidate was being taken at the same moment: run the job again rather than
    // wait here, or refuse a passenger for a seat that may be free a moment later.
    Err(DomainError::Busy(
        "every free seat was being taken by others",
    ))
}

/// The order in which to probe `(seat id, tier)` candidates listed best first: the best one,
/// then the rest of its tier from a random starting point (wrapping around), then the others
/// in order. A passenger who is alone gets the best seat; racers spread over equal seats.
fn probe_order(candidates: &[(i64, i64)]) -> Vec<i64> {
    let Some(&(best, best_tier)) = candidates.first() else {
        return Vec::new();
    };
    let same = candidates
        .iter()
        .take_while(|(_, t)| *t == best_tier)
        .count();
    let rest = &candidates[1..same];
    let start = if rest.is_empty() {
        0
    } else {
        rand::random_range(0..rest.len())
    };
    std::iter::once(best)
        .chain(
            rest[start..]
                .iter()
                .chain(&rest[..start])
                .map(|(id, _)| *id),
        )
        .chain(candidates[same..].iter().map(|(id, _)| *id))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::probe_order;

    #[test]
    fn the_best_candidate_comes_first_and_other_tiers_keep_their_order() {
        let candidates = [(10, 0), (11, 0), (12, 0), (13, 0), (20, 1), (21, 1)];
        for _ in 0..50 {
            let order = probe_order(&candidates);
            assert_eq!(order[0], 10);
            let mut equal = order[1..4].to_vec();
            equal.sort_unstable();
            assert_eq!(equal, [11, 12, 13], "every seat of the best tier, once");
            assert_eq!(order[4..], [20, 21]);
        }
        assert!(probe_order(&[]).is_empty());
        assert_eq!(probe_order(&[(7, 3)]), [7]);
    }
}
