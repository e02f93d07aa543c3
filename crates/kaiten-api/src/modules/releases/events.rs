use kaiten_kernel::event::EventKind;

pub const CREATED: EventKind = EventKind::new("RELEASE_CREATED", "com.kaiten.release.v1.created");
pub const DELETED: EventKind = EventKind::new("RELEASE_DELETED", "com.kaiten.release.v1.deleted");
