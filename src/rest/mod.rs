//! The HTTP conventions every resource shares (DESIGN §4), one module each: request
//! bodies, query and path parameters, text checks, single records and lists.

pub mod body;
pub mod list;
pub mod params;
pub mod record;
pub mod text;
