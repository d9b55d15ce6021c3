//! A payment's moves of its own: marked paid once approved, or cancelled before it is
//! paid. Each is one transaction and one conditional update: of concurrent attempts
//! exactly one finds the payment in a starting state.

use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::dto::{Payment, PaymentStatus, PaymentView};
use super::repo;
use super::service::external_ref_taken;
use crate::approval::{self, SubjectType};
use crate::audit::{self, Actor};
use crate::auth::{Caller, Visibility};
use crate::db::{self, DbConn};
use crate::error::{ApiError, ErrorCode};
use crate::resource;
use crate::rest::text::single_line;
use crate::time::{now, Timestamp};
use crate::versioned;

/// That the money moved, as the accounting system recorded it.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"paid_at": "2026-03-14T10:20:00Z", "external_ref": "INV-2026-0311"}))]
pub struct MarkPaid {
    /// When the money moved, RFC 3339; not in the future.
    #[schema(value_type = String, format = DateTime)]
    pub paid_at: Timestamp,
    /// The accounting system's id for the payment; unique. Up to 200 characters, one line.
    #[validate(length(min = 1, max = 200, message = "must be between 1 and 200 characters"), custom(function = single_line))]
    #[schema(min_length = 1, max_length = 200)]
    pub external_ref: String,
}

/// Why a payment is called off; the body may be left out.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "The client settled it directly with the supplier."}))]
pub struct PaymentCancel {
    /// Up to 2,000 characters; kept with the payment and its cancelled approval.
    #[validate(custom(function = approval::note))]
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
}

/// Marks an approved payment paid.
pub fn mark_paid(
    conn: &mut DbConn,
    caller: &Caller,
    visibility: Visibility,
    id: i64,
    input: MarkPaid,
) -> Result<PaymentView, ApiError> {
    let at = now();
    let Timestamp(paid_at) = input.paid_at;
    if paid_at > at {
        return Err(ApiError::invalid(
            "paid_at",
            ErrorCode::Range,
            "must not be in the future",
        ));
    }
    let payment = db::write_tx(conn, |conn| {
        let before = resource::find_for_change::<Payment>(conn, id, visibility)?;
        if before.status != PaymentStatus::Approved {
            return Err(wrong_state(
                &before,
                "only an approved payment can be marked paid",
            ));
        }
        let after = Payment {
            status: PaymentStatus::Paid,
            paid_at: Some(paid_at),
            external_ref: Some(input.external_ref.trim().to_owned()),
            ..before.clone()
        };
        write(conn, &Actor::from(caller), "mark_paid", &before, &after)
    })?;
    resource::view(conn, caller, Visibility::All, payment)
}

/// Cancels a payment awaiting approval or approved, and with it its open approval.
pub fn cancel(
    conn: &mut DbConn,
    caller: &Caller,
    visibility: Visibility,
    id: i64,
    input: PaymentCancel,
) -> Result<PaymentView, ApiError> {
    let at = now();
    let actor = Actor::from(caller);
    let reason = input.reason.map(|r| r.trim().to_owned());
    let payment = db::write_tx(conn, |conn| {
        let before = resource::find_for_change::<Payment>(conn, id, visibility)?;
        if !before.status.cancellable() {
            return Err(wrong_state(
                &before,
                "only a payment awaiting approval or approved can be cancelled",
            ));
        }
        let why = reason
            .clone()
            .unwrap_or_else(|| format!("payment {id} was cancelled"));
        approval::cancel_open(conn, &actor, SubjectType::Payment, id, &why, at)?;
        let after = Payment {
            status: PaymentStatus::Cancelled,
            cancel_reason: reason.clone(),
            ..before.clone()
        };
        write(conn, &actor, "cancel", &before, &after)
    })?;
    resource::view(conn, caller, Visibility::All, payment)
}

/// The 409 of a move from a state it cannot start from, naming the state.
fn wrong_state(payment: &Payment, rule: &str) -> ApiError {
    ApiError::conflict(format!(
        "payment {} is {}; {rule}",
        payment.id,
        payment.status.as_str()
    ))
}

/// The conditional write of a payment read for change and its audit event
/// `payments.<verb>`.
fn write(
    conn: &mut DbConn,
    actor: &Actor,
    verb: &str,
    before: &Payment,
    after: &Payment,
) -> Result<Payment, ApiError> {
    let what = resource::what::<Payment>(before.id);
    let written = repo::set_state(conn, after, now()).map_err(external_ref_taken)?;
    let updated = versioned::written(&what, written)?;
    audit::write(
        conn,
        actor,
        verb,
        updated.subject(),
        Some(before),
        Some(&updated),
    )?;
    Ok(updated)
}
