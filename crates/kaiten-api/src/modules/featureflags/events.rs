use kaiten_kernel::event::EventKind;

pub const CREATED: EventKind = EventKind::new("FEATURE_FLAG_CREATED", "com.kaiten.feature_flag.v1.created");
pub const UPDATED: EventKind = EventKind::new("FEATURE_FLAG_UPDATED", "com.kaiten.feature_flag.v1.updated");
pub const DELETED: EventKind = EventKind::new("FEATURE_FLAG_DELETED", "com.kaiten.feature_flag.v1.deleted");
pub const EVALUATED: EventKind = EventKind::new("FEATURE_FLAG_EVALUATED", "com.kaiten.feature_flag.v1.evaluated");
