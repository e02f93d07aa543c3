//! Queries the entitlement-group use cases share.

use kaiten_kernel::{Cursor, Error, PageRequest, RowLock};
use sqlx::PgConnection;
use uuid::Uuid;

use super::schema::EntitlementGroup;

pub fn cursor(group: &EntitlementGroup) -> Cursor {
    Cursor { created_at: group.created_at, id: group.id }
}

pub async fn find(
    conn: &mut PgConnection,
    organization_id: Uuid,
    slug: &str,
    code: &'static str,
    lock: RowLock,
) -> Result<EntitlementGroup, Error> {
    let select = "SELECT id, name, slug, description, created_at FROM entitlement_group";
    kaiten_kernel::scoped::find(conn, select, "entitlement_group", "slug", organization_id, slug, lock)
        .await?
        .ok_or_else(|| Error::not_found(code, format!("entitlement group {slug} not found")))
}

pub async fn page(
    conn: &mut PgConnection,
    organization_id: Uuid,
    page: &PageRequest,
) -> Result<Vec<EntitlementGroup>, Error> {
    Ok(page
        .fetch_of_organization(
            conn,
            "SELECT id, name, slug, description, created_at FROM entitlement_group",
            "",
            organization_id,
        )
        .await?)
}
