//! CORS for frontends served from other origins (actix-cors).
//!
//! Preflights are answered here, before routing, so that the `OPTIONS` of any route never
//! reaches the 405 fallback. Only configured origins get CORS headers; requests from other
//! origins are still served (curl and servers send no `Origin` worth checking), the browser
//! simply withholds the answer from the page.

use actix_cors::{Cors, CorsError};
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::{Error, ResponseError};

use crate::error::ApiError;

/// How long a browser may cache a preflight answer. Chromium caps it at 2 hours anyway;
/// an hour keeps preflights rare without pinning a changed configuration for long.
pub const MAX_AGE_SECONDS: usize = 3600;

/// Request headers a page may send: auth, JSON bodies, conditional requests, retries.
const ALLOWED_HEADERS: [header::HeaderName; 6] = [
    header::AUTHORIZATION,
    header::CONTENT_TYPE,
    header::IF_MATCH,
    header::IF_NONE_MATCH,
    header::HeaderName::from_static("idempotency-key"),
    crate::request_id::HEADER,
];

/// Response headers a page may read. Without this list a browser hides everything but a
/// handful of "simple" headers, which would break the If-Match and paging flows.
const EXPOSED_HEADERS: [header::HeaderName; 8] = [
    header::ETAG,
    crate::idempotency::REPLAYED,
    crate::rate_limit::POLICY,
    crate::rate_limit::STANDING,
    header::LINK,
    header::LOCATION,
    header::RETRY_AFTER,
    crate::request_id::HEADER,
];

/// The CORS middleware for the configured origins (already validated by
/// [`parse_origins`]). No credentials mode: tokens travel in `Authorization`, not cookies,
/// so `Access-Control-Allow-Credentials` is never sent.
pub fn middleware(origins: &[String]) -> Cors {
    origins
        .iter()
        .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin))
        .allowed_methods([
            Method::GET,
            // A HEAD with a bearer token is preflighted like any other request.
            Method::HEAD,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allowed_headers(ALLOWED_HEADERS)
        .expose_headers(EXPOSED_HEADERS)
        .max_age(MAX_AGE_SECONDS)
}

/// Middleware body for `App::wrap_fn`, outside [`middleware`]: actix-cors answers a refused
/// preflight with a plain-text 400; this turns it into the problem every other error is.
pub fn problem_for_refused_preflight<S, B>(
    req: ServiceRequest,
    srv: &S,
) -> impl std::future::Future<Output = Result<ServiceResponse<EitherBody<B>>, Error>>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    let response = srv.call(req);
    async move {
        let response = response.await?;
        let refusal = response
            .response()
            .error()
            .and_then(|e| e.as_error::<CorsError>())
            .map(|e| ApiError::BadRequest(format!("CORS request refused: {e}")));
        Ok(match refusal {
            Some(problem) => {
                let (req, _) = response.into_parts();
                ServiceResponse::new(req, problem.error_response()).map_into_right_body()
            }
            None => response.map_into_left_body(),
        })
    }
}

/// Reads `SUITS_CORS_ORIGINS`: comma-separated origins exactly as browsers send them in
/// `Origin` (`https://app.example.com`, `http://localhost:5173`). A browser compares the
/// origin byte for byte, so anything that could never match is refused at startup rather
/// than failing silently in a browser later.
pub fn parse_origins(raw: Option<&str>) -> Result<Vec<String>, String> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    raw.split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|origin| {
            check_origin(origin).map_err(|why| {
                format!(
                    "SUITS_CORS_ORIGINS: {origin:?} {why}; expected origins such as \
                     https://app.example.com or http://localhost:5173, separated by commas"
                )
            })?;
            Ok(origin.to_owned())
        })
        .collect()
}

fn check_origin(origin: &str) -> Result<(), &'static str> {
    if origin == "*" || origin.contains('*') {
        return Err("is a wildcard, which is not allowed: list each origin");
    }
    let (scheme, authority) = origin
        .split_once("://")
        .ok_or("has no scheme (http:// or https://)")?;
    if scheme != "http" && scheme != "https" {
        return Err("must start with http:// or https://");
    }
    if authority.is_empty() {
        return Err("has no host");
    }
    if authority.contains(['/', '?', '#']) {
        return Err("has a path, query or trailing slash; an origin is scheme://host[:port] only");
    }
    if authority.contains('@') {
        return Err("contains user information");
    }
    if authority.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err("has upper-case letters; browsers send origins in lower case");
    }
    let default_port = if scheme == "http" { ":80" } else { ":443" };
    if authority.ends_with(default_port) {
        return Err("names the scheme's default port, which browsers leave out");
    }
    actix_web::http::Uri::try_from(origin).map_err(|_| "is not a valid URL")?;
    Ok(())
}
