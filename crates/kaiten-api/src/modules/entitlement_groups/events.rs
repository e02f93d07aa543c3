use kaiten_kernel::event::EventKind;

pub const CREATED: EventKind = EventKind::new("ENTITLEMENT_GROUP_CREATED", "com.kaiten.entitlement_group.v1.created");
pub const UPDATED: EventKind = EventKind::new("ENTITLEMENT_GROUP_UPDATED", "com.kaiten.entitlement_group.v1.updated");
pub const DELETED: EventKind = EventKind::new("ENTITLEMENT_GROUP_DELETED", "com.kaiten.entitlement_group.v1.deleted");
