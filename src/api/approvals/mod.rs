//! `/api/v1/approvals`: sign-offs on briefs, creative rounds (and contracts and payments),
//! stage by stage, and each caller's queue at `/me/approvals`. Opening and closing are
//! the shared `approval` layer's, so that a brief's `/submit` opens one in its own
//! transaction.

pub mod dto;
mod handlers;
pub mod repo;
pub mod service;
mod subjects;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list)
        .service(handlers::create)
        .service(handlers::get_one)
        .service(handlers::decide)
        .service(handlers::record_client_decision)
        .service(handlers::cancel)
        .service(handlers::queue);
}
