//! Every catalog format, rendered from one small example catalog: compared byte for byte with the
//! committed files under `tests/golden/formats/` (rewrite them with `UPDATE_GOLDEN=1` and review the
//! diff like code), shown in `docs/formats.md` (checked here too), and checked against the
//! fields each target documents as required.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers outside #[test] functions fail loudly on a malformed rendering"
)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use scope_lint::{Classification, Consent, Deprecation, ScopeDefinition, Status, Usage};
use scope_registry::catalog::CatalogDocument;
use scope_registry::catalog::formats::{
    ENTRA_SCOPE_ID_NAMESPACE, ExportError, ExportOptions, Format, entra_scope_id, render,
};
use serde_json::Value;

const ACTIVE: &str = "accounts:profile:read";
const APPLICATION: &str = "billing:invoices:sync";
const RESTRICTED: &str = "payments:cards:read";
const DEPRECATED: &str = "accounts:email:read";
const RETIRED: &str = "reports:exports:read";

/// Five scopes, one of each kind a target treats differently.
fn example_catalog() -> CatalogDocument {
    let active = ScopeDefinition {
        description: Some("Read the user's profile".into()),
        consent: Some(Consent {
            display_name: Some("Read your profile".into()),
            user_text: Some("See your name and picture".into()),
            admin_text: Some("Read the profile of every signed-in user".into()),
        }),
        classification: Some(Classification::Internal),
        usage: Some(Usage::Delegated),
        owner: Some("accounts-team".into()),
        introduced_in: Some(1),
        ..ScopeDefinition::named(ACTIVE)
    };
    let application = ScopeDefinition {
        description: Some("Synchronise invoices between billing systems".into()),
        classification: Some(Classification::Confidential),
        usage: Some(Usage::Application),
        audience: Some("https://billing.example.com".into()),
        introduced_in: Some(2),
        ..ScopeDefinition::named(APPLICATION)
    };
    let restricted = ScopeDefinition {
        description: Some("Read stored payment cards".into()),
        consent: Some(Consent {
            display_name: Some("Read your payment cards".into()),
            user_text: Some("See the last four digits of your saved cards".into()),
            admin_text: None,
        }),
        classification: Some(Classification::Restricted),
        usage: Some(Usage::Both),
        audience: Some("https://payments.example.com".into()),
        claims: vec!["account_id".into(), "card_last4".into()],
        introduced_in: Some(2),
        ..ScopeDefinition::named(RESTRICTED)
    };
    let deprecated = ScopeDefinition {
        description: Some("Read the user's email address".into()),
        usage: Some(Usage::Delegated),
        status: Status::Deprecated,
        deprecation: Some(Deprecation {
            sunset: Some("2027-03-31".into()),
            replacement: Some(ACTIVE.into()),
        }),
        introduced_in: Some(1),
        changed_in: Some(3),
        ..ScopeDefinition::named(DEPRECATED)
    };
    let retired = ScopeDefinition {
        description: Some("Read report exports".into()),
        usage: Some(Usage::Application),
        status: Status::Retired,
        introduced_in: Some(1),
        changed_in: Some(3),
        ..ScopeDefinition::named(RETIRED)
    };
    CatalogDocument {
        version: 3,
        // Deliberately not sorted: every format sorts by name itself.
        scopes: vec![retired, restricted, active, deprecated, application],
    }
}

fn options() -> ExportOptions {
    ExportOptions {
        token_url: Some("https://auth.example.com/oauth2/token".into()),
        authorization_url: Some("https://auth.example.com/oauth2/authorize".into()),
        default_audience: Some("https://api.example.com".into()),
    }
}

fn rendered(format: Format) -> String {
    render(format, &example_catalog(), &options())
        .unwrap_or_else(|e| panic!("{format} does not render: {e}"))
}

fn json(format: Format) -> Value {
    serde_json::from_str(&rendered(format)).unwrap_or_else(|e| panic!("{format} is not JSON: {e}"))
}

fn golden_path(format: Format) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/formats")
        .join(format!("{format}.json"))
}

#[test]
fn every_format_matches_its_golden_file() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut stale = Vec::new();
    for format in Format::ALL {
        let path = golden_path(format);
        let actual = rendered(format);
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1)", path.display()));
        if expected != actual {
            stale.push(format!(
                "{format}: {} differs from the rendering:\n{actual}",
                path.display()
            ));
        }
    }
    assert!(stale.is_empty(), "{}", stale.join("\n"));
}

