use chrono::{NaiveDate, NaiveDateTime};
use diesel::Queryable;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::approval::{self, Stages};
use crate::db::sql::text_enum;
use crate::money::Money;
use crate::rest::list::{Key, KeyKind, Page, Sort};
use crate::rest::record::Versioned;
use crate::rest::text::{required_line, single_line};
use crate::time::{rfc3339, rfc3339_opt, Timestamp};

text_enum!(
    /// Which way the money goes: `incoming` from the client, `outgoing` to the client.
    PaymentDirection { Incoming => "incoming", Outgoing => "outgoing" }
);

text_enum!(
    /// Where a payment stands: `pending_approval → approved | rejected`, `approved →
    /// paid`; `cancelled` from `pending_approval` or `approved`.
    PaymentStatus {
        PendingApproval => "pending_approval",
        Approved => "approved",
        Rejected => "rejected",
        Paid => "paid",
        Cancelled => "cancelled",
    }
);

text_enum!(
    /// Something the caller may do with a payment.
    PaymentAction { MarkPaid => "mark_paid", Cancel => "cancel" }
);

/// A payment row as stored.
#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct PaymentRow {
    pub id: i64,
    pub account_id: i64,
    pub client_id: i64,
    pub contract_id: Option<i64>,
    pub direction: String,
    pub amount_minor: i64,
    pub currency: String,
    pub description: String,
    pub due_date: Option<NaiveDate>,
    pub status: String,
    pub requested_by: i64,
    pub approved_by: Option<i64>,
    pub approval_id: Option<i64>,
    pub paid_at: Option<NaiveDateTime>,
    pub external_ref: Option<String>,
    pub cancel_reason: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Money to (`outgoing`) or from (`incoming`) the client on an account, in the account's
/// budget currency; approved before it is paid.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 55, "account_id": 12, "client_id": 42, "contract_id": null,
    "direction": "outgoing", "amount": {"amount_minor": 750000, "currency": "EUR"},
    "description": "Media buy, spring flight", "due_date": "2026-03-15",
    "status": "approved", "requested_by": 7, "approved_by": 3, "approval_id": 91,
    "paid_at": null, "external_ref": null, "cancel_reason": null, "version": 2,
    "created_at": "2026-02-01T09:00:00Z", "updated_at": "2026-02-02T15:30:00Z"
}))]
pub struct Payment {
    pub id: i64,
    pub account_id: i64,
    /// The account's client.
    pub client_id: i64,
    /// The contract the payment is made under, if any.
    pub contract_id: Option<i64>,
    pub direction: PaymentDirection,
    /// More than zero, in the account's budget currency.
    pub amount: Money,
    pub description: String,
    /// When the money is due, `YYYY-MM-DD`.
    #[schema(value_type = Option<String>, format = Date, example = "2026-03-15")]
    pub due_date: Option<NaiveDate>,
    pub status: PaymentStatus,
    /// The staff member who asked for the payment; never its approver.
    pub requested_by: i64,
    /// Who made the last internal decision of its approval, once approved.
    pub approved_by: Option<i64>,
    /// The approval opened when the payment was requested.
    pub approval_id: Option<i64>,
    /// When the money moved; set when marked paid.
    #[serde(serialize_with = "rfc3339_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub paid_at: Option<NaiveDateTime>,
    /// The accounting system's id for the payment; unique when set.
    pub external_ref: Option<String>,
    /// Why it was cancelled, if it was and a reason was given.
    pub cancel_reason: Option<String>,
    pub version: i32,
    #[serde(serialize_with = "rfc3339")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "rfc3339")]
    pub updated_at: NaiveDateTime,
}

/// One page of `GET` on the list (named for the spec; see [`Page`]).
pub type PaymentPage = Page<PaymentView>;

impl TryFrom<PaymentRow> for Payment {
    type Error = crate::db::sql::UnknownVariant;

    fn try_from(row: PaymentRow) -> Result<Self, Self::Error> {
        Ok(Payment {
            id: row.id,
            account_id: row.account_id,
            client_id: row.client_id,
            contract_id: row.contract_id,
            direction: PaymentDirection::try_from(row.direction)?,
            amount: Money {
                amount_minor: row.amount_minor,
                currency: row.currency,
            },
            description: row.description,
            due_date: row.due_date,
            status: PaymentStatus::try_from(row.status)?,
            requested_by: row.requested_by,
            approved_by: row.approved_by,
            approval_id: row.approval_id,
            paid_at: row.paid_at,
            external_ref: row.external_ref,
            cancel_reason: row.cancel_reason,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// Read straight from a row: a value no payment can have (a CHECK constraint keeps them
/// out) is a corrupted row, reported like any unreadable column.
impl<ST, DB: diesel::backend::Backend> Queryable<ST, DB> for Payment
where
    PaymentRow: Queryable<ST, DB>,
{
    type Row = <PaymentRow as Queryable<ST, DB>>::Row;

    fn build(row: Self::Row) -> diesel::deserialize::Result<Self> {
        Ok(Payment::try_from(PaymentRow::build(row)?)?)
    }
}

/// A payment as one caller sees it, with what they may do with it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 55, "account_id": 12, "client_id": 42, "contract_id": null,
    "direction": "outgoing", "amount": {"amount_minor": 750000, "currency": "EUR"},
    "description": "Media buy, spring flight", "due_date": "2026-03-15",
    "status": "approved", "requested_by": 7, "approved_by": 3, "approval_id": 91,
    "paid_at": null, "external_ref": null, "cancel_reason": null, "version": 2,
    "created_at": "2026-02-01T09:00:00Z", "updated_at": "2026-02-02T15:30:00Z",
    "allowed_actions": ["mark_paid", "cancel"]
}))]
pub struct PaymentView {
    #[serde(flatten)]
    pub payment: Payment,
    pub allowed_actions: Vec<PaymentAction>,
}

