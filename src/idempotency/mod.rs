//! `Idempotency-Key` on every `POST` (IETF httpapi draft, with Stripe's semantics), once
//! for every route.
//!
//! A caller who sends a key with a `POST` may retry it, after a timeout or a dropped
//! connection, without doing the work twice: the first request with a key claims it, and
//! its successful answer is kept. A retry with the same key and the same request (method,
//! path and query, content type and body) gets that answer again, marked
//! `Idempotent-Replayed: true`; the same key with another request is a 422; a retry while
//! the first is still running is a 409. Only successes are kept: a request that failed
//! wrote nothing (every write is one transaction), so its retry simply runs again. Keys are
//! per caller, stored in the database (any instance replays what another answered), and
//! remembered for `SUITS_IDEMPOTENCY_TTL` seconds (24 hours by default).
//!
//! Requests without a valid bearer token pass through untouched, to get their 401 from the
//! handler: the key belongs to a caller, and statuses come 401 first.

mod store;

use actix_web::body::{self, BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes, BytesMut};
use actix_web::{Error, HttpMessage, ResponseError};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use self::store::{Claim, Owner};
use crate::db;
use crate::error::{ApiError, ErrorCode, FieldError};
use crate::rest::body::BODY_LIMIT;
use crate::AppState;

/// The request header.
pub const KEY: HeaderName = HeaderName::from_static("idempotency-key");
/// The response header that marks a replayed answer.
pub const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
/// Where the operations with a larger body limit live (`import`).
const IMPORTS: &str = "/api/v1/imports/";
/// The longest key accepted: room for any UUID or hash a client would use.
pub const MAX_KEY_LEN: usize = 255;
/// The headers of an answer a replay repeats; the others (date, request id, CORS) belong
/// to the request that gets the replay.
const KEPT_HEADERS: [HeaderName; 4] = [
    header::CONTENT_TYPE,
    header::LOCATION,
    header::ETAG,
    header::LINK,
];

/// Middleware for `App::wrap(from_fn(..))`.
pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    if req.method() != Method::POST || !req.headers().contains_key(KEY) {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let Some(staff_id) = crate::auth::current_user::bearer_token(req.request())
        .ok()
        .and_then(|token| state.tokens.verify(token).ok())
    else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let key = match parse_key(req.headers().get(KEY)) {
        Ok(key) => key,
        Err(e) => {
            // Answered by the operation's authorizing extractor, after authorization has
            // had its say (401, 403 come first), and before the handler can run unguarded.
            req.extensions_mut().insert(RefusedKey(e));
            return next
                .call(req)
                .await
                .map(ServiceResponse::map_into_boxed_body);
        }
    };
    // The body is read here to fingerprint the request (its bytes as sent, whatever their
    // type: JSON, CSV, NDJSON), then handed on as it came. One over the limit is handed on
    // unread beyond it, for the handler to refuse. Imports take larger bodies.
    let limit = match req.path().starts_with(IMPORTS) {
        true => state.import_max_bytes,
        false => BODY_LIMIT,
    };
    let (body, whole) = read_body(req.take_payload(), limit).await?;
    if !whole {
        req.set_payload(body.payload);
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    let fingerprint = fingerprint(&req, &body.bytes);
    req.set_payload(Payload::from(body.bytes));

    let principal = format!("staff:{staff_id}");
    let claim = {
        let (principal, key, ttl) = (principal.clone(), key.clone(), state.idempotency_ttl);
        db::run(&state.pool, move |conn| {
            let owner = Owner {
                principal: &principal,
                key: &key,
            };
            store::claim(conn, staff_id, &owner, &fingerprint, ttl)
        })
        .await
    };
    match claim {
        Err(e) => Ok(req.error_response(e)),
        // A deactivated caller's request goes on to be refused like any other.
        Ok(Claim::Inactive) => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body),
        Ok(Claim::Replay(stored)) => {
            let response = stored.response();
            Ok(req.into_response(response))
        }
        Ok(Claim::Mismatch) => Ok(
            req.error_response(ApiError::Validation(vec![FieldError::new(
                "Idempotency-Key",
                ErrorCode::Invalid,
                "was already used for a different request; use a new key for a new request",
            )])),
        ),
        Ok(Claim::InFlight) => Ok(req.error_response(ApiError::conflict(
            "a request with this Idempotency-Key is still in progress; retry once it has answered",
        ))),
        Ok(Claim::Owned) => {
            let response = next.call(req).await?;
            settle(&state, principal, key, response).await
        }
    }
}

/// Put on an answer's extensions by a handler whose answer carries a secret shown once
/// (a service account's client secret): these top-level JSON fields are left out of what
/// is kept, so the secret is never stored in the clear, and a replay answers without it.
#[derive(Debug, Clone, Copy)]
pub struct ShownOnce(pub &'static [&'static str]);

/// `body` less the fields `shown_once` names.
fn without_secrets(body: &[u8], shown_once: Option<ShownOnce>) -> Vec<u8> {
    let Some(ShownOnce(fields)) = shown_once else {
        return body.to_vec();
    };
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(mut object)) => {
            for field in fields {
                object.remove(*field);
            }
            serde_json::to_vec(&object).unwrap_or_default()
        }
        // Not the object the handler promised: keep nothing of it rather than a secret.
        _ => Vec::new(),
    }
}

