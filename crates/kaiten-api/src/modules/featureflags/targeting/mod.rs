//! Rule authoring: the context tree, the lint and a dry run.

pub mod context;
pub mod lint;
pub mod schema;
pub mod test;
mod tree;
