use actix_web::{delete, get, patch, post, put, web, HttpResponse};

use super::dto::{
    Client, ClientCreate, ClientFilter, ClientPage, ClientUpdate, ClientView, HealthUpdate,
};
use super::import::ClientImport;
use super::repo::ClientSort;
use super::service;
use crate::auth::{perm, Authorized};
use crate::error::{ApiError, Problem};
use crate::import::{self as bulk, ImportBody, ImportParams, ImportResponses};
use crate::resource;
use crate::rest::body::ValidJson;
use crate::rest::list::ListQuery;
use crate::rest::record::IfMatch;
use crate::rest::{params, record};
use crate::AppState;

/// List clients
///
/// Cursor-paginated; filters combine with AND.
#[utoipa::path(
    tag = "clients",
    operation_id = "list_clients",
    params(ListQuery<ClientFilter, ClientSort>),
    responses(
        (status = 200, description = "One page of clients", body = ClientPage),
    ),
    extensions(("x-permission" = json!("clients.read"))),
)]
#[get("/clients")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Authorized<perm::ClientsRead>,
    query: ListQuery<ClientFilter, ClientSort>,
) -> Result<HttpResponse, ApiError> {
    resource::list::<Client, _>(&state.pool, auth, query).await
}

/// Get a client
#[utoipa::path(
    tag = "clients",
    operation_id = "get_client",
    params(("id" = i64, Path, description = "Client id")),
    responses((status = 200, description = "The client", body = ClientView)),
    extensions(("x-permission" = json!("clients.read"))),
)]
#[get("/clients/{id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    auth: Authorized<perm::ClientsRead>,
    id: params::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    resource::get::<Client, _>(&state.pool, auth, id.into_inner()).await
}

/// Create a client
#[utoipa::path(
    tag = "clients",
    operation_id = "create_client",
    request_body = ClientCreate,
    responses(
        (status = 201, description = "Created", body = ClientView),
        (status = 409, description = "A client with this name or external_ref exists", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("clients.write"))),
)]
#[post("/clients")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Authorized<perm::ClientsWrite>,
    ValidJson(input): ValidJson<ClientCreate>,
) -> Result<HttpResponse, ApiError> {
    let client = auth
        .run(&state.pool, move |conn, access| {
            service::create(conn, &access.caller, input)
        })
        .await?;
    Ok(record::created(
        format!("/api/v1/clients/{}", client.client.id),
        &client,
    ))
}

/// Update a client
///
/// A JSON merge patch: absent fields stay, `null` clears. Send `If-Match` with the ETag
/// you read to make sure you do not overwrite someone else's change.
#[utoipa::path(
    tag = "clients",
    operation_id = "update_client",
    params(
        ("id" = i64, Path, description = "Client id"),
        IfMatch,
    ),
    request_body = ClientUpdate,
    responses(
        (status = 200, description = "The updated client", body = ClientView),
        (status = 409, description = "Another client has this name or external_ref", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("clients.write"))),
)]
#[patch("/clients/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Authorized<perm::ClientsWrite>,
    id: params::Path<i64>,
    if_match: IfMatch,
    ValidJson(patch): ValidJson<ClientUpdate>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    resource::update::<Client, _>(&state.pool, auth, id, if_match, "update", patch).await
}

/// Set a client's relationship health
///
/// Separate from the general update so that executives, who watch the relationship but
/// do not edit the client record, can report a souring relationship.
#[utoipa::path(
    tag = "clients",
    operation_id = "set_client_health",
    params(
        ("id" = i64, Path, description = "Client id"),
        IfMatch,
    ),
    request_body = HealthUpdate,
    responses((status = 200, description = "The updated client", body = ClientView)),
    extensions(("x-permission" = json!("clients.health"))),
)]
#[put("/clients/{id}/health")]
pub async fn set_health(
    state: web::Data<AppState>,
    auth: Authorized<perm::ClientsHealth>,
    id: params::Path<i64>,
    if_match: IfMatch,
    ValidJson(input): ValidJson<HealthUpdate>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    resource::update::<Client, _>(&state.pool, auth, id, if_match, "health", input).await
}

/// Delete a client
///
/// Only a client without accounts can be deleted; otherwise set its status to `inactive`.
#[utoipa::path(
    tag = "clients",
    operation_id = "delete_client",
    params(
        ("id" = i64, Path, description = "Client id"),
        IfMatch,
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "The client has accounts", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("clients.write"))),
)]
#[delete("/clients/{id}")]
pub async fn delete(
    state: web::Data<AppState>,
    auth: Authorized<perm::ClientsWrite>,
    id: params::Path<i64>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    resource::delete::<Client, _>(&state.pool, auth, id.into_inner(), if_match).await
}

/// Import clients
///
/// Creates and updates clients in bulk, all or nothing: one bad line and nothing is
/// written. Each line is a client as `POST /clients` takes it (the CSV columns are the
/// fields, as the `text/csv` export of `GET /clients` writes them). A line with an `id`
/// updates that client; otherwise a line whose `external_ref` a client has updates it;
/// otherwise it creates one. On an update a field the line leaves out stays as it is.
/// Changing a client's `health` needs `clients.health` for it. Every client created or
/// updated gets its audit event. The answer to a refused import lists the first 100
/// errors, each with its line, and counts them all in `error_count`.
#[utoipa::path(
    tag = "imports",
    operation_id = "import_clients",
    params(ImportParams),
    request_body(
        description = "CSV with a header row (UTF-8, with or without a BOM), or one JSON object per line",
        content(
            (String = "text/csv", example = "name,external_ref,status\nAcme Foods,ACC-0042,active\n"),
            (String = "application/x-ndjson", example = "{\"name\": \"Acme Foods\", \"external_ref\": \"ACC-0042\"}\n"),
        ),
    ),
    responses(ImportResponses),
    extensions(("x-permission" = json!("clients.write"))),
)]
#[post("/imports/clients")]
pub async fn import_all(
    state: web::Data<AppState>,
    auth: Authorized<perm::ClientsWrite>,
    body: ImportBody,
) -> Result<HttpResponse, ApiError> {
    let report = auth
        .run(&state.pool, move |conn, access| {
            bulk::run(conn, &body, ClientImport::new(&access))
        })
        .await?;
    Ok(HttpResponse::Ok().json(report))
}
