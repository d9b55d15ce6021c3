//! `GET /metrics`: what this instance has served and how it is doing, in the Prometheus
//! text format, for a Prometheus server that scrapes every instance behind the balancer.
//!
//! - Requests are counted and timed per operation (route template, method, status) by the
//!   outermost middleware. Each series' handles are found once, on first use, and kept in
//!   the worker's own route table: a request costs a walk of the path's segments, a clock
//!   read and a few atomic additions, with no label lookup, allocation or lock.
//! - The pool counts its checkouts, waits and timeouts where connections are taken
//!   (`db::Pool`), and `db::run` the database's failures by kind; its gauges (open, idle,
//!   in use) are read from r2d2 at each scrape.
//! - The process's own figures (resident memory, open file descriptors, CPU time, start
//!   time, threads) come from the crate's process collector, read at each scrape.
//!
//! Everything is per instance: the `instance` label Prometheus adds tells them apart.

use std::cell::OnceCell;
use std::future::{ready, Future, Ready};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::{Method, StatusCode};
use actix_web::{get, web, HttpResponse};
use prometheus::{
    Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};
use serde_json::Value;

use crate::api::health::NoParams;
use crate::db::Pool;
use crate::error::{ApiError, DbFailure};
use crate::rest::params;
use crate::AppState;

