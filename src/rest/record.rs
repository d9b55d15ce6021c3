//! Single records: `ETag`, `If-Match`, and the responses that carry them.

use actix_web::dev::Payload;
use actix_web::http::{header, StatusCode};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use futures_util::future::LocalBoxFuture;
use serde::Serialize;

use crate::auth::gate;
use crate::error::ApiError;

pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// The `If-Match` request header. Absent means "no precondition"; `*` matches any
/// existing record; weak tags never match, as RFC 9110 requires strong comparison.
pub struct IfMatch(Option<Vec<String>>);

impl IfMatch {
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

/// A single record: its JSON, an `ETag`, and for 201 a `Location`.
pub fn respond<T: Serialize>(status: StatusCode, body: &T, version: i32) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, etag(version)))
        .json(body)
}

pub fn created<T: Serialize>(location: String, body: &T, version: i32) -> HttpResponse {
    let mut response = respond(StatusCode::CREATED, body, version);
    if let Ok(value) = header::HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}
