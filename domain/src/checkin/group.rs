//! Group check-in: several passengers of one booking, seated together when possible, held
//! all together or not at all.
//!
//! Deadlock-free by construction: the group's check-in rows are locked in primary-key order,
//! and seats are only ever locked with `FOR UPDATE SKIP LOCKED`, so a group transaction never
//! waits on a seat row somebody else holds.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, FromQueryResult};
use serde::{Deserialize, Serialize};

use super::{CheckinState, EndReason, HoldOutcome, live};
use crate::{
    DomainError, DomainResult,
    config::HoldConfig,
    db::{self, TxnError, stmt},
    history::{self, Event},
    idempotency,
    jobs::{JobKind, JobQueue},
    seat::{self, NewHold},
    session::BookingRef,
    types::{CheckinId, HoldId, IdempotencyKey, InvalidInput, SeatPreference},
};

/// Passengers a group check-in may hold, at most (a row of six and a few more).
pub const MAX_GROUP: usize = 9;

/// Check several passengers of the caller's booking in together.
#[derive(Debug, Clone, Serialize)]
pub struct CreateGroupCheckin {
    pub flight_id: i64,
    pub passenger_ids: Vec<i64>,
    pub preference: SeatPreference,
}

/// The answer to an accepted group check-in (stored for idempotent replays).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupAccepted {
    pub group_id: String,
    pub checkin_ids: Vec<CheckinId>,
    /// Always `queued`.
    pub state: CheckinState,
}

#[derive(Debug, Clone)]
pub struct GroupCreated {
    pub accepted: GroupAccepted,
    pub replayed: bool,
}

#[derive(FromQueryResult)]
struct Count {
    n: i64,
}

/// Records a group check-in: one check-in per passenger, committed together (if any
/// passenger already has a live or confirmed check-in on the flight, none is created), then
/// one job per member. Idempotent per `key`.
pub async fn create_group_checkin(
    db: &DatabaseConnection,
    queue: &dyn JobQueue,
    booking: &BookingRef,
    req: &CreateGroupCheckin,
    key: &IdempotencyKey,
) -> DomainResult<GroupCreated> {
    let mut ids = req.passenger_ids.clone();
    ids.sort_unstable();
    ids.dedup();
    if ids.len() != req.passenger_ids.len() || !(2..=MAX_GROUP).contains(&ids.len()) {
        return Err(InvalidInput {
            code: "invalid_group",
            detail: format!("a group is 2 to {MAX_GROUP} different passengers"),
        }
        .into());
    }
    let hash = idempotency::request_hash("create_group_checkin", "", req);
    if let Some(accepted) = idempotency::lookup(db, booking.id, key, &hash).await? {
        return Ok(GroupCreated {
            accepted,
            replayed: true,
        });
    }
    let result = db::transaction(db, async |txn| -> Result<_, TxnError> {
        if req.flight_id != booking.flight_id {
            return Err(DomainError::FlightNotInBooking.into());
        }
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let owned = Count::find_by_statement(stmt(
            &format!("SELECT CAST(COUNT(*) AS SIGNED) AS n FROM passengers WHERE booking_id = ? AND id IN ({list})"),
            [booking.id.into()],
        ))
        .one(&txn)
        .await?
        .map_or(0, |c| c.n);
        if usize::try_from(owned).ok() != Some(ids.len()) {
            return Err(DomainError::PassengerNotInBooking.into());
        }
        let group_id = ulid::Ulid::new().to_string();
        let accepted = GroupAccepted {
            group_id: group_id.clone(),
            checkin_ids: ids.iter().map(|_| CheckinId::new()).collect(),
            state: CheckinState::Queued,
        };
        idempotency::claim(&txn, booking.id, key, &hash, &accepted).await?;
        for (passenger, id) in ids.iter().zip(&accepted.checkin_ids) {
            let insert = stmt(
                "INSERT INTO checkins (id, booking_id, flight_id, passenger_id, seat_id, seat_preference, group_id, state, enqueued_at, created_at, updated_at)
                 VALUES (?, ?, ?, ?, NULL, ?, ?, 'queued', NOW(6), NOW(6), NOW(6))",
                [
                    id.as_str().into(),
                    booking.id.into(),
                    req.flight_id.into(),
                    (*passenger).into(),
                    req.preference.to_stored().into(),
                    group_id.as_str().into(),
                ],
            );
            if !live::insert(&txn, insert, id, req.flight_id, *passenger).await? {
                return Err(DomainError::CheckinInProgress.into());
            }
            let detail = format!("group {group_id} of {}", ids.len());
            history::record(&txn, id, Event::Queued, &detail).await?;
        }
        Ok(accepted)
    })
    .await;
    let accepted = match result {
        Ok(a) => a,
        Err(TxnError::Failed(e)) => return Err(e),
        Err(TxnError::Rollback(_)) => {
            let accepted = idempotency::replay(db, booking.id, key, &hash).await?;
            return Ok(GroupCreated {
                accepted,
                replayed: true,
            });
        }
    };
    crate::queue::push_committed(db, queue, JobKind::Hold, &accepted.checkin_ids).await;
    Ok(GroupCreated {
        accepted,
        replayed: false,
    })
}