/// Request latencies: dense where the API answers (1–50 ms), then wide enough to see a
/// slow sign-in (password hashing) or a request that waited for a connection (up to
/// `SUITS_DB_TIMEOUT`, 5 s by default).
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// Waits for a pooled connection: from a moment (another request just finishing) to the
/// whole `SUITS_DB_TIMEOUT`.
const WAIT_BUCKETS: &[f64] = &[
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The `route` of every request that is not one of the service's operations: unknown
/// paths (404) and methods a path does not serve (405), whatever a scanner sends.
pub const UNMATCHED: &str = "unmatched";

/// The `method` label: the methods the service answers, and `other` for any other
/// (extension methods are valid HTTP, and unbounded).
const METHODS: [&str; 8] = [
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other",
];
const OPTIONS: usize = 6;

fn method_index(method: &Method) -> usize {
    match *method {
        Method::GET => 0,
        Method::HEAD => 1,
        Method::POST => 2,
        Method::PUT => 3,
        Method::PATCH => 4,
        Method::DELETE => 5,
        Method::OPTIONS => OPTIONS,
        _ => 7,
    }
}

/// The statuses the service answers with, each with a slot for its series in the route
/// table. Any other (none is expected) is still counted, by a label lookup.
const STATUSES: [u16; 19] = [
    200, 201, 204, 304, 307, 308, 400, 401, 403, 404, 405, 409, 412, 413, 415, 422, 429, 500, 503,
];

/// The registry of one instance, and what `/metrics` needs to render it.
pub struct Metrics {
    enabled: bool,
    registry: Registry,
    requests: IntCounterVec,
    durations: HistogramVec,
    pool_max: IntGauge,
    pool_open: IntGauge,
    pool_idle: IntGauge,
    pool_in_use: IntGauge,
}

impl Metrics {
    /// Registers every metric of the instance serving with `pool`. `enabled: false`
    /// (`SUITS_METRICS=off`) leaves requests unobserved and `/metrics` answering 404.
    pub fn new(pool: &Pool, enabled: bool) -> Self {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "suits_http_requests_total",
                "Requests answered, by route template, method and status code.",
            ),
            &["route", "method", "status"],
        )
        .expect("valid metric");
        // By class, not code: a histogram is a series per bucket, and the latency of a
        // 401 apart from a 404's tells an operator nothing the count does not.
        let durations = HistogramVec::new(
            HistogramOpts::new(
                "suits_http_request_duration_seconds",
                "Time from the request's arrival to its response, by route template, method \
                 and status class (2xx, 4xx, ...).",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["route", "method", "status_class"],
        )
        .expect("valid metric");
        let gauge = |name: &str, help: &str| IntGauge::new(name, help).expect("valid metric");
        let metrics = Metrics {
            enabled,
            requests,
            durations,
            pool_max: gauge(
                "suits_db_pool_max_connections",
                "The most connections the pool opens (SUITS_DB_POOL_SIZE).",
            ),
            pool_open: gauge(
                "suits_db_pool_connections_open",
                "Connections open, idle or in use.",
            ),
            pool_idle: gauge(
                "suits_db_pool_connections_idle",
                "Open connections waiting in the pool.",
            ),
            pool_in_use: gauge(
                "suits_db_pool_connections_in_use",
                "Open connections taken by a request.",
            ),
            registry,
        };
        let build = IntGauge::with_opts(
            Opts::new(
                "suits_build_info",
                "Always 1; the version of the instance is in its label.",
            )
            .const_label("version", env!("CARGO_PKG_VERSION")),
        )
        .expect("valid metric");
        build.set(1);
        let collectors: Vec<Box<dyn prometheus::core::Collector>> = vec![
            Box::new(metrics.requests.clone()),
            Box::new(metrics.durations.clone()),
            Box::new(metrics.pool_max.clone()),
            Box::new(metrics.pool_open.clone()),
            Box::new(metrics.pool_idle.clone()),
            Box::new(metrics.pool_in_use.clone()),
            Box::new(build),
        ];
        for collector in collectors.into_iter().chain(pool.metrics().collectors()) {
            metrics
                .registry
                .register(collector)
                .expect("metric names are unique");
        }
        #[cfg(target_os = "linux")]
        metrics
            .registry
            .register(Box::new(
                prometheus::process_collector::ProcessCollector::for_self(),
            ))
            .expect("metric names are unique");
        metrics
    }

    /// The middleware that observes every request, with a route table made from the
    /// served OpenAPI document (one per worker, as `app` is built per worker).
    pub fn middleware(&self, spec: &Value) -> Middleware {
        Middleware {
            recorder: self.enabled.then(|| {
                Rc::new(Recorder::new(
                    spec,
                    self.requests.clone(),
                    self.durations.clone(),
                ))
            }),
        }
    }

    /// The exposition, or `None` when metrics are disabled.
    pub fn render(&self, pool: &Pool) -> Option<Result<String, prometheus::Error>> {
        if !self.enabled {
            return None;
        }
        let state = pool.state();
        self.pool_max.set(pool.max_size().into());
        self.pool_open.set(state.connections.into());
        self.pool_idle.set(state.idle_connections.into());
        self.pool_in_use.set(
            state
                .connections
                .saturating_sub(state.idle_connections)
                .into(),
        );
        let mut text = String::with_capacity(16 * 1024);
        Some(
            TextEncoder::new()
                .encode_utf8(&self.registry.gather(), &mut text)
                .map(|()| text),
        )
    }
}

/// Metrics
///
/// This instance's metrics in the Prometheus text format (version 0.0.4): requests and
/// their latency per operation (`route` is the path template, `unmatched` for unknown
/// paths and methods), the database pool, database errors by kind, and the process. Served
/// without authentication, like the probes: keep it from the public side of the balancer,
/// or turn it off with `SUITS_METRICS=off` (then 404). Takes no parameters: any query
/// parameter is a 400.
#[utoipa::path(
    tag = "operations",
    operation_id = "get_metrics",
    responses(
        (status = 200, description = "The metrics", content_type = "text/plain; version=0.0.4",
            body = String, example = json!(EXAMPLE)),
        (status = 404, description = "Metrics are turned off on this instance (`SUITS_METRICS=off`)",
            content_type = "application/problem+json", body = crate::error::Problem),
    ),
    extensions(("x-permission" = json!("public"))),
)]
#[get("/metrics")]
pub async fn serve(
    _: params::Query<NoParams>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    match state.metrics.render(&state.pool) {
        None => Err(ApiError::NotFound(
            "metrics are turned off on this instance (SUITS_METRICS=off)".into(),
        )),
        Some(Err(e)) => Err(ApiError::internal(format!("cannot render metrics: {e}"))),
        Some(Ok(text)) => Ok(HttpResponse::Ok()
            .content_type("text/plain; version=0.0.4; charset=utf-8")
            .body(text)),
    }
}

