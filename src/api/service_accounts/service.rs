//! Service account operations. Giving a role and managing an account holding one follow
//! the staff rules (`auth::grants`): nobody makes, changes or takes the secret of a
//! service account whose role reaches beyond their own grants.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::dto::{
    ServiceAccount, ServiceAccountCreate, ServiceAccountUpdate, ServiceAccountWithSecret,
};
use super::repo;
use crate::api::staff::dto::StaffKind;
use crate::api::staff::repo::{self as staff_repo, NewStaff, StaffChanges};
use crate::audit::{self, Actor, Subject};
use crate::auth::grants::{self, ensure_may_give, ensure_may_manage, ensure_role};
use crate::auth::{password, Caller};
use crate::db::{self, DbConn, RowKey};
use crate::error::ApiError;
use crate::rest::body::merge;
use crate::rest::record::IfMatch;
use crate::time::now;
use crate::versioned;

pub const RESOURCE: &str = "service_accounts";

/// Where generated addresses live: `.invalid` is reserved (RFC 2606), so no mail goes
/// there, and the password grant never reads service accounts anyway.
const EMAIL_DOMAIN: &str = "service-accounts.invalid";

/// Not an Argon2 hash, so no password ever matches it.
const NO_PASSWORD: &str = "!service-account";

fn what(id: i64) -> String {
    format!("service account {id}")
}

pub fn get(conn: &mut DbConn, id: i64) -> Result<ServiceAccount, ApiError> {
    repo::find(conn, id)?.ok_or_else(|| ApiError::not_found(&what(id)))
}

/// `sa_` and 32 lower-case hex digits: safe in a URL, a form and HTTP Basic (no `:`).
fn new_client_id() -> String {
    let hex: String = crate::random::bytes(16)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sa_{hex}")
}

/// 256 random bits, base64url: nothing to guess, so one try per request is no risk.
fn new_secret() -> Result<(String, String), ApiError> {
    let secret = URL_SAFE_NO_PAD.encode(crate::random::bytes(32));
    let hash = password::hash(&secret)
        .map_err(|e| ApiError::internal(format!("secret hashing failed: {e}")))?;
    Ok((secret, hash))
}

pub fn create(
    conn: &mut DbConn,
    caller: &Caller,
    input: ServiceAccountCreate,
) -> Result<ServiceAccountWithSecret, ApiError> {
    let (secret, hash) = new_secret()?;
    let client_id = new_client_id();
    let email = format!("{client_id}@{EMAIL_DOMAIN}");
    db::write_tx(conn, |conn| {
        ensure_role(conn, &input.role)?;
        ensure_may_give(conn, caller, None, &input.role)?;
        let at = now();
        let staff = staff_repo::insert(
            conn,
            &NewStaff {
                email: &email,
                full_name: input.name.trim(),
                role: &input.role,
                reports_to: None,
                password_hash: NO_PASSWORD,
                active: true,
                kind: StaffKind::Service.as_str(),
            },
            at,
        )?;
        repo::insert_credentials(conn, staff.id, &client_id, &hash, at)?;
        let account = get(conn, staff.id)?;
        audit::created(
            conn,
            &Actor::from(caller),
            Subject::new(RESOURCE, account.id),
            &account,
        )?;
        Ok(ServiceAccountWithSecret {
            account,
            client_secret: secret,
        })
    })
}

pub fn update(
    conn: &mut DbConn,
    caller: &Caller,
    id: i64,
    if_match: &IfMatch,
    patch: ServiceAccountUpdate,
) -> Result<ServiceAccount, ApiError> {
    db::write_tx(conn, |conn| {
        let before =
            versioned::find_for_change(conn, "staff", RowKey::Id(id), &what(id), |conn| {
                repo::find(conn, id)
            })?;
        let mut after = before.clone();
        merge(&mut after.name, &patch.name);
        after.name = after.name.trim().to_owned();
        merge(&mut after.role, &patch.role);
        merge(&mut after.active, &patch.active);
        grants::ensure_may_reassign(
            conn,
            caller,
            id,
            (&before.role, before.active),
            (&after.role, after.active),
        )?;
        if_match.check(before.version)?;
        if after == before {
            return Ok(before);
        }
        write(conn, &before, &after.name, &after.role, after.active)?;
        let field = if after.role != before.role {
            "role"
        } else {
            "active"
        };
        grants::ensure_administrable(conn, field)?;
        let updated = get(conn, id)?;
        audit::write(
            conn,
            &Actor::from(caller),
            "update",
            Subject::new(RESOURCE, id),
            Some(&before),
            Some(&updated),
        )?;
        Ok(updated)
    })
}

/// A new secret, shown once; the old one fails from the commit on. Taking a secret is
/// taking the account's powers, so it is held to the rule for managing its role.
pub fn rotate_secret(
    conn: &mut DbConn,
    caller: &Caller,
    id: i64,
) -> Result<ServiceAccountWithSecret, ApiError> {
    let (secret, hash) = new_secret()?;
    db::write_tx(conn, |conn| {
        let before =
            versioned::find_for_change(conn, "staff", RowKey::Id(id), &what(id), |conn| {
                repo::find(conn, id)
            })?;
        ensure_may_manage(conn, caller, &before.role)?;
        let at = now();
        repo::replace_secret(conn, id, &hash, at)?;
        // A new version: the representation (secret_rotated_at) changed.
        write(conn, &before, &before.name, &before.role, before.active)?;
        let account = get(conn, id)?;
        audit::write(
            conn,
            &Actor::from(caller),
            "rotate_secret",
            Subject::new(RESOURCE, id),
            Some(&before),
            Some(&account),
        )?;
        Ok(ServiceAccountWithSecret {
            account,
            client_secret: secret,
        })
    })
}

/// The staff row's conditional write, at the version read.
fn write(
    conn: &mut DbConn,
    before: &ServiceAccount,
    name: &str,
    role: &str,
    active: bool,
) -> Result<(), ApiError> {
    let changes = StaffChanges {
        full_name: name,
        role,
        active,
        reports_to: staff_repo::manager_of(conn, before.id)?,
    };
    versioned::written(
        &what(before.id),
        staff_repo::update(conn, before.id, before.version, &changes, now())?,
    )?;
    Ok(())
}
