//! `/api/v1/payments`: money to and from the client on each account, approved before it
//! is paid, and each account's budget against them (`GET /accounts/{id}/budget`).

pub mod budget;
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
        .service(workflow_handlers::mark_paid)
        .service(workflow_handlers::cancel)
        .service(budget::get_budget);
}
