//! The HTTP API (poem + poem-openapi): the only crate that knows routes. Handlers parse into
//! domain types, call one domain function, and map the result; rules live in
//! `checkin_domain`.

pub mod error;
pub mod loadgen;
pub mod objects;
pub mod paymock;
pub mod text;

use std::{sync::Arc, time::Duration};

use futures::StreamExt;

use checkin_domain::{
    changes,
    checkin::{self, CreateCheckin},
    group::{self, CreateGroupCheckin},
    jobs::JobQueue,
    payment, seatmap,
    session::{self, BookingRef},
    types::{CheckinId, IdempotencyKey, LastName, PaymentMethod, Pnr, SeatCode, SeatPreference},
};
use metrics_exporter_prometheus::PrometheusHandle;
use poem::{
    Body, Endpoint, EndpointExt, IntoResponse, Request, Response, Route, get, handler,
    http::{StatusCode, header},
    middleware::{CatchPanic, Tracing},
    web::{Data, Html},
};
use poem_openapi::{
    ApiResponse, OpenApi, OpenApiService, SecurityScheme, Tags,
    auth::Bearer,
    param::{Header, Path, Query},
    payload::Json,
};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use crate::{
    error::{
        ApiResult, CancelCheckinError, CreateCheckinError, CreateSessionError, ErrorBody,
        GetBoardingPassError, GetBookingError, GetCheckinError, GetSeatMapError, PayCheckinError,
        code_for_status, invalid_input_code,
    },
    objects::*,
    text::{IdempotencyKeyText, Matching, UlidText},
};

/// A queue that drops every job, for serving the spec (and for tests that enqueue nothing).
pub struct NoQueue;

#[async_trait::async_trait]
impl JobQueue for NoQueue {
    async fn enqueue_hold(
        &self,
        _: checkin_domain::jobs::HoldSeatJob,
    ) -> Result<(), checkin_domain::jobs::QueueError> {
        Ok(())
    }
    async fn enqueue_payment(
        &self,
        _: checkin_domain::jobs::PaymentJob,
    ) -> Result<(), checkin_domain::jobs::QueueError> {
        Ok(())
    }
}

/// A session cache sized for a few flights' passengers at once.
pub fn session_cache() -> Arc<session::SessionCache> {
    Arc::new(session::SessionCache::new(
        100_000,
        Duration::from_secs(300),
    ))
}

/// Request bodies larger than this are refused with 413 (see [`limit_body`]).
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub queue: Arc<dyn JobQueue>,
    /// For `/readyz`; `None` skips the Redis check (tests without Redis).
    pub redis: Option<redis::aio::ConnectionManager>,
    pub session_ttl: Duration,
    /// Recently seen sessions, so authenticated polls cost no query.
    pub sessions: Arc<session::SessionCache>,
    /// Requests waiting for a check-in to change (`get_checkin` with `wait_while`), woken by
    /// [`changes::listen`].
    pub changes: Arc<changes::Waiters>,
    /// Tells every API process of changes made here (a cancellation); `None` wakes only this
    /// process's waiters.
    pub notices: Option<changes::Publisher>,
}

#[derive(Tags)]
enum ApiTags {
    /// Log in with a PNR and last name.
    Sessions,
    /// Bookings and flights: passengers, the live seat map.
    Bookings,
    /// Check in: hold a seat, pay its fee, get a boarding pass.
    Checkins,
}

/// A session token from `create_session`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer")]
struct SessionAuth(Bearer);

impl AppState {
    async fn booking(&self, auth: &SessionAuth) -> ApiResult<BookingRef> {
        Ok(self.sessions.authenticate(&self.db, &auth.0.token).await?)
    }
}

fn idempotency_key(raw: &str) -> ApiResult<IdempotencyKey> {
    Ok(IdempotencyKey::parse(raw)?)
}

fn preferences(p: Option<&[Preference]>) -> ApiResult<SeatPreference> {
    let items: Vec<String> = p
        .unwrap_or_default()
        .iter()
        .map(|x| x.as_str().to_owned())
        .collect();
    Ok(SeatPreference::parse(&items)?)
}

#[derive(ApiResponse)]
enum SessionCreated {
    /// Logged in.
    #[oai(status = 201)]
    Created(Json<SessionView>),
}

#[derive(ApiResponse)]
enum BookingOk {
    #[oai(status = 200)]
    Ok(Json<BookingView>),
}

