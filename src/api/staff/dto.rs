use chrono::NaiveDateTime;
use diesel::Queryable;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::db::sql::text_enum;
use crate::rest::body::{non_null, nullable};
use crate::rest::list::Page;
use crate::rest::record::Versioned;
use crate::rest::text::required_line;
use crate::time::rfc3339;

text_enum!(
    /// `person`: signs in with email and password. `service`: an integration, which gets
    /// its tokens with client credentials (`/service-accounts`) and never with a password.
    StaffKind {
        Person => "person",
        Service => "service",
    }
);

/// A member of staff. The password is never returned.
#[derive(Debug, Clone, PartialEq, Queryable, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 7, "email": "marco.bianchi@agency.example", "full_name": "Marco Bianchi",
    "role": "account_executive", "reports_to": 3, "active": true, "kind": "person", "version": 2,
    "created_at": "2026-01-15T09:30:00Z", "updated_at": "2026-02-01T11:00:00Z"
}))]
pub struct Staff {
    pub id: i64,
    /// Unique; stored in lower case.
    pub email: String,
    pub full_name: String,
    /// A role key from `/roles`.
    pub role: String,
    /// The staff member this one reports to.
    pub reports_to: Option<i64>,
    /// Deactivated staff cannot sign in, and their tokens stop working at once.
    pub active: bool,
    /// A person, or a service account (an integration).
    #[diesel(deserialize_as = String)]
    pub kind: StaffKind,
    pub version: i32,
    #[serde(serialize_with = "rfc3339")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "rfc3339")]
    pub updated_at: NaiveDateTime,
}

/// One page of `GET` on the list (named for the spec; see [`Page`]).
pub type StaffPage = Page<Staff>;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "email": "marco.bianchi@agency.example", "full_name": "Marco Bianchi",
    "role": "account_executive", "password": "correct horse battery staple", "reports_to": 3
}))]
pub struct StaffCreate {
    #[validate(
        email(message = "must be an email address"),
        length(max = 254, message = "must be at most 254 characters")
    )]
    #[schema(max_length = 254, format = Email)]
    pub email: String,
    #[validate(length(min = 1, max = 200, message = "must be between 1 and 200 characters"), custom(function = required_line))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub full_name: String,
    /// A role key from `/roles`.
    pub role: String,
    /// At least 12 characters.
    #[validate(length(
        min = 12,
        max = 1024,
        message = "must be between 12 and 1024 characters"
    ))]
    #[schema(min_length = 12, max_length = 1024)]
    #[schema(format = Password)]
    pub password: String,
    pub reports_to: Option<i64>,
}

/// A merge patch: absent fields stay as they are.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"role": "account_manager", "reports_to": 2}))]
pub struct StaffUpdate {
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = String)]
    #[validate(length(min = 1, max = 200, message = "must be between 1 and 200 characters"), custom(function = required_line))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub full_name: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = String)]
    pub role: Option<String>,
    /// `false` deactivates: the staff member's next request is refused.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = bool)]
    pub active: Option<bool>,
    /// `null` removes the reporting line.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub reports_to: Option<Option<i64>>,
}

/// The filters of `GET /staff`; they combine with AND.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StaffFilter {
    /// Role key.
    pub role: Option<String>,
    pub active: Option<bool>,
    /// People or service accounts.
    pub kind: Option<StaffKind>,
    /// Name or email contains this text, ignoring case.
    pub q: Option<String>,
}

impl Versioned for Staff {
    fn version(&self) -> i32 {
        self.version
    }
}
