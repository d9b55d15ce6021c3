//! Statuses come in one fixed order: 401, then 403, then the request's shape
//! (400/413/415/422), whatever order the extractors finish in.
//!
//! The authorizing extractor checks the token at once (401) and leaves the database part
//! of authorization (is the staff member active, do they hold the permission) to the
//! handler, which makes it on the same connection as its own work. So a request-shape
//! extractor that has an error to report first asks the gate to decide authorization
//! now: if that fails, its 401 or 403 is the answer instead. The error path pays for an
//! early decision; a well-formed request is authorized once, by its handler.

use std::rc::Rc;

use actix_web::{HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;

use crate::error::ApiError;

/// Decides authorization for the request: `Ok` when it would pass.
type Decide = Rc<dyn Fn() -> LocalBoxFuture<'static, Result<(), ApiError>>>;

#[derive(Clone)]
struct Decider(Decide);

/// Leaves how to decide this request's authorization early. Called from `from_request`,
/// which actix runs for a handler's extractors in signature order, so extractors after
/// the authorizing one find it.
pub fn decide_with(
    req: &HttpRequest,
    decide: impl Fn() -> LocalBoxFuture<'static, Result<(), ApiError>> + 'static,
) {
    req.extensions_mut().insert(Decider(Rc::new(decide)));
}

/// What a request-shape extractor consults before it reports an error.
pub struct Gate(Option<Decide>);

impl Gate {
    /// The gate of this request, if an authorizing extractor set one.
    pub fn of(req: &HttpRequest) -> Gate {
        Gate(req.extensions().get::<Decider>().map(|d| d.0.clone()))
    }

    /// `result`, unless it is an error and authorization fails: then that failure. With no
    /// gate (a public operation, or a token already refused, whose 401 actix answers
    /// first: it runs the extractors' futures in signature order) `result` as it is.
    pub async fn hold<T>(self, result: Result<T, ApiError>) -> Result<T, ApiError> {
        if let (Err(_), Some(decide)) = (&result, self.0) {
            decide().await?;
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
