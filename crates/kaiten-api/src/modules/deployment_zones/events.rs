use kaiten_kernel::event::EventKind;

pub const CREATED: EventKind = EventKind::new("DEPLOYMENT_ZONE_CREATED", "com.kaiten.deployment_zone.v1.created");
pub const UPDATED: EventKind = EventKind::new("DEPLOYMENT_ZONE_UPDATED", "com.kaiten.deployment_zone.v1.updated");
pub const DELETED: EventKind = EventKind::new("DEPLOYMENT_ZONE_DELETED", "com.kaiten.deployment_zone.v1.deleted");
pub const RELEASE_DEPLOYED: EventKind =
    EventKind::new("RELEASE_DEPLOYED", "com.kaiten.deployment_zone.v1.release_deployed");
