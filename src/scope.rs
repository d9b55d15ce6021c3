//! The `assigned` scope as SQL: which accounts, clients and events a staff member reaches.
//! Lists and single-record reads filter with these conditions, so an out-of-scope record
//! is simply not found — by a list, a get, a filter, a cursor or an error.
//!
//! Two forms, each the cheap one for its use:
//! - for a list, the whole reachable set, `<id> IN (…)`, worked out from the staff
//!   member's own accounts outward (the `manager_id` and `account_team.staff_id`
//!   indexes): a scoped list costs what the caller's accounts cost, never a test of every
//!   row of a growing table;
//! - for records already picked by id (a get, the ids of a page), a test of those rows
//!   alone (`EXISTS`), which costs nothing like the whole set.
//!
//! Standard SQL, the same on both backends, around bound staff ids: the text never
//! varies, so the statements they are part of are prepared once per connection and not
//! planned again on every request.

use diesel::expression::{is_aggregate, AppearsOnTable, BoxableExpression, Expression};
use diesel::expression::{SelectableExpression, ValidGrouping};
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Bool};
use diesel::QueryResult;

use crate::auth::Visibility;
use crate::db::Backend;

/// A boxed `WHERE` condition usable on table `T`.
pub type Condition<T> = Box<dyn BoxableExpression<T, Backend, SqlType = Bool>>;

/// Accounts visible under `visibility`, for a list; `None` means all of them.
pub fn accounts<T: 'static>(visibility: Visibility) -> Option<Condition<T>> {
    condition(visibility, ACCOUNTS)
}

/// Of accounts picked by id, those visible under `visibility`.
pub fn account<T: 'static>(visibility: Visibility) -> Option<Condition<T>> {
    condition(visibility, ACCOUNT)
}

/// Clients with at least one account visible under `visibility`, for a list.
pub fn clients<T: 'static>(visibility: Visibility) -> Option<Condition<T>> {
    condition(visibility, CLIENTS)
}

/// Of clients picked by id, those with an account visible under `visibility`.
pub fn client<T: 'static>(visibility: Visibility) -> Option<Condition<T>> {
    condition(visibility, CLIENT)
}

/// Briefs of accounts visible under `visibility`, for a list.
pub fn briefs<T: 'static>(visibility: Visibility) -> Option<Condition<T>> {
    condition(visibility, BRIEFS)
}

/// Of briefs picked by id, those of an account visible under `visibility`.
pub fn brief<T: 'static>(visibility: Visibility) -> Option<Condition<T>> {
    condition(visibility, BRIEF)
}

/// Events about a visible account, or about a visible client itself, for the feed.
/// Approvals on subjects of accounts visible under `visibility`, for a list.
pub fn approvals<T: 'static>(visibility: Visibility) -> Option<Condition<T>> {
    condition(visibility, APPROVALS)
}

/// Of approvals picked by id, those on an account visible under `visibility`.
pub fn approval<T: 'static>(visibility: Visibility) -> Option<Condition<T>> {
    condition(visibility, APPROVAL)
}

/// Creative rounds of accounts visible under `visibility`, for a list.
pub fn rounds<T: 'static>(visibility: Visibility) -> Option<Condition<T>> {
    condition(visibility, ROUNDS)
}

/// Of creative rounds picked by id, those of an account visible under `visibility`.
pub fn round<T: 'static>(visibility: Visibility) -> Option<Condition<T>> {
    condition(visibility, ROUND)
}

/// Contracts of accounts visible under `visibility`, and those of no one account whose
/// client is visible, for a list.
pub fn contracts<T: 'static>(visibility: Visibility) -> Option<Condition<T>> {
    condition(visibility, CONTRACTS)
}

/// Of contracts picked by id, those visible under `visibility` (as for a list).
pub fn contract<T: 'static>(visibility: Visibility) -> Option<Condition<T>> {
    condition(visibility, CONTRACT)
}

/// Payments of accounts visible under `visibility`, for a list.
pub fn payments<T: 'static>(visibility: Visibility) -> Option<Condition<T>> {
    condition(visibility, PAYMENTS)
}

/// Of payments picked by id, those of an account visible under `visibility`.
pub fn payment<T: 'static>(visibility: Visibility) -> Option<Condition<T>> {
    condition(visibility, PAYMENT)
}