impl Versioned for PaymentView {
    fn version(&self) -> i32 {
        self.payment.version
    }
}

/// A request for a payment; its approval is opened with it.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "account_id": 12, "direction": "outgoing",
    "amount": {"amount_minor": 750000, "currency": "EUR"},
    "description": "Media buy, spring flight", "due_date": "2026-03-15",
    "note": "Booked with the client on Monday's call."
}))]
pub struct PaymentCreate {
    /// An account within the caller's reach, with a budget; any other id reads as unknown.
    pub account_id: i64,
    /// An active contract of the account's client (for this account, or the client as a
    /// whole) within the caller's reach; any other id reads as unknown.
    pub contract_id: Option<i64>,
    pub direction: PaymentDirection,
    /// More than zero and at most 10^15 minor units, in the account's budget currency.
    #[validate(nested)]
    pub amount: Money,
    /// 1 to 500 characters, one line.
    #[validate(length(min = 1, max = 500, message = "must be between 1 and 500 characters"), custom(function = required_line), custom(function = single_line))]
    #[schema(min_length = 1, max_length = 500, pattern = "\\S")]
    pub description: String,
    /// `YYYY-MM-DD`.
    #[schema(value_type = Option<String>, format = Date, example = "2026-03-15")]
    pub due_date: Option<NaiveDate>,
    /// The accounting system's id for the payment; unique. Up to 200 characters, one line.
    #[validate(length(min = 1, max = 200, message = "must be between 1 and 200 characters"), custom(function = single_line))]
    #[schema(min_length = 1, max_length = 200)]
    pub external_ref: Option<String>,
    /// The approval's stages, in order; left out, the `payment` policy's. A payment that
    /// needs a director stage (over the account's threshold, or beyond its remaining
    /// budget) gets one added whatever stages are given; a stage marked `director` cannot
    /// be given here.
    #[validate(nested)]
    pub stages: Option<Stages>,
    /// A note for the approvers, up to 2,000 characters.
    #[validate(custom(function = approval::note))]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// The filters of `GET /payments`; they combine with AND.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PaymentFilter {
    pub account_id: Option<i64>,
    pub client_id: Option<i64>,
    pub contract_id: Option<i64>,
    pub direction: Option<PaymentDirection>,
    pub status: Option<PaymentStatus>,
    /// Due on or before this date (`YYYY-MM-DD`). Payments without a due date are left
    /// out.
    #[param(value_type = Option<String>, format = Date, example = "2026-03-31")]
    pub due_before: Option<NaiveDate>,
    /// Only payments changed at or after this RFC 3339 time.
    #[param(value_type = Option<String>, example = "2026-01-01T00:00:00Z", format = DateTime)]
    pub updated_since: Option<Timestamp>,
    /// `true`: incoming payments not yet paid (nor cancelled or rejected) whose due date
    /// has passed; `false`: all others.
    pub overdue: Option<bool>,
}

/// Payments are listed by when they were requested (the default), last changed, or
/// by due date (`due_date`: the earliest first, those without one after all others).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentSort {
    CreatedAt,
    UpdatedAt,
    DueDate,
}

/// Where a payment without a due date sorts by due date: after every real one. The
/// repo's SQL says the same date (`9999-12-31`).
pub fn no_due_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).expect("a valid date")
}

impl Sort for PaymentSort {
    type Row = Payment;
    const KEYS: &'static [(&'static str, Self)] = &[
        ("created_at", PaymentSort::CreatedAt),
        ("updated_at", PaymentSort::UpdatedAt),
        ("due_date", PaymentSort::DueDate),
    ];
    const DEFAULT: &'static str = "created_at";

    fn kind(self) -> KeyKind {
        KeyKind::Time
    }

    fn key(self, row: &Payment) -> Key {
        Key::Time(match self {
            PaymentSort::CreatedAt => row.created_at,
            PaymentSort::UpdatedAt => row.updated_at,
            // A date as the start of its day: cursors carry times.
            PaymentSort::DueDate => row
                .due_date
                .unwrap_or_else(no_due_date)
                .and_time(chrono::NaiveTime::MIN),
        })
    }

    fn id(row: &Payment) -> i64 {
        row.id
    }
}
