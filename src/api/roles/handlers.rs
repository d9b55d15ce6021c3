use actix_web::{get, post, put, web, HttpResponse};

use super::dto::{Role, RoleCreate, RoleList, RoleUpdate};
use super::{repo, service};
use crate::auth::{perm, Authorized};
use crate::error::{ApiError, Problem};
use crate::rest::body::ValidJson;
use crate::rest::record::IfMatch;
use crate::rest::{params, record};
use crate::AppState;

/// List roles
///
/// Every role with its permissions: the permission matrix, as data.
#[utoipa::path(
    tag = "roles",
    operation_id = "list_roles",
    responses((status = 200, description = "All roles", body = RoleList)),
    extensions(("x-permission" = json!("roles.read"))),
)]
#[get("/roles")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Authorized<perm::RolesRead>,
) -> Result<HttpResponse, ApiError> {
    let data = auth
        .run(&state.pool, |conn, _| Ok(repo::list(conn)?))
        .await?;
    Ok(HttpResponse::Ok().json(RoleList { data }))
}

/// Get a role
#[utoipa::path(
    tag = "roles",
    operation_id = "get_role",
    params(("key" = String, Path, description = "Role key", example = "account_manager", pattern = "^[a-z][a-z0-9_]{1,49}$")),
    responses((status = 200, description = "The role", body = Role)),
    extensions(("x-permission" = json!("roles.read"))),
)]
#[get("/roles/{key}")]
pub async fn get_one(
    state: web::Data<AppState>,
    auth: Authorized<perm::RolesRead>,
    key: params::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = key.into_inner();
    let role = auth
        .run(&state.pool, move |conn, _| service::get(conn, &key))
        .await?;
    Ok(record::ok(&role))
}

/// Create a role
///
/// Nobody grants a permission, or a scope, beyond their own: that is a 403 naming it.
#[utoipa::path(
    tag = "roles",
    operation_id = "create_role",
    request_body = RoleCreate,
    responses(
        (status = 201, description = "Created", body = Role),
        (status = 403, description = "The caller lacks roles.write, or the grants exceed the caller's own", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A role with this key exists", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("roles.write"))),
)]
#[post("/roles")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Authorized<perm::RolesWrite>,
    ValidJson(input): ValidJson<RoleCreate>,
) -> Result<HttpResponse, ApiError> {
    let role = auth
        .run(&state.pool, move |conn, access| {
            service::create(conn, &access.caller, input)
        })
        .await?;
    Ok(record::created(
        format!("/api/v1/roles/{}", role.key),
        &role,
    ))
}

/// Replace a role's name, description and permissions
///
/// Built-in roles can be changed too. Takes effect on the next request of every staff
/// member with this role, on every instance. Nobody grants a permission or scope beyond
/// their own, nor changes a role that already reaches beyond theirs: both are 403.
#[utoipa::path(
    tag = "roles",
    operation_id = "update_role",
    params(
        ("key" = String, Path, description = "Role key", example = "account_planner", pattern = "^[a-z][a-z0-9_]{1,49}$"),
        IfMatch,
    ),
    request_body = RoleUpdate,
    responses(
        (status = 200, description = "The updated role", body = Role),
        (status = 403, description = "The caller lacks roles.write, or the new or current grants exceed the caller's own", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The change would leave nobody able to administer roles and staff", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("roles.write"))),
)]
#[put("/roles/{key}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Authorized<perm::RolesWrite>,
    key: params::Path<String>,
    if_match: IfMatch,
    ValidJson(input): ValidJson<RoleUpdate>,
) -> Result<HttpResponse, ApiError> {
    let key = key.into_inner();
    let role = auth
        .run(&state.pool, move |conn, access| {
            service::update(conn, &access.caller, &key, &if_match, input)
        })
        .await?;
    Ok(record::ok(&role))
}
