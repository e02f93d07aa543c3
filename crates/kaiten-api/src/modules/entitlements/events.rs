use kaiten_kernel::event::EventKind;

pub const CREATED: EventKind = EventKind::new("ENTITLEMENT_CREATED", "com.kaiten.entitlement.v1.created");
pub const UPDATED: EventKind = EventKind::new("ENTITLEMENT_UPDATED", "com.kaiten.entitlement.v1.updated");
pub const DELETED: EventKind = EventKind::new("ENTITLEMENT_DELETED", "com.kaiten.entitlement.v1.deleted");
