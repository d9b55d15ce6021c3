use actix_web::{get, post, web, HttpResponse};

use super::dto::{
    ApprovalCancel, ApprovalCreate, ApprovalFilter, ApprovalPage, ApprovalSort, ApprovalView,
    ClientDecisionCreate, DecisionCreate, QueueFilter,
};
use super::service::{self, DecisionInput};
use crate::approval::{Approval, StageKind};
use crate::auth::{perm, Authorized};
use crate::error::{ApiError, Problem};
use crate::resource;
use crate::rest::body::{OptionalJson, ValidJson};
use crate::rest::list::ListQuery;
use crate::rest::{params, record};
use crate::AppState;

/// List approvals
///
/// Cursor-paginated; filters combine with AND. With `approvals.request` in scope
/// `assigned`, only approvals on the caller's accounts. What is late:
/// `?status=pending&overdue=true`.
#[utoipa::path(
    tag = "approvals",
    operation_id = "list_approvals",
    params(ListQuery<ApprovalFilter, ApprovalSort>),
    responses((status = 200, description = "One page of approvals", body = ApprovalPage)),
    extensions(("x-permission" = json!("approvals.request"))),
)]
#[get("/approvals")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Authorized<perm::ApprovalsRequest>,
    query: ListQuery<ApprovalFilter, ApprovalSort>,
) -> Result<HttpResponse, ApiError> {
    resource::list::<Approval, _>(&state.pool, auth, query).await
}

/// Get an approval
///
/// With its stages and every decision made on them.
#[utoipa::path(
    tag = "approvals",
    operation_id = "get_approval",
    params(("id" = i64, Path, description = "Approval id")),
    responses((status = 200, description = "The approval", body = ApprovalView)),
    extensions(("x-permission" = json!("approvals.request"))),
)]
#[get("/approvals/{id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    auth: Authorized<perm::ApprovalsRequest>,
    id: params::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    resource::get::<Approval, _>(&state.pool, auth, id.into_inner()).await
}

/// Ask for an approval
///
/// On a subject within the caller's reach that has no open approval: a creative round
/// that was presented. Without `stages`, the subject type's policy
/// (`GET /approval-policies/{subject_type}`). A brief's approval is opened by
/// `POST /briefs/{id}/submit`.
#[utoipa::path(
    tag = "approvals",
    operation_id = "create_approval",
    request_body = ApprovalCreate,
    responses(
        (status = 201, description = "The approval, its first stage open", body = ApprovalView),
        (status = 409, description = "The subject has an open approval, or is not awaiting one", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("approvals.request"))),
)]
#[post("/approvals")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Authorized<perm::ApprovalsRequest>,
    ValidJson(input): ValidJson<ApprovalCreate>,
) -> Result<HttpResponse, ApiError> {
    let approval = auth
        .run(&state.pool, move |conn, access| {
            service::create(conn, &access.caller, access.visibility(), input)
        })
        .await?;
    Ok(record::created(
        format!("/api/v1/approvals/{}", approval.approval.id),
        &approval,
    ))
}

/// Decide the open internal stage
///
/// `approved` opens the next stage, or approves the subject after the last one;
/// `changes_requested` and `rejected` (each with a note) end the approval and move the
/// subject in the same request. A decision names the subject version it saw and is
/// final; of concurrent decisions on one stage exactly one is taken. Nobody decides an
/// approval they asked for, or on a subject they wrote.
#[utoipa::path(
    tag = "approvals",
    operation_id = "decide_approval",
    params(("id" = i64, Path, description = "Approval id")),
    request_body = DecisionCreate,
    responses(
        (status = 200, description = "The approval after the decision", body = ApprovalView),
        (status = 403, description = "The caller lacks approvals.decide, asked for this approval or wrote its subject (four-eyes rule), or is not among the stage's deciders", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The approval is closed, its open stage is a client stage, the decision names a stale subject version, or the stage was decided meanwhile", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("approvals.decide"))),
)]
#[post("/approvals/{id}/decisions")]
pub async fn decide(
    state: web::Data<AppState>,
    auth: Authorized<perm::ApprovalsDecide>,
    id: params::Path<i64>,
    ValidJson(body): ValidJson<DecisionCreate>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let input = DecisionInput {
        decision: body.decision,
        note: body.note,
        subject_version: body.subject_version,
        client_person: None,
    };
    let approval = auth
        .run(&state.pool, move |conn, access| {
            let visibility = access.visibility();
            service::decide(
                conn,
                &access.caller,
                visibility,
                id,
                StageKind::Internal,
                input,
            )
        })
        .await?;
    Ok(record::ok(&approval))
}