/// `docs/formats.md` shows each format's rendering of the example catalog: the `json` block
/// under the format's heading is the rendering, byte for byte (`UPDATE_GOLDEN=1` rewrites it).
#[test]
fn the_formats_page_shows_every_rendering() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/formats.md");
    let mut page = std::fs::read_to_string(&path).unwrap();
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut stale = Vec::new();
    for format in Format::ALL {
        let heading = format!("\n## `{format}`\n");
        let at = page
            .find(&heading)
            .unwrap_or_else(|| panic!("{}: no section {heading:?}", path.display()));
        let fence = "```json\n";
        let open = at
            + page[at..]
                .find(fence)
                .unwrap_or_else(|| panic!("{format}: no json block"))
            + fence.len();
        // The block's text up to and including its last newline.
        let close = open
            + page[open..]
                .find("\n```\n")
                .unwrap_or_else(|| panic!("{format}: unclosed json block"))
            + 1;
        let actual = rendered(format);
        if page[open..close] != actual {
            if update {
                page.replace_range(open..close, &actual);
            } else {
                stale.push(format.to_string());
            }
        }
    }
    if update {
        std::fs::write(&path, &page).unwrap();
    }
    assert!(
        stale.is_empty(),
        "{} shows an old rendering of {stale:?} (UPDATE_GOLDEN=1 rewrites it)",
        path.display()
    );
}

#[test]
fn every_format_is_json_with_deterministic_bytes() {
    let mut reversed = example_catalog();
    reversed.scopes.reverse();
    for format in Format::ALL {
        let once = rendered(format);
        assert_eq!(once, rendered(format), "{format}: two renders differ");
        assert_eq!(
            once,
            render(format, &reversed, &options()).unwrap(),
            "{format}: depends on the order of the scopes"
        );
        assert!(once.ends_with('\n'), "{format}: no final newline");
        assert!(
            serde_json::from_str::<Value>(&once).is_ok(),
            "{format}: not JSON"
        );
        assert_eq!(format.content_type(), "application/json");
    }
}

