//! One integration-test binary (one link step) driving the real application.

mod helpers;

mod accounts;
mod approvals;
mod audit;
mod auth;
mod briefs;
mod clients;
mod contracts;
mod conventions;
mod cors;
mod errors;
mod escalation;
mod health;
mod imports;
mod login_limits;
mod metrics;
mod openapi;
mod outage;
mod payments;
mod permissions;
mod rate_limits;
mod recipes;
mod roles;
mod scope;
mod service_accounts;
mod sessions;
mod shutdown;
mod staff;
mod startup;
mod workflow;
