//! `GET /api/v1/me`: the caller, what they may do and the accounts they work on. Not a
//! resource of its own: it reads the staff, roles and accounts tables through their repos,
//! so no resource has to reach into another for it.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::accounts::dto::AccountStatus;
use super::{accounts, staff};
use crate::auth::{grants, Authenticated, Grant};
use crate::db::DbConn;
use crate::error::ApiError;
use crate::AppState;
use staff::dto::Staff;

/// The caller, and what they may do: a UI hides what is not listed here.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 7, "email": "marco.bianchi@agency.example", "full_name": "Marco Bianchi",
    "role": "account_executive", "reports_to": 3, "active": true, "kind": "person",
    "version": 2,
    "created_at": "2026-01-15T09:30:00Z", "updated_at": "2026-02-01T11:00:00Z",
    "permissions": [
        {"permission": "clients.read", "scope": "assigned"},
        {"permission": "clients.health", "scope": "assigned"},
        {"permission": "staff.read", "scope": "all"}
    ],
    "accounts": [{"id": 12, "client_id": 42, "name": "Acme Snacks", "status": "active",
        "manager": false, "role_on_account": "lead executive"}]
}))]
pub struct Me {
    #[serde(flatten)]
    pub staff: Staff,
    /// The caller's effective permissions, each with its scope.
    pub permissions: Vec<Grant>,
    /// The accounts the caller manages or is on the team of: what scope `assigned` reaches.
    pub accounts: Vec<MyAccount>,
}

/// An account the caller works on, for `GET /me`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": 12, "client_id": 42, "name": "Acme Snacks", "status": "active",
    "manager": false, "role_on_account": "lead executive"}))]
pub struct MyAccount {
    pub id: i64,
    pub client_id: i64,
    pub name: String,
    pub status: AccountStatus,
    /// The caller is the account's manager.
    pub manager: bool,
    /// The caller's role on the team, if they are on it.
    pub role_on_account: Option<String>,
}

/// Who am I
///
/// The caller's staff record, effective permissions with their scopes, and the accounts
/// they work on, so a UI can hide what the caller may not do.
#[utoipa::path(
    tag = "staff",
    operation_id = "get_me",
    responses((status = 200, description = "The caller", body = Me)),
    extensions(("x-permission" = json!("authenticated"))),
)]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, auth: Authenticated) -> Result<HttpResponse, ApiError> {
    let me = auth
        .run(&state.pool, move |conn, caller| {
            let id = caller.staff_id;
            let staff = staff::repo::find(conn, id)?
                .ok_or_else(|| ApiError::not_found(&format!("staff member {id}")))?;
            let permissions = grants::of_role(conn, &staff.role)?;
            let accounts = my_accounts(conn, id)?;
            Ok(Me {
                staff,
                permissions,
                accounts,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(me))
}

/// The accounts `staff_id` manages or is on the team of.
fn my_accounts(conn: &mut DbConn, staff_id: i64) -> Result<Vec<MyAccount>, ApiError> {
    let roles = accounts::repo::roles_on_teams(conn, staff_id)?;
    Ok(accounts::repo::assigned_to(conn, staff_id)?
        .into_iter()
        .map(|a| MyAccount {
            role_on_account: roles
                .iter()
                .find(|(id, _)| *id == a.id)
                .map(|(_, r)| r.clone()),
            manager: a.manager_id == Some(staff_id),
            id: a.id,
            client_id: a.client_id,
            name: a.name,
            status: a.status,
        })
        .collect())
}
