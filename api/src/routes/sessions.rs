//! `POST /v1/sessions`: log in with a PNR and a last name.

use checkin_domain::{
    session,
    types::{LastName, Pnr},
};
use poem_openapi::{ApiResponse, OpenApi, payload::Json};

use super::ApiTags;
use crate::{
    error::CreateSessionError,
    objects::{CreateSessionRequest, SessionView},
    state::AppState,
};

#[derive(ApiResponse)]
enum SessionCreated {
    /// Logged in.
    #[oai(status = 201)]
    Created(Json<SessionView>),
}

pub struct SessionsApi {
    state: AppState,
}

impl SessionsApi {
    pub(crate) fn new(state: AppState) -> Self {
        Self { state }
    }
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
            expires_at: s.expires_at.and_utc(),
            booking: booking.into(),
        })))
    }
}
