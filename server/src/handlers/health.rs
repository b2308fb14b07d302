use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::db;
use crate::observability::METRICS;
use crate::state::AppState;

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The process is up", content_type = "application/json")))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// The database is reachable and every migration is applied.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses(
    (status = 200, description = "Ready"),
    (status = 503, description = "Database unreachable or migrations pending")))]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let pool = state.pool.clone();
    let check = web::block(move || -> Result<bool, String> {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        db::migrations_current(&mut conn).map_err(|e| e.to_string())
    })
    .await;
    match check {
        Ok(Ok(true)) => HttpResponse::Ok().json(json!({ "status": "ready" })),
        Ok(Ok(false)) => HttpResponse::ServiceUnavailable()
            .json(json!({ "status": "not_ready", "reason": "migrations pending" })),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness check failed");
            HttpResponse::ServiceUnavailable()
                .json(json!({ "status": "not_ready", "reason": "database unreachable" }))
        }
        Err(_) => HttpResponse::ServiceUnavailable().json(json!({ "status": "not_ready" })),
    }
}

/// Prometheus metrics (text exposition format).
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
pub async fn metrics() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(METRICS.encode())
}
