//! What every resource read under the caller's scope shares, written once: finding one
//! record (out of scope reads as missing), saying for a whole page what the caller may do
//! with each record, the list and get handlers themselves, and the steps of a change and
//! of a delete. A resource declares its part in [`Scoped`] (and [`Listed`], [`Changed`]);
//! these functions do the rest.

use actix_web::HttpResponse;
use diesel::QueryResult;
use serde::Serialize;

use crate::audit::{self, Actor, Subject};
use crate::auth::permissions::Required;
use crate::auth::{Access, Authorized, Caller, Permission, Visibility};
use crate::db::{self, DbConn, Pool, RowKey};
use crate::error::ApiError;
use crate::rest::list::{export, ListQuery, Sort};
use crate::rest::record::{self, IfMatch, Versioned};
use crate::versioned;

/// A record kind every read of which goes through the caller's visibility.
pub trait Scoped: Sized + Send + 'static {
    /// How problems name one: `"client"` gives "client 42".
    const NOUN: &'static str;
    /// Its table, whose row is locked before a change.
    const TABLE: &'static str;
    /// Something a caller may do with one record, as `allowed_actions` lists it.
    type Action: Copy + Send + 'static;
    /// The record as one caller sees it: with its `allowed_actions`.
    type View: Serialize + Versioned + Send + 'static;
    /// Each action with the permission it needs.
    const ACTIONS: &'static [(Self::Action, Permission)];

    fn id(&self) -> i64;
    /// Whether the record's state allows `action` (a delivered brief cannot be cancelled),
    /// and a rule of the record's own lets `caller` take it (nobody decides their own
    /// request): `allowed_actions` leaves out what would only meet a 409 or a 403.
    fn possible(&self, _action: Self::Action, _caller: &Caller) -> bool {
        true
    }
    /// The record, if it exists and `visibility` reaches it.
    fn find(conn: &mut DbConn, id: i64, visibility: Visibility) -> QueryResult<Option<Self>>;
    /// Of `ids`, those `visibility` reaches.
    fn visible_ids(conn: &mut DbConn, ids: &[i64], visibility: Visibility)
        -> QueryResult<Vec<i64>>;
    fn view(self, allowed_actions: Vec<Self::Action>) -> Self::View;
}

/// The part of [`Scoped`] a resource with an `id` field and a repo made by
/// `db::sql::scoped_reads!` writes alike: `scoped_reads_from!(repo);` inside the impl.
macro_rules! scoped_reads_from {
    ($repo:ident) => {
        fn id(&self) -> i64 {
            self.id
        }

        fn find(
            conn: &mut $crate::db::DbConn,
            id: i64,
            visibility: $crate::auth::Visibility,
        ) -> diesel::QueryResult<Option<Self>> {
            $repo::find(conn, id, visibility)
        }

        fn visible_ids(
            conn: &mut $crate::db::DbConn,
            ids: &[i64],
            visibility: $crate::auth::Visibility,
        ) -> diesel::QueryResult<Vec<i64>> {
            $repo::visible_ids(conn, ids, visibility)
        }
    };
}
pub(crate) use scoped_reads_from;

/// A scoped record kind with a list operation.
pub trait Listed: Scoped {
    type Filter: serde::de::DeserializeOwned + Send + 'static;
    type Sort: Sort<Row = Self>;
    /// One page, filtered and ordered in SQL; fetches `query.fetch_limit()` rows.
    fn list(
        conn: &mut DbConn,
        visibility: Visibility,
        query: &ListQuery<Self::Filter, Self::Sort>,
    ) -> QueryResult<Vec<Self>>;
}

/// A scoped record changed in place, at the version read (see [`change`] and [`remove`]).
pub trait Changed: Scoped + Clone + PartialEq + Serialize {
    fn version(&self) -> i32;
    /// What its audit events are about.
    fn subject(&self) -> Subject;
    /// Whether the record may be changed in its present state (409 otherwise): checked
    /// before any change is applied, so an edit of a record that is closed to edits is
    /// refused even when it would change nothing.
    fn changeable(&self) -> Result<(), ApiError> {
        Ok(())
    }
    /// The checks `after` must pass against other records (references), before anything
    /// is written. Uniqueness is better left to the write itself: its unique index cannot
    /// lose a race.
    fn check(_conn: &mut DbConn, _before: &Self, _after: &Self) -> Result<(), ApiError> {
        Ok(())
    }
    /// Writes `after` if the row is still at `before`'s version; `None` when another
    /// writer won.
    fn write(conn: &mut DbConn, before: &Self, after: &Self) -> Result<Option<Self>, ApiError>;
    /// Deletes the row if it is still at `version`; `false` when another writer won.
    fn delete(conn: &mut DbConn, id: i64, version: i32) -> QueryResult<bool>;
    /// Why a delete other records block is refused, and what to do instead: "while it
    /// has accounts; set its status to inactive instead".
    const DELETE_BLOCKED: &'static str;
    /// What goes with the record, written in the delete's transaction before it; or why
    /// its state forbids the delete (409).
    fn before_delete(&self, _conn: &mut DbConn, _caller: &Caller) -> Result<(), ApiError> {
        Ok(())
    }
}

