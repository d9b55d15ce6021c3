use chrono::{Months, NaiveDate, NaiveDateTime};
use diesel::Queryable;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::sql::text_enum;
use crate::money::Money;
use crate::rest::list::Page;
use crate::rest::record::Versioned;
use crate::time::{now, rfc3339};

pub use super::bodies::*;

text_enum!(
    /// What a contract covers: a `retainer` (ongoing work for a fee), a `project` (one
    /// piece of work) or a `framework` (the terms later work is ordered under; it may be
    /// open-ended).
    ContractKind {
        Retainer => "retainer",
        Project => "project",
        Framework => "framework",
    }
);

text_enum!(
    /// Where a contract stands: `draft → pending_approval → active`, then `terminated`
    /// (ended early) or `superseded` (its renewal became active). An approval that is not
    /// given returns it to `draft`.
    ContractStatus {
        Draft => "draft",
        PendingApproval => "pending_approval",
        Active => "active",
        Terminated => "terminated",
        Superseded => "superseded",
    }
);

text_enum!(
    /// Where today falls in the contract's dates, whatever its status: `upcoming` (before
    /// `start_date`), `running`, `in_notice` (from `notice_deadline` to `end_date`), or
    /// `expired` (after `end_date`). Derived on every read, never stored.
    ContractLifecycle {
        Upcoming => "upcoming",
        Running => "running",
        InNotice => "in_notice",
        Expired => "expired",
    }
);

text_enum!(
    /// Something the caller may do with a contract.
    ContractAction {
        Update => "update",
        Delete => "delete",
        Submit => "submit",
        Renew => "renew",
        Terminate => "terminate",
    }
);

impl ContractLifecycle {
    /// Where `today` falls in the dates given.
    pub fn on(
        today: NaiveDate,
        start: NaiveDate,
        end: Option<NaiveDate>,
        notice_deadline: Option<NaiveDate>,
    ) -> ContractLifecycle {
        if today < start {
            ContractLifecycle::Upcoming
        } else if end.is_some_and(|end| end < today) {
            ContractLifecycle::Expired
        } else if notice_deadline.is_some_and(|deadline| deadline <= today) {
            ContractLifecycle::InNotice
        } else {
            ContractLifecycle::Running
        }
    }
}

/// The last day notice can be given: `end_date − notice_days`; none without an end.
pub fn notice_deadline(end_date: Option<NaiveDate>, notice_days: i32) -> Option<NaiveDate> {
    end_date.map(|end| end - chrono::Duration::days(i64::from(notice_days)))
}

/// The last day of a term of `months` starting on `start` (a year from 1 March ends on
/// 28 or 29 February); `None` past the calendar's end.
pub fn term_end(start: NaiveDate, months: u32) -> Option<NaiveDate> {
    start.checked_add_months(Months::new(months))?.pred_opt()
}

/// Today, as the server's UTC clock says: what `lifecycle` is derived against.
pub fn today() -> NaiveDate {
    now().date()
}

/// A contract row as stored.
#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct ContractRow {
    pub id: i64,
    pub client_id: i64,
    pub account_id: Option<i64>,
    pub title: String,
    pub kind: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub value_amount_minor: i64,
    pub value_currency: String,
    pub auto_renew: bool,
    pub notice_days: i32,
    pub renewal_term_months: Option<i32>,
    pub notice_deadline: Option<NaiveDate>,
    pub status: String,
    pub renewal_of: Option<i64>,
    pub terminated_on: Option<NaiveDate>,
    pub termination_reason: Option<String>,
    pub external_ref: Option<String>,
    pub approval_id: Option<i64>,
    pub created_by: i64,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A contract with a client, for one of its accounts or for the client as a whole.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 17, "client_id": 42, "account_id": 12, "title": "Acme retainer 2026",
    "kind": "retainer", "start_date": "2026-01-01", "end_date": "2026-12-31",
    "value": {"amount_minor": 24000000, "currency": "EUR"}, "auto_renew": true,
    "notice_days": 90, "renewal_term_months": 12, "notice_deadline": "2026-10-02",
    "lifecycle": "running", "status": "active", "renewal_of": null,
    "terminated_on": null, "termination_reason": null, "external_ref": "SF-000123",
    "approval_id": 88, "created_by": 7, "version": 3,
    "created_at": "2025-11-20T09:00:00Z", "updated_at": "2025-12-01T15:10:00Z"
}))]
pub struct Contract {
    pub id: i64,
    pub client_id: i64,
    /// The account it is for; `null`: the client as a whole.
    pub account_id: Option<i64>,
    pub title: String,
    pub kind: ContractKind,
    /// `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date, example = "2026-01-01")]
    pub start_date: NaiveDate,
    /// The last day it runs, `YYYY-MM-DD`; only a framework may have none.
    #[schema(value_type = Option<String>, format = Date, example = "2026-12-31")]
    pub end_date: Option<NaiveDate>,
    pub value: Money,
    /// Whether it renews unless notice is given.
    pub auto_renew: bool,
    /// Days before `end_date` by which notice must be given.
    pub notice_days: i32,
    /// The length of a renewal in months; `null`: a renewal runs as long as this one.
    pub renewal_term_months: Option<i32>,
    /// `end_date − notice_days`, from the contract's own current end date; `null` without
    /// an end date.
    #[schema(value_type = Option<String>, format = Date, example = "2026-10-02")]
    pub notice_deadline: Option<NaiveDate>,
    pub lifecycle: ContractLifecycle,
    pub status: ContractStatus,
    /// The contract this one renews.
    pub renewal_of: Option<i64>,
    #[schema(value_type = Option<String>, format = Date)]
    pub terminated_on: Option<NaiveDate>,
    pub termination_reason: Option<String>,
    /// The contract's id elsewhere (a CRM, a signed PDF's number); unique.
    pub external_ref: Option<String>,
    /// The latest approval opened by submitting it.
    pub approval_id: Option<i64>,
    /// The staff member who created it.
    pub created_by: i64,
    pub version: i32,
    #[serde(serialize_with = "rfc3339")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "rfc3339")]
    pub updated_at: NaiveDateTime,
}

