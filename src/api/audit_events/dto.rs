use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::deserialize::{FromSql, Queryable};
use diesel::sql_types::Text;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::rest::list::{Key, KeyKind, Page, Sort};
use crate::time::{rfc3339, Timestamp};

/// One change to one record.
#[derive(Debug, Queryable, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 1042, "occurred_at": "2026-03-02T16:05:12.250Z", "actor_id": 7,
    "action": "clients.update", "resource_type": "clients", "resource_id": "42",
    "changes": {"status": {"before": "prospect", "after": "active"}},
    "request_id": "5f0c6d7e-1b7a-4c1e-9d2a-0f3c2b1a9e8d"
}))]
pub struct AuditEvent {
    /// Increasing: events are listed in the order they were recorded.
    pub id: i64,
    #[serde(serialize_with = "rfc3339")]
    pub occurred_at: NaiveDateTime,
    /// The staff member who made the change; `null` for the system itself.
    pub actor_id: Option<i64>,
    /// `<resource_type>.<verb>`, e.g. `clients.create`, `account_teams.assign`,
    /// `roles.update`.
    pub action: String,
    /// The collection: `clients`, `accounts`, `account_teams`, `briefs`, `staff` or `roles`.
    pub resource_type: String,
    pub resource_id: String,
    /// Each field that changed, by name, with its value before and after.
    #[diesel(deserialize_as = StoredChanges)]
    pub changes: BTreeMap<String, FieldChange>,
    /// The `X-Request-Id` of the request that made the change.
    pub request_id: String,
}

/// `changes` as stored: the JSON text `audit::write` wrote, as this very shape.
pub struct StoredChanges(BTreeMap<String, FieldChange>);

impl<DB: diesel::backend::Backend> Queryable<Text, DB> for StoredChanges
where
    String: FromSql<Text, DB>,
{
    type Row = String;

    fn build(text: String) -> diesel::deserialize::Result<Self> {
        Ok(StoredChanges(
            serde_json::from_str(&text).unwrap_or_default(),
        ))
    }
}

impl From<StoredChanges> for BTreeMap<String, FieldChange> {
    fn from(stored: StoredChanges) -> Self {
        stored.0
    }
}

/// One page of `GET` on the list (named for the spec; see [`Page`]).
pub type AuditEventPage = Page<AuditEvent>;

/// One field's change. A value is `null` where the field had none: `before` on a
/// creation, `after` on a deletion.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"before": "prospect", "after": "active"}))]
pub struct FieldChange {
    /// The field's value before the change, of the field's own type.
    pub before: serde_json::Value,
    /// The field's value after the change, of the field's own type.
    pub after: serde_json::Value,
}

/// The filters of the audit feed; they combine with AND.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// The collection the record belongs to: `clients`, `accounts`, `account_teams`,
    /// `briefs`, `staff`, `service_accounts` or `roles`. Each event's `action` is
    /// `<resource_type>.<verb>`.
    #[param(example = "clients")]
    pub resource_type: Option<String>,
    #[param(example = "42")]
    pub resource_id: Option<String>,
    pub actor_id: Option<i64>,
    /// Only events at or after this RFC 3339 time: the one name every list gives its
    /// time filter.
    #[param(value_type = Option<String>, example = "2026-01-01T00:00:00Z", format = DateTime)]
    pub updated_since: Option<Timestamp>,
}

/// The feed's one order: `occurred_at`, oldest first by default (what a feed consumer
/// wants), which is the order of ids.
#[derive(Debug, Clone, Copy)]
pub struct AuditSort;

impl Sort for AuditSort {
    type Row = AuditEvent;
    const KEYS: &'static [(&'static str, Self)] = &[("occurred_at", AuditSort)];
    const DEFAULT: &'static str = "occurred_at";

    fn kind(self) -> KeyKind {
        KeyKind::Id
    }

    fn key(self, _: &AuditEvent) -> Key {
        Key::Id
    }

    fn id(event: &AuditEvent) -> i64 {
        event.id
    }
}
