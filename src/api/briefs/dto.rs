use chrono::{NaiveDate, NaiveDateTime};
use diesel::Queryable;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::db::sql::text_enum;
use crate::money::Money;
use crate::resource::Patch;
use crate::rest::body::{merge, non_null, nullable};
use crate::rest::list::{Named, Page};
use crate::rest::record::Versioned;
use crate::rest::text::required_line;
use crate::time::{rfc3339, Timestamp};

text_enum!(
    /// Where a brief stands: `draft → submitted → approved | changes_requested →
    /// in_production → delivered`, or `cancelled` from any state before `delivered`.
    BriefStatus {
        Draft => "draft",
        Submitted => "submitted",
        Approved => "approved",
        ChangesRequested => "changes_requested",
        InProduction => "in_production",
        Delivered => "delivered",
        Cancelled => "cancelled",
    }
);

impl BriefStatus {
    /// Whether the brief's content may still change: while it is written, and when the
    /// client asked for changes.
    pub fn editable(self) -> bool {
        matches!(self, BriefStatus::Draft | BriefStatus::ChangesRequested)
    }

    /// Whether the work is still open: it can be cancelled.
    pub fn open(self) -> bool {
        !matches!(self, BriefStatus::Delivered | BriefStatus::Cancelled)
    }
}

text_enum!(
    /// Something the caller may do with a brief.
    BriefAction {
        Update => "update",
        Delete => "delete",
        Submit => "submit",
        StartProduction => "start_production",
        AddRound => "add_round",
        Deliver => "deliver",
        Cancel => "cancel",
    }
);

/// A brief row as stored.
#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct BriefRow {
    pub id: i64,
    pub account_id: i64,
    pub client_id: i64,
    pub title: String,
    pub background: Option<String>,
    pub objectives: Option<String>,
    pub target_audience: Option<String>,
    pub consumer_insight: Option<String>,
    pub key_message: Option<String>,
    pub deliverables: Option<String>,
    pub mandatories: Option<String>,
    pub budget_amount_minor: Option<i64>,
    pub budget_currency: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub author_id: i64,
    pub status: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub submitted_version: Option<i32>,
    pub approval_id: Option<i64>,
}

/// The creative brief for a piece of work on an account: what the client asks for, for
/// whom, and what the work must say and include.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 31, "account_id": 12, "client_id": 42, "title": "Spring launch of Acme Crunch",
    "background": "Acme Crunch enters the Italian market in March.",
    "objectives": "Awareness among 18-34 year olds; 2% trial in three months.",
    "target_audience": "Urban 18-34, snacking on the go.",
    "consumer_insight": "A snack is a break I choose, not one I am given.",
    "key_message": "Crunch time is your time.",
    "deliverables": "One 30\" TV spot, 6 social cuts, 3 OOH formats.",
    "mandatories": "Logo lock-up; 'new' claim approved by legal.",
    "budget": {"amount_minor": 12000000, "currency": "EUR"}, "due_date": "2026-03-01",
    "author_id": 7, "status": "draft", "submitted_version": null, "approval_id": null,
    "version": 2, "created_at": "2026-01-22T09:00:00Z", "updated_at": "2026-01-23T11:30:00Z"
}))]
pub struct Brief {
    pub id: i64,
    pub account_id: i64,
    /// The account's client.
    pub client_id: i64,
    pub title: String,
    /// Where the client and the brand stand, and why the work is needed.
    pub background: Option<String>,
    /// What the work must achieve.
    pub objectives: Option<String>,
    pub target_audience: Option<String>,
    /// What the consumer thinks or feels that the work builds on (the planner's part).
    pub consumer_insight: Option<String>,
    /// The one thing the audience should take away.
    pub key_message: Option<String>,
    /// The pieces of work expected.
    pub deliverables: Option<String>,
    /// What every piece must include or respect (legal lines, logos, claims).
    pub mandatories: Option<String>,
    pub budget: Option<Money>,
    /// When the work is due, `YYYY-MM-DD`.
    #[schema(value_type = Option<String>, format = Date, example = "2026-03-01")]
    pub due_date: Option<NaiveDate>,
    /// The staff member who created the brief.
    pub author_id: i64,
    pub status: BriefStatus,
    /// The number of the latest submitted version (`GET /briefs/{id}/versions/{n}`);
    /// `null` until first submitted.
    pub submitted_version: Option<i32>,
    /// The latest approval opened by submitting it: pending while `submitted`.
    pub approval_id: Option<i64>,
    pub version: i32,
    #[serde(serialize_with = "rfc3339")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "rfc3339")]
    pub updated_at: NaiveDateTime,
}

