use kaiten_kernel::event::EventKind;

pub const CREATED: EventKind = EventKind::new("INSTANCE_CREATED", "com.kaiten.instance.v1.created");
pub const UPDATED: EventKind = EventKind::new("INSTANCE_UPDATED", "com.kaiten.instance.v1.updated");
pub const DELETED: EventKind = EventKind::new("INSTANCE_DELETED", "com.kaiten.instance.v1.deleted");
pub const STATUS_CHANGED: EventKind =
    EventKind::new("INSTANCE_STATUS_CHANGED", "com.kaiten.instance.v1.status_changed");
pub const LIFECYCLE_STAGE_CHANGED: EventKind =
    EventKind::new("INSTANCE_LIFECYCLE_STAGE_CHANGED", "com.kaiten.instance.v1.lifecycle_stage_changed");

pub const USAGE_ACCEPTED: EventKind =
    EventKind::new("ENTITLEMENT_USAGE_REPORT_ACCEPTED", "com.kaiten.instance.entitlement.v1.usage_report_accepted");
pub const USAGE_REJECTED: EventKind =
    EventKind::new("ENTITLEMENT_USAGE_REPORT_REJECTED", "com.kaiten.instance.entitlement.v1.usage_report_rejected");
pub const USAGE_REACHED: EventKind =
    EventKind::new("INSTANCE_ENTITLEMENT_USAGE_REACHED", "com.kaiten.instance.entitlement.v1.usage_reached");
pub const CAP_EXCEEDED: EventKind =
    EventKind::new("INSTANCE_ENTITLEMENT_CAP_EXCEEDED", "com.kaiten.instance.entitlement.v1.cap_exceeded");
pub const WARNING_THRESHOLD_REACHED: EventKind = EventKind::new(
    "INSTANCE_ENTITLEMENT_USAGE_WARNING_THRESHOLD_REACHED",
    "com.kaiten.instance.entitlement.v1.usage_warning_threshold_reached",
);
pub const PERIOD_ROLLED_OVER: EventKind = EventKind::new(
    "INSTANCE_ENTITLEMENT_USAGE_PERIOD_ROLLED_OVER",
    "com.kaiten.instance.entitlement.v1.usage_period_rolled_over",
);
pub const VALUE_GET: EventKind =
    EventKind::new("ENTITLEMENT_VALUE_GET", "com.kaiten.instance.entitlement.v1.value_get");
pub const DEPLOYED: EventKind = EventKind::new("INSTANCE_DEPLOYED", "com.kaiten.instance.v1.deployed");
pub const MIGRATED: EventKind = EventKind::new("INSTANCE_MIGRATED", "com.kaiten.instance.v1.migrated");
