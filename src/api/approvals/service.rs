//! Approval operations: opening one on a subject, deciding its stages, cancelling it.
//! Every decision is one transaction: the approval's row locked, the rules checked, the
//! decision's slot taken (a unique index: exactly one of concurrent deciders gets it),
//! the stages moved, the approval written at the version read, the subject moved when
//! the approval closes, and an audit event for each.

use chrono::NaiveDateTime;
use diesel::QueryResult;

use super::dto::{ApprovalAction, ApprovalCreate, ApprovalFilter, ApprovalSort, ApprovalView};
use super::{repo, subjects};
use crate::approval::store::{self, NewDecision, State};
use crate::approval::{
    self, Approval, ApprovalStatus, Decision, Stage, StageKind, StageRule, StageStatus,
};
use crate::audit::{self, Actor};
use crate::auth::{Caller, Permission, Visibility};
use crate::db::{self, DbConn};
use crate::error::ApiError;
use crate::resource::{self, Listed, Scoped};
use crate::rest::list::ListQuery;
use crate::time::{now, today};

impl Scoped for Approval {
    const NOUN: &'static str = "approval";
    const TABLE: &'static str = "approvals";
    type Action = ApprovalAction;
    type View = ApprovalView;
    const ACTIONS: &'static [(ApprovalAction, Permission)] = &[
        (ApprovalAction::Decide, Permission::ApprovalsDecide),
        (
            ApprovalAction::RecordClientDecision,
            Permission::ApprovalsRequest,
        ),
        (ApprovalAction::Cancel, Permission::ApprovalsRequest),
    ];

    fn id(&self) -> i64 {
        self.id
    }

    fn find(conn: &mut DbConn, id: i64, visibility: Visibility) -> QueryResult<Option<Self>> {
        store::find(conn, id, visibility)
    }

    fn visible_ids(
        conn: &mut DbConn,
        ids: &[i64],
        visibility: Visibility,
    ) -> QueryResult<Vec<i64>> {
        store::visible_ids(conn, ids, visibility)
    }

    /// Deciding needs an open internal stage the caller may decide (named among its
    /// deciders, if it names any; not yet decided by them; not their own request or
    /// subject); recording the client's word needs an open client stage.
    fn possible(&self, action: ApprovalAction, caller: &Caller) -> bool {
        let Some(stage) = self.open_stage() else {
            return false;
        };
        let me = caller.staff_id;
        match action {
            ApprovalAction::Decide => {
                stage.kind == StageKind::Internal
                    && self.four_eyes(me).is_none()
                    && approval::lacks_authority(caller, self, stage).is_none()
                    && stage.allows(me)
                    && !stage.decided_by(me)
            }
            ApprovalAction::RecordClientDecision => stage.kind == StageKind::Client,
            ApprovalAction::Cancel => true,
        }
    }

    fn view(self, allowed_actions: Vec<ApprovalAction>) -> ApprovalView {
        let overdue = self.status == ApprovalStatus::Pending
            && self.due_date.is_some_and(|due| due < today());
        ApprovalView {
            approval: self,
            overdue,
            allowed_actions,
        }
    }
}

impl Listed for Approval {
    type Filter = ApprovalFilter;
    type Sort = ApprovalSort;

    fn list(
        conn: &mut DbConn,
        visibility: Visibility,
        query: &ListQuery<ApprovalFilter, ApprovalSort>,
    ) -> QueryResult<Vec<Self>> {
        repo::list(conn, visibility, query)
    }
}

/// Opens an approval on a subject within the caller's reach that has none open.
pub fn create(
    conn: &mut DbConn,
    caller: &Caller,
    visibility: Visibility,
    input: ApprovalCreate,
) -> Result<ApprovalView, ApiError> {
    let at = now();
    let actor = Actor::from(caller);
    let approval = db::write_tx(conn, |conn| {
        let opening = subjects::opening(conn, visibility, &input)?;
        let approval = approval::open(conn, &actor, caller.staff_id, opening, at)?;
        subjects::opened(conn, &actor, &approval, at)?;
        Ok::<_, ApiError>(approval)
    })?;
    resource::view(conn, caller, Visibility::All, approval)
}

