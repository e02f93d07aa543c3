use kaiten_kernel::event::EventKind;

pub const CREATED: EventKind = EventKind::new("CUSTOMER_CREATED", "com.kaiten.customer.v1.created");
pub const UPDATED: EventKind = EventKind::new("CUSTOMER_UPDATED", "com.kaiten.customer.v1.updated");
pub const DELETED: EventKind = EventKind::new("CUSTOMER_DELETED", "com.kaiten.customer.v1.deleted");
