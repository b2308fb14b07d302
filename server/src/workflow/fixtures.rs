//! Builders for the workflow's tests: people, a domain, scopes, a policy.
//!
//! The cast: alice proposes in `ecommerce` (tom is on her team), bob and dave review it, carol
//! is a security reviewer, erin is an admin, mallory belongs elsewhere.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use scope_lint::{Classification, Consent, Deprecation, Policy, ScopeDefinition, Status};
use time::Date;

use super::items::parse_date;
use super::model::{Actor, ChangeRequestStatus, DomainRoles, Item};
use super::publish::PublishContext;
use super::request::ChangeRequest;

fn actor(subject: &str, groups: &[&str], admin: bool) -> Actor {
    Actor {
        subject: subject.into(),
        groups: groups.iter().map(|g| (*g).to_owned()).collect(),
        admin,
    }
}

/// Member of the ecommerce team: may propose. The author of most requests here.
pub fn alice() -> Actor {
    actor("alice", &["team-ecommerce"], false)
}

/// Alice's teammate: may propose, but did not write alice's requests.
pub fn alice_teammate() -> Actor {
    actor("tom", &["team-ecommerce"], false)
}

/// Ecommerce reviewer.
pub fn bob() -> Actor {
    actor("bob", &["reviewers-ecommerce"], false)
}

/// Another ecommerce reviewer.
pub fn dave() -> Actor {
    actor("dave", &["reviewers-ecommerce"], false)
}

/// Security reviewer (registry-wide).
pub fn carol() -> Actor {
    actor("carol", &["security"], false)
}

/// Platform admin, in no domain group.
pub fn erin() -> Actor {
    actor("erin", &["platform-admins"], true)
}

/// Belongs to another domain's team.
pub fn mallory() -> Actor {
    actor("mallory", &["team-billing"], false)
}

pub fn ecommerce_roles() -> DomainRoles {
    DomainRoles {
        domain: "ecommerce".into(),
        owners: vec!["team-ecommerce".into()],
        reviewers: vec!["reviewers-ecommerce".into()],
        security_reviewers: vec!["security".into()],
    }
}

/// A complete definition, as an `add` or `update` item carries it.
pub fn def(name: &str, class: Classification) -> ScopeDefinition {
    ScopeDefinition {
        description: Some(format!("Lets an application {name}")),
        consent: Some(Consent {
            display_name: Some(name.to_owned()),
            user_text: Some(format!("Allow this app to {name}")),
            admin_text: None,
        }),
        classification: Some(class),
        audience: Some("https://api.example.com/ecommerce".into()),
        ..ScopeDefinition::named(name)
    }
}

/// An active scope as the catalog holds it, published in `version`.
pub fn released(name: &str, class: Classification, version: u64) -> ScopeDefinition {
    ScopeDefinition {
        introduced_in: Some(version),
        changed_in: Some(version),
        ..def(name, class)
    }
}

/// An internal scope introduced in version 2 and deprecated in `version`.
pub fn deprecated(name: &str, version: u64, sunset: &str, replacement: &str) -> ScopeDefinition {
    ScopeDefinition {
        status: Status::Deprecated,
        deprecation: Some(Deprecation {
            sunset: Some(sunset.into()),
            replacement: Some(replacement.into()),
        }),
        changed_in: Some(version),
        ..released(name, Classification::Internal, 2)
    }
}

/// A scope retired in `version`.
pub fn retired(name: &str, version: u64) -> ScopeDefinition {
    ScopeDefinition {
        status: Status::Retired,
        ..deprecated(name, version, "2025-01-31", "ecommerce:orders:read")
    }
}

pub fn catalog(
    scopes: impl IntoIterator<Item = ScopeDefinition>,
) -> BTreeMap<String, ScopeDefinition> {
    scopes.into_iter().map(|s| (s.name.clone(), s)).collect()
}

/// public and internal need one approval, confidential two, restricted two with a security
/// reviewer among them.
const POLICY_TOML: &str = r#"
[approvals.public]
required = 1
[approvals.internal]
required = 1
[approvals.confidential]
required = 2
[approvals.restricted]
required = 2
security_review = true
"#;

static POLICY: LazyLock<Policy> = LazyLock::new(policy);

pub fn policy() -> Policy {
    Policy::from_toml(POLICY_TOML).unwrap()
}

pub fn date(text: &str) -> Date {
    parse_date(text).unwrap()
}

/// Publishing against `current` at `version`, on 2025-06-01, with a clean lint.
pub fn context(current: &BTreeMap<String, ScopeDefinition>, version: u64) -> PublishContext<'_> {
    PublishContext {
        policy: &POLICY,
        current,
        current_version: version,
        today: date("2025-06-01"),
        lint_errors: 0,
    }
}

/// Alice's submitted request, revision 1, based on version 5, with `items` as given (not
/// validated, so tests can hold items the API would refuse).
pub fn open_request(items: Vec<Item>) -> ChangeRequest {
    ChangeRequest {
        status: ChangeRequestStatus::Open,
        author: "alice".into(),
        revision: 1,
        base_version: 5,
        items,
        reviews: Vec::new(),
    }
}
