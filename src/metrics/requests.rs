//! Requests counted and timed per operation, by the outermost middleware and each
//! worker's route table.

use std::cell::OnceCell;
use std::future::{ready, Future, Ready};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::{Method, StatusCode};
use prometheus::{Histogram, HistogramVec, IntCounter, IntCounterVec};
use serde_json::Value;

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

/// The request metrics middleware (`App::wrap`), outermost so that it times everything
/// the application does for a request and sees every answer, refusals included.
pub struct Middleware {
    /// `None` when metrics are turned off: requests pass through untouched.
    pub(super) recorder: Option<Rc<Recorder>>,
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
pub(super) struct Recorder {
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
    pub(super) fn new(spec: &Value, requests: IntCounterVec, durations: HistogramVec) -> Self {
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
