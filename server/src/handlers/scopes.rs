use std::collections::HashMap;

use actix_web::web;
use scope_registry_frontend::api::{Page, Scope, ScopeChange, ScopeDetail};
use serde::Deserialize;

use crate::auth::principal::{Permission, Principal};
use crate::db::models::domain;
use crate::db::models::scope::{self, ScopeFilter};
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Only scopes of this domain.
    domain: Option<String>,
    /// `active`, `deprecated` or `retired`.
    status: Option<String>,
    /// `public`, `internal`, `confidential` or `restricted`.
    classification: Option<String>,
    /// Text in the name, description or consent texts (case-insensitive).
    q: Option<String>,
    /// The `next` cursor of the previous page.
    after: Option<String>,
    /// Page size, 1 to 200 (default 50).
    limit: Option<u32>,
}

/// Scopes of the current catalog, by name, with filters and paging.
#[utoipa::path(get, path = "/api/v1/scopes", tag = "catalog", params(ListQuery),
    security(("bearer" = ["scope-registry:catalog:read"])),
    responses((status = 200, body = Page<Scope>), (status = 400, body = crate::error::Problem),
        (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    who: Principal,
    query: web::Query<ListQuery>,
) -> Result<web::Json<Page<Scope>>, ApiError> {
    who.require(Permission::CatalogRead)?;
    let q = query.into_inner();
    let limit = super::page_size(q.limit)?;
    if let Some(s) = &q.status
        && !["active", "deprecated", "retired"].contains(&s.as_str())
    {
        return Err(ApiError::bad_request(
            "invalid_status",
            format!("unknown status {s:?}"),
        ));
    }
    if let Some(c) = &q.classification
        && !scope_lint::Classification::ALL
            .iter()
            .any(|k| k.as_str() == c)
    {
        return Err(ApiError::bad_request(
            "invalid_classification",
            format!("unknown classification {c:?}"),
        ));
    }
    if q.q.as_ref().is_some_and(|t| t.len() > 200) {
        return Err(ApiError::bad_request(
            "invalid_query",
            "q is limited to 200 characters",
        ));
    }
    let page = state
        .db(move |c| {
            let domains: HashMap<String, String> = domain::list(c)?
                .into_iter()
                .map(|d| (d.id, d.name))
                .collect();
            let domain_id = match &q.domain {
                Some(name) => match domains.iter().find(|(_, n)| *n == name) {
                    Some((id, _)) => Some(id.clone()),
                    None => {
                        return Ok(Page {
                            items: Vec::new(),
                            next: None,
                        });
                    }
                },
                None => None,
            };
            let filter = ScopeFilter {
                domain_id,
                status: q.status,
                classification: q.classification,
                text: q.q.filter(|t| !t.trim().is_empty()),
            };
            let rows = scope::list(c, &filter, q.after.as_deref(), limit + 1)?;
            let more = rows.len() as i64 > limit;
            let items: Vec<Scope> = rows
                .into_iter()
                .take(limit as usize)
                .filter_map(|r| {
                    Some(Scope {
                        domain: domains.get(&r.domain_id).cloned().unwrap_or_default(),
                        definition: r.definition()?,
                    })
                })
                .collect();
            let next = if more {
                items.last().map(|s| s.definition.name.clone())
            } else {
                None
            };
            Ok(Page { items, next })
        })
        .await?;
    Ok(web::Json(page))
}

/// One scope with its history across catalog versions.
#[utoipa::path(get, path = "/api/v1/scopes/{name}", tag = "catalog",
    params(("name" = String, Path, description = "Scope name, such as ecommerce:orders:read")),
    security(("bearer" = ["scope-registry:catalog:read"])),
    responses((status = 200, body = ScopeDetail), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn get(
    state: web::Data<AppState>,
    who: Principal,
    name: web::Path<String>,
) -> Result<web::Json<ScopeDetail>, ApiError> {
    who.require(Permission::CatalogRead)?;
    let name = name.into_inner();
    let detail = state
        .db(move |c| {
            let row = scope::by_name(c, &name)?.ok_or(ApiError::NotFound)?;
            let domain = domain::by_id(c, &row.domain_id)?
                .map(|d| d.name)
                .unwrap_or_default();
            let definition = row
                .definition()
                .ok_or_else(|| ApiError::internal("stored definition unreadable"))?;
            let history = scope::history(c, &name)?
                .into_iter()
                .map(|h| ScopeChange {
                    version: u64::try_from(h.version).unwrap_or_default(),
                    kind: h.kind,
                    change_request: h.change_request_id,
                    before: h.before.and_then(|b| serde_json::from_str(&b).ok()),
                    after: h.after.and_then(|a| serde_json::from_str(&a).ok()),
                })
                .collect();
            Ok(ScopeDetail {
                domain,
                definition,
                history,
            })
        })
        .await?;
    Ok(web::Json(detail))
}
