//! The extractors that authenticate a request and check the one permission its handler
//! declares. A handler cannot reach the database or the caller but through them, so the
//! check cannot be forgotten.

use std::future::{ready, Ready};
use std::marker::PhantomData;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use diesel::prelude::*;
use futures_util::future::{Either, LocalBoxFuture};

use super::gate::{self, Gate};
use super::jwt::TokenError;
use super::permissions::{Grant, Permission, Required, Scope};
use crate::db::schema::{role_permissions, staff};
use crate::db::{self, DbConn, Pool};
use crate::error::ApiError;
use crate::request_id::RequestId;
use crate::AppState;

/// Who is making the request, and every grant their role holds right now.
#[derive(Debug, Clone)]
pub struct Caller {
    pub staff_id: i64,
    pub request_id: String,
    pub grants: Vec<Grant>,
}

impl Caller {
    /// The scope in which the caller holds `permission`; 403 if they do not hold it.
    pub fn require(&self, permission: Permission) -> Result<Scope, ApiError> {
        self.scope_of(permission)
            .ok_or(ApiError::Forbidden(permission))
    }

    pub fn scope_of(&self, permission: Permission) -> Option<Scope> {
        self.grants
            .iter()
            .find(|g| g.permission == permission)
            .map(|g| g.scope)
    }
}

impl Caller {
    /// Of `actions`, each needing a permission, those the caller may take on each of the
    /// records `ids`, for a whole page at once. `found_under` is the visibility the records
    /// were read with: read under `Assigned`, each lies within the caller's assignments
    /// already. Otherwise `assigned_of(ids)` — which of them do — is asked once, and only
    /// if some grant has scope `assigned`.
    pub fn allowed_actions<A: Copy, E>(
        &self,
        actions: &[(A, Permission)],
        ids: &[i64],
        found_under: Visibility,
        assigned_of: impl FnOnce(&[i64]) -> Result<Vec<i64>, E>,
    ) -> Result<Vec<Vec<A>>, E> {
        let scopes: Vec<(A, Option<Scope>)> = actions
            .iter()
            .map(|(a, p)| (*a, self.scope_of(*p)))
            .collect();
        let needs_assignments = scopes.iter().any(|(_, s)| *s == Some(Scope::Assigned));
        let assigned: Vec<i64> = match found_under {
            _ if !needs_assignments => Vec::new(),
            Visibility::Assigned(_) => ids.to_vec(),
            Visibility::All => assigned_of(ids)?,
        };
        Ok(ids
            .iter()
            .map(|id| {
                scopes
                    .iter()
                    .filter(|(_, scope)| match scope {
                        Some(Scope::All) => true,
                        Some(Scope::Assigned) => assigned.contains(id),
                        None => false,
                    })
                    .map(|(action, _)| *action)
                    .collect()
            })
            .collect())
    }

    /// `rows` turned into views (`make`) that carry what the caller may do with each,
    /// asked for the whole page at once (see [`Caller::allowed_actions`]).
    pub fn with_allowed_actions<R, V, A: Copy, E>(
        &self,
        actions: &[(A, Permission)],
        found_under: Visibility,
        rows: Vec<R>,
        id: impl Fn(&R) -> i64,
        assigned_of: impl FnOnce(&[i64]) -> Result<Vec<i64>, E>,
        make: impl Fn(R, Vec<A>) -> V,
    ) -> Result<Vec<V>, E> {
        let ids: Vec<i64> = rows.iter().map(id).collect();
        let allowed = self.allowed_actions(actions, &ids, found_under, assigned_of)?;
        Ok(rows
            .into_iter()
            .zip(allowed)
            .map(|(row, a)| make(row, a))
            .collect())
    }
}

/// Which records a permission reaches, for filtering queries: with `Assigned`, only the
/// accounts the staff member is on the team of or manages, and everything under them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    All,
    Assigned(i64),
}

impl Visibility {
    pub fn of(caller: &Caller, scope: Scope) -> Self {
        match scope {
            Scope::All => Visibility::All,
            Scope::Assigned => Visibility::Assigned(caller.staff_id),
        }
    }
}

/// A request with a valid bearer token whose handler requires permission `P`.
///
/// The token is checked at once (401). Whether its staff member is still active and holds
/// `P` is read from the database by [`Authorized::run`], on the connection the handler's
/// work then uses: one pool checkout and one round trip for authorization per request.
/// `run` is the only way to the caller, so no handler can act before the check.
pub struct Authorized<P: Required> {
    token: Token,
    _permission: PhantomData<P>,
}

/// What authorization established: who calls, and in what scope they hold the permission.
pub struct Access {
    pub caller: Caller,
    pub scope: Scope,
}

impl Access {
    /// The records the permission reaches for this caller: what every query filters by.
    pub fn visibility(&self) -> Visibility {
        Visibility::of(&self.caller, self.scope)
    }
}

impl<P: Required> Authorized<P> {
    /// `work` on a pooled connection (see `db::run`), once the caller has been found active
    /// and holding `P` on that same connection (401, then 403).
    pub async fn run<T, F>(self, pool: &Pool, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn, Access) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        db::run(pool, move |conn| {
            let caller = self.token.caller(conn)?;
            let scope = caller.require(P::PERMISSION)?;
            work(conn, Access { caller, scope })
        })
        .await
    }
}

