//! Integrations: the links of customers and instances to records in third-party systems (a
//! CRM, a billing tool), one per adapter. A link is read and changed through its owner's slug,
//! and an owner is resolved — or created, or partially updated — through the external id of
//! its link (`/integration/{adapter}/…`, where the adapter is named without its
//! `kaiten.integration.` prefix). The links' storage is `modules/integrations.rs`, shared with
//! the owners' own create and read paths (it stays outside this folder: this module builds on
//! the customers and instances modules, which use that storage).
//!
//! | method | path                                                     | file                          |
//! | ------ | -------------------------------------------------------- | ----------------------------- |
//! | GET    | /api/customers/{customerSlug}/integrations/{integrationName} | customer.rs                |
//! | POST   | /api/customers/{customerSlug}/integrations/{integrationName} | customer.rs                |
//! | PUT    | /api/customers/{customerSlug}/integrations/{integrationName} | customer.rs                |
//! | DELETE | /api/customers/{customerSlug}/integrations/{integrationName} | customer.rs                |
//! | GET    | /api/instances/{instanceSlug}/integrations/{integrationName} | instance.rs                |
//! | POST   | /api/instances/{instanceSlug}/integrations/{integrationName} | instance.rs                |
//! | PUT    | /api/instances/{instanceSlug}/integrations/{integrationName} | instance.rs                |
//! | DELETE | /api/instances/{instanceSlug}/integrations/{integrationName} | instance.rs                |
//! | GET    | /api/integration/{adapter}/customer/{externalId}         | customer_by_external_id.rs    |
//! | PATCH  | /api/integration/{adapter}/customer/{externalId}         | customer_by_external_id.rs    |
//! | GET    | /api/integration/{adapter}/instance/{externalId}         | instance_by_external_id.rs    |
//! | PATCH  | /api/integration/{adapter}/instance/{externalId}         | instance_by_external_id.rs    |

mod customer;
mod customer_by_external_id;
mod external;
mod instance;
mod instance_by_external_id;
mod links;
pub mod schema;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

crate::module_router!(
    needs [],
    OpenApiRouter::new()
        .routes(routes!(customer::get, customer::create, customer::update, customer::delete))
        .routes(routes!(instance::get, instance::create, instance::update, instance::delete))
        .routes(routes!(customer_by_external_id::get, customer_by_external_id::upsert))
        .routes(routes!(instance_by_external_id::get, instance_by_external_id::upsert))
);
