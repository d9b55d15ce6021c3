use actix_web::{delete, get, patch, post, web, HttpResponse};

use super::dto::{Brief, BriefCreate, BriefFilter, BriefPage, BriefUpdate, BriefView};
use super::repo::BriefSort;
use super::service;
use crate::auth::{perm, Authorized};
use crate::error::{ApiError, Problem};
use crate::resource;
use crate::rest::body::ValidJson;
use crate::rest::list::ListQuery;
use crate::rest::record::IfMatch;
use crate::rest::{params, record};
use crate::AppState;

/// List briefs
///
/// Cursor-paginated; filters combine with AND. With `briefs.read` in scope `assigned`,
/// only the briefs of accounts the caller manages or is on the team of. What is due
/// soon: `?due_before=2026-03-31&status=in_production`.
#[utoipa::path(
    tag = "briefs",
    operation_id = "list_briefs",
    params(ListQuery<BriefFilter, BriefSort>),
    responses(
        (status = 200, description = "One page of briefs", body = BriefPage),
    ),
    extensions(("x-permission" = json!("briefs.read"))),
)]
#[get("/briefs")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Authorized<perm::BriefsRead>,
    query: ListQuery<BriefFilter, BriefSort>,
) -> Result<HttpResponse, ApiError> {
    resource::list::<Brief, _>(&state.pool, auth, query).await
}

/// Get a brief
#[utoipa::path(
    tag = "briefs",
    operation_id = "get_brief",
    params(("id" = i64, Path, description = "Brief id")),
    responses((status = 200, description = "The brief", body = BriefView)),
    extensions(("x-permission" = json!("briefs.read"))),
)]
#[get("/briefs/{id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    auth: Authorized<perm::BriefsRead>,
    id: params::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    resource::get::<Brief, _>(&state.pool, auth, id.into_inner()).await
}

/// Create a brief
///
/// A draft on an account within the caller's reach (`briefs.write` in scope `assigned`:
/// an account they manage or are on the team of; any other `account_id` is answered as
/// unknown). The caller is its author.
#[utoipa::path(
    tag = "briefs",
    operation_id = "create_brief",
    request_body = BriefCreate,
    responses((status = 201, description = "Created, in draft", body = BriefView)),
    extensions(("x-permission" = json!("briefs.write"))),
)]
#[post("/briefs")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Authorized<perm::BriefsWrite>,
    ValidJson(input): ValidJson<BriefCreate>,
) -> Result<HttpResponse, ApiError> {
    let brief = auth
        .run(&state.pool, move |conn, access| {
            service::create(conn, &access.caller, access.visibility(), input)
        })
        .await?;
    Ok(record::created(
        format!("/api/v1/briefs/{}", brief.brief.id),
        &brief,
    ))
}

/// Update a brief
///
/// A JSON merge patch: absent fields stay, `null` clears. Only in `draft` or
/// `changes_requested`: once submitted, the brief is what gets approved and made.
#[utoipa::path(
    tag = "briefs",
    operation_id = "update_brief",
    params(
        ("id" = i64, Path, description = "Brief id"),
        IfMatch,
    ),
    request_body = BriefUpdate,
    responses(
        (status = 200, description = "The updated brief", body = BriefView),
        (status = 409, description = "The brief is not in draft or changes_requested", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("briefs.write"))),
)]
#[patch("/briefs/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Authorized<perm::BriefsWrite>,
    id: params::Path<i64>,
    if_match: IfMatch,
    ValidJson(patch): ValidJson<BriefUpdate>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    resource::update::<Brief, _>(&state.pool, auth, id, if_match, "update", patch).await
}

/// Delete a brief
///
/// Only a draft; a brief that went further is history: cancel it instead.
#[utoipa::path(
    tag = "briefs",
    operation_id = "delete_brief",
    params(
        ("id" = i64, Path, description = "Brief id"),
        IfMatch,
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "The brief is not a draft", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("briefs.write"))),
)]
#[delete("/briefs/{id}")]
pub async fn delete(
    state: web::Data<AppState>,
    auth: Authorized<perm::BriefsWrite>,
    id: params::Path<i64>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    resource::delete::<Brief, _>(&state.pool, auth, id.into_inner(), if_match).await
}
