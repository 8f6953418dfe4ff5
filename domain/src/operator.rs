//! What an operator may do from the dashboard, and what they see. Every action is one
//! function here that records an `operator_actions` row (who, when, what, the note, the
//! outcome) and a line of the check-in's history in the same transaction as its change:
//!
//! - [`redrive_checkin`]: push the job of a check-in stuck in `queued` or `paying` again;
//! - [`resolve_refused_refund`]: mark a payment whose refund the provider refused
//!   (`refund_refused`) as dealt with, with a note saying how;
//! - [`record_job_action`]: record a retry or discard of a dead job (the job itself lives in
//!   Redis; `checkin_infra::queue` moves it, then this records what happened).
//!
//! And the reads: [`find`] (a booking by PNR, or a check-in by id), [`timeline`] (everything
//! that happened to a check-in, in order), [`recent_actions`], and [`attention`] (what needs
//! an operator, for the gauges the alerts read).

use chrono::NaiveDateTime;
use entity::{checkin::CheckinState, payment::PaymentState};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, FromQueryResult};
use serde::Serialize;

use crate::{
    DomainError,
    db::{self, AsDbErr, stmt},
    history::{self, Event},
    jobs::{Enqueued, JobKind, JobQueue},
    types::{CheckinId, Pnr},
};

/// A live check-in whose row has not changed for this long is stuck (the gauge
/// `checkins_stuck`, the dashboard's list).
pub const STUCK_AFTER_SECS: u64 = 300;

/// What an operator did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    RetryJob,
    DiscardJob,
    RedriveCheckin,
    ResolveRefund,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RetryJob => "retry_job",
            Self::DiscardJob => "discard_job",
            Self::RedriveCheckin => "redrive_checkin",
            Self::ResolveRefund => "resolve_refund",
        }
    }
}

/// Who acted: the dashboard's authenticated user, 1 to 64 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator(String);

