//! The long poll: wait until a check-in leaves a state.

use std::time::{Duration, Instant};

use sea_orm::ConnectionTrait;

use super::{CheckinState, CheckinView, get_checkin};
use crate::{DomainResult, changes::Waiters, session::BookingRef, types::CheckinId};

/// [`get_checkin`], but while the check-in reads `while_state`, waits up to `wait` for it to
/// change (a long poll). Woken by a worker's change notice, and at a hold's expiry (which
/// shows on read without any notice); every answer is read from MariaDB, so a lost notice
/// only makes the wait run to its end.
pub async fn wait_for_change(
    conn: &impl ConnectionTrait,
    waiters: &Waiters,
    booking: &BookingRef,
    id: &CheckinId,
    while_state: CheckinState,
    wait: Duration,
) -> DomainResult<CheckinView> {
    let deadline = Instant::now() + wait;
    let watch = waiters.watch(id.as_str());
    loop {
        // Registered before the read, so a change between the read and the wait wakes it.
        let notified = watch.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let view = get_checkin(conn, booking, id).await?;
        let now = Instant::now();
        if view.state != while_state || now >= deadline {
            return Ok(view);
        }
        let expiry = match (view.state, view.hold_seconds_left) {
            (CheckinState::Held, Some(secs)) => {
                now + Duration::from_secs(u64::try_from(secs).unwrap_or(0))
                    + Duration::from_millis(20)
            }
            _ => deadline,
        };
        tokio::select! {
            () = &mut notified => {}
            () = tokio::time::sleep_until(deadline.min(expiry).into()) => {}
        }
    }
}