#[derive(ApiResponse)]
enum SeatMapOk {
    #[oai(status = 200)]
    Ok(Json<SeatMapView>),
}

#[derive(ApiResponse)]
enum CheckinQueued {
    /// Accepted and committed; the outcome comes through `get_checkin`. The header says
    /// whether this replays an earlier request with the same Idempotency-Key.
    #[oai(status = 202)]
    Accepted(
        Json<CheckinAccepted>,
        #[oai(header = "Idempotent-Replayed")] bool,
    ),
}

#[derive(ApiResponse)]
enum GroupQueued {
    /// Accepted and committed; each check-in's outcome comes through `get_checkin`.
    #[oai(status = 202)]
    Accepted(
        Json<GroupAccepted>,
        #[oai(header = "Idempotent-Replayed")] bool,
    ),
}

#[derive(ApiResponse)]
enum CheckinOk {
    #[oai(status = 200)]
    Ok(Json<CheckinView>),
}

#[derive(ApiResponse)]
enum PaymentQueued {
    /// Accepted and committed; the outcome comes through `get_checkin`.
    #[oai(status = 202)]
    Accepted(
        Json<PaymentAccepted>,
        #[oai(header = "Idempotent-Replayed")] bool,
    ),
}

#[derive(ApiResponse)]
enum BoardingPassOk {
    #[oai(status = 200)]
    Ok(Json<BoardingPassView>),
}

pub struct SessionsApi {
    state: AppState,
}

#[OpenApi(tag = "ApiTags::Sessions")]
impl SessionsApi {
    /// Log in with a PNR and the last name of a passenger on it; returns a bearer token
    /// scoped to that booking. A wrong PNR and a wrong name get the same 401.
    #[oai(path = "/sessions", method = "post", operation_id = "create_session")]
    async fn create_session(
        &self,
        body: Json<CreateSessionRequest>,
    ) -> Result<SessionCreated, CreateSessionError> {
        let pnr = Pnr::parse(&body.pnr)?;
        let last = LastName::parse(&body.last_name)?;
        let s =
            session::create_session(&self.state.db, &pnr, &last, self.state.session_ttl).await?;
        let booking = session::get_booking(&self.state.db, &s.booking).await?;
        Ok(SessionCreated::Created(Json(SessionView {
            token: s.token,
            expires_at: s.expires_at,
            booking: booking.into(),
        })))
    }
}

pub struct BookingsApi {
    state: AppState,
}

#[OpenApi(tag = "ApiTags::Bookings")]
impl BookingsApi {
    /// The session's booking: flight, passengers and their newest check-ins.
    #[oai(path = "/booking", method = "get", operation_id = "get_booking")]
    async fn get_booking(&self, auth: SessionAuth) -> Result<BookingOk, GetBookingError> {
        let booking = self.state.booking(&auth).await?;
        Ok(BookingOk::Ok(Json(
            session::get_booking(&self.state.db, &booking).await?.into(),
        )))
    }

    /// The live seat map of a flight: every seat with its state. No personal data.
    #[oai(
        path = "/flights/:flight_id/seats",
        method = "get",
        operation_id = "get_seat_map"
    )]
    async fn get_seat_map(&self, flight_id: Path<i64>) -> Result<SeatMapOk, GetSeatMapError> {
        Ok(SeatMapOk::Ok(Json(
            seatmap::get_seat_map(&self.state.db, flight_id.0)
                .await?
                .into(),
        )))
    }
}

pub struct CheckinsApi {
    state: AppState,
}

#[OpenApi(tag = "ApiTags::Checkins")]
impl CheckinsApi {
    /// Ask for a seat for one passenger of your booking, or (without `seat`) for the best
    /// free seat by `preferences`. The request is committed before the 202; a worker then
    /// holds the seat (or rejects with `seat_taken`, or `flight_full`). A passenger has
    /// at most one live check-in per flight (409 `checkin_in_progress`). Retry with the same
    /// `Idempotency-Key` to get the same answer; reusing a key for another request is a 422.
    #[oai(path = "/checkins", method = "post", operation_id = "create_checkin")]
    async fn create_checkin(
        &self,
        auth: SessionAuth,
        #[oai(name = "Idempotency-Key")] key: Header<Matching<IdempotencyKeyText>>,
        body: Json<CreateCheckinRequest>,
    ) -> Result<CheckinQueued, CreateCheckinError> {
        let key = idempotency_key(&key.0)?;
        let seat = body.seat.as_deref().map(SeatCode::parse).transpose()?;
        let preference = preferences(body.preferences.as_deref())?;
        let booking = self.state.booking(&auth).await?;
        let req = CreateCheckin {
            passenger_id: body.passenger_id,
            flight_id: body.flight_id,
            seat,
            preference,
        };
        let created = checkin::create_checkin(
            &self.state.db,
            self.state.queue.as_ref(),
            &booking,
            &req,
            &key,
        )
        .await?;
        Ok(CheckinQueued::Accepted(
            Json(created.accepted.into()),
            created.replayed,
        ))
    }

