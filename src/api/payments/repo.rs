//! The payments table: scoped reads, the insert and the conditional state writes, the
//! list, and the sums the budget is made of.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::{not, sql};
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::dto::{Payment, PaymentFilter, PaymentSort, PaymentStatus};
use crate::auth::Visibility;
use crate::db::schema::{contracts, payments};
use crate::db::sql::{columns, keyset, scoped_reads, versioned_writes};
use crate::db::DbConn;
use crate::rest::list::ListQuery;
use crate::scope;
use crate::time::{today, Timestamp};

columns!(
    /// Every column, in the field order of `PaymentRow`, read as a [`Payment`].
    COLUMNS: Columns = (
        payments::id,
        payments::account_id,
        payments::client_id,
        payments::contract_id,
        payments::direction,
        payments::amount_minor,
        payments::currency,
        payments::description,
        payments::due_date,
        payments::status,
        payments::requested_by,
        payments::approved_by,
        payments::approval_id,
        payments::paid_at,
        payments::external_ref,
        payments::cancel_reason,
        payments::version,
        payments::created_at,
        payments::updated_at,
    )
);

/// What a payment's life changes: its state and what each state records. Written on
/// insert and on every move.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = payments, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct PaymentState<'a> {
    pub status: &'a str,
    pub approved_by: Option<i64>,
    pub approval_id: Option<i64>,
    pub paid_at: Option<NaiveDateTime>,
    pub external_ref: Option<&'a str>,
    pub cancel_reason: Option<&'a str>,
}

impl<'a> From<&'a Payment> for PaymentState<'a> {
    fn from(p: &'a Payment) -> Self {
        PaymentState {
            status: p.status.as_str(),
            approved_by: p.approved_by,
            approval_id: p.approval_id,
            paid_at: p.paid_at,
            external_ref: p.external_ref.as_deref(),
            cancel_reason: p.cancel_reason.as_deref(),
        }
    }
}

/// A new payment: what never changes once requested, and its first state.
#[derive(Insertable)]
#[diesel(table_name = payments, treat_none_as_default_value = false)]
pub struct NewPayment<'a> {
    pub account_id: i64,
    pub client_id: i64,
    pub contract_id: Option<i64>,
    pub direction: &'a str,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub description: &'a str,
    pub due_date: Option<NaiveDate>,
    pub requested_by: i64,
    #[diesel(embed)]
    pub state: PaymentState<'a>,
}

scoped_reads!(payments, COLUMNS -> Payment, scope::payment, external_ref);

versioned_writes!(
    payments,
    COLUMNS -> Payment,
    insert: NewPayment<'_>,
    update: PaymentState<'_>
);

/// Moves a payment to `state` if it is still at `version`; `None` when another writer won.
pub fn set_state(
    conn: &mut DbConn,
    payment: &Payment,
    at: NaiveDateTime,
) -> QueryResult<Option<Payment>> {
    update(
        conn,
        payment.id,
        payment.version,
        &PaymentState::from(payment),
        at,
    )
}

/// One page, filtered and ordered in SQL; fetches `list.fetch_limit()` rows.
pub fn list(
    conn: &mut DbConn,
    visibility: Visibility,
    list: &ListQuery<PaymentFilter, PaymentSort>,
) -> QueryResult<Vec<Payment>> {
    let filter = &list.filter;
    let mut query = payments::table.select(COLUMNS).into_boxed();
    if let Some(visible) = scope::payments(visibility) {
        query = query.filter(visible);
    }
    if let Some(account_id) = filter.account_id {
        query = query.filter(payments::account_id.eq(account_id));
    }
    if let Some(client_id) = filter.client_id {
        query = query.filter(payments::client_id.eq(client_id));
    }
    if let Some(contract_id) = filter.contract_id {
        query = query.filter(payments::contract_id.eq(contract_id));
    }
    if let Some(direction) = filter.direction {
        query = query.filter(payments::direction.eq(direction.as_str()));
    }
    if let Some(status) = filter.status {
        query = query.filter(payments::status.eq(status.as_str()));
    }
    if let Some(due_before) = filter.due_before {
        query = query.filter(payments::due_date.le(due_before));
    }
    if let Some(overdue) = filter.overdue {
        // Money the client owes and has not paid, past its date.
        let open = [PaymentStatus::PendingApproval, PaymentStatus::Approved].map(|s| s.as_str());
        let late = payments::direction
            .eq(super::dto::PaymentDirection::Incoming.as_str())
            .and(payments::status.eq_any(open))
            .and(payments::due_date.lt(today()).assume_not_null())
            .and(payments::due_date.is_not_null());
        query = if overdue {
            query.filter(late)
        } else {
            query.filter(not(late))
        };
    }
    if let Some(Timestamp(since)) = filter.updated_since {
        query = query.filter(payments::updated_at.ge(since));
    }
    let (after, descending) = (list.after_time(), list.descending);
    match list.sort {
        PaymentSort::CreatedAt => {
            keyset!(query, payments::created_at, payments::id, after, descending)
        }
        PaymentSort::UpdatedAt => {
            keyset!(query, payments::updated_at, payments::id, after, descending)
        }
        PaymentSort::DueDate => {
            let after = after.map(|(at, id)| (at.date(), id));
            keyset!(query, due_date_key(), payments::id, after, descending)
        }
    }
    query.limit(list.fetch_limit()).load(conn)
}

/// The due date as the list orders it: a payment without one after all others (the same
/// date as `dto::no_due_date`). SQLite keeps dates as `YYYY-MM-DD` text, which the
/// literal matches; PostgreSQL reads the literal as a date.
fn due_date_key() -> diesel::expression::SqlLiteral<diesel::sql_types::Date> {
    sql::<diesel::sql_types::Date>("COALESCE(payments.due_date, '9999-12-31')")
}

/// The account's payments in `currency` summed by `(status, direction)`, in one query.
/// Cast to BIGINT on both backends: PostgreSQL's `SUM(bigint)` is `numeric`, SQLite's an
/// integer.
pub fn sums(
    conn: &mut DbConn,
    account_id: i64,
    currency: &str,
) -> QueryResult<Vec<(String, String, i64)>> {
    payments::table
        .filter(payments::account_id.eq(account_id))
        .filter(payments::currency.eq(currency))
        .group_by((payments::status, payments::direction))
        .select((
            payments::status,
            payments::direction,
            sql::<BigInt>("CAST(SUM(payments.amount_minor) AS BIGINT)"),
        ))
        .load(conn)
}

/// A contract as a payment's reference needs it: its client, its account, its status.
pub fn contract(
    conn: &mut DbConn,
    id: i64,
    visibility: Visibility,
) -> QueryResult<Option<(i64, Option<i64>, String)>> {
    let mut query = contracts::table
        .find(id)
        .select((
            contracts::client_id,
            contracts::account_id,
            contracts::status,
        ))
        .into_boxed();
    if let Some(visible) = scope::contract(visibility) {
        query = query.filter(visible);
    }
    query.first(conn).optional()
}

/// Gives a payment just inserted, in the same transaction, the approval opened on it.
/// Its version stays 1: the payment is as requested, and its approval is on that version.
pub fn set_approval(conn: &mut DbConn, id: i64, approval_id: i64) -> QueryResult<Payment> {
    diesel::update(payments::table.find(id))
        .set(payments::approval_id.eq(approval_id))
        .returning(COLUMNS)
        .get_result(conn)
}
