//! Account and team operations. Reads go through the caller's visibility, so an account
//! outside their assignments is "not found" — for reads, changes and its team alike.

use diesel::QueryResult;
use serde_json::json;

use super::dto::{
    Account, AccountAction, AccountCreate, AccountFilter, AccountStatus, AccountView,
    TeamAssignment, TeamMember,
};
use super::repo::{self, AccountColumns, AccountSort, Membership, NewAccount};
use crate::api::{clients, staff};
use crate::audit::{self, Actor, Subject};
use crate::auth::{Caller, Permission, Visibility};
use crate::db::{self, DbConn};
use crate::error::{ApiError, ErrorCode};
use crate::resource::{self, Changed, Listed, Scoped};
use crate::rest::list::ListQuery;
use crate::time::now;

impl Scoped for Account {
    const NOUN: &'static str = "account";
    const TABLE: &'static str = "accounts";
    type Action = AccountAction;
    type View = AccountView;
    const ACTIONS: &'static [(AccountAction, Permission)] = &[
        (AccountAction::Update, Permission::AccountsWrite),
        (AccountAction::Delete, Permission::AccountsWrite),
        (AccountAction::Assign, Permission::AccountsAssign),
    ];

    resource::scoped_reads_from!(repo);

    fn view(self, allowed_actions: Vec<AccountAction>) -> AccountView {
        AccountView {
            account: self,
            allowed_actions,
        }
    }
}

impl Changed for Account {
    fn version(&self) -> i32 {
        self.version
    }

    fn subject(&self) -> Subject {
        Subject::account(self.id, self.client_id)
    }

    /// A new manager must be active; an unchanged one may have been deactivated since.
    /// (Uniqueness is the write's own check: see `unique_conflict`.)
    fn check(conn: &mut DbConn, before: &Self, after: &Self) -> Result<(), ApiError> {
        if let Some(manager_id) = after.manager_id.filter(|m| Some(*m) != before.manager_id) {
            ensure_active_staff(conn, "manager_id", manager_id)?;
        }
        Ok(())
    }

    fn write(conn: &mut DbConn, before: &Self, after: &Self) -> Result<Option<Self>, ApiError> {
        let columns = AccountColumns::from(after);
        repo::update(conn, before.id, before.version, &columns, now())
            .map_err(unique_conflict(after))
    }

    fn delete(conn: &mut DbConn, id: i64, version: i32) -> QueryResult<bool> {
        repo::delete(conn, id, version)
    }

    /// Anything but the team referring to the account (briefs, contracts, payments).
    const DELETE_BLOCKED: &'static str =
        "while other records refer to it; set its status to closed instead";

    /// The team goes with the account; the feed says so, member by member.
    fn before_delete(&self, conn: &mut DbConn, caller: &Caller) -> Result<(), ApiError> {
        for member in repo::team(conn, self.id)? {
            audit::write(
                conn,
                &Actor::from(caller),
                "unassign",
                Subject::team_member(self.id, self.client_id, member.staff_id),
                Some(&member_summary(&member)),
                None::<&serde_json::Value>,
            )?;
        }
        Ok(())
    }
}

impl Listed for Account {
    type Filter = AccountFilter;
    type Sort = AccountSort;

    fn list(
        conn: &mut DbConn,
        visibility: Visibility,
        query: &ListQuery<AccountFilter, AccountSort>,
    ) -> QueryResult<Vec<Self>> {
        repo::list(conn, visibility, query)
    }
}

fn find(conn: &mut DbConn, id: i64, visibility: Visibility) -> Result<Account, ApiError> {
    resource::find(conn, id, visibility)
}

fn what(id: i64) -> String {
    resource::what::<Account>(id)
}

/// The unique index that refused `account`, on its field: names are unique within the
/// client, external references across all accounts. The insert or update itself is the
/// check, so no race slips between a check and the write.
fn unique_conflict(account: &Account) -> impl FnOnce(diesel::result::Error) -> ApiError + '_ {
    move |e| {
        let name = format!(
            "client {} already has an account named {:?}",
            account.client_id, account.name
        );
        let external_ref = format!(
            "an account with external_ref {:?} already exists",
            account.external_ref.as_deref().unwrap_or_default()
        );
        ApiError::from_unique_index(
            e,
            &[
                ("name_key", "name", &name),
                ("external_ref", "external_ref", &external_ref),
            ],
        )
    }
}

/// A manager or team member must be an active staff member.
fn ensure_active_staff(conn: &mut DbConn, field: &str, staff_id: i64) -> Result<(), ApiError> {
    match staff::repo::find(conn, staff_id)? {
        Some(member) if member.active => Ok(()),
        Some(_) => Err(ApiError::invalid(
            field,
            ErrorCode::Inactive,
            format!("staff member {staff_id} is deactivated"),
        )),
        None => Err(ApiError::invalid(
            field,
            ErrorCode::Unknown,
            format!("there is no staff member {staff_id}"),
        )),
    }
}