/// A free seat, as the block finder sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FreeSeat {
    pub id: i64,
    pub row: i32,
    /// 0 for A up to 5 for F.
    pub col: u8,
}

/// Candidate seat blocks for `n` passengers, best first: `n` adjacent seats in one row
/// (front rows first, then blocks that do not straddle the aisle), then, when no row has
/// room, the `n` free seats spanning the fewest rows.
pub fn seat_blocks(free: &[FreeSeat], n: usize, limit: usize) -> Vec<Vec<i64>> {
    let mut by_row: BTreeMap<i32, Vec<FreeSeat>> = BTreeMap::new();
    for s in free {
        by_row.entry(s.row).or_default().push(*s);
    }
    let mut together: Vec<(i32, bool, Vec<i64>)> = Vec::new();
    for (row, seats) in &mut by_row {
        seats.sort_by_key(|s| s.col);
        for w in seats.windows(n) {
            let adjacent = w.windows(2).all(|p| p[1].col == p[0].col + 1);
            if adjacent {
                let straddles =
                    w.first().is_some_and(|a| a.col <= 2) && w.last().is_some_and(|b| b.col >= 3);
                together.push((*row, straddles && n <= 3, w.iter().map(|s| s.id).collect()));
            }
        }
    }
    together.sort_by_key(|(row, straddles, _)| (*straddles, *row));
    let mut out: Vec<Vec<i64>> = together
        .into_iter()
        .map(|(_, _, ids)| ids)
        .take(limit)
        .collect();
    if out.len() < limit {
        let mut sorted: Vec<FreeSeat> = free.to_vec();
        sorted.sort_by_key(|s| (s.row, s.col));
        let mut spans: Vec<(i32, i32, Vec<i64>)> = sorted
            .windows(n)
            .map(|w| {
                (
                    w[n - 1].row - w[0].row,
                    w[0].row,
                    w.iter().map(|s| s.id).collect(),
                )
            })
            .collect();
        spans.sort_by_key(|(span, first, _)| (*span, *first));
        for (_, _, ids) in spans {
            if out.len() >= limit {
                break;
            }
            if !out.contains(&ids) {
                out.push(ids);
            }
        }
    }
    out
}

/// A member of a group, its check-in row locked.
#[derive(FromQueryResult)]
struct Member {
    id: CheckinId,
    state: CheckinState,
    flight_id: i64,
    passenger_id: i64,
}

#[derive(FromQueryResult)]
struct FreeRow {
    id: i64,
    row_no: i32,
    letter: String,
}

#[derive(FromQueryResult)]
struct Clock {
    t: NaiveDateTime,
}

