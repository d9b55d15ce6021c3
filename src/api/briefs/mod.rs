//! `/api/v1/briefs`: the creative briefs written on each account, their lifecycle and
//! their submitted versions.

pub mod dto;
mod handlers;
pub mod repo;
pub mod service;
pub mod versions;
pub mod workflow;
mod workflow_handlers;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list)
        .service(handlers::create)
        .service(handlers::get_one)
        .service(handlers::update)
        .service(handlers::delete)
        .service(workflow_handlers::submit)
        .service(workflow_handlers::start_production)
        .service(workflow_handlers::deliver)
        .service(workflow_handlers::cancel)
        .service(workflow_handlers::list_versions)
        .service(workflow_handlers::get_version);
}
