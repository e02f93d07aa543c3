//! The two published documents: the Core API (`bearerAuth`) and the Platform API
//! (`platformAuth`). Operations come from the handlers' annotations; this module adds what is
//! common to all of them (info, servers, security schemes, problem responses).

use kaiten_kernel::scope::organization_scopes;
use kaiten_kernel::{ErrorDetail, Problem};
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::extensions::ExtensionsBuilder;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::server::Server;
use utoipa::openapi::{ComponentsBuilder, ContactBuilder, InfoBuilder, OpenApi, OpenApiBuilder, Ref};
use utoipa::{PartialSchema, ToSchema};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    Core,
    Platform,
}

impl Surface {
    pub fn scheme(self) -> &'static str {
        match self {
            Self::Core => "bearerAuth",
            Self::Platform => "platformAuth",
        }
    }
}

pub fn base(surface: Surface) -> OpenApi {
    let (title, description) = match surface {
        Surface::Core => ("Kaiten API", "A RESTFul API for managing Kaiten features."),
        Surface::Platform => (
            "Kaiten Platform API",
            "Platform-wide operations, authenticated by a Kaiten platform token (`ksm_...`) that identifies \
             `system:kaiten` and carries no organization execution context.",
        ),
    };
    let info = InfoBuilder::new()
        .title(title)
        .version("1.0.0")
        .description(Some(description))
        .contact(Some(ContactBuilder::new().name(Some("Kaiten Team")).email(Some("support@kaiten.sh")).build()))
        .build();
    let scheme = match surface {
        Surface::Core => HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("JWT")
            .description(Some(
                "A JWT from the configured issuer, or a Kaiten access token (`ksh_...`), as \
                 `Authorization: Bearer <token>`. `write:<module>` implies `read:<module>`; `read:*` and \
                 `write:*` are wildcards. `x-kaiten-scopes` lists every scope such a token can carry.",
            ))
            .build(),
        Surface::Platform => HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("Platform token")
            .description(Some(
                "A Kaiten platform token (`ksm_...`), which authenticates the platform identity `system:kaiten`.",
            ))
            .build(),
    };
    let mut scheme = scheme;
    if surface == Surface::Core {
        scheme.extensions = Some(ExtensionsBuilder::new().add("x-kaiten-scopes", organization_scopes()).build());
    }
    let components = ComponentsBuilder::new()
        .security_scheme(surface.scheme(), SecurityScheme::Http(scheme))
        .schema(Problem::name(), Problem::schema())
        .schema(ErrorDetail::name(), ErrorDetail::schema())
        .build();
    OpenApiBuilder::new()
        .info(info)
        .servers(Some(vec![Server::new("/api")]))
        .components(Some(components))
        .security(Some(vec![SecurityRequirement::new::<_, _, &str>(surface.scheme(), [])]))
        .build()
}

/// Statuses every authenticated operation can answer, besides the ones it declares itself.
const COMMON_ERRORS: [u16; 4] = [401, 403, 422, 500];

/// Gives every error response a problem+json body and every authenticated operation the
/// common error statuses.
pub fn finish(doc: &mut OpenApi) {
    for item in doc.paths.paths.values_mut() {
        for operation in operations(item) {
            let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
            // OFREP declares its own error responses (some bodiless); they are not problems.
            if operation.tags.as_ref().is_some_and(|tags| tags.iter().any(|t| t == "OFREP Core")) {
                continue;
            }
            let responses = &mut operation.responses.responses;
            if secured {
                for status in COMMON_ERRORS {
                    responses.entry(status.to_string()).or_insert_with(|| problem_response(status).into());
                }
            }
            for (status, response) in responses.iter_mut() {
                let is_error = status.starts_with('4') || status.starts_with('5');
                if let (true, utoipa::openapi::RefOr::T(response)) = (is_error, response)
                    && response.content.is_empty()
                {
                    *response = problem_response(status.parse().unwrap_or(500));
                }
            }
        }
    }
}

fn operations(
    item: &mut utoipa::openapi::path::PathItem,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    [
        item.get.as_mut(),
        item.put.as_mut(),
        item.post.as_mut(),
        item.delete.as_mut(),
        item.patch.as_mut(),
        item.head.as_mut(),
        item.options.as_mut(),
        item.trace.as_mut(),
    ]
    .into_iter()
    .flatten()
}

fn problem_response(status: u16) -> utoipa::openapi::Response {
    let reason = axum::http::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("Error");
    ResponseBuilder::new()
        .description(reason)
        .content(
            kaiten_kernel::error::PROBLEM_JSON,
            ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build(),
        )
        .build()
}
