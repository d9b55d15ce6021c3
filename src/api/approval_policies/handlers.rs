use actix_web::{get, put, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::approval::policy::{self, Policy};
use crate::approval::{self, Stages, SubjectType};
use crate::audit::{self, Actor};
use crate::auth::{perm, Authorized};
use crate::db;
use crate::error::{ApiError, Problem};
use crate::rest::body::ValidJson;
use crate::rest::params;
use crate::rest::record::{self, IfMatch};
use crate::time::now;
use crate::AppState;

/// Every subject type's policy; four of them, so the list is not paginated.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyList {
    pub data: Vec<Policy>,
}

/// A policy's new stages, replacing the old ones. Approvals already open keep theirs.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"stages": [
    {"name": "Account manager", "kind": "internal", "rule": "any", "deciders": []},
    {"name": "Account director", "kind": "internal", "rule": "all", "deciders": [3]},
    {"name": "Client sign-off", "kind": "client"}
]}))]
pub struct PolicyReplace {
    #[validate(nested)]
    pub stages: Stages,
}

/// The subject type a path names; another word names no policy (404, after the body's
/// own errors, as for any record that does not exist).
fn known(subject_type: String) -> Result<SubjectType, ApiError> {
    SubjectType::try_from(subject_type)
        .map_err(|e| ApiError::not_found(&format!("approval policy {:?}", e.0)))
}

/// List approval policies
#[utoipa::path(
    tag = "approvals",
    operation_id = "list_approval_policies",
    responses((status = 200, description = "Every subject type's policy", body = PolicyList)),
    extensions(("x-permission" = json!("roles.read"))),
)]
#[get("/approval-policies")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Authorized<perm::RolesRead>,
) -> Result<HttpResponse, ApiError> {
    let data = auth.run(&state.pool, |conn, _| policy::all(conn)).await?;
    Ok(HttpResponse::Ok().json(PolicyList { data }))
}

/// Get a subject type's approval policy
#[utoipa::path(
    tag = "approvals",
    operation_id = "get_approval_policy",
    params(("subject_type" = SubjectType, Path, description = "The subject type")),
    responses((status = 200, description = "The policy", body = Policy)),
    extensions(("x-permission" = json!("roles.read"))),
)]
#[get("/approval-policies/{subject_type}")]
pub async fn get_one(
    state: web::Data<AppState>,
    auth: Authorized<perm::RolesRead>,
    subject_type: params::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let subject_type = subject_type.into_inner();
    let policy = auth
        .run(&state.pool, move |conn, _| {
            policy::find(conn, known(subject_type)?)
        })
        .await?;
    Ok(record::ok(&policy))
}

/// Replace a subject type's approval policy
///
/// The stages every approval on this subject type gets unless the request gives its own.
/// Approvals already open keep the stages they were opened with. Every named decider must
/// be active and hold `approvals.decide`.
#[utoipa::path(
    tag = "approvals",
    operation_id = "replace_approval_policy",
    params(
        ("subject_type" = SubjectType, Path, description = "The subject type"),
        IfMatch,
    ),
    request_body = PolicyReplace,
    responses(
        (status = 200, description = "The policy", body = Policy),
        (status = 412, description = "If-Match names another version", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!("roles.write"))),
)]
#[put("/approval-policies/{subject_type}")]
pub async fn replace(
    state: web::Data<AppState>,
    auth: Authorized<perm::RolesWrite>,
    subject_type: params::Path<String>,
    if_match: IfMatch,
    ValidJson(body): ValidJson<PolicyReplace>,
) -> Result<HttpResponse, ApiError> {
    let subject_type = subject_type.into_inner();
    let policy = auth
        .run(&state.pool, move |conn, access| {
            // After the grants: a caller without the permission learns nothing of the path.
            let subject_type = known(subject_type)?;
            let actor = Actor::from(&access.caller);
            db::write_tx(conn, |conn| {
                let before = policy::find(conn, subject_type)?;
                if_match.check(before.version)?;
                if before.stages == body.stages {
                    return Ok(before);
                }
                policy::check(subject_type, &body.stages)?;
                approval::check_deciders(conn, subject_type, &body.stages, "stages")?;
                let after =
                    policy::replace(conn, subject_type, before.version, &body.stages, now())?
                        .ok_or_else(|| {
                            ApiError::PreconditionFailed(format!(
                                "the {} policy changed meanwhile; read it again",
                                subject_type.as_str()
                            ))
                        })?;
                audit::write(
                    conn,
                    &actor,
                    "update",
                    after.subject(),
                    Some(&before),
                    Some(&after),
                )?;
                Ok::<_, ApiError>(after)
            })
        })
        .await?;
    Ok(record::ok(&policy))
}
