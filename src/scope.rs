//! The `assigned` scope as SQL: which accounts, clients and events a staff member reaches.
//! Lists and single-record reads filter with these same conditions, so an out-of-scope
//! record is simply not found — by a list, a get, a filter, a cursor or an error.
//!
//! The conditions are correlated `EXISTS` subqueries written as standard SQL (the same on
//! both backends) with bound parameters: diesel's DSL cannot box a correlated subquery
//! for a backend chosen at runtime.

use diesel::dsl::sql;
use diesel::expression::BoxableExpression;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool};

use crate::auth::Visibility;
use crate::db::Backend;

/// A boxed `WHERE` condition usable on table `T`.
pub type Condition<T> = Box<dyn BoxableExpression<T, Backend, SqlType = Bool>>;

/// Some account matching `correlation` (over alias `scope_a`) is managed by, or has on
/// its team, the staff member.
fn exists_assigned<T: 'static>(correlation: &str, staff_id: i64) -> Condition<T> {
    Box::new(
        sql::<Bool>(&format!(
            "EXISTS (SELECT 1 FROM accounts scope_a WHERE {correlation} AND (scope_a.manager_id = "
        ))
        .bind::<BigInt, _>(staff_id)
        .sql(
            " OR EXISTS (SELECT 1 FROM account_team scope_t \
             WHERE scope_t.account_id = scope_a.id AND scope_t.staff_id = ",
        )
        .bind::<BigInt, _>(staff_id)
        .sql(")))"),
    )
}

/// Accounts visible under `visibility`; `None` means all of them.
pub fn accounts<T: 'static>(visibility: Visibility) -> Option<Condition<T>> {
    visibility
        .assigned_to()
        .map(|staff_id| exists_assigned("scope_a.id = accounts.id", staff_id))
}

/// Clients with at least one account visible under `visibility`.
pub fn clients<T: 'static>(visibility: Visibility) -> Option<Condition<T>> {
    visibility
        .assigned_to()
        .map(|staff_id| exists_assigned("scope_a.client_id = clients.id", staff_id))
}

/// Events about a visible account, or about a visible client itself.
pub fn audit_events<T: 'static>(visibility: Visibility) -> Option<Condition<T>> {
    visibility.assigned_to().map(|staff_id| {
        let about_account = sql::<Bool>("audit_events.account_id IS NOT NULL").and(
            exists_assigned::<T>("scope_a.id = audit_events.account_id", staff_id),
        );
        let about_client = sql::<Bool>("audit_events.account_id IS NULL").and(
            exists_assigned::<T>("scope_a.client_id = audit_events.client_id", staff_id),
        );
        Box::new(about_account.or(about_client)) as Condition<T>
    })
}

impl Visibility {
    /// The staff id whose assignments limit the query, if any.
    pub fn assigned_to(self) -> Option<i64> {
        match self {
            Visibility::All => None,
            Visibility::Assigned(staff_id) => Some(staff_id),
        }
    }
}
