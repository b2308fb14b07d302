//! Demo mode: try the registry on one machine without an identity provider. It is off unless
//! asked for (`serve --demo`), listens on loopback only, says so in every response, trusts only
//! its own issuer (whose key lives in the database, so `demo-token` can mint tokens for it), and
//! seeds example domains, scopes and personas.

use scope_lint::{Classification, Consent, ScopeDefinition, Usage};
use scope_registry_frontend::api::{ChangeItem, ChangeRequestInput};
use serde_json::json;

use crate::auth::jwt::TokenMinter;
use crate::auth::principal::{Permission, Principal};
use crate::config::DEMO_ISSUER;
use crate::db::DbConnection;
use crate::db::models::domain::{self, DomainRow};
use crate::db::models::{setting, to_json_text};
use crate::error::ApiError;
use crate::requests;
use crate::state::{AppState, now_ms};
use crate::workflow::Verdict;

const KEY_SETTING: &str = "demo.signing_key";
const KEY_ID: &str = "demo-1";

/// A seeded person.
#[derive(Clone, Copy, Debug)]
pub struct Persona {
    pub id: &'static str,
    pub name: &'static str,
    pub role: &'static str,
    pub groups: &'static [&'static str],
    pub permissions: &'static [Permission],
}

pub const PERSONAS: &[Persona] = &[
    Persona {
        id: "alice",
        name: "Alice Ng",
        role: "ecommerce team member: proposes scopes in the ecommerce domain",
        groups: &["team-ecommerce"],
        permissions: &[Permission::CatalogRead, Permission::ChangeRequestsWrite],
    },
    Persona {
        id: "bob",
        name: "Bob Okafor",
        role: "ecommerce reviewer: reviews the ecommerce domain's change requests",
        groups: &["ecommerce-reviewers"],
        permissions: &[
            Permission::CatalogRead,
            Permission::ChangeRequestsWrite,
            Permission::ReviewsWrite,
        ],
    },
    Persona {
        id: "carol",
        name: "Carol Haddad",
        role: "security reviewer: reviews any domain, needed for restricted scopes",
        groups: &["security-reviewers"],
        permissions: &[
            Permission::CatalogRead,
            Permission::ChangeRequestsWrite,
            Permission::ReviewsWrite,
        ],
    },
    Persona {
        id: "dave",
        name: "Dave Lindqvist",
        role: "registry admin: manages domains, owners and reviewers; reads the audit log",
        groups: &["registry-admins"],
        permissions: &[
            Permission::CatalogRead,
            Permission::ChangeRequestsWrite,
            Permission::ReviewsWrite,
            Permission::DomainsManage,
        ],
    },
    Persona {
        id: "erin",
        name: "Erin Costa",
        role: "billing team member: proposes scopes in the billing domain",
        groups: &["team-billing"],
        permissions: &[Permission::CatalogRead, Permission::ChangeRequestsWrite],
    },
];

pub fn persona(id: &str) -> Option<&'static Persona> {
    PERSONAS.iter().find(|p| p.id == id)
}

/// The demo issuer's signing key: created on first use and kept in the database.
pub fn signing_key(conn: &mut DbConnection) -> Result<TokenMinter, ApiError> {
    let fresh = TokenMinter::generate(KEY_ID).map_err(ApiError::internal)?;
    let pem = conn.write(|c| {
        Ok::<_, ApiError>(setting::get_or_insert(
            c,
            KEY_SETTING,
            &fresh.to_pkcs8_pem(),
        )?)
    })?;
    TokenMinter::from_pkcs8_pem(KEY_ID, &pem).map_err(ApiError::internal)
}

/// An access token for a persona, valid for `hours`.
pub fn token(
    minter: &TokenMinter,
    persona: &Persona,
    audience: &str,
    hours: i64,
) -> Result<String, ApiError> {
    let now = now_ms() / 1000;
    let scope: Vec<&str> = persona.permissions.iter().map(|p| p.scope()).collect();
    minter
        .mint(&json!({
            "iss": DEMO_ISSUER,
            "sub": persona.id,
            "aud": audience,
            "client_id": "scope-registry-demo",
            "iat": now,
            "nbf": now,
            "exp": now + hours * 3600,
            "jti": uuid::Uuid::new_v4().to_string(),
            "scope": scope.join(" "),
            "groups": persona.groups,
            "name": persona.name,
        }))
        .map_err(ApiError::internal)
}

fn principal(persona: &Persona, st: &AppState) -> Principal {
    Principal {
        subject: persona.id.to_owned(),
        name: persona.name.to_owned(),
        groups: persona.groups.iter().map(|g| (*g).to_owned()).collect(),
        scopes: persona
            .permissions
            .iter()
            .map(|p| p.scope().to_owned())
            .collect(),
        admin: persona.groups.contains(&st.settings.admin_group.as_str()),
        security_reviewer: persona
            .groups
            .contains(&st.settings.security_reviewer_group.as_str()),
    }
}

