//! The HTTP conventions every module reuses: validated bodies, pagination, problem
//! rendering, the OpenAPI document and the operation → scope table derived from it.

pub mod docs;
pub mod health;
pub mod middleware;
pub mod module_router;
pub mod openapi;
pub mod operations;
pub mod page_query;
pub mod path;
pub mod query;
pub mod schema_shapes;
pub mod schema_validation;
pub mod text_limits;
pub mod valid_json;

pub use page_query::PageQuery;
pub use valid_json::{JsonBody, RequestSchema, ValidJson};