    /// Check 2 to 9 passengers of your booking in together: a worker holds adjacent seats in
    /// one row when it can (else the fewest rows), for all of them or for none
    /// (`flight_full`, `passenger_has_seat`). Each member then pays with `pay_checkin`.
    #[oai(
        path = "/checkins/group",
        method = "post",
        operation_id = "create_group_checkin"
    )]
    async fn create_group_checkin(
        &self,
        auth: SessionAuth,
        #[oai(name = "Idempotency-Key")] key: Header<Matching<IdempotencyKeyText>>,
        body: Json<CreateGroupCheckinRequest>,
    ) -> Result<GroupQueued, CreateCheckinError> {
        let key = idempotency_key(&key.0)?;
        let preference = preferences(body.preferences.as_deref())?;
        let booking = self.state.booking(&auth).await?;
        let req = CreateGroupCheckin {
            flight_id: body.flight_id,
            passenger_ids: body.passenger_ids.clone(),
            preference,
        };
        let created = group::create_group_checkin(
            &self.state.db,
            self.state.queue.as_ref(),
            &booking,
            &req,
            &key,
        )
        .await?;
        Ok(GroupQueued::Accepted(
            Json(created.accepted.into()),
            created.replayed,
        ))
    }

    /// A check-in's state, seat, hold expiry and payment state.
    ///
    /// With `wait_while`, a long poll: while the check-in is in that state the answer waits
    /// until it changes (a worker held the seat, the payment ended, the hold ran out) or
    /// `wait_secs` pass, then returns the check-in as it is then. One request instead of a
    /// polling loop, and the answer comes as soon as the change commits.
    #[oai(
        path = "/checkins/:checkin_id",
        method = "get",
        operation_id = "get_checkin"
    )]
    async fn get_checkin(
        &self,
        auth: SessionAuth,
        checkin_id: Path<Matching<UlidText>>,
        /// Wait while the check-in is in this state.
        wait_while: Query<Option<WaitState>>,
        /// The longest wait for `wait_while`, in seconds (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "30")))]
        wait_secs: Query<Option<u32>>,
    ) -> Result<CheckinOk, GetCheckinError> {
        let id = CheckinId::parse(&checkin_id.0)?;
        let booking = self.state.booking(&auth).await?;
        let view = match wait_while.0 {
            None => checkin::get_checkin(&self.state.db, &booking, &id).await?,
            Some(state) => {
                let wait = Duration::from_secs(wait_secs.0.unwrap_or(20).into());
                checkin::wait_for_change(
                    &self.state.db,
                    &self.state.changes,
                    &booking,
                    &id,
                    state.as_str(),
                    wait,
                )
                .await?
            }
        };
        Ok(CheckinOk::Ok(Json(view.into())))
    }

    /// Pay the fee of a held seat. The charge runs in a worker; poll `get_checkin`. A hold
    /// that has run out is a 409 `hold_expired` and the seat is released.
    #[oai(
        path = "/checkins/:checkin_id/payment",
        method = "post",
        operation_id = "pay_checkin"
    )]
    async fn pay_checkin(
        &self,
        auth: SessionAuth,
        checkin_id: Path<Matching<UlidText>>,
        #[oai(name = "Idempotency-Key")] key: Header<Matching<IdempotencyKeyText>>,
        body: Json<PayCheckinRequest>,
    ) -> Result<PaymentQueued, PayCheckinError> {
        let key = idempotency_key(&key.0)?;
        let id = CheckinId::parse(&checkin_id.0)?;
        let method = PaymentMethod::parse(&body.payment_method)?;
        let booking = self.state.booking(&auth).await?;
        let started = payment::pay_checkin(
            &self.state.db,
            self.state.queue.as_ref(),
            &booking,
            &id,
            &method,
            &key,
        )
        .await?;
        Ok(PaymentQueued::Accepted(
            Json(started.accepted.into()),
            started.replayed,
        ))
    }

    /// Cancel a check-in that is still `queued` or `held`: a held seat is free for everyone
    /// at once, and the passenger may check in again (another seat, or later). Idempotent:
    /// cancelling a cancelled check-in answers the same. A check-in that is paying or has
    /// ended is a 409 `checkin_not_cancellable`.
    #[oai(
        path = "/checkins/:checkin_id/cancel",
        method = "post",
        operation_id = "cancel_checkin"
    )]
    async fn cancel_checkin(
        &self,
        auth: SessionAuth,
        checkin_id: Path<Matching<UlidText>>,
    ) -> Result<CheckinOk, CancelCheckinError> {
        let id = CheckinId::parse(&checkin_id.0)?;
        let booking = self.state.booking(&auth).await?;
        let view = checkin::cancel_checkin(&self.state.db, &booking, &id).await?;
        // Waiters in this process hear it at once; the notice is for the other API processes
        // (a second wake-up of a local waiter is harmless).
        self.state.changes.wake(id.as_str());
        if let Some(notices) = &self.state.notices {
            notices.changed(id.as_str()).await;
        }
        Ok(CheckinOk::Ok(Json(view.into())))
    }

    /// The boarding pass of a confirmed check-in (409 `checkin_not_confirmed` before).
    #[oai(
        path = "/checkins/:checkin_id/boarding-pass",
        method = "get",
        operation_id = "get_boarding_pass"
    )]
    async fn get_boarding_pass(
        &self,
        auth: SessionAuth,
        checkin_id: Path<Matching<UlidText>>,
    ) -> Result<BoardingPassOk, GetBoardingPassError> {
        let id = CheckinId::parse(&checkin_id.0)?;
        let booking = self.state.booking(&auth).await?;
        Ok(BoardingPassOk::Ok(Json(
            checkin::get_boarding_pass(&self.state.db, &booking, &id)
                .await?
                .into(),
        )))
    }
}

