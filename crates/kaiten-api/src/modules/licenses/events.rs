use kaiten_kernel::event::EventKind;

pub const CREATED: EventKind = EventKind::new("LICENSE_CREATED", "com.kaiten.license.v1.created");
pub const UPDATED: EventKind = EventKind::new("LICENSE_UPDATED", "com.kaiten.license.v1.updated");
pub const DELETED: EventKind = EventKind::new("LICENSE_DELETED", "com.kaiten.license.v1.deleted");
pub const PUBLISHED: EventKind = EventKind::new("LICENSE_PUBLISHED", "com.kaiten.license.v1.published");
pub const ARCHIVED: EventKind = EventKind::new("LICENSE_ARCHIVED", "com.kaiten.license.v1.archived");
pub const UNARCHIVED: EventKind = EventKind::new("LICENSE_UNARCHIVED", "com.kaiten.license.v1.unarchived");

pub const FAMILY_CREATED: EventKind = EventKind::new("LICENSE_FAMILY_CREATED", "com.kaiten.license_family.v1.created");
pub const FAMILY_UPDATED: EventKind = EventKind::new("LICENSE_FAMILY_UPDATED", "com.kaiten.license_family.v1.updated");
pub const FAMILY_DELETED: EventKind = EventKind::new("LICENSE_FAMILY_DELETED", "com.kaiten.license_family.v1.deleted");

pub const GRANT_ASSIGNED: EventKind =
    EventKind::new("LICENSE_ENTITLEMENT_ASSIGNED", "com.kaiten.license.entitlement.v1.assigned");
pub const GRANT_UPDATED: EventKind =
    EventKind::new("LICENSE_ENTITLEMENT_UPDATED", "com.kaiten.license.entitlement.v1.updated");
pub const GRANT_UNASSIGNED: EventKind =
    EventKind::new("LICENSE_ENTITLEMENT_UNASSIGNED", "com.kaiten.license.entitlement.v1.unassigned");