/// The scope names a format lists, by the field that names them.
fn names(format: Format) -> BTreeSet<String> {
    let doc = json(format);
    let (list, key) = match format {
        Format::Canonical => (doc["scopes"].clone(), "name"),
        Format::Keycloak => (doc["clientScopes"].clone(), "name"),
        Format::Okta => (doc.clone(), "name"),
        Format::Auth0 => (doc["scopes"].clone(), "value"),
        Format::Entra => (doc["oauth2PermissionScopes"].clone(), "value"),
        Format::Cognito => (doc["Scopes"].clone(), "ScopeName"),
        Format::Curity => (doc["scope"].clone(), "id"),
        Format::Rfc8414 => {
            return doc["scopes_supported"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect();
        }
        Format::Openapi => {
            return doc["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]
                ["scopes"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect();
        }
    };
    list.as_array()
        .unwrap_or_else(|| panic!("{format}: no scope list"))
        .iter()
        .map(|s| {
            s[key]
                .as_str()
                .unwrap_or_else(|| panic!("{format}: a scope without `{key}`"))
                .to_owned()
        })
        .collect()
}

#[test]
fn retired_scopes_are_left_out_unless_the_target_can_disable_them() {
    let all: BTreeSet<String> = [ACTIVE, APPLICATION, RESTRICTED, DEPRECATED, RETIRED]
        .map(String::from)
        .into();
    let mut in_use = all.clone();
    in_use.remove(RETIRED);
    for format in Format::ALL {
        let expected = match format {
            // The canonical catalog keeps every name ever published; Entra disables instead.
            Format::Canonical | Format::Entra => &all,
            _ => &in_use,
        };
        assert_eq!(&names(format), expected, "{format}");
    }
}

#[test]
fn deprecated_scopes_say_so_in_their_description() {
    let note = "[deprecated: sunset 2027-03-31, use accounts:profile:read]";
    for format in Format::ALL {
        if matches!(format, Format::Canonical | Format::Rfc8414) {
            continue; // no descriptions
        }
        let text = rendered(format);
        assert!(text.contains(note), "{format}: no deprecation note");
    }
}

fn by<'a>(list: &'a Value, key: &str, name: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|s| s[key] == name)
        .unwrap_or_else(|| panic!("no scope `{name}`"))
}

#[test]
fn keycloak_client_scopes_have_protocol_consent_attributes_and_audience_mappers() {
    let doc = json(Format::Keycloak);
    let scopes = &doc["clientScopes"];
    for scope in scopes.as_array().unwrap() {
        assert_eq!(scope["protocol"], "openid-connect");
        let attributes = scope["attributes"].as_object().unwrap();
        // Keycloak attributes are strings, booleans included.
        assert!(attributes.values().all(Value::is_string), "{scope}");
        assert_eq!(attributes["include.in.token.scope"], "true");
        let mapper = &scope["protocolMappers"][0];
        assert_eq!(mapper["protocolMapper"], "oidc-audience-mapper");
        assert_eq!(mapper["protocol"], "openid-connect");
    }
    let restricted = by(scopes, "name", RESTRICTED);
    assert_eq!(
        restricted["protocolMappers"][0]["config"]["included.custom.audience"],
        "https://payments.example.com"
    );
    assert_eq!(
        by(scopes, "name", ACTIVE)["protocolMappers"][0]["config"]["included.custom.audience"],
        "https://api.example.com",
        "a scope without an audience gets the default audience"
    );
    let application = by(scopes, "name", APPLICATION);
    assert_eq!(
        application["attributes"]["display.on.consent.screen"],
        "false"
    );
    assert!(
        application["attributes"]
            .get("consent.screen.text")
            .is_none()
    );
    let active = by(scopes, "name", ACTIVE);
    assert_eq!(active["attributes"]["display.on.consent.screen"], "true");
    assert_eq!(
        active["attributes"]["consent.screen.text"],
        "Read your profile"
    );
}

#[test]
fn keycloak_without_any_audience_has_no_mapper() {
    let doc = CatalogDocument {
        version: 1,
        scopes: vec![ScopeDefinition::named("a:b:read")],
    };
    let out = render(Format::Keycloak, &doc, &ExportOptions::default()).unwrap();
    let value: Value = serde_json::from_str(&out).unwrap();
    assert!(value["clientScopes"][0].get("protocolMappers").is_none());
}

#[test]
fn okta_scopes_have_documented_enums_and_hide_deprecated_ones() {
    let doc = json(Format::Okta);
    for scope in doc.as_array().unwrap() {
        assert!(scope["name"].is_string() && scope["description"].is_string());
        assert!(["REQUIRED", "IMPLICIT", "FLEXIBLE"].contains(&scope["consent"].as_str().unwrap()));
        assert!(
            ["ALL_CLIENTS", "NO_CLIENTS"].contains(&scope["metadataPublish"].as_str().unwrap())
        );
        assert_eq!(scope["system"], false);
        assert_eq!(scope["default"], false);
    }
    assert_eq!(
        by(&doc, "name", DEPRECATED)["metadataPublish"],
        "NO_CLIENTS"
    );
    assert_eq!(by(&doc, "name", ACTIVE)["metadataPublish"], "ALL_CLIENTS");
    assert_eq!(by(&doc, "name", ACTIVE)["consent"], "REQUIRED");
    assert_eq!(by(&doc, "name", APPLICATION)["consent"], "IMPLICIT");
}

#[test]
fn auth0_scopes_have_value_and_description() {
    let doc = json(Format::Auth0);
    for scope in doc["scopes"].as_array().unwrap() {
        assert_eq!(scope.as_object().unwrap().len(), 2, "{scope}");
        assert!(scope["value"].is_string() && scope["description"].is_string());
    }
}

#[test]
fn entra_permissions_have_stable_uuid_v5_ids_and_required_fields() {
    let doc = json(Format::Entra);
    let scopes = &doc["oauth2PermissionScopes"];
    let mut ids = BTreeSet::new();
    for scope in scopes.as_array().unwrap() {
        for field in [
            "adminConsentDisplayName",
            "adminConsentDescription",
            "userConsentDisplayName",
            "userConsentDescription",
            "value",
        ] {
            assert!(scope[field].is_string(), "{field} in {scope}");
        }
        assert!(["User", "Admin"].contains(&scope["type"].as_str().unwrap()));
        assert!(scope["isEnabled"].is_boolean());
        let id = uuid::Uuid::parse_str(scope["id"].as_str().unwrap()).unwrap();
        assert_eq!(id.get_version_num(), 5);
        assert_eq!(id, entra_scope_id(scope["value"].as_str().unwrap()));
        ids.insert(id);
    }
    assert_eq!(
        ids.len(),
        scopes.as_array().unwrap().len(),
        "ids differ by name"
    );
    // The ids are forever: a changed namespace or derivation would orphan every consent grant.
    assert_eq!(
        ENTRA_SCOPE_ID_NAMESPACE.to_string(),
        "50920a52-5f30-412a-94bf-3d8a2fee98df"
    );
    assert_eq!(entra_scope_id(ACTIVE), entra_scope_id(ACTIVE));
    assert_ne!(entra_scope_id(ACTIVE), entra_scope_id(DEPRECATED));

    assert_eq!(by(scopes, "value", RETIRED)["isEnabled"], false);
    assert_eq!(by(scopes, "value", DEPRECATED)["isEnabled"], true);
    assert_eq!(by(scopes, "value", ACTIVE)["type"], "User");
    assert_eq!(by(scopes, "value", APPLICATION)["type"], "Admin");
    assert_eq!(by(scopes, "value", RESTRICTED)["type"], "Admin");
}

fn cognito_name_ok(name: &str) -> bool {
    (1..=256).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| matches!(c, '\x21' | '\x23'..='\x2E' | '\x30'..='\x5B' | '\x5D'..='\x7E'))
}

