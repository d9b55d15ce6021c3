//! The extractors that authenticate a request and check the one permission its handler
//! declares. A handler cannot run without them, so the check cannot be forgotten.

use std::marker::PhantomData;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use diesel::prelude::*;
use futures_util::future::LocalBoxFuture;

use super::jwt::TokenError;
use super::permissions::{Permission, Required, Scope};
use crate::db::schema::{role_permissions, staff};
use crate::db::{self, DbConn};
use crate::error::ApiError;
use crate::request_id::RequestId;
use crate::AppState;

/// Who is making the request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub staff_id: i64,
    pub role: String,
    pub request_id: String,
}

/// A caller who holds permission `P`, with the scope they hold it in.
pub struct Authorized<P: Required> {
    pub caller: Caller,
    pub scope: Scope,
    _permission: PhantomData<P>,
}

/// A caller with a valid token and an active account; no permission required.
pub struct Authenticated {
    pub caller: Caller,
}

impl<P: Required> FromRequest for Authorized<P> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let (caller, scope) = authenticate(&req, Some(P::PERMISSION)).await?;
            let scope = scope.ok_or(ApiError::Forbidden(P::PERMISSION))?;
            Ok(Authorized {
                caller,
                scope,
                _permission: PhantomData,
            })
        })
    }
}

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let (caller, _) = authenticate(&req, None).await?;
            Ok(Authenticated { caller })
        })
    }
}

fn bearer_token(req: &HttpRequest) -> Result<&str, ApiError> {
    let value = req.headers().get(header::AUTHORIZATION).ok_or_else(|| {
        ApiError::Unauthorized("missing Authorization: Bearer <token> header".into())
    })?;
    let value = value
        .to_str()
        .map_err(|_| ApiError::Unauthorized("malformed Authorization header".into()))?;
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim())
        }
        _ => Err(ApiError::Unauthorized(
            "the Authorization header must be `Bearer <token>`".into(),
        )),
    }
}

/// Verifies the token, then reads the staff member and (when asked) the scope of one
/// permission from the database, so that deactivation and role changes apply to the very
/// next request on every instance.
async fn authenticate(
    req: &HttpRequest,
    permission: Option<Permission>,
) -> Result<(Caller, Option<Scope>), ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal("application state is not configured"))?;
    let staff_id = state
        .tokens
        .verify(bearer_token(req)?)
        .map_err(|e| match e {
            TokenError::Expired => ApiError::Unauthorized("the access token has expired".into()),
            TokenError::Invalid => ApiError::Unauthorized("the access token is invalid".into()),
        })?;
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(|id| id.0.clone())
        .unwrap_or_default();
    let found = db::run(&state.pool, move |conn| {
        Ok(load_caller(conn, staff_id, permission)?)
    })
    .await?;
    match found {
        Some((role, true, scope)) => Ok((
            Caller {
                staff_id,
                role,
                request_id,
            },
            scope.as_deref().and_then(Scope::parse),
        )),
        _ => Err(ApiError::Unauthorized(
            "the access token's staff member is deactivated or no longer exists".into(),
        )),
    }
}

type CallerRow = (String, bool, Option<String>);

fn load_caller(
    conn: &mut DbConn,
    staff_id: i64,
    permission: Option<Permission>,
) -> QueryResult<Option<CallerRow>> {
    let key = permission.map(Permission::key).unwrap_or("");
    staff::table
        .left_join(
            role_permissions::table.on(role_permissions::role_key
                .eq(staff::role)
                .and(role_permissions::permission.eq(key))),
        )
        .filter(staff::id.eq(staff_id))
        .select((
            staff::role,
            staff::active,
            role_permissions::scope.nullable(),
        ))
        .first(conn)
        .optional()
}
