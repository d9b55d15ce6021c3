use diesel::prelude::*;

use super::dto::{Asset, Round, RoundStatus};
use crate::db::schema::creative_rounds;
use crate::db::sql::{columns, scoped_reads};
use crate::db::DbConn;
use crate::scope;

columns!(
    /// Every column, in the field order of `Round`.
    COLUMNS: Columns = (
        creative_rounds::id,
        creative_rounds::brief_id,
        creative_rounds::account_id,
        creative_rounds::client_id,
        creative_rounds::number,
        creative_rounds::summary,
        creative_rounds::assets,
        creative_rounds::status,
        creative_rounds::approval_id,
        creative_rounds::created_by,
        creative_rounds::version,
        creative_rounds::created_at,
        creative_rounds::updated_at,
    )
);

scoped_reads!(creative_rounds, COLUMNS -> Round, scope::round);

/// A brief's rounds, by number.
pub fn of_brief(conn: &mut DbConn, brief_id: i64) -> QueryResult<Vec<Round>> {
    creative_rounds::table
        .filter(creative_rounds::brief_id.eq(brief_id))
        .select(COLUMNS)
        .order(creative_rounds::number)
        .load(conn)
}

/// A brief's latest round, if it has any.
pub fn latest(conn: &mut DbConn, brief_id: i64) -> QueryResult<Option<Round>> {
    creative_rounds::table
        .filter(creative_rounds::brief_id.eq(brief_id))
        .select(COLUMNS)
        .order(creative_rounds::number.desc())
        .first(conn)
        .optional()
}

/// A new round, `presented`. The unique `(brief_id, number)` refuses a second round with
/// the same number.
#[allow(clippy::too_many_arguments)]
pub fn insert(
    conn: &mut DbConn,
    brief_id: i64,
    account_id: i64,
    client_id: i64,
    number: i32,
    summary: &str,
    assets: &[Asset],
    created_by: i64,
    at: chrono::NaiveDateTime,
) -> QueryResult<Round> {
    let assets = serde_json::to_string(assets)
        .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    diesel::insert_into(creative_rounds::table)
        .values((
            creative_rounds::brief_id.eq(brief_id),
            creative_rounds::account_id.eq(account_id),
            creative_rounds::client_id.eq(client_id),
            creative_rounds::number.eq(number),
            creative_rounds::summary.eq(summary),
            creative_rounds::assets.eq(assets),
            creative_rounds::status.eq(RoundStatus::Presented.as_str()),
            creative_rounds::approval_id.eq(None::<i64>),
            creative_rounds::created_by.eq(created_by),
            creative_rounds::version.eq(1),
            creative_rounds::created_at.eq(at),
            creative_rounds::updated_at.eq(at),
        ))
        .returning(COLUMNS)
        .get_result(conn)
}

/// Sets a round's status and approval if it is still at `version`; `None` when another
/// writer won.
pub fn update(
    conn: &mut DbConn,
    round: &Round,
    status: RoundStatus,
    approval_id: Option<i64>,
    at: chrono::NaiveDateTime,
) -> QueryResult<Option<Round>> {
    let current = creative_rounds::id
        .eq(round.id)
        .and(creative_rounds::version.eq(round.version));
    diesel::update(creative_rounds::table.filter(current))
        .set((
            creative_rounds::status.eq(status.as_str()),
            creative_rounds::approval_id.eq(approval_id),
            creative_rounds::version.eq(round.version + 1),
            creative_rounds::updated_at.eq(at),
        ))
        .returning(COLUMNS)
        .get_result(conn)
        .optional()
}
