//! Outgoing webhooks: an organization's endpoints, their signing secrets, and the history of
//! what was delivered to them. Delivery itself runs in `kaiten_events::webhooks`.
//!
//! | method | path                                                                  | file          |
//! | ------ | --------------------------------------------------------------------- | ------------- |
//! | GET    | /api/webhooks/endpoints                                               | list.rs       |
//! | POST   | /api/webhooks/endpoints                                               | create.rs     |
//! | GET    | /api/webhooks/endpoints/{endpointId}                                  | get.rs        |
//! | PUT    | /api/webhooks/endpoints/{endpointId}                                  | update.rs     |
//! | DELETE | /api/webhooks/endpoints/{endpointId}                                  | delete.rs     |
//! | GET    | /api/webhooks/endpoints/{endpointId}/deliveries                       | deliveries.rs |
//! | GET    | /api/webhooks/endpoints/{endpointId}/deliveries/{deliveryId}/attempts | deliveries.rs |
//! | POST   | /api/webhooks/endpoints/{endpointId}/deliveries/{deliveryId}/resend   | resend.rs     |
//! | POST   | /api/webhooks/endpoints/{endpointId}/recover                          | resend.rs     |
//! | GET    | /api/webhooks/endpoints/{endpointId}/secret                           | secret.rs     |
//! | POST   | /api/webhooks/endpoints/{endpointId}/secret/rotate                    | secret.rs     |

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

use settings::WebhookSettings;

crate::module_router!(
    needs[WebhookSettings],
    OpenApiRouter::new()
        .routes(routes!(list::endpoint, create::endpoint))
        .routes(routes!(get::endpoint, update::endpoint, delete::endpoint))
        .routes(routes!(secret::get))
        .routes(routes!(secret::rotate))
        .routes(routes!(deliveries::list))
        .routes(routes!(deliveries::attempts))
        .routes(routes!(resend::one))
        .routes(routes!(resend::recover))
);
