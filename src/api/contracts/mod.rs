//! `/api/v1/contracts`: contracts with the clients, their approval, renewal and
//! termination, the renewal pipeline, and their bulk import (`POST /imports/contracts`).

mod bodies;
pub mod dto;
mod handlers;
mod import;
pub mod repo;
pub mod service;
pub mod subject;
pub mod workflow;
mod workflow_handlers;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list)
        .service(handlers::create)
        .service(handlers::import_all)
        .service(handlers::get_one)
        .service(handlers::update)
        .service(handlers::delete)
        .service(workflow_handlers::submit)
        .service(workflow_handlers::renew)
        .service(workflow_handlers::terminate);
}
