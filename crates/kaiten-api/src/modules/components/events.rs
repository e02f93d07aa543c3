use kaiten_kernel::event::EventKind;

pub const CREATED: EventKind = EventKind::new("COMPONENT_CREATED", "com.kaiten.component.v1.created");
pub const UPDATED: EventKind = EventKind::new("COMPONENT_UPDATED", "com.kaiten.component.v1.updated");
pub const DELETED: EventKind = EventKind::new("COMPONENT_DELETED", "com.kaiten.component.v1.deleted");
