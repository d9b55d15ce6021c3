//! `/healthz` (the process is up) and `/readyz` (it can reach its database).

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db;
use crate::error::ApiError;
use crate::AppState;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct Health {
    pub status: &'static str,
}

/// Liveness
///
/// Answers while the process runs; touches nothing else.
#[utoipa::path(
    tag = "health",
    operation_id = "healthz",
    responses((status = 200, description = "Alive", body = Health)),
    extensions(("x-permission" = json!("public"))),
)]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// Readiness
///
/// 200 when a database connection can be taken from the pool and answers; 503 otherwise.
#[utoipa::path(
    tag = "health",
    operation_id = "readyz",
    responses((status = 200, description = "Ready", body = Health)),
    extensions(("x-permission" = json!("public"))),
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    db::run(&state.pool, |conn| {
        conn.ping()
            .map_err(|e| ApiError::Unavailable(format!("database ping failed: {e}")))
    })
    .await?;
    Ok(HttpResponse::Ok().json(Health { status: "ok" }))
}
