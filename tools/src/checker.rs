//! The invariant checker: reads MariaDB, the store of record, and the payment provider's
//! own ledger after a run, and says whether the guarantees of docs/ARCHITECTURE.md held.
//! The system tests, the fault tests, `checkin-sim` and `checkin-bench` all judge with it.
//!
//! Some guarantees are only judged when the caller can vouch for the moment: that every
//! accepted request has ended needs a quiet system ([`Scope::quiet`], see [`wait_quiet`]),
//! that no hold outlives its expiry needs the sweep interval, and the money checks need
//! the provider's ledger. A check that is not made is named in [`Verdict::skipped`].

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    fmt,
    time::Duration,
};

use checkin_domain::db::stmt;
use checkin_paymock::{Ledger, LedgerCharge};
use sea_orm::{ConnectionTrait, DbErr};
use serde::Serialize;

/// How many example ids a violation lists.
const EXAMPLES: usize = 5;

/// What a client was told: its check-in is confirmed, on this seat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Claim {
    pub checkin_id: String,
    pub seat: String,
}

/// What to judge, and what the caller vouches for.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// The flights to judge; empty means every flight in the database.
    pub flights: Vec<i64>,
    /// Nothing is in flight any more: every accepted request must have ended, and every
    /// charge must be settled (booked or refunded).
    pub quiet: bool,
    /// How often the sweeper runs (with any slack the caller allows); `None` when no
    /// sweeper runs, and holds are not judged on time.
    pub sweep_interval: Option<Duration>,
    /// Confirmations clients received; each must be honoured.
    pub claims: Vec<Claim>,
}

impl Scope {
    /// Every flight in the database.
    pub fn everything() -> Self {
        Self::default()
    }

    pub fn flights(ids: &[i64]) -> Self {
        Self {
            flights: ids.to_vec(),
            ..Self::default()
        }
    }

    /// The system is quiet (see [`Scope::quiet`]).
    pub fn quiet(self) -> Self {
        Self {
            quiet: true,
            ..self
        }
    }

    pub fn sweeping_every(self, interval: Duration) -> Self {
        Self {
            sweep_interval: Some(interval),
            ..self
        }
    }

    pub fn with_claims(self, claims: Vec<Claim>) -> Self {
        Self { claims, ..self }
    }

    /// `IN (...)` of the flights judged.
    fn flight_filter(&self) -> String {
        if self.flights.is_empty() {
            "IN (SELECT id FROM flights)".to_owned()
        } else {
            let ids: Vec<String> = self.flights.iter().map(i64::to_string).collect();
            format!("IN ({})", ids.join(","))
        }
    }
}

/// A guarantee, by the way it can be broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    SeatWithTwoPassengers,
    PassengerWithTwoSeats,
    Unfinished,
    HoldPastExpiry,
    HoldNotOnSeat,
    ConfirmedWithoutSeat,
    BookedWithoutBoardingPass,
    PaymentWithoutSeat,
    ConfirmedNotBooked,
    ChargeWithoutSeat,
    ChargedTwice,
    ClaimNotHonoured,
}

impl Kind {
    pub fn describe(self) -> &'static str {
        match self {
            Kind::SeatWithTwoPassengers => "a seat with two passengers",
            Kind::PassengerWithTwoSeats => "a passenger with two seats on a flight",
            Kind::Unfinished => "an accepted request not ended once the system was quiet",
            Kind::HoldPastExpiry => "a seat still held past its expiry plus one sweep interval",
            Kind::HoldNotOnSeat => {
                "a live hold not on its seat row, or a held seat whose check-in does not hold it"
            }
            Kind::ConfirmedWithoutSeat => "a confirmed check-in without its booked seat",
            Kind::BookedWithoutBoardingPass => "a booked seat without a boarding pass",
            Kind::PaymentWithoutSeat => "a succeeded payment without a confirmed check-in",
            Kind::ConfirmedNotBooked => "confirmed check-ins and booked seats differ in number",
            Kind::ChargeWithoutSeat => {
                "a charge kept at the provider with neither a booked seat for its hold nor a refund"
            }
            Kind::ChargedTwice => "two charges at the provider for one hold",
            Kind::ClaimNotHonoured => "a client told \"confirmed\" whose seat is not theirs",
        }
    }
}

