//! Suits: the REST/JSON back-end of an advertising agency's account services department.
//!
//! A request flows router → extractors (auth + permission, validated body) → handler →
//! service (one transaction: checks, write, audit event) → repo (diesel) → response.
//! See `docs/ARCHITECTURE.md`.

pub mod api;
pub mod approval;
pub mod audit;
pub mod auth;
pub mod bootstrap;
pub mod conditional;
pub mod config;
pub mod cors;
pub mod db;
pub mod error;
pub mod idempotency;
pub mod import;
pub mod lifecycle;
pub mod metrics;
pub mod money;
pub mod openapi;
pub mod random;
pub mod rate_limit;
pub mod request_id;
pub mod resource;
pub mod rest;
pub mod scope;
pub mod time;
pub mod versioned;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{web, App, HttpResponse};
use utoipa::OpenApi;
use utoipa_actix_web::{AppExt, UtoipaApp};
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::jwt::TokenKeys;
use crate::auth::login_limits::LoginLimits;

/// What every request can reach. Nothing here is per-user or per-session: any number of
/// instances can serve the same database. (Login limits are counted per instance.)
pub struct AppState {
    pub pool: db::Pool,
    pub tokens: TokenKeys,
    /// Origins allowed by CORS, validated by the configuration.
    pub cors_origins: Vec<String>,
    pub login_limits: LoginLimits,
    /// How long an `Idempotency-Key` is remembered.
    pub idempotency_ttl: std::time::Duration,
    /// The largest import body.
    pub import_max_bytes: usize,
    /// How long a refresh token lives unused.
    pub refresh_ttl: std::time::Duration,
    /// Requests per caller (counted per instance).
    pub rate_limits: rate_limit::RateLimits,
    /// This instance's metrics registry, served at `/metrics`.
    pub metrics: metrics::Metrics,
    /// Draining before a stop (`lifecycle`): `/readyz` says 503, connections close.
    pub lifecycle: lifecycle::Lifecycle,
}

impl AppState {
    pub fn new(pool: db::Pool, config: &config::Config) -> Self {
        AppState {
            metrics: metrics::Metrics::new(&pool, config.metrics),
            pool,
            tokens: TokenKeys::new(&config.jwt_secret, config.token_ttl),
            cors_origins: config.cors_origins.clone(),
            login_limits: LoginLimits::new(&config.login_limits),
            idempotency_ttl: config.idempotency_ttl,
            import_max_bytes: config.import_max_bytes,
            refresh_ttl: config.refresh_ttl,
            rate_limits: rate_limit::RateLimits::new(config.rate_limit),
            lifecycle: lifecycle::Lifecycle::default(),
        }
    }
}

/// The served OpenAPI document, rendered once per worker.
struct SpecJson(String);

fn register<T>(app: UtoipaApp<T>) -> UtoipaApp<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    app.openapi(openapi::ApiDoc::openapi())
        // Registered before the /api/v1 scope, which would otherwise claim the path, and
        // with a plain `route` so that the document does not list itself.
        .map(|app| app.route("/api/v1/openapi.json", web::get().to(serve_spec)))
        .service(utoipa_actix_web::scope(api::BASE).configure(api::routes))
        .configure(api::root_routes)
        .service(metrics::serve)
}

async fn serve_spec(spec: web::Data<SpecJson>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(spec.0.clone())
}

/// The OpenAPI document as generated from the registered routes, before completion.
pub fn route_spec() -> utoipa::openapi::OpenApi {
    register(App::new().into_utoipa_app()).split_for_parts().1
}

/// The whole application, for `HttpServer` and for tests.
pub fn app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let (app, spec) = register(App::new().into_utoipa_app()).split_for_parts();
    let doc = openapi::finalize(spec);
    let routes = api::RouteTable::from_spec(&doc);
    let paramless = rest::params::Paramless::from_spec(&doc);
    let spec_json = SpecJson(openapi::to_pretty(&doc));
    let cors = cors::middleware(&state.cors_origins);
    let observe = state.metrics.middleware(&doc);
    app.app_data(state)
        .app_data(web::Data::new(routes))
        .app_data(web::Data::new(paramless))
        .app_data(web::Data::new(spec_json))
        .service(web::redirect("/docs", "/docs/"))
        .service(
            SwaggerUi::new("/docs/{_:.*}").config(
                utoipa_swagger_ui::Config::new(["/api/v1/openapi.json"])
                    .validator_url("none")
                    .try_it_out_enabled(true)
                    .persist_authorization(true),
            ),
        )
        .default_service(web::to(api::fallback))
        // Innermost, around the routes: a HEAD is routed as its GET, and a 304 is made from
        // the handler's own answer, which CORS and the request id (outside) then decorate.
        .wrap_fn(conditional::middleware)
        // Outside the routes, inside CORS and the request id: a replayed answer is
        // decorated like a fresh one, and problems carry the request's id.
        .wrap(actix_web::middleware::from_fn(idempotency::middleware))
        .wrap(actix_web::middleware::from_fn(rate_limit::headers))
        // Outside the routes (a preflight never reaches the 405 fallback) and inside the
        // request id (preflights and refusals carry one too). The CORS middleware also
        // decorates every error response, so a page can read the problem.
        .wrap(cors)
        .wrap_fn(cors::problem_for_refused_preflight)
        .wrap_fn(request_id::middleware)
        .wrap_fn(lifecycle::close_while_draining)
        // Outermost: times all the application does for a request, and sees every answer.
        .wrap(observe)
}
