use actix_web::{get, web, HttpResponse};

use super::dto::{AuditEventPage, AuditFilter, AuditSort};
use super::repo;
use crate::auth::{perm, Authorized};
use crate::error::ApiError;
use crate::resource;
use crate::rest::list::ListQuery;
use crate::AppState;

/// List audit events
///
/// Who changed what, when, and from which request. Oldest first by default, so an
/// integration can follow it as a change feed with `next_cursor`. With `audit.read` in
/// scope `assigned`, only events about the caller's accounts and their clients.
#[utoipa::path(
    tag = "audit",
    operation_id = "list_audit_events",
    params(ListQuery<AuditFilter, AuditSort>),
    responses(
        (status = 200, description = "One page of events. A feed consumer keeps the last `next_cursor` it saw and polls with it.", body = AuditEventPage),
    ),
    extensions(("x-permission" = json!("audit.read"))),
)]
#[get("/audit-events")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Authorized<perm::AuditRead>,
    query: ListQuery<AuditFilter, AuditSort>,
) -> Result<HttpResponse, ApiError> {
    resource::serve_list(
        &state.pool,
        auth,
        query,
        |conn, access, query| Ok(repo::list(conn, access.visibility(), query)?),
        |_, _, rows| Ok(rows),
    )
    .await
}