#[test]
fn cognito_scopes_follow_its_documented_pattern_and_lengths() {
    let doc = json(Format::Cognito);
    for scope in doc["Scopes"].as_array().unwrap() {
        let name = scope["ScopeName"].as_str().unwrap();
        assert!(cognito_name_ok(name), "{name}");
        let len = scope["ScopeDescription"].as_str().unwrap().chars().count();
        assert!((1..=256).contains(&len), "{scope}");
    }
    // Names outside the pattern are adapted, long descriptions cut.
    let odd = ScopeDefinition {
        description: Some("x".repeat(400)),
        ..ScopeDefinition::named("files/shared read")
    };
    let doc = CatalogDocument {
        version: 1,
        scopes: vec![odd],
    };
    let out: Value =
        serde_json::from_str(&render(Format::Cognito, &doc, &options()).unwrap()).unwrap();
    let scope = &out["Scopes"][0];
    assert_eq!(scope["ScopeName"], "files_shared_read");
    assert_eq!(
        scope["ScopeDescription"].as_str().unwrap().chars().count(),
        256
    );
}

#[test]
fn cognito_refuses_names_that_would_collide() {
    let doc = CatalogDocument {
        version: 1,
        scopes: vec![
            ScopeDefinition::named("files/read"),
            ScopeDefinition::named("files\\read"),
        ],
    };
    assert!(matches!(
        render(Format::Cognito, &doc, &options()),
        Err(ExportError::Unrepresentable { .. })
    ));
}

#[test]
fn curity_scopes_have_id_and_metadata_flags() {
    let doc = json(Format::Curity);
    let scopes = &doc["scope"];
    for scope in scopes.as_array().unwrap() {
        assert!(scope["id"].is_string());
        assert_eq!(scope["is-prefix"], false);
        assert!(scope["expose-in-metadata"].is_boolean());
    }
    assert_eq!(by(scopes, "id", DEPRECATED)["expose-in-metadata"], false);
    assert_eq!(by(scopes, "id", ACTIVE)["expose-in-metadata"], true);
}

#[test]
fn rfc8414_lists_scope_values_only() {
    let doc = json(Format::Rfc8414);
    assert_eq!(doc.as_object().unwrap().len(), 1);
    assert!(
        doc["scopes_supported"]
            .as_array()
            .unwrap()
            .iter()
            .all(Value::is_string)
    );
}

#[test]
fn openapi_flows_have_their_urls_and_scopes() {
    let doc = json(Format::Openapi);
    let scheme = &doc["components"]["securitySchemes"]["oauth2"];
    assert_eq!(scheme["type"], "oauth2");
    let cc = &scheme["flows"]["clientCredentials"];
    assert_eq!(cc["tokenUrl"], "https://auth.example.com/oauth2/token");
    assert!(cc.get("authorizationUrl").is_none());
    let code = &scheme["flows"]["authorizationCode"];
    assert_eq!(
        code["authorizationUrl"],
        "https://auth.example.com/oauth2/authorize"
    );
    assert_eq!(code["tokenUrl"], "https://auth.example.com/oauth2/token");
    assert_eq!(code["scopes"], cc["scopes"]);
    assert_eq!(
        cc["scopes"][APPLICATION],
        "Synchronise invoices between billing systems"
    );

    let no_authorization_url = ExportOptions {
        authorization_url: None,
        ..options()
    };
    let out: Value = serde_json::from_str(
        &render(Format::Openapi, &example_catalog(), &no_authorization_url).unwrap(),
    )
    .unwrap();
    assert!(
        out["components"]["securitySchemes"]["oauth2"]["flows"]
            .get("authorizationCode")
            .is_none()
    );
}

#[test]
fn openapi_without_a_token_url_is_an_error_not_an_invalid_document() {
    let err = render(
        Format::Openapi,
        &example_catalog(),
        &ExportOptions::default(),
    );
    assert!(matches!(
        err,
        Err(ExportError::MissingOption {
            option: "token_url",
            ..
        })
    ));
}

#[test]
fn canonical_is_the_catalog_document_itself() {
    assert_eq!(
        rendered(Format::Canonical),
        example_catalog().to_canonical_json()
    );
}