const DECIDED: &str = "this stage was decided meanwhile; a decision is final";

/// A decision as the request gives it; `client_person` on a client stage only.
pub struct DecisionInput {
    pub decision: Decision,
    pub note: Option<String>,
    pub subject_version: i32,
    pub client_person: Option<(String, Option<String>)>,
}

/// Decides the approval's open stage, of `kind`: internal stages by staff holding
/// `approvals.decide` (`/decisions`), client stages by staff recording the client's word
/// (`/client-decisions`).
pub fn decide(
    conn: &mut DbConn,
    caller: &Caller,
    visibility: Visibility,
    id: i64,
    kind: StageKind,
    input: DecisionInput,
) -> Result<ApprovalView, ApiError> {
    let at = now();
    let actor = Actor::from(caller);
    let me = caller.staff_id;
    let approval = db::write_tx(conn, |conn| {
        let before = resource::find_for_change::<Approval>(conn, id, visibility)?;
        let stage = open_stage(&before, kind)?;
        if kind == StageKind::Internal {
            if let Some(rule) = before.four_eyes(me) {
                return Err(ApiError::Denied(format!("four-eyes rule: {rule}")));
            }
            approval::check_authority(conn, caller, &before, &stage)?;
            if !stage.allows(me) {
                return Err(ApiError::Denied(format!(
                    "stage {} ({}) is decided by staff {} only",
                    stage.position,
                    stage.name,
                    join(&stage.deciders)
                )));
            }
        }
        if input.subject_version != before.subject_version {
            return Err(ApiError::conflict(format!(
                "approval {id} is on version {} of its {}; the decision names version {}: \
                 read the subject again",
                before.subject_version,
                before.subject_type.as_str().replace('_', " "),
                input.subject_version
            )));
        }
        if stage.rule == StageRule::All && stage.decided_by(me) {
            return Err(ApiError::conflict(format!(
                "staff {me} already decided stage {} of approval {id}; a decision is final",
                stage.position
            )));
        }
        let decision = NewDecision {
            approval_id: id,
            position: stage.position,
            slot: if stage.rule == StageRule::All { me } else { 0 },
            decided_by: me,
            decision: input.decision,
            note: input.note.as_deref().map(str::trim),
            subject_version: input.subject_version,
            client_person: input
                .client_person
                .as_ref()
                .map(|(name, email)| (name.trim(), email.as_deref())),
        };
        store::insert_decision(conn, &decision, at).map_err(|e| {
            ApiError::from_unique_index(
                e,
                &[
                    ("approval_decisions_slot_idx", "decision", DECIDED),
                    // SQLite names the columns, not the index.
                    ("approval_decisions.approval_id", "decision", DECIDED),
                ],
            )
        })?;
        let after = advance(conn, &before, &stage, input.decision, at)?;
        let verb = match kind {
            StageKind::Internal => "decide",
            StageKind::Client => "record_client_decision",
        };
        audit::write(
            conn,
            &actor,
            verb,
            after.subject(),
            Some(&before),
            Some(&after),
        )?;
        if after.status != ApprovalStatus::Pending {
            subjects::settle(conn, &actor, &after, at)?;
        }
        Ok::<_, ApiError>(after)
    })?;
    resource::view(conn, caller, Visibility::All, approval)
}

/// The open stage, if it is of `kind`; otherwise 409 saying where the approval stands.
fn open_stage(approval: &Approval, kind: StageKind) -> Result<Stage, ApiError> {
    let id = approval.id;
    let Some(stage) = approval.open_stage() else {
        return Err(ApiError::conflict(format!(
            "approval {id} is {}; a closed approval takes no decisions",
            approval.status.as_str()
        )));
    };
    if stage.kind != kind {
        let (what, where_) = match stage.kind {
            StageKind::Internal => ("an internal stage", "decide it at /decisions"),
            StageKind::Client => (
                "a client stage",
                "record the client's decision at /client-decisions",
            ),
        };
        return Err(ApiError::conflict(format!(
            "stage {} ({}) of approval {id} is open and is {what}: {where_}",
            stage.position, stage.name
        )));
    }
    Ok(stage.clone())
}