impl Operator {
    pub fn new(name: &str) -> Result<Self, OperatorError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 64 {
            return Err(OperatorError::Invalid(
                "an operator name is 1 to 64 characters",
            ));
        }
        Ok(Self(name.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An operator's note: trimmed, at most 500 characters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Note(String);

impl Note {
    pub fn new(text: &str) -> Result<Self, OperatorError> {
        let text = text.trim();
        if text.chars().count() > 500 {
            return Err(OperatorError::Invalid("a note is at most 500 characters"));
        }
        Ok(Self(text.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why an operator action was refused.
#[derive(Debug, thiserror::Error)]
pub enum OperatorError {
    #[error("{0}")]
    Invalid(&'static str),
    #[error("check-in not found")]
    CheckinNotFound,
    #[error("the check-in is {}, not queued or paying: it has no job to re-drive", .0.as_str())]
    NotLive(CheckinState),
    #[error("the payment is not refund_refused (it is {0})")]
    NotRefused(String),
    #[error("this refused refund was already marked handled")]
    AlreadyResolved,
    #[error("say how the refund was dealt with: a note is required")]
    NoteRequired,
    #[error(transparent)]
    Domain(#[from] DomainError),
}

impl From<DbErr> for OperatorError {
    fn from(e: DbErr) -> Self {
        Self::Domain(DomainError::Db(e))
    }
}

impl AsDbErr for OperatorError {
    fn as_db_err(&self) -> Option<&DbErr> {
        match self {
            Self::Domain(d) => d.as_db_err(),
            _ => None,
        }
    }
}

impl OperatorError {
    /// A stable code for the dashboard, or `None` for faults of ours.
    pub fn code(&self) -> Option<&'static str> {
        Some(match self {
            Self::Invalid(_) => "invalid_input",
            Self::CheckinNotFound => "checkin_not_found",
            Self::NotLive(_) => "checkin_not_live",
            Self::NotRefused(_) => "payment_not_refund_refused",
            Self::AlreadyResolved => "already_resolved",
            Self::NoteRequired => "note_required",
            Self::Domain(d) => return d.code(),
        })
    }
}

/// Appends an `operator_actions` row. Call it inside the transaction of the change it
/// records.
async fn record(
    conn: &impl ConnectionTrait,
    who: &Operator,
    action: Action,
    target: &str,
    checkin: Option<&CheckinId>,
    note: &Note,
    outcome: &str,
) -> Result<u64, DbErr> {
    let r = conn
        .execute_raw(stmt(
            "INSERT INTO operator_actions (acted_at, operator, action, target, checkin_id, note, outcome)
             VALUES (NOW(6), ?, ?, ?, ?, ?, ?)",
            [
                who.as_str().into(),
                action.as_str().into(),
                target.chars().take(64).collect::<String>().into(),
                checkin.map(|c| c.as_str().to_owned()).into(),
                note.as_str().into(),
                outcome.chars().take(255).collect::<String>().into(),
            ],
        ))
        .await?;
    Ok(r.last_insert_id())
}

/// Records that `who` retried or discarded the dead job `job_id` of `queue` (job ids are
/// check-in ids), and how it went. The job itself moved in Redis first.
pub async fn record_job_action(
    db: &DatabaseConnection,
    who: &Operator,
    action: Action,
    queue: &str,
    job_id: &str,
    note: &Note,
    outcome: &str,
) -> Result<(), OperatorError> {
    let checkin = CheckinId::parse(job_id).ok();
    db::transaction(db, async |txn| -> Result<(), OperatorError> {
        record(
            &txn,
            who,
            action,
            &format!("{queue}:{job_id}"),
            checkin.as_ref(),
            note,
            outcome,
        )
        .await?;
        if let Some(id) = &checkin
            && exists(&txn, id).await?
        {
            let detail = format!(
                "{} of its dead {queue} job by {}: {outcome}",
                action.as_str(),
                who.as_str()
            );
            history::record(&txn, id, Event::Operator, &detail).await?;
        }
        Ok(())
    })
    .await
}

async fn exists(conn: &impl ConnectionTrait, id: &CheckinId) -> Result<bool, DbErr> {
    Ok(conn
        .query_one_raw(stmt(
            "SELECT 1 AS x FROM checkins WHERE id = ?",
            [id.as_str().into()],
        ))
        .await?
        .is_some())
}

/// What a re-drive did with the check-in's job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Redriven {
    /// The job was pushed to the queue.
    Pushed,
    /// The queue still had the job (waiting, or running): nothing was added.
    AlreadyQueued,
    /// The queue was full or unreachable: the request waits in MariaDB and admission
    /// pushes it as soon as there is room.
    WaitingForAdmission,
}

impl Redriven {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pushed => "pushed",
            Self::AlreadyQueued => "already_queued",
            Self::WaitingForAdmission => "waiting_for_admission",
        }
    }
}

#[derive(FromQueryResult)]
struct StateRow {
    state: CheckinState,
}

/// Pushes the job of check-in `id` again, for an operator: the check-in must be `queued`
/// (a hold job) or `paying` (a payment job). The check-in row is locked, its `enqueued_at`
/// stamped and the action recorded in one transaction; the job is pushed after the commit
/// (no network call inside a transaction), the queue refusing a second copy of a job it
/// still has, and the outcome noted on the action. Safe to repeat: jobs are idempotent.
pub async fn redrive_checkin(
    db: &DatabaseConnection,
    queue: &dyn JobQueue,
    who: &Operator,
    id: &CheckinId,
    note: &Note,
) -> Result<Redriven, OperatorError> {
    let (kind, action_id) = db::transaction(db, async |txn| -> Result<_, OperatorError> {
        let row = StateRow::find_by_statement(stmt(
            "SELECT state FROM checkins WHERE id = ? FOR UPDATE",
            [id.as_str().into()],
        ))
        .one(&txn)
        .await?
        .ok_or(OperatorError::CheckinNotFound)?;
        let kind = match row.state {
            CheckinState::Queued => JobKind::Hold,
            CheckinState::Paying => JobKind::Payment,
            other => return Err(OperatorError::NotLive(other)),
        };
        txn.execute_raw(stmt(
            "UPDATE checkins SET enqueued_at = NOW(6) WHERE id = ?",
            [id.as_str().into()],
        ))
        .await?;
        let action_id = record(
            &txn,
            who,
            Action::RedriveCheckin,
            id.as_str(),
            Some(id),
            note,
            "re-driving",
        )
        .await?;
        let detail = format!("re-driven by {} ({} job)", who.as_str(), kind.as_str());
        history::record(&txn, id, Event::Operator, &detail).await?;
        Ok((kind, action_id))
    })
    .await?;
    let outcome = match queue.enqueue(kind, std::slice::from_ref(id)).await {
        Ok(a) if a.first() == Some(&Enqueued::Pushed) => Redriven::Pushed,
        Ok(a) if a.first() == Some(&Enqueued::AlreadyQueued) => Redriven::AlreadyQueued,
        Ok(_) | Err(_) => Redriven::WaitingForAdmission,
    };
    if outcome == Redriven::WaitingForAdmission {
        db.execute_raw(stmt(
            "UPDATE checkins SET enqueued_at = NULL WHERE id = ? AND state = ?",
            [
                id.as_str().into(),
                if kind == JobKind::Hold {
                    "queued"
                } else {
                    "paying"
                }
                .into(),
            ],
        ))
        .await?;
    }
    db.execute_raw(stmt(
        "UPDATE operator_actions SET outcome = ? WHERE id = ?",
        [outcome.as_str().into(), action_id.into()],
    ))
    .await?;
    Ok(outcome)
}

#[derive(FromQueryResult)]
struct RefundRow {
    state: PaymentState,
    refund_resolved_at: Option<NaiveDateTime>,
}

/// Marks the refused refund of check-in `id`'s payment as dealt with (refunded by hand,
/// written off, passed to the provider's disputes desk: the note says which). The payment
/// keeps `refund_refused`, gets `refund_resolved_at`, and stops counting as owed.
pub async fn resolve_refused_refund(
    db: &DatabaseConnection,
    who: &Operator,
    id: &CheckinId,
    note: &Note,
) -> Result<(), OperatorError> {
    if note.as_str().is_empty() {
        return Err(OperatorError::NoteRequired);
    }
    db::transaction(db, async |txn| -> Result<(), OperatorError> {
        let row = RefundRow::find_by_statement(stmt(
            "SELECT state, refund_resolved_at FROM payments WHERE checkin_id = ? FOR UPDATE",
            [id.as_str().into()],
        ))
        .one(&txn)
        .await?
        .ok_or(OperatorError::CheckinNotFound)?;
        if row.state != PaymentState::RefundRefused {
            return Err(OperatorError::NotRefused(row.state.as_str().to_owned()));
        }
        if row.refund_resolved_at.is_some() {
            return Err(OperatorError::AlreadyResolved);
        }
        txn.execute_raw(stmt(
            "UPDATE payments SET refund_resolved_at = NOW(6), updated_at = NOW(6) WHERE checkin_id = ?",
            [id.as_str().into()],
        ))
        .await?;
        record(&txn, who, Action::ResolveRefund, id.as_str(), Some(id), note, "resolved").await?;
        let detail = format!("refused refund marked handled by {}: {}", who.as_str(), note.as_str());
        history::record(&txn, id, Event::Operator, &detail).await?;
        Ok(())
    })
    .await
}

/// A check-in as the operator's search lists it.
#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct CheckinSummary {
    pub id: String,
    pub pnr: String,
    pub passenger: String,
    pub flight_id: i64,
    pub flight_code: String,
    pub departure_at: NaiveDateTime,
    pub seat: Option<String>,
    pub state: CheckinState,
    pub reason: Option<String>,
    pub payment_state: Option<PaymentState>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

const SUMMARY: &str = "SELECT c.id, k.pnr, CONCAT(p.first_name, ' ', p.last_name) AS passenger, c.flight_id,
        f.code AS flight_code, f.departure_at, s.seat_code AS seat, c.state, c.reason,
        y.state AS payment_state, c.created_at, c.updated_at
    FROM checkins c JOIN passengers p ON p.id = c.passenger_id JOIN bookings k ON k.id = c.booking_id
    JOIN flights f ON f.id = c.flight_id LEFT JOIN seats s ON s.id = c.seat_id
    LEFT JOIN payments y ON y.checkin_id = c.id";

/// What a search found.
#[derive(Debug, Clone, Serialize)]
pub struct Found {
    /// The booking's passengers, when the query was a PNR.
    pub passengers: Vec<PassengerSummary>,
    /// Every check-in of the booking (newest first), or the one asked for.
    pub checkins: Vec<CheckinSummary>,
}

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct PassengerSummary {
    pub id: i64,
    pub pnr: String,
    pub name: String,
    pub flight_id: i64,
    pub flight_code: String,
    pub departure_at: NaiveDateTime,
}

/// Finds a check-in by id, or a booking (its passengers and all their check-ins) by PNR.
/// Anything else is invalid.
pub async fn find(conn: &impl ConnectionTrait, query: &str) -> Result<Found, OperatorError> {
    let query = query.trim();
    if let Ok(id) = CheckinId::parse(query) {
        let checkins = CheckinSummary::find_by_statement(stmt(
            &format!("{SUMMARY} WHERE c.id = ?"),
            [id.as_str().into()],
        ))
        .all(conn)
        .await?;
        return Ok(Found {
            passengers: Vec::new(),
            checkins,
        });
    }
    let pnr = Pnr::parse(query).map_err(|_| {
        OperatorError::Invalid("search for a PNR (6 characters) or a check-in id (26)")
    })?;
    let passengers = PassengerSummary::find_by_statement(stmt(
        "SELECT p.id, k.pnr, CONCAT(p.first_name, ' ', p.last_name) AS name, p.flight_id, f.code AS flight_code,
                f.departure_at
         FROM bookings k JOIN passengers p ON p.booking_id = k.id JOIN flights f ON f.id = p.flight_id
         WHERE k.pnr = ? ORDER BY p.id",
        [pnr.as_str().into()],
    ))
    .all(conn)
    .await?;
    let checkins = CheckinSummary::find_by_statement(stmt(
        &format!("{SUMMARY} WHERE k.pnr = ? ORDER BY c.created_at DESC LIMIT 200"),
        [pnr.as_str().into()],
    ))
    .all(conn)
    .await?;
    Ok(Found {
        passengers,
        checkins,
    })
}

/// One line of a check-in's timeline.
#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct TimelineEntry {
    pub at: NaiveDateTime,
    /// `event` (its history), `payment` (the payment row: attempts, the provider's
    /// answers, refunds), `operator` (an operator's action) or `boarding_pass`.
    pub source: String,
    pub kind: String,
    pub detail: String,
}

/// Everything that happened to check-in `id`, oldest first: its history, its payment (when
/// it started, how many attempts, what the provider answered, charge, refund, reconciliation
/// look-ups), operators' actions on it, and its boarding pass.
pub async fn timeline(
    conn: &impl ConnectionTrait,
    id: &CheckinId,
) -> Result<Vec<TimelineEntry>, OperatorError> {
    let id = id.as_str();
    let entries = TimelineEntry::find_by_statement(stmt(
        "SELECT created_at AS at, 'event' AS source, kind, detail FROM checkin_events WHERE checkin_id = ?
         UNION ALL
         SELECT created_at, 'payment', 'payment_started',
                CONCAT(amount_cents, ' ', currency, ' with ', payment_method, ', provider key ', idempotency_key)
         FROM payments WHERE checkin_id = ?
         UNION ALL
         SELECT updated_at, 'payment', CONCAT('payment_', state),
                CONCAT_WS('; ', CONCAT(attempts, ' attempt(s) at the provider'),
                          CONCAT('charge ', provider_charge_id), CONCAT('decline code ', decline_code),
                          IF(reconcile_checks > 0, CONCAT(reconcile_checks, ' reconciliation look-up(s) found no charge'), NULL),
                          CONCAT('next provider look-up ', next_check_at),
                          CONCAT('refund handled by an operator at ', refund_resolved_at))
         FROM payments WHERE checkin_id = ? AND state <> 'pending'
         UNION ALL
         SELECT acted_at, 'operator', action, CONCAT(operator, ': ', outcome, IF(note = '', '', CONCAT(' (', note, ')')))
         FROM operator_actions WHERE checkin_id = ?
         UNION ALL
         SELECT issued_at, 'boarding_pass', 'boarding_pass_issued',
                CONCAT('seat ', seat_code, ', sequence ', COALESCE(checkin_seq, '-'), ', BCBP ', barcode)
         FROM boarding_passes WHERE checkin_id = ?
         ORDER BY at, source",
        [id.into(), id.into(), id.into(), id.into(), id.into()],
    ))
    .all(conn)
    .await?;
    if entries.is_empty()
        && !exists(conn, &CheckinId::parse(id).map_err(DomainError::from)?).await?
    {
        return Err(OperatorError::CheckinNotFound);
    }
    Ok(entries)
}

/// An operator action, as the dashboard lists them.
#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct ActionView {
    pub id: i64,
    pub acted_at: NaiveDateTime,
    pub operator: String,
    pub action: String,
    pub target: String,
    pub checkin_id: Option<String>,
    pub note: String,
    pub outcome: String,
}

/// The newest `limit` operator actions.
pub async fn recent_actions(
    conn: &impl ConnectionTrait,
    limit: u64,
) -> Result<Vec<ActionView>, DbErr> {
    ActionView::find_by_statement(stmt(
        "SELECT id, acted_at, operator, action, target, checkin_id, note, outcome
         FROM operator_actions ORDER BY id DESC LIMIT ?",
        [limit.into()],
    ))
    .all(conn)
    .await
}

/// A payment whose refund the provider refused and no operator has dealt with yet.
#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct RefundOwed {
    pub checkin_id: String,
    pub amount_cents: i32,
    pub currency: String,
    pub provider_charge_id: Option<String>,
    pub refused_at: NaiveDateTime,
}

/// Refused refunds still owed, oldest first.
pub async fn refunds_owed(
    conn: &impl ConnectionTrait,
    limit: u64,
) -> Result<Vec<RefundOwed>, DbErr> {
    RefundOwed::find_by_statement(stmt(
        "SELECT checkin_id, amount_cents, currency, provider_charge_id, updated_at AS refused_at
         FROM payments WHERE state = 'refund_refused' AND refund_resolved_at IS NULL
         ORDER BY updated_at LIMIT ?",
        [limit.into()],
    ))
    .all(conn)
    .await
}

/// Live check-ins whose row has not changed for [`STUCK_AFTER_SECS`], oldest first.
pub async fn stuck_checkins(
    conn: &impl ConnectionTrait,
    limit: u64,
) -> Result<Vec<CheckinSummary>, DbErr> {
    CheckinSummary::find_by_statement(stmt(
        &format!(
            "{SUMMARY} WHERE c.state IN ('queued', 'paying') AND c.updated_at < NOW(6) - INTERVAL ? SECOND
             ORDER BY c.updated_at LIMIT ?"
        ),
        [STUCK_AFTER_SECS.into(), limit.into()],
    ))
    .all(conn)
    .await
}

/// What needs an operator, counted.
#[derive(Debug, Clone, Copy, Default, Serialize, FromQueryResult)]
pub struct Attention {
    /// Refused refunds no operator has dealt with (`refunds_owed`).
    pub refunds_owed: i64,
    /// Live check-ins unchanged for [`STUCK_AFTER_SECS`] (`checkins_stuck`).
    pub checkins_stuck: i64,
}

/// Counts what needs an operator: two index range reads.
pub async fn attention(conn: &impl ConnectionTrait) -> Result<Attention, DbErr> {
    Ok(Attention::find_by_statement(stmt(
        "SELECT
           (SELECT CAST(COUNT(*) AS SIGNED) FROM payments WHERE state = 'refund_refused' AND refund_resolved_at IS NULL) AS refunds_owed,
           (SELECT CAST(COUNT(*) AS SIGNED) FROM checkins WHERE state IN ('queued', 'paying')
              AND updated_at < NOW(6) - INTERVAL ? SECOND) AS checkins_stuck",
        [STUCK_AFTER_SECS.into()],
    ))
    .one(conn)
    .await?
    .unwrap_or_default())
}
