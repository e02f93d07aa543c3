//! The authentication layer of each surface and the `Caller` extractor.
//!
//! The scope an operation requires is read from the generated OpenAPI document (its
//! `security`), so the documented scope is the enforced one. An operation without a declared
//! scope fails closed.

use std::sync::Arc;

use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kaiten_kernel::{Error, Principal};

use super::Authenticator;
use crate::http::operations::{OperationScopes, Requirement};

/// What the layer of one surface reads: who the credential is, and which scope each of the
/// surface's operations needs (from that surface's own document).
#[derive(Clone)]
pub struct Gate {
    pub auth: Arc<Authenticator>,
    pub scopes: Arc<OperationScopes>,
}

#[derive(Clone, Copy)]
enum Surface {
    Core,
    Platform,
}

pub async fn core(State(gate): State<Gate>, request: Request, next: Next) -> Response {
    authenticate(Surface::Core, gate, request, next).await
}

pub async fn platform(State(gate): State<Gate>, request: Request, next: Next) -> Response {
    authenticate(Surface::Platform, gate, request, next).await
}

async fn authenticate(surface: Surface, gate: Gate, mut request: Request, next: Next) -> Response {
    let path = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_default();
    let scope = match gate.scopes.required(request.method(), &path) {
        Requirement::Scope(scope) => scope.to_owned(),
        Requirement::NoSuchMethod => return next.run(request).await,
        Requirement::Undeclared => {
            return Error::internal(std::io::Error::other(format!("{} {path} declares no scope", request.method())))
                .into_response();
        }
    };
    let header = request.headers().get(AUTHORIZATION).and_then(|v| v.to_str().ok());
    let principal = match surface {
        Surface::Core => gate.auth.core(header).await,
        Surface::Platform => gate.auth.platform(header).await,
    };
    let principal = match principal {
        Ok(principal) => principal,
        Err(err) => return err.into_response(),
    };
    if let Err(err) = principal.require(&scope) {
        // OFREP reads the body before the scope: an under-scoped caller with a bad body gets
        // the OFREP 400, as in the original. The handler checks the scope itself.
        if !OFREP_ROUTES.contains(&path.strip_prefix("/api").unwrap_or(&path)) {
            return err.into_response();
        }
        request.extensions_mut().insert(DeferredScope(scope));
    }
    request.extensions_mut().insert(principal);
    next.run(request).await
}

/// The only routes whose scope is checked by the handler, after it has read the body.
const OFREP_ROUTES: [&str; 2] = ["/ofrep/v1/evaluate/flags", "/ofrep/v1/evaluate/flags/{key}"];

/// A scope the caller lacks, left for an OFREP handler to refuse once the body is read.
#[derive(Clone)]
pub struct DeferredScope(pub String);

impl DeferredScope {
    /// Refuses the request when the layer deferred a missing scope.
    pub fn check(deferred: Option<&DeferredScope>, caller: &Principal) -> Result<(), Error> {
        deferred.map_or(Ok(()), |DeferredScope(scope)| caller.require(scope))
    }
}

/// The authenticated caller of this request.
pub struct Caller(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .map(Caller)
            .ok_or_else(|| Error::unauthorized("Auth.NoIdentity", "no identity found in context"))
    }
}
