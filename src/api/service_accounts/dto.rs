use chrono::NaiveDateTime;
use diesel::Queryable;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::rest::body::non_null;
use crate::rest::list::Page;
use crate::rest::record::Versioned;
use crate::rest::text::required_line;
use crate::time::rfc3339;

/// An integration's identity. Its `id` is a staff id: put it on account teams with
/// `PUT /accounts/{id}/team/{staff_id}`, and find it as the actor of its audit events.
#[derive(Debug, Clone, PartialEq, Queryable, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 42, "name": "Accounting sync", "role": "account_manager",
    "client_id": "sa_4f1c2b9e8d7a65301f2e3d4c5b6a7980", "active": true, "version": 1,
    "secret_rotated_at": "2026-03-01T08:00:00Z",
    "created_at": "2026-03-01T08:00:00Z", "updated_at": "2026-03-01T08:00:00Z"
}))]
pub struct ServiceAccount {
    pub id: i64,
    pub name: String,
    /// A role key from `/roles`.
    pub role: String,
    /// The client id for the client-credentials grant at `POST /auth/token`.
    pub client_id: String,
    /// `false`: no token is issued, and tokens already issued fail on the next request.
    pub active: bool,
    pub version: i32,
    /// When the current client secret was issued.
    #[serde(serialize_with = "rfc3339")]
    pub secret_rotated_at: NaiveDateTime,
    #[serde(serialize_with = "rfc3339")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "rfc3339")]
    pub updated_at: NaiveDateTime,
}

/// A service account with its new client secret: the only answer that ever shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 42, "name": "Accounting sync", "role": "account_manager",
    "client_id": "sa_4f1c2b9e8d7a65301f2e3d4c5b6a7980", "active": true, "version": 1,
    "secret_rotated_at": "2026-03-01T08:00:00Z",
    "created_at": "2026-03-01T08:00:00Z", "updated_at": "2026-03-01T08:00:00Z",
    "client_secret": "q8Xv0mT3bN6cJ1kR4sW7yZ2aD5fG9hL0pE3uI6oY8tQ"
}))]
pub struct ServiceAccountWithSecret {
    #[serde(flatten)]
    pub account: ServiceAccount,
    /// Shown once, here: only its hash is stored. Lost, it can only be replaced
    /// (`POST /service-accounts/{id}/rotate-secret`).
    pub client_secret: String,
}

/// One page of `GET` on the list (named for the spec; see [`Page`]).
pub type ServiceAccountPage = Page<ServiceAccount>;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Accounting sync", "role": "account_manager"}))]
pub struct ServiceAccountCreate {
    #[validate(length(min = 1, max = 200, message = "must be between 1 and 200 characters"), custom(function = required_line))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    /// A role key from `/roles`, whose grants are within the caller's own.
    pub role: String,
}

/// A merge patch: absent fields stay as they are.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": false}))]
pub struct ServiceAccountUpdate {
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = String)]
    #[validate(length(min = 1, max = 200, message = "must be between 1 and 200 characters"), custom(function = required_line))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = String)]
    pub role: Option<String>,
    /// `false` deactivates: its tokens fail on the next request and no new one is issued.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = bool)]
    pub active: Option<bool>,
}

/// The filters of `GET /service-accounts`; they combine with AND.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ServiceAccountFilter {
    /// Role key.
    pub role: Option<String>,
    pub active: Option<bool>,
    /// Name contains this text, ignoring case.
    pub q: Option<String>,
}

impl Versioned for ServiceAccount {
    fn version(&self) -> i32 {
        self.version
    }
}

impl Versioned for ServiceAccountWithSecret {
    fn version(&self) -> i32 {
        self.account.version
    }
}
