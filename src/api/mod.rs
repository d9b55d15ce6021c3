//! The route table: one line per resource. Registering through utoipa-actix-web's
//! `service` is what puts an operation in the OpenAPI document as well.

pub mod accounts;
pub mod approval_policies;
pub mod approvals;
pub mod audit_events;
pub mod auth;
pub mod briefs;
pub mod clients;
pub mod contracts;
pub mod health;
pub mod me;
pub mod payments;
pub mod roles;
pub mod rounds;
pub mod service_accounts;
pub mod staff;

use actix_web::http::Method;
use actix_web::{web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::ApiError;

pub const BASE: &str = "/api/v1";

/// Everything under [`BASE`].
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(auth::token)
        .service(auth::refresh)
        .service(auth::logout)
        .service(me::me)
        .configure(staff::routes)
        .configure(service_accounts::routes)
        .configure(roles::routes)
        .configure(clients::routes)
        .configure(accounts::routes)
        .configure(briefs::routes)
        .configure(rounds::routes)
        .configure(approvals::routes)
        .configure(approval_policies::routes)
        .configure(payments::routes)
        .configure(contracts::routes)
        .configure(audit_events::routes);
}

/// Operational endpoints at the root.
pub fn root_routes(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz).service(health::readyz);
}

/// Every path the service answers and its methods, taken from the OpenAPI document, so
/// that a request for a known path with another method gets 405 instead of 404. Every
/// path with a `GET` answers `HEAD` too (`conditional`), though the document lists only
/// the `GET`.
pub struct RouteTable(Vec<(Vec<String>, Vec<Method>)>);

impl RouteTable {
    pub fn from_spec(spec: &serde_json::Value) -> Self {
        let mut routes = vec![(
            segments("/api/v1/openapi.json"),
            with_head(vec![Method::GET]),
        )];
        if let Some(paths) = spec["paths"].as_object() {
            for (path, item) in paths {
                let methods = item
                    .as_object()
                    .into_iter()
                    .flat_map(|ops| ops.keys())
                    .filter_map(|m| Method::from_bytes(m.to_ascii_uppercase().as_bytes()).ok())
                    .collect();
                routes.push((segments(path), with_head(methods)));
            }
        }
        RouteTable(routes)
    }

    fn allowed(&self, path: &str) -> Option<Vec<Method>> {
        let wanted = segments(path);
        self.0
            .iter()
            .find(|(pattern, _)| {
                pattern.len() == wanted.len()
                    && pattern
                        .iter()
                        .zip(&wanted)
                        .all(|(p, w)| p == w || (p.starts_with('{') && !w.is_empty()))
            })
            .map(|(_, methods)| methods.clone())
    }
}

fn with_head(mut methods: Vec<Method>) -> Vec<Method> {
    if methods.contains(&Method::GET) && !methods.contains(&Method::HEAD) {
        methods.push(Method::HEAD);
    }
    methods
}

fn segments(path: &str) -> Vec<String> {
    path.trim_end_matches('/')
        .split('/')
        .map(str::to_owned)
        .collect()
}

/// The default service: 405 with `Allow` for a known path, 404 for anything else.
pub async fn fallback(
    req: HttpRequest,
    routes: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    Err(match routes.allowed(req.path()) {
        Some(allow) if !allow.contains(req.method()) => ApiError::MethodNotAllowed {
            method: req.method().clone(),
            allow,
        },
        _ => ApiError::NotFound(format!("no such route: {} {}", req.method(), req.path())),
    })
}
