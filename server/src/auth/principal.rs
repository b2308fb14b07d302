//! Who is calling, and what they may do: the registry's permissions are scopes that pass its own
//! linter; roles and domain membership come from token claims, never from the request body.

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};

use crate::auth::jwt::VerifiedToken;
use crate::error::ApiError;
use crate::state::AppState;
use crate::workflow::{Actor, DomainRoles};

/// The registry's own permissions (DESIGN §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// Read the catalog, scopes, domains, versions, the policy, and change requests one may see.
    CatalogRead,
    /// Create, edit, submit, withdraw and publish change requests; comment.
    ChangeRequestsWrite,
    /// Review change requests.
    ReviewsWrite,
    /// Create and edit domains; read the audit log.
    DomainsManage,
}

impl Permission {
    pub const ALL: [Self; 4] = [
        Self::CatalogRead,
        Self::ChangeRequestsWrite,
        Self::ReviewsWrite,
        Self::DomainsManage,
    ];

    pub const fn scope(self) -> &'static str {
        match self {
            Self::CatalogRead => "scope-registry:catalog:read",
            Self::ChangeRequestsWrite => "scope-registry:change-requests:write",
            Self::ReviewsWrite => "scope-registry:reviews:write",
            Self::DomainsManage => "scope-registry:domains:manage",
        }
    }
}

/// An authenticated caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub subject: String,
    pub name: String,
    pub groups: Vec<String>,
    pub scopes: BTreeSet<String>,
    /// Member of the admin group.
    pub admin: bool,
    /// Member of the security reviewer group.
    pub security_reviewer: bool,
}

impl Principal {
    pub fn from_token(token: VerifiedToken, admin_group: &str, security_group: &str) -> Self {
        let name = token.name.clone().unwrap_or_else(|| token.subject.clone());
        Self {
            admin: token.groups.iter().any(|g| g == admin_group),
            security_reviewer: token.groups.iter().any(|g| g == security_group),
            subject: token.subject,
            name,
            groups: token.groups,
            scopes: token.scopes,
        }
    }

    /// 403 `insufficient_scope` unless the token grants `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), ApiError> {
        if self.scopes.contains(permission.scope()) {
            Ok(())
        } else {
            Err(ApiError::InsufficientScope {
                scope: permission.scope(),
            })
        }
    }

    /// `require(DomainsManage)` and membership of the admin group.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        self.require(Permission::DomainsManage)?;
        if self.admin {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                "not_admin",
                "Only registry admins may do this.",
            ))
        }
    }

    pub fn actor(&self) -> Actor {
        Actor {
            subject: self.subject.clone(),
            groups: self.groups.clone(),
            admin: self.admin,
        }
    }

    /// Whether the caller owns or reviews a domain (or administers the registry): who may see
    /// the domain's change requests.
    pub fn involved_in(&self, roles: &DomainRoles) -> bool {
        let actor = self.actor();
        self.admin || roles.is_owner(&actor) || roles.may_review(&actor)
    }
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let token = token.ok_or(ApiError::Unauthorized)?;
            match state.tokens.validate(&token).await {
                Ok(verified) => Ok(Principal::from_token(
                    verified,
                    &state.settings.admin_group,
                    &state.settings.security_reviewer_group,
                )),
                // Our issuer's keys could never be fetched: our outage, not a bad token.
                Err(e) if e.is_server_side() => {
                    tracing::warn!(reason = e.reason(), "token keys unavailable");
                    Err(ApiError::IssuerUnavailable)
                }
                Err(e) => {
                    tracing::info!(reason = e.reason(), "access token refused");
                    Err(ApiError::Unauthorized)
                }
            }
        })
    }
}

/// The token of `Authorization: Bearer <token>` (scheme case-insensitive, RFC 6750 §2.1).
fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_permissions_pass_its_own_linter() {
        let policy = scope_lint::Policy::default();
        for p in Permission::ALL {
            let found = scope_lint::lint_name(p.scope(), &policy);
            assert!(found.is_empty(), "{}: {:?}", p.scope(), found);
        }
    }
}
