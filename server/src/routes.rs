//! The one place URLs are wired. Every route is listed once in `routes!`; the same list answers
//! 405 with `Allow` for a known path with another method, and a test checks it against the
//! OpenAPI document.

use actix_web::http::Method;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::ApiError;
use crate::handlers::{
    audit, catalog, change_requests, domains, health, me, policy, scopes, sign_in,
};

macro_rules! routes {
    ($($method:ident $path:literal => $handler:path),* $(,)?) => {
        /// Every route: method and path pattern.
        pub const ROUTES: &[(&str, &str)] = &[$((stringify!($method), $path)),*];

        /// Registers every route, one resource per path.
        pub fn configure(cfg: &mut web::ServiceConfig) {
            let mut resources: Vec<(&'static str, Vec<actix_web::Route>)> = Vec::new();
            $(
                let mut routes = vec![web::route().method(Method::$method).to($handler)];
                // HEAD wherever GET is: clients revalidate with it (the body is left out).
                if Method::$method == Method::GET {
                    routes.push(web::route().method(Method::HEAD).to($handler));
                }
                match resources.iter_mut().find(|(p, _)| *p == $path) {
                    Some((_, existing)) => existing.extend(routes),
                    None => resources.push(($path, routes)),
                }
            )*
            for (path, routes) in resources {
                let mut resource = web::resource(path).default_service(web::to(method_not_allowed));
                for route in routes {
                    resource = resource.route(route);
                }
                cfg.service(resource);
            }
        }
    };
}

routes! {
    GET "/healthz" => health::healthz,
    GET "/readyz" => health::readyz,
    GET "/metrics" => health::metrics,
    GET "/api/openapi.json" => crate::openapi::document,
    GET "/.well-known/catalog-keys.json" => catalog::keys,
    GET "/api/v1/me" => me::me,
    GET "/api/v1/policy" => policy::get,
    GET "/api/v1/domains" => domains::list,
    POST "/api/v1/domains" => domains::create,
    GET "/api/v1/domains/{name}" => domains::get,
    PATCH "/api/v1/domains/{name}" => domains::update,
    GET "/api/v1/scopes" => scopes::list,
    GET "/api/v1/scopes/{name}" => scopes::get,
    GET "/api/v1/catalog" => catalog::current,
    GET "/api/v1/catalog/watch" => catalog::watch,
    GET "/api/v1/catalog/events" => catalog::events,
    GET "/api/v1/catalog/versions" => catalog::versions,
    GET "/api/v1/catalog/versions/{version}" => catalog::version,
    GET "/api/v1/catalog/diff" => catalog::diff_versions,
    POST "/api/v1/lint" => change_requests::lint,
    GET "/api/v1/change-requests" => change_requests::list,
    POST "/api/v1/change-requests" => change_requests::create,
    GET "/api/v1/change-requests/{id}" => change_requests::get,
    PUT "/api/v1/change-requests/{id}" => change_requests::edit,
    POST "/api/v1/change-requests/{id}/submit" => change_requests::submit,
    POST "/api/v1/change-requests/{id}/withdraw" => change_requests::withdraw,
    POST "/api/v1/change-requests/{id}/publish" => change_requests::publish,
    POST "/api/v1/change-requests/{id}/reviews" => change_requests::review,
    POST "/api/v1/change-requests/{id}/comments" => change_requests::comment,
    GET "/api/v1/audit-events" => audit::list,
    GET "/api/v1/audit-events/verification" => audit::verify,
}

/// Signing people in to the web UI. Kept out of `ROUTES` on purpose: those are the bearer-token
/// API, which the OpenAPI document describes and the authorization matrix covers; these are
/// browser routes with a cookie session (and CSRF checks), never reachable with a token.
pub const WEB_AUTH_ROUTES: &[(&str, &str)] = &[
    ("GET", "/auth/login"),
    ("GET", "/auth/callback"),
    ("POST", "/auth/demo"),
    ("POST", "/auth/logout"),
    ("GET", "/auth/session"),
];

/// Registers [`WEB_AUTH_ROUTES`].
pub fn configure_web_auth(cfg: &mut web::ServiceConfig) {
    let resource = |path| web::resource(path).default_service(web::to(sign_in::method_not_allowed));
    // No HEAD for login and callback: both change state (a link prefetcher's HEAD must not
    // use up a sign-in).
    cfg.service(resource("/auth/login").route(web::get().to(sign_in::login)))
        .service(resource("/auth/callback").route(web::get().to(sign_in::callback)))
        .service(resource("/auth/demo").route(web::post().to(sign_in::demo_sign_in)))
        .service(resource("/auth/logout").route(web::post().to(sign_in::logout)))
        .service(
            resource("/auth/session")
                .route(web::get().to(sign_in::session_info))
                .route(web::head().to(sign_in::session_info)),
        );
}

/// Downloads from the web UI, authenticated by the session cookie (never by a token): kept out
/// of `ROUTES` like [`WEB_AUTH_ROUTES`].
pub const WEB_DOWNLOAD_ROUTES: &[(&str, &str)] = &[("GET", "/exports/{format}")];

/// Registers [`WEB_DOWNLOAD_ROUTES`].
pub fn configure_web_downloads(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/exports/{format}")
            .default_service(web::to(sign_in::method_not_allowed))
            .route(web::get().to(crate::ui::download::export))
            .route(web::head().to(crate::ui::download::export)),
    );
}

/// 405 for a path that exists with other methods.
async fn method_not_allowed(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let pattern = req.match_pattern().unwrap_or_default();
    let mut allow: Vec<&'static str> = ROUTES
        .iter()
        .filter(|(_, p)| *p == pattern)
        .map(|(m, _)| *m)
        .collect();
    if let Some(at) = allow.iter().position(|m| *m == "GET") {
        allow.insert(at + 1, "HEAD");
    }
    Err(if allow.is_empty() {
        ApiError::NotFound
    } else {
        ApiError::MethodNotAllowed { allow }
    })
}

/// Anything else: 404 problem+json.
pub async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound)
}
