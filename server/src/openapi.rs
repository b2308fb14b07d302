//! `/api/openapi.json`: the OpenAPI 3.1 document, generated from the handlers' annotations. A test
//! checks that it lists exactly the routes of `routes.rs`.

use std::sync::LazyLock;

use actix_web::HttpResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::handlers;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Scope Registry",
        description = "Governed OAuth scopes: domains, scopes, change requests with four-eyes review, and versioned catalogs.\n\nEvery `/api/v1` operation needs a JWT access token (RFC 9068) from the configured issuer whose `scope` grants the registry permission named in the operation's security requirement: `scope-registry:catalog:read`, `scope-registry:change-requests:write`, `scope-registry:reviews:write` or `scope-registry:domains:manage`. Errors are RFC 9457 problem documents.",
        license(name = "Apache-2.0")
    ),
    paths(
        handlers::health::healthz,
        handlers::health::readyz,
        handlers::health::metrics,
        document,
        handlers::me::me,
        handlers::policy::get,
        handlers::domains::list,
        handlers::domains::create,
        handlers::domains::get,
        handlers::domains::update,
        handlers::scopes::list,
        handlers::scopes::get,
        handlers::catalog::current,
        handlers::catalog::keys,
        handlers::catalog::watch,
        handlers::catalog::events,
        handlers::catalog::versions,
        handlers::catalog::version,
        handlers::catalog::diff_versions,
        handlers::change_requests::lint,
        handlers::change_requests::list,
        handlers::change_requests::create,
        handlers::change_requests::get,
        handlers::change_requests::edit,
        handlers::change_requests::submit,
        handlers::change_requests::withdraw,
        handlers::change_requests::publish,
        handlers::change_requests::review,
        handlers::change_requests::comment,
        handlers::audit::list,
        handlers::audit::verify,
    ),
    components(schemas(crate::error::Problem)),
    modifiers(&BearerScheme, &ProblemMediaType),
    tags(
        (name = "catalog", description = "The approved catalog and its versions"),
        (name = "domains", description = "Namespaces of scopes, their owners and reviewers"),
        (name = "change-requests", description = "Proposals, reviews and publication"),
        (name = "audit", description = "The hash-chained audit log"),
        (name = "identity", description = "The caller"),
        (name = "operations", description = "Health, readiness, metrics, this document"),
    )
)]
#[derive(Debug)]
pub struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An RFC 9068 JWT access token from the configured issuer",
                    ))
                    .build(),
            ),
        );
    }
}

/// Error responses are RFC 9457 problem documents, sent as `application/problem+json`: the
/// document says so too (the annotations' `body = Problem` alone gives `application/json`).
struct ProblemMediaType;

impl Modify for ProblemMediaType {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.head,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                for (status, response) in &mut operation.responses.responses {
                    let utoipa::openapi::RefOr::T(response) = response else {
                        continue;
                    };
                    if !(status.starts_with('4') || status.starts_with('5')) {
                        continue;
                    }
                    if let Some(content) = response.content.shift_remove("application/json") {
                        response
                            .content
                            .insert(crate::error::PROBLEM_JSON.to_owned(), content);
                    }
                }
            }
        }
    }
}

static DOCUMENT: LazyLock<String> =
    LazyLock::new(|| ApiDoc::openapi().to_pretty_json().unwrap_or_default());

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "operations",
    responses((status = 200, description = "OpenAPI 3.1", content_type = "application/json")))]
pub async fn document() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(DOCUMENT.as_str())
}
