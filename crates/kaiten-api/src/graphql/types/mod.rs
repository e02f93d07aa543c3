//! The object types of the reference schema, as views over the REST resources (one
//! assembly of each resource, whichever API reads it).

pub mod customer;
pub mod entitlement;
pub mod enums;
pub mod instance;
pub mod license;
pub mod page;
pub mod usage;
pub mod user;
pub mod zone;
