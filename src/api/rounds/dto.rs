use chrono::NaiveDateTime;
use diesel::Queryable;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::db::sql::text_enum;
use crate::rest::record::Versioned;
use crate::rest::text::{required_line, web_url};
use crate::time::rfc3339;

text_enum!(
    /// `presented` until its approval decides it (`accepted`, `changes_requested`,
    /// `rejected`), or a newer round supersedes it.
    RoundStatus {
        Presented => "presented",
        Accepted => "accepted",
        ChangesRequested => "changes_requested",
        Rejected => "rejected",
        Superseded => "superseded",
    }
);

text_enum!(
    /// Something the caller may do with a round: ask for its approval.
    RoundAction { RequestApproval => "request_approval" }
);

/// A link to a piece of the work: a video, a layout, a deck.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://files.example.com/acme/tv-30s-v2.mp4", "label": "TV spot 30\", cut 2"}))]
pub struct Asset {
    /// An absolute http or https URL, up to 2,000 characters.
    #[validate(length(max = 2000, message = "must be at most 2000 characters"), custom(function = web_url))]
    #[schema(
        max_length = 2000,
        example = "https://files.example.com/acme/tv-30s-v2.mp4"
    )]
    pub url: String,
    /// 1 to 200 characters.
    #[validate(length(min = 1, max = 200, message = "must be between 1 and 200 characters"), custom(function = required_line))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub label: String,
}

/// A round of creative work on a brief in production, presented to be approved.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 17, "brief_id": 31, "account_id": 12, "client_id": 42, "number": 2,
    "summary": "TV script reworked around the break moment; new key visual.",
    "assets": [{"url": "https://files.example.com/acme/tv-30s-v2.mp4", "label": "TV spot 30\", cut 2"}],
    "status": "presented", "approval_id": 91, "created_by": 7, "version": 2,
    "created_at": "2026-02-20T10:00:00Z", "updated_at": "2026-02-20T10:05:00Z"
}))]
pub struct Round {
    pub id: i64,
    pub brief_id: i64,
    pub account_id: i64,
    pub client_id: i64,
    /// 1, 2, … within the brief.
    pub number: i32,
    pub summary: String,
    pub assets: Vec<Asset>,
    pub status: RoundStatus,
    /// The latest approval asked for on this round.
    pub approval_id: Option<i64>,
    pub created_by: i64,
    pub version: i32,
    #[serde(serialize_with = "rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: NaiveDateTime,
}

type RoundRow = (
    i64,
    i64,
    i64,
    i64,
    i32,
    String,
    String,
    String,
    Option<i64>,
    i64,
    i32,
    NaiveDateTime,
    NaiveDateTime,
);

/// Read straight from a row: a status or asset list the schema cannot hold is a corrupted
/// row, reported like any unreadable column.
impl<ST, DB: diesel::backend::Backend> Queryable<ST, DB> for Round
where
    RoundRow: Queryable<ST, DB>,
{
    type Row = <RoundRow as Queryable<ST, DB>>::Row;

    fn build(row: Self::Row) -> diesel::deserialize::Result<Self> {
        let (
            id,
            brief_id,
            account_id,
            client_id,
            number,
            summary,
            assets,
            status,
            approval_id,
            created_by,
            version,
            created_at,
            updated_at,
        ) = RoundRow::build(row)?;
        Ok(Round {
            id,
            brief_id,
            account_id,
            client_id,
            number,
            summary,
            assets: serde_json::from_str(&assets)?,
            status: RoundStatus::try_from(status)?,
            approval_id,
            created_by,
            version,
            created_at,
            updated_at,
        })
    }
}

/// A round as one caller sees it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 17, "brief_id": 31, "account_id": 12, "client_id": 42, "number": 2,
    "summary": "TV script reworked around the break moment; new key visual.",
    "assets": [{"url": "https://files.example.com/acme/tv-30s-v2.mp4", "label": "TV spot 30\", cut 2"}],
    "status": "presented", "approval_id": null, "created_by": 7, "version": 1,
    "created_at": "2026-02-20T10:00:00Z", "updated_at": "2026-02-20T10:00:00Z",
    "allowed_actions": ["request_approval"]
}))]
pub struct RoundView {
    #[serde(flatten)]
    pub round: Round,
    pub allowed_actions: Vec<RoundAction>,
}

impl Versioned for RoundView {
    fn version(&self) -> i32 {
        self.round.version
    }
}

/// A brief's rounds, oldest first; few per brief, so the list is not paginated.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoundList {
    pub data: Vec<RoundView>,
}

/// A new round of work on a brief in production. It supersedes the round before, whose
/// pending approval, if any, is cancelled.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "summary": "TV script reworked around the break moment; new key visual.",
    "assets": [{"url": "https://files.example.com/acme/tv-30s-v2.mp4", "label": "TV spot 30\", cut 2"}]
}))]
pub struct RoundCreate {
    /// 1 to 10,000 characters.
    #[validate(length(min = 1, max = 10000, message = "must be between 1 and 10000 characters"), custom(function = not_blank))]
    #[schema(min_length = 1, max_length = 10000, pattern = "\\S")]
    pub summary: String,
    /// Up to 50 links.
    #[validate(length(max = 50, message = "must hold at most 50 assets"), nested)]
    #[serde(default)]
    #[schema(max_items = 50)]
    pub assets: Vec<Asset>,
}

fn not_blank(value: &str) -> Result<(), validator::ValidationError> {
    if value.trim().is_empty() {
        let mut e = validator::ValidationError::new("blank");
        e.message = Some("must not be blank".into());
        return Err(e);
    }
    Ok(())
}