/// The approval after `decision` on `stage`: an approval moves to the next stage once
/// the stage approves (for rule `all`, once every named decider has), and ends at the
/// last stage's approval or at any `changes_requested` or `rejected`.
fn advance(
    conn: &mut DbConn,
    before: &Approval,
    stage: &Stage,
    decision: Decision,
    at: NaiveDateTime,
) -> Result<Approval, ApiError> {
    let settled = match decision {
        Decision::Approved => {
            stage.rule == StageRule::Any || {
                let approvals = stage
                    .decisions
                    .iter()
                    .filter(|d| d.decision == Decision::Approved)
                    .count();
                approvals + 1 >= stage.deciders.len()
            }
        }
        Decision::ChangesRequested | Decision::Rejected => true,
    };
    if !settled {
        // The stage waits for its other deciders; the version still moves, so a
        // concurrent writer who read the approval before this decision loses.
        return set(
            conn,
            before,
            ApprovalStatus::Pending,
            before.current_stage,
            None,
            at,
        );
    }
    store::set_stage(conn, before.id, stage.position, decision.into(), Some(at))?;
    if decision != Decision::Approved {
        store::skip_open_stages(conn, before.id)?;
        return set(conn, before, decision.into(), None, Some(at), at);
    }
    let next = stage.position + 1;
    if before.stages.iter().any(|s| s.position == next) {
        store::set_stage(conn, before.id, next, StageStatus::Pending, None)?;
        set(conn, before, ApprovalStatus::Pending, Some(next), None, at)
    } else {
        set(conn, before, ApprovalStatus::Approved, None, Some(at), at)
    }
}

fn set(
    conn: &mut DbConn,
    before: &Approval,
    status: ApprovalStatus,
    current_stage: Option<i32>,
    closed_at: Option<NaiveDateTime>,
    at: NaiveDateTime,
) -> Result<Approval, ApiError> {
    let state = State {
        status,
        current_stage,
        cancel_reason: None,
        closed_at,
    };
    store::set_state(conn, before, &state, at)?.ok_or_else(|| approval::lost_race(before.id))
}

/// Cancels a pending approval; the subject goes back to where it was before the approval
/// was asked for (a brief to `draft`).
pub fn cancel(
    conn: &mut DbConn,
    caller: &Caller,
    visibility: Visibility,
    id: i64,
    reason: Option<String>,
) -> Result<ApprovalView, ApiError> {
    let at = now();
    let actor = Actor::from(caller);
    let approval = db::write_tx(conn, |conn| {
        let before = resource::find_for_change::<Approval>(conn, id, visibility)?;
        if before.status != ApprovalStatus::Pending {
            return Err(ApiError::conflict(format!(
                "approval {id} is {}; only a pending approval can be cancelled",
                before.status.as_str()
            )));
        }
        let reason = reason
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| format!("cancelled by staff {}", caller.staff_id));
        let after = approval::close(conn, &before, ApprovalStatus::Cancelled, Some(&reason), at)?;
        audit::write(
            conn,
            &actor,
            "cancel",
            after.subject(),
            Some(&before),
            Some(&after),
        )?;
        subjects::settle(conn, &actor, &after, at)?;
        Ok::<_, ApiError>(after)
    })?;
    resource::view(conn, caller, Visibility::All, approval)
}

/// The caller's queue: the open stages they may act on now.
pub fn queue(
    conn: &mut DbConn,
    caller: &Caller,
    request: Visibility,
    query: &ListQuery<super::dto::QueueFilter, ApprovalSort>,
) -> Result<Vec<Approval>, ApiError> {
    let decide = caller
        .scope_of(Permission::ApprovalsDecide)
        .map(|scope| Visibility::of(caller, scope));
    let approve_payments = caller
        .scope_of(Permission::PaymentsApprove)
        .map(|scope| Visibility::of(caller, scope));
    Ok(repo::queue(
        conn,
        caller.staff_id,
        request,
        decide,
        approve_payments,
        query,
    )?)
}

fn join(ids: &[i64]) -> String {
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