/// One guarantee broken: how often, and a few of the ids that show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub kind: Kind,
    pub count: usize,
    pub examples: Vec<String>,
}

/// What the checker found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// No violation.
    pub ok: bool,
    pub violations: Vec<Violation>,
    /// Checks not made, and why.
    pub skipped: Vec<String>,
    /// Seats with two boarding passes or two passengers (must be 0).
    pub seats_doubled: i64,
    /// Passengers holding or owning two seats on one flight (must be 0).
    pub passengers_doubled: i64,
    /// Check-ins still `queued`, `held` or `paying` (a violation only once quiet).
    pub unfinished: i64,
    pub confirmed: i64,
    pub seats_booked: i64,
}

impl Verdict {
    /// The violation of `kind`, if found.
    pub fn found(&self, kind: Kind) -> Option<&Violation> {
        self.violations.iter().find(|v| v.kind == kind)
    }

    /// Panics with the whole verdict unless it is ok.
    #[track_caller]
    pub fn assert_ok(&self) {
        assert!(self.ok, "{self}");
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({} confirmed, {} seats booked, {} unfinished)",
            if self.ok { "OK" } else { "FAILED" },
            self.confirmed,
            self.seats_booked,
            self.unfinished
        )?;
        for v in &self.violations {
            write!(
                f,
                "\n  - {}: {} (e.g. {})",
                v.kind.describe(),
                v.count,
                v.examples.join("; ")
            )?;
        }
        for s in &self.skipped {
            write!(f, "\n  not checked: {s}")?;
        }
        Ok(())
    }
}

/// One SQL check: its rows are the violations, each named by its `label` column.
/// `{flights}` stands for the scope's `IN (...)`.
struct SqlCheck {
    kind: Kind,
    sql: &'static str,
}

