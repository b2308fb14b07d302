use actix_web::web;
use scope_registry_frontend::api::Me;

use crate::auth::principal::{Permission, Principal};
use crate::error::ApiError;

/// Who the caller is, as the registry sees them.
#[utoipa::path(get, path = "/api/v1/me", tag = "identity",
    security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = crate::error::Problem)))]
pub async fn me(who: Principal) -> Result<web::Json<Me>, ApiError> {
    Ok(web::Json(Me {
        permissions: Permission::ALL
            .iter()
            .map(|p| p.scope())
            .filter(|s| who.scopes.contains(*s))
            .map(str::to_owned)
            .collect(),
        subject: who.subject,
        name: who.name,
        groups: who.groups,
        admin: who.admin,
        security_reviewer: who.security_reviewer,
    }))
}
