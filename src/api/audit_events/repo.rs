use diesel::prelude::*;

use super::dto::{AuditEvent, AuditFilter, AuditSort};
use crate::auth::Visibility;
use crate::db::schema::audit_events;
use crate::db::DbConn;
use crate::rest::list::ListQuery;
use crate::scope;
use crate::time::Timestamp;

/// Events ordered by id, which is the order they were committed in on one database.
pub fn list(
    conn: &mut DbConn,
    visibility: Visibility,
    list: &ListQuery<AuditFilter, AuditSort>,
) -> QueryResult<Vec<AuditEvent>> {
    let (filter, descending) = (&list.filter, list.descending);
    let mut query = audit_events::table
        .select((
            audit_events::id,
            audit_events::occurred_at,
            audit_events::actor_id,
            audit_events::action,
            audit_events::resource_type,
            audit_events::resource_id,
            audit_events::changes,
            audit_events::request_id,
        ))
        .into_boxed();
    if let Some(visible) = scope::audit_events(visibility) {
        query = query.filter(visible);
    }
    if let Some(t) = &filter.resource_type {
        query = query.filter(audit_events::resource_type.eq(t.clone()));
    }
    if let Some(id) = &filter.resource_id {
        query = query.filter(audit_events::resource_id.eq(id.clone()));
    }
    if let Some(actor) = filter.actor_id {
        query = query.filter(audit_events::actor_id.eq(actor));
    }
    if let Some(Timestamp(since)) = filter.updated_since {
        query = query.filter(audit_events::occurred_at.ge(since));
    }
    if let Some(after) = list.after_id() {
        query = if descending {
            query.filter(audit_events::id.lt(after))
        } else {
            query.filter(audit_events::id.gt(after))
        };
    }
    // Within a scope, the order is of `id + 0`, which no index holds: the database then
    // gathers the caller's own events first and sorts them (a cost of their events),
    // instead of walking every event in id order on the hope of meeting theirs soon —
    // which for a caller whose accounts are all new is the whole table.
    let in_scope = visibility.assigned_to().is_some();
    query = match (in_scope, descending) {
        (false, false) => query.order(audit_events::id.asc()),
        (false, true) => query.order(audit_events::id.desc()),
        (true, false) => query.order((audit_events::id + 0).asc()),
        (true, true) => query.order((audit_events::id + 0).desc()),
    };
    query.limit(list.fetch_limit()).load(conn)
}
