//! Statuses come in one fixed order: 401, then 403, then the request's shape
//! (400/413/415/422), whatever order the extractors finish in.
//!
//! actix runs a handler's extractors together and answers the first error it meets.
//! Authorization reads the database while a query or body check can fail at once, so
//! without a gate a caller lacking the permission who also sends a bad body would hear 403
//! or 422 depending on timing. The authorizing extractor opens a gate that stays open until
//! it has decided; the request-shape extractors hold their errors until then. If
//! authorization fails, actix answers its error and drops theirs.

use actix_web::{HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;
use tokio::sync::watch;

use crate::error::ApiError;

/// Held by the authorizing extractor while it decides; dropping it closes the gate.
pub struct Deciding(#[allow(dead_code)] watch::Sender<()>);

#[derive(Clone)]
struct Open(watch::Receiver<()>);

/// Opens the gate for this request. Called from `from_request`, which actix runs for a
/// handler's extractors in signature order, so extractors after it find the gate.
pub fn open(req: &HttpRequest) -> Deciding {
    let (decided, open) = watch::channel(());
    req.extensions_mut().insert(Open(open));
    Deciding(decided)
}

/// What a request-shape extractor waits on before it reports an error.
pub struct Gate(Option<watch::Receiver<()>>);

impl Gate {
    /// The gate of this request, if an authorizing extractor opened one.
    pub fn of(req: &HttpRequest) -> Gate {
        Gate(req.extensions().get::<Open>().map(|open| open.0.clone()))
    }

    /// `result`, after authorization has decided when `result` is an error.
    pub async fn hold<T>(self, result: Result<T, ApiError>) -> Result<T, ApiError> {
        if let (Err(_), Some(mut open)) = (&result, self.0) {
            // Only ever resolves by the sender being dropped: nothing is sent.
            let _ = open.changed().await;
        }
        result
    }
}

/// An extractor's future for `result`, held at this request's gate: what a request-shape
/// extractor returns from `from_request`.
pub fn held<T: 'static>(
    req: &HttpRequest,
    result: Result<T, ApiError>,
) -> LocalBoxFuture<'static, Result<T, ApiError>> {
    Box::pin(Gate::of(req).hold(result))
}
