//! `/healthz` (the process is up) and `/readyz` (it can reach its database).

use actix_web::{get, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db;
use crate::error::{ApiError, Problem};
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
/// Answers while the process runs; touches nothing else.
#[utoipa::path(
    tag = "health",
    operation_id = "healthz",
    responses(
        (status = 200, description = "Alive", body = Health),
        (status = 400, description = "A query parameter was sent; the probe takes none",
            body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("public"))),
)]
#[get("/healthz")]
pub async fn healthz(_: web::Query<NoParams>) -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// Readiness
///
/// 200 when a database connection can be taken from the pool and answers; 503 otherwise.
#[utoipa::path(
    tag = "health",
    operation_id = "readyz",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 400, description = "A query parameter was sent; the probe takes none",
            body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("public"))),
)]
#[get("/readyz")]
pub async fn readyz(
    _: web::Query<NoParams>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    db::run(&state.pool, |conn| {
        conn.ping()
            .map_err(|e| ApiError::Unavailable(format!("database ping failed: {e}")))
    })
    .await?;
    Ok(HttpResponse::Ok().json(Health { status: "ok" }))
}
