use actix_web::{delete, get, patch, post, web, HttpResponse};

use super::dto::{
    Contract, ContractCreate, ContractFilter, ContractPage, ContractSort, ContractUpdate,
    ContractView,
};
use super::import::ContractImport;
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

/// List contracts
///
/// Cursor-paginated; filters combine with AND. With `contracts.read` in scope
/// `assigned`, only the contracts of accounts the caller manages or is on the team of,
/// and the client-wide contracts of those accounts' clients. The renewal pipeline, what
/// to review every week: `?notice_before=2026-12-31&sort=notice_deadline` (active
/// contracts whose notice deadline falls before the date and that no active renewal
/// replaces), or `?lifecycle=in_notice&sort=notice_deadline`. Ordered by
/// `notice_deadline` or `end_date`, the list holds only the contracts that have one.
#[utoipa::path(
    tag = "contracts",
    operation_id = "list_contracts",
    params(ListQuery<ContractFilter, ContractSort>),
    responses(
        (status = 200, description = "One page of contracts", body = ContractPage),
    ),
    extensions(("x-permission" = json!("contracts.read"))),
)]
#[get("/contracts")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Authorized<perm::ContractsRead>,
    query: ListQuery<ContractFilter, ContractSort>,
) -> Result<HttpResponse, ApiError> {
    resource::list::<Contract, _>(&state.pool, auth, query).await
}

/// Get a contract
///
/// `lifecycle` and `notice_deadline` are derived from the contract's own dates, as of
/// today (UTC).
#[utoipa::path(
    tag = "contracts",
    operation_id = "get_contract",
    params(("id" = i64, Path, description = "Contract id")),
    responses((status = 200, description = "The contract", body = ContractView)),
    extensions(("x-permission" = json!("contracts.read"))),
)]
#[get("/contracts/{id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    auth: Authorized<perm::ContractsRead>,
    id: params::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    resource::get::<Contract, _>(&state.pool, auth, id.into_inner()).await
}

/// Create a contract
///
/// A draft with a client within the caller's reach, for one of its accounts or for the
/// client as a whole (any other `client_id` or `account_id` is answered as unknown). The
/// end date must not come before the start; only a framework may leave it out.
#[utoipa::path(
    tag = "contracts",
    operation_id = "create_contract",
    request_body = ContractCreate,
    responses(
        (status = 201, description = "Created, in draft", body = ContractView),
        (status = 409, description = "Another contract has this external_ref", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("contracts.write"))),
)]
#[post("/contracts")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Authorized<perm::ContractsWrite>,
    ValidJson(input): ValidJson<ContractCreate>,
) -> Result<HttpResponse, ApiError> {
    let contract = auth
        .run(&state.pool, move |conn, access| {
            service::create(conn, &access.caller, access.visibility(), input)
        })
        .await?;
    Ok(record::created(
        format!("/api/v1/contracts/{}", contract.contract.id),
        &contract,
    ))
}

/// Import contracts
///
/// Creates and edits contracts in bulk, all or nothing: one bad line and nothing is
/// written. Each line is a contract as `POST /contracts` takes it (the client named by
/// `client_id` or `client_external_ref`, the account by `account_id` or
/// `account_external_ref`), with every rule of it. A line with an `id`, or else with the
/// `external_ref` of a contract within reach, is about that contract: as it is, it is
/// counted unchanged; otherwise it is edited as `PATCH /contracts/{id}` edits it, which
/// only a draft allows, and never moved to another client or account. Any other line
/// creates a draft. The columns an export writes that a create does not take (`status`,
/// `notice_deadline`, `approval_id`…) are read past, so an export sent back is
/// unchanged. The answer to a refused import lists the first 100 errors, each with its
/// line, and counts them all in `error_count`.
#[utoipa::path(
    tag = "imports",
    operation_id = "import_contracts",
    params(ImportParams),
    request_body(
        description = "CSV with a header row (UTF-8, with or without a BOM), or one JSON object per line",
        content(
            (String = "text/csv", example = "client_external_ref,account_external_ref,title,kind,start_date,end_date,value.amount_minor,value.currency,auto_renew,notice_days,renewal_term_months,external_ref\nCRM-0042,ACC-0042,Acme retainer 2026,retainer,2026-01-01,2026-12-31,24000000,EUR,true,90,12,SF-000123\n"),
            (String = "application/x-ndjson", example = "{\"client_id\": 42, \"account_id\": 12, \"title\": \"Acme retainer 2026\", \"kind\": \"retainer\", \"start_date\": \"2026-01-01\", \"end_date\": \"2026-12-31\", \"value\": {\"amount_minor\": 24000000, \"currency\": \"EUR\"}, \"external_ref\": \"SF-000123\"}\n"),
        ),
    ),
    responses(ImportResponses),
    extensions(("x-permission" = json!("contracts.write"))),
)]
#[post("/imports/contracts")]
pub async fn import_all(
    state: web::Data<AppState>,
    auth: Authorized<perm::ContractsWrite>,
    body: ImportBody,
) -> Result<HttpResponse, ApiError> {
    let report = auth
        .run(&state.pool, move |conn, access| {
            bulk::run(conn, &body, bulk::OneByOne(ContractImport::new(&access)))
        })
        .await?;
    Ok(HttpResponse::Ok().json(report))
}

/// Update a contract
///
/// A JSON merge patch: absent fields stay, `null` clears. Only in `draft`: once
/// submitted, the contract is what gets approved.
#[utoipa::path(
    tag = "contracts",
    operation_id = "update_contract",
    params(
        ("id" = i64, Path, description = "Contract id"),
        IfMatch,
    ),
    request_body = ContractUpdate,
    responses(
        (status = 200, description = "The updated contract", body = ContractView),
        (status = 409, description = "The contract is not a draft, or another contract has this external_ref", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("contracts.write"))),
)]
#[patch("/contracts/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Authorized<perm::ContractsWrite>,
    id: params::Path<i64>,
    if_match: IfMatch,
    ValidJson(patch): ValidJson<ContractUpdate>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    resource::update::<Contract, _>(&state.pool, auth, id, if_match, "update", patch).await
}

/// Delete a contract
///
/// Only a draft that no other contract renews.
#[utoipa::path(
    tag = "contracts",
    operation_id = "delete_contract",
    params(
        ("id" = i64, Path, description = "Contract id"),
        IfMatch,
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "The contract is not a draft, or another contract renews it", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("contracts.write"))),
)]
#[delete("/contracts/{id}")]
pub async fn delete(
    state: web::Data<AppState>,
    auth: Authorized<perm::ContractsWrite>,
    id: params::Path<i64>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    resource::delete::<Contract, _>(&state.pool, auth, id.into_inner(), if_match).await
}
