//! What a closed approval does to its contract, in the transaction of the decision that
//! closed it, with the contract's own audit event: approved → `active` (and the contract
//! it renews, if still active, `superseded`); otherwise back to `draft`.

use chrono::NaiveDateTime;

use super::dto::{Contract, ContractStatus};
use super::repo;
use super::workflow::write_at;
use crate::approval::{Approval, ApprovalStatus};
use crate::audit::Actor;
use crate::auth::Visibility;
use crate::db::DbConn;
use crate::error::ApiError;

pub fn settle(
    conn: &mut DbConn,
    actor: &Actor,
    approval: &Approval,
    at: NaiveDateTime,
) -> Result<(), ApiError> {
    let (status, verb) = match approval.status {
        ApprovalStatus::Approved => (ContractStatus::Active, "activate"),
        ApprovalStatus::ChangesRequested => (ContractStatus::Draft, "request_changes"),
        ApprovalStatus::Rejected => (ContractStatus::Draft, "reject"),
        ApprovalStatus::Cancelled => (ContractStatus::Draft, "withdraw"),
        ApprovalStatus::Pending => return Ok(()),
    };
    let before = find(conn, approval.subject_id)?;
    if before.status != ContractStatus::PendingApproval || before.approval_id != Some(approval.id) {
        return Ok(());
    }
    let after = Contract {
        status,
        ..before.clone()
    };
    write_at(conn, actor, verb, &before, &after, at)?;
    if status != ContractStatus::Active {
        return Ok(());
    }
    let Some(predecessor) = before.renewal_of else {
        return Ok(());
    };
    // Terminated before its renewal was approved, it stays terminated.
    let predecessor = find(conn, predecessor)?;
    if predecessor.status != ContractStatus::Active {
        return Ok(());
    }
    let superseded = Contract {
        status: ContractStatus::Superseded,
        ..predecessor.clone()
    };
    write_at(conn, actor, "supersede", &predecessor, &superseded, at)?;
    Ok(())
}

fn find(conn: &mut DbConn, id: i64) -> Result<Contract, ApiError> {
    repo::find(conn, id, Visibility::All)?
        .ok_or_else(|| ApiError::internal(format!("contract {id} is missing")))
}