/// A request body that changes a record: a merge patch, or one aspect of it.
pub trait Patch<R>: Send + 'static {
    fn apply_to(self, record: &mut R);
}

/// "client 42".
pub fn what<R: Scoped>(id: i64) -> String {
    format!("{} {id}", R::NOUN)
}

/// The record if `visibility` reaches it; otherwise exactly what a missing one gives.
pub fn find<R: Scoped>(conn: &mut DbConn, id: i64, visibility: Visibility) -> Result<R, ApiError> {
    R::find(conn, id, visibility)?.ok_or_else(|| ApiError::not_found(&what::<R>(id)))
}

/// The record read for a change: its row locked until the transaction ends, within the
/// caller's visibility (see [`versioned::find_for_change`]).
pub fn find_for_change<R: Scoped>(
    conn: &mut DbConn,
    id: i64,
    visibility: Visibility,
) -> Result<R, ApiError> {
    versioned::find_for_change(conn, R::TABLE, RowKey::Id(id), &what::<R>(id), |conn| {
        R::find(conn, id, visibility)
    })
}

/// What `caller` may do with each of `rows`, for a whole page at once. `found_under` is
/// the visibility they were just read with (see `Caller::allowed_actions`); after a write,
/// pass `Visibility::All`: the write may have changed the answer.
pub fn views<R: Scoped>(
    conn: &mut DbConn,
    caller: &Caller,
    found_under: Visibility,
    rows: Vec<R>,
) -> Result<Vec<R::View>, ApiError> {
    let assigned = Visibility::Assigned(caller.staff_id);
    Ok(caller.with_allowed_actions(
        R::ACTIONS,
        found_under,
        rows,
        R::id,
        |ids| R::visible_ids(conn, ids, assigned),
        |row, mut actions| {
            actions.retain(|action| row.possible(*action, caller));
            R::view(row, actions)
        },
    )?)
}

/// One record with what `caller` may do with it (see [`views`]).
pub fn view<R: Scoped>(
    conn: &mut DbConn,
    caller: &Caller,
    found_under: Visibility,
    row: R,
) -> Result<R::View, ApiError> {
    let mut views = views(conn, caller, found_under, vec![row])?;
    Ok(views.remove(0))
}

/// `GET /<resources>/{id}`, whole.
pub async fn get<R: Scoped, P: Required>(
    pool: &Pool,
    auth: Authorized<P>,
    id: i64,
) -> Result<HttpResponse, ApiError> {
    let view = auth
        .run(pool, move |conn, access| {
            let visibility = access.visibility();
            let row = find::<R>(conn, id, visibility)?;
            view(conn, &access.caller, visibility, row)
        })
        .await?;
    Ok(record::ok(&view))
}

/// `GET /<resources>`, whole: one page under the caller's visibility, with its `Link`; or,
/// asked for CSV, every row.
pub async fn list<R, P: Required>(
    pool: &Pool,
    auth: Authorized<P>,
    query: ListQuery<R::Filter, R::Sort>,
) -> Result<HttpResponse, ApiError>
where
    R: Listed + Serialize + utoipa::PartialSchema,
{
    serve_list(
        pool,
        auth,
        query,
        |conn, access, query| Ok(R::list(conn, access.visibility(), query)?),
        |conn, access, rows| views(conn, &access.caller, access.visibility(), rows),
    )
    .await
}

