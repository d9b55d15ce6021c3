use diesel::dsl::{exists, not};
use diesel::prelude::*;

use super::dto::{
    today, Contract, ContractFilter, ContractLifecycle, ContractSort, ContractStatus,
};
use crate::auth::Visibility;
use crate::db::schema::contracts;
use crate::db::sql::{columns, keyset, like_pattern, lower, scoped_reads, versioned_writes};
use crate::db::DbConn;
use crate::rest::list::ListQuery;
use crate::scope;
use crate::time::Timestamp;

columns!(
    /// Every column, in the field order of `ContractRow`, read as a [`Contract`].
    COLUMNS: Columns = (
        contracts::id,
        contracts::client_id,
        contracts::account_id,
        contracts::title,
        contracts::kind,
        contracts::start_date,
        contracts::end_date,
        contracts::value_amount_minor,
        contracts::value_currency,
        contracts::auto_renew,
        contracts::notice_days,
        contracts::renewal_term_months,
        contracts::notice_deadline,
        contracts::status,
        contracts::renewal_of,
        contracts::terminated_on,
        contracts::termination_reason,
        contracts::external_ref,
        contracts::approval_id,
        contracts::created_by,
        contracts::version,
        contracts::created_at,
        contracts::updated_at,
    )
);

/// The columns that change with a contract's terms or state; written on insert and on
/// every update. `notice_deadline` is the record's, derived from its own end date.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = contracts, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct ContractColumns<'a> {
    pub title: &'a str,
    pub kind: &'a str,
    pub start_date: chrono::NaiveDate,
    pub end_date: Option<chrono::NaiveDate>,
    pub value_amount_minor: i64,
    pub value_currency: &'a str,
    pub auto_renew: bool,
    pub notice_days: i32,
    pub renewal_term_months: Option<i32>,
    pub notice_deadline: Option<chrono::NaiveDate>,
    pub status: &'a str,
    pub terminated_on: Option<chrono::NaiveDate>,
    pub termination_reason: Option<&'a str>,
    pub external_ref: Option<&'a str>,
    pub approval_id: Option<i64>,
}

impl<'a> From<&'a Contract> for ContractColumns<'a> {
    fn from(c: &'a Contract) -> Self {
        ContractColumns {
            title: &c.title,
            kind: c.kind.as_str(),
            start_date: c.start_date,
            end_date: c.end_date,
            value_amount_minor: c.value.amount_minor,
            value_currency: &c.value.currency,
            auto_renew: c.auto_renew,
            notice_days: c.notice_days,
            renewal_term_months: c.renewal_term_months,
            notice_deadline: super::dto::notice_deadline(c.end_date, c.notice_days),
            status: c.status.as_str(),
            terminated_on: c.terminated_on,
            termination_reason: c.termination_reason.as_deref(),
            external_ref: c.external_ref.as_deref(),
            approval_id: c.approval_id,
        }
    }
}

/// A new contract: whose it is, what it renews and who wrote it, which never change.
#[derive(Insertable)]
#[diesel(table_name = contracts, treat_none_as_default_value = false)]
pub struct NewContract<'a> {
    pub client_id: i64,
    pub account_id: Option<i64>,
    pub renewal_of: Option<i64>,
    pub created_by: i64,
    #[diesel(embed)]
    pub columns: ContractColumns<'a>,
}

scoped_reads!(contracts, COLUMNS -> Contract, scope::contract, external_ref);

versioned_writes!(
    contracts,
    COLUMNS -> Contract,
    insert: NewContract<'_>,
    update: ContractColumns<'_>,
    delete
);

/// Whether another contract renews `id` (whatever its state): a contract something refers
/// to is history, not deleted.
pub fn has_renewals(conn: &mut DbConn, id: i64) -> QueryResult<bool> {
    diesel::select(exists(
        contracts::table.filter(contracts::renewal_of.eq(id)),
    ))
    .get_result(conn)
}

