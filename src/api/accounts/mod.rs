//! `/api/v1/accounts`: a client's brands or business lines, and the team on each.

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
        .service(handlers::delete)
        .service(handlers::team)
        .service(handlers::get_member)
        .service(handlers::assign)
        .service(handlers::unassign)
        .service(handlers::import_all);
}
