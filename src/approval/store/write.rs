//! The writes of the approval tables: each returns, or leaves, an approval that reads
//! back whole.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{one, ApprovalRow, COLUMNS};
use crate::approval::{Approval, ApprovalStatus, Decision, Opening, StageSpec, StageStatus};
use crate::db::schema::{approval_deciders, approval_decisions, approval_stages, approvals};
use crate::db::DbConn;

/// A new pending approval with `stages`, the first one open.
pub fn insert(
    conn: &mut DbConn,
    opening: &Opening<'_>,
    requested_by: i64,
    stages: &[StageSpec],
    at: NaiveDateTime,
) -> QueryResult<Approval> {
    let row: ApprovalRow = diesel::insert_into(approvals::table)
        .values((
            approvals::subject_type.eq(opening.subject_type.as_str()),
            approvals::subject_id.eq(opening.subject_id),
            approvals::subject_version.eq(opening.subject_version),
            approvals::subject_author_id.eq(opening.subject_author_id),
            approvals::account_id.eq(opening.account_id),
            approvals::client_id.eq(opening.client_id),
            approvals::status.eq(ApprovalStatus::Pending.as_str()),
            approvals::current_stage.eq(Some(1)),
            approvals::requested_by.eq(requested_by),
            approvals::due_date.eq(opening.due_date),
            approvals::note.eq(opening.note),
            approvals::cancel_reason.eq(None::<String>),
            approvals::closed_at.eq(None::<NaiveDateTime>),
            approvals::version.eq(1),
            approvals::created_at.eq(at),
            approvals::updated_at.eq(at),
        ))
        .returning(COLUMNS)
        .get_result(conn)?;
    for (index, stage) in stages.iter().enumerate() {
        let position = index as i32 + 1;
        let status = if position == 1 {
            StageStatus::Pending
        } else {
            StageStatus::Waiting
        };
        diesel::insert_into(approval_stages::table)
            .values((
                approval_stages::approval_id.eq(row.id),
                approval_stages::position.eq(position),
                approval_stages::name.eq(stage.name.trim()),
                approval_stages::kind.eq(stage.kind.as_str()),
                approval_stages::rule.eq(stage.rule.as_str()),
                approval_stages::status.eq(status.as_str()),
                approval_stages::decided_at.eq(None::<NaiveDateTime>),
                approval_stages::director.eq(stage.director),
            ))
            .execute(conn)?;
        for staff_id in &stage.deciders {
            diesel::insert_into(approval_deciders::table)
                .values((
                    approval_deciders::approval_id.eq(row.id),
                    approval_deciders::position.eq(position),
                    approval_deciders::staff_id.eq(staff_id),
                ))
                .execute(conn)?;
        }
    }
    Ok(one(conn, Some(row))?.expect("the approval just inserted"))
}

/// One decision on an approval's stage.
pub struct NewDecision<'a> {
    pub approval_id: i64,
    pub position: i32,
    /// 0 where one decision settles the stage, the decider's id where all must decide:
    /// the unique index refuses a second decision on the same slot.
    pub slot: i64,
    pub decided_by: i64,
    pub decision: Decision,
    pub note: Option<&'a str>,
    pub subject_version: i32,
    pub client_person: Option<(&'a str, Option<&'a str>)>,
}

pub fn insert_decision(
    conn: &mut DbConn,
    new: &NewDecision<'_>,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(approval_decisions::table)
        .values((
            approval_decisions::approval_id.eq(new.approval_id),
            approval_decisions::position.eq(new.position),
            approval_decisions::slot.eq(new.slot),
            approval_decisions::decided_by.eq(new.decided_by),
            approval_decisions::decision.eq(new.decision.as_str()),
            approval_decisions::note.eq(new.note),
            approval_decisions::subject_version.eq(new.subject_version),
            approval_decisions::client_person_name.eq(new.client_person.map(|p| p.0)),
            approval_decisions::client_person_email.eq(new.client_person.and_then(|p| p.1)),
            approval_decisions::created_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

/// Sets one stage's status (and when it was decided, if it was).
pub fn set_stage(
    conn: &mut DbConn,
    approval_id: i64,
    position: i32,
    status: StageStatus,
    decided_at: Option<NaiveDateTime>,
) -> QueryResult<()> {
    diesel::update(approval_stages::table.find((approval_id, position)))
        .set((
            approval_stages::status.eq(status.as_str()),
            approval_stages::decided_at.eq(decided_at),
        ))
        .execute(conn)
        .map(drop)
}

/// Marks every stage not yet decided (open or waiting) as skipped: the approval ended.
pub fn skip_open_stages(conn: &mut DbConn, approval_id: i64) -> QueryResult<()> {
    let undecided = [StageStatus::Waiting.as_str(), StageStatus::Pending.as_str()];
    diesel::update(
        approval_stages::table
            .filter(approval_stages::approval_id.eq(approval_id))
            .filter(approval_stages::status.eq_any(undecided)),
    )
    .set(approval_stages::status.eq(StageStatus::Skipped.as_str()))
    .execute(conn)
    .map(drop)
}

/// Where an approval stands: what [`set_state`] writes.
pub struct State<'a> {
    pub status: ApprovalStatus,
    pub current_stage: Option<i32>,
    pub cancel_reason: Option<&'a str>,
    pub closed_at: Option<NaiveDateTime>,
}

/// Writes `state` if the approval is still at `before`'s version, and reads it back
/// whole; `None` when another writer won.
pub fn set_state(
    conn: &mut DbConn,
    before: &Approval,
    state: &State<'_>,
    at: NaiveDateTime,
) -> QueryResult<Option<Approval>> {
    let current = approvals::id
        .eq(before.id)
        .and(approvals::version.eq(before.version));
    let row = diesel::update(approvals::table.filter(current))
        .set((
            approvals::status.eq(state.status.as_str()),
            approvals::current_stage.eq(state.current_stage),
            approvals::cancel_reason.eq(state.cancel_reason),
            approvals::closed_at.eq(state.closed_at),
            approvals::version.eq(before.version + 1),
            approvals::updated_at.eq(at),
        ))
        .returning(COLUMNS)
        .get_result::<ApprovalRow>(conn)
        .optional()?;
    one(conn, row)
}