/// One page, filtered and ordered in SQL; fetches `list.fetch_limit()` rows.
pub fn list(
    conn: &mut DbConn,
    visibility: Visibility,
    list: &ListQuery<ContractFilter, ContractSort>,
) -> QueryResult<Vec<Contract>> {
    let filter = &list.filter;
    let mut query = contracts::table.select(COLUMNS).into_boxed();
    if let Some(visible) = scope::contracts(visibility) {
        query = query.filter(visible);
    }
    if let Some(client_id) = filter.client_id {
        query = query.filter(contracts::client_id.eq(client_id));
    }
    if let Some(account_id) = filter.account_id {
        query = query.filter(contracts::account_id.eq(account_id));
    }
    if let Some(status) = filter.status {
        query = query.filter(contracts::status.eq(status.as_str()));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(contracts::kind.eq(kind.as_str()));
    }
    if let Some(renewal_of) = filter.renewal_of {
        query = query.filter(contracts::renewal_of.eq(renewal_of));
    }
    if let Some(q) = &filter.q {
        query = query.filter(lower(contracts::title).like(like_pattern(q)).escape('\\'));
    }
    if let Some(Timestamp(since)) = filter.updated_since {
        query = query.filter(contracts::updated_at.ge(since));
    }
    if let Some(day) = filter.ending_before {
        query = query.filter(contracts::end_date.lt(day));
    }
    if let Some(day) = filter.notice_before {
        // The successor is another row of the same table: an alias.
        let successors = diesel::alias!(contracts as successors);
        let active_successor = successors
            .filter(
                successors
                    .field(contracts::renewal_of)
                    .eq(contracts::id.nullable()),
            )
            .filter(
                successors
                    .field(contracts::status)
                    .eq(ContractStatus::Active.as_str()),
            );
        query = query
            .filter(contracts::notice_deadline.lt(day))
            .filter(contracts::status.eq(ContractStatus::Active.as_str()))
            .filter(not(exists(active_successor)));
    }
    if let Some(lifecycle) = filter.lifecycle {
        // The same rule as `ContractLifecycle::on`, as conditions on the dates against today.
        let today = today();
        query = match lifecycle {
            ContractLifecycle::Upcoming => query.filter(contracts::start_date.gt(today)),
            ContractLifecycle::Expired => query
                .filter(contracts::start_date.le(today))
                .filter(contracts::end_date.lt(today)),
            ContractLifecycle::InNotice => query
                .filter(contracts::start_date.le(today))
                .filter(contracts::end_date.ge(today))
                .filter(contracts::notice_deadline.le(today)),
            ContractLifecycle::Running => query
                .filter(contracts::start_date.le(today))
                .filter(
                    contracts::end_date
                        .is_null()
                        .or(contracts::end_date.ge(today)),
                )
                .filter(
                    contracts::notice_deadline
                        .is_null()
                        .or(contracts::notice_deadline.gt(today)),
                ),
        };
    }
    let descending = list.descending;
    match list.sort {
        ContractSort::Title => {
            keyset!(
                query,
                contracts::title,
                contracts::id,
                list.after_text(),
                descending
            )
        }
        ContractSort::CreatedAt => {
            keyset!(
                query,
                contracts::created_at,
                contracts::id,
                list.after_time(),
                descending
            )
        }
        ContractSort::UpdatedAt => {
            keyset!(
                query,
                contracts::updated_at,
                contracts::id,
                list.after_time(),
                descending
            )
        }
        // Ordered by a date, a list holds the contracts that have it: both backends then
        // agree on the order, and the index on (date, id) serves it.
        ContractSort::NoticeDeadline => {
            query = query.filter(contracts::notice_deadline.is_not_null());
            let after = list.after_date();
            keyset!(
                query,
                contracts::notice_deadline,
                contracts::id,
                after,
                descending
            )
        }
        ContractSort::EndDate => {
            query = query.filter(contracts::end_date.is_not_null());
            let after = list.after_date();
            keyset!(query, contracts::end_date, contracts::id, after, descending)
        }
    }
    query.limit(list.fetch_limit()).load(conn)
}

/// The client's first account (lowest id), under which a client-wide contract's approval
/// is filed.
pub fn first_account_of(conn: &mut DbConn, client_id: i64) -> QueryResult<Option<i64>> {
    use crate::db::schema::accounts;
    accounts::table
        .filter(accounts::client_id.eq(client_id))
        .select(accounts::id)
        .order(accounts::id.asc())
        .first(conn)
        .optional()
}
