//! Approvals, the part every subject shares: a request that someone signs off on a
//! subject (a brief's version, a creative round; contracts and payments), in ordered
//! stages. Resources open and close them here, inside their own transactions (a brief's
//! `/submit` opens one; a new round cancels the last one's), so the rules live once:
//! one open approval per subject, stages from the policy unless given, deciders who can
//! decide. The `/approvals` resource (`api::approvals`) decides them.

mod model;
pub mod policy;
mod stages;
pub mod store;

pub use model::*;
pub use stages::{note, StageSpec, Stages, MAX_STAGES};

use chrono::{NaiveDate, NaiveDateTime};

use crate::audit::{self, Actor};
use crate::auth::{grants, Permission, Scope};
use crate::db::DbConn;
use crate::error::{ApiError, ErrorCode};

/// What a subject gives an approval opened on it.
pub struct Opening<'a> {
    pub subject_type: SubjectType,
    pub subject_id: i64,
    pub subject_version: i32,
    pub subject_author_id: Option<i64>,
    pub account_id: i64,
    pub client_id: i64,
    /// The stages asked for; `None`: the subject type's policy.
    pub stages: Option<Stages>,
    pub due_date: Option<NaiveDate>,
    pub note: Option<&'a str>,
}

/// Opens an approval on a subject, within the caller's transaction: the stages asked for
/// or the policy's, each named decider checked (422 on `stages[i].deciders`), the rows
/// and the audit event written. A subject with an open approval already gets 409: the
/// unique index decides, so two concurrent openings cannot both succeed.
pub fn open(
    conn: &mut DbConn,
    actor: &Actor,
    requested_by: i64,
    mut opening: Opening<'_>,
    at: NaiveDateTime,
) -> Result<Approval, ApiError> {
    let stages = match opening.stages.take() {
        Some(stages) => {
            check_deciders(conn, &stages, "stages")?;
            stages
        }
        None => policy::find(conn, opening.subject_type)?.stages,
    };
    let approval = store::insert(conn, &opening, requested_by, &stages.0, at).map_err(|e| {
        ApiError::from_unique_index(
            e,
            &[
                ("approvals_one_open_idx", "subject_id", ONE_OPEN),
                // SQLite names the columns, not the index.
                (
                    "approvals.subject_type, approvals.subject_id",
                    "subject_id",
                    ONE_OPEN,
                ),
            ],
        )
    })?;
    audit::created(conn, actor, approval.subject(), &approval)?;
    Ok(approval)
}

const ONE_OPEN: &str = "this subject already has an open approval; decide or cancel it first";

/// Every named decider must be active staff whose role holds `approvals.decide`: anyone
/// else could never decide, and the approval would be stuck.
pub fn check_deciders(conn: &mut DbConn, stages: &Stages, field: &str) -> Result<(), ApiError> {
    for (index, stage) in stages.0.iter().enumerate() {
        for staff_id in &stage.deciders {
            let scope = grants::held_by_active(conn, *staff_id, Permission::ApprovalsDecide)?;
            let problem = match scope {
                Some(None) => "does not hold approvals.decide",
                None => "is not an active member of staff",
                Some(Some(Scope::All | Scope::Assigned)) => continue,
            };
            return Err(ApiError::invalid(
                &format!("{field}[{index}].deciders"),
                if scope.is_none() {
                    ErrorCode::Unknown
                } else {
                    ErrorCode::Invalid
                },
                format!("staff {staff_id} {problem}"),
            ));
        }
    }
    Ok(())
}

/// Cancels the open approval on a subject, if there is one (a brief cancelled, a round
/// superseded), within the caller's transaction, with its audit event.
pub fn cancel_open(
    conn: &mut DbConn,
    actor: &Actor,
    subject_type: SubjectType,
    subject_id: i64,
    reason: &str,
    at: NaiveDateTime,
) -> Result<Option<Approval>, ApiError> {
    let Some(before) = store::open_for(conn, subject_type, subject_id)? else {
        return Ok(None);
    };
    let after = close(conn, &before, ApprovalStatus::Cancelled, Some(reason), at)?;
    audit::write(
        conn,
        actor,
        "cancel",
        after.subject(),
        Some(&before),
        Some(&after),
    )?;
    Ok(Some(after))
}

/// Closes a pending approval with `status`: its open and waiting stages skipped, written
/// only if nobody changed it since `before` was read (409 otherwise).
pub fn close(
    conn: &mut DbConn,
    before: &Approval,
    status: ApprovalStatus,
    cancel_reason: Option<&str>,
    at: NaiveDateTime,
) -> Result<Approval, ApiError> {
    store::skip_open_stages(conn, before.id)?;
    let state = store::State {
        status,
        current_stage: None,
        cancel_reason,
        closed_at: Some(at),
    };
    store::set_state(conn, before, &state, at)?.ok_or_else(|| lost_race(before.id))
}

/// The 409 of a write that lost a race with another on the same approval.
pub fn lost_race(id: i64) -> ApiError {
    ApiError::conflict(format!(
        "approval {id} changed while this request was processed; read it again"
    ))
}