/// Holds every seat of a group in one transaction, or none. Called by whichever member's
/// hold job runs first; the others then find their check-in no longer queued. A member who
/// cancelled while the group was queued is left out; the rest are held together.
pub async fn hold_group(
    db: &DatabaseConnection,
    cfg: &HoldConfig,
    group_id: &str,
    me: &CheckinId,
) -> DomainResult<HoldOutcome> {
    let ttl_micros = i64::try_from(cfg.ttl().as_micros()).unwrap_or(i64::MAX);
    db::transaction(db, async |txn| -> DomainResult<_> {
        let members = Member::find_by_statement(stmt(
            "SELECT id, state, flight_id, passenger_id FROM checkins WHERE group_id = ? ORDER BY id FOR UPDATE",
            [group_id.into()],
        ))
        .all(&txn)
        .await?;
        let mine = members
            .iter()
            .find(|m| &m.id == me)
            .map(|m| m.state)
            .ok_or(DomainError::CheckinNotFound)?;
        if mine != CheckinState::Queued {
            return Ok(HoldOutcome::AlreadyProcessed(mine));
        }
        // Members who cancelled before the group was held are left out; the others are held
        // together. (All members leave `queued` together otherwise, so a member still queued
        // means the group was never held.)
        let members: Vec<Member> = members
            .into_iter()
            .filter(|m| m.state == CheckinState::Queued)
            .collect();
        let flight_id = members[0].flight_id;
        let passengers = members
            .iter()
            .map(|m| m.passenger_id.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let has_seat = txn
            .query_one_raw(stmt(
                &format!("SELECT 1 AS x FROM seats WHERE flight_id = ? AND passenger_id IN ({passengers}) LIMIT 1"),
                [flight_id.into()],
            ))
            .await?
            .is_some();
        if has_seat {
            return reject_all(&txn, &members, EndReason::PassengerHasSeat).await;
        }
        let free: Vec<FreeSeat> = FreeRow::find_by_statement(stmt(
            &format!(
                "SELECT id, row_no, letter FROM seats WHERE flight_id = ? AND {}",
                seat::free("seats")
            ),
            [flight_id.into()],
        ))
        .all(&txn)
        .await?
        .into_iter()
        .map(|r| FreeSeat {
            id: r.id,
            row: r.row_no,
            col: r.letter.bytes().next().map_or(0, |b| b.saturating_sub(b'A')),
        })
        .collect();
        if free.len() < members.len() {
            return reject_all(&txn, &members, EndReason::FlightFull).await;
        }
        let expires_at = Clock::find_by_statement(stmt(
            "SELECT NOW(6) + INTERVAL ? MICROSECOND AS t",
            [ttl_micros.into()],
        ))
        .one(&txn)
        .await?
        .ok_or_else(|| DbErr::Custom("no clock".into()))?
        .t;
        for block in seat_blocks(&free, members.len(), 8) {
            if let Some(held) = hold_block(&txn, &members, &block, flight_id, expires_at).await? {
                for (member, seat_id, hold_id) in &held {
                    txn.execute_raw(stmt(
                        "UPDATE checkins SET state = 'held', seat_id = ?, hold_id = ?, hold_expires_at = ?, updated_at = NOW(6) WHERE id = ?",
                        [(*seat_id).into(), hold_id.as_str().into(), expires_at.into(), member.as_str().into()],
                    ))
                    .await?;
                    let detail = format!("group {group_id}: hold {hold_id} until {expires_at}");
                    history::record(&txn, member, Event::Held, &detail).await?;
                }
                let hold_id = held
                    .into_iter()
                    .find(|(m, _, _)| m == me)
                    .map(|(_, _, h)| h)
                    .ok_or(DomainError::CheckinNotFound)?;
                return Ok(HoldOutcome::Held { hold_id, expires_at });
            }
        }
        // Free seats exist but every block was being taken at this moment: the job fails
        // and runs again shortly, rather than waiting on anyone's row here.
        Err(DomainError::Busy("every candidate block was being taken by others"))
    })
    .await
}

/// Locks the seats of `block` (never waiting) and holds one for each member, in order.
/// `None` if another transaction is taking one of them.
async fn hold_block(
    conn: &impl ConnectionTrait,
    members: &[Member],
    block: &[i64],
    flight_id: i64,
    expires_at: NaiveDateTime,
) -> DomainResult<Option<Vec<(CheckinId, i64, HoldId)>>> {
    let mut ascending = block.to_vec();
    ascending.sort_unstable();
    for seat_id in &ascending {
        if !seat::lock_if_free(conn, *seat_id).await? {
            return Ok(None);
        }
    }
    let mut held = Vec::with_capacity(members.len());
    for (member, seat_id) in members.iter().zip(block) {
        let hold_id = HoldId::new();
        let hold = NewHold {
            hold_id: &hold_id,
            expires_at,
            passenger_id: member.passenger_id,
            checkin_id: &member.id,
        };
        if let Some(why) = seat::hold(conn, *seat_id, flight_id, &hold).await? {
            // Rows we locked cannot change under us; this is a bug, not contention.
            return Err(DomainError::Internal(format!(
                "group seat {seat_id} refused after locking: {}",
                why.as_str()
            )));
        }
        held.push((member.id.clone(), *seat_id, hold_id));
    }
    Ok(Some(held))
}

async fn reject_all(
    conn: &impl ConnectionTrait,
    members: &[Member],
    why: EndReason,
) -> DomainResult<HoldOutcome> {
    for m in members {
        conn.execute_raw(stmt(
            "UPDATE checkins SET state = 'rejected', reason = ?, updated_at = NOW(6) WHERE id = ? AND state = 'queued'",
            [why.as_str().into(), m.id.as_str().into()],
        ))
        .await?;
        let detail = format!("{}: the group is held together or not at all", why.as_str());
        history::record(conn, &m.id, Event::Rejected, &detail).await?;
    }
    Ok(HoldOutcome::Rejected(why))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Seat ids are `row * 10 + column` (A = 0), so expectations read as seats.
    fn seats(spec: &[(i32, &str)]) -> Vec<FreeSeat> {
        spec.iter()
            .flat_map(|(row, letters)| {
                letters.bytes().map(|b| FreeSeat {
                    id: i64::from(*row) * 10 + i64::from(b - b'A'),
                    row: *row,
                    col: b - b'A',
                })
            })
            .collect()
    }

    #[test]
    fn three_together_in_the_frontmost_row_with_room_on_one_side() {
        let free = seats(&[(1, "AC"), (2, "ABDEF"), (3, "ABC")]);
        assert_eq!(seat_blocks(&free, 3, 1), vec![vec![23, 24, 25]]);
    }

    #[test]
    fn a_pair_may_sit_across_the_aisle_only_when_nothing_better_exists() {
        let free = seats(&[(4, "CD"), (7, "EF")]);
        assert_eq!(seat_blocks(&free, 2, 2), vec![vec![74, 75], vec![42, 43]]);
    }

    #[test]
    fn with_no_row_free_enough_the_group_spans_the_fewest_rows() {
        let free = seats(&[(1, "A"), (9, "B"), (10, "C"), (20, "D")]);
        assert_eq!(seat_blocks(&free, 2, 1), vec![vec![91, 102]]);
    }

    #[test]
    fn too_few_seats_gives_no_block() {
        assert!(seat_blocks(&seats(&[(1, "A")]), 2, 3).is_empty());
    }
}
