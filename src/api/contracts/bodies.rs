//! The bodies and the query of the contract operations.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::dto::{Contract, ContractKind, ContractLifecycle, ContractStatus};
use crate::money::Money;
use crate::resource::Patch;
use crate::rest::body::{merge, non_null, nullable};
use crate::rest::list::{Key, KeyKind, Sort};
use crate::rest::text::{required_line, single_line};
use crate::time::Timestamp;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "client_id": 42, "account_id": 12, "title": "Acme retainer 2026", "kind": "retainer",
    "start_date": "2026-01-01", "end_date": "2026-12-31",
    "value": {"amount_minor": 24000000, "currency": "EUR"}, "auto_renew": true,
    "notice_days": 90, "renewal_term_months": 12, "external_ref": "SF-000123"
}))]
pub struct ContractCreate {
    /// A client within the caller's reach; any other id reads as unknown.
    pub client_id: i64,
    /// One of the client's accounts within reach; left out, the client as a whole.
    pub account_id: Option<i64>,
    #[validate(length(min = 1, max = 200, message = "must be between 1 and 200 characters"), custom(function = required_line))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub title: String,
    pub kind: ContractKind,
    /// `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date, example = "2026-01-01")]
    pub start_date: NaiveDate,
    /// `YYYY-MM-DD`, on or after `start_date`; only a framework may leave it out.
    #[schema(value_type = Option<String>, format = Date, example = "2026-12-31")]
    pub end_date: Option<NaiveDate>,
    #[validate(nested)]
    pub value: Money,
    /// Default `false`.
    #[serde(default)]
    pub auto_renew: bool,
    /// 0 (the default) to 3650.
    #[serde(default)]
    #[validate(range(min = 0, max = 3650, message = "must be between 0 and 3650"))]
    #[schema(minimum = 0, maximum = 3650)]
    pub notice_days: i32,
    /// 1 to 120.
    #[validate(range(min = 1, max = 120, message = "must be between 1 and 120"))]
    #[schema(minimum = 1, maximum = 120)]
    pub renewal_term_months: Option<i32>,
    /// Unique across contracts; up to 100 characters.
    #[validate(length(min = 1, max = 100, message = "must be between 1 and 100 characters"), custom(function = single_line))]
    #[schema(min_length = 1, max_length = 100)]
    pub external_ref: Option<String>,
}

/// A JSON merge patch: absent fields stay as they are, `null` clears a field. Only a
/// contract in `draft` can be edited; it stays with its client and account.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"end_date": "2027-01-31", "notice_days": 60}))]
pub struct ContractUpdate {
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = String)]
    #[validate(length(min = 1, max = 200, message = "must be between 1 and 200 characters"), custom(function = required_line))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = ContractKind)]
    pub kind: Option<ContractKind>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = String, format = Date, example = "2026-02-01")]
    pub start_date: Option<NaiveDate>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, format = Date, nullable, example = "2027-01-31")]
    pub end_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "non_null")]
    #[validate(nested)]
    #[schema(value_type = Money)]
    pub value: Option<Money>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = bool)]
    pub auto_renew: Option<bool>,
    #[serde(default, deserialize_with = "non_null")]
    #[validate(range(min = 0, max = 3650, message = "must be between 0 and 3650"))]
    #[schema(value_type = i32, minimum = 0, maximum = 3650)]
    pub notice_days: Option<i32>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(range(min = 1, max = 120, message = "must be between 1 and 120"))]
    #[schema(value_type = Option<i32>, nullable, minimum = 1, maximum = 120)]
    pub renewal_term_months: Option<Option<i32>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(min = 1, max = 100, message = "must be between 1 and 100 characters"), custom(function = single_line))]
    #[schema(value_type = Option<String>, nullable, min_length = 1, max_length = 100)]
    pub external_ref: Option<Option<String>>,
}

impl Patch<Contract> for ContractUpdate {
    fn apply_to(self, contract: &mut Contract) {
        merge(
            &mut contract.title,
            &self.title.map(|title| title.trim().to_owned()),
        );
        merge(&mut contract.kind, &self.kind);
        merge(&mut contract.start_date, &self.start_date);
        merge(&mut contract.end_date, &self.end_date);
        merge(&mut contract.value, &self.value);
        merge(&mut contract.auto_renew, &self.auto_renew);
        merge(&mut contract.notice_days, &self.notice_days);
        merge(&mut contract.renewal_term_months, &self.renewal_term_months);
        merge(&mut contract.external_ref, &self.external_ref);
        contract.derive();
    }
}

