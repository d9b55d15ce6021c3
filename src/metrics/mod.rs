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

use std::rc::Rc;

use actix_web::{get, web, HttpResponse};
use prometheus::{
    HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};
use serde_json::Value;

use crate::api::health::NoParams;
use crate::db::Pool;
use crate::error::ApiError;
use crate::rest::params;
use crate::AppState;

mod pool;
mod requests;

pub use pool::DbMetrics;
use requests::Recorder;
pub use requests::{Middleware, Observed};

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
