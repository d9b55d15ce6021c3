use actix_web::{post, web, HttpResponse};

use super::workflow::{self, MarkPaid, PaymentCancel};
use crate::auth::{perm, Authorized};
use crate::error::{ApiError, Problem};
use crate::rest::body::{OptionalJson, ValidJson};
use crate::rest::{params, record};
use crate::AppState;

use super::dto::PaymentView;

/// Mark a payment paid
///
/// Records that the money moved: only from `approved` (a payment is never paid before
/// its approval), with when (`paid_at`, not in the future) and the accounting system's id
/// (`external_ref`, unique). Recording it is the approver's act, or the accounting
/// integration's: it needs `payments.approve`. Of concurrent attempts exactly one
/// succeeds; the others get 409 naming the state the payment is in.
#[utoipa::path(
    tag = "payments",
    operation_id = "mark_payment_paid",
    params(("id" = i64, Path, description = "Payment id")),
    request_body = MarkPaid,
    responses(
        (status = 200, description = "The payment, paid", body = PaymentView),
        (status = 409, description = "The payment is not approved, or the external_ref is taken", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("payments.approve"))),
)]
#[post("/payments/{id}/mark-paid")]
pub async fn mark_paid(
    state: web::Data<AppState>,
    auth: Authorized<perm::PaymentsApprove>,
    id: params::Path<i64>,
    ValidJson(body): ValidJson<MarkPaid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let payment = auth
        .run(&state.pool, move |conn, access| {
            workflow::mark_paid(conn, &access.caller, access.visibility(), id, body)
        })
        .await?;
    Ok(record::ok(&payment))
}

/// Cancel a payment
///
/// From `pending_approval` or `approved`, never once paid; its open approval is
/// cancelled with it, with the reason. Money records are cancelled, not deleted. Of
/// concurrent cancels exactly one succeeds; the others get 409 naming the state the
/// payment is in. The body may be left out.
#[utoipa::path(
    tag = "payments",
    operation_id = "cancel_payment",
    params(("id" = i64, Path, description = "Payment id")),
    request_body(content = Option<PaymentCancel>, description = "Why; may be left out"),
    responses(
        (status = 200, description = "The cancelled payment", body = PaymentView),
        (status = 409, description = "The payment is paid, rejected or cancelled", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("payments.request"))),
)]
#[post("/payments/{id}/cancel")]
pub async fn cancel(
    state: web::Data<AppState>,
    auth: Authorized<perm::PaymentsRequest>,
    id: params::Path<i64>,
    OptionalJson(body): OptionalJson<PaymentCancel>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let payment = auth
        .run(&state.pool, move |conn, access| {
            workflow::cancel(conn, &access.caller, access.visibility(), id, body)
        })
        .await?;
    Ok(record::ok(&payment))
}
