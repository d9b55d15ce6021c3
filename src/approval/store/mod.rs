//! The approval tables: an approval row, its stages, their named deciders and the
//! decisions made, read back together as one [`Approval`].

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::{
    Approval, ApprovalStatus, ClientPerson, Decision, DecisionRecord, Stage, StageKind, StageRule,
    StageStatus, SubjectType,
};
use crate::auth::Visibility;
use crate::db::schema::{approval_deciders, approval_decisions, approval_stages, approvals};
use crate::db::sql::{columns, UnknownVariant};
use crate::db::DbConn;
use crate::scope;

mod write;

pub use write::*;

columns!(
    /// Every column of `approvals`, in the field order of [`ApprovalRow`].
    pub COLUMNS: Columns = (
        approvals::id,
        approvals::subject_type,
        approvals::subject_id,
        approvals::subject_version,
        approvals::subject_author_id,
        approvals::account_id,
        approvals::client_id,
        approvals::status,
        approvals::current_stage,
        approvals::requested_by,
        approvals::due_date,
        approvals::note,
        approvals::cancel_reason,
        approvals::closed_at,
        approvals::version,
        approvals::created_at,
        approvals::updated_at,
    )
);

/// An approval row as stored, before its stages are read.
#[derive(Debug, Clone, Queryable)]
pub struct ApprovalRow {
    pub id: i64,
    pub subject_type: String,
    pub subject_id: i64,
    pub subject_version: i32,
    pub subject_author_id: Option<i64>,
    pub account_id: i64,
    pub client_id: i64,
    pub status: String,
    pub current_stage: Option<i32>,
    pub requested_by: i64,
    pub due_date: Option<NaiveDate>,
    pub note: Option<String>,
    pub cancel_reason: Option<String>,
    pub closed_at: Option<NaiveDateTime>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

type StageRow = (
    i64,
    i32,
    String,
    String,
    String,
    String,
    Option<NaiveDateTime>,
    bool,
);

type DecisionRow = (
    i64,
    i64,
    i32,
    i64,
    String,
    Option<String>,
    i32,
    Option<String>,
    Option<String>,
    NaiveDateTime,
);

fn corrupt(e: UnknownVariant) -> diesel::result::Error {
    diesel::result::Error::DeserializationError(Box::new(e))
}

/// The rows with their stages, deciders and decisions: three more queries for any
/// number of approvals.
pub fn hydrate(conn: &mut DbConn, rows: Vec<ApprovalRow>) -> QueryResult<Vec<Approval>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let stage_rows: Vec<StageRow> = approval_stages::table
        .filter(approval_stages::approval_id.eq_any(&ids))
        .select((
            approval_stages::approval_id,
            approval_stages::position,
            approval_stages::name,
            approval_stages::kind,
            approval_stages::rule,
            approval_stages::status,
            approval_stages::decided_at,
            approval_stages::director,
        ))
        .order((approval_stages::approval_id, approval_stages::position))
        .load(conn)?;
    let decider_rows: Vec<(i64, i32, i64)> = approval_deciders::table
        .filter(approval_deciders::approval_id.eq_any(&ids))
        .select((
            approval_deciders::approval_id,
            approval_deciders::position,
            approval_deciders::staff_id,
        ))
        .order(approval_deciders::staff_id)
        .load(conn)?;
    let decision_rows: Vec<DecisionRow> = approval_decisions::table
        .filter(approval_decisions::approval_id.eq_any(&ids))
        .select((
            approval_decisions::id,
            approval_decisions::approval_id,
            approval_decisions::position,
            approval_decisions::decided_by,
            approval_decisions::decision,
            approval_decisions::note,
            approval_decisions::subject_version,
            approval_decisions::client_person_name,
            approval_decisions::client_person_email,
            approval_decisions::created_at,
        ))
        .order(approval_decisions::id)
        .load(conn)?;

