use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::dto::{Account, AccountFilter, TeamMember};
use crate::auth::Visibility;
use crate::db::schema::{account_team, accounts, staff};
use crate::db::sql::{
    columns, keyset_by_name_or_time, like_pattern, name_key, scoped_reads, versioned_writes,
};
use crate::db::DbConn;
use crate::rest::list::{ByNameOrTime, ListQuery};
use crate::scope;
use crate::time::Timestamp;

columns!(
    /// Every column but `name_key`, in the field order of `AccountRow`, read as an [`Account`].
    COLUMNS: Columns = (
        accounts::id,
        accounts::client_id,
        accounts::name,
        accounts::status,
        accounts::manager_id,
        accounts::budget_amount_minor,
        accounts::budget_currency,
        accounts::threshold_amount_minor,
        accounts::threshold_currency,
        accounts::external_ref,
        accounts::version,
        accounts::created_at,
        accounts::updated_at,
    )
);

/// The columns an account's owner can change; written on insert and on every update.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = accounts, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct AccountColumns<'a> {
    pub name: &'a str,
    pub name_key: String,
    pub status: &'a str,
    pub manager_id: Option<i64>,
    pub budget_amount_minor: Option<i64>,
    pub budget_currency: Option<&'a str>,
    pub threshold_amount_minor: Option<i64>,
    pub threshold_currency: Option<&'a str>,
    pub external_ref: Option<&'a str>,
}

impl<'a> From<&'a Account> for AccountColumns<'a> {
    fn from(a: &'a Account) -> Self {
        AccountColumns {
            name: &a.name,
            name_key: name_key(&a.name),
            status: a.status.as_str(),
            manager_id: a.manager_id,
            budget_amount_minor: a.budget.as_ref().map(|m| m.amount_minor),
            budget_currency: a.budget.as_ref().map(|m| m.currency.as_str()),
            threshold_amount_minor: a
                .payment_approval_threshold
                .as_ref()
                .map(|m| m.amount_minor),
            threshold_currency: a
                .payment_approval_threshold
                .as_ref()
                .map(|m| m.currency.as_str()),
            external_ref: a.external_ref.as_deref(),
        }
    }
}

/// A new account: its client, which never changes, and the columns that do.
#[derive(Insertable)]
#[diesel(table_name = accounts, treat_none_as_default_value = false)]
pub struct NewAccount<'a> {
    pub client_id: i64,
    #[diesel(embed)]
    pub columns: AccountColumns<'a>,
}

scoped_reads!(accounts, COLUMNS -> Account, scope::account, external_ref);

versioned_writes!(
    accounts,
    COLUMNS -> Account,
    insert: NewAccount<'_>,
    update: AccountColumns<'_>,
    delete
);

/// Accounts are listed by name or by time.
pub type AccountSort = ByNameOrTime<Account>;

/// One page, filtered (scope included) and ordered in SQL; fetches `page.fetch_limit()` rows.
pub fn list(
    conn: &mut DbConn,
    visibility: Visibility,
    list: &ListQuery<AccountFilter, AccountSort>,
) -> QueryResult<Vec<Account>> {
    let filter = &list.filter;
    let mut query = accounts::table.select(COLUMNS).into_boxed();
    if let Some(visible) = scope::accounts(visibility) {
        query = query.filter(visible);
    }
    if let Some(client_id) = filter.client_id {
        query = query.filter(accounts::client_id.eq(client_id));
    }
    if let Some(status) = filter.status {
        query = query.filter(accounts::status.eq(status.as_str()));
    }
    if let Some(manager_id) = filter.manager_id {
        query = query.filter(accounts::manager_id.eq(manager_id));
    }
    if let Some(q) = &filter.q {
        query = query.filter(accounts::name_key.like(like_pattern(q)).escape('\\'));
    }
    if let Some(Timestamp(since)) = filter.updated_since {
        query = query.filter(accounts::updated_at.ge(since));
    }
    keyset_by_name_or_time!(query, accounts, list);
    query.limit(list.fetch_limit()).load(conn)
}

/// Every account `staff_id` manages or is on the team of, by name.
pub fn assigned_to(conn: &mut DbConn, staff_id: i64) -> QueryResult<Vec<Account>> {
    let mut query = accounts::table
        .select(COLUMNS)
        .order((accounts::name.asc(), accounts::id.asc()))
        .into_boxed();
    if let Some(visible) = scope::accounts(Visibility::Assigned(staff_id)) {
        query = query.filter(visible);
    }
    query.load(conn)
}

// ---------------------------------------------------------------------------------------
// Teams

