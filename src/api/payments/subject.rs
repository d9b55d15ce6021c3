//! What an approval does to a payment: once the approval closes, in the transaction of
//! the decision (or cancellation) that closed it, the payment moves with it, with its own
//! audit event.

use chrono::NaiveDateTime;

use super::dto::{Payment, PaymentStatus};
use super::repo;
use crate::approval::{Approval, ApprovalStatus, StageKind};
use crate::audit::{self, Actor};
use crate::auth::Visibility;
use crate::db::DbConn;
use crate::error::ApiError;

/// Moves the payment of a closed approval: `approved` (approved by whoever made its last
/// internal decision), `rejected` (rejected, or changes requested: a payment is not
/// edited, so it is asked for anew), or `cancelled`.
pub fn settle(
    conn: &mut DbConn,
    actor: &Actor,
    approval: &Approval,
    at: NaiveDateTime,
) -> Result<(), ApiError> {
    let (status, verb) = match approval.status {
        ApprovalStatus::Approved => (PaymentStatus::Approved, "approve"),
        ApprovalStatus::Rejected | ApprovalStatus::ChangesRequested => {
            (PaymentStatus::Rejected, "reject")
        }
        ApprovalStatus::Cancelled => (PaymentStatus::Cancelled, "cancel"),
        ApprovalStatus::Pending => return Ok(()),
    };
    let before = repo::find(conn, approval.subject_id, Visibility::All)?
        .ok_or_else(|| ApiError::internal(format!("approval {} has no payment", approval.id)))?;
    // A payment cancelled first cancels its approval; it stays as it is.
    if before.status != PaymentStatus::PendingApproval || before.approval_id != Some(approval.id) {
        return Ok(());
    }
    let approved_by = (status == PaymentStatus::Approved)
        .then(|| last_internal_decider(approval))
        .flatten();
    let after = Payment {
        status,
        approved_by,
        cancel_reason: approval.cancel_reason.clone(),
        ..before.clone()
    };
    let updated = repo::set_state(conn, &after, at)?
        .ok_or_else(|| ApiError::conflict(format!("payment {} changed meanwhile", before.id)))?;
    audit::write(
        conn,
        actor,
        verb,
        updated.subject(),
        Some(&before),
        Some(&updated),
    )?;
    Ok(())
}

/// The member of staff whose decision on an internal stage came last.
fn last_internal_decider(approval: &Approval) -> Option<i64> {
    approval
        .stages
        .iter()
        .filter(|stage| stage.kind == StageKind::Internal)
        .flat_map(|stage| &stage.decisions)
        .max_by_key(|decision| (decision.decided_at, decision.id))
        .map(|decision| decision.decided_by)
}
