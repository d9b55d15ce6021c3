use actix_web::{delete, get, patch, post, put, web, HttpResponse};

use super::dto::{
    Account, AccountCreate, AccountFilter, AccountPage, AccountUpdate, AccountView, TeamAssignment,
    TeamList, TeamMember,
};
use super::import::AccountImport;
use super::repo::AccountSort;
use super::service;
use crate::auth::{perm, Authorized};
use crate::error::{ApiError, Problem};
use crate::import::{self as bulk, ImportBody, ImportParams, ImportResponses};
use crate::resource;
use crate::rest::body::ValidJson;
use crate::rest::list::ListQuery;
use crate::rest::record::IfMatch;
use crate::rest::{params, record};
use crate::AppState;

/// List accounts
///
/// Cursor-paginated; filters combine with AND. With `accounts.read` in scope `assigned`,
/// only the accounts the caller manages or is on the team of.
#[utoipa::path(
    tag = "accounts",
    operation_id = "list_accounts",
    params(ListQuery<AccountFilter, AccountSort>),
    responses(
        (status = 200, description = "One page of accounts", body = AccountPage),
    ),
    extensions(("x-permission" = json!("accounts.read"))),
)]
#[get("/accounts")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Authorized<perm::AccountsRead>,
    query: ListQuery<AccountFilter, AccountSort>,
) -> Result<HttpResponse, ApiError> {
    resource::list::<Account, _>(&state.pool, auth, query).await
}

/// Get an account
#[utoipa::path(
    tag = "accounts",
    operation_id = "get_account",
    params(("id" = i64, Path, description = "Account id")),
    responses((status = 200, description = "The account", body = AccountView)),
    extensions(("x-permission" = json!("accounts.read"))),
)]
#[get("/accounts/{id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    auth: Authorized<perm::AccountsRead>,
    id: params::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    resource::get::<Account, _>(&state.pool, auth, id.into_inner()).await
}

/// Create an account
///
/// With `accounts.write` in scope `assigned`, only for a client the caller already works
/// for; any other `client_id` is answered as unknown. The manager defaults to the caller.
#[utoipa::path(
    tag = "accounts",
    operation_id = "create_account",
    request_body = AccountCreate,
    responses(
        (status = 201, description = "Created", body = AccountView),
        (status = 409, description = "The client has an account with this name, or the external_ref is taken", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("accounts.write"))),
)]
#[post("/accounts")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Authorized<perm::AccountsWrite>,
    ValidJson(input): ValidJson<AccountCreate>,
) -> Result<HttpResponse, ApiError> {
    let account = auth
        .run(&state.pool, move |conn, access| {
            service::create(conn, &access.caller, access.visibility(), input)
        })
        .await?;
    Ok(record::created(
        format!("/api/v1/accounts/{}", account.account.id),
        &account,
    ))
}

/// Update an account
///
/// A JSON merge patch: absent fields stay, `null` clears. Closing an account is
/// `{"status": "closed"}`.
#[utoipa::path(
    tag = "accounts",
    operation_id = "update_account",
    params(
        ("id" = i64, Path, description = "Account id"),
        IfMatch,
    ),
    request_body = AccountUpdate,
    responses(
        (status = 200, description = "The updated account", body = AccountView),
        (status = 409, description = "Another account of the client has this name, or the external_ref is taken", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("accounts.write"))),
)]
#[patch("/accounts/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Authorized<perm::AccountsWrite>,
    id: params::Path<i64>,
    if_match: IfMatch,
    ValidJson(patch): ValidJson<AccountUpdate>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    resource::update::<Account, _>(&state.pool, auth, id, if_match, "update", patch).await
}

/// Delete an account
///
/// Its team goes with it. An account other records refer to cannot be deleted: set its
/// status to `closed` instead.
#[utoipa::path(
    tag = "accounts",
    operation_id = "delete_account",
    params(
        ("id" = i64, Path, description = "Account id"),
        IfMatch,
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "Other records refer to this account", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("accounts.write"))),
)]
#[delete("/accounts/{id}")]
pub async fn delete(
    state: web::Data<AppState>,
    auth: Authorized<perm::AccountsWrite>,
    id: params::Path<i64>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    resource::delete::<Account, _>(&state.pool, auth, id.into_inner(), if_match).await
}