/// Any list operation, whole: `fetch` reads `query.fetch_limit()` rows after the query's
/// position, for the caller; `show` turns one page of them into what the JSON list shows.
/// With `Accept: text/csv` the answer is every row instead, `fetch` called batch after
/// batch as the client reads (`list::export`), each row exported as the record itself.
pub async fn serve_list<F, S, V, P: Required>(
    pool: &Pool,
    auth: Authorized<P>,
    query: ListQuery<F, S>,
    fetch: impl FnMut(&mut DbConn, &Access, &ListQuery<F, S>) -> Result<Vec<S::Row>, ApiError>
        + Send
        + 'static,
    show: impl FnOnce(&mut DbConn, &Access, Vec<S::Row>) -> Result<Vec<V>, ApiError> + Send + 'static,
) -> Result<HttpResponse, ApiError>
where
    F: Send + 'static,
    S: Sort,
    S::Row: Serialize + utoipa::PartialSchema + Send + 'static,
    V: Serialize + Send + 'static,
{
    let mut fetch = fetch;
    if query.wants_csv() {
        let query = query.for_export();
        let (query, access, fetch, first) = auth
            .run(pool, move |conn, access| {
                let first = fetch(conn, &access, &query)?;
                Ok((query, access, fetch, first))
            })
            .await?;
        let mut fetch = fetch;
        let more: export::Fetch<F, S> = Box::new(move |conn, query| fetch(conn, &access, query));
        return Ok(export::stream(pool, query, first, more));
    }
    let page = auth
        .run(pool, move |conn, access| {
            let rows = fetch(conn, &access, &query)?;
            query
                .page(rows)
                .try_map_all(|rows| show(conn, &access, rows))
        })
        .await?;
    Ok(page.respond())
}

/// One change, in one transaction: the record read for change within `visibility`,
/// `If-Match` checked (412), [`Changed::changeable`] (409), `edit` applied, and — only if something actually changed, an
/// empty PATCH is not an event — [`Changed::check`], the conditional write (412 on a lost
/// race) and the audit event `<resource_type>.<verb>`.
pub fn change<R: Changed>(
    conn: &mut DbConn,
    caller: &Caller,
    visibility: Visibility,
    id: i64,
    if_match: &IfMatch,
    verb: &str,
    edit: impl FnOnce(&mut R),
) -> Result<R::View, ApiError> {
    let record = db::write_tx(conn, |conn| {
        let before = find_for_change::<R>(conn, id, visibility)?;
        if_match.check(before.version())?;
        before.changeable()?;
        let mut after = before.clone();
        edit(&mut after);
        if after == before {
            return Ok(before);
        }
        R::check(conn, &before, &after)?;
        write(conn, &Actor::from(caller), verb, &before, &after)
    })?;
    // After a write, ask afresh (see `views`): the change may take the record out of reach.
    view(conn, caller, Visibility::All, record)
}

/// The conditional write of a record read for change (412 if another writer won) and its
/// audit event `<resource_type>.<verb>`: how every change and every state transition
/// ends.
pub fn write<R: Changed>(
    conn: &mut DbConn,
    actor: &Actor,
    verb: &str,
    before: &R,
    after: &R,
) -> Result<R, ApiError> {
    let updated = versioned::written(&what::<R>(before.id()), R::write(conn, before, after)?)?;
    audit::write(
        conn,
        actor,
        verb,
        updated.subject(),
        Some(before),
        Some(&updated),
    )?;
    Ok(updated)
}

/// One delete, in one transaction: the record read for change within `visibility`,
/// `If-Match` checked (412), what goes with it ([`Changed::before_delete`]), the
/// conditional delete (409 `in_use` while other records refer to it) and the audit event.
pub fn remove<R: Changed>(
    conn: &mut DbConn,
    caller: &Caller,
    visibility: Visibility,
    id: i64,
    if_match: &IfMatch,
) -> Result<(), ApiError> {
    db::write_tx(conn, |conn| {
        let before = find_for_change::<R>(conn, id, visibility)?;
        if_match.check(before.version())?;
        before.before_delete(conn, caller)?;
        let deleted = R::delete(conn, id, before.version());
        versioned::deleted(&what::<R>(id), deleted, R::DELETE_BLOCKED)?;
        let actor = Actor::from(caller);
        audit::write(
            conn,
            &actor,
            "delete",
            before.subject(),
            Some(&before),
            None::<&R>,
        )?;
        Ok(())
    })
}

/// `PATCH` (or `PUT` of one aspect) of a record, whole: [`change`] with `body`, answered
/// with the record and its new `ETag`. `verb` names the audit event.
pub async fn update<R: Changed, P: Required>(
    pool: &Pool,
    auth: Authorized<P>,
    id: i64,
    if_match: IfMatch,
    verb: &'static str,
    body: impl Patch<R>,
) -> Result<HttpResponse, ApiError> {
    let view = auth
        .run(pool, move |conn, access| {
            let edit = |record: &mut R| body.apply_to(record);
            let visibility = access.visibility();
            change(conn, &access.caller, visibility, id, &if_match, verb, edit)
        })
        .await?;
    Ok(record::ok(&view))
}

/// `DELETE` of a record, whole: [`remove`], answered `204`.
pub async fn delete<R: Changed, P: Required>(
    pool: &Pool,
    auth: Authorized<P>,
    id: i64,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    auth.run(pool, move |conn, access| {
        remove::<R>(conn, &access.caller, access.visibility(), id, &if_match)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