/// One page of `GET` on the list (named for the spec; see [`Page`]).
pub type BriefPage = Page<BriefView>;

impl TryFrom<BriefRow> for Brief {
    type Error = crate::db::sql::UnknownVariant;

    fn try_from(row: BriefRow) -> Result<Self, Self::Error> {
        Ok(Brief {
            id: row.id,
            account_id: row.account_id,
            client_id: row.client_id,
            title: row.title,
            background: row.background,
            objectives: row.objectives,
            target_audience: row.target_audience,
            consumer_insight: row.consumer_insight,
            key_message: row.key_message,
            deliverables: row.deliverables,
            mandatories: row.mandatories,
            budget: Money::from_columns(row.budget_amount_minor, row.budget_currency),
            due_date: row.due_date,
            author_id: row.author_id,
            status: BriefStatus::try_from(row.status)?,
            submitted_version: row.submitted_version,
            approval_id: row.approval_id,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// Read straight from a row: a status no brief can have (a CHECK constraint keeps them
/// out) is a corrupted row, reported like any unreadable column.
impl<ST, DB: diesel::backend::Backend> Queryable<ST, DB> for Brief
where
    BriefRow: Queryable<ST, DB>,
{
    type Row = <BriefRow as Queryable<ST, DB>>::Row;

    fn build(row: Self::Row) -> diesel::deserialize::Result<Self> {
        Ok(Brief::try_from(BriefRow::build(row)?)?)
    }
}

/// A brief as one caller sees it, with what they may do with it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 31, "account_id": 12, "client_id": 42, "title": "Spring launch of Acme Crunch",
    "background": "Acme Crunch enters the Italian market in March.",
    "objectives": "Awareness among 18-34 year olds; 2% trial in three months.",
    "target_audience": "Urban 18-34, snacking on the go.",
    "consumer_insight": "A snack is a break I choose, not one I am given.",
    "key_message": "Crunch time is your time.",
    "deliverables": "One 30\" TV spot, 6 social cuts, 3 OOH formats.",
    "mandatories": "Logo lock-up; 'new' claim approved by legal.",
    "budget": {"amount_minor": 12000000, "currency": "EUR"}, "due_date": "2026-03-01",
    "author_id": 7, "status": "draft", "submitted_version": null, "approval_id": null,
    "version": 2, "created_at": "2026-01-22T09:00:00Z", "updated_at": "2026-01-23T11:30:00Z",
    "allowed_actions": ["update", "delete", "submit", "cancel"]
}))]
pub struct BriefView {
    #[serde(flatten)]
    pub brief: Brief,
    pub allowed_actions: Vec<BriefAction>,
}

/// The brief's long texts: up to 10,000 characters each, several lines allowed.
const LONG: u64 = 10_000;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "account_id": 12, "title": "Spring launch of Acme Crunch",
    "background": "Acme Crunch enters the Italian market in March.",
    "objectives": "Awareness among 18-34 year olds; 2% trial in three months.",
    "target_audience": "Urban 18-34, snacking on the go.",
    "key_message": "Crunch time is your time.",
    "budget": {"amount_minor": 12000000, "currency": "EUR"}, "due_date": "2026-03-01"
}))]
pub struct BriefCreate {
    /// An account within the caller's reach; any other id reads as unknown.
    pub account_id: i64,
    #[validate(length(min = 1, max = 200, message = "must be between 1 and 200 characters"), custom(function = required_line))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub title: String,
    #[validate(length(max = LONG, message = "must be at most 10000 characters"))]
    #[schema(max_length = 10000)]
    pub background: Option<String>,
    #[validate(length(max = LONG, message = "must be at most 10000 characters"))]
    #[schema(max_length = 10000)]
    pub objectives: Option<String>,
    #[validate(length(max = LONG, message = "must be at most 10000 characters"))]
    #[schema(max_length = 10000)]
    pub target_audience: Option<String>,
    #[validate(length(max = LONG, message = "must be at most 10000 characters"))]
    #[schema(max_length = 10000)]
    pub consumer_insight: Option<String>,
    #[validate(length(max = LONG, message = "must be at most 10000 characters"))]
    #[schema(max_length = 10000)]
    pub key_message: Option<String>,
    #[validate(length(max = LONG, message = "must be at most 10000 characters"))]
    #[schema(max_length = 10000)]
    pub deliverables: Option<String>,
    #[validate(length(max = LONG, message = "must be at most 10000 characters"))]
    #[schema(max_length = 10000)]
    pub mandatories: Option<String>,
    #[validate(nested)]
    pub budget: Option<Money>,
    /// `YYYY-MM-DD`.
    #[schema(value_type = Option<String>, format = Date, example = "2026-03-01")]
    pub due_date: Option<NaiveDate>,
}

