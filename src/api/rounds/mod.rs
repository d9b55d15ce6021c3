//! Creative rounds: `/briefs/{id}/rounds` and `/creative-rounds/{id}`, the work made on a
//! brief in production, presented and approved round by round.

pub mod dto;
mod handlers;
pub mod repo;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list)
        .service(handlers::create)
        .service(handlers::get_one);
}
