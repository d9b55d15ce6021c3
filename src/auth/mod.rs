//! Authentication (bearer JWTs, argon2 passwords) and authorization (permission extractors).

pub mod current_user;
pub mod gate;
pub mod grants;
pub mod jwt;
pub mod login_limits;
pub mod password;
pub mod permissions;
pub mod refresh;

pub use current_user::{Access, Authenticated, Authorized, Caller, Visibility};
pub use permissions::{perm, Grant, Permission, Scope};
