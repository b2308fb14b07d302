//! The nouns of the workflow: statuses, items, reviews, and who acts.

use std::fmt;
use std::str::FromStr;

use scope_lint::ScopeDefinition;
use serde::{Deserialize, Serialize};

/// A stored or submitted word that names none of an enum's values.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{value}`; expected one of: {}", .expected.join(", "))]
pub struct UnknownValue {
    /// What was being parsed (`change request status`, `item kind`, `verdict`).
    pub what: &'static str,
    pub value: String,
    pub expected: &'static [&'static str],
}

/// A fieldless enum with a stable snake_case spelling: the one in the database and on the wire.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident as $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];
            const NAMES: &'static [&'static str] = &[$($text),+];

            /// The snake_case spelling stored in the database and used in the API.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok(Self::$variant),)+
                    _ => Err(UnknownValue {
                        what: $what,
                        value: s.to_owned(),
                        expected: Self::NAMES,
                    }),
                }
            }
        }
    };
}

string_enum! {
    /// Where a change request stands (DESIGN.md §4).
    ///
    /// `draft` → `open` → `approved` → `published`; from `open` (or `approved`) a reviewer
    /// may request changes or reject; the author may withdraw before publication.
    pub enum ChangeRequestStatus as "change request status" {
        /// Being written; nobody reviews it yet.
        Draft => "draft",
        /// Submitted with a clean lint result, waiting for reviews.
        Open => "open",
        /// A reviewer asked for changes; the author edits and resubmits.
        ChangesRequested => "changes_requested",
        /// Has the approvals its classification needs; may be published.
        Approved => "approved",
        /// Refused by a reviewer. Terminal.
        Rejected => "rejected",
        /// Taken back by its author (or an admin). Terminal.
        Withdrawn => "withdrawn",
        /// Applied to the catalog as a new version. Terminal.
        Published => "published",
    }
}

impl ChangeRequestStatus {
    /// Whether nothing can happen to the request any more.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Rejected | Self::Withdrawn | Self::Published)
    }
}

string_enum! {
    /// What an item does to the catalog.
    pub enum ItemKind as "item kind" {
        /// A new scope.
        Add => "add",
        /// New metadata for an existing scope (its name never changes).
        Update => "update",
        /// Marks a scope deprecated, with a sunset date and a replacement.
        Deprecate => "deprecate",
        /// Retires a deprecated scope once its sunset date has come. The name is never reused.
        Retire => "retire",
    }
}

impl ItemKind {
    /// "added", "updated", … for messages.
    pub fn past_participle(self) -> &'static str {
        match self {
            Self::Add => "added",
            Self::Update => "updated",
            Self::Deprecate => "deprecated",
            Self::Retire => "retired",
        }
    }
}

string_enum! {
    /// A reviewer's decision.
    pub enum Verdict as "verdict" {
        Approve => "approve",
        RequestChanges => "request_changes",
        Reject => "reject",
    }
}

string_enum! {
    /// What somebody tries to do to a change request; named in refusals.
    pub enum Action as "action" {
        Edit => "edit",
        Submit => "submit",
        Withdraw => "withdraw",
        Review => "review",
        Publish => "publish",
    }
}

impl Action {
    /// The statuses a request may be in for this action. The single source of truth for the
    /// state machine's edges; refusals quote it.
    pub fn allowed_from(self) -> &'static [ChangeRequestStatus] {
        use ChangeRequestStatus::*;
        match self {
            Self::Edit => &[Draft, ChangesRequested, Open],
            Self::Submit => &[Draft, ChangesRequested],
            Self::Withdraw => &[Draft, Open, ChangesRequested, Approved],
            Self::Review => &[Open, Approved],
            Self::Publish => &[Approved],
        }
    }

    /// "edited", "submitted", … for messages.
    pub fn past_participle(self) -> &'static str {
        match self {
            Self::Edit => "edited",
            Self::Submit => "submitted",
            Self::Withdraw => "withdrawn",
            Self::Review => "reviewed",
            Self::Publish => "published",
        }
    }
}

/// One change to the catalog inside a change request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub kind: ItemKind,
    /// The scope the item is about (`domain:resource:action`).
    pub name: String,
    /// `add` and `update`: the complete new definition; its `name` equals [`Item::name`].
    /// The registry manages `status`, `deprecation`, `introduced_in` and `changed_in`; a
    /// definition leaves them out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<ScopeDefinition>,
    /// `deprecate`: the date (`YYYY-MM-DD`) from which the scope may be retired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sunset: Option<String>,
    /// `deprecate`: the scope clients should use instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
}

impl Item {
    /// An `add` of `definition`.
    pub fn add(definition: ScopeDefinition) -> Self {
        Self {
            kind: ItemKind::Add,
            name: definition.name.clone(),
            definition: Some(definition),
            sunset: None,
            replacement: None,
        }
    }

    /// An `update` to `definition`.
    pub fn update(definition: ScopeDefinition) -> Self {
        Self {
            kind: ItemKind::Update,
            ..Self::add(definition)
        }
    }

    /// A `deprecate` of `name` with its sunset date and replacement.
    pub fn deprecate(
        name: impl Into<String>,
        sunset: impl Into<String>,
        replacement: impl Into<String>,
    ) -> Self {
        Self {
            kind: ItemKind::Deprecate,
            name: name.into(),
            definition: None,
            sunset: Some(sunset.into()),
            replacement: Some(replacement.into()),
        }
    }

