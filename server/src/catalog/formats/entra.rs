//! Microsoft Entra ID: an application's `api.oauth2PermissionScopes` (Microsoft Graph
//! `permissionScope` resource: `id`, `value`, `type` `User` | `Admin`, `adminConsentDisplayName`,
//! `adminConsentDescription`, `userConsentDisplayName`, `userConsentDescription`, `isEnabled`).
//!
//! `id` must never change for a scope, or every grant to it is lost: it is a UUID v5 of the scope's
//! name in the fixed namespace [`ENTRA_SCOPE_ID_NAMESPACE`]. `type` is `Admin` (only an
//! administrator may consent) for application-only and restricted scopes, `User` otherwise.
//!
//! Lifecycle: Entra has a disabled flag, and a permission must be disabled before it can be
//! removed, so a retired scope stays listed with `isEnabled: false`; a deprecated scope stays
//! enabled, with a `[deprecated: …]` note in its consent descriptions.

use scope_lint::{Classification, ScopeDefinition, Status, Usage};
use serde::Serialize;
use uuid::Uuid;

use super::{description, display_name, with_deprecation_note};

/// Namespace of the UUID v5 `id`s (`50920a52-5f30-412a-94bf-3d8a2fee98df`, chosen at random once).
/// Changing it changes every id, and with it every consent granted in every tenant: never change it.
pub const ENTRA_SCOPE_ID_NAMESPACE: Uuid =
    Uuid::from_u128(0x5092_0a52_5f30_412a_94bf_3d8a_2fee_98df);

/// The stable Entra permission id of a scope name.
pub fn entra_scope_id(name: &str) -> Uuid {
    Uuid::new_v5(&ENTRA_SCOPE_ID_NAMESPACE, name.as_bytes())
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Api {
    oauth2_permission_scopes: Vec<PermissionScope>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PermissionScope {
    id: Uuid,
    value: String,
    r#type: &'static str,
    admin_consent_display_name: String,
    admin_consent_description: String,
    user_consent_display_name: String,
    user_consent_description: String,
    is_enabled: bool,
}

pub(super) fn export(scopes: &[&ScopeDefinition]) -> Api {
    Api {
        oauth2_permission_scopes: scopes.iter().map(|scope| permission(scope)).collect(),
    }
}

fn permission(scope: &ScopeDefinition) -> PermissionScope {
    let admin_only = scope.usage == Some(Usage::Application)
        || scope.classification == Some(Classification::Restricted);
    let consent = scope.consent.as_ref();
    let admin_text = consent
        .and_then(|c| c.admin_text.as_deref())
        .map_or_else(|| description(scope), |t| with_deprecation_note(t, scope));
    let user_text = consent
        .and_then(|c| c.user_text.as_deref())
        .map_or_else(|| description(scope), |t| with_deprecation_note(t, scope));
    PermissionScope {
        id: entra_scope_id(&scope.name),
        value: scope.name.clone(),
        r#type: if admin_only { "Admin" } else { "User" },
        admin_consent_display_name: display_name(scope).to_owned(),
        admin_consent_description: admin_text,
        user_consent_display_name: display_name(scope).to_owned(),
        user_consent_description: user_text,
        is_enabled: scope.status != Status::Retired,
    }
}