/// Approvals whose open stage is a client stage: any holder of `approvals.request` in
/// scope may record the client's decision.
pub fn client_stage_open<T: 'static>() -> Condition<T> {
    Box::new(Assigned {
        sql: CLIENT_STAGE_OPEN,
        staff_id: 0,
    })
}

/// Approvals whose open internal stage `staff_id` may decide now, scope aside: not their
/// own request or subject, a stage open to them (no named deciders, or they are named),
/// and not yet decided by them.
pub fn decidable_by<T: 'static>(staff_id: i64) -> Condition<T> {
    Box::new(Assigned {
        sql: DECIDABLE_BY,
        staff_id,
    })
}

/// Approvals whose open stage is a director stage naming no deciders: only a holder of
/// the approving permission in scope `all` decides it.
pub fn director_stage_open<T: 'static>() -> Condition<T> {
    Box::new(Assigned {
        sql: DIRECTOR_STAGE_OPEN,
        staff_id: 0,
    })
}

pub fn audit_events<T: 'static>(visibility: Visibility) -> Option<Condition<T>> {
    condition(visibility, AUDIT_EVENTS)
}

/// SQL in pieces, the staff id bound between each two.
type Pieces = &'static [&'static str];

const ACCOUNTS: Pieces = &[
    "accounts.id IN (SELECT mine.id FROM accounts mine WHERE mine.manager_id = ",
    " UNION ALL SELECT t.account_id FROM account_team t WHERE t.staff_id = ",
    ")",
];

const ACCOUNT: Pieces = &[
    "(accounts.manager_id = ",
    " OR EXISTS (SELECT 1 FROM account_team t \
     WHERE t.account_id = accounts.id AND t.staff_id = ",
    "))",
];

const CLIENTS: Pieces = &[
    "clients.id IN (SELECT mine.client_id FROM accounts mine WHERE mine.manager_id = ",
    " UNION ALL SELECT a.client_id FROM account_team t JOIN accounts a ON a.id = t.account_id \
     WHERE t.staff_id = ",
    ")",
];

const CLIENT: Pieces = &[
    "(EXISTS (SELECT 1 FROM accounts mine \
     WHERE mine.client_id = clients.id AND mine.manager_id = ",
    ") OR EXISTS (SELECT 1 FROM account_team t JOIN accounts a ON a.id = t.account_id \
     WHERE a.client_id = clients.id AND t.staff_id = ",
    "))",
];

/// The set and row forms for records that belong to one account through `account_id`:
/// the same two ways into the scope as the account itself.
macro_rules! of_an_account {
    (set: $table:literal) => {
        &[
            concat!(
                $table,
                ".account_id IN (SELECT mine.id FROM accounts mine WHERE mine.manager_id = "
            ),
            " UNION ALL SELECT t.account_id FROM account_team t WHERE t.staff_id = ",
            ")",
        ]
    };
    (row: $table:literal) => {
        &[
            concat!(
                "(EXISTS (SELECT 1 FROM accounts mine WHERE mine.id = ",
                $table,
                ".account_id AND mine.manager_id = "
            ),
            concat!(
                ") OR EXISTS (SELECT 1 FROM account_team t WHERE t.account_id = ",
                $table,
                ".account_id AND t.staff_id = "
            ),
            "))",
        ]
    };
}

const BRIEFS: Pieces = of_an_account!(set: "briefs");

const BRIEF: Pieces = of_an_account!(row: "briefs");

const APPROVALS: Pieces = of_an_account!(set: "approvals");

const APPROVAL: Pieces = of_an_account!(row: "approvals");

const ROUNDS: Pieces = of_an_account!(set: "creative_rounds");

const ROUND: Pieces = of_an_account!(row: "creative_rounds");

const PAYMENTS: Pieces = of_an_account!(set: "payments");

const PAYMENT: Pieces = of_an_account!(row: "payments");

/// A contract for one account is reached through that account; one for the client as a
/// whole, through any of the client's accounts.
const CONTRACTS: Pieces = &[
    "(contracts.account_id IN (SELECT mine.id FROM accounts mine WHERE mine.manager_id = ",
    " UNION ALL SELECT t.account_id FROM account_team t WHERE t.staff_id = ",
    ") OR (contracts.account_id IS NULL AND contracts.client_id IN \
     (SELECT mine.client_id FROM accounts mine WHERE mine.manager_id = ",
    " UNION ALL SELECT a.client_id FROM account_team t JOIN accounts a ON a.id = t.account_id \
     WHERE t.staff_id = ",
    ")))",
];

