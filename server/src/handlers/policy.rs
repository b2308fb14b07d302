use actix_web::HttpResponse;
use actix_web::web;
use serde_json::json;

use crate::auth::principal::{Permission, Principal};
use crate::error::ApiError;
use crate::state::AppState;

/// The naming policy in force. It changes by editing the policy file (`policy` setting) and
/// restarting the registry, so every change goes through the same review as code.
#[utoipa::path(get, path = "/api/v1/policy", tag = "catalog",
    security(("bearer" = ["scope-registry:catalog:read"])),
    responses((status = 200, description = "The policy", content_type = "application/json"),
        (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn get(state: web::Data<AppState>, who: Principal) -> Result<HttpResponse, ApiError> {
    who.require(Permission::CatalogRead)?;
    let p = &state.policy;
    let rules: Vec<_> = scope_lint::Rule::ALL
        .iter()
        .map(|r| {
            json!({
                "code": r.code(),
                "name": r.name(),
                "severity": p.rules.severity(*r).map(|s| s.as_str()).unwrap_or("off"),
            })
        })
        .collect();
    let approvals: serde_json::Map<String, serde_json::Value> = scope_lint::Classification::ALL
        .iter()
        .map(|c| {
            let a = p.approvals_for(*c);
            (
                c.as_str().to_owned(),
                json!({ "required": a.required, "security_review": a.security_review }),
            )
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "syntax": {
            "separator": p.syntax.separator,
            "segments": p.syntax.segments,
            "word_separator": p.syntax.word_separator.map(String::from),
            "allow_digits": p.syntax.allow_digits,
            "max_name_length": p.syntax.max_name_length,
            "max_segment_length": p.syntax.max_segment_length,
        },
        "naming": {
            "actions": p.naming.actions,
            "action_synonyms": p.naming.action_synonyms,
            "reserved_words": p.naming.reserved_words,
        },
        "domains": p.domains,
        "toxic_combinations": p.toxic_combinations.iter().map(|t| json!({ "scopes": t.scopes, "reason": t.reason })).collect::<Vec<_>>(),
        "approvals": approvals,
        "rules": rules,
    })))
}
