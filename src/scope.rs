//! The `assigned` scope as SQL: which accounts, clients and events a staff member reaches.
//! Lists and single-record reads filter with these same conditions, so an out-of-scope
//! record is simply not found — by a list, a get, a filter, a cursor or an error.
//!
//! Each condition is `<id> IN (<the staff member's few rows>)`, worked out from their own
//! accounts outward (the `manager_id` and `account_team.staff_id` indexes), never by
//! testing every row of a growing table: the database sees a small set it can join from,
//! and a scoped list costs what the caller's accounts cost, not what the table holds.
//! Standard SQL with bound parameters, the same on both backends (diesel's DSL cannot box
//! such a subquery for a backend chosen at runtime).

use diesel::dsl::sql;
use diesel::expression::BoxableExpression;
use diesel::sql_types::{BigInt, Bool};

use crate::auth::Visibility;
use crate::db::Backend;

/// A boxed `WHERE` condition usable on table `T`.
pub type Condition<T> = Box<dyn BoxableExpression<T, Backend, SqlType = Bool>>;

/// `{column} IN (…)`, the set being `{managed}` for the accounts the staff member manages
/// (alias `mine`) united with `{teamed}` for those they are on the team of (alias `t`,
/// with `a` their account where `{teamed}` needs it).
fn in_set<T: 'static>(column: &str, managed: &str, teamed: &str, staff_id: i64) -> Condition<T> {
    Box::new(
        sql::<Bool>(&format!("{column} IN ({managed} WHERE mine.manager_id = "))
            .bind::<BigInt, _>(staff_id)
            .sql(&format!(" UNION {teamed} WHERE t.staff_id = "))
            .bind::<BigInt, _>(staff_id)
            .sql(")"),
    )
}

const MANAGED_ACCOUNTS: &str = "SELECT mine.id FROM accounts mine";
const TEAMED_ACCOUNTS: &str = "SELECT t.account_id FROM account_team t";
const MANAGED_CLIENTS: &str = "SELECT mine.client_id FROM accounts mine";
const TEAMED_CLIENTS: &str =
    "SELECT a.client_id FROM account_team t JOIN accounts a ON a.id = t.account_id";

/// Accounts visible under `visibility`; `None` means all of them.
pub fn accounts<T: 'static>(visibility: Visibility) -> Option<Condition<T>> {
    visibility
        .assigned_to()
        .map(|staff_id| in_set("accounts.id", MANAGED_ACCOUNTS, TEAMED_ACCOUNTS, staff_id))
}

/// Clients with at least one account visible under `visibility`.
pub fn clients<T: 'static>(visibility: Visibility) -> Option<Condition<T>> {
    visibility
        .assigned_to()
        .map(|staff_id| in_set("clients.id", MANAGED_CLIENTS, TEAMED_CLIENTS, staff_id))
}

/// Events about a visible account, or about a visible client itself: the events of the
/// staff member's accounts (index on `account_id`) and of their clients' own records
/// (index on `client_id`), as one set of event ids.
pub fn audit_events<T: 'static>(visibility: Visibility) -> Option<Condition<T>> {
    visibility.assigned_to().map(|staff_id| {
        let managed = format!(
            "SELECT e.id FROM audit_events e WHERE e.account_id IN ({MANAGED_ACCOUNTS} \
             WHERE mine.manager_id = "
        );
        Box::new(
            sql::<Bool>(&format!("audit_events.id IN ({managed}"))
                .bind::<BigInt, _>(staff_id)
                .sql(&format!(" UNION {TEAMED_ACCOUNTS} WHERE t.staff_id = "))
                .bind::<BigInt, _>(staff_id)
                .sql(&format!(
                    ") UNION ALL SELECT e.id FROM audit_events e WHERE e.account_id IS NULL \
                     AND e.client_id IN ({MANAGED_CLIENTS} WHERE mine.manager_id = "
                ))
                .bind::<BigInt, _>(staff_id)
                .sql(&format!(" UNION {TEAMED_CLIENTS} WHERE t.staff_id = "))
                .bind::<BigInt, _>(staff_id)
                .sql("))"),
        ) as Condition<T>
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
