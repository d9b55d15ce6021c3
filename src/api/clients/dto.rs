use chrono::NaiveDateTime;
use diesel::Queryable;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::db::sql::text_enum;
use crate::resource::Patch;
use crate::rest::body::{merge, non_null, nullable};
use crate::rest::list::{Named, Page};
use crate::rest::record::Versioned;
use crate::rest::text::{required_line, single_line, web_url};
use crate::time::{rfc3339, Timestamp};

text_enum!(
    /// Where the client stands commercially.
    ClientStatus { Prospect => "prospect", Active => "active", Inactive => "inactive" }
);

text_enum!(
    /// How the relationship is going, as the account team sees it.
    ClientHealth { Good => "good", Watch => "watch", AtRisk => "at_risk" }
);

/// A client of the agency.
#[derive(Debug, Clone, PartialEq, Queryable, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 42, "name": "Acme Foods", "legal_name": "Acme Foods S.p.A.", "industry": "Food & beverage",
    "website": "https://acme.example", "status": "active", "health": "watch",
    "health_note": "Unhappy with the last campaign's timing", "primary_contact_name": "Giulia Rossi",
    "primary_contact_email": "giulia.rossi@acme.example", "primary_contact_phone": "+39 02 1234567",
    "external_ref": "ACC-0042", "version": 3,
    "created_at": "2026-01-15T09:30:00Z", "updated_at": "2026-03-02T16:05:12.250Z"
}))]
pub struct Client {
    pub id: i64,
    pub name: String,
    pub legal_name: Option<String>,
    pub industry: Option<String>,
    pub website: Option<String>,
    #[diesel(deserialize_as = String)]
    pub status: ClientStatus,
    #[diesel(deserialize_as = String)]
    pub health: ClientHealth,
    pub health_note: Option<String>,
    pub primary_contact_name: Option<String>,
    pub primary_contact_email: Option<String>,
    pub primary_contact_phone: Option<String>,
    /// The client's id in another system (accounting, CRM); unique when set.
    pub external_ref: Option<String>,
    /// Increases on every change; the `ETag` is this number in quotes.
    pub version: i32,
    #[serde(serialize_with = "rfc3339")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "rfc3339")]
    pub updated_at: NaiveDateTime,
}

/// One page of `GET` on the list (named for the spec; see [`Page`]).
pub type ClientPage = Page<ClientView>;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Acme Foods", "legal_name": "Acme Foods S.p.A.", "industry": "Food & beverage",
    "website": "https://acme.example", "status": "prospect",
    "primary_contact_name": "Giulia Rossi", "primary_contact_email": "giulia.rossi@acme.example",
    "external_ref": "ACC-0042"
}))]
pub struct ClientCreate {
    /// Unique, ignoring case.
    #[validate(length(min = 1, max = 200, message = "must be between 1 and 200 characters"), custom(function = required_line))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    #[validate(length(max = 200, message = "must be at most 200 characters"), custom(function = single_line))]
    #[schema(max_length = 200)]
    pub legal_name: Option<String>,
    #[validate(length(max = 100, message = "must be at most 100 characters"), custom(function = single_line))]
    #[schema(max_length = 100)]
    pub industry: Option<String>,
    #[validate(
        custom(function = web_url),
        length(max = 500, message = "must be at most 500 characters")
    )]
    #[schema(
        max_length = 500,
        format = "uri",
        pattern = "^[Hh][Tt][Tt][Pp][Ss]?://"
    )]
    pub website: Option<String>,
    /// Defaults to `prospect`.
    pub status: Option<ClientStatus>,
    /// Defaults to `good`.
    pub health: Option<ClientHealth>,
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    #[schema(max_length = 2000)]
    pub health_note: Option<String>,
    #[validate(length(max = 200, message = "must be at most 200 characters"), custom(function = single_line))]
    #[schema(max_length = 200)]
    pub primary_contact_name: Option<String>,
    #[validate(email(message = "must be an email address"))]
    #[schema(format = Email)]
    pub primary_contact_email: Option<String>,
    #[validate(length(max = 50, message = "must be at most 50 characters"), custom(function = single_line))]
    #[schema(max_length = 50)]
    pub primary_contact_phone: Option<String>,
    /// Unique when set.
    #[validate(length(min = 1, max = 100, message = "must be between 1 and 100 characters"), custom(function = single_line))]
    #[schema(min_length = 1, max_length = 100)]
    pub external_ref: Option<String>,
}

text_enum!(
    /// Something the caller may do with a client.
    ClientAction { Update => "update", Delete => "delete", SetHealth => "set_health" }
);

