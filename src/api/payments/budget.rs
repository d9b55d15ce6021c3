//! `GET /accounts/{id}/budget`: an account's budget against the sums of its payments.
//! The same figures decide, inside a payment's request, whether it goes beyond what
//! remains (and so needs a director stage).

use actix_web::{get, web, HttpResponse};
use chrono::NaiveDateTime;
use serde::Serialize;
use utoipa::ToSchema;

use super::dto::{PaymentDirection, PaymentStatus};
use super::repo;
use crate::api::accounts::dto::Account;
use crate::api::accounts::repo as accounts;
use crate::auth::{perm, Authorized};
use crate::db::DbConn;
use crate::error::ApiError;
use crate::money::Money;
use crate::rest::params;
use crate::time::{now, rfc3339};
use crate::AppState;

/// An account's budget for the current period and where its payments stand against it.
/// Every figure is in the budget's currency and counts the payments in it. An account
/// without a budget has nothing to measure against: every figure is `null`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({
    "account_id": 12,
    "budget": {"amount_minor": 25000000, "currency": "EUR"},
    "pending": {"amount_minor": 750000, "currency": "EUR"},
    "committed": {"amount_minor": 1200000, "currency": "EUR"},
    "spent": {"amount_minor": 8000000, "currency": "EUR"},
    "received": {"amount_minor": 5000000, "currency": "EUR"},
    "remaining": {"amount_minor": 15800000, "currency": "EUR"},
    "as_of": "2026-02-02T15:30:00Z"
}))]
pub struct Budget {
    pub account_id: i64,
    /// The account's budget for the current period.
    pub budget: Option<Money>,
    /// Outgoing payments awaiting approval: not yet counted against the budget.
    pub pending: Option<Money>,
    /// Outgoing payments approved and not yet paid.
    pub committed: Option<Money>,
    /// Outgoing payments paid.
    pub spent: Option<Money>,
    /// Incoming payments paid (money received from the client).
    pub received: Option<Money>,
    /// `budget − committed − spent`; negative when payments beyond it were approved
    /// (each of which needed a director's approval).
    pub remaining: Option<Money>,
    /// When the figures were read.
    #[serde(serialize_with = "rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub as_of: NaiveDateTime,
}

impl Budget {
    /// What remains of the budget, in minor units, if the account has one.
    pub fn remaining_minor(&self) -> Option<i64> {
        self.remaining.as_ref().map(|m| m.amount_minor)
    }
}

/// The account's figures, read in one query (within the caller's transaction when there
/// is one). Exact integer arithmetic; a sum beyond what an i64 holds is an error, never
/// a wrapped number.
pub fn figures(conn: &mut DbConn, account: &Account) -> Result<Budget, ApiError> {
    let as_of = now();
    let Some(budget) = account.budget.clone() else {
        return Ok(Budget {
            account_id: account.id,
            budget: None,
            pending: None,
            committed: None,
            spent: None,
            received: None,
            remaining: None,
            as_of,
        });
    };
    let (mut pending, mut committed, mut spent, mut received) = (0i64, 0i64, 0i64, 0i64);
    for (status, direction, sum) in repo::sums(conn, account.id, &budget.currency)? {
        let outgoing = direction == PaymentDirection::Outgoing.as_str();
        let slot = match PaymentStatus::try_from(status) {
            Ok(PaymentStatus::PendingApproval) if outgoing => &mut pending,
            Ok(PaymentStatus::Approved) if outgoing => &mut committed,
            Ok(PaymentStatus::Paid) if outgoing => &mut spent,
            Ok(PaymentStatus::Paid) => &mut received,
            _ => continue,
        };
        *slot = sum;
    }
    let remaining = i128::from(budget.amount_minor) - i128::from(committed) - i128::from(spent);
    let remaining = i64::try_from(remaining).map_err(|_| {
        ApiError::internal(format!(
            "account {}'s remaining budget is beyond what can be counted",
            account.id
        ))
    })?;
    let money = |amount_minor: i64| {
        Some(Money {
            amount_minor,
            currency: budget.currency.clone(),
        })
    };
    Ok(Budget {
        account_id: account.id,
        pending: money(pending),
        committed: money(committed),
        spent: money(spent),
        received: money(received),
        remaining: money(remaining),
        budget: Some(budget),
        as_of,
    })
}

/// Read an account's budget
///
/// The account's budget for the current period against its payments: `pending` (outgoing,
/// awaiting approval), `committed` (outgoing, approved, not yet paid), `spent` (outgoing,
/// paid), `received` (incoming, paid) and `remaining` = budget − committed − spent, each
/// in the budget's currency, exact to the minor unit. An account without a budget answers
/// with every figure `null`. An account outside the caller's reach is not found.
#[utoipa::path(
    tag = "payments",
    operation_id = "get_account_budget",
    params(("id" = i64, Path, description = "Account id")),
    responses((status = 200, description = "The account's budget and its payments' sums", body = Budget)),
    extensions(("x-permission" = json!("payments.read"))),
)]
#[get("/accounts/{id}/budget")]
pub async fn get_budget(
    state: web::Data<AppState>,
    auth: Authorized<perm::PaymentsRead>,
    id: params::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let budget = auth
        .run(&state.pool, move |conn, access| {
            let account = accounts::find(conn, id, access.visibility())?
                .ok_or_else(|| ApiError::not_found(&format!("account {id}")))?;
            figures(conn, &account)
        })
        .await?;
    Ok(HttpResponse::Ok().json(budget))
}
