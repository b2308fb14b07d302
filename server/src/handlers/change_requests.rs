use actix_web::{HttpResponse, web};
use scope_registry_frontend::api::{
    ChangeRequest as WireRequest, ChangeRequestInput, ChangeRequestSummary, CommentInput,
    LintInput, ReviewInput,
};

use crate::actions;
use crate::auth::principal::Principal;
use crate::error::ApiError;
use crate::state::AppState;

/// Lints scopes against the current catalog, as the caller would propose them, without storing
/// anything (the web UI shows catalog-context findings while someone types).
#[utoipa::path(post, path = "/api/v1/lint", tag = "change-requests", request_body = LintInput,
    security(("bearer" = ["scope-registry:change-requests:write"])),
    responses((status = 200, description = "scope-lint JSON findings", content_type = "application/json"),
        (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 413, body = crate::error::Problem),
        (status = 415, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn lint(
    state: web::Data<AppState>,
    who: Principal,
    body: web::Json<LintInput>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(actions::lint(&state, who, body.into_inner()).await?))
}

/// Change requests the caller may see, most recently updated first.
#[utoipa::path(get, path = "/api/v1/change-requests", tag = "change-requests", params(actions::ListQuery),
    security(("bearer" = ["scope-registry:catalog:read"])),
    responses((status = 200, body = Vec<ChangeRequestSummary>), (status = 400, body = crate::error::Problem),
        (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    who: Principal,
    query: web::Query<actions::ListQuery>,
) -> Result<web::Json<Vec<ChangeRequestSummary>>, ApiError> {
    Ok(web::Json(
        actions::list(&state, who, query.into_inner()).await?,
    ))
}

/// One change request with its items, lint findings, approvals, reviews, comments and timeline.
#[utoipa::path(get, path = "/api/v1/change-requests/{id}", tag = "change-requests",
    params(("id" = String, Path, description = "Change request id")),
    security(("bearer" = ["scope-registry:catalog:read"])),
    responses((status = 200, body = WireRequest), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn get(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
) -> Result<web::Json<WireRequest>, ApiError> {
    Ok(web::Json(actions::get(&state, who, id.into_inner()).await?))
}

/// Creates a draft change request in a domain the caller owns.
#[utoipa::path(post, path = "/api/v1/change-requests", tag = "change-requests", request_body = ChangeRequestInput,
    security(("bearer" = ["scope-registry:change-requests:write"])),
    responses((status = 201, body = WireRequest), (status = 400, body = crate::error::Problem),
        (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem),
        (status = 413, body = crate::error::Problem), (status = 415, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn create(
    state: web::Data<AppState>,
    who: Principal,
    body: web::Json<ChangeRequestInput>,
) -> Result<HttpResponse, ApiError> {
    let wire = actions::create(&state, who, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(wire))
}

/// Replaces a request's title, description and items (its author). Standing approvals are
/// dismissed; an open request goes back to draft and must be submitted again.
#[utoipa::path(put, path = "/api/v1/change-requests/{id}", tag = "change-requests", request_body = ChangeRequestInput,
    params(("id" = String, Path, description = "Change request id")),
    security(("bearer" = ["scope-registry:change-requests:write"])),
    responses((status = 200, body = WireRequest), (status = 400, body = crate::error::Problem),
        (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 413, body = crate::error::Problem), (status = 415, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn edit(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    body: web::Json<ChangeRequestInput>,
) -> Result<web::Json<WireRequest>, ApiError> {
    Ok(web::Json(
        actions::edit(&state, who, id.into_inner(), body.into_inner()).await?,
    ))
}

/// Submits a request for review (its author). Lints it against the current catalog first: errors
/// block the submission, and the findings are stored with the request either way.
#[utoipa::path(post, path = "/api/v1/change-requests/{id}/submit", tag = "change-requests",
    params(("id" = String, Path, description = "Change request id")),
    security(("bearer" = ["scope-registry:change-requests:write"])),
    responses((status = 200, body = WireRequest), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn submit(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
) -> Result<web::Json<WireRequest>, ApiError> {
    Ok(web::Json(
        actions::submit(&state, who, id.into_inner()).await?,
    ))
}

/// Withdraws a request (its author or an admin).
#[utoipa::path(post, path = "/api/v1/change-requests/{id}/withdraw", tag = "change-requests",
    params(("id" = String, Path, description = "Change request id")),
    security(("bearer" = ["scope-registry:change-requests:write"])),
    responses((status = 200, body = WireRequest), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem)))]
pub async fn withdraw(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
) -> Result<web::Json<WireRequest>, ApiError> {
    Ok(web::Json(
        actions::withdraw(&state, who, id.into_inner()).await?,
    ))
}

/// Reviews a request: approve, request changes, or reject, with a comment. Never its author.
#[utoipa::path(post, path = "/api/v1/change-requests/{id}/reviews", tag = "change-requests", request_body = ReviewInput,
    params(("id" = String, Path, description = "Change request id")),
    security(("bearer" = ["scope-registry:reviews:write"])),
    responses((status = 201, body = WireRequest), (status = 400, body = crate::error::Problem),
        (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 415, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn review(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    body: web::Json<ReviewInput>,
) -> Result<HttpResponse, ApiError> {
    let wire = actions::review(&state, who, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(wire))
}

/// Publishes an approved request: exactly one new catalog version, all items or none.
#[utoipa::path(post, path = "/api/v1/change-requests/{id}/publish", tag = "change-requests",
    params(("id" = String, Path, description = "Change request id")),
    security(("bearer" = ["scope-registry:change-requests:write"])),
    responses((status = 200, body = WireRequest), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem),
        (status = 503, body = crate::error::Problem)))]
pub async fn publish(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
) -> Result<web::Json<WireRequest>, ApiError> {
    Ok(web::Json(
        actions::publish(&state, who, id.into_inner()).await?,
    ))
}

/// Comments on a request.
#[utoipa::path(post, path = "/api/v1/change-requests/{id}/comments", tag = "change-requests", request_body = CommentInput,
    params(("id" = String, Path, description = "Change request id")),
    security(("bearer" = ["scope-registry:change-requests:write"])),
    responses((status = 201, body = WireRequest), (status = 400, body = crate::error::Problem),
        (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 415, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn comment(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    body: web::Json<CommentInput>,
) -> Result<HttpResponse, ApiError> {
    let wire = actions::comment(&state, who, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(wire))
}
