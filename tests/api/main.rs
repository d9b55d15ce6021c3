//! One integration-test binary (one link step) driving the real application.

mod helpers;

mod accounts;
mod audit;
mod auth;
mod clients;
mod conventions;
mod cors;
mod errors;
mod escalation;
mod health;
mod login_limits;
mod openapi;
mod outage;
mod permissions;
mod recipes;
mod roles;
mod scope;
mod shutdown;
mod staff;
mod startup;
