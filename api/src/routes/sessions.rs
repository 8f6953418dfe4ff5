//! `POST /v1/sessions`: log in with a PNR and a last name.

use checkin_domain::{
    session,
    types::{LastName, Pnr},
};
use poem::web::RemoteAddr;
use poem_openapi::{ApiResponse, OpenApi, payload::Json};

use super::ApiTags;
use crate::{
    error::{ApiError, CreateSessionError, DeleteSessionError, ErrorBody},
    objects::{CreateSessionRequest, SessionView},
    state::{AppState, SessionAuth},
};

#[derive(ApiResponse)]
enum SessionCreated {
    /// Logged in.
    #[oai(status = 201)]
    Created(Json<SessionView>),
}

#[derive(ApiResponse)]
enum SessionDeleted {
    /// Logged out: the token no longer works.
    #[oai(status = 204)]
    Deleted,
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
    /// scoped to that booking. A wrong PNR and a wrong name get the same 401. Attempts are
    /// limited per client address and per PNR (429 with `Retry-After`).
    #[oai(path = "/sessions", method = "post", operation_id = "create_session")]
    async fn create_session(
        &self,
        remote: &RemoteAddr,
        body: Json<CreateSessionRequest>,
    ) -> Result<SessionCreated, CreateSessionError> {
        let pnr = Pnr::parse(&body.pnr)?;
        let last = LastName::parse(&body.last_name)?;
        let address = remote.as_socket_addr().map(|a| a.ip());
        if let Err(wait) = self.state.login_limits.check(address, pnr.as_str()) {
            let secs = u32::try_from(wait.as_secs().saturating_add(1)).unwrap_or(u32::MAX);
            return Err(ApiError::TooManyRequests(
                ErrorBody::new(
                    "too_many_attempts",
                    format!("too many login attempts; retry in {secs} s"),
                ),
                secs,
            )
            .into());
        }
        let s =
            session::create_session(&self.state.db, &pnr, &last, self.state.session_ttl).await?;
        self.state
            .sessions
            .remember(&s.token, &s.booking, self.state.session_ttl);
        Ok(SessionCreated::Created(Json(SessionView {
            token: s.token,
            expires_at: s.expires_at.and_utc(),
            booking: s.view.into(),
        })))
    }

    /// Log out: the session's token stops working at once on this API process, and on
    /// every other within 30 seconds (they keep a token they have seen that long).
    #[oai(
        path = "/sessions/current",
        method = "delete",
        operation_id = "delete_session"
    )]
    async fn delete_session(
        &self,
        auth: SessionAuth,
    ) -> Result<SessionDeleted, DeleteSessionError> {
        // Only a live session can end itself: an unknown token is a 401, as everywhere.
        self.state.booking(&auth).await?;
        session::delete_session(&self.state.db, &auth.0.token).await?;
        self.state.sessions.revoke(&auth.0.token);
        Ok(SessionDeleted::Deleted)
    }
}