impl Contract {
    /// The derived fields again, after the dates changed.
    pub fn derive(&mut self) {
        self.notice_deadline = notice_deadline(self.end_date, self.notice_days);
        self.lifecycle = ContractLifecycle::on(
            today(),
            self.start_date,
            self.end_date,
            self.notice_deadline,
        );
    }
}

impl TryFrom<ContractRow> for Contract {
    type Error = crate::db::sql::UnknownVariant;

    fn try_from(row: ContractRow) -> Result<Self, Self::Error> {
        let lifecycle =
            ContractLifecycle::on(today(), row.start_date, row.end_date, row.notice_deadline);
        Ok(Contract {
            id: row.id,
            client_id: row.client_id,
            account_id: row.account_id,
            title: row.title,
            kind: ContractKind::try_from(row.kind)?,
            start_date: row.start_date,
            end_date: row.end_date,
            value: Money {
                amount_minor: row.value_amount_minor,
                currency: row.value_currency,
            },
            auto_renew: row.auto_renew,
            notice_days: row.notice_days,
            renewal_term_months: row.renewal_term_months,
            notice_deadline: row.notice_deadline,
            lifecycle,
            status: ContractStatus::try_from(row.status)?,
            renewal_of: row.renewal_of,
            terminated_on: row.terminated_on,
            termination_reason: row.termination_reason,
            external_ref: row.external_ref,
            approval_id: row.approval_id,
            created_by: row.created_by,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// Read straight from a row: a kind or status no contract can have (CHECK constraints
/// keep them out) is a corrupted row, reported like any unreadable column.
impl<ST, DB: diesel::backend::Backend> Queryable<ST, DB> for Contract
where
    ContractRow: Queryable<ST, DB>,
{
    type Row = <ContractRow as Queryable<ST, DB>>::Row;

    fn build(row: Self::Row) -> diesel::deserialize::Result<Self> {
        Ok(Contract::try_from(ContractRow::build(row)?)?)
    }
}

/// A contract as one caller sees it, with what they may do with it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 17, "client_id": 42, "account_id": 12, "title": "Acme retainer 2026",
    "kind": "retainer", "start_date": "2026-01-01", "end_date": "2026-12-31",
    "value": {"amount_minor": 24000000, "currency": "EUR"}, "auto_renew": true,
    "notice_days": 90, "renewal_term_months": 12, "notice_deadline": "2026-10-02",
    "lifecycle": "running", "status": "active", "renewal_of": null,
    "terminated_on": null, "termination_reason": null, "external_ref": "SF-000123",
    "approval_id": 88, "created_by": 7, "version": 3,
    "created_at": "2025-11-20T09:00:00Z", "updated_at": "2025-12-01T15:10:00Z",
    "allowed_actions": ["renew", "terminate"]
}))]
pub struct ContractView {
    #[serde(flatten)]
    pub contract: Contract,
    pub allowed_actions: Vec<ContractAction>,
}

/// One page of `GET` on the list (named for the spec; see [`Page`]).
pub type ContractPage = Page<ContractView>;

impl Versioned for ContractView {
    fn version(&self) -> i32 {
        self.contract.version
    }
}
