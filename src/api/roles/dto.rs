use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::auth::Grant;
use crate::rest::record::Versioned;
use crate::rest::text::required_line;
use crate::time::rfc3339;

/// A role and the permissions it grants.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({
    "key": "account_executive", "name": "Account executive",
    "description": "Runs one or a few accounts day to day: briefs, budgets, timings.",
    "built_in": true,
    "permissions": [{"permission": "clients.read", "scope": "assigned"}, {"permission": "staff.read", "scope": "all"}],
    "version": 1, "created_at": "2026-01-15T09:30:00Z", "updated_at": "2026-01-15T09:30:00Z"
}))]
pub struct Role {
    pub key: String,
    pub name: String,
    pub description: String,
    /// One of the six roles every installation starts with.
    pub built_in: bool,
    pub permissions: Vec<Grant>,
    pub version: i32,
    #[serde(serialize_with = "rfc3339")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "rfc3339")]
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "key": "senior_account_executive", "name": "Senior account executive",
    "description": "An executive who may also approve payments on their accounts.",
    "permissions": [
        {"permission": "clients.read", "scope": "assigned"},
        {"permission": "payments.approve", "scope": "assigned"},
        {"permission": "staff.read", "scope": "all"}
    ]
}))]
pub struct RoleCreate {
    /// Lowercase letters, digits and underscores, starting with a letter; cannot change later.
    #[validate(custom(function = valid_key))]
    #[schema(pattern = "^[a-z][a-z0-9_]{1,49}$")]
    pub key: String,
    #[validate(length(min = 1, max = 100, message = "must be between 1 and 100 characters"), custom(function = required_line))]
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub name: String,
    #[serde(default)]
    #[validate(length(max = 1000, message = "must be at most 1000 characters"))]
    #[schema(max_length = 1000)]
    pub description: String,
    #[validate(custom(function = distinct_permissions))]
    pub permissions: Vec<Grant>,
}

/// Replaces a role's name, description and permissions.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Account planner",
    "description": "Strategist: brings the consumer insight into the work.",
    "permissions": [
        {"permission": "clients.read", "scope": "assigned"},
        {"permission": "briefs.write", "scope": "assigned"},
        {"permission": "staff.read", "scope": "all"},
        {"permission": "roles.read", "scope": "all"}
    ]
}))]
pub struct RoleUpdate {
    #[validate(length(min = 1, max = 100, message = "must be between 1 and 100 characters"), custom(function = required_line))]
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub name: String,
    #[serde(default)]
    #[validate(length(max = 1000, message = "must be at most 1000 characters"))]
    #[schema(max_length = 1000)]
    pub description: String,
    #[validate(custom(function = distinct_permissions))]
    pub permissions: Vec<Grant>,
}

/// All roles; there are few, so the list is not paginated.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoleList {
    pub data: Vec<Role>,
}

fn valid_key(key: &str) -> Result<(), ValidationError> {
    let mut chars = key.chars();
    let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if starts_with_letter && rest_ok && (2..=50).contains(&key.len()) {
        return Ok(());
    }
    let mut e = ValidationError::new("pattern");
    e.message = Some(
        "must be 2-50 lowercase letters, digits or underscores, starting with a letter".into(),
    );
    Err(e)
}

fn distinct_permissions(grants: &[Grant]) -> Result<(), ValidationError> {
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = grants.iter().find(|g| !seen.insert(g.permission)) {
        let mut e = ValidationError::new("duplicate");
        e.message = Some(format!("lists {} more than once", dup.permission).into());
        return Err(e);
    }
    Ok(())
}

impl Versioned for Role {
    fn version(&self) -> i32 {
        self.version
    }
}
