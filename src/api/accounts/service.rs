//! Account and team operations. Reads go through the caller's visibility, so an account
//! outside their assignments is "not found" — for reads, changes and its team alike.

use serde_json::json;

use super::dto::{
    Account, AccountAction, AccountCreate, AccountStatus, AccountUpdate, AccountView,
    TeamAssignment, TeamMember,
};
use super::repo::{self, AccountColumns};
use crate::api::{clients, staff};
use crate::audit::{self, Actor, Subject};
use crate::auth::{Caller, Permission, Visibility};
use crate::db::{self, DbConn, RowKey};
use crate::error::{ApiError, ErrorCode};
use crate::rest::record::IfMatch;
use crate::time::now;
use crate::versioned;

const ACTIONS: &[(AccountAction, Permission)] = &[
    (AccountAction::Update, Permission::AccountsWrite),
    (AccountAction::Delete, Permission::AccountsWrite),
    (AccountAction::Assign, Permission::AccountsAssign),
];

fn not_found(id: i64) -> ApiError {
    ApiError::not_found(&what(id))
}

/// The account if `visibility` reaches it; otherwise exactly what a missing one gives.
pub fn find(conn: &mut DbConn, id: i64, visibility: Visibility) -> Result<Account, ApiError> {
    repo::find(conn, id, visibility)?.ok_or_else(|| not_found(id))
}

/// What `caller` may do with each of `accounts`, for a whole page at once. `found_under` is
/// the visibility they were just read with (see `Caller::allowed_actions`); after a write,
/// pass `Visibility::All`: the write may have changed the answer.
pub fn views(
    conn: &mut DbConn,
    caller: &Caller,
    found_under: Visibility,
    accounts: Vec<Account>,
) -> Result<Vec<AccountView>, ApiError> {
    let assigned = Visibility::Assigned(caller.staff_id);
    Ok(caller.with_allowed_actions(
        ACTIONS,
        found_under,
        accounts,
        |account| account.id,
        |ids| repo::visible_ids(conn, ids, assigned),
        |account, allowed_actions| AccountView {
            account,
            allowed_actions,
        },
    )?)
}

/// One account with what `caller` may do with it (see [`views`]).
pub fn view(
    conn: &mut DbConn,
    caller: &Caller,
    found_under: Visibility,
    account: Account,
) -> Result<AccountView, ApiError> {
    let mut views = views(conn, caller, found_under, vec![account])?;
    Ok(views.remove(0))
}

pub fn get(
    conn: &mut DbConn,
    caller: &Caller,
    visibility: Visibility,
    id: i64,
) -> Result<AccountView, ApiError> {
    let account = find(conn, id, visibility)?;
    view(conn, caller, visibility, account)
}

fn unique_conflict(e: diesel::result::Error) -> ApiError {
    ApiError::from_unique_index(
        e,
        &[
            (
                "name_key",
                "name",
                "the client already has an account with this name",
            ),
            (
                "external_ref",
                "external_ref",
                "an account with this external_ref already exists",
            ),
        ],
    )
}

fn ensure_unique(
    conn: &mut DbConn,
    account: &Account,
    except: Option<i64>,
) -> Result<(), ApiError> {
    if repo::name_taken(conn, account.client_id, &account.name, except)? {
        return Err(ApiError::duplicate(
            "name",
            format!(
                "client {} already has an account named {:?}",
                account.client_id, account.name
            ),
        ));
    }
    if let Some(external_ref) = &account.external_ref {
        if repo::external_ref_taken(conn, external_ref, except)? {
            return Err(ApiError::duplicate(
                "external_ref",
                format!("an account with external_ref {external_ref:?} already exists"),
            ));
        }
    }
    Ok(())
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
        ensure_unique(conn, &draft, None)?;
        let row = repo::insert(conn, draft.client_id, &AccountColumns::from(&draft), at)
            .map_err(unique_conflict)?;
        let account = repo::to_account(row)?;
        audit::write(
            conn,
            &Actor::from(caller),
            "create",
            Subject::account(account.id, account.client_id),
            None::<&Account>,
            Some(&account),
        )?;
        Ok::<_, ApiError>(account)
    })?;
    // A new account was not read under any visibility: ask, if a grant needs it.
    view(conn, caller, Visibility::All, account)
}