/// Refuses bodies over [`MAX_BODY_BYTES`] with 413, whether `Content-Length` declares the
/// size or the body is chunked.
///
/// Before answering, the rest of an oversized body is read and thrown away (up to
/// [`DRAIN_MAX_BYTES`] within [`DRAIN_MAX_TIME`]), as nginx's lingering close does: a server
/// that answers and closes while the client is still sending makes the client's kernel see a
/// reset, and most HTTP clients then report a broken pipe instead of the 413. Bodies beyond
/// that bound get the 413 at once and the connection is closed.
async fn limit_body<E: Endpoint>(ep: Arc<E>, mut req: Request) -> poem::Result<Response> {
    let too_large = || {
        poem::Error::from_string(
            "request body is larger than 16 KiB",
            StatusCode::PAYLOAD_TOO_LARGE,
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    match declared {
        Some(n) if n > DRAIN_MAX_BYTES => return Err(too_large()),
        Some(n) if n > MAX_BODY_BYTES => {
            drain(req.take_body().into_bytes_stream()).await;
            return Err(too_large());
        }
        Some(_) => {}
        None if req.headers().contains_key(header::TRANSFER_ENCODING) => {
            let mut stream = std::pin::pin!(req.take_body().into_bytes_stream());
            let mut bytes = Vec::new();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|_| too_large())?;
                if bytes.len() + chunk.len() > MAX_BODY_BYTES {
                    drain(stream).await;
                    return Err(too_large());
                }
                bytes.extend_from_slice(&chunk);
            }
            req.set_body(Body::from(bytes));
        }
        None => {}
    }
    Ok(ep.call(req).await?.into_response())
}

/// How much of an oversized body is read and discarded before the 413 goes out.
const DRAIN_MAX_BYTES: usize = 1 << 20;
/// How long an oversized body may take to arrive before the 413 goes out anyway.
const DRAIN_MAX_TIME: Duration = Duration::from_secs(5);