/// What a renewal may change of what it copies; the body may be left out.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "Acme retainer 2027", "value": {"amount_minor": 25200000, "currency": "EUR"}}))]
pub struct ContractRenewal {
    /// Left out: the predecessor's.
    #[validate(length(min = 1, max = 200, message = "must be between 1 and 200 characters"), custom(function = required_line))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub title: Option<String>,
    /// Left out: the predecessor's.
    #[validate(nested)]
    pub value: Option<Money>,
    /// Left out: the start plus `renewal_term_months` (or the predecessor's own length).
    #[schema(value_type = Option<String>, format = Date, example = "2027-12-31")]
    pub end_date: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"terminated_on": "2026-06-30", "reason": "The client moved the account in-house."}))]
pub struct ContractTermination {
    /// The last day the contract runs, `YYYY-MM-DD`; on or after its start.
    #[schema(value_type = String, format = Date, example = "2026-06-30")]
    pub terminated_on: NaiveDate,
    /// 1 to 2,000 characters, on one line.
    #[validate(length(min = 1, max = 2000, message = "must be between 1 and 2000 characters"), custom(function = required_line))]
    #[schema(min_length = 1, max_length = 2000, pattern = "\\S")]
    pub reason: String,
}

/// The filters of `GET /contracts`; they combine with AND.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ContractFilter {
    pub client_id: Option<i64>,
    pub account_id: Option<i64>,
    pub status: Option<ContractStatus>,
    pub kind: Option<ContractKind>,
    /// Renewals of this contract.
    pub renewal_of: Option<i64>,
    /// Title contains this text, ignoring case.
    #[param(example = "retainer")]
    pub q: Option<String>,
    /// Only contracts changed at or after this RFC 3339 time.
    #[param(value_type = Option<String>, example = "2026-01-01T00:00:00Z", format = DateTime)]
    pub updated_since: Option<Timestamp>,
    /// Ending before this date (`end_date` < DATE, `YYYY-MM-DD`).
    #[param(value_type = Option<String>, format = Date, example = "2026-12-31")]
    pub ending_before: Option<NaiveDate>,
    /// The renewal pipeline: active contracts whose notice deadline falls before this
    /// date (`YYYY-MM-DD`) and that have no active successor.
    #[param(value_type = Option<String>, format = Date, example = "2026-10-31")]
    pub notice_before: Option<NaiveDate>,
    /// Where today falls in the contract's dates.
    pub lifecycle: Option<ContractLifecycle>,
}

/// How `GET /contracts` orders: `title`, `created_at` (the default), `updated_at`, or the
/// renewal pipeline's `notice_deadline` and `end_date` (which list only the contracts that
/// have one).
#[derive(Debug, Clone, Copy)]
pub enum ContractSort {
    Title,
    CreatedAt,
    UpdatedAt,
    NoticeDeadline,
    EndDate,
}

impl Sort for ContractSort {
    type Row = Contract;
    const KEYS: &'static [(&'static str, Self)] = &[
        ("title", ContractSort::Title),
        ("created_at", ContractSort::CreatedAt),
        ("updated_at", ContractSort::UpdatedAt),
        ("notice_deadline", ContractSort::NoticeDeadline),
        ("end_date", ContractSort::EndDate),
    ];
    const DEFAULT: &'static str = "created_at";

    fn kind(self) -> KeyKind {
        match self {
            ContractSort::Title => KeyKind::Text,
            ContractSort::CreatedAt | ContractSort::UpdatedAt => KeyKind::Time,
            ContractSort::NoticeDeadline | ContractSort::EndDate => KeyKind::Date,
        }
    }

    fn key(self, c: &Contract) -> Key {
        // Rows without the date are not listed under its order.
        let day = |d: Option<NaiveDate>| Key::Date(d.unwrap_or(NaiveDate::MIN));
        match self {
            ContractSort::Title => Key::Text(c.title.clone()),
            ContractSort::CreatedAt => Key::Time(c.created_at),
            ContractSort::UpdatedAt => Key::Time(c.updated_at),
            ContractSort::NoticeDeadline => day(c.notice_deadline),
            ContractSort::EndDate => day(c.end_date),
        }
    }

    fn id(c: &Contract) -> i64 {
        c.id
    }
}
