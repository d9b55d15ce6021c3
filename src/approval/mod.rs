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
pub use stages::{note, StageSpec, Stages, Submission, MAX_STAGES};

use chrono::{NaiveDate, NaiveDateTime};

use crate::audit::{self, Actor};
use crate::auth::{grants, Caller, Permission, Scope, Visibility};
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
    /// The subject needs a director stage (a payment over the account's threshold or
    /// beyond its remaining budget): added to the stages unless they hold one already.
    pub needs_director: bool,
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
    let subject_type = opening.subject_type;
    // A policy's director stage is held back for the subjects that need one.
    let (held, regular): (Vec<StageSpec>, Vec<StageSpec>) = policy::find(conn, subject_type)?
        .stages
        .0
        .into_iter()
        .partition(|stage| stage.director && subject_type == SubjectType::Payment);
    let mut stages = match opening.stages.take() {
        Some(stages) => {
            check_deciders(conn, subject_type, &stages, "stages")?;
            stages.0
        }
        None => regular,
    };
    if opening.needs_director && !stages.iter().any(|stage| stage.director) {
        stages.push(
            held.into_iter()
                .next()
                .unwrap_or_else(policy::director_stage),
        );
    }
    let approval = store::insert(conn, &opening, requested_by, &stages, at).map_err(|e| {
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

/// Every named decider must be active staff whose role holds `approvals.decide` (and, on
/// a payment, `payments.approve`): anyone else could never decide, and the approval
/// would be stuck.
pub fn check_deciders(
    conn: &mut DbConn,
    subject_type: SubjectType,
    stages: &Stages,
    field: &str,
) -> Result<(), ApiError> {
    let mut needed = vec![Permission::ApprovalsDecide];
    if subject_type.approving_permission() != Permission::ApprovalsDecide {
        needed.push(subject_type.approving_permission());
    }
    for (index, stage) in stages.0.iter().enumerate() {
        for (staff_id, permission) in stage
            .deciders
            .iter()
            .flat_map(|id| needed.iter().map(move |p| (*id, *p)))
        {
            let scope = grants::held_by_active(conn, staff_id, permission)?;
            let problem = match scope {
                Some(None) => format!("does not hold {}", permission.key()),
                None => "is not an active member of staff".to_owned(),
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

/// Why the caller's grants do not let them decide `stage`, an internal stage of
/// `approval`, beyond the `approvals.decide` every decision needs: a payment wants
/// `payments.approve` too, and a director stage naming nobody wants the approving
/// permission in scope `all`. `None`: nothing in the grants stands in the way (the
/// stage's named deciders and the four-eyes rule are checked apart).
pub fn lacks_authority(caller: &Caller, approval: &Approval, stage: &Stage) -> Option<String> {
    let permission = approval.subject_type.approving_permission();
    let scope = caller.scope_of(permission);
    if stage.director && stage.deciders.is_empty() && scope != Some(Scope::All) {
        return Some(format!(
            "stage {} ({}) is a director stage: it is decided by a holder of {} in scope all",
            stage.position,
            stage.name,
            permission.key()
        ));
    }
    scope.is_none().then(|| {
        format!(
            "deciding an approval of a {} needs {}",
            approval.subject_type.as_str().replace('_', " "),
            permission.key()
        )
    })
}

/// [`lacks_authority`] as a 403, and the approving permission's own scope reaching the
/// approval (the one it was found by is `approvals.decide`'s).
pub fn check_authority(
    conn: &mut DbConn,
    caller: &Caller,
    approval: &Approval,
    stage: &Stage,
) -> Result<(), ApiError> {
    if let Some(reason) = lacks_authority(caller, approval, stage) {
        return Err(ApiError::Denied(reason));
    }
    let permission = approval.subject_type.approving_permission();
    if permission != Permission::ApprovalsDecide
        && caller.scope_of(permission) == Some(Scope::Assigned)
        && store::find(conn, approval.id, Visibility::Assigned(caller.staff_id))?.is_none()
    {
        return Err(ApiError::Denied(format!(
            "{} in scope assigned does not reach approval {}'s account",
            permission.key(),
            approval.id
        )));
    }
    Ok(())
}

/// The 409 of a write that lost a race with another on the same approval.
pub fn lost_race(id: i64) -> ApiError {
    ApiError::conflict(format!(
        "approval {id} changed while this request was processed; read it again"
    ))
}