/// Reads and discards a body, bounded by [`DRAIN_MAX_BYTES`] and [`DRAIN_MAX_TIME`].
async fn drain<B: AsRef<[u8]>, E>(stream: impl futures::Stream<Item = Result<B, E>>) {
    let mut stream = std::pin::pin!(stream);
    let _ = tokio::time::timeout(DRAIN_MAX_TIME, async {
        let mut read = 0;
        while let Some(Ok(chunk)) = stream.next().await {
            read += chunk.as_ref().len();
            if read > DRAIN_MAX_BYTES {
                break;
            }
        }
    })
    .await;
}

/// The OpenAPI service, shared by `app` and `checkin-api spec`.
pub fn openapi(
    state: AppState,
    server_url: &str,
) -> OpenApiService<(SessionsApi, BookingsApi, CheckinsApi), ()> {
    OpenApiService::new(
        (SessionsApi { state: state.clone() }, BookingsApi { state: state.clone() }, CheckinsApi { state }),
        "Airline check-in API",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "Find a booking by PNR and last name, see the live seat map, hold a seat, pay its fee, and get a \
         boarding pass. Every error has a JSON body with a stable `code`. POSTs that create something take an `Idempotency-Key`; cancelling is idempotent by itself.",
    )
    .server(server_url)
    .url_prefix("/v1")
}

#[handler]
fn index() -> Html<&'static str> {
    Html(include_str!("../static/index.html"))
}

#[handler]
fn healthz() -> &'static str {
    "ok"
}

#[handler]
async fn readyz(state: Data<&AppState>) -> Response {
    let db_ok = state.db.execute_unprepared("SELECT 1").await.is_ok();
    let redis_ok = match &state.redis {
        None => true,
        Some(conn) => {
            let mut conn = conn.clone();
            let ping_cmd = redis::cmd("PING");
            let ping = ping_cmd.query_async::<String>(&mut conn);
            matches!(
                tokio::time::timeout(Duration::from_secs(1), ping).await,
                Ok(Ok(_))
            )
        }
    };
    let body = serde_json::json!({ "mariadb": db_ok, "redis": redis_ok });
    let status = if db_ok && redis_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    Response::builder()
        .status(status)
        .content_type("application/json")
        .body(body.to_string())
}

#[handler]
fn metrics_endpoint(handle: Data<&Option<PrometheusHandle>>) -> String {
    handle
        .as_ref()
        .map(PrometheusHandle::render)
        .unwrap_or_default()
}

/// The whole HTTP surface: the API under `/v1`, the passenger page at `/`, the spec at
/// `/openapi.json`, interactive docs at `/docs`, health at `/healthz` and `/readyz`, and
/// Prometheus metrics at `/metrics`. Errors raised outside endpoints get the same JSON body.
pub fn app(
    state: AppState,
    server_url: &str,
    metrics: Option<PrometheusHandle>,
) -> impl Endpoint + use<> {
    let api = openapi(state.clone(), server_url);
    let docs = api.swagger_ui();
    let spec = api.spec_endpoint();
    Route::new()
        .nest("/v1", api)
        .nest("/docs", docs)
        .at("/openapi.json", spec)
        .at("/", get(index))
        .at("/healthz", get(healthz))
        .at("/readyz", get(readyz))
        .at("/metrics", get(metrics_endpoint))
        .data(state)
        .data(metrics)
        .around(limit_body)
        .with(Tracing)
        .with(CatchPanic::new().with_handler(|_| {
            tracing::error!("A request handler panicked.");
            let mut resp = Json(ErrorBody {
                code: "internal_error".into(),
                detail: "an internal error occurred".into(),
            })
            .into_response();
            resp.set_status(StatusCode::INTERNAL_SERVER_ERROR);
            resp
        }))
        .catch_all_error(|err: poem::Error| async move {
            // Endpoint errors already carry their JSON body; only poem's own errors need one.
            if err.is_from_response() {
                return err.into_response();
            }
            let status = err.status();
            if status.is_server_error() {
                tracing::error!(error = %err, "Unhandled error.");
            }
            let detail = if status.is_server_error() {
                "an internal error occurred".to_owned()
            } else {
                err.to_string()
            };
            let code = if status == StatusCode::BAD_REQUEST {
                invalid_input_code(&err)
            } else {
                code_for_status(status)
            };
            let mut resp = Json(ErrorBody {
                code: code.to_owned(),
                detail,
            })
            .into_response();
            resp.set_status(status);
            resp
        })
}