const EXAMPLE: &str = "\
# HELP suits_http_requests_total Requests answered, by route template, method and status code.
# TYPE suits_http_requests_total counter
suits_http_requests_total{method=\"GET\",route=\"/api/v1/clients/{id}\",status=\"200\"} 1027
suits_http_requests_total{method=\"GET\",route=\"/api/v1/clients/{id}\",status=\"404\"} 12
suits_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 3
# HELP suits_db_pool_connections_in_use Open connections taken by a request.
# TYPE suits_db_pool_connections_in_use gauge
suits_db_pool_connections_in_use 2
";

/// What the pool counts as it hands out connections, and `db::run` as work fails.
#[derive(Debug)]
pub struct DbMetrics {
    checkouts: IntCounter,
    waiting: IntGauge,
    waits: Histogram,
    timeouts: IntCounter,
    errors: IntCounterVec,
    /// `errors` by [`DbFailure`], in the order of [`DbFailure::ALL`].
    by_kind: [IntCounter; 3],
}

impl Default for DbMetrics {
    fn default() -> Self {
        Self::new()
    }
}

impl DbMetrics {
    pub fn new() -> Self {
        let errors = IntCounterVec::new(
            Opts::new(
                "suits_db_errors_total",
                "Requests failed by the database, by kind: unavailable (unreachable, or the \
                 connection lost; 503), timeout (no free connection in time, 503; or the \
                 database's own lock or statement timeout, 500), other (500).",
            ),
            &["kind"],
        )
        .expect("valid metric");
        DbMetrics {
            checkouts: IntCounter::new(
                "suits_db_pool_checkouts_total",
                "Connections asked of the pool.",
            )
            .expect("valid metric"),
            waiting: IntGauge::new(
                "suits_db_pool_waiting",
                "Checkouts waiting for a connection now.",
            )
            .expect("valid metric"),
            waits: Histogram::with_opts(
                HistogramOpts::new(
                    "suits_db_pool_wait_seconds",
                    "Checkouts that found no idle connection: how long each waited, until it \
                     got one or gave up.",
                )
                .buckets(WAIT_BUCKETS.to_vec()),
            )
            .expect("valid metric"),
            timeouts: IntCounter::new(
                "suits_db_pool_checkout_timeouts_total",
                "Checkouts that got no connection (503): none came free in time, or the \
                 database was unreachable.",
            )
            .expect("valid metric"),
            // Every kind is there from the start, at 0, so that a rate over it exists.
            by_kind: DbFailure::ALL.map(|kind| errors.with_label_values(&[kind.label()])),
            errors,
        }
    }

    fn collectors(&self) -> Vec<Box<dyn prometheus::core::Collector>> {
        vec![
            Box::new(self.checkouts.clone()),
            Box::new(self.waiting.clone()),
            Box::new(self.waits.clone()),
            Box::new(self.timeouts.clone()),
            Box::new(self.errors.clone()),
        ]
    }

    pub(crate) fn checkout(&self) {
        self.checkouts.inc();
    }

    /// A checkout begins to wait; [`Waiting::done`] says how it ended.
    pub(crate) fn waiting(&self) -> Waiting<'_> {
        self.waiting.inc();
        Waiting {
            metrics: self,
            since: Instant::now(),
        }
    }

    pub(crate) fn failed(&self, failure: DbFailure) {
        self.by_kind[failure as usize].inc();
    }
}

/// A checkout waiting for a connection.
pub(crate) struct Waiting<'a> {
    metrics: &'a DbMetrics,
    since: Instant,
}

