//! The lists of approvals: `GET /approvals` and a caller's queue, `GET /me/approvals`.
//! Single approvals, and every write, are the shared `approval::store`'s.

use diesel::dsl::not;
use diesel::prelude::*;

use super::dto::{ApprovalFilter, ApprovalSort, QueueFilter};
use crate::approval::store::{self, ApprovalRow, COLUMNS};
use crate::approval::{Approval, ApprovalStatus, SubjectType};
use crate::auth::Visibility;
use crate::db::schema::approvals;
use crate::db::sql::keyset;
use crate::db::DbConn;
use crate::rest::list::ListQuery;
use crate::scope::{self, Condition};
use crate::time::{today, Timestamp};

type Conditions = Vec<Condition<approvals::table>>;

/// One page of approvals, filtered and ordered in SQL; fetches `list.fetch_limit()` rows.
pub fn list(
    conn: &mut DbConn,
    visibility: Visibility,
    list: &ListQuery<ApprovalFilter, ApprovalSort>,
) -> QueryResult<Vec<Approval>> {
    let filter = &list.filter;
    let mut conditions: Conditions = Vec::new();
    conditions.extend(scope::approvals(visibility));
    if let Some(subject_type) = filter.subject_type {
        conditions.push(Box::new(approvals::subject_type.eq(subject_type.as_str())));
    }
    if let Some(subject_id) = filter.subject_id {
        conditions.push(Box::new(approvals::subject_id.eq(subject_id)));
    }
    if let Some(status) = filter.status {
        conditions.push(Box::new(approvals::status.eq(status.as_str())));
    }
    if let Some(account_id) = filter.account_id {
        conditions.push(Box::new(approvals::account_id.eq(account_id)));
    }
    if let Some(Timestamp(since)) = filter.updated_since {
        conditions.push(Box::new(approvals::updated_at.ge(since)));
    }
    conditions.extend(filter.overdue.map(overdue));
    page(conn, conditions, list)
}

/// The open stages `staff_id` may act on now: client stages of approvals within their
/// `approvals.request` scope, and — if they hold `approvals.decide` — internal stages
/// within that scope which they may decide (see [`scope::decidable_by`]).
pub fn queue(
    conn: &mut DbConn,
    staff_id: i64,
    request: Visibility,
    decide: Option<Visibility>,
    approve_payments: Option<Visibility>,
    list: &ListQuery<QueueFilter, ApprovalSort>,
) -> QueryResult<Vec<Approval>> {
    let client = within(scope::client_stage_open(), request);
    let either: Condition<approvals::table> = match decide {
        Some(decide) => Box::new(client.or(decidable(staff_id, decide, approve_payments))),
        None => client,
    };
    let filter = &list.filter;
    let mut conditions: Conditions = vec![
        Box::new(approvals::status.eq(ApprovalStatus::Pending.as_str())),
        either,
    ];
    if let Some(subject_type) = filter.subject_type {
        conditions.push(Box::new(approvals::subject_type.eq(subject_type.as_str())));
    }
    if let Some(account_id) = filter.account_id {
        conditions.push(Box::new(approvals::account_id.eq(account_id)));
    }
    if let Some(Timestamp(since)) = filter.updated_since {
        conditions.push(Box::new(approvals::updated_at.ge(since)));
    }
    conditions.extend(filter.overdue.map(overdue));
    page(conn, conditions, list)
}

/// The approvals whose open internal stage `staff_id` may decide now, deciding within
/// `decide` and approving payments within `approve_payments`: a payment wants both, and
/// a director stage naming nobody the approving permission in scope all.
fn decidable(
    staff_id: i64,
    decide: Visibility,
    approve_payments: Option<Visibility>,
) -> Condition<approvals::table> {
    let payment = || approvals::subject_type.eq(SubjectType::Payment.as_str());
    let mut decidable = within(scope::decidable_by(staff_id), decide);
    decidable = match approve_payments.map(scope::approvals) {
        Some(None) => decidable,
        Some(Some(visible)) => Box::new(decidable.and(not(payment()).or(visible))),
        None => Box::new(decidable.and(not(payment()))),
    };
    let director = || not(scope::director_stage_open::<approvals::table>());
    match (decide, approve_payments) {
        (Visibility::All, Some(Visibility::All)) => decidable,
        (Visibility::All, _) => Box::new(decidable.and(director().or(not(payment())))),
        (_, Some(Visibility::All)) => Box::new(decidable.and(director().or(payment()))),
        _ => Box::new(decidable.and(director())),
    }
}

/// `condition`, and within `visibility`.
fn within(
    condition: Condition<approvals::table>,
    visibility: Visibility,
) -> Condition<approvals::table> {
    match scope::approvals(visibility) {
        Some(visible) => Box::new(condition.and(visible)),
        None => condition,
    }
}

/// Pending past the due date (`true`), or anything else (`false`).
fn overdue(wanted: bool) -> Condition<approvals::table> {
    let pending = ApprovalStatus::Pending.as_str();
    let due = approvals::due_date.assume_not_null();
    if wanted {
        Box::new(approvals::status.eq(pending).and(due.lt(today())))
    } else {
        Box::new(
            approvals::status
                .ne(pending)
                .or(approvals::due_date.is_null())
                .or(due.ge(today())),
        )
    }
}

fn page<F>(
    conn: &mut DbConn,
    conditions: Conditions,
    list: &ListQuery<F, ApprovalSort>,
) -> QueryResult<Vec<Approval>> {
    let mut query = approvals::table.select(COLUMNS).into_boxed();
    for condition in conditions {
        query = query.filter(condition);
    }
    let (after, descending) = (list.after_time(), list.descending);
    match list.sort {
        ApprovalSort::CreatedAt => {
            keyset!(
                query,
                approvals::created_at,
                approvals::id,
                after,
                descending
            )
        }
        ApprovalSort::UpdatedAt => {
            keyset!(
                query,
                approvals::updated_at,
                approvals::id,
                after,
                descending
            )
        }
    }
    let rows: Vec<ApprovalRow> = query.limit(list.fetch_limit()).load(conn)?;
    store::hydrate(conn, rows)
}
