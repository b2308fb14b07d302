use actix_web::web;
use scope_registry_frontend::api::AuditEvent;
use serde::Deserialize;

use crate::audit::{self as chain, Verification};
use crate::auth::principal::Principal;
use crate::db::models::audit_event;
use crate::error::ApiError;
use crate::state::{AppState, rfc3339};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Events after this sequence number (paging, oldest first).
    after: Option<u64>,
    /// Page size, 1 to 200 (default 50).
    limit: Option<u32>,
}

/// The audit log (registry admins), oldest first.
#[utoipa::path(get, path = "/api/v1/audit-events", tag = "audit", params(AuditQuery),
    security(("bearer" = ["scope-registry:domains:manage"])),
    responses((status = 200, body = Vec<AuditEvent>), (status = 400, body = crate::error::Problem),
        (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    who: Principal,
    query: web::Query<AuditQuery>,
) -> Result<web::Json<Vec<AuditEvent>>, ApiError> {
    who.require_admin()?;
    let q = query.into_inner();
    let limit = super::page_size(q.limit)?;
    // Past the end of what a sequence number can be: an empty page, as past the last event.
    let after = q.after.map_or(0, |a| i64::try_from(a).unwrap_or(i64::MAX));
    let rows = state
        .db(move |c| Ok(audit_event::page(c, after, limit)?))
        .await?;
    Ok(web::Json(
        rows.into_iter()
            .map(|r| AuditEvent {
                seq: u64::try_from(r.seq).unwrap_or_default(),
                at: rfc3339(r.at),
                actor: r.actor,
                action: r.action,
                target_type: r.target_type,
                target_id: r.target_id,
                before: r.before.and_then(|b| serde_json::from_str(&b).ok()),
                after: r.after.and_then(|a| serde_json::from_str(&a).ok()),
                prev_hash: r.prev_hash,
                hash: r.hash,
            })
            .collect(),
    ))
}

/// Checks the audit log's hash chain (registry admins) and names the first broken link.
#[utoipa::path(get, path = "/api/v1/audit-events/verification", tag = "audit",
    security(("bearer" = ["scope-registry:domains:manage"])),
    responses((status = 200, description = "The chain's state", content_type = "application/json"),
        (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn verify(
    state: web::Data<AppState>,
    who: Principal,
) -> Result<web::Json<Verification>, ApiError> {
    who.require_admin()?;
    Ok(web::Json(state.db(|c| Ok(chain::verify(c)?)).await?))
}
