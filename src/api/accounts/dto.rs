use chrono::NaiveDateTime;
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
use crate::rest::text::{required_line, single_line};
use crate::time::{rfc3339, Timestamp};

text_enum!(
    /// `closed` is how an account ends: a status, not a deletion.
    AccountStatus { Active => "active", Paused => "paused", Closed => "closed" }
);

text_enum!(
    /// Something the caller may do with an account.
    AccountAction { Update => "update", Delete => "delete", Assign => "assign" }
);

/// An account row as stored.
#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct AccountRow {
    pub id: i64,
    pub client_id: i64,
    pub name: String,
    pub status: String,
    pub manager_id: Option<i64>,
    pub budget_amount_minor: Option<i64>,
    pub budget_currency: Option<String>,
    pub threshold_amount_minor: Option<i64>,
    pub threshold_currency: Option<String>,
    pub external_ref: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A client's brand or business line run by the agency.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 12, "client_id": 42, "name": "Acme Snacks", "status": "active", "manager_id": 3,
    "budget": {"amount_minor": 25000000, "currency": "EUR"},
    "payment_approval_threshold": {"amount_minor": 500000, "currency": "EUR"},
    "external_ref": "PRJ-7781", "version": 4,
    "created_at": "2026-01-20T10:00:00Z", "updated_at": "2026-02-11T15:42:07.5Z"
}))]
pub struct Account {
    pub id: i64,
    pub client_id: i64,
    pub name: String,
    pub status: AccountStatus,
    /// The account manager (staff id).
    pub manager_id: Option<i64>,
    /// The budget for the current period.
    pub budget: Option<Money>,
    /// Payments above this need an account director's approval.
    pub payment_approval_threshold: Option<Money>,
    /// The account's id in another system; unique when set.
    pub external_ref: Option<String>,
    pub version: i32,
    #[serde(serialize_with = "rfc3339")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "rfc3339")]
    pub updated_at: NaiveDateTime,
}

/// One page of `GET` on the list (named for the spec; see [`Page`]).
pub type AccountPage = Page<AccountView>;

impl TryFrom<AccountRow> for Account {
    type Error = crate::db::sql::UnknownVariant;

    fn try_from(row: AccountRow) -> Result<Self, Self::Error> {
        Ok(Account {
            id: row.id,
            client_id: row.client_id,
            name: row.name,
            status: AccountStatus::try_from(row.status)?,
            manager_id: row.manager_id,
            budget: Money::from_columns(row.budget_amount_minor, row.budget_currency),
            payment_approval_threshold: Money::from_columns(
                row.threshold_amount_minor,
                row.threshold_currency,
            ),
            external_ref: row.external_ref,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// Read straight from a row: a value no account can have (a CHECK constraint keeps them
/// out) is a corrupted row, reported like any unreadable column.
impl<ST, DB: diesel::backend::Backend> Queryable<ST, DB> for Account
where
    AccountRow: Queryable<ST, DB>,
{
    type Row = <AccountRow as Queryable<ST, DB>>::Row;

    fn build(row: Self::Row) -> diesel::deserialize::Result<Self> {
        Ok(Account::try_from(AccountRow::build(row)?)?)
    }
}

/// An account as one caller sees it, with what they may do with it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 12, "client_id": 42, "name": "Acme Snacks", "status": "active", "manager_id": 3,
    "budget": {"amount_minor": 25000000, "currency": "EUR"},
    "payment_approval_threshold": {"amount_minor": 500000, "currency": "EUR"},
    "external_ref": "PRJ-7781", "version": 4,
    "created_at": "2026-01-20T10:00:00Z", "updated_at": "2026-02-11T15:42:07.5Z",
    "allowed_actions": ["update", "assign"]
}))]
pub struct AccountView {
    #[serde(flatten)]
    pub account: Account,
    pub allowed_actions: Vec<AccountAction>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "client_id": 42, "name": "Acme Snacks", "manager_id": 3,
    "budget": {"amount_minor": 25000000, "currency": "EUR"},
    "payment_approval_threshold": {"amount_minor": 500000, "currency": "EUR"},
    "external_ref": "PRJ-7781"
}))]
pub struct AccountCreate {
    pub client_id: i64,
    /// Unique within the client, ignoring case.
    #[validate(length(min = 1, max = 200, message = "must be between 1 and 200 characters"), custom(function = required_line))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    /// Defaults to `active`.
    pub status: Option<AccountStatus>,
    /// An active staff member; defaults to the caller.
    pub manager_id: Option<i64>,
    #[validate(nested)]
    pub budget: Option<Money>,
    #[validate(nested)]
    pub payment_approval_threshold: Option<Money>,
    #[validate(length(min = 1, max = 100, message = "must be between 1 and 100 characters"), custom(function = single_line))]
    #[schema(min_length = 1, max_length = 100)]
    pub external_ref: Option<String>,
}

