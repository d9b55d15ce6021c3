use diesel::prelude::*;

use super::dto::{Brief, BriefFilter};
use crate::auth::Visibility;
use crate::db::schema::briefs;
use crate::db::sql::{
    columns, keyset_by_name_or_time, like_pattern, name_key, scoped_reads, versioned_writes,
};
use crate::db::DbConn;
use crate::rest::list::{ByNameOrTime, ListQuery};
use crate::scope;
use crate::time::Timestamp;

columns!(
    /// Every column but `title_key`, in the field order of `BriefRow`, read as a [`Brief`].
    COLUMNS: Columns = (
        briefs::id,
        briefs::account_id,
        briefs::client_id,
        briefs::title,
        briefs::background,
        briefs::objectives,
        briefs::target_audience,
        briefs::consumer_insight,
        briefs::key_message,
        briefs::deliverables,
        briefs::mandatories,
        briefs::budget_amount_minor,
        briefs::budget_currency,
        briefs::due_date,
        briefs::author_id,
        briefs::status,
        briefs::version,
        briefs::created_at,
        briefs::updated_at,
        briefs::submitted_version,
        briefs::approval_id,
    )
);

/// The columns that change with a brief's content or state; written on insert and on
/// every update.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = briefs, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct BriefColumns<'a> {
    pub title: &'a str,
    pub title_key: String,
    pub background: Option<&'a str>,
    pub objectives: Option<&'a str>,
    pub target_audience: Option<&'a str>,
    pub consumer_insight: Option<&'a str>,
    pub key_message: Option<&'a str>,
    pub deliverables: Option<&'a str>,
    pub mandatories: Option<&'a str>,
    pub budget_amount_minor: Option<i64>,
    pub budget_currency: Option<&'a str>,
    pub due_date: Option<chrono::NaiveDate>,
    pub status: &'a str,
    pub submitted_version: Option<i32>,
    pub approval_id: Option<i64>,
}

impl<'a> From<&'a Brief> for BriefColumns<'a> {
    fn from(b: &'a Brief) -> Self {
        BriefColumns {
            title: &b.title,
            title_key: name_key(&b.title),
            background: b.background.as_deref(),
            objectives: b.objectives.as_deref(),
            target_audience: b.target_audience.as_deref(),
            consumer_insight: b.consumer_insight.as_deref(),
            key_message: b.key_message.as_deref(),
            deliverables: b.deliverables.as_deref(),
            mandatories: b.mandatories.as_deref(),
            budget_amount_minor: b.budget.as_ref().map(|m| m.amount_minor),
            budget_currency: b.budget.as_ref().map(|m| m.currency.as_str()),
            due_date: b.due_date,
            status: b.status.as_str(),
            submitted_version: b.submitted_version,
            approval_id: b.approval_id,
        }
    }
}

/// A new brief: where it belongs and who wrote it, which never change, and the rest.
#[derive(Insertable)]
#[diesel(table_name = briefs, treat_none_as_default_value = false)]
pub struct NewBrief<'a> {
    pub account_id: i64,
    pub client_id: i64,
    pub author_id: i64,
    #[diesel(embed)]
    pub columns: BriefColumns<'a>,
}

scoped_reads!(briefs, COLUMNS -> Brief, scope::brief);

versioned_writes!(
    briefs,
    COLUMNS -> Brief,
    insert: NewBrief<'_>,
    update: BriefColumns<'_>,
    delete
);

/// Briefs are listed by title or by time.
pub type BriefSort = ByNameOrTime<Brief>;

/// One page, filtered and ordered in SQL; fetches `list.fetch_limit()` rows.
pub fn list(
    conn: &mut DbConn,
    visibility: Visibility,
    list: &ListQuery<BriefFilter, BriefSort>,
) -> QueryResult<Vec<Brief>> {
    let filter = &list.filter;
    let mut query = briefs::table.select(COLUMNS).into_boxed();
    if let Some(visible) = scope::briefs(visibility) {
        query = query.filter(visible);
    }
    if let Some(account_id) = filter.account_id {
        query = query.filter(briefs::account_id.eq(account_id));
    }
    if let Some(client_id) = filter.client_id {
        query = query.filter(briefs::client_id.eq(client_id));
    }
    if let Some(status) = filter.status {
        query = query.filter(briefs::status.eq(status.as_str()));
    }
    if let Some(author_id) = filter.author_id {
        query = query.filter(briefs::author_id.eq(author_id));
    }
    if let Some(due_before) = filter.due_before {
        query = query.filter(briefs::due_date.le(due_before));
    }
    if let Some(due_after) = filter.due_after {
        query = query.filter(briefs::due_date.ge(due_after));
    }
    if let Some(q) = &filter.q {
        query = query.filter(briefs::title_key.like(like_pattern(q)).escape('\\'));
    }
    if let Some(Timestamp(since)) = filter.updated_since {
        query = query.filter(briefs::updated_at.ge(since));
    }
    keyset_by_name_or_time!(query, briefs, list, title);
    query.limit(list.fetch_limit()).load(conn)
}
