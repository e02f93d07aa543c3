//! The shared kernel: what every business module reuses and none of them owns.
//! No business rules live here.

pub mod error;
pub mod event;
pub mod external_id;
pub mod go_duration;
pub mod page;
pub mod principal;
pub mod row_lock;
pub mod scope;
pub mod scoped;
pub mod sealed;
pub mod secret;
pub mod slug;
pub mod uow;

pub use error::{Error, ErrorDetail, OnConstraint, Problem, Result};
pub use event::Event;
pub use page::{Cursor, Page, PageRequest};
pub use principal::{Principal, PrincipalKind};
pub use row_lock::RowLock;
pub use uow::Uow;
