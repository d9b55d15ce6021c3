//! One integration-test binary (one link step) driving the real application.

mod helpers;

mod accounts;
mod audit;
mod auth;
mod clients;
mod cors;
mod errors;
mod health;
mod login_limits;
mod openapi;
mod permissions;
mod roles;
mod scope;
mod staff;
mod startup;