fn definition(
    name: &str,
    description: &str,
    class: Classification,
    display: &str,
    user_text: &str,
) -> ScopeDefinition {
    ScopeDefinition {
        description: Some(description.to_owned()),
        classification: Some(class),
        consent: Some(Consent {
            display_name: Some(display.to_owned()),
            user_text: Some(user_text.to_owned()),
            admin_text: None,
        }),
        usage: Some(Usage::Delegated),
        ..ScopeDefinition::named(name)
    }
}

/// Seeds domains and a first published catalog, unless the database has domains already.
pub fn seed(conn: &mut DbConnection, st: &AppState) -> Result<bool, ApiError> {
    let now = now_ms();
    let domains = [
        (
            "ecommerce",
            "Orders, carts, returns and the shop front.",
            "team-ecommerce",
            "ecommerce-reviewers",
            "https://api.example.com/ecommerce",
        ),
        (
            "billing",
            "Invoices, payments and refunds.",
            "team-billing",
            "billing-reviewers",
            "https://api.example.com/billing",
        ),
        (
            "identity",
            "Users, groups and sign-in settings.",
            "team-identity",
            "identity-reviewers",
            "https://api.example.com/identity",
        ),
    ];
    // Checked and created in one transaction under the write lock: of several replicas starting
    // at once, exactly one seeds.
    let seeding = conn.write(|c| {
        if !domain::list(c)?.is_empty() {
            return Ok::<_, ApiError>(false);
        }
        for (name, description, owners, reviewers, audience) in domains {
            domain::insert(
                c,
                &DomainRow {
                    id: uuid::Uuid::new_v4().to_string(),
                    name: name.to_owned(),
                    description: description.to_owned(),
                    owners: to_json_text(&[owners]),
                    reviewers: to_json_text(&[reviewers]),
                    audience: Some(audience.to_owned()),
                    created_at: now,
                    updated_at: now,
                },
            )?;
            crate::audit::record(
                c,
                now,
                crate::audit::NewEvent {
                    actor: "scope-registry-demo",
                    action: "domain.created",
                    target_type: "domain",
                    target_id: name,
                    before: None,
                    after: Some(
                        json!({ "name": name, "owners": [owners], "reviewers": [reviewers] }),
                    ),
                },
            )?;
        }
        Ok(true)
    })?;
    if !seeding {
        return Ok(false);
    }
    let (alice, bob, dave, carol) = (
        principal(&PERSONAS[0], st),
        principal(&PERSONAS[1], st),
        principal(&PERSONAS[3], st),
        principal(&PERSONAS[2], st),
    );
    let add = |d: ScopeDefinition| ChangeItem {
        kind: "add".into(),
        name: d.name.clone(),
        definition: Some(d),
        sunset: None,
        replacement: None,
    };
    let ecommerce = vec![
        add(definition(
            "ecommerce:orders:read",
            "Read orders, their line items and delivery status; not payment details.",
            Classification::Internal,
            "See your orders",
            "See your orders, what is in them and where they are.",
        )),
        add(definition(
            "ecommerce:orders:create",
            "Place orders on the customer's behalf.",
            Classification::Confidential,
            "Place orders",
            "Place orders for you.",
        )),
        add(definition(
            "ecommerce:carts:update",
            "Add, change and remove items in the customer's cart.",
            Classification::Internal,
            "Change your cart",
            "Add and remove items in your cart.",
        )),
        add(definition(
            "ecommerce:returns:create",
            "Open a return for a delivered order and print its label.",
            Classification::Internal,
            "Return your orders",
            "Start a return for something you ordered.",
        )),
    ];
    let billing = vec![
        add(definition(
            "billing:invoices:read",
            "Read invoices and credit notes, with amounts and tax.",
            Classification::Confidential,
            "See your invoices",
            "See your invoices and credit notes.",
        )),
        add(definition(
            "billing:refunds:create",
            "Refund a payment in full or in part.",
            Classification::Confidential,
            "Refund payments",
            "Refund payments you made.",
        )),
    ];
    let today = time::OffsetDateTime::now_utc().date();
    for (domain, items, author, reviewers) in [
        ("ecommerce", ecommerce, &alice, vec![&bob, &carol]),
        ("billing", billing, &dave, vec![&carol]),
    ] {
        let input = ChangeRequestInput {
            domain: domain.into(),
            title: format!("Initial {domain} scopes"),
            description: "Seeded by demo mode.".into(),
            items,
        };
        let stored = requests::create(conn, st, author, input)?;
        let id = stored.row.id.clone();
        requests::submit(conn, st, author, &id)?;
        for reviewer in reviewers {
            requests::review(
                conn,
                st,
                reviewer,
                &id,
                Verdict::Approve,
                "Looks right.".into(),
            )?;
        }
        let (_, snapshot) = requests::publish(conn, st, author, &id, today)?;
        st.catalog.offer(snapshot);
    }
    Ok(true)
}
