use actix_web::{HttpResponse, web};
use scope_registry_frontend::api::{Domain, DomainPatch, NewDomain};
use serde_json::json;

use crate::audit::{self, NewEvent};
use crate::auth::principal::{Permission, Principal};
use crate::db::models::domain::{self, DomainRow};
use crate::db::models::to_json_text;
use crate::error::ApiError;
use crate::state::{AppState, now_ms, rfc3339};

pub fn to_wire(row: &DomainRow) -> Domain {
    Domain {
        name: row.name.clone(),
        description: row.description.clone(),
        owners: row.owner_groups(),
        reviewers: row.reviewer_groups(),
        audience: row.audience.clone(),
        created_at: rfc3339(row.created_at),
        updated_at: rfc3339(row.updated_at),
    }
}

pub(crate) fn validate_groups(field: &str, groups: &[String]) -> Result<(), ApiError> {
    if groups.len() > 50 {
        return Err(ApiError::unprocessable(
            "invalid_domain",
            format!("{field}: at most 50 groups"),
        ));
    }
    if let Some(bad) = groups.iter().find(|g| g.trim().is_empty() || g.len() > 200) {
        return Err(ApiError::unprocessable(
            "invalid_domain",
            format!("{field}: {bad:?} is not a group name (1 to 200 characters)"),
        ));
    }
    Ok(())
}

/// Every domain.
#[utoipa::path(get, path = "/api/v1/domains", tag = "domains",
    security(("bearer" = ["scope-registry:catalog:read"])),
    responses((status = 200, body = Vec<Domain>),
        (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    who: Principal,
) -> Result<web::Json<Vec<Domain>>, ApiError> {
    who.require(Permission::CatalogRead)?;
    let rows = state.db(|c| Ok(domain::list(c)?)).await?;
    Ok(web::Json(rows.iter().map(to_wire).collect()))
}

/// One domain.
#[utoipa::path(get, path = "/api/v1/domains/{name}", tag = "domains",
    params(("name" = String, Path, description = "Domain name")),
    security(("bearer" = ["scope-registry:catalog:read"])),
    responses((status = 200, body = Domain), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn get(
    state: web::Data<AppState>,
    who: Principal,
    name: web::Path<String>,
) -> Result<web::Json<Domain>, ApiError> {
    who.require(Permission::CatalogRead)?;
    let name = name.into_inner();
    let row = state
        .db(move |c| domain::by_name(c, &name)?.ok_or(ApiError::NotFound))
        .await?;
    Ok(web::Json(to_wire(&row)))
}

/// Creates a domain (registry admins).
#[utoipa::path(post, path = "/api/v1/domains", tag = "domains", request_body = NewDomain,
    security(("bearer" = ["scope-registry:domains:manage"])),
    responses((status = 201, body = Domain), (status = 400, body = crate::error::Problem),
        (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 413, body = crate::error::Problem),
        (status = 415, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create(
    state: web::Data<AppState>,
    who: Principal,
    body: web::Json<NewDomain>,
) -> Result<HttpResponse, ApiError> {
    who.require_admin()?;
    let input = body.into_inner();
    crate::error::forbid_nul(&input)?;
    // A domain name is a segment of every scope in it: it must pass the linter's segment rules.
    let probe = format!("{}:resource:read", input.name);
    let findings: Vec<_> = scope_lint::lint_name(&probe, &state.policy)
        .into_iter()
        .filter(|d| d.span.start < input.name.len() && d.severity == scope_lint::Severity::Error)
        .collect();
    if input.name.is_empty()
        || input.name.contains(state.policy.syntax.separator.as_str())
        || !findings.is_empty()
    {
        let why = findings.first().map_or_else(
            || "it must be one segment".to_owned(),
            |d| d.message.clone(),
        );
        return Err(ApiError::unprocessable(
            "invalid_domain",
            format!("{:?} cannot name a domain: {why}", input.name),
        ));
    }
    validate_groups("owners", &input.owners)?;
    validate_groups("reviewers", &input.reviewers)?;
    let now = now_ms();
    let row = DomainRow {
        id: uuid::Uuid::new_v4().to_string(),
        name: input.name.clone(),
        description: input.description,
        owners: to_json_text(&input.owners),
        reviewers: to_json_text(&input.reviewers),
        audience: input.audience,
        created_at: now,
        updated_at: now,
    };
    let actor = who.subject.clone();
    let created = state
        .db(move |c| {
            c.write(|c| {
                if domain::by_name(c, &row.name)?.is_some() {
                    return Err(ApiError::conflict(
                        "domain_exists",
                        format!("domain {:?} exists already", row.name),
                    ));
                }
                domain::insert(c, &row)?;
                audit::record(
                    c,
                    now,
                    NewEvent {
                        actor: &actor,
                        action: "domain.created",
                        target_type: "domain",
                        target_id: &row.name,
                        before: None,
                        after: Some(json!(to_wire(&row))),
                    },
                )?;
                Ok(row)
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(to_wire(&created)))
}

/// Changes a domain's description, owners, reviewers or audience (registry admins).
#[utoipa::path(patch, path = "/api/v1/domains/{name}", tag = "domains", request_body = DomainPatch,
    params(("name" = String, Path, description = "Domain name")),
    security(("bearer" = ["scope-registry:domains:manage"])),
    responses((status = 200, body = Domain), (status = 400, body = crate::error::Problem),
        (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 415, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn update(
    state: web::Data<AppState>,
    who: Principal,
    name: web::Path<String>,
    body: web::Json<DomainPatch>,
) -> Result<web::Json<Domain>, ApiError> {
    crate::actions::update_domain(&state, &who, name.into_inner(), body.into_inner())
        .await
        .map(web::Json)
}