/// Checks made whatever the moment: they hold at every commit.
const ALWAYS: &[SqlCheck] = &[
    SqlCheck {
        kind: Kind::SeatWithTwoPassengers,
        sql: "SELECT CONCAT('flight ', flight_id, ' seat ', seat_code, ': ', COUNT(*), ' boarding passes') AS label
              FROM boarding_passes WHERE flight_id {flights} GROUP BY flight_id, seat_code HAVING COUNT(*) > 1",
    },
    // A check-in that holds its seat (confirmed, or with a live hold) while the seat row,
    // the lock of record, is held or booked for another.
    SqlCheck {
        kind: Kind::SeatWithTwoPassengers,
        sql: "SELECT CONCAT('flight ', s.flight_id, ' seat ', s.seat_code, ': check-in ', c.id, ' (', c.state, ') and the seat row''s ', COALESCE(s.checkin_id, '?')) AS label
              FROM checkins c JOIN seats s ON s.id = c.seat_id
              WHERE c.flight_id {flights}
                AND (c.state = 'confirmed' OR (c.state IN ('held', 'paying') AND c.hold_expires_at > NOW(6)))
                AND s.state <> 'available' AND NOT (s.checkin_id <=> c.id AND s.passenger_id <=> c.passenger_id)",
    },
    SqlCheck {
        kind: Kind::SeatWithTwoPassengers,
        sql: "SELECT CONCAT('flight ', b.flight_id, ' seat ', b.seat_code, ': boarding pass of passenger ', b.passenger_id, ', seat row of passenger ', s.passenger_id) AS label
              FROM boarding_passes b JOIN seats s ON s.flight_id = b.flight_id AND s.seat_code = b.seat_code
              WHERE b.flight_id {flights} AND s.state <> 'available' AND NOT (s.passenger_id <=> b.passenger_id)",
    },
    SqlCheck {
        kind: Kind::PassengerWithTwoSeats,
        sql: "SELECT CONCAT('flight ', flight_id, ' passenger ', passenger_id, ': ', COUNT(*), ' seats') AS label
              FROM seats WHERE passenger_id IS NOT NULL AND flight_id {flights}
              GROUP BY flight_id, passenger_id HAVING COUNT(*) > 1",
    },
    SqlCheck {
        kind: Kind::PassengerWithTwoSeats,
        sql: "SELECT CONCAT('flight ', flight_id, ' passenger ', passenger_id, ': ', COUNT(*), ' boarding passes') AS label
              FROM boarding_passes WHERE flight_id {flights}
              GROUP BY flight_id, passenger_id HAVING COUNT(*) > 1",
    },
    // Only live holds: a run-out hold stays on its rows until a sweep or a request ends it.
    SqlCheck {
        kind: Kind::HoldNotOnSeat,
        sql: "SELECT CONCAT('check-in ', c.id, ' (', c.state, ') on a seat ', COALESCE(s.state, 'missing'), ' for ', COALESCE(s.checkin_id, 'nobody')) AS label
              FROM checkins c LEFT JOIN seats s ON s.id = c.seat_id
              WHERE c.flight_id {flights} AND c.state IN ('held', 'paying') AND c.hold_expires_at > NOW(6)
                AND NOT (s.state <=> 'held' AND s.checkin_id <=> c.id AND s.hold_id <=> c.hold_id
                         AND s.passenger_id <=> c.passenger_id)",
    },
    SqlCheck {
        kind: Kind::HoldNotOnSeat,
        sql: "SELECT CONCAT('flight ', s.flight_id, ' seat ', s.seat_code, ' held for check-in ', COALESCE(s.checkin_id, '?'), ' (', COALESCE(c.state, 'missing'), ')') AS label
              FROM seats s LEFT JOIN checkins c ON c.id = s.checkin_id
              WHERE s.flight_id {flights} AND s.state = 'held' AND NOT (c.state <=> 'held' OR c.state <=> 'paying')",
    },
    SqlCheck {
        kind: Kind::ConfirmedWithoutSeat,
        sql: "SELECT CONCAT('check-in ', c.id, ' on a seat ', COALESCE(s.state, 'missing'), ' for ', COALESCE(s.checkin_id, 'nobody')) AS label
              FROM checkins c LEFT JOIN seats s ON s.id = c.seat_id
              WHERE c.flight_id {flights} AND c.state = 'confirmed'
                AND NOT (s.state <=> 'booked' AND s.checkin_id <=> c.id)",
    },
    SqlCheck {
        kind: Kind::BookedWithoutBoardingPass,
        sql: "SELECT CONCAT('flight ', s.flight_id, ' seat ', s.seat_code, ' of check-in ', COALESCE(s.checkin_id, '?')) AS label
              FROM seats s WHERE s.flight_id {flights} AND s.state = 'booked'
                AND NOT EXISTS (SELECT 1 FROM boarding_passes b WHERE b.checkin_id = s.checkin_id)",
    },
    SqlCheck {
        kind: Kind::PaymentWithoutSeat,
        sql: "SELECT CONCAT('payment ', p.id, ' of check-in ', c.id, ' (', c.state, ')') AS label
              FROM payments p JOIN checkins c ON c.id = p.checkin_id
              WHERE c.flight_id {flights} AND p.state = 'succeeded' AND c.state <> 'confirmed'",
    },
];

const UNFINISHED: SqlCheck = SqlCheck {
    kind: Kind::Unfinished,
    sql: "SELECT CONCAT('check-in ', id, ' (', state, ')') AS label
          FROM checkins WHERE flight_id {flights} AND state IN ('queued', 'held', 'paying')",
};

