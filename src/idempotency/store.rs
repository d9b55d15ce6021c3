//! The keys as stored: claimed by a request, holding its kept answer, forgotten.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use chrono::NaiveDateTime;
use diesel::dsl::{Eq, Filter};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::REPLAYED;
use crate::db::schema::{idempotency_keys, staff};
use crate::db::{self, DbConn};
use crate::error::ApiError;
use crate::time::now;

/// A claim older than this whose request never answered belonged to an instance that
/// stopped mid-request: the key is free again. Longer than any request can run.
const ABANDONED_AFTER: Duration = Duration::from_secs(120);

/// Whose key, and which: the row of one caller's key.
pub struct Owner<'a> {
    pub principal: &'a str,
    pub key: &'a str,
}

type Mine<'a> = Filter<
    Filter<idempotency_keys::table, Eq<idempotency_keys::principal, &'a str>>,
    Eq<idempotency_keys::key, &'a str>,
>;

impl<'a> Owner<'a> {
    fn row(&self) -> Mine<'a> {
        idempotency_keys::table
            .filter(idempotency_keys::principal.eq(self.principal))
            .filter(idempotency_keys::key.eq(self.key))
    }
}

pub enum Claim {
    /// This request holds the key: run it.
    Owned,
    Replay(Stored),
    Mismatch,
    InFlight,
    /// The caller's account is deactivated: no replay, the handler refuses them.
    Inactive,
}

/// A key's row, as a claim reads it.
#[derive(Queryable)]
pub struct Stored {
    fingerprint: String,
    status: Option<i32>,
    headers: Option<String>,
    body: Option<Vec<u8>>,
    created_at: NaiveDateTime,
}

impl Stored {
    /// The kept answer, marked as replayed.
    pub fn response(self) -> HttpResponse {
        let status = self
            .status
            .and_then(|s| u16::try_from(s).ok())
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::OK);
        let mut response = HttpResponse::build(status);
        let headers: Vec<(String, String)> = self
            .headers
            .and_then(|h| serde_json::from_str(&h).ok())
            .unwrap_or_default();
        for (name, value) in headers {
            response.insert_header((name, value));
        }
        response.insert_header((REPLAYED, "true"));
        response.body(self.body.unwrap_or_default())
    }
}

/// Claims the key for this request, or says why not, in one transaction. Forgets keys
/// past their lifetime on the way, so the table holds one day's keys, not every key ever
/// sent.
pub fn claim(
    conn: &mut DbConn,
    staff_id: i64,
    owner: &Owner,
    fingerprint: &str,
    ttl: Duration,
) -> Result<Claim, ApiError> {
    let at = now();
    let expired = at - chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::MAX);
    let abandoned = at - chrono::Duration::from_std(ABANDONED_AFTER).expect("two minutes");
    let claimed = db::write_tx(conn, |conn| {
        let active: Option<bool> = staff::table
            .find(staff_id)
            .select(staff::active)
            .first(conn)
            .optional()?;
        if active != Some(true) {
            return Ok(Claim::Inactive);
        }
        diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(expired)))
            .execute(conn)?;
        let found: Option<Stored> = owner
            .row()
            .select((
                idempotency_keys::fingerprint,
                idempotency_keys::status,
                idempotency_keys::headers,
                idempotency_keys::body,
                idempotency_keys::created_at,
            ))
            .first(conn)
            .optional()?;
        match found {
            Some(row) if row.fingerprint != fingerprint => Ok(Claim::Mismatch),
            Some(row) if row.status.is_some() => Ok(Claim::Replay(row)),
            Some(row) if row.created_at >= abandoned => Ok(Claim::InFlight),
            Some(_) => {
                diesel::update(owner.row())
                    .set(idempotency_keys::created_at.eq(at))
                    .execute(conn)?;
                Ok(Claim::Owned)
            }
            None => {
                diesel::insert_into(idempotency_keys::table)
                    .values((
                        idempotency_keys::principal.eq(owner.principal),
                        idempotency_keys::key.eq(owner.key),
                        idempotency_keys::fingerprint.eq(fingerprint),
                        idempotency_keys::status.eq(None::<i32>),
                        idempotency_keys::headers.eq(None::<String>),
                        idempotency_keys::body.eq(None::<Vec<u8>>),
                        idempotency_keys::created_at.eq(at),
                    ))
                    .execute(conn)?;
                Ok(Claim::Owned)
            }
        }
    });
    match claimed {
        // Another request inserted the same key between our read and our insert (on
        // PostgreSQL; SQLite's write transactions do not interleave): it holds it.
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
            Ok(Claim::InFlight)
        }
        other => Ok(other?),
    }
}

/// Keeps a success for replays: its status, the headers that matter (JSON) and its body.
pub fn keep(
    conn: &mut DbConn,
    owner: &Owner,
    status: i32,
    headers: String,
    body: Vec<u8>,
) -> QueryResult<()> {
    diesel::update(owner.row())
        .set((
            idempotency_keys::status.eq(Some(status)),
            idempotency_keys::headers.eq(Some(headers)),
            idempotency_keys::body.eq(Some(body)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Frees the key, so that a retry runs again.
pub fn forget(conn: &mut DbConn, owner: &Owner) -> QueryResult<()> {
    diesel::delete(owner.row()).execute(conn)?;
    Ok(())
}
