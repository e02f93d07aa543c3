//! OpenFeature Remote Evaluation Protocol: single and bulk evaluation over the compiled flag
//! cache, with facts loaded only when a rule may read them.

mod body;
pub mod bulk;
mod etag;
mod respond;
pub mod schema;
pub mod single;
