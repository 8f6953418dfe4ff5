//! What every handler shares, and how a request's session becomes its booking.

use std::{sync::Arc, time::Duration};

use checkin_domain::{
    changes::{ChangeNotices, Waiters},
    config::PaymentConfig,
    jobs::{Enqueued, JobKind, JobQueue, QueueError},
    session::{self, BookingRef},
    types::CheckinId,
};
use poem_openapi::{SecurityScheme, auth::Bearer};
use sea_orm::DatabaseConnection;

use crate::{error::ApiResult, shed::Shed};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub queue: Arc<dyn JobQueue>,
    /// For `/readyz`; `None` skips the Redis check (tests without Redis).
    pub redis: Option<redis::aio::ConnectionManager>,
    pub session_ttl: Duration,
    /// How payments run (their window extends the hold when payment starts); the same
    /// settings the workers read.
    pub payment: PaymentConfig,
    /// Recently seen sessions, so authenticated polls cost no query.
    pub sessions: Arc<session::SessionCache>,
    /// Requests waiting for a check-in to change (`get_checkin` with `wait_while`), woken by
    /// the change-notice listener (`checkin_infra::notices::listen`).
    pub changes: Arc<Waiters>,
    /// Tells every API process of changes made here (a cancellation); `None` wakes only this
    /// process's waiters.
    pub notices: Option<Arc<dyn ChangeNotices>>,
    /// The slots for requests that write; new work that finds none in time is answered 503
    /// `overloaded` (`shed`).
    pub shed: Arc<Shed>,
    /// Login attempts per client address and per PNR.
    pub login_limits: Arc<crate::login_limit::LoginLimits>,
}

impl AppState {
    /// A state that serves nothing, to build the OpenAPI document from (`checkin-api spec`,
    /// and the test that keeps docs/openapi.json true).
    pub fn spec_only() -> Self {
        Self {
            db: DatabaseConnection::default(),
            queue: Arc::new(NoQueue),
            redis: None,
            session_ttl: Duration::from_secs(1),
            payment: PaymentConfig {
                timeout_ms: 0,
                max_attempts: 1,
                reconcile_after_secs: 0,
            },
            sessions: session_cache(),
            changes: Arc::default(),
            notices: None,
            shed: Arc::new(Shed::unlimited()),
            login_limits: Arc::new(crate::login_limit::LoginLimits::unlimited()),
        }
    }

    /// The booking of the request's session token.
    pub(crate) async fn booking(&self, auth: &SessionAuth) -> ApiResult<BookingRef> {
        Ok(self.sessions.authenticate(&self.db, &auth.0.token).await?)
    }
}

/// A session token from `create_session`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer")]
pub(crate) struct SessionAuth(pub(crate) Bearer);

/// How long an API process trusts a session it has seen without asking MariaDB again: the
/// longest a session ended (logged out) in another API process keeps working here.
pub const SESSION_CACHE_MAX_AGE: Duration = Duration::from_secs(30);

/// A session cache sized for a few flights' passengers at once.
pub fn session_cache() -> Arc<session::SessionCache> {
    Arc::new(session::SessionCache::new(100_000, SESSION_CACHE_MAX_AGE))
}

/// A queue that drops every job, for serving the spec (and for tests that enqueue nothing).
pub struct NoQueue;

#[async_trait::async_trait]
impl JobQueue for NoQueue {
    async fn enqueue(&self, _: JobKind, ids: &[CheckinId]) -> Result<Vec<Enqueued>, QueueError> {
        Ok(vec![Enqueued::Pushed; ids.len()])
    }
}
