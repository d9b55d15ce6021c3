//! `/api/v1/approval-policies`: the default stages of each subject type's approvals,
//! data like roles (the shared `approval::policy` keeps them).

mod handlers;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list)
        .service(handlers::get_one)
        .service(handlers::replace);
}