/// A JSON merge patch: absent fields stay as they are, `null` clears a field. Only a brief
/// in `draft` or `changes_requested` can be edited; it stays on its account.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"key_message": "Crunch time is your time.", "due_date": "2026-03-15"}))]
pub struct BriefUpdate {
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = String)]
    #[validate(length(min = 1, max = 200, message = "must be between 1 and 200 characters"), custom(function = required_line))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = LONG, message = "must be at most 10000 characters"))]
    #[schema(max_length = 10000, nullable)]
    pub background: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = LONG, message = "must be at most 10000 characters"))]
    #[schema(max_length = 10000, nullable)]
    pub objectives: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = LONG, message = "must be at most 10000 characters"))]
    #[schema(max_length = 10000, nullable)]
    pub target_audience: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = LONG, message = "must be at most 10000 characters"))]
    #[schema(max_length = 10000, nullable)]
    pub consumer_insight: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = LONG, message = "must be at most 10000 characters"))]
    #[schema(max_length = 10000, nullable)]
    pub key_message: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = LONG, message = "must be at most 10000 characters"))]
    #[schema(max_length = 10000, nullable)]
    pub deliverables: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = LONG, message = "must be at most 10000 characters"))]
    #[schema(max_length = 10000, nullable)]
    pub mandatories: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(nested)]
    #[schema(nullable)]
    pub budget: Option<Option<Money>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, format = Date, nullable, example = "2026-03-15")]
    pub due_date: Option<Option<NaiveDate>>,
}

impl Patch<Brief> for BriefUpdate {
    fn apply_to(self, brief: &mut Brief) {
        merge(
            &mut brief.title,
            &self.title.map(|title| title.trim().to_owned()),
        );
        merge(&mut brief.background, &self.background);
        merge(&mut brief.objectives, &self.objectives);
        merge(&mut brief.target_audience, &self.target_audience);
        merge(&mut brief.consumer_insight, &self.consumer_insight);
        merge(&mut brief.key_message, &self.key_message);
        merge(&mut brief.deliverables, &self.deliverables);
        merge(&mut brief.mandatories, &self.mandatories);
        merge(&mut brief.budget, &self.budget);
        merge(&mut brief.due_date, &self.due_date);
    }
}

/// The filters of `GET /briefs`; they combine with AND.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BriefFilter {
    pub account_id: Option<i64>,
    pub client_id: Option<i64>,
    pub status: Option<BriefStatus>,
    pub author_id: Option<i64>,
    /// Due on or before this date (`YYYY-MM-DD`): what is due soon. Briefs without a due
    /// date are left out.
    #[param(value_type = Option<String>, format = Date, example = "2026-03-31")]
    pub due_before: Option<NaiveDate>,
    /// Due on or after this date (`YYYY-MM-DD`).
    #[param(value_type = Option<String>, format = Date, example = "2026-03-01")]
    pub due_after: Option<NaiveDate>,
    /// Title contains this text, ignoring case.
    #[param(example = "launch")]
    pub q: Option<String>,
    /// Only briefs changed at or after this RFC 3339 time.
    #[param(value_type = Option<String>, example = "2026-01-01T00:00:00Z", format = DateTime)]
    pub updated_since: Option<Timestamp>,
}

impl Versioned for BriefView {
    fn version(&self) -> i32 {
        self.brief.version
    }
}

impl Named for Brief {
    const NAME: &'static str = "title";

    fn naming(&self) -> (i64, &str, NaiveDateTime, NaiveDateTime) {
        (self.id, &self.title, self.created_at, self.updated_at)
    }
}