/// Record the client's decision on the open client stage
///
/// The member of staff who brought back the client's word records it, with the client
/// person's name. As for internal decisions: a note for `changes_requested` and
/// `rejected`, the subject version the client saw, final once recorded.
#[utoipa::path(
    tag = "approvals",
    operation_id = "record_client_decision",
    params(("id" = i64, Path, description = "Approval id")),
    request_body = ClientDecisionCreate,
    responses(
        (status = 200, description = "The approval after the decision", body = ApprovalView),
        (status = 409, description = "The approval is closed, its open stage is internal, the decision names a stale subject version, or the stage was decided meanwhile", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("approvals.request"))),
)]
#[post("/approvals/{id}/client-decisions")]
pub async fn record_client_decision(
    state: web::Data<AppState>,
    auth: Authorized<perm::ApprovalsRequest>,
    id: params::Path<i64>,
    ValidJson(body): ValidJson<ClientDecisionCreate>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let input = DecisionInput {
        decision: body.decision,
        note: body.note,
        subject_version: body.subject_version,
        client_person: Some((body.client_person.name, body.client_person.email)),
    };
    let approval = auth
        .run(&state.pool, move |conn, access| {
            let visibility = access.visibility();
            service::decide(
                conn,
                &access.caller,
                visibility,
                id,
                StageKind::Client,
                input,
            )
        })
        .await?;
    Ok(record::ok(&approval))
}

/// Cancel an approval
///
/// Only while pending. The subject goes back to before the approval was asked for: a
/// brief to `draft`, a round to awaiting an approval. The body (a `reason`) may be left
/// out.
#[utoipa::path(
    tag = "approvals",
    operation_id = "cancel_approval",
    params(("id" = i64, Path, description = "Approval id")),
    request_body(content = Option<ApprovalCancel>, description = "Why; may be left out"),
    responses(
        (status = 200, description = "The cancelled approval", body = ApprovalView),
        (status = 409, description = "The approval is not pending", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("approvals.request"))),
)]
#[post("/approvals/{id}/cancel")]
pub async fn cancel(
    state: web::Data<AppState>,
    auth: Authorized<perm::ApprovalsRequest>,
    id: params::Path<i64>,
    OptionalJson(body): OptionalJson<ApprovalCancel>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let approval = auth
        .run(&state.pool, move |conn, access| {
            service::cancel(conn, &access.caller, access.visibility(), id, body.reason)
        })
        .await?;
    Ok(record::ok(&approval))
}

/// My approval queue
///
/// The pending approvals whose open stage the caller may act on now: internal stages
/// they may decide (holding `approvals.decide` in scope, named among the deciders if any
/// are named, not yet decided by them, not their own request or subject) and client
/// stages whose decision they may record. Oldest first; `?overdue=true` for what is late.
#[utoipa::path(
    tag = "approvals",
    operation_id = "my_approvals",
    params(ListQuery<QueueFilter, ApprovalSort>),
    responses((status = 200, description = "One page of the caller's queue", body = ApprovalPage)),
    extensions(("x-permission" = json!("approvals.request"))),
)]
#[get("/me/approvals")]
pub async fn queue(
    state: web::Data<AppState>,
    auth: Authorized<perm::ApprovalsRequest>,
    query: ListQuery<QueueFilter, ApprovalSort>,
) -> Result<HttpResponse, ApiError> {
    resource::serve_list(
        &state.pool,
        auth,
        query,
        |conn, access, query| service::queue(conn, &access.caller, access.visibility(), query),
        |conn, access, rows| resource::views(conn, &access.caller, access.visibility(), rows),
    )
    .await
}