/// Reads the account for a change: locked until the transaction ends, within the caller's
/// visibility.
fn find_for_change(
    conn: &mut DbConn,
    id: i64,
    visibility: Visibility,
) -> Result<Account, ApiError> {
    versioned::find_for_change(conn, "accounts", RowKey::Id(id), &what(id), |conn| {
        repo::find(conn, id, visibility)
    })
}

fn what(id: i64) -> String {
    format!("account {id}")
}

pub fn update(
    conn: &mut DbConn,
    caller: &Caller,
    visibility: Visibility,
    id: i64,
    if_match: &IfMatch,
    patch: AccountUpdate,
) -> Result<AccountView, ApiError> {
    let account = db::write_tx(conn, |conn| {
        let before = find_for_change(conn, id, visibility)?;
        if_match.check(before.version)?;
        let mut after = before.clone();
        patch.apply_to(&mut after);
        after.name = after.name.trim().to_owned();
        if after == before {
            return Ok(before);
        }
        if let Some(manager_id) = after.manager_id.filter(|m| Some(*m) != before.manager_id) {
            ensure_active_staff(conn, "manager_id", manager_id)?;
        }
        ensure_unique(conn, &after, Some(id))?;
        let columns = AccountColumns::from(&after);
        let row = repo::update(conn, id, before.version, &columns, now());
        let row = versioned::written(&what(id), row.map_err(unique_conflict)?)?;
        let updated = repo::to_account(row)?;
        audit::write(
            conn,
            &Actor::from(caller),
            "update",
            Subject::account(id, updated.client_id),
            Some(&before),
            Some(&updated),
        )?;
        Ok::<_, ApiError>(updated)
    })?;
    // After a write, ask afresh (see `view`): a new manager can take the account away.
    view(conn, caller, Visibility::All, account)
}

/// Deleting removes the team with the account; anything else referring to it (briefs,
/// contracts, payments) makes it a 409: close the account instead.
pub fn delete(
    conn: &mut DbConn,
    caller: &Caller,
    visibility: Visibility,
    id: i64,
    if_match: &IfMatch,
) -> Result<(), ApiError> {
    db::write_tx(conn, |conn| {
        let before = find_for_change(conn, id, visibility)?;
        if_match.check(before.version)?;
        // The team goes with the account; the feed says so, member by member.
        for member in repo::team(conn, id)? {
            audit::write(
                conn,
                &Actor::from(caller),
                "unassign",
                Subject::team_member(id, before.client_id, member.staff_id),
                Some(&member_summary(&member)),
                None::<&serde_json::Value>,
            )?;
        }
        versioned::deleted(
            &what(id),
            repo::delete(conn, id, before.version),
            "while other records refer to it; set its status to closed instead",
        )?;
        audit::write(
            conn,
            &Actor::from(caller),
            "delete",
            Subject::account(id, before.client_id),
            Some(&before),
            None::<&Account>,
        )?;
        Ok(())
    })
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
        db::lock_row(conn, "accounts", RowKey::Id(account_id))?;
        let account = find(conn, account_id, visibility)?;
        // A deactivated member stays on the team as history, but is not assigned anew.
        ensure_active_staff(conn, "staff_id", staff_id)?;
        let before = repo::member(conn, account_id, staff_id)?;
        let at = now();
        match &before {
            Some(member) if member.role_on_account == role => return Ok((member.clone(), false)),
            Some(_) => repo::set_member_role(conn, account_id, staff_id, &role, at)?,
            None => repo::add_member(conn, account_id, staff_id, &role, at)?,
        }
        let after =
            repo::member(conn, account_id, staff_id)?.ok_or_else(|| not_found(account_id))?;
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
        db::lock_row(conn, "accounts", RowKey::Id(account_id))?;
        let account = find(conn, account_id, visibility)?;
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