impl Waiting<'_> {
    /// The wait is over: with a connection, or with `failure`.
    pub(crate) fn done(self, failure: Option<DbFailure>) {
        self.metrics
            .waits
            .observe(self.since.elapsed().as_secs_f64());
        if let Some(failure) = failure {
            self.metrics.timeouts.inc();
            self.metrics.failed(failure);
        }
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.metrics.waiting.dec();
    }
}

/// The request metrics middleware (`App::wrap`), outermost so that it times everything
/// the application does for a request and sees every answer, refusals included.
pub struct Middleware {
    /// `None` when metrics are turned off: requests pass through untouched.
    recorder: Option<Rc<Recorder>>,
}

impl<S, B> Transform<S, ServiceRequest> for Middleware
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Transform = Observed<S>;
    type InitError = ();
    type Future = Ready<Result<Observed<S>, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(Observed {
            service,
            recorder: self.recorder.clone(),
        }))
    }
}

pub struct Observed<S> {
    service: S,
    recorder: Option<Rc<Recorder>>,
}

impl<S, B> Service<ServiceRequest> for Observed<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Future = Timed<S::Future>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let pending = self.recorder.as_ref().map(|recorder| {
            let method = method_index(req.method());
            Pending {
                route: recorder.route(req.path(), method),
                method,
                recorder: recorder.clone(),
                started: Instant::now(),
            }
        });
        Timed {
            inner: self.service.call(req),
            pending,
        }
    }
}

/// A request on its way, to be recorded when its response is ready.
struct Pending {
    recorder: Rc<Recorder>,
    route: usize,
    method: usize,
    started: Instant,
}

pin_project_lite::pin_project! {
    /// The inner service's future, and the request's observation once it is ready.
    pub struct Timed<F> {
        #[pin]
        inner: F,
        pending: Option<Pending>,
    }
}

impl<F, B> Future for Timed<F>
where
    F: Future<Output = Result<ServiceResponse<B>, actix_web::Error>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let result = std::task::ready!(this.inner.poll(cx));
        if let Some(pending) = this.pending.take() {
            let status = match &result {
                Ok(response) => response.status(),
                Err(e) => e.as_response_error().status_code(),
            };
            pending.recorder.record(
                pending.route,
                pending.method,
                status,
                pending.started.elapsed(),
            );
        }
        Poll::Ready(result)
    }
}

/// A worker's route table: which operation a request is, and the handles of its series.
struct Recorder {
    requests: IntCounterVec,
    durations: HistogramVec,
    tree: Node,
    /// Index 0 is [`UNMATCHED`].
    routes: Vec<Route>,
}

struct Route {
    label: String,
    /// The [`METHODS`] the route serves, as bits: its operations', `HEAD` where it has a
    /// `GET` (`conditional`), and `OPTIONS` for CORS preflights.
    methods: u8,
    /// Per method and status, in the order of [`METHODS`] and [`STATUSES`]; each is
    /// made on first use, so only series that occurred are exposed.
    series: Box<[[OnceCell<Series>; STATUSES.len()]; METHODS.len()]>,
}

struct Series {
    requests: IntCounter,
    duration: Histogram,
}

impl Series {
    fn record(&self, elapsed: Duration) {
        self.requests.inc();
        self.duration.observe(elapsed.as_secs_f64());
    }
}

/// One path segment deep: literal children first, then a `{parameter}`.
#[derive(Default)]
struct Node {
    literals: Vec<(String, Node)>,
    parameter: Option<Box<Node>>,
    route: Option<usize>,
}

