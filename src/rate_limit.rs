//! Requests per caller per minute, counted in memory with governor (GCRA): a caller may
//! spend the whole minute's allowance at once, which then comes back one request at a
//! time. Counted per instance: behind a balancer with n instances a caller gets up to n
//! times the limit. Every signed request's answer says where the caller stands, in the
//! IETF httpapi draft's `RateLimit-Policy` and `RateLimit` headers; over the limit the
//! answer is a 429 problem with `Retry-After`.

use std::num::NonZeroU32;
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpRequest};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DashMapStateStore;
use governor::{Quota, RateLimiter};

use crate::error::ApiError;

pub const POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");
pub const STANDING: HeaderName = HeaderName::from_static("ratelimit");
/// The policy's name in the headers.
const NAME: &str = "per-caller";
const WINDOW_SECS: u64 = 60;

type Limiter = RateLimiter<i64, DashMapStateStore<i64>, DefaultClock, StateInformationMiddleware>;

/// The limits of one instance; `None` per minute: no limit.
pub struct RateLimits {
    limiter: Option<(Limiter, NonZeroU32)>,
}

/// Where a caller stands after a request: requests left, seconds until the whole
/// allowance is back.
#[derive(Debug, Clone, Copy)]
pub struct Standing {
    limit: u32,
    remaining: u32,
    reset_secs: u64,
}

impl RateLimits {
    pub fn new(per_minute: Option<NonZeroU32>) -> Self {
        RateLimits {
            limiter: per_minute.map(|n| {
                let limiter = RateLimiter::dashmap(Quota::per_minute(n))
                    .with_middleware::<StateInformationMiddleware>();
                (limiter, n)
            }),
        }
    }

    /// Counts one request of `staff_id`'s and notes the standing on the request, for its
    /// answer's headers; 429 once the allowance is spent.
    pub fn check(&self, req: &HttpRequest, staff_id: i64) -> Result<(), ApiError> {
        let Some((limiter, limit)) = &self.limiter else {
            return Ok(());
        };
        let limit = limit.get();
        // The time for one request to come back, in nanoseconds.
        let per_request = WINDOW_SECS * 1_000_000_000 / u64::from(limit);
        let (standing, result) = match limiter.check_key(&staff_id) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                let spent = u64::from(limit - remaining.min(limit));
                let reset_secs = (spent * per_request).div_ceil(1_000_000_000);
                let standing = Standing {
                    limit,
                    remaining,
                    reset_secs,
                };
                (standing, Ok(()))
            }
            Err(not_until) => {
                let wait: Duration = not_until.wait_time_from(DefaultClock::default().now());
                let retry_after = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                let retry_after = retry_after.max(1);
                let standing = Standing {
                    limit,
                    remaining: 0,
                    reset_secs: retry_after,
                };
                (standing, Err(ApiError::TooManyRequests { retry_after }))
            }
        };
        req.extensions_mut().insert(standing);
        result
    }
}

/// Middleware for `App::wrap(from_fn(..))`: puts the caller's standing, noted while the
/// request was authorized, on its answer.
pub async fn headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let mut response = next.call(req).await?;
    let standing = response.request().extensions().get::<Standing>().copied();
    if let Some(s) = standing {
        let headers = response.headers_mut();
        let policy = format!("\"{NAME}\";q={};w={WINDOW_SECS}", s.limit);
        let now = format!("\"{NAME}\";r={};t={}", s.remaining, s.reset_secs);
        for (name, value) in [(POLICY, policy), (STANDING, now)] {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(name, value);
            }
        }
    }
    Ok(response)
}
