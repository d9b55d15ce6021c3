//! Single records: `ETag`, `If-Match`, and the responses that carry them.

use actix_web::dev::Payload;
use actix_web::http::{header, StatusCode};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use futures_util::future::LocalBoxFuture;
use serde::Serialize;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::{ObjectBuilder, Required, Type};
use utoipa::IntoParams;

use crate::auth::gate;
use crate::error::ApiError;

pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// The `If-Match` request header. Absent means "no precondition"; `*` matches any
/// existing record; weak tags never match, as RFC 9110 requires strong comparison.
pub struct IfMatch(Option<Vec<String>>);

impl IfMatch {
    /// No `If-Match`: the write goes ahead at whatever version it finds (an import's line).
    pub fn absent() -> IfMatch {
        IfMatch(None)
    }

    pub fn check(&self, current_version: i32) -> Result<(), ApiError> {
        let Some(tags) = &self.0 else { return Ok(()) };
        let current = etag(current_version);
        if tags.iter().any(|tag| tag == "*" || *tag == current) {
            Ok(())
        } else {
            Err(ApiError::PreconditionFailed(format!(
                "If-Match does not match the current ETag {current}: the record changed since \
                 you read it; fetch it again and retry"
            )))
        }
    }
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        gate::held(req, IfMatch::read(req))
    }
}

impl IfMatch {
    fn read(req: &HttpRequest) -> Result<IfMatch, ApiError> {
        let values: Vec<_> = req.headers().get_all(header::IF_MATCH).collect();
        if values.is_empty() {
            return Ok(IfMatch(None));
        }
        let mut tags = Vec::new();
        for value in values {
            let value = value
                .to_str()
                .map_err(|_| ApiError::BadRequest("malformed If-Match header".into()))?;
            tags.extend(
                value
                    .split(',')
                    .map(|t| t.trim().to_owned())
                    .filter(|t| !t.is_empty()),
            );
        }
        Ok(IfMatch(Some(tags)))
    }
}

/// A record that carries a version: what its `ETag` is made of.
pub trait Versioned {
    fn version(&self) -> i32;
}

/// `200` with a single record and its `ETag`.
pub fn ok<T: Serialize + Versioned>(body: &T) -> HttpResponse {
    respond(StatusCode::OK, body)
}

/// `201` with the new record, its `ETag` and its `Location`.
pub fn created<T: Serialize + Versioned>(location: String, body: &T) -> HttpResponse {
    let mut response = respond(StatusCode::CREATED, body);
    if let Ok(value) = header::HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

fn respond<T: Serialize + Versioned>(status: StatusCode, body: &T) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, etag(body.version())))
        .json(body)
}

/// Documents the `If-Match` header once for every operation that takes it: `*` or a list
/// of the strong ETags this service issues (anything else can only get a 412). A plain
/// string: a header value cannot be JSON `null`, only absent.
impl IntoParams for IfMatch {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![ParameterBuilder::new()
            .name("If-Match")
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(
                "The ETag from a previous read; 412 if the record changed since.",
            ))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(r#"^(\*|"[0-9]+"( *, *"[0-9]+")*)$"#)),
            ))
            .build()]
    }
}
