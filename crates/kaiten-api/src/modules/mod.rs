//! The business modules, one folder each, one file per use case.

pub mod customers;
pub mod identity;
pub mod platform;
pub mod user_ref;
