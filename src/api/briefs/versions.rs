//! Brief versions: what a brief said each time it was submitted, so everyone can see
//! exactly what was approved and what changed between rounds.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::dto::Brief;
use crate::db::schema::brief_versions;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::money::Money;
use crate::time::rfc3339;

/// A brief's content: what a submission freezes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BriefContent {
    pub title: String,
    pub background: Option<String>,
    pub objectives: Option<String>,
    pub target_audience: Option<String>,
    pub consumer_insight: Option<String>,
    pub key_message: Option<String>,
    pub deliverables: Option<String>,
    pub mandatories: Option<String>,
    pub budget: Option<Money>,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Option<NaiveDate>,
}

impl From<&Brief> for BriefContent {
    fn from(b: &Brief) -> Self {
        BriefContent {
            title: b.title.clone(),
            background: b.background.clone(),
            objectives: b.objectives.clone(),
            target_audience: b.target_audience.clone(),
            consumer_insight: b.consumer_insight.clone(),
            key_message: b.key_message.clone(),
            deliverables: b.deliverables.clone(),
            mandatories: b.mandatories.clone(),
            budget: b.budget.clone(),
            due_date: b.due_date,
        }
    }
}

/// One field that differs from the version before.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct VersionChange {
    pub field: String,
    /// The value in the version before (`null`: empty).
    pub before: Value,
    pub after: Value,
}

/// A brief as submitted the `number`th time, with what changed since the version before.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "brief_id": 31, "number": 2, "submitted_by": 7, "submitted_at": "2026-02-01T09:00:00Z",
    "content": {
        "title": "Spring launch of Acme Crunch", "background": null,
        "objectives": "Awareness among 18-34 year olds; 2% trial in three months.",
        "target_audience": "Urban 18-34, snacking on the go.",
        "consumer_insight": "A snack is a break I choose, not one I am given.",
        "key_message": "Crunch time is your time.", "deliverables": null, "mandatories": null,
        "budget": {"amount_minor": 12000000, "currency": "EUR"}, "due_date": "2026-03-01"
    },
    "changes": [{"field": "consumer_insight",
                 "before": "Snacks are fun.",
                 "after": "A snack is a break I choose, not one I am given."}]
}))]
pub struct BriefVersion {
    pub brief_id: i64,
    /// 1 for the first submission, then 2, 3, …
    pub number: i32,
    pub content: BriefContent,
    pub submitted_by: i64,
    #[serde(serialize_with = "rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub submitted_at: NaiveDateTime,
    /// Field by field, what differs from version `number - 1` (empty for the first).
    pub changes: Vec<VersionChange>,
}

/// A brief's versions, oldest first; few per brief, so the list is not paginated.
#[derive(Debug, Serialize, ToSchema)]
pub struct BriefVersionList {
    pub data: Vec<BriefVersion>,
}

type Row = (i64, i32, String, i64, NaiveDateTime);

/// Freezes `brief`'s content as version `number`.
pub fn insert(
    conn: &mut DbConn,
    brief: &Brief,
    number: i32,
    submitted_by: i64,
    at: NaiveDateTime,
) -> Result<(), ApiError> {
    let content = serde_json::to_string(&BriefContent::from(brief))
        .map_err(|e| ApiError::internal(e.to_string()))?;
    diesel::insert_into(brief_versions::table)
        .values((
            brief_versions::brief_id.eq(brief.id),
            brief_versions::number.eq(number),
            brief_versions::content.eq(content),
            brief_versions::submitted_by.eq(submitted_by),
            brief_versions::submitted_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Every version of a brief (already found within the caller's scope), oldest first,
/// each with its changes from the one before.
pub fn all(conn: &mut DbConn, brief_id: i64) -> Result<Vec<BriefVersion>, ApiError> {
    let rows: Vec<Row> = brief_versions::table
        .filter(brief_versions::brief_id.eq(brief_id))
        .select((
            brief_versions::brief_id,
            brief_versions::number,
            brief_versions::content,
            brief_versions::submitted_by,
            brief_versions::submitted_at,
        ))
        .order(brief_versions::number)
        .load(conn)?;
    let mut versions: Vec<BriefVersion> = Vec::with_capacity(rows.len());
    for (brief_id, number, content, submitted_by, submitted_at) in rows {
        let content: BriefContent = serde_json::from_str(&content)
            .map_err(|e| ApiError::internal(format!("stored brief version: {e}")))?;
        let changes = match versions.last() {
            Some(previous) => diff(&previous.content, &content),
            None => Vec::new(),
        };
        versions.push(BriefVersion {
            brief_id,
            number,
            content,
            submitted_by,
            submitted_at,
            changes,
        });
    }
    Ok(versions)
}

/// The fields whose values differ, by field name.
fn diff(before: &BriefContent, after: &BriefContent) -> Vec<VersionChange> {
    let as_object = |c: &BriefContent| match serde_json::to_value(c) {
        Ok(Value::Object(fields)) => fields,
        _ => serde_json::Map::new(),
    };
    let (before, after) = (as_object(before), as_object(after));
    after
        .into_iter()
        .filter_map(|(field, value)| {
            let old = before.get(&field).cloned().unwrap_or(Value::Null);
            (old != value).then_some(VersionChange {
                field,
                before: old,
                after: value,
            })
        })
        .collect()
}
