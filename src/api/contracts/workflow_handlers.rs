use actix_web::{post, web, HttpResponse};

use super::dto::{ContractRenewal, ContractTermination, ContractView};
use super::workflow;
use crate::approval::Submission;
use crate::auth::{perm, Authorized};
use crate::error::{ApiError, Problem};
use crate::rest::body::{OptionalJson, ValidJson};
use crate::rest::{params, record};
use crate::AppState;

/// Submit a contract for approval
///
/// From `draft`. Opens its approval (the `contract` policy's stages — by default the
/// account manager, then the client — unless the body gives them) in one transaction;
/// the contract is then `pending_approval`, shows the approval's id, and cannot be
/// edited. Approved, it becomes `active` (and the contract it renews `superseded`);
/// rejected, sent back for changes or cancelled, it returns to `draft`. A client-wide
/// contract files its approval under the client's first account. Of concurrent submits
/// exactly one succeeds. The body may be left out.
#[utoipa::path(
    tag = "contracts",
    operation_id = "submit_contract",
    params(("id" = i64, Path, description = "Contract id")),
    request_body(content = Option<Submission>, description = "The approval's stages, due date and note; may be left out"),
    responses(
        (status = 200, description = "The submitted contract", body = ContractView),
        (status = 409, description = "The contract is not a draft, or its client has no account", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("contracts.write"))),
)]
#[post("/contracts/{id}/submit")]
pub async fn submit(
    state: web::Data<AppState>,
    auth: Authorized<perm::ContractsWrite>,
    id: params::Path<i64>,
    OptionalJson(body): OptionalJson<Submission>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let contract = auth
        .run(&state.pool, move |conn, access| {
            workflow::submit(conn, &access.caller, access.visibility(), id, body)
        })
        .await?;
    Ok(record::ok(&contract))
}

/// Renew a contract
///
/// From `active`, for a contract with an end date. Creates its successor in `draft`:
/// starting the day after it ends, running `renewal_term_months` (or as long as it did),
/// with its value, kind, terms, client and account copied and `renewal_of` set; the body
/// may change the title, value and end date. Submit the successor for approval: once it
/// is active, this contract is `superseded`. One open successor (draft, pending approval
/// or active) per contract: of concurrent renewals exactly one succeeds.
#[utoipa::path(
    tag = "contracts",
    operation_id = "renew_contract",
    params(("id" = i64, Path, description = "Contract id")),
    request_body(content = Option<ContractRenewal>, description = "What the successor changes of what it copies; may be left out"),
    responses(
        (status = 201, description = "The successor, in draft", body = ContractView),
        (status = 409, description = "The contract is not active, has no end date, or already has an open successor", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("contracts.renew"))),
)]
#[post("/contracts/{id}/renew")]
pub async fn renew(
    state: web::Data<AppState>,
    auth: Authorized<perm::ContractsRenew>,
    id: params::Path<i64>,
    OptionalJson(body): OptionalJson<ContractRenewal>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let successor = auth
        .run(&state.pool, move |conn, access| {
            workflow::renew(conn, &access.caller, access.visibility(), id, body)
        })
        .await?;
    Ok(record::created(
        format!("/api/v1/contracts/{}", successor.contract.id),
        &successor,
    ))
}

/// Terminate a contract
///
/// From `active`, on a day on or after its start, for a reason. Of concurrent
/// terminations exactly one succeeds; the others get 409 naming the state.
#[utoipa::path(
    tag = "contracts",
    operation_id = "terminate_contract",
    params(("id" = i64, Path, description = "Contract id")),
    request_body = ContractTermination,
    responses(
        (status = 200, description = "The terminated contract", body = ContractView),
        (status = 409, description = "The contract is not active", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("contracts.write"))),
)]
#[post("/contracts/{id}/terminate")]
pub async fn terminate(
    state: web::Data<AppState>,
    auth: Authorized<perm::ContractsWrite>,
    id: params::Path<i64>,
    ValidJson(body): ValidJson<ContractTermination>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let contract = auth
        .run(&state.pool, move |conn, access| {
            workflow::terminate(conn, &access.caller, access.visibility(), id, body)
        })
        .await?;
    Ok(record::ok(&contract))
}