impl Node {
    fn insert<'a>(&mut self, mut segments: impl Iterator<Item = &'a str>, route: usize) {
        let Some(segment) = segments.next() else {
            self.route = Some(route);
            return;
        };
        let child = if segment.starts_with('{') {
            self.parameter.get_or_insert_with(Box::default)
        } else {
            match self.literals.iter().position(|(s, _)| s == segment) {
                Some(i) => &mut self.literals[i].1,
                None => {
                    self.literals.push((segment.to_owned(), Node::default()));
                    &mut self.literals.last_mut().expect("just pushed").1
                }
            }
        };
        child.insert(segments, route);
    }

    /// As actix routes: a parameter matches one non-empty segment.
    fn find<'a>(&self, mut segments: impl Iterator<Item = &'a str> + Clone) -> Option<usize> {
        let Some(segment) = segments.next() else {
            return self.route;
        };
        for (literal, child) in &self.literals {
            if literal == segment {
                if let Some(route) = child.find(segments.clone()) {
                    return Some(route);
                }
            }
        }
        match &self.parameter {
            Some(child) if !segment.is_empty() => child.find(segments),
            _ => None,
        }
    }
}

/// The docs UI: a redirect at `/docs`, its files under `/docs/`.
const DOCS: &str = "/docs/{file}";

impl Recorder {
    fn new(spec: &Value, requests: IntCounterVec, durations: HistogramVec) -> Self {
        let mut recorder = Recorder {
            requests,
            durations,
            tree: Node::default(),
            routes: Vec::new(),
        };
        recorder.add(UNMATCHED, u8::MAX);
        let get = 1 << method_index(&Method::GET);
        recorder.add(DOCS, get);
        recorder.add("/api/v1/openapi.json", get);
        for (path, item) in spec["paths"].as_object().into_iter().flatten() {
            let methods = item
                .as_object()
                .into_iter()
                .flat_map(|operations| operations.keys())
                .filter_map(|m| Method::from_bytes(m.to_ascii_uppercase().as_bytes()).ok())
                .fold(0u8, |bits, method| bits | 1 << method_index(&method));
            recorder.add(path, methods);
        }
        recorder
    }

    fn add(&mut self, template: &str, mut methods: u8) {
        if methods & (1 << method_index(&Method::GET)) != 0 {
            methods |= 1 << method_index(&Method::HEAD);
        }
        let index = self.routes.len();
        self.routes.push(Route {
            label: template.to_owned(),
            methods: methods | 1 << OPTIONS,
            series: Box::new(std::array::from_fn(|_| {
                std::array::from_fn(|_| OnceCell::new())
            })),
        });
        if template.starts_with('/') && template != DOCS {
            self.tree.insert(template.split('/'), index);
        }
    }

    /// The route of a request, by its path and method.
    fn route(&self, path: &str, method: usize) -> usize {
        let found = if path == "/docs" || path.starts_with("/docs/") {
            Some(1)
        } else {
            self.tree.find(path.split('/'))
        };
        match found {
            Some(route) if self.routes[route].methods & (1 << method) != 0 => route,
            _ => 0,
        }
    }

    fn record(&self, route: usize, method: usize, status: StatusCode, elapsed: Duration) {
        // Only the fallback answers 405: a method the path does not serve, which is
        // unmatched (an OPTIONS that is no preflight ends here).
        let route = match status {
            StatusCode::METHOD_NOT_ALLOWED => &self.routes[0],
            _ => &self.routes[route],
        };
        match STATUSES.iter().position(|s| *s == status.as_u16()) {
            Some(i) => route.series[method][i]
                .get_or_init(|| self.series(&route.label, method, status))
                .record(elapsed),
            None => self.series(&route.label, method, status).record(elapsed),
        }
    }

    fn series(&self, route: &str, method: usize, status: StatusCode) -> Series {
        let class = match status.as_u16() / 100 {
            1 => "1xx",
            2 => "2xx",
            3 => "3xx",
            4 => "4xx",
            _ => "5xx",
        };
        Series {
            requests: self
                .requests
                .with_label_values(&[route, METHODS[method], status.as_str()]),
            duration: self
                .durations
                .with_label_values(&[route, METHODS[method], class]),
        }
    }
}