/// Creating needs the client within reach of the caller's `accounts.write` scope: with
/// `assigned`, a client they already work for. Any other id reads as unknown.
pub fn create(
    conn: &mut DbConn,
    caller: &Caller,
    visibility: Visibility,
    input: AccountCreate,
) -> Result<AccountView, ApiError> {
    let at = now();
    let account = db::write_tx(conn, |conn| {
        if clients::repo::find(conn, input.client_id, visibility)?.is_none() {
            return Err(ApiError::invalid(
                "client_id",
                ErrorCode::Unknown,
                format!("there is no client {}", input.client_id),
            ));
        }
        let manager_id = input.manager_id.unwrap_or(caller.staff_id);
        ensure_active_staff(conn, "manager_id", manager_id)?;
        let draft = Account {
            id: 0,
            client_id: input.client_id,
            name: input.name.trim().to_owned(),
            status: input.status.unwrap_or(AccountStatus::Active),
            manager_id: Some(manager_id),
            budget: input.budget.clone(),
            payment_approval_threshold: input.payment_approval_threshold.clone(),
            external_ref: input.external_ref.clone(),
            version: 1,
            created_at: at,
            updated_at: at,
        };
        let new = NewAccount {
            client_id: draft.client_id,
            columns: AccountColumns::from(&draft),
        };
        let account = repo::insert(conn, &new, at).map_err(unique_conflict(&draft))?;
        audit::created(
            conn,
            &Actor::from(caller),
            Subject::account(account.id, account.client_id),
            &account,
        )?;
        Ok::<_, ApiError>(account)
    })?;
    // A new account was not read under any visibility: ask, if a grant needs it.
    resource::view(conn, caller, Visibility::All, account)
}

pub fn team(
    conn: &mut DbConn,
    visibility: Visibility,
    account_id: i64,
) -> Result<Vec<TeamMember>, ApiError> {
    find(conn, account_id, visibility)?;
    Ok(repo::team(conn, account_id)?)
}

/// Puts a staff member on the team with `role_on_account`: idempotent. Returns the member
/// and whether they were newly added.
pub fn assign(
    conn: &mut DbConn,
    caller: &Caller,
    visibility: Visibility,
    account_id: i64,
    staff_id: i64,
    input: TeamAssignment,
) -> Result<(TeamMember, bool), ApiError> {
    let role = input.role_on_account.trim().to_owned();
    db::write_tx(conn, |conn| {
        let account = resource::find_for_change::<Account>(conn, account_id, visibility)?;
        // A deactivated member stays on the team as history, but is not assigned anew.
        ensure_active_staff(conn, "staff_id", staff_id)?;
        let before = repo::member(conn, account_id, staff_id)?;
        let (at, place) = (
            now(),
            Membership {
                account_id,
                staff_id,
                role_on_account: &role,
            },
        );
        match &before {
            Some(member) if member.role_on_account == role => return Ok((member.clone(), false)),
            Some(_) => repo::set_member_role(conn, &place, at)?,
            None => repo::add_member(conn, &place, at)?,
        }
        let after = repo::member(conn, account_id, staff_id)?
            .ok_or_else(|| ApiError::not_found(&what(account_id)))?;
        audit::write(
            conn,
            &Actor::from(caller),
            "assign",
            Subject::team_member(account_id, account.client_id, staff_id),
            before.as_ref().map(member_summary).as_ref(),
            Some(&member_summary(&after)),
        )?;
        Ok((after, before.is_none()))
    })
}

/// One member of the account's team.
pub fn member(
    conn: &mut DbConn,
    visibility: Visibility,
    account_id: i64,
    staff_id: i64,
) -> Result<TeamMember, ApiError> {
    find(conn, account_id, visibility)?;
    repo::member(conn, account_id, staff_id)?.ok_or_else(|| not_on_team(account_id, staff_id))
}

fn not_on_team(account_id: i64, staff_id: i64) -> ApiError {
    ApiError::NotFound(format!(
        "staff member {staff_id} is not on account {account_id}'s team"
    ))
}

/// How a team membership appears in audit events.
fn member_summary(member: &TeamMember) -> serde_json::Value {
    json!({"staff_id": member.staff_id, "role_on_account": member.role_on_account})
}

pub fn unassign(
    conn: &mut DbConn,
    caller: &Caller,
    visibility: Visibility,
    account_id: i64,
    staff_id: i64,
) -> Result<(), ApiError> {
    db::write_tx(conn, |conn| {
        let account = resource::find_for_change::<Account>(conn, account_id, visibility)?;
        let member = repo::member(conn, account_id, staff_id)?
            .ok_or_else(|| not_on_team(account_id, staff_id))?;
        repo::remove_member(conn, account_id, staff_id)?;
        audit::write(
            conn,
            &Actor::from(caller),
            "unassign",
            Subject::team_member(account_id, account.client_id, staff_id),
            Some(&member_summary(&member)),
            None::<&serde_json::Value>,
        )?;
        Ok(())
    })
}