/// A request with a valid bearer token from an active staff member; no permission
/// required. As for [`Authorized`], [`Authenticated::run`] makes the database part of the
/// check.
pub struct Authenticated {
    token: Token,
}

impl Authenticated {
    /// `work` on a pooled connection, once the caller has been found active on it (401).
    pub async fn run<T, F>(self, pool: &Pool, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn, Caller) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        db::run(pool, move |conn| {
            let caller = self.token.caller(conn)?;
            work(conn, caller)
        })
        .await
    }
}

/// An authorizing extractor's answer: at once, or after the gate has had its say.
type Held<T> = Either<Ready<Result<T, ApiError>>, LocalBoxFuture<'static, Result<T, ApiError>>>;

impl<P: Required + 'static> FromRequest for Authorized<P> {
    type Error = ApiError;
    type Future = Held<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let authorized = Token::of(req, Some(P::PERMISSION)).map(|token| Authorized {
            token,
            _permission: PhantomData,
        });
        held_for_shape(req, authorized)
    }
}

/// `authorized`, unless the request's shape is wrong where no other extractor looks: a
/// malformed Idempotency-Key, or a query parameter on an operation that takes none. That
/// is answered here, before the handler can run, but after authorization (the gate
/// `Token::of` just set): 401 and 403 come first.
fn held_for_shape<T: 'static>(req: &HttpRequest, authorized: Result<T, ApiError>) -> Held<T> {
    let refusal = crate::idempotency::refused(req).or_else(|| crate::rest::params::unexpected(req));
    match (authorized, refusal) {
        (Ok(_), Some(refusal)) => {
            let gate = Gate::of(req);
            Either::Right(Box::pin(async move { gate.hold(Err(refusal)).await }))
        }
        (authorized, _) => Either::Left(ready(authorized)),
    }
}

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = Held<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        held_for_shape(
            req,
            Token::of(req, None).map(|token| Authenticated { token }),
        )
    }
}

/// A verified token: whose it is, and the request it came with.
struct Token {
    staff_id: i64,
    request_id: String,
}

impl Token {
    /// The request's verified token (401 otherwise). Tells the request's gate how to decide
    /// authorization early, should a request-shape extractor have an error to report.
    fn of(req: &HttpRequest, permission: Option<Permission>) -> Result<Token, ApiError> {
        let state = req
            .app_data::<web::Data<AppState>>()
            .ok_or_else(|| ApiError::internal("application state is not configured"))?;
        let staff_id = state
            .tokens
            .verify(bearer_token(req)?)
            .map_err(|e| match e {
                TokenError::Expired => {
                    ApiError::Unauthorized("the access token has expired".into())
                }
                TokenError::NotYetValid => {
                    ApiError::Unauthorized("the access token is not valid yet".into())
                }
                TokenError::Invalid => ApiError::Unauthorized("the access token is invalid".into()),
            })?;
        state.rate_limits.check(req, staff_id)?;
        let request_id = req
            .extensions()
            .get::<RequestId>()
            .map(|id| id.0.clone())
            .unwrap_or_default();
        // The early decision needs no request id: it writes nothing.
        let pool = state.pool.clone();
        gate::decide_with(req, move || {
            let (pool, early) = (pool.clone(), Token::unlogged(staff_id));
            Box::pin(async move {
                db::run(&pool, move |conn| {
                    let caller = early.caller(conn)?;
                    match permission {
                        Some(permission) => caller.require(permission).map(|_| ()),
                        None => Ok(()),
                    }
                })
                .await
            })
        });
        Ok(Token {
            staff_id,
            request_id,
        })
    }

    fn unlogged(staff_id: i64) -> Token {
        Token {
            staff_id,
            request_id: String::new(),
        }
    }

    /// Reads the staff member and their role's grants, so that deactivation and role
    /// changes apply to the very next request on every instance: the caller if active,
    /// 401 otherwise.
    fn caller(self, conn: &mut DbConn) -> Result<Caller, ApiError> {
        match load_caller(conn, self.staff_id)? {
            Some((true, grants)) => Ok(Caller {
                staff_id: self.staff_id,
                request_id: self.request_id,
                grants,
            }),
            _ => Err(ApiError::Unauthorized(
                "the access token's staff member is deactivated or no longer exists".into(),
            )),
        }
    }
}

pub(crate) fn bearer_token(req: &HttpRequest) -> Result<&str, ApiError> {
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

type GrantRow = (bool, Option<String>, Option<String>);

/// The staff member's active flag and their role's grants, in one query.
fn load_caller(conn: &mut DbConn, staff_id: i64) -> QueryResult<Option<(bool, Vec<Grant>)>> {
    let query = staff::table
        .left_join(role_permissions::table.on(role_permissions::role_key.eq(staff::role)))
        .filter(staff::id.eq(staff_id))
        .select((
            staff::active,
            role_permissions::permission.nullable(),
            role_permissions::scope.nullable(),
        ));
    // Every request runs this one.
    let rows: Vec<GrantRow> = db::load_typed(conn, query)?;
    let Some(active) = rows.first().map(|(active, _, _)| *active) else {
        return Ok(None);
    };
    let grants = rows
        .into_iter()
        .filter_map(|(_, permission, scope)| Grant::from_stored(&permission?, &scope?))
        .collect();
    Ok(Some((active, grants)))
}