/// `{interval_us}` is the sweep interval.
const HOLD_PAST_EXPIRY: SqlCheck = SqlCheck {
    kind: Kind::HoldPastExpiry,
    sql: "SELECT CONCAT('flight ', flight_id, ' seat ', seat_code, ': expired ', TIMESTAMPDIFF(SECOND, hold_expires_at, NOW(6)), ' s ago') AS label
          FROM seats WHERE flight_id {flights} AND state = 'held'
            AND hold_expires_at < NOW(6) - INTERVAL {interval_us} MICROSECOND",
};

/// Violations found so far, by kind.
#[derive(Default)]
struct Findings(BTreeMap<Kind, (usize, Vec<String>)>);

impl Findings {
    fn add(&mut self, kind: Kind, labels: impl IntoIterator<Item = String>) {
        let (count, examples) = self.0.entry(kind).or_default();
        for label in labels {
            *count += 1;
            if examples.len() < EXAMPLES {
                examples.push(label);
            }
        }
    }

    fn count(&self, kind: Kind) -> i64 {
        self.0.get(&kind).map_or(0, |(n, _)| *n as i64)
    }

    fn into_violations(self) -> Vec<Violation> {
        self.0
            .into_iter()
            .filter(|(_, (count, _))| *count > 0)
            .map(|(kind, (count, examples))| Violation {
                kind,
                count,
                examples,
            })
            .collect()
    }
}

/// Judges `scope`, with the provider's `ledger` if there is one to read (the mock's;
/// without it the money checks are skipped and the verdict says so).
pub async fn check(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    ledger: Option<&Ledger>,
) -> Result<Verdict, DbErr> {
    let flights = scope.flight_filter();
    let mut found = Findings::default();
    let mut skipped = Vec::new();
    for check in ALWAYS {
        found.add(check.kind, labels(conn, check.sql, &flights).await?);
    }
    let unfinished = labels(conn, UNFINISHED.sql, &flights).await?;
    let unfinished_count = unfinished.len() as i64;
    if scope.quiet {
        found.add(Kind::Unfinished, unfinished);
    } else {
        skipped
            .push("that every accepted request ended (the system was not said to be quiet)".into());
    }
    match scope.sweep_interval {
        Some(interval) => {
            let sql = HOLD_PAST_EXPIRY
                .sql
                .replace("{interval_us}", &interval.as_micros().to_string());
            found.add(Kind::HoldPastExpiry, labels(conn, &sql, &flights).await?);
        }
        None => skipped.push("holds past their expiry (no sweep interval given)".into()),
    }
    let confirmed = count(
        conn,
        "SELECT COUNT(*) FROM checkins WHERE state = 'confirmed' AND flight_id {flights}",
        &flights,
    )
    .await?;
    let seats_booked = count(
        conn,
        "SELECT COUNT(*) FROM seats WHERE state = 'booked' AND flight_id {flights}",
        &flights,
    )
    .await?;
    if confirmed != seats_booked {
        found.add(
            Kind::ConfirmedNotBooked,
            [format!("{confirmed} confirmed, {seats_booked} booked")],
        );
    }
    match ledger {
        Some(ledger) => check_ledger(conn, scope, ledger, &mut found).await?,
        None => skipped.push("the provider's ledger (none to read)".into()),
    }
    found.add(
        Kind::ClaimNotHonoured,
        unhonoured(conn, &scope.claims).await?,
    );
    let (seats_doubled, passengers_doubled) = (
        found.count(Kind::SeatWithTwoPassengers),
        found.count(Kind::PassengerWithTwoSeats),
    );
    let violations = found.into_violations();
    Ok(Verdict {
        ok: violations.is_empty(),
        seats_doubled,
        passengers_doubled,
        violations,
        skipped,
        unfinished: unfinished_count,
        confirmed,
        seats_booked,
    })
}

