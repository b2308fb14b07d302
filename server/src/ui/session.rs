//! Who is signed in to the UI: the session middleware turns the web session (the
//! backend-for-frontend session of [`crate::auth::session`]) into the [`UiCaller`] the pages and
//! server functions see. A session cookie never authenticates `/api/` (bearer tokens only).

use actix_web::FromRequest as _;
use actix_web::HttpMessage as _;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

use super::backend::UiCaller;
use crate::auth::session::WebUser;

/// Middleware: for the UI's paths (everything but `/api/` and the operational endpoints), finds
/// the signed-in person and their CSRF token and puts them in the request's extensions.
pub async fn attach_caller(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let path = req.path();
    let ui = !(path.starts_with("/api/")
        || path.starts_with("/pkg/")
        || path.starts_with("/.well-known/")
        || matches!(path, "/healthz" | "/readyz" | "/metrics"));
    if ui {
        let (http, payload) = req.parts_mut();
        // Only a database or provider outage fails this; the page then shows nobody signed in.
        if let Ok(user) = WebUser::from_request(http, payload).await
            && let (Some(principal), Some(csrf)) = (user.principal, user.csrf_token)
        {
            req.extensions_mut().insert(UiCaller { principal, csrf });
        }
    }
    next.call(req).await
}
