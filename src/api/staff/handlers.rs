use actix_web::{get, patch, post, web, HttpResponse};

use super::dto::{Staff, StaffCreate, StaffFilter, StaffPage, StaffUpdate};
use super::import::StaffImport;
use super::repo::{self, StaffSort};
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

/// List staff
#[utoipa::path(
    tag = "staff",
    operation_id = "list_staff",
    params(ListQuery<StaffFilter, StaffSort>),
    responses(
        (status = 200, description = "One page of staff", body = StaffPage),
    ),
    extensions(("x-permission" = json!("staff.read"))),
)]
#[get("/staff")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Authorized<perm::StaffRead>,
    query: ListQuery<StaffFilter, StaffSort>,
) -> Result<HttpResponse, ApiError> {
    resource::serve_list(
        &state.pool,
        auth,
        query,
        |conn, _, query| Ok(repo::list(conn, query)?),
        |_, _, rows| Ok(rows),
    )
    .await
}

/// Get a staff member
#[utoipa::path(
    tag = "staff",
    operation_id = "get_staff",
    params(("id" = i64, Path, description = "Staff id")),
    responses((status = 200, description = "The staff member", body = Staff)),
    extensions(("x-permission" = json!("staff.read"))),
)]
#[get("/staff/{id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    auth: Authorized<perm::StaffRead>,
    id: params::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let staff = auth
        .run(&state.pool, move |conn, _| service::get(conn, id))
        .await?;
    Ok(record::ok(&staff))
}

/// Create a staff member
///
/// Nobody gives a role whose grants exceed their own (each permission at a scope at most
/// theirs): that is a 403 naming the grants beyond the caller's.
#[utoipa::path(
    tag = "staff",
    operation_id = "create_staff",
    request_body = StaffCreate,
    responses(
        (status = 201, description = "Created", body = Staff),
        (status = 403, description = "The caller lacks staff.write, or the role's grants exceed the caller's own, or the caller is changing their own role", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A staff member with this email exists", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("staff.write"))),
)]
#[post("/staff")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Authorized<perm::StaffWrite>,
    ValidJson(input): ValidJson<StaffCreate>,
) -> Result<HttpResponse, ApiError> {
    let staff = auth
        .run(&state.pool, move |conn, access| {
            service::create(conn, &access.caller, input)
        })
        .await?;
    Ok(record::created(
        format!("/api/v1/staff/{}", staff.id),
        &staff,
    ))
}

/// Update a staff member
///
/// Change name, role, reporting line, or deactivate (`"active": false`). A role change or
/// deactivation applies to the staff member's very next request. Nobody changes their own
/// role, nobody gives a role whose grants exceed their own (each permission at a scope at
/// most theirs), and nobody changes the role or the active state of a staff member whose
/// role exceeds their own: each is a 403.
#[utoipa::path(
    tag = "staff",
    operation_id = "update_staff",
    params(
        ("id" = i64, Path, description = "Staff id"),
        IfMatch,
    ),
    request_body = StaffUpdate,
    responses(
        (status = 200, description = "The updated staff member", body = Staff),
        (status = 403, description = "The caller lacks staff.write, or the role's grants exceed the caller's own, or the caller is changing their own role, or the staff member's current role exceeds the caller's own (their role or active state cannot then be changed)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The change would leave nobody able to administer roles and staff", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("staff.write"))),
)]
#[patch("/staff/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Authorized<perm::StaffWrite>,
    id: params::Path<i64>,
    if_match: IfMatch,
    ValidJson(patch): ValidJson<StaffUpdate>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let staff = auth
        .run(&state.pool, move |conn, access| {
            service::update(conn, &access.caller, id, &if_match, patch)
        })
        .await?;
    Ok(record::ok(&staff))
}

/// Import staff
///
/// Creates and updates staff members in bulk, all or nothing: one bad line and nothing is
/// written. A line with an `id`, or else whose `email` a staff member has, updates that
/// staff member as `PATCH /staff/{id}` would (the fields it gives of `full_name`, `role`,
/// `active`, `reports_to`); any other line creates one as `POST /staff` would, `password`
/// included. The same rules hold line by line: nobody gives a role whose grants exceed
/// their own, changes their own role, or demotes or deactivates a staff member whose role
/// exceeds their own (each a `forbidden` error on its line). Every staff member created
/// or updated gets its audit event. The answer to a refused import lists the first 100
/// errors, each with its line, and counts them all in `error_count`.
#[utoipa::path(
    tag = "imports",
    operation_id = "import_staff",
    params(ImportParams),
    request_body(
        description = "CSV with a header row (UTF-8, with or without a BOM), or one JSON object per line",
        content(
            (String = "text/csv", example = "email,full_name,role,password\nmarco.bianchi@agency.example,Marco Bianchi,account_executive,correct horse battery staple\n"),
            (String = "application/x-ndjson", example = "{\"email\": \"marco.bianchi@agency.example\", \"full_name\": \"Marco Bianchi\", \"role\": \"account_executive\", \"password\": \"correct horse battery staple\"}\n"),
        ),
    ),
    responses(ImportResponses),
    extensions(("x-permission" = json!("staff.write"))),
)]
#[post("/imports/staff")]
pub async fn import_all(
    state: web::Data<AppState>,
    auth: Authorized<perm::StaffWrite>,
    body: ImportBody,
) -> Result<HttpResponse, ApiError> {
    let report = auth
        .run(&state.pool, move |conn, access| {
            bulk::run(
                conn,
                &body,
                bulk::OneByOne(StaffImport::new(&access.caller)),
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(report))
}