/// A malformed key, left for the request's authorizing extractor to report.
struct RefusedKey(ApiError);

/// The refusal of this request's `Idempotency-Key`, if it has one (see [`middleware`]).
pub fn refused(req: &actix_web::HttpRequest) -> Option<ApiError> {
    req.extensions_mut().remove::<RefusedKey>().map(|r| r.0)
}

/// The key as sent: an RFC 8941 string (`"…"`) or, as many clients send it, bare; either
/// way 1 to 255 visible ASCII characters other than `"` and `\\` (any UUID or hash).
fn parse_key(value: Option<&HeaderValue>) -> Result<String, ApiError> {
    let bad = || {
        ApiError::parameter(
            "Idempotency-Key",
            ErrorCode::Format,
            "must be 1 to 255 visible ASCII characters other than quotes and backslashes, \
             optionally in double quotes",
        )
    };
    let raw = value.map(HeaderValue::as_bytes).ok_or_else(bad)?;
    let key = match raw {
        [b'"', inner @ .., b'"'] => inner,
        _ => raw,
    };
    let allowed = |b: &u8| (0x21..0x7f).contains(b) && *b != b'"' && *b != b'\\';
    if key.is_empty() || key.len() > MAX_KEY_LEN || !key.iter().all(allowed) {
        return Err(bad());
    }
    Ok(String::from_utf8_lossy(key).into_owned())
}

/// What was read of a body: all of it, or the part read before the limit with the rest
/// still to come (`payload` hands on both).
struct Body {
    bytes: Bytes,
    payload: Payload,
}

async fn read_body(mut payload: Payload, limit: usize) -> Result<(Body, bool), Error> {
    let mut read = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        read.extend_from_slice(&chunk?);
        if read.len() > limit {
            let first = futures_util::stream::once(async move { Ok(read.freeze()) });
            let rest: Payload = Payload::Stream {
                payload: Box::pin(first.chain(payload)),
            };
            let body = Body {
                bytes: Bytes::new(),
                payload: rest,
            };
            return Ok((body, false));
        }
    }
    let bytes = read.freeze();
    let body = Body {
        payload: Payload::from(bytes.clone()),
        bytes,
    };
    Ok((body, true))
}

/// What makes two requests "the same": method, path and query, content type and body.
fn fingerprint(req: &ServiceRequest, body: &[u8]) -> String {
    let mut hash = Sha256::new();
    for part in [
        req.method().as_str().as_bytes(),
        req.uri()
            .path_and_query()
            .map_or(b"".as_slice(), |p| p.as_str().as_bytes()),
        req.headers()
            .get(header::CONTENT_TYPE)
            .map_or(b"".as_slice(), HeaderValue::as_bytes),
    ] {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part);
    }
    hash.update(body);
    format!("{:x}", hash.finalize())
}

/// After the request: keep a success for replays, or free the key so that a retry runs
/// again (a failure wrote nothing). The answer goes out as the handler gave it.
async fn settle(
    state: &web::Data<AppState>,
    principal: String,
    key: String,
    response: ServiceResponse<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let (req, response) = response.into_parts();
    let status = response.status();
    let (head, body) = response.into_parts();
    let bytes = match body::to_bytes(body).await {
        Ok(bytes) => bytes,
        Err(_) => {
            forget(state, principal, key).await;
            let e = ApiError::internal("the answer could not be read for the idempotency record");
            return Ok(ServiceResponse::new(req, e.error_response()));
        }
    };
    if status.is_success() {
        let kept: Vec<(String, String)> = KEPT_HEADERS
            .iter()
            .filter_map(|name| {
                let value = head.headers().get(name)?.to_str().ok()?;
                Some((name.as_str().to_owned(), value.to_owned()))
            })
            .collect();
        let headers = serde_json::to_string(&kept).unwrap_or_else(|_| "[]".to_owned());
        let shown_once = head.extensions().get::<ShownOnce>().copied();
        let stored_body = without_secrets(&bytes, shown_once);
        let code = i32::from(status.as_u16());
        let saved = db::run(&state.pool, move |conn| {
            let owner = Owner {
                principal: &principal,
                key: &key,
            };
            Ok(store::keep(conn, &owner, code, headers, stored_body)?)
        })
        .await;
        if let Err(e) = saved {
            // The work is done and answered; only a retry's replay is lost (it will run
            // again once the claim is abandoned). Worth a line in the log, not a failure.
            log::warn!("could not keep the answer for an Idempotency-Key: {e}");
        }
    } else {
        forget(state, principal, key).await;
    }
    let response = head.set_body(bytes).map_into_boxed_body();
    Ok(ServiceResponse::new(req, response))
}

async fn forget(state: &web::Data<AppState>, principal: String, key: String) {
    let forgotten = db::run(&state.pool, move |conn| {
        let owner = Owner {
            principal: &principal,
            key: &key,
        };
        Ok(store::forget(conn, &owner)?)
    })
    .await;
    if let Err(e) = forgotten {
        log::warn!("could not free an Idempotency-Key: {e}");
    }
}
