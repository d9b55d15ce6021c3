//! `/healthz` (the process is up) and `/readyz` (it can reach its database and is not
//! shutting down).

use std::time::Duration;

use actix_web::{get, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, Problem};
use crate::rest::params;
use crate::AppState;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct Health {
    pub status: &'static str,
}

/// The probes take no parameters. As everywhere in the API, an unknown query parameter is
/// a 400 rather than silently ignored, so a misconfigured probe is seen at once.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

/// Liveness
///
/// Answers while the process runs, draining before a stop included; touches nothing else.
/// Takes no parameters: any query parameter is a 400.
#[utoipa::path(
    tag = "health",
    operation_id = "healthz",
    responses((status = 200, description = "Alive", body = Health)),
    extensions(("x-permission" = json!("public"))),
)]
#[get("/healthz")]
pub async fn healthz(_: params::Query<NoParams>) -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// How long readiness waits for a connection: a balancer's health check must get its
/// answer well within its own timeout, whatever `SUITS_DB_TIMEOUT` is.
const READY_WAIT: Duration = Duration::from_secs(1);

/// Readiness
///
/// 200 when a database connection can be taken from the pool within a second and
/// answers; 503 otherwise. 503 at once, too, from the moment the instance is told to stop
/// (SIGTERM): it then serves on for `SUITS_DRAIN_SECONDS` while a load balancer checking
/// this path takes it out of rotation. Takes no parameters: any query parameter is a 400.
#[utoipa::path(
    tag = "health",
    operation_id = "readyz",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "Not ready: the instance is shutting down (draining), or its database is unreachable", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("public"))),
)]
#[get("/readyz")]
pub async fn readyz(
    _: params::Query<NoParams>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if state.lifecycle.is_draining() {
        return Err(ApiError::Draining);
    }
    let pool = state.pool.clone();
    web::block(move || {
        let mut conn = pool.get_within(READY_WAIT).map_err(ApiError::from_pool)?;
        conn.ping()
            .map_err(|e| ApiError::Unavailable(format!("database ping failed: {e}")))
    })
    .await
    .map_err(|e| ApiError::internal(format!("blocking task failed: {e}")))??;
    Ok(HttpResponse::Ok().json(Health { status: "ok" }))
}
