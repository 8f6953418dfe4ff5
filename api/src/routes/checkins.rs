//! Check-ins: ask for a seat (alone or as a group), wait for the outcome, pay, cancel, and
//! get the boarding pass.

use std::time::Duration;

use checkin_domain::{
    boarding_pass,
    checkin::{
        self, CreateCheckin,
        group::{self, CreateGroupCheckin},
    },
    payment,
    types::{CheckinId, IdempotencyKey, PaymentMethod, SeatCode, SeatPreference},
};
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Header, Path, Query},
    payload::Json,
};

use super::ApiTags;
use crate::{
    error::{
        ApiResult, CancelCheckinError, CreateCheckinError, GetBoardingPassError, GetCheckinError,
        PayCheckinError,
    },
    objects::{
        BoardingPassView, CheckinAccepted, CheckinView, CreateCheckinRequest,
        CreateGroupCheckinRequest, GroupAccepted, PayCheckinRequest, PaymentAccepted,
    },
    state::{AppState, SessionAuth},
    states::{Preference, WaitState},
    text::{IdempotencyKeyText, Matching, UlidText},
};

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

pub struct CheckinsApi {
    state: AppState,
}

impl CheckinsApi {
    pub(crate) fn new(state: AppState) -> Self {
        Self { state }
    }
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
                    state.into(),
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
            &self.state.payment,
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
            boarding_pass::get_boarding_pass(&self.state.db, &booking, &id)
                .await?
                .into(),
        )))
    }
}