    /// A `retire` of `name`.
    pub fn retire(name: impl Into<String>) -> Self {
        Self {
            kind: ItemKind::Retire,
            name: name.into(),
            definition: None,
            sunset: None,
            replacement: None,
        }
    }
}

/// One reviewer's decision on one revision of a change request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// The reviewer's subject (`sub` claim).
    pub reviewer: String,
    pub verdict: Verdict,
    /// Whether the reviewer was in the security reviewer group when reviewing.
    pub security: bool,
    /// The [`ChangeRequest::revision`](super::ChangeRequest::revision) reviewed.
    pub revision: u32,
    /// Replaced by the reviewer's later review, or an approval dismissed by an edit.
    pub dismissed: bool,
}

/// Who acts, as the token's claims say.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub subject: String,
    pub groups: Vec<String>,
    /// A platform admin (manages domains; may propose anywhere, withdraw and publish any request).
    pub admin: bool,
}

impl Actor {
    /// Whether the actor is in at least one of `groups`.
    pub fn in_any(&self, groups: &[String]) -> bool {
        self.groups.iter().any(|g| groups.contains(g))
    }
}

/// Who may do what in one domain: group names, as they appear in the actor's group claim.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainRoles {
    /// The domain's name, the first segment of its scopes (`ecommerce`).
    pub domain: String,
    /// Members may propose changes to the domain.
    pub owners: Vec<String>,
    /// Members may review the domain's change requests.
    pub reviewers: Vec<String>,
    /// The registry-wide security reviewer group(s): may review any domain's change requests,
    /// and their approval is the one a security review requires.
    pub security_reviewers: Vec<String>,
}

impl DomainRoles {
    pub fn is_owner(&self, actor: &Actor) -> bool {
        actor.in_any(&self.owners)
    }

    pub fn is_domain_reviewer(&self, actor: &Actor) -> bool {
        actor.in_any(&self.reviewers)
    }

    pub fn is_security_reviewer(&self, actor: &Actor) -> bool {
        actor.in_any(&self.security_reviewers)
    }

    /// A domain reviewer or a security reviewer. Being an admin is not enough.
    pub fn may_review(&self, actor: &Actor) -> bool {
        self.is_domain_reviewer(actor) || self.is_security_reviewer(actor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_through_their_stored_spelling() {
        for status in ChangeRequestStatus::ALL {
            assert_eq!(status.as_str().parse::<ChangeRequestStatus>(), Ok(*status));
            let json = serde_json::to_string(status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
        }
        assert_eq!(
            ChangeRequestStatus::ChangesRequested.as_str(),
            "changes_requested"
        );
    }

    #[test]
    fn kinds_verdicts_and_actions_round_trip() {
        for kind in ItemKind::ALL {
            assert_eq!(kind.as_str().parse::<ItemKind>(), Ok(*kind));
        }
        for verdict in Verdict::ALL {
            assert_eq!(verdict.as_str().parse::<Verdict>(), Ok(*verdict));
            let json = serde_json::to_string(verdict).unwrap();
            assert_eq!(json, format!("\"{}\"", verdict.as_str()));
        }
        for action in Action::ALL {
            assert_eq!(action.as_str().parse::<Action>(), Ok(*action));
        }
    }

    #[test]
    fn an_unknown_word_is_refused_with_the_expected_ones() {
        let err = "merged".parse::<ChangeRequestStatus>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown change request status `merged`; expected one of: draft, open, \
             changes_requested, approved, rejected, withdrawn, published"
        );
        assert!("Approve".parse::<Verdict>().is_err(), "spelling is exact");
    }

    #[test]
    fn terminal_statuses_are_the_ones_nothing_leaves() {
        let terminal: Vec<_> = ChangeRequestStatus::ALL
            .iter()
            .filter(|s| s.is_terminal())
            .collect();
        assert_eq!(
            terminal,
            [
                &ChangeRequestStatus::Rejected,
                &ChangeRequestStatus::Withdrawn,
                &ChangeRequestStatus::Published
            ]
        );
        for action in Action::ALL {
            assert!(action.allowed_from().iter().all(|s| !s.is_terminal()));
        }
    }

    #[test]
    fn an_item_refuses_unknown_fields() {
        let err = serde_json::from_str::<Item>(
            r#"{"kind":"retire","name":"ecommerce:orders:read","status":"approved"}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("unknown field `status`"), "{err}");
        let item: Item =
            serde_json::from_str(r#"{"kind":"retire","name":"ecommerce:orders:read"}"#).unwrap();
        assert_eq!(item, Item::retire("ecommerce:orders:read"));
    }

    #[test]
    fn admins_are_not_reviewers_by_being_admins() {
        let roles = DomainRoles {
            domain: "ecommerce".into(),
            owners: vec!["team-ecommerce".into()],
            reviewers: vec!["reviewers-ecommerce".into()],
            security_reviewers: vec!["security".into()],
        };
        let admin = Actor {
            subject: "erin".into(),
            groups: vec!["platform-admins".into()],
            admin: true,
        };
        assert!(!roles.may_review(&admin));
        let sec = Actor {
            subject: "carol".into(),
            groups: vec!["security".into()],
            admin: false,
        };
        assert!(roles.may_review(&sec) && roles.is_security_reviewer(&sec));
        assert!(!roles.is_domain_reviewer(&sec));
    }
}
