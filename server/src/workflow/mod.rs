//! The change-request workflow (DESIGN.md §3–4): a pure state machine with no I/O, no
//! database and no clock. Callers load what it needs (the request, the domain's roles, the
//! current catalog, the policy, today's date), call one operation, and store the result and the
//! returned [`Event`]s in one transaction.
//!
//! | operation | from | to | who |
//! |---|---|---|---|
//! | [`ChangeRequest::new_draft`] | — | `draft` | a domain owner or an admin |
//! | [`edit`](ChangeRequest::edit) | `draft`, `changes_requested`, `open` | unchanged, but `open` → `draft` | the author (still an owner) |
//! | [`submit`](ChangeRequest::submit) | `draft`, `changes_requested` | `open` (items present, lint clean) | the author |
//! | [`review`](ChangeRequest::review) `approve` | `open`, `approved` | `approved` when the requirement is met, else `open` | a reviewer, not the author |
//! | [`review`](ChangeRequest::review) `request_changes` | `open`, `approved` | `changes_requested` | a reviewer, not the author |
//! | [`review`](ChangeRequest::review) `reject` | `open`, `approved` | `rejected` | a reviewer, not the author |
//! | [`withdraw`](ChangeRequest::withdraw) | any but the three terminal ones | `withdrawn` | the author or an admin |
//! | [`plan_publish`](ChangeRequest::plan_publish), then [`publish`](ChangeRequest::publish) | `approved` | `published` | the author, a reviewer, a security reviewer or an admin |
//!
//! `rejected`, `withdrawn` and `published` are terminal.
//!
//! Rules that hold throughout:
//! - Four eyes: the author never reviews their own request, not even as an admin; reviewers come
//!   from the domain's reviewer groups or the security reviewer group.
//! - Editing dismisses every standing approval; approvals count only for the revision reviewed.
//! - The approvals needed follow the highest classification in the request, from the policy,
//!   raised for breaking changes ([`BREAKING_CHANGE_APPROVALS`]).
//! - Publishing applies all items or none, against the current catalog, and makes exactly one
//!   new catalog version; a retired name is never reused.

mod approval;
mod error;
mod event;
mod items;
mod model;
mod publish;
mod request;

#[cfg(test)]
mod fixtures;

pub use approval::{
    ApprovalRequirement, ApprovalStatus, BREAKING_CHANGE_APPROVALS, BreakingChange,
    DEFAULT_CLASSIFICATION,
};
pub use error::{Conflict, ConflictKind, ErrorCategory, InvalidItem, WorkflowError};
pub use event::Event;
pub use items::{MAX_ITEMS, SEPARATOR, domain_of, parse_date, validate_items};
pub use model::{
    Action, Actor, ChangeRequestStatus, DomainRoles, Item, ItemKind, Review, UnknownValue, Verdict,
};
pub use publish::{PublishContext, PublishPlan, ScopeChange};
pub use request::ChangeRequest;
