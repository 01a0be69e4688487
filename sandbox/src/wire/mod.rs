//! The wire: API errors in the REST and Connect formats, strict JSON request bodies, and the
//! Connect unary call.

pub mod body;
pub mod connect;
pub mod errors;
