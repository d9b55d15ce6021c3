//! What an approval does to its subject, per subject type: which subjects may be put up
//! for approval here, and how a closed approval moves its subject, in the transaction
//! of the decision that closed it, with the subject's own audit event.

use chrono::NaiveDateTime;

use super::dto::ApprovalCreate;
use crate::api::briefs::dto::{Brief, BriefStatus};
use crate::api::briefs::repo::{self as briefs, BriefColumns};
use crate::api::contracts::subject as contracts;
use crate::api::payments;
use crate::api::rounds::dto::{Round, RoundStatus};
use crate::api::rounds::repo as rounds;
use crate::approval::{Approval, ApprovalStatus, Opening, SubjectType};
use crate::audit::{self, Actor, Subject};
use crate::auth::Visibility;
use crate::db::DbConn;
use crate::error::{ApiError, ErrorCode};

/// The opening of an approval asked for with `POST /approvals`: the subject within the
/// caller's reach (any other id reads as unknown, 422), in a state that awaits approval
/// (409 otherwise).
pub fn opening<'a>(
    conn: &mut DbConn,
    visibility: Visibility,
    input: &'a ApprovalCreate,
) -> Result<Opening<'a>, ApiError> {
    let id = input.subject_id;
    let unknown = |noun: &str| {
        ApiError::invalid(
            "subject_id",
            ErrorCode::Unknown,
            format!("there is no {noun} {id}"),
        )
    };
    let round = match input.subject_type {
        SubjectType::Brief => return Err(ApiError::invalid(
            "subject_type",
            ErrorCode::Invalid,
            "a brief's approval is opened by submitting the brief: POST /api/v1/briefs/{id}/submit",
        )),
        SubjectType::CreativeRound => {
            rounds::find(conn, id, visibility)?.ok_or_else(|| unknown("creative round"))?
        }
        SubjectType::Contract => return Err(ApiError::invalid(
            "subject_type",
            ErrorCode::Invalid,
            "a contract's approval is opened by submitting the contract: POST /api/v1/contracts/{id}/submit",
        )),
        SubjectType::Payment => {
            return Err(ApiError::invalid(
                "subject_type",
                ErrorCode::Invalid,
                "a payment's approval is opened by requesting the payment: POST /api/v1/payments",
            ))
        }
    };
    if round.status != RoundStatus::Presented {
        return Err(ApiError::conflict(format!(
            "creative round {id} is {}; only a presented round awaits approval",
            round.status.as_str()
        )));
    }
    Ok(Opening {
        subject_type: SubjectType::CreativeRound,
        subject_id: round.id,
        subject_version: round.number,
        subject_author_id: Some(round.created_by),
        account_id: round.account_id,
        client_id: round.client_id,
        stages: input.stages.clone(),
        due_date: input.due_date,
        note: input.note.as_deref(),
        needs_director: false,
    })
}

/// What the subject records of an approval just opened on it: a round its `approval_id`.
pub fn opened(
    conn: &mut DbConn,
    actor: &Actor,
    approval: &Approval,
    at: NaiveDateTime,
) -> Result<(), ApiError> {
    if approval.subject_type != SubjectType::CreativeRound {
        return Ok(());
    }
    let round = find_round(conn, approval.subject_id)?;
    update_round(conn, actor, &round, round.status, Some(approval.id), at)
}

/// Moves the subject of a closed approval: a brief to `approved`, `changes_requested`,
/// `cancelled` (rejected) or back to `draft` (approval cancelled); a round to `accepted`,
/// `changes_requested` or `rejected`, or back to awaiting an approval (cancelled).
pub fn settle(
    conn: &mut DbConn,
    actor: &Actor,
    approval: &Approval,
    at: NaiveDateTime,
) -> Result<(), ApiError> {
    match approval.subject_type {
        SubjectType::Brief => settle_brief(conn, actor, approval, at),
        SubjectType::CreativeRound => {
            let round = find_round(conn, approval.subject_id)?;
            // A superseded round keeps its status; only its approval ends.
            if round.status != RoundStatus::Presented || round.approval_id != Some(approval.id) {
                return Ok(());
            }
            let (status, approval_id) = match approval.status {
                ApprovalStatus::Approved => (RoundStatus::Accepted, Some(approval.id)),
                ApprovalStatus::ChangesRequested => {
                    (RoundStatus::ChangesRequested, Some(approval.id))
                }
                ApprovalStatus::Rejected => (RoundStatus::Rejected, Some(approval.id)),
                ApprovalStatus::Cancelled => (RoundStatus::Presented, None),
                ApprovalStatus::Pending => return Ok(()),
            };
            update_round(conn, actor, &round, status, approval_id, at)
        }
        SubjectType::Contract => contracts::settle(conn, actor, approval, at),
        SubjectType::Payment => payments::subject::settle(conn, actor, approval, at),
    }
}

fn settle_brief(
    conn: &mut DbConn,
    actor: &Actor,
    approval: &Approval,
    at: NaiveDateTime,
) -> Result<(), ApiError> {
    let (status, verb) = match approval.status {
        ApprovalStatus::Approved => (BriefStatus::Approved, "approve"),
        ApprovalStatus::ChangesRequested => (BriefStatus::ChangesRequested, "request_changes"),
        ApprovalStatus::Rejected => (BriefStatus::Cancelled, "reject"),
        ApprovalStatus::Cancelled => (BriefStatus::Draft, "withdraw"),
        ApprovalStatus::Pending => return Ok(()),
    };
    let before = briefs::find(conn, approval.subject_id, Visibility::All)?
        .ok_or_else(|| ApiError::internal(format!("approval {} has no brief", approval.id)))?;
    // A brief cancelled first cancels its approval; it stays cancelled.
    if before.status != BriefStatus::Submitted || before.approval_id != Some(approval.id) {
        return Ok(());
    }
    let after = Brief {
        status,
        ..before.clone()
    };
    let updated = briefs::update(
        conn,
        before.id,
        before.version,
        &BriefColumns::from(&after),
        at,
    )?
    .ok_or_else(|| ApiError::conflict(format!("brief {} changed meanwhile", before.id)))?;
    let subject = Subject::brief(updated.id, updated.account_id, updated.client_id);
    audit::write(conn, actor, verb, subject, Some(&before), Some(&updated))?;
    Ok(())
}

fn find_round(conn: &mut DbConn, id: i64) -> Result<Round, ApiError> {
    rounds::find(conn, id, Visibility::All)?
        .ok_or_else(|| ApiError::internal(format!("creative round {id} is missing")))
}

fn update_round(
    conn: &mut DbConn,
    actor: &Actor,
    round: &Round,
    status: RoundStatus,
    approval_id: Option<i64>,
    at: NaiveDateTime,
) -> Result<(), ApiError> {
    let updated = rounds::update(conn, round, status, approval_id, at)?.ok_or_else(|| {
        ApiError::conflict(format!("creative round {} changed meanwhile", round.id))
    })?;
    let verb = if round.status == status {
        "update"
    } else {
        status.as_str()
    };
    let subject = Subject::of_account(
        "creative_rounds",
        round.id,
        round.account_id,
        round.client_id,
    );
    audit::write(conn, actor, verb, subject, Some(round), Some(&updated))?;
    Ok(())
}