columns!(
    MEMBER_COLUMNS: MemberColumns = (
        account_team::staff_id,
        staff::full_name,
        staff::email,
        staff::active,
        account_team::role_on_account,
        account_team::created_at,
        account_team::updated_at,
    )
);

pub fn team(conn: &mut DbConn, account_id: i64) -> QueryResult<Vec<TeamMember>> {
    account_team::table
        .inner_join(staff::table)
        .filter(account_team::account_id.eq(account_id))
        .select(MEMBER_COLUMNS)
        .order((staff::full_name.asc(), staff::id.asc()))
        .load(conn)
}

pub fn member(
    conn: &mut DbConn,
    account_id: i64,
    staff_id: i64,
) -> QueryResult<Option<TeamMember>> {
    account_team::table
        .inner_join(staff::table)
        .filter(account_team::account_id.eq(account_id))
        .filter(account_team::staff_id.eq(staff_id))
        .select(MEMBER_COLUMNS)
        .first(conn)
        .optional()
}

/// The roles `staff_id` holds on teams, by account id.
pub fn roles_on_teams(conn: &mut DbConn, staff_id: i64) -> QueryResult<Vec<(i64, String)>> {
    account_team::table
        .filter(account_team::staff_id.eq(staff_id))
        .select((account_team::account_id, account_team::role_on_account))
        .load(conn)
}

/// One staff member's place on one account's team.
#[derive(Insertable)]
#[diesel(table_name = account_team)]
pub struct Membership<'a> {
    pub account_id: i64,
    pub staff_id: i64,
    pub role_on_account: &'a str,
}

pub fn add_member(conn: &mut DbConn, member: &Membership, at: NaiveDateTime) -> QueryResult<()> {
    diesel::insert_into(account_team::table)
        .values((
            member,
            account_team::created_at.eq(at),
            account_team::updated_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn set_member_role(
    conn: &mut DbConn,
    member: &Membership,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(account_team::table.find((member.account_id, member.staff_id)))
        .set((
            account_team::role_on_account.eq(member.role_on_account),
            account_team::updated_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn remove_member(conn: &mut DbConn, account_id: i64, staff_id: i64) -> QueryResult<bool> {
    diesel::delete(
        account_team::table
            .filter(account_team::account_id.eq(account_id))
            .filter(account_team::staff_id.eq(staff_id)),
    )
    .execute(conn)
    .map(|n| n == 1)
}

/// The accounts an import's lines name, by id or by `external_ref`, whoever can see them.
pub fn by_keys(conn: &mut DbConn, ids: &[i64], refs: &[&str]) -> QueryResult<Vec<Account>> {
    // Two lookups, each on its own index, rather than one with OR (see
    // `db::prefer_index_lookups`); a record both name is read twice and kept once.
    let mut found: Vec<Account> = Vec::new();
    if !ids.is_empty() {
        found = accounts::table
            .select(COLUMNS)
            .filter(accounts::id.eq_any(ids))
            .load(conn)?;
    }
    if !refs.is_empty() {
        let by_ref: Vec<Account> = accounts::table
            .select(COLUMNS)
            .filter(accounts::external_ref.eq_any(refs))
            .load(conn)?;
        for row in by_ref {
            if !found.iter().any(|f| f.id == row.id) {
                found.push(row);
            }
        }
    }
    Ok(found)
}

/// Of the accounts of `clients`, those named by one of `keys` (`name_key`s): each
/// `(client_id, name_key, id)`.
pub fn names_taken(
    conn: &mut DbConn,
    clients: &[i64],
    keys: &[&str],
) -> QueryResult<Vec<(i64, String, i64)>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    accounts::table
        .select((accounts::client_id, accounts::name_key, accounts::id))
        .filter(accounts::client_id.eq_any(clients))
        .filter(accounts::name_key.eq_any(keys))
        .load(conn)
}

/// Inserts every one of `new` in one statement per backend (a multi-row insert does not
/// compile through the connection enum), returning the rows.
pub fn insert_many(
    conn: &mut DbConn,
    new: Vec<NewAccount<'_>>,
    at: NaiveDateTime,
) -> QueryResult<Vec<Account>> {
    let rows: Vec<_> = new
        .into_iter()
        .map(|new| {
            (
                new,
                accounts::version.eq(1),
                accounts::created_at.eq(at),
                accounts::updated_at.eq(at),
            )
        })
        .collect();
    let insert = diesel::insert_into(accounts::table).values(rows);
    match conn {
        DbConn::Pg(conn) => insert.returning(COLUMNS).get_results(conn),
        DbConn::Sqlite(conn) => insert.returning(COLUMNS).get_results(conn),
    }
}
