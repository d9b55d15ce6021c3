use actix_web::{get, post, web, HttpResponse};

use super::dto::{Brief, BriefView};
use super::versions::{self, BriefVersion, BriefVersionList};
use super::workflow;
use crate::approval::Submission;
use crate::auth::{perm, Authorized};
use crate::error::{ApiError, Problem};
use crate::resource;
use crate::rest::body::OptionalJson;
use crate::rest::{params, record};
use crate::AppState;

/// Submit a brief for approval
///
/// From `draft` or `changes_requested`. Freezes the brief's content as its next version
/// and opens its approval (the `brief` policy's stages unless the body gives them), in
/// one transaction; the brief is then `submitted`, shows the approval's id, and cannot be
/// edited until the approval ends (changes requested, or the approval cancelled: back to
/// `draft`). Of concurrent submits exactly one succeeds. The body may be left out.
#[utoipa::path(
    tag = "briefs",
    operation_id = "submit_brief",
    params(("id" = i64, Path, description = "Brief id")),
    request_body(content = Option<Submission>, description = "The approval's stages, due date and note; may be left out"),
    responses(
        (status = 200, description = "The submitted brief", body = BriefView),
        (status = 409, description = "The brief is not in draft or changes_requested", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("briefs.submit"))),
)]
#[post("/briefs/{id}/submit")]
pub async fn submit(
    state: web::Data<AppState>,
    auth: Authorized<perm::BriefsSubmit>,
    id: params::Path<i64>,
    OptionalJson(body): OptionalJson<Submission>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let brief = auth
        .run(&state.pool, move |conn, access| {
            workflow::submit(conn, &access.caller, access.visibility(), id, body)
        })
        .await?;
    Ok(record::ok(&brief))
}

/// Start production of an approved brief
///
/// From `approved` to `in_production`, where it receives creative rounds.
#[utoipa::path(
    tag = "briefs",
    operation_id = "start_brief_production",
    params(("id" = i64, Path, description = "Brief id")),
    responses(
        (status = 200, description = "The brief, in production", body = BriefView),
        (status = 409, description = "The brief is not approved", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("briefs.submit"))),
)]
#[post("/briefs/{id}/start-production")]
pub async fn start_production(
    state: web::Data<AppState>,
    auth: Authorized<perm::BriefsSubmit>,
    id: params::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let brief = auth
        .run(&state.pool, move |conn, access| {
            workflow::start_production(conn, &access.caller, access.visibility(), id)
        })
        .await?;
    Ok(record::ok(&brief))
}

/// Deliver a brief
///
/// From `in_production`, once its latest creative round is accepted.
#[utoipa::path(
    tag = "briefs",
    operation_id = "deliver_brief",
    params(("id" = i64, Path, description = "Brief id")),
    responses(
        (status = 200, description = "The delivered brief", body = BriefView),
        (status = 409, description = "The brief is not in production, or its latest round is not accepted", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("briefs.submit"))),
)]
#[post("/briefs/{id}/deliver")]
pub async fn deliver(
    state: web::Data<AppState>,
    auth: Authorized<perm::BriefsSubmit>,
    id: params::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let brief = auth
        .run(&state.pool, move |conn, access| {
            workflow::deliver(conn, &access.caller, access.visibility(), id)
        })
        .await?;
    Ok(record::ok(&brief))
}

/// Cancel a brief
///
/// From any state but `delivered` and `cancelled`; a pending approval on the brief or on
/// its latest round is cancelled with it. Of concurrent cancels exactly one succeeds; the
/// others get 409 naming the state the brief is in.
#[utoipa::path(
    tag = "briefs",
    operation_id = "cancel_brief",
    params(("id" = i64, Path, description = "Brief id")),
    responses(
        (status = 200, description = "The cancelled brief", body = BriefView),
        (status = 409, description = "The brief is already delivered or cancelled", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("briefs.write"))),
)]
#[post("/briefs/{id}/cancel")]
pub async fn cancel(
    state: web::Data<AppState>,
    auth: Authorized<perm::BriefsWrite>,
    id: params::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let brief = auth
        .run(&state.pool, move |conn, access| {
            workflow::cancel(conn, &access.caller, access.visibility(), id)
        })
        .await?;
    Ok(record::ok(&brief))
}

/// List a brief's versions
///
/// What the brief said at each submission, oldest first, each with the fields changed
/// since the version before.
#[utoipa::path(
    tag = "briefs",
    operation_id = "list_brief_versions",
    params(("id" = i64, Path, description = "Brief id")),
    responses((status = 200, description = "The versions", body = BriefVersionList)),
    extensions(("x-permission" = json!("briefs.read"))),
)]
#[get("/briefs/{id}/versions")]
pub async fn list_versions(
    state: web::Data<AppState>,
    auth: Authorized<perm::BriefsRead>,
    id: params::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let data = auth
        .run(&state.pool, move |conn, access| {
            resource::find::<Brief>(conn, id, access.visibility())?;
            versions::all(conn, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(BriefVersionList { data }))
}

/// Get one version of a brief
///
/// Version `n` as submitted, with the fields changed since version `n - 1`.
#[utoipa::path(
    tag = "briefs",
    operation_id = "get_brief_version",
    params(
        ("id" = i64, Path, description = "Brief id"),
        ("number" = i32, Path, description = "Version number, from 1"),
    ),
    responses((status = 200, description = "The version", body = BriefVersion)),
    extensions(("x-permission" = json!("briefs.read"))),
)]
#[get("/briefs/{id}/versions/{number}")]
pub async fn get_version(
    state: web::Data<AppState>,
    auth: Authorized<perm::BriefsRead>,
    path: params::Path<(i64, i32)>,
) -> Result<HttpResponse, ApiError> {
    let (id, number) = path.into_inner();
    let version = auth
        .run(&state.pool, move |conn, access| {
            resource::find::<Brief>(conn, id, access.visibility())?;
            versions::all(conn, id)?
                .into_iter()
                .find(|v| v.number == number)
                .ok_or_else(|| ApiError::not_found(&format!("version {number} of brief {id}")))
        })
        .await?;
    Ok(HttpResponse::Ok().json(version))
}
