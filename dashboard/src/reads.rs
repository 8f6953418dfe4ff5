//! What an operator opens on demand: job lists, a search, a check-in's timeline, the log of
//! operators' actions. Each is one small read, made when someone asks for it.

use checkin_domain::{db::stmt, operator, types::CheckinId};
use checkin_infra::queue::{JobState, Queue};
use poem::{
    IntoResponse, Response, handler,
    http::StatusCode,
    web::{Data, Json, Path, Query},
};
use sea_orm::ConnectionTrait;
use serde::Deserialize;
use serde_json::json;

use crate::{App, actions::operator_error, error};

#[derive(Deserialize)]
pub struct JobsQuery {
    queue: String,
    state: String,
    limit: Option<usize>,
}

/// Jobs of one queue in one state, each with its check-in's state (job ids are check-in
/// ids).
#[handler]
pub async fn jobs(app: Data<&App>, q: Query<JobsQuery>) -> Response {
    let (Some(queue), Some(state)) = (Queue::parse(&q.queue), JobState::parse(&q.state)) else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_input",
            "queue is hold or payment; state is waiting, scheduled, running or dead",
        );
    };
    let jobs = match app
        .d
        .queues
        .jobs(queue, state, q.limit.unwrap_or(100).min(500))
        .await
    {
        Ok(j) => j,
        Err(e) => {
            tracing::warn!(error = %e, "Jobs not listed.");
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "queue_unavailable",
                "the queue Redis could not be read",
            );
        }
    };
    let ids: Vec<&str> = jobs.iter().map(|j| j.id.as_str()).collect();
    let mut states = std::collections::HashMap::new();
    if !ids.is_empty() {
        let marks = vec!["?"; ids.len()].join(", ");
        match app
            .d
            .db
            .query_all_raw(stmt(
                &format!("SELECT id, state, reason FROM checkins WHERE id IN ({marks})"),
                ids.iter().map(|id| (*id).into()),
            ))
            .await
        {
            Ok(rows) => {
                for r in rows {
                    if let (Ok(id), Ok(state)) = (
                        r.try_get::<String>("", "id"),
                        r.try_get::<String>("", "state"),
                    ) {
                        let reason = r.try_get::<Option<String>>("", "reason").ok().flatten();
                        states.insert(id, (state, reason));
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "Check-in states of jobs not read."),
        }
    }
    let jobs: Vec<_> = jobs
        .into_iter()
        .map(|j| {
            let (state, reason) = states.get(&j.id).cloned().unzip();
            let mut v = json!(j);
            v["checkin_state"] = json!(state);
            v["checkin_reason"] = json!(reason.flatten());
            v
        })
        .collect();
    Json(json!({ "queue": queue.as_str(), "state": state.as_str(), "jobs": jobs })).into_response()
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: String,
}

/// A booking by PNR (its passengers and every check-in), or a check-in by id.
#[handler]
pub async fn search(app: Data<&App>, q: Query<SearchQuery>) -> Response {
    match operator::find(&app.d.db, &q.q).await {
        Ok(found) => Json(json!(found)).into_response(),
        Err(e) => operator_error(e),
    }
}

/// Everything that happened to a check-in, oldest first, with its summary.
#[handler]
pub async fn timeline(app: Data<&App>, id: Path<String>) -> Response {
    let Ok(id) = CheckinId::parse(&id) else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_checkin_id",
            "a check-in id is a 26-character ULID",
        );
    };
    let summary = match operator::find(&app.d.db, id.as_str()).await {
        Ok(f) => f.checkins.into_iter().next(),
        Err(e) => return operator_error(e),
    };
    match operator::timeline(&app.d.db, &id).await {
        Ok(entries) => Json(json!({ "checkin": summary, "timeline": entries })).into_response(),
        Err(e) => operator_error(e),
    }
}

/// The newest operator actions.
#[handler]
pub async fn actions(app: Data<&App>) -> Response {
    match operator::recent_actions(&app.d.db, 100).await {
        Ok(a) => Json(json!({ "actions": a })).into_response(),
        Err(e) => operator_error(e.into()),
    }
}
