//! The object types of the reference schema, as views over the REST resources (one
//! assembly of each resource, whichever API reads it).

/// What a list field without a `limit` is charged per row it may return, in the complexity
/// limit: the lists of a parent (its instances, grants, groups) are short, but not free.
pub const LIST_FAN_OUT: usize = 10;

pub mod audit;
pub mod component;
pub mod customer;
pub mod entitlement;
pub mod enums;
pub mod family;
pub mod instance;
pub mod license;
pub mod page;
pub mod release;
pub mod usage;
pub mod user;
pub mod zone;
