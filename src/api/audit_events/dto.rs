use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::time::rfc3339;

/// One change to one record.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 1042, "occurred_at": "2026-03-02T16:05:12.250Z", "actor_id": 7,
    "action": "clients.update", "resource_type": "client", "resource_id": "42",
    "changes": {"status": {"before": "prospect", "after": "active"}},
    "request_id": "5f0c6d7e-1b7a-4c1e-9d2a-0f3c2b1a9e8d"
}))]
pub struct AuditEvent {
    /// Increasing: events are listed in the order they were recorded.
    pub id: i64,
    #[serde(serialize_with = "rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub occurred_at: NaiveDateTime,
    /// The staff member who made the change; `null` for the system itself.
    pub actor_id: Option<i64>,
    /// `<resource>.<verb>`, e.g. `clients.create`, `staff.update`, `roles.update`.
    pub action: String,
    pub resource_type: String,
    pub resource_id: String,
    /// Each field that changed, by name, with its value before and after.
    pub changes: BTreeMap<String, FieldChange>,
    /// The `X-Request-Id` of the request that made the change.
    pub request_id: String,
}

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

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditListQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200, example = 100)]
    pub limit: Option<u32>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
    /// `occurred_at` (default, oldest first: the order a feed consumer wants) or `-occurred_at`.
    #[param(pattern = "^-?occurred_at$")]
    pub sort: Option<String>,
    /// e.g. `client`, `staff`, `role`.
    #[param(example = "client")]
    pub resource_type: Option<String>,
    #[param(example = "42")]
    pub resource_id: Option<String>,
    pub actor_id: Option<i64>,
    /// Only events at or after this RFC 3339 time.
    #[param(example = "2026-01-01T00:00:00Z", format = DateTime)]
    pub since: Option<String>,
}

/// One page of audit events.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub data: Vec<AuditEvent>,
    /// Pass as `cursor` to get the next page; `null` on the last page. A feed consumer
    /// keeps the last cursor it saw and polls with it.
    pub next_cursor: Option<String>,
}
