//! Refresh tokens, so that a UI keeps its session without asking for the password again.
//!
//! Opaque (256 random bits), stored only as SHA-256 hashes, each usable once. Signing in
//! starts a family; each refresh spends its token and issues the next one in the family.
//! A token spent a second time means two holders — the user and a thief, or two tabs
//! racing — and revokes the whole family: both must sign in again. Signing out revokes the
//! family; deactivating a staff member revokes all of theirs.

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::schema::{refresh_tokens, staff};
use crate::db::{self, DbConn};
use crate::error::ApiError;
use crate::time::now;

/// A new refresh token, shown to its holder once.
pub struct Issued {
    pub token: String,
    pub expires_in: u64,
}

fn hash(token: &str) -> String {
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

fn later(at: NaiveDateTime, ttl: Duration) -> NaiveDateTime {
    at + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::MAX)
}

/// Issues a token for `staff_id` in `family` (a new family: `None`).
pub fn issue(
    conn: &mut DbConn,
    staff_id: i64,
    family: Option<&str>,
    ttl: Duration,
) -> QueryResult<Issued> {
    let token = URL_SAFE_NO_PAD.encode(crate::random::bytes(32));
    let family = family.map_or_else(
        || URL_SAFE_NO_PAD.encode(crate::random::bytes(16)),
        str::to_owned,
    );
    let at = now();
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::family.eq(&family),
            refresh_tokens::staff_id.eq(staff_id),
            refresh_tokens::token_hash.eq(hash(&token)),
            refresh_tokens::created_at.eq(at),
            refresh_tokens::expires_at.eq(later(at, ttl)),
            refresh_tokens::used_at.eq(None::<NaiveDateTime>),
            refresh_tokens::revoked_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(Issued {
        token,
        expires_in: ttl.as_secs(),
    })
}

#[derive(Queryable)]
struct Stored {
    id: i64,
    family: String,
    staff_id: i64,
    expires_at: NaiveDateTime,
    used_at: Option<NaiveDateTime>,
    revoked_at: Option<NaiveDateTime>,
}

/// What a refresh came to; revocations are committed whatever the answer.
enum Outcome {
    Rotated(i64, Issued),
    Refused(&'static str),
}

const INVALID: &str = "the refresh token is not valid; sign in again";

/// Spends `token` and issues the next of its family: the staff member it belongs to and
/// the new token, or 401.
pub fn rotate(conn: &mut DbConn, token: &str, ttl: Duration) -> Result<(i64, Issued), ApiError> {
    let outcome = db::write_tx(conn, |conn| {
        let Some(stored) = refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(hash(token)))
            .select((
                refresh_tokens::id,
                refresh_tokens::family,
                refresh_tokens::staff_id,
                refresh_tokens::expires_at,
                refresh_tokens::used_at,
                refresh_tokens::revoked_at,
            ))
            .first::<Stored>(conn)
            .optional()?
        else {
            return Ok(Outcome::Refused(INVALID));
        };
        let at = now();
        if stored.revoked_at.is_some() || stored.expires_at <= at {
            return Ok(Outcome::Refused(INVALID));
        }
        let active: Option<bool> = staff::table
            .find(stored.staff_id)
            .select(staff::active)
            .first(conn)
            .optional()?;
        if active != Some(true) {
            revoke_family(conn, &stored.family)?;
            return Ok(Outcome::Refused(INVALID));
        }
        // Spent only if still unspent: of concurrent refreshes with one token, one wins;
        // the others are a second use.
        let spent = stored.used_at.is_none()
            && diesel::update(
                refresh_tokens::table
                    .filter(refresh_tokens::id.eq(stored.id))
                    .filter(refresh_tokens::used_at.is_null()),
            )
            .set(refresh_tokens::used_at.eq(Some(at)))
            .execute(conn)?
                == 1;
        if !spent {
            revoke_family(conn, &stored.family)?;
            return Ok(Outcome::Refused(
                "the refresh token was already used: the session is revoked; sign in again",
            ));
        }
        let next = issue(conn, stored.staff_id, Some(&stored.family), ttl)?;
        Ok::<_, ApiError>(Outcome::Rotated(stored.staff_id, next))
    })?;
    match outcome {
        Outcome::Rotated(staff_id, issued) => Ok((staff_id, issued)),
        Outcome::Refused(why) => Err(ApiError::Unauthorized(why.into())),
    }
}

/// Signs out the session `token` belongs to, if it belongs to one.
pub fn revoke(conn: &mut DbConn, token: &str) -> QueryResult<()> {
    let family: Option<String> = refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(hash(token)))
        .select(refresh_tokens::family)
        .first(conn)
        .optional()?;
    match family {
        Some(family) => revoke_family(conn, &family),
        None => Ok(()),
    }
}

fn revoke_family(conn: &mut DbConn, family: &str) -> QueryResult<()> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family.eq(family))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(Some(now())))
    .execute(conn)?;
    Ok(())
}

/// Ends every session of `staff_id` (on deactivation).
pub fn revoke_all(conn: &mut DbConn, staff_id: i64) -> QueryResult<()> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::staff_id.eq(staff_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(Some(now())))
    .execute(conn)?;
    Ok(())
}
