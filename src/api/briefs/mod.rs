//! `/api/v1/briefs`: the creative briefs written on each account, and their lifecycle.

pub mod dto;
mod handlers;
pub mod repo;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list)
        .service(handlers::create)
        .service(handlers::get_one)
        .service(handlers::update)
        .service(handlers::delete)
        .service(handlers::cancel);
}
