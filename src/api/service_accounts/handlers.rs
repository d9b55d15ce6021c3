use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpResponse};

use super::dto::{
    ServiceAccount, ServiceAccountCreate, ServiceAccountFilter, ServiceAccountPage,
    ServiceAccountUpdate, ServiceAccountWithSecret,
};
use super::repo::{self, ServiceAccountSort};
use super::service;
use crate::auth::{perm, Authorized};
use crate::error::{ApiError, Problem};
use crate::idempotency::ShownOnce;
use crate::resource;
use crate::rest::body::ValidJson;
use crate::rest::list::ListQuery;
use crate::rest::record::IfMatch;
use crate::rest::{params, record};
use crate::AppState;

/// An answer carrying the new secret: never cached, never kept for a replay.
fn with_secret(mut response: HttpResponse) -> HttpResponse {
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
        .extensions_mut()
        .insert(ShownOnce(&["client_secret"]));
    response
}

/// List service accounts
#[utoipa::path(
    tag = "service-accounts",
    operation_id = "list_service_accounts",
    params(ListQuery<ServiceAccountFilter, ServiceAccountSort>),
    responses((status = 200, description = "One page of service accounts", body = ServiceAccountPage)),
    extensions(("x-permission" = json!("staff.read"))),
)]
#[get("/service-accounts")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Authorized<perm::StaffRead>,
    query: ListQuery<ServiceAccountFilter, ServiceAccountSort>,
) -> Result<HttpResponse, ApiError> {
    resource::serve_list(
        &state.pool,
        auth,
        query,
        |conn, _, query| Ok(repo::list(conn, query)?),
        |_, _, rows| Ok(rows),
    )
    .await
}

/// Get a service account
///
/// The client secret is never shown again after it is issued.
#[utoipa::path(
    tag = "service-accounts",
    operation_id = "get_service_account",
    params(("id" = i64, Path, description = "Service account id (a staff id)")),
    responses((status = 200, description = "The service account", body = ServiceAccount)),
    extensions(("x-permission" = json!("staff.read"))),
)]
#[get("/service-accounts/{id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    auth: Authorized<perm::StaffRead>,
    id: params::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let account = auth
        .run(&state.pool, move |conn, _| service::get(conn, id))
        .await?;
    Ok(record::ok(&account))
}

/// Create a service account
///
/// Answers its `client_id` and a `client_secret`, shown this once (only a hash is kept;
/// a replay of the request with the same `Idempotency-Key` answers without it). Exchange
/// them for access tokens at `POST /auth/token` with `grant_type=client_credentials`.
/// Nobody gives a role whose grants exceed their own: that is a 403.
#[utoipa::path(
    tag = "service-accounts",
    operation_id = "create_service_account",
    request_body = ServiceAccountCreate,
    responses(
        (status = 201, description = "Created, with its client secret", body = ServiceAccountWithSecret, headers(
            ("Cache-Control" = String, description = "`no-store`: a secret is never cached"),
        )),
        (status = 403, description = "The caller lacks staff.write, or the role's grants exceed the caller's own", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("staff.write"))),
)]
#[post("/service-accounts")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Authorized<perm::StaffWrite>,
    ValidJson(input): ValidJson<ServiceAccountCreate>,
) -> Result<HttpResponse, ApiError> {
    let created = auth
        .run(&state.pool, move |conn, access| {
            service::create(conn, &access.caller, input)
        })
        .await?;
    Ok(with_secret(record::created(
        format!("/api/v1/service-accounts/{}", created.account.id),
        &created,
    )))
}

/// Update a service account
///
/// Rename, change the role, or deactivate (`"active": false`): its access tokens fail on
/// the next request and no new one is issued. Nobody gives a role whose grants exceed their
/// own, and nobody changes the role or active state of a service account whose role
/// exceeds their own: each is a 403.
#[utoipa::path(
    tag = "service-accounts",
    operation_id = "update_service_account",
    params(("id" = i64, Path, description = "Service account id (a staff id)"), IfMatch),
    request_body = ServiceAccountUpdate,
    responses(
        (status = 200, description = "The updated service account", body = ServiceAccount),
        (status = 403, description = "The caller lacks staff.write, or the role's grants exceed the caller's own, or the service account's current role exceeds the caller's own, or it is changing its own role", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The change would leave nobody able to administer roles and staff", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("staff.write"))),
)]
#[patch("/service-accounts/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Authorized<perm::StaffWrite>,
    id: params::Path<i64>,
    if_match: IfMatch,
    ValidJson(patch): ValidJson<ServiceAccountUpdate>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let account = auth
        .run(&state.pool, move |conn, access| {
            service::update(conn, &access.caller, id, &if_match, patch)
        })
        .await?;
    Ok(record::ok(&account))
}

/// Rotate a service account's secret
///
/// Answers a new `client_secret`, shown this once. The old secret fails from now on;
/// access tokens already issued with it work until they expire (deactivate the account to
/// stop them at once). Nobody takes the secret of a service account whose role exceeds
/// their own: that is a 403.
#[utoipa::path(
    tag = "service-accounts",
    operation_id = "rotate_service_account_secret",
    params(("id" = i64, Path, description = "Service account id (a staff id)")),
    responses(
        (status = 200, description = "The service account with its new client secret", body = ServiceAccountWithSecret, headers(
            ("Cache-Control" = String, description = "`no-store`: a secret is never cached"),
        )),
        (status = 403, description = "The caller lacks staff.write, or the service account's role exceeds the caller's own", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("staff.write"))),
)]
#[post("/service-accounts/{id}/rotate-secret")]
pub async fn rotate_secret(
    state: web::Data<AppState>,
    auth: Authorized<perm::StaffWrite>,
    id: params::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let rotated = auth
        .run(&state.pool, move |conn, access| {
            service::rotate_secret(conn, &access.caller, id)
        })
        .await?;
    Ok(with_secret(record::ok(&rotated)))
}
