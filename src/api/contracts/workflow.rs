//! A contract's lifecycle: submitting it for approval, renewing it and terminating it.
//! Each is one transaction on the contract's row read for change and one conditional
//! write: of concurrent attempts exactly one finds the contract in a starting state.

use chrono::NaiveDateTime;

use super::dto::{
    term_end, Contract, ContractRenewal, ContractStatus, ContractTermination, ContractView,
};
use super::repo;
use super::service::{check_dates, insert, subject, wrong_state};
use crate::approval::{self, Opening, SubjectType, Submission};
use crate::audit::{self, Actor};
use crate::auth::{Caller, Visibility};
use crate::db::{self, DbConn};
use crate::error::{ApiError, ErrorCode};
use crate::resource;
use crate::time::now;

/// Submits a draft for approval: its approval opened (the `contract` policy's stages
/// unless given) on the version the submit writes, and the contract `pending_approval`,
/// in one transaction. The contract shows the approval's id.
pub fn submit(
    conn: &mut DbConn,
    caller: &Caller,
    visibility: Visibility,
    id: i64,
    input: Submission,
) -> Result<ContractView, ApiError> {
    let at = now();
    let actor = Actor::from(caller);
    let contract = db::write_tx(conn, |conn| {
        let before = resource::find_for_change::<Contract>(conn, id, visibility)?;
        if before.status != ContractStatus::Draft {
            return Err(wrong_state(&before, "only a draft can be submitted"));
        }
        // An approval is read through an account: a contract for the client as a whole
        // files its approval under the client's first account.
        let account_id = match before.account_id {
            Some(account_id) => account_id,
            None => repo::first_account_of(conn, before.client_id)?.ok_or_else(|| {
                ApiError::conflict(format!(
                    "client {} has no account to file contract {id}'s approval under; \
                     create an account first",
                    before.client_id
                ))
            })?,
        };
        let opening = Opening {
            subject_type: SubjectType::Contract,
            subject_id: before.id,
            subject_version: before.version + 1,
            subject_author_id: Some(before.created_by),
            account_id,
            client_id: before.client_id,
            stages: input.stages,
            due_date: input.due_date,
            note: input.note.as_deref(),
            needs_director: false,
        };
        let approval = approval::open(conn, &actor, caller.staff_id, opening, at)?;
        let after = Contract {
            status: ContractStatus::PendingApproval,
            approval_id: Some(approval.id),
            ..before.clone()
        };
        resource::write(conn, &actor, "submit", &before, &after)
    })?;
    resource::view(conn, caller, Visibility::All, contract)
}

/// Renews an active contract that has an end date: its successor, a draft, starts the day
/// after it ends and runs for `renewal_term_months` (or as many days as it did), with its
/// value, kind and terms copied unless the body says otherwise. One open successor per
/// contract: the unique index on `renewal_of` refuses a second (409).
pub fn renew(
    conn: &mut DbConn,
    caller: &Caller,
    visibility: Visibility,
    id: i64,
    input: ContractRenewal,
) -> Result<ContractView, ApiError> {
    let at = now();
    let actor = Actor::from(caller);
    let successor = db::write_tx(conn, |conn| {
        let before = resource::find_for_change::<Contract>(conn, id, visibility)?;
        if before.status != ContractStatus::Active {
            return Err(wrong_state(
                &before,
                "only an active contract can be renewed",
            ));
        }
        let Some(end) = before.end_date else {
            return Err(ApiError::conflict(format!(
                "contract {id} has no end date; an open-ended contract cannot be renewed"
            )));
        };
        let start = end
            .succ_opt()
            .ok_or_else(|| beyond_calendar("start_date"))?;
        let end_date = match (input.end_date, before.renewal_term_months) {
            (Some(end_date), _) => end_date,
            (None, Some(months)) => {
                term_end(start, months.unsigned_abs()).ok_or_else(|| beyond_calendar("end_date"))?
            }
            (None, None) => start
                .checked_add_signed(end - before.start_date)
                .ok_or_else(|| beyond_calendar("end_date"))?,
        };
        let mut draft = Contract {
            id: 0,
            title: input
                .title
                .map_or(before.title.clone(), |t| t.trim().to_owned()),
            start_date: start,
            end_date: Some(end_date),
            value: input.value.unwrap_or(before.value.clone()),
            status: ContractStatus::Draft,
            renewal_of: Some(before.id),
            terminated_on: None,
            termination_reason: None,
            external_ref: None,
            approval_id: None,
            created_by: caller.staff_id,
            version: 1,
            created_at: at,
            updated_at: at,
            ..before.clone()
        };
        draft.derive();
        check_dates(&draft)?;
        // The successor's first event says where it came from: `contracts.renew`.
        insert(conn, &actor, "renew", &draft, at)
    })?;
    resource::view(conn, caller, Visibility::All, successor)
}

/// Terminates an active contract on a day on or after its start.
pub fn terminate(
    conn: &mut DbConn,
    caller: &Caller,
    visibility: Visibility,
    id: i64,
    input: ContractTermination,
) -> Result<ContractView, ApiError> {
    let contract = db::write_tx(conn, |conn| {
        let before = resource::find_for_change::<Contract>(conn, id, visibility)?;
        if before.status != ContractStatus::Active {
            return Err(wrong_state(
                &before,
                "only an active contract can be terminated",
            ));
        }
        if input.terminated_on < before.start_date {
            return Err(ApiError::invalid(
                "terminated_on",
                ErrorCode::Invalid,
                format!(
                    "must be on or after the contract's start_date ({})",
                    before.start_date
                ),
            ));
        }
        let after = Contract {
            status: ContractStatus::Terminated,
            terminated_on: Some(input.terminated_on),
            termination_reason: Some(input.reason.trim().to_owned()),
            ..before.clone()
        };
        resource::write(conn, &Actor::from(caller), "terminate", &before, &after)
    })?;
    resource::view(conn, caller, Visibility::All, contract)
}

fn beyond_calendar(field: &str) -> ApiError {
    ApiError::invalid(
        field,
        ErrorCode::Invalid,
        "would fall beyond the calendar's last day",
    )
}

/// Used by the approval settling: the same write at a given time.
pub fn write_at(
    conn: &mut DbConn,
    actor: &Actor,
    verb: &str,
    before: &Contract,
    after: &Contract,
    at: NaiveDateTime,
) -> Result<Contract, ApiError> {
    let columns = super::repo::ContractColumns::from(after);
    let updated = repo::update(conn, before.id, before.version, &columns, at)?
        .ok_or_else(|| ApiError::conflict(format!("contract {} changed meanwhile", before.id)))?;
    audit::write(
        conn,
        actor,
        verb,
        subject(&updated),
        Some(before),
        Some(&updated),
    )?;
    Ok(updated)
}