/// A JSON merge patch: absent fields stay as they are, `null` clears a field. An account
/// stays with its client.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "paused", "budget": {"amount_minor": 18000000, "currency": "EUR"}}))]
pub struct AccountUpdate {
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = String)]
    #[validate(length(min = 1, max = 200, message = "must be between 1 and 200 characters"), custom(function = required_line))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = AccountStatus)]
    pub status: Option<AccountStatus>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub manager_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(nested)]
    #[schema(nullable)]
    pub budget: Option<Option<Money>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(nested)]
    #[schema(nullable)]
    pub payment_approval_threshold: Option<Option<Money>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(min = 1, max = 100, message = "must be between 1 and 100 characters"), custom(function = single_line))]
    #[schema(min_length = 1, max_length = 100)]
    #[schema(nullable)]
    pub external_ref: Option<Option<String>>,
}

impl Patch<Account> for AccountUpdate {
    fn apply_to(self, account: &mut Account) {
        merge(
            &mut account.name,
            &self.name.map(|name| name.trim().to_owned()),
        );
        merge(&mut account.status, &self.status);
        merge(&mut account.manager_id, &self.manager_id);
        merge(&mut account.budget, &self.budget);
        merge(
            &mut account.payment_approval_threshold,
            &self.payment_approval_threshold,
        );
        merge(&mut account.external_ref, &self.external_ref);
    }
}

/// The filters of `GET /accounts`; they combine with AND.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AccountFilter {
    pub client_id: Option<i64>,
    pub status: Option<AccountStatus>,
    pub manager_id: Option<i64>,
    /// Name contains this text, ignoring case.
    #[param(example = "snacks")]
    pub q: Option<String>,
    /// Only accounts changed at or after this RFC 3339 time.
    #[param(value_type = Option<String>, example = "2026-01-01T00:00:00Z", format = DateTime)]
    pub updated_since: Option<Timestamp>,
}

/// A staff member on an account's team.
#[derive(Debug, Clone, PartialEq, Queryable, Serialize, ToSchema)]
#[schema(example = json!({
    "staff_id": 7, "full_name": "Marco Bianchi", "email": "marco.bianchi@agency.example",
    "active": true, "role_on_account": "lead executive",
    "created_at": "2026-01-20T10:05:00Z", "updated_at": "2026-01-20T10:05:00Z"
}))]
pub struct TeamMember {
    pub staff_id: i64,
    pub full_name: String,
    pub email: String,
    /// A deactivated member stays on the team, as history, but cannot act.
    pub active: bool,
    /// What the member does on this account, in the agency's words.
    pub role_on_account: String,
    /// When the member joined the team.
    #[serde(serialize_with = "rfc3339")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "rfc3339")]
    pub updated_at: NaiveDateTime,
}

/// An account's team; teams are small, so the list is not paginated.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamList {
    pub data: Vec<TeamMember>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"role_on_account": "lead executive"}))]
pub struct TeamAssignment {
    #[validate(length(min = 1, max = 100, message = "must be between 1 and 100 characters"), custom(function = required_line))]
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub role_on_account: String,
}

impl Versioned for AccountView {
    fn version(&self) -> i32 {
        self.account.version
    }
}

impl Named for Account {
    fn naming(&self) -> (i64, &str, NaiveDateTime, NaiveDateTime) {
        (self.id, &self.name, self.created_at, self.updated_at)
    }
}
