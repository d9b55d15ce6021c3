//! `X-Request-Id` on every response, in every problem body and every log line.
//!
//! The id lives in a task-local for the duration of the request, so that code with no
//! access to the request — error rendering, the log formatter — can still read it.

use std::time::Instant;

use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{Error, HttpMessage};

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being served on this task, if any.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// The request id, also available to handlers as an extension.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

fn accept(incoming: Option<&HeaderValue>) -> Option<String> {
    let value = incoming?.to_str().ok()?;
    let well_formed = !value.is_empty()
        && value.len() <= 128
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    well_formed.then(|| value.to_owned())
}

/// Middleware body for `App::wrap_fn`: assigns the id, scopes the request in it, stamps
/// the response and writes the access log line.
pub fn middleware<S, B>(
    req: ServiceRequest,
    srv: &S,
) -> impl std::future::Future<Output = Result<ServiceResponse<B>, Error>>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
{
    let id = accept(req.headers().get(&HEADER)).unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().clone();
    let path = req.path().to_owned();
    let started = Instant::now();
    let response = srv.call(req);
    REQUEST_ID.scope(id.clone(), async move {
        let mut response = response.await?;
        let status = response.status();
        log::info!(
            "{method} {path} {} {:.1}ms",
            status.as_u16(),
            started.elapsed().as_secs_f64() * 1000.0
        );
        if let Ok(value) = HeaderValue::from_str(&id) {
            response.headers_mut().insert(HEADER, value);
        }
        Ok(response)
    })
}

/// env_logger format: timestamp, level, request id (or `-`), target, message.
pub fn init_logger() {
    use std::io::Write;
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info"))
        .format(|buf, record| {
            let id = current();
            writeln!(
                buf,
                "{} {:<5} [{}] {}: {}",
                buf.timestamp_millis(),
                record.level(),
                id.as_deref().unwrap_or("-"),
                record.target(),
                record.args()
            )
        })
        .init();
}
