//! `/api/v1/service-accounts`: the identities integrations act as. A service account is a
//! staff row of kind `service` with client credentials beside it, so roles, scope, team
//! membership, deactivation and the audit trail hold for it as for a person.

pub mod dto;
mod handlers;
pub mod repo;
mod service;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list)
        .service(handlers::create)
        .service(handlers::get_one)
        .service(handlers::update)
        .service(handlers::rotate_secret);
}
