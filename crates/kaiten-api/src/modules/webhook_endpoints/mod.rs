//! Outgoing webhooks: an organization's endpoints, their signing secrets, and the history of
//! what was delivered to them. Delivery itself runs in `kaiten_events::webhooks`.

mod create;
mod delete;
mod deliveries;
mod get;
mod list;
mod repository;
mod resend;
pub mod schema;
mod secret;
pub mod settings;
mod update;
mod validate;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list::endpoint, create::endpoint))
        .routes(routes!(get::endpoint, update::endpoint, delete::endpoint))
        .routes(routes!(secret::get))
        .routes(routes!(secret::rotate))
        .routes(routes!(deliveries::list))
        .routes(routes!(deliveries::attempts))
        .routes(routes!(resend::one))
        .routes(routes!(resend::recover))
}