const CONTRACT: Pieces = &[
    "(EXISTS (SELECT 1 FROM accounts mine WHERE mine.id = contracts.account_id \
     AND mine.manager_id = ",
    ") OR EXISTS (SELECT 1 FROM account_team t WHERE t.account_id = contracts.account_id \
     AND t.staff_id = ",
    ") OR (contracts.account_id IS NULL AND (EXISTS (SELECT 1 FROM accounts mine \
     WHERE mine.client_id = contracts.client_id AND mine.manager_id = ",
    ") OR EXISTS (SELECT 1 FROM account_team t JOIN accounts a ON a.id = t.account_id \
     WHERE a.client_id = contracts.client_id AND t.staff_id = ",
    "))))",
];

const CLIENT_STAGE_OPEN: Pieces = &["EXISTS (SELECT 1 FROM approval_stages s \
     WHERE s.approval_id = approvals.id AND s.position = approvals.current_stage \
     AND s.kind = 'client')"];

const DIRECTOR_STAGE_OPEN: Pieces = &["EXISTS (SELECT 1 FROM approval_stages s \
     WHERE s.approval_id = approvals.id AND s.position = approvals.current_stage \
     AND s.director AND NOT EXISTS (SELECT 1 FROM approval_deciders d \
     WHERE d.approval_id = s.approval_id AND d.position = s.position))"];

const DECIDABLE_BY: Pieces = &[
    "(approvals.requested_by <> ",
    " AND (approvals.subject_author_id IS NULL OR approvals.subject_author_id <> ",
    ") AND EXISTS (SELECT 1 FROM approval_stages s \
     WHERE s.approval_id = approvals.id AND s.position = approvals.current_stage \
     AND s.kind = 'internal' \
     AND (NOT EXISTS (SELECT 1 FROM approval_deciders d \
     WHERE d.approval_id = s.approval_id AND d.position = s.position) \
     OR EXISTS (SELECT 1 FROM approval_deciders d \
     WHERE d.approval_id = s.approval_id AND d.position = s.position AND d.staff_id = ",
    ")) AND NOT EXISTS (SELECT 1 FROM approval_decisions x \
     WHERE x.approval_id = s.approval_id AND x.position = s.position AND x.decided_by = ",
    ")))",
];

/// The events of the staff member's accounts (index on `account_id`) and of their
/// clients' own records (index on `client_id`), as one set of event ids.
const AUDIT_EVENTS: Pieces = &[
    "audit_events.id IN (SELECT e.id FROM audit_events e WHERE e.account_id IN \
     (SELECT mine.id FROM accounts mine WHERE mine.manager_id = ",
    " UNION ALL SELECT t.account_id FROM account_team t WHERE t.staff_id = ",
    ") UNION ALL SELECT e.id FROM audit_events e WHERE e.account_id IS NULL AND e.client_id IN \
     (SELECT mine.client_id FROM accounts mine WHERE mine.manager_id = ",
    " UNION ALL SELECT a.client_id FROM account_team t JOIN accounts a ON a.id = t.account_id \
     WHERE t.staff_id = ",
    "))",
];

fn condition<T: 'static>(visibility: Visibility, sql: Pieces) -> Option<Condition<T>> {
    visibility
        .assigned_to()
        .map(|staff_id| Box::new(Assigned { sql, staff_id }) as Condition<T>)
}

/// A condition of the scope: `sql`'s pieces with `staff_id` bound between them. Unlike
/// `diesel::dsl::sql`, whose text may be anything, it says its statement may be cached.
#[derive(Debug, Clone, Copy)]
struct Assigned {
    sql: Pieces,
    staff_id: i64,
}

impl Expression for Assigned {
    type SqlType = Bool;
}

impl<QS> AppearsOnTable<QS> for Assigned {}

impl<QS> SelectableExpression<QS> for Assigned {}

impl ValidGrouping<()> for Assigned {
    type IsAggregate = is_aggregate::Never;
}

impl QueryId for Assigned {
    type QueryId = ();
    // The text is one of a few constants, but which one is not in the type.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl QueryFragment<Backend> for Assigned {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
        let (last, binds) = self.sql.split_last().expect("a condition has pieces");
        for piece in binds {
            out.push_sql(piece);
            out.push_bind_param::<BigInt, i64>(&self.staff_id)?;
        }
        out.push_sql(last);
        Ok(())
    }
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
