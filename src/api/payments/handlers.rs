use actix_web::{get, post, web, HttpResponse};

use super::dto::{Payment, PaymentCreate, PaymentFilter, PaymentPage, PaymentSort, PaymentView};
use super::import::PaymentImport;
use super::service;
use crate::auth::{perm, Authorized};
use crate::error::{ApiError, Problem};
use crate::import::{self as bulk, ImportBody, ImportParams, ImportResponses};
use crate::resource;
use crate::rest::body::ValidJson;
use crate::rest::list::ListQuery;
use crate::rest::{params, record};
use crate::AppState;

/// List payments
///
/// Cursor-paginated; filters combine with AND. With `payments.read` in scope `assigned`,
/// only the payments of accounts the caller manages or is on the team of. What the
/// clients owe past its date: `?overdue=true`.
#[utoipa::path(
    tag = "payments",
    operation_id = "list_payments",
    params(ListQuery<PaymentFilter, PaymentSort>),
    responses(
        (status = 200, description = "One page of payments", body = PaymentPage),
    ),
    extensions(("x-permission" = json!("payments.read"))),
)]
#[get("/payments")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Authorized<perm::PaymentsRead>,
    query: ListQuery<PaymentFilter, PaymentSort>,
) -> Result<HttpResponse, ApiError> {
    resource::list::<Payment, _>(&state.pool, auth, query).await
}

/// Get a payment
#[utoipa::path(
    tag = "payments",
    operation_id = "get_payment",
    params(("id" = i64, Path, description = "Payment id")),
    responses((status = 200, description = "The payment", body = PaymentView)),
    extensions(("x-permission" = json!("payments.read"))),
)]
#[get("/payments/{id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    auth: Authorized<perm::PaymentsRead>,
    id: params::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    resource::get::<Payment, _>(&state.pool, auth, id.into_inner()).await
}

/// Request a payment
///
/// On an account within the caller's reach (`payments.request` in scope `assigned`: an
/// account they manage or are on the team of; any other `account_id` is answered as
/// unknown) that has a budget, in the budget's currency; the amount more than zero. Its
/// approval opens at once (subject `payment`; the `payment` policy's stages unless the
/// body gives them): the payment is `pending_approval` and shows the approval's id. An
/// amount above the account's payment approval threshold or, outgoing, beyond what
/// remains of its budget adds a director stage, which the request's own stages cannot
/// leave out. The caller may not decide its approval (four-eyes rule). Nothing is written
/// unless all of it is.
#[utoipa::path(
    tag = "payments",
    operation_id = "create_payment",
    request_body = PaymentCreate,
    responses(
        (status = 201, description = "Requested, its approval opened", body = PaymentView),
        (status = 409, description = "A payment with this external_ref exists", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("payments.request"))),
)]
#[post("/payments")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Authorized<perm::PaymentsRequest>,
    ValidJson(input): ValidJson<PaymentCreate>,
) -> Result<HttpResponse, ApiError> {
    let payment = auth
        .run(&state.pool, move |conn, access| {
            service::create(conn, &access.caller, access.visibility(), input)
        })
        .await?;
    Ok(record::created(
        format!("/api/v1/payments/{}", payment.payment.id),
        &payment,
    ))
}

/// Import payment requests
///
/// Requests payments in bulk, all or nothing: one bad line and nothing is written. Each
/// line is a payment as `POST /payments` takes it (the account named by `account_id` or
/// `account_external_ref`), and opens its approval as that request does, with every
/// rule of it. A payment is never edited: a line that names one already there (by `id`,
/// or by its `external_ref`) must say what it says, and is then counted unchanged —
/// so an import retried after a failure requests nothing twice. The answer to a refused
/// import lists the first 100 errors, each with its line, and counts them all in
/// `error_count`.
#[utoipa::path(
    tag = "imports",
    operation_id = "import_payments",
    params(ImportParams),
    request_body(
        description = "CSV with a header row (UTF-8, with or without a BOM), or one JSON object per line",
        content(
            (String = "text/csv", example = "account_external_ref,direction,amount.amount_minor,amount.currency,description,external_ref\nACC-0042,outgoing,750000,EUR,Media buy,INV-2026-0117\n"),
            (String = "application/x-ndjson", example = "{\"account_id\": 12, \"direction\": \"outgoing\", \"amount\": {\"amount_minor\": 750000, \"currency\": \"EUR\"}, \"description\": \"Media buy\"}\n"),
        ),
    ),
    responses(ImportResponses),
    extensions(("x-permission" = json!("payments.request"))),
)]
#[post("/imports/payments")]
pub async fn import_all(
    state: web::Data<AppState>,
    auth: Authorized<perm::PaymentsRequest>,
    body: ImportBody,
) -> Result<HttpResponse, ApiError> {
    let report = auth
        .run(&state.pool, move |conn, access| {
            bulk::run(conn, &body, bulk::OneByOne(PaymentImport::new(&access)))
        })
        .await?;
    Ok(HttpResponse::Ok().json(report))
}
