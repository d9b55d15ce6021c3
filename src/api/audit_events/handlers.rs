use actix_web::{get, web, HttpRequest, HttpResponse};

use super::dto::{AuditListQuery, AuditPage};
use super::repo::{self, AuditFilter};
use crate::auth::{perm, Authorized};
use crate::db;
use crate::error::ApiError;
use crate::rest::list::PageRequest;
use crate::rest::{self, params};
use crate::time;
use crate::AppState;

/// List audit events
///
/// Who changed what, when, and from which request. Oldest first by default, so an
/// integration can follow it as a change feed with `next_cursor`. With `audit.read` in
/// scope `assigned`, only events about the caller's accounts and their clients.
#[utoipa::path(
    tag = "audit",
    operation_id = "list_audit_events",
    params(AuditListQuery),
    responses(
        (status = 200, description = "One page of events", body = AuditPage,
            headers(("Link" = String, description = "RFC 8288 link to the next page, when there is one"))),
    ),
    extensions(("x-permission" = json!("audit.read"))),
)]
#[get("/audit-events")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Authorized<perm::AuditRead>,
    query: params::Query<AuditListQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let (_, descending, sort_key) =
        rest::list::parse_sort(query.sort.as_deref(), "occurred_at", &[("occurred_at", ())])?;
    let page = PageRequest::new(query.limit, query.cursor.as_deref(), &sort_key)?;
    let filter = AuditFilter {
        resource_type: query.resource_type,
        resource_id: query.resource_id,
        actor_id: query.actor_id,
        since: time::parse_time_param("since", query.since.as_deref())?,
    };
    let visibility = auth.visibility();
    let body = db::run(&state.pool, move |conn| {
        let mut data = repo::list(conn, visibility, &filter, descending, &page)?;
        let next_cursor = page.finish(&mut data, &sort_key, |e| (serde_json::Value::Null, e.id));
        Ok(AuditPage { data, next_cursor })
    })
    .await?;
    Ok(rest::list::page(&req, &body, body.next_cursor.as_deref()))
}