async fn labels(
    conn: &impl ConnectionTrait,
    sql: &str,
    flights: &str,
) -> Result<Vec<String>, DbErr> {
    let rows = conn
        .query_all_raw(stmt(&sql.replace("{flights}", flights), []))
        .await?;
    rows.iter()
        .map(|r| r.try_get::<String>("", "label"))
        .collect()
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

/// A hold that was paid for, as MariaDB has it.
struct PaidHold {
    checkin: String,
    state: String,
    /// A reconciliation with the provider is due (a given-up payment, or a late charge
    /// whose refund is owed).
    check_due: bool,
    /// The check-in's seat is booked under this hold.
    booked: bool,
}

async fn paid_holds(
    conn: &impl ConnectionTrait,
    flights: &str,
) -> Result<HashMap<String, PaidHold>, DbErr> {
    let sql = "SELECT p.hold_id, c.id AS checkin, c.state,
                      CAST(p.next_check_at IS NOT NULL AS SIGNED) AS check_due,
                      CAST(s.id IS NOT NULL AS SIGNED) AS booked
               FROM payments p JOIN checkins c ON c.id = p.checkin_id
               LEFT JOIN seats s ON s.id = c.seat_id AND s.hold_id = p.hold_id AND s.state = 'booked'
               WHERE c.flight_id {flights}";
    let rows = conn
        .query_all_raw(stmt(&sql.replace("{flights}", flights), []))
        .await?;
    rows.iter()
        .map(|r| {
            let hold: String = r.try_get("", "hold_id")?;
            let paid = PaidHold {
                checkin: r.try_get("", "checkin")?,
                state: r.try_get("", "state")?,
                check_due: r.try_get::<i64>("", "check_due")? == 1,
                booked: r.try_get::<i64>("", "booked")? == 1,
            };
            Ok((hold, paid))
        })
        .collect()
}

/// The provider's charges against MariaDB: each charge kept is for a hold that booked its
/// seat, and no hold is charged twice. A charge for a hold this database does not know is
/// judged only when the scope is every flight (it may be another run's otherwise).
async fn check_ledger(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    ledger: &Ledger,
    found: &mut Findings,
) -> Result<(), DbErr> {
    let holds = paid_holds(conn, &scope.flight_filter()).await?;
    let refunded: HashSet<&str> = ledger.refunds.iter().map(|r| r.charge.as_str()).collect();
    let in_scope = |c: &&LedgerCharge| {
        let known = c.hold_id.as_ref().is_some_and(|h| holds.contains_key(h));
        known || scope.flights.is_empty()
    };
    let mut by_hold: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut unsettled = Vec::new();
    for charge in ledger.charges.iter().filter(in_scope) {
        let hold = charge.hold_id.as_deref();
        if let Some(h) = hold {
            by_hold.entry(h).or_default().push(&charge.id);
        }
        let paid = hold.and_then(|h| holds.get(h));
        let kept = charge.status == "succeeded"
            && !charge.refunded
            && !refunded.contains(charge.id.as_str());
        // Not quiet: a payment still running, or one the sweeper is to reconcile, may hold
        // a charge that is about to be booked or refunded.
        let in_flight = paid.is_some_and(|p| p.state == "paying" || p.check_due);
        if kept && !paid.is_some_and(|p| p.booked) && (scope.quiet || !in_flight) {
            unsettled.push(match paid {
                Some(p) => format!(
                    "{} (hold {}, check-in {} {})",
                    charge.id,
                    hold.unwrap_or("?"),
                    p.checkin,
                    p.state
                ),
                None => format!(
                    "{} (hold {}, unknown here)",
                    charge.id,
                    hold.unwrap_or("none")
                ),
            });
        }
    }
    found.add(Kind::ChargeWithoutSeat, unsettled);
    found.add(
        Kind::ChargedTwice,
        by_hold
            .into_iter()
            .filter(|(_, charges)| charges.len() > 1)
            .map(|(hold, charges)| format!("hold {hold}: {}", charges.join(", "))),
    );
    Ok(())
}

/// A check-in as a claim about it is checked: its state, its seat row, its boarding pass.
struct Record {
    state: Option<String>,
    seat: Option<String>,
    seat_state: Option<String>,
    seat_checkin: Option<String>,
    pass_seat: Option<String>,
}

impl Record {
    fn honours(&self, claim: &Claim) -> bool {
        let is = |v: &Option<String>, want: &str| v.as_deref() == Some(want);
        is(&self.state, "confirmed")
            && is(&self.seat, &claim.seat)
            && is(&self.seat_state, "booked")
            && is(&self.seat_checkin, &claim.checkin_id)
            && is(&self.pass_seat, &claim.seat)
    }

    fn describe(&self) -> String {
        let or = |v: &Option<String>, none: &'static str| v.clone().unwrap_or_else(|| none.into());
        format!(
            "{}, seat {} {} for {}, boarding pass for {}",
            or(&self.state, "?"),
            or(&self.seat, "?"),
            or(&self.seat_state, "?"),
            or(&self.seat_checkin, "nobody"),
            or(&self.pass_seat, "no seat"),
        )
    }
}

/// The claims not honoured, each with what MariaDB says instead.
async fn unhonoured(conn: &impl ConnectionTrait, claims: &[Claim]) -> Result<Vec<String>, DbErr> {
    let mut broken = Vec::new();
    for chunk in claims.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let sql = format!(
            "SELECT c.id, c.state, s.seat_code AS seat, s.state AS seat_state, s.checkin_id AS seat_checkin,
                    b.seat_code AS pass_seat
             FROM checkins c LEFT JOIN seats s ON s.id = c.seat_id
             LEFT JOIN boarding_passes b ON b.checkin_id = c.id
             WHERE c.id IN ({marks})"
        );
        let ids = chunk.iter().map(|c| c.checkin_id.as_str().into());
        let rows = conn.query_all_raw(stmt(&sql, ids)).await?;
        let mut records = HashMap::new();
        for r in &rows {
            let get = |col: &str| r.try_get::<Option<String>>("", col).ok().flatten();
            let record = Record {
                state: get("state"),
                seat: get("seat"),
                seat_state: get("seat_state"),
                seat_checkin: get("seat_checkin"),
                pass_seat: get("pass_seat"),
            };
            records.insert(get("id").unwrap_or_default(), record);
        }
        for claim in chunk {
            let record = records.get(&claim.checkin_id);
            if !record.is_some_and(|r| r.honours(claim)) {
                let found = record.map_or_else(|| "no such check-in".into(), Record::describe);
                broken.push(format!(
                    "check-in {} told seat {}: {found}",
                    claim.checkin_id, claim.seat
                ));
            }
        }
    }
    Ok(broken)
}

