//! License families read as products: the version each one serves, and its history.

pub mod get;
pub mod list;
pub mod repository;
