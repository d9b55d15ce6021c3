//! `/api/v1/staff` and `/api/v1/me`: the agency's people.

pub mod dto;
mod handlers;
mod import;
pub mod repo;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list)
        .service(handlers::create)
        .service(handlers::get_one)
        .service(handlers::update)
        .service(handlers::import_all);
}