/// Waits until nothing in `scope`'s flights is in flight (no check-in `queued`, `held` or
/// `paying`, no late charge waiting for its refund), or `within` passes. Returns whether it
/// got quiet; the caller judges with [`Scope::quiet`] either way, so what never ended is
/// named.
pub async fn wait_quiet(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    within: Duration,
) -> Result<bool, DbErr> {
    let flights = scope.flight_filter();
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let busy = count(
            conn,
            "SELECT (SELECT COUNT(*) FROM checkins WHERE flight_id {flights} AND state IN ('queued', 'held', 'paying'))
                  + (SELECT COUNT(*) FROM payments p JOIN checkins c ON c.id = p.checkin_id
                     WHERE c.flight_id {flights} AND p.state IN ('failed', 'declined') AND p.provider_charge_id IS NOT NULL)",
            &flights,
        )
        .await?;
        if busy == 0 {
            return Ok(true);
        }
        if tokio::time::Instant::now() >= deadline {
            return Ok(false);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The mock provider's ledger (`GET <url>/_ledger`).
pub async fn fetch_ledger(url: &str) -> anyhow::Result<Ledger> {
    use anyhow::Context;
    let url = format!("{}/_ledger", url.trim_end_matches('/'));
    let resp = reqwest::get(&url)
        .await
        .with_context(|| format!("GET {url}"))?
        .error_for_status()
        .with_context(|| format!("GET {url}"))?;
    resp.json()
        .await
        .with_context(|| format!("the ledger at {url}"))
}
