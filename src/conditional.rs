//! `HEAD` and `If-None-Match`, once for every route (RFC 9110 §9.3.2, §13.1.2).
//!
//! actix's `GET` routes do not match `HEAD`, so a `HEAD` is served as the `GET` it stands
//! for and loses its body here, keeping the status and every header the `GET` has. A `GET`
//! or `HEAD` whose 2xx answer carries an `ETag` that `If-None-Match` names becomes a
//! `304 Not Modified`. Both work on the handler's real answer, after authentication,
//! permission and scope have had their say: a caller who may not read the record still
//! gets the 403 or 404, never a 304 that would confirm its version.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, EntityTag, Header, HeaderValue, IfNoneMatch};
use actix_web::http::{Method, StatusCode};
use actix_web::web::Bytes;
use actix_web::Error;

/// Middleware body for `App::wrap_fn`, innermost (around the routes), so that the CORS
/// and request-id middleware decorate a 304 or a `HEAD` answer like any other.
pub fn middleware<S, B>(
    mut req: ServiceRequest,
    srv: &S,
) -> impl std::future::Future<Output = Result<ServiceResponse<EitherBody<B, NoBytes>>, Error>>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    let head = req.method() == Method::HEAD;
    if head {
        // Routed as the GET it mirrors. The access log (outside) has already taken the
        // method as sent; the transports (h1, h2) decided at parse time to send no body.
        // `head_mut` needs the only reference to the request: a middleware outside this
        // one must not keep a clone of it (none does; the HEAD tests would panic).
        req.head_mut().method = Method::GET;
    }
    let condition = match req.headers().contains_key(header::IF_NONE_MATCH) {
        // Reads only. On a write a matching If-None-Match calls for a 412 (RFC 9110
        // §13.1.2), a precondition no write here offers: there it is ignored.
        true if req.method() == Method::GET => IfNoneMatch::parse(&req).ok(),
        _ => None,
    };
    let response = srv.call(req);
    async move {
        let response = response.await?;
        let not_modified = condition.is_some_and(|condition| unchanged(&response, &condition));
        Ok(if not_modified {
            response.map_body(|head, _| {
                head.status = StatusCode::NOT_MODIFIED;
                // A 304 describes the cached representation by its validators and cache
                // headers (RFC 9110 §15.4.5); it has no content of its own to type or size.
                head.headers.remove(header::CONTENT_TYPE);
                head.headers.remove(header::CONTENT_LENGTH);
                EitherBody::right(NoBytes(BodySize::None))
            })
        } else if head {
            response.map_body(|head, body| {
                let size = body.size();
                // In-process callers (and the tests) see the length a GET would have; over
                // the wire actix writes it from `size` itself, once.
                if let BodySize::Sized(length) = size {
                    head.headers
                        .insert(header::CONTENT_LENGTH, HeaderValue::from(length));
                }
                EitherBody::right(NoBytes(size))
            })
        } else {
            response.map_into_left_body()
        })
    }
}

/// Whether `response` is a success whose `ETag` `condition` names, under the weak
/// comparison `If-None-Match` calls for (`W/"3"` names `"3"`). A malformed tag, in the
/// request or the response, names nothing: the request is simply served.
fn unchanged<B>(response: &ServiceResponse<B>, condition: &IfNoneMatch) -> bool {
    if !response.status().is_success() {
        return false;
    }
    let Some(current) = response
        .headers()
        .get(header::ETAG)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<EntityTag>().ok())
    else {
        return false;
    };
    match condition {
        IfNoneMatch::Any => true,
        IfNoneMatch::Items(tags) => tags.iter().any(|tag| tag.weak_eq(&current)),
    }
}

/// A body with no bytes that reports the size of the one it replaces: for `HEAD`, the
/// `GET`'s length (`Content-Length`), for a 304 none at all.
pub struct NoBytes(BodySize);

impl MessageBody for NoBytes {
    type Error = Infallible;

    fn size(&self) -> BodySize {
        self.0
    }

    fn poll_next(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Poll::Ready(None)
    }
}
