//! The operator's POSTs. Each parses, calls the domain (or the queue adapter, then the domain
//! to record it), and answers `{outcome}` or `{code, detail}`. The guard has already checked
//! the password, the origin and the CSRF token, and named the operator.

use checkin_domain::{
    operator::{self, Action, Note, Operator, OperatorError},
    types::CheckinId,
};
use checkin_infra::queue::{DeadJobOutcome, Queue};
use poem::{
    IntoResponse, Request, Response, handler,
    http::StatusCode,
    web::{Data, Json, Path},
};
use serde::Deserialize;
use serde_json::json;

use crate::{App, error, guard::OperatorName};

#[derive(Deserialize, Default)]
pub struct ActionBody {
    #[serde(default)]
    note: String,
}

/// Maps a refusal to its answer; faults of ours are logged once and answered opaquely.
pub(crate) fn operator_error(e: OperatorError) -> Response {
    match e.code() {
        Some(code) => {
            let status = match &e {
                OperatorError::CheckinNotFound => StatusCode::NOT_FOUND,
                OperatorError::Invalid(_) | OperatorError::NoteRequired => StatusCode::BAD_REQUEST,
                OperatorError::Domain(_) => StatusCode::BAD_REQUEST,
                _ => StatusCode::CONFLICT,
            };
            error(status, code, &e.to_string())
        }
        None => {
            tracing::error!(error = %e, "Operator action failed.");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "an internal error occurred",
            )
        }
    }
}

fn who(req: &Request) -> Result<Operator, Box<Response>> {
    let name = req
        .extensions()
        .get::<OperatorName>()
        .map(|n| n.0.clone())
        .unwrap_or_default();
    Operator::new(&name).map_err(|e| Box::new(operator_error(e)))
}

fn note(body: Option<Json<ActionBody>>) -> Result<Note, Box<Response>> {
    Note::new(&body.map(|b| b.0.note).unwrap_or_default()).map_err(|e| Box::new(operator_error(e)))
}

async fn dead_job(
    app: &App,
    req: &Request,
    (queue, id): (String, String),
    body: Option<Json<ActionBody>>,
    action: Action,
) -> Response {
    let (who, note) = match (who(req), note(body)) {
        (Ok(w), Ok(n)) => (w, n),
        (Err(r), _) | (_, Err(r)) => return *r,
    };
    let Some(q) = Queue::parse(&queue) else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_input",
            "queue is hold or payment",
        );
    };
    let moved = match action {
        Action::RetryJob => app.d.queues.retry_dead(q, &id).await,
        _ => app.d.queues.discard_dead(q, &id).await,
    };
    let outcome = match moved {
        Ok(o) => o,
        Err(e) => {
            tracing::warn!(error = %e, "Dead job not moved.");
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "queue_unavailable",
                "the queue Redis could not be reached; nothing was changed",
            );
        }
    };
    if let Err(e) = operator::record_job_action(
        &app.d.db,
        &who,
        action,
        q.as_str(),
        &id,
        &note,
        outcome.as_str(),
    )
    .await
    {
        return operator_error(e);
    }
    tracing::info!(operator = who.as_str(), action = action.as_str(), queue = q.as_str(), job.id = %id, outcome = outcome.as_str(), "Operator action on a dead job.");
    let status = match outcome {
        DeadJobOutcome::Retried | DeadJobOutcome::Discarded => StatusCode::OK,
        _ => StatusCode::CONFLICT,
    };
    let mut r = Json(json!({ "outcome": outcome })).into_response();
    r.set_status(status);
    r
}

/// Puts a dead job back in its queue.
#[handler]
pub async fn retry_job(
    app: Data<&App>,
    req: &Request,
    path: Path<(String, String)>,
    body: Option<Json<ActionBody>>,
) -> Response {
    dead_job(&app, req, path.0, body, Action::RetryJob).await
}

/// Deletes a dead job.
#[handler]
pub async fn discard_job(
    app: Data<&App>,
    req: &Request,
    path: Path<(String, String)>,
    body: Option<Json<ActionBody>>,
) -> Response {
    dead_job(&app, req, path.0, body, Action::DiscardJob).await
}

fn checkin_id(raw: &str) -> Result<CheckinId, Box<Response>> {
    CheckinId::parse(raw).map_err(|_| {
        Box::new(error(
            StatusCode::BAD_REQUEST,
            "invalid_checkin_id",
            "a check-in id is a 26-character ULID",
        ))
    })
}

/// Pushes a live check-in's job again.
#[handler]
pub async fn redrive(
    app: Data<&App>,
    req: &Request,
    id: Path<String>,
    body: Option<Json<ActionBody>>,
) -> Response {
    let (who, note, id) = match (who(req), note(body), checkin_id(&id)) {
        (Ok(w), Ok(n), Ok(i)) => (w, n, i),
        (Err(r), _, _) | (_, Err(r), _) | (_, _, Err(r)) => return *r,
    };
    match operator::redrive_checkin(&app.d.db, &app.d.producer, &who, &id, &note).await {
        Ok(outcome) => {
            tracing::info!(operator = who.as_str(), checkin.id = %id, outcome = outcome.as_str(), "Operator re-drove a check-in.");
            Json(json!({ "outcome": outcome })).into_response()
        }
        Err(e) => operator_error(e),
    }
}

/// Marks a refused refund as handled, with a note.
#[handler]
pub async fn resolve_refund(
    app: Data<&App>,
    req: &Request,
    id: Path<String>,
    body: Option<Json<ActionBody>>,
) -> Response {
    let (who, note, id) = match (who(req), note(body), checkin_id(&id)) {
        (Ok(w), Ok(n), Ok(i)) => (w, n, i),
        (Err(r), _, _) | (_, Err(r), _) | (_, _, Err(r)) => return *r,
    };
    match operator::resolve_refused_refund(&app.d.db, &who, &id, &note).await {
        Ok(()) => {
            tracing::info!(operator = who.as_str(), checkin.id = %id, "Operator marked a refused refund handled.");
            Json(json!({ "outcome": "resolved" })).into_response()
        }
        Err(e) => operator_error(e),
    }
}