/// List an account's team
#[utoipa::path(
    tag = "accounts",
    operation_id = "list_account_team",
    params(("id" = i64, Path, description = "Account id")),
    responses((status = 200, description = "The team, by name", body = TeamList)),
    extensions(("x-permission" = json!("accounts.read"))),
)]
#[get("/accounts/{id}/team")]
pub async fn team(
    state: web::Data<AppState>,
    auth: Authorized<perm::AccountsRead>,
    id: params::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let data = auth
        .run(&state.pool, move |conn, access| {
            service::team(conn, access.visibility(), id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(TeamList { data }))
}

/// Get one member of an account's team
#[utoipa::path(
    tag = "accounts",
    operation_id = "get_account_team_member",
    params(
        ("id" = i64, Path, description = "Account id"),
        ("staff_id" = i64, Path, description = "Staff id"),
    ),
    responses((status = 200, description = "The member", body = TeamMember)),
    extensions(("x-permission" = json!("accounts.read"))),
)]
#[get("/accounts/{id}/team/{staff_id}")]
pub async fn get_member(
    state: web::Data<AppState>,
    auth: Authorized<perm::AccountsRead>,
    path: params::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, staff_id) = path.into_inner();
    let member = auth
        .run(&state.pool, move |conn, access| {
            service::member(conn, access.visibility(), id, staff_id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(member))
}

/// Put a staff member on an account's team
///
/// Idempotent: 201 when the member is added, 200 when they were already on the team
/// (their `role_on_account` is updated if it differs). The staff member must be active.
#[utoipa::path(
    tag = "accounts",
    operation_id = "assign_account_team_member",
    params(
        ("id" = i64, Path, description = "Account id"),
        ("staff_id" = i64, Path, description = "Staff id"),
    ),
    request_body = TeamAssignment,
    responses(
        (status = 200, description = "Already on the team; role as given", body = TeamMember),
        (status = 201, description = "Added to the team", body = TeamMember),
    ),
    extensions(("x-permission" = json!("accounts.assign"))),
)]
#[put("/accounts/{id}/team/{staff_id}")]
pub async fn assign(
    state: web::Data<AppState>,
    auth: Authorized<perm::AccountsAssign>,
    path: params::Path<(i64, i64)>,
    ValidJson(input): ValidJson<TeamAssignment>,
) -> Result<HttpResponse, ApiError> {
    let (id, staff_id) = path.into_inner();
    let (member, added) = auth
        .run(&state.pool, move |conn, access| {
            let visibility = access.visibility();
            service::assign(conn, &access.caller, visibility, id, staff_id, input)
        })
        .await?;
    Ok(if added {
        HttpResponse::Created()
            .insert_header(("Location", format!("/api/v1/accounts/{id}/team/{staff_id}")))
            .json(member)
    } else {
        HttpResponse::Ok().json(member)
    })
}

/// Take a staff member off an account's team
#[utoipa::path(
    tag = "accounts",
    operation_id = "unassign_account_team_member",
    params(
        ("id" = i64, Path, description = "Account id"),
        ("staff_id" = i64, Path, description = "Staff id"),
    ),
    responses((status = 204, description = "Removed")),
    extensions(("x-permission" = json!("accounts.assign"))),
)]
#[delete("/accounts/{id}/team/{staff_id}")]
pub async fn unassign(
    state: web::Data<AppState>,
    auth: Authorized<perm::AccountsAssign>,
    path: params::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, staff_id) = path.into_inner();
    auth.run(&state.pool, move |conn, access| {
        service::unassign(conn, &access.caller, access.visibility(), id, staff_id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Import accounts
///
/// Creates and updates accounts in bulk, all or nothing: one bad line and nothing is
/// written. Each line is an account as `POST /accounts` takes it (the CSV columns are the
/// fields, as the `text/csv` export of `GET /accounts` writes them, a money amount as
/// `budget.amount_minor` and `budget.currency`), its client named by `client_id` or by
/// `client_external_ref`, and within reach as for a create (a client out of reach reads as
/// unknown). A line with an `id` updates
/// that account; otherwise a line whose `external_ref` an account has updates it;
/// otherwise it creates one. On an update a field the line leaves out stays as it is, and
/// the client stays the same. Every account created or updated gets its audit event. The
/// answer to a refused import lists the first 100 errors, each with its line, and counts
/// them all in `error_count`.
#[utoipa::path(
    tag = "imports",
    operation_id = "import_accounts",
    params(ImportParams),
    request_body(
        description = "CSV with a header row (UTF-8, with or without a BOM), or one JSON object per line",
        content(
            (String = "text/csv", example = "client_external_ref,name,budget.amount_minor,budget.currency,external_ref\nACC-0042,Acme Snacks,25000000,EUR,PRJ-7781\n"),
            (String = "application/x-ndjson", example = "{\"client_id\": 42, \"name\": \"Acme Snacks\", \"external_ref\": \"PRJ-7781\"}\n"),
        ),
    ),
    responses(ImportResponses),
    extensions(("x-permission" = json!("accounts.write"))),
)]
#[post("/imports/accounts")]
pub async fn import_all(
    state: web::Data<AppState>,
    auth: Authorized<perm::AccountsWrite>,
    body: ImportBody,
) -> Result<HttpResponse, ApiError> {
    let report = auth
        .run(&state.pool, move |conn, access| {
            bulk::run(conn, &body, AccountImport::new(&access))
        })
        .await?;
    Ok(HttpResponse::Ok().json(report))
}