    let mut deciders: HashMap<(i64, i32), Vec<i64>> = HashMap::new();
    for (approval_id, position, staff_id) in decider_rows {
        deciders
            .entry((approval_id, position))
            .or_default()
            .push(staff_id);
    }
    let mut decisions: HashMap<(i64, i32), Vec<DecisionRecord>> = HashMap::new();
    for (id, approval_id, position, decided_by, decision, note, version, name, email, at) in
        decision_rows
    {
        let record = DecisionRecord {
            id,
            decided_by,
            decision: Decision::try_from(decision).map_err(corrupt)?,
            note,
            subject_version: version,
            client_person: name.map(|name| ClientPerson { name, email }),
            decided_at: at,
        };
        decisions
            .entry((approval_id, position))
            .or_default()
            .push(record);
    }
    let mut stages: HashMap<i64, Vec<Stage>> = HashMap::new();
    for (approval_id, position, name, kind, rule, status, decided_at, director) in stage_rows {
        let key = (approval_id, position);
        stages.entry(approval_id).or_default().push(Stage {
            position,
            name,
            kind: StageKind::try_from(kind).map_err(corrupt)?,
            rule: StageRule::try_from(rule).map_err(corrupt)?,
            deciders: deciders.remove(&key).unwrap_or_default(),
            director,
            status: StageStatus::try_from(status).map_err(corrupt)?,
            decided_at,
            decisions: decisions.remove(&key).unwrap_or_default(),
        });
    }
    rows.into_iter()
        .map(|row| {
            Ok(Approval {
                id: row.id,
                subject_type: SubjectType::try_from(row.subject_type).map_err(corrupt)?,
                subject_id: row.subject_id,
                subject_version: row.subject_version,
                subject_author_id: row.subject_author_id,
                account_id: row.account_id,
                client_id: row.client_id,
                status: ApprovalStatus::try_from(row.status).map_err(corrupt)?,
                current_stage: row.current_stage,
                requested_by: row.requested_by,
                due_date: row.due_date,
                note: row.note,
                cancel_reason: row.cancel_reason,
                closed_at: row.closed_at,
                version: row.version,
                created_at: row.created_at,
                updated_at: row.updated_at,
                stages: stages.remove(&row.id).unwrap_or_default(),
            })
        })
        .collect()
}

pub(super) fn one(conn: &mut DbConn, row: Option<ApprovalRow>) -> QueryResult<Option<Approval>> {
    Ok(hydrate(conn, row.into_iter().collect())?.pop())
}

/// The approval, if it exists and `visibility` reaches it.
pub fn find(conn: &mut DbConn, id: i64, visibility: Visibility) -> QueryResult<Option<Approval>> {
    let mut query = approvals::table.find(id).select(COLUMNS).into_boxed();
    if let Some(visible) = scope::approval(visibility) {
        query = query.filter(visible);
    }
    let row = query.first::<ApprovalRow>(conn).optional()?;
    one(conn, row)
}

/// Of `ids`, those `visibility` reaches.
pub fn visible_ids(
    conn: &mut DbConn,
    ids: &[i64],
    visibility: Visibility,
) -> QueryResult<Vec<i64>> {
    let mut query = approvals::table
        .filter(approvals::id.eq_any(ids))
        .select(approvals::id)
        .into_boxed();
    if let Some(visible) = scope::approval(visibility) {
        query = query.filter(visible);
    }
    query.load(conn)
}

/// The open approval on a subject, if any.
pub fn open_for(
    conn: &mut DbConn,
    subject_type: SubjectType,
    subject_id: i64,
) -> QueryResult<Option<Approval>> {
    let row = approvals::table
        .filter(approvals::subject_type.eq(subject_type.as_str()))
        .filter(approvals::subject_id.eq(subject_id))
        .filter(approvals::status.eq(ApprovalStatus::Pending.as_str()))
        .select(COLUMNS)
        .first::<ApprovalRow>(conn)
        .optional()?;
    one(conn, row)
}
