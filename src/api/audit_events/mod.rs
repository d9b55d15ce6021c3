//! `/api/v1/audit-events`: the record of every change, also the change feed integrations poll.

pub mod dto;
mod handlers;
pub mod repo;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list);
}