/// A client as one caller sees it: the record, and what they may do with it, so a UI can
/// grey out buttons without a second call.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 42, "name": "Acme Foods", "legal_name": "Acme Foods S.p.A.", "industry": "Food & beverage",
    "website": "https://acme.example", "status": "active", "health": "watch",
    "health_note": "Unhappy with the last campaign's timing", "primary_contact_name": "Giulia Rossi",
    "primary_contact_email": "giulia.rossi@acme.example", "primary_contact_phone": "+39 02 1234567",
    "external_ref": "ACC-0042", "version": 3,
    "created_at": "2026-01-15T09:30:00Z", "updated_at": "2026-03-02T16:05:12.250Z",
    "allowed_actions": ["update", "set_health"]
}))]
pub struct ClientView {
    #[serde(flatten)]
    pub client: Client,
    pub allowed_actions: Vec<ClientAction>,
}

/// A JSON merge patch: absent fields stay as they are, `null` clears a field.
/// Relationship health has its own operation and permission (`PUT /clients/{id}/health`).
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "active", "website": null}))]
pub struct ClientUpdate {
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = String)]
    #[validate(length(min = 1, max = 200, message = "must be between 1 and 200 characters"), custom(function = required_line))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 200, message = "must be at most 200 characters"), custom(function = single_line))]
    #[schema(max_length = 200)]
    #[schema(nullable)]
    pub legal_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 100, message = "must be at most 100 characters"), custom(function = single_line))]
    #[schema(max_length = 100)]
    #[schema(nullable)]
    pub industry: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(
        custom(function = web_url),
        length(max = 500, message = "must be at most 500 characters")
    )]
    #[schema(
        max_length = 500,
        format = "uri",
        pattern = "^[Hh][Tt][Tt][Pp][Ss]?://"
    )]
    #[schema(nullable)]
    pub website: Option<Option<String>>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = ClientStatus)]
    pub status: Option<ClientStatus>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 200, message = "must be at most 200 characters"), custom(function = single_line))]
    #[schema(max_length = 200)]
    #[schema(nullable)]
    pub primary_contact_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(email(message = "must be an email address"))]
    #[schema(format = Email)]
    #[schema(nullable)]
    pub primary_contact_email: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 50, message = "must be at most 50 characters"), custom(function = single_line))]
    #[schema(max_length = 50)]
    #[schema(nullable)]
    pub primary_contact_phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(min = 1, max = 100, message = "must be between 1 and 100 characters"), custom(function = single_line))]
    #[schema(min_length = 1, max_length = 100)]
    #[schema(nullable)]
    pub external_ref: Option<Option<String>>,
}

impl Patch<Client> for ClientUpdate {
    fn apply_to(self, client: &mut Client) {
        merge(
            &mut client.name,
            &self.name.map(|name| name.trim().to_owned()),
        );
        merge(&mut client.legal_name, &self.legal_name);
        merge(&mut client.industry, &self.industry);
        merge(&mut client.website, &self.website);
        merge(&mut client.status, &self.status);
        merge(&mut client.primary_contact_name, &self.primary_contact_name);
        merge(
            &mut client.primary_contact_email,
            &self.primary_contact_email,
        );
        merge(
            &mut client.primary_contact_phone,
            &self.primary_contact_phone,
        );
        merge(&mut client.external_ref, &self.external_ref);
    }
}

/// The relationship's health and the note explaining it.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"health": "at_risk", "health_note": "Procurement is reviewing all agencies"}))]
pub struct HealthUpdate {
    pub health: ClientHealth,
    /// Replaces the current note; omit or send `null` to clear it.
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    #[schema(max_length = 2000)]
    pub health_note: Option<String>,
}

impl Patch<Client> for HealthUpdate {
    fn apply_to(self, client: &mut Client) {
        client.health = self.health;
        client.health_note = self.health_note;
    }
}

/// The filters of `GET /clients`; they combine with AND.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ClientFilter {
    pub status: Option<ClientStatus>,
    pub health: Option<ClientHealth>,
    /// Exact industry.
    pub industry: Option<String>,
    /// Name contains this text, ignoring case.
    #[param(example = "acme")]
    pub q: Option<String>,
    /// Only clients changed at or after this RFC 3339 time.
    #[param(value_type = Option<String>, example = "2026-01-01T00:00:00Z", format = DateTime)]
    pub updated_since: Option<Timestamp>,
}

impl Versioned for ClientView {
    fn version(&self) -> i32 {
        self.client.version
    }
}

impl Named for Client {
    fn naming(&self) -> (i64, &str, NaiveDateTime, NaiveDateTime) {
        (self.id, &self.name, self.created_at, self.updated_at)
    }
}
