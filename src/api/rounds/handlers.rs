use actix_web::{get, post, web, HttpResponse};

use super::dto::{Round, RoundCreate, RoundList, RoundView};
use super::service;
use crate::auth::{perm, Authorized};
use crate::error::{ApiError, Problem};
use crate::resource;
use crate::rest::body::ValidJson;
use crate::rest::{params, record};
use crate::AppState;

/// List a brief's creative rounds
///
/// Oldest first. The brief must be within the caller's `briefs.read` scope.
#[utoipa::path(
    tag = "briefs",
    operation_id = "list_brief_rounds",
    params(("id" = i64, Path, description = "Brief id")),
    responses((status = 200, description = "The brief's rounds", body = RoundList)),
    extensions(("x-permission" = json!("briefs.read"))),
)]
#[get("/briefs/{id}/rounds")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Authorized<perm::BriefsRead>,
    id: params::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let data = auth
        .run(&state.pool, move |conn, access| {
            service::of_brief(conn, &access.caller, access.visibility(), id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(RoundList { data }))
}

/// Add a creative round to a brief
///
/// Only while the brief is `in_production`. The round gets the next number and
/// supersedes the one before, whose pending approval is cancelled with the reason. Ask
/// for its approval with `POST /approvals` (`subject_type: creative_round`).
#[utoipa::path(
    tag = "briefs",
    operation_id = "create_brief_round",
    params(("id" = i64, Path, description = "Brief id")),
    request_body = RoundCreate,
    responses(
        (status = 201, description = "The new round", body = RoundView),
        (status = 409, description = "The brief is not in production", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("briefs.write"))),
)]
#[post("/briefs/{id}/rounds")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Authorized<perm::BriefsWrite>,
    id: params::Path<i64>,
    ValidJson(input): ValidJson<RoundCreate>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let round = auth
        .run(&state.pool, move |conn, access| {
            service::create(conn, &access.caller, access.visibility(), id, input)
        })
        .await?;
    Ok(record::created(
        format!("/api/v1/creative-rounds/{}", round.round.id),
        &round,
    ))
}

/// Get a creative round
#[utoipa::path(
    tag = "briefs",
    operation_id = "get_creative_round",
    params(("id" = i64, Path, description = "Creative round id")),
    responses((status = 200, description = "The round", body = RoundView)),
    extensions(("x-permission" = json!("briefs.read"))),
)]
#[get("/creative-rounds/{id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    auth: Authorized<perm::BriefsRead>,
    id: params::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    resource::get::<Round, _>(&state.pool, auth, id.into_inner()).await
}
