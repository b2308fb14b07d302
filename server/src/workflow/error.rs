//! Why the workflow refuses something. Every refusal has a stable code and a message a person
//! can act on; the API shows both (problem+json).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::model::{Action, ChangeRequestStatus};

/// How an API maps a refusal to an HTTP status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCategory {
    /// The actor may not do this (403).
    Forbidden,
    /// The request's state or the catalog does not allow it now (409).
    Conflict,
    /// What was sent is not acceptable (422).
    Invalid,
}

/// A refusal. The change request is left exactly as it was.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error(
        "only members of an owner group of domain `{domain}` (or an admin) may propose changes \
         to it"
    )]
    NotOwner { domain: String },

    #[error("{}", not_author_message(*.action))]
    NotAuthor { action: Action },

    #[error(
        "only members of a reviewer group of domain `{domain}` or of the security reviewer group \
         may review its change requests"
    )]
    NotReviewer { domain: String },

    #[error("nobody approves their own change request: its author cannot review it")]
    SelfReview,

    #[error(
        "only the author, a reviewer of domain `{domain}`, a security reviewer or an admin may \
         publish this change request"
    )]
    NotAllowedToPublish { domain: String },

    #[error("{}", invalid_transition_message(*.from, *.action))]
    InvalidTransition {
        from: ChangeRequestStatus,
        action: Action,
    },

    #[error("a change request needs at least one item before it can be submitted")]
    EmptyRequest,

    #[error("{}", lint_errors_message(*.count, *.action))]
    LintErrors {
        count: usize,
        /// What the errors block: submit, or publish against a catalog that moved on.
        action: Action,
    },

    #[error("a change request holds at most {max} items; this one has {count}")]
    TooManyItems { count: usize, max: usize },

    #[error("{}", items_message(.0))]
    InvalidItems(Vec<InvalidItem>),

    #[error("{}", approvals_missing_message(*.missing, *.security_review_missing))]
    ApprovalsMissing {
        missing: u32,
        security_review_missing: bool,
    },

    #[error("{}", conflicts_message(.0))]
    Conflicts(Vec<Conflict>),
}

impl WorkflowError {
    /// A stable snake_case code for the API's problem `code`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotOwner { .. } => "not_owner",
            Self::NotAuthor { .. } => "not_author",
            Self::NotReviewer { .. } => "not_reviewer",
            Self::SelfReview => "self_review",
            Self::NotAllowedToPublish { .. } => "not_allowed_to_publish",
            Self::InvalidTransition { .. } => "invalid_transition",
            Self::EmptyRequest => "empty_request",
            Self::LintErrors { .. } => "lint_errors",
            Self::TooManyItems { .. } => "too_many_items",
            Self::InvalidItems(_) => "invalid_items",
            Self::ApprovalsMissing { .. } => "approvals_missing",
            Self::Conflicts(_) => "conflicts",
        }
    }

    /// Forbidden (403), conflict (409) or invalid input (422).
    pub fn category(&self) -> ErrorCategory {
        match self {
            Self::NotOwner { .. }
            | Self::NotAuthor { .. }
            | Self::NotReviewer { .. }
            | Self::SelfReview
            | Self::NotAllowedToPublish { .. } => ErrorCategory::Forbidden,
            Self::InvalidTransition { .. } | Self::ApprovalsMissing { .. } | Self::Conflicts(_) => {
                ErrorCategory::Conflict
            }
            Self::EmptyRequest
            | Self::LintErrors { .. }
            | Self::TooManyItems { .. }
            | Self::InvalidItems(_) => ErrorCategory::Invalid,
        }
    }
}

/// One thing wrong with one item of a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvalidItem {
    /// 1-based position of the item in the request.
    pub position: usize,
    /// The item's name as sent.
    pub name: String,
    /// What is wrong, as a sentence.
    pub reason: String,
}

impl fmt::Display for InvalidItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "item {} (`{}`): {}",
            self.position, self.name, self.reason
        )
    }
}

/// What a conflict is about, for clients that react to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictKind {
    /// `add` of a name that is in the catalog.
    AlreadyExists,
    /// `add` of a retired name: retired names are never reused.
    RetiredName,
    /// `update`, `deprecate` or `retire` of a name the catalog does not have.
    NotFound,
    /// `update`, `deprecate` or `retire` of a retired scope.
    Retired,
    /// `update` of a scope that changed after the request's base version: it would undo that
    /// change.
    ChangedSinceBase,
    /// The item itself is unusable, such as an `update` whose definition names another scope
    /// (names never change). Items are checked when saved, so this shows only for stored items
    /// saved before a rule existed.
    InvalidItem,
    /// `retire` of a scope that is not deprecated.
    NotDeprecated,
    /// `retire` before the sunset date, or of a scope without a usable sunset date.
    BeforeSunset,
    /// `deprecate` whose replacement is missing from, or retired in, the resulting catalog.
    InvalidReplacement,
    /// A scope implies one that is missing from, or retired in, the resulting catalog.
    DanglingReference,
    /// Two items of the request are about the same scope.
    DuplicateItem,
}

/// Why one item cannot be applied to the current catalog.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    /// The scope the conflict is about.
    pub name: String,
    pub kind: ConflictKind,
    /// What conflicts, as a sentence naming the scope.
    pub message: String,
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

fn not_author_message(action: Action) -> String {
    match action {
        Action::Withdraw => {
            "only the author of a change request or an admin may withdraw it".to_owned()
        }
        _ => format!("only the author of a change request may {action} it"),
    }
}

fn invalid_transition_message(from: ChangeRequestStatus, action: Action) -> String {
    format!(
        "cannot {action} a change request that is `{from}`; only {} requests can be {}",
        quoted_list(action.allowed_from()),
        action.past_participle()
    )
}

fn lint_errors_message(count: usize, action: Action) -> String {
    let (them, before) = (
        if count == 1 { "it" } else { "them" },
        if action == Action::Publish {
            "publishing"
        } else {
            "submitting"
        },
    );
    format!(
        "the linter reported {count} error{} for this change request against the current \
         catalog; fix {them} before {before}",
        plural(count)
    )
}

fn approvals_missing_message(missing: u32, security_review_missing: bool) -> String {
    format!(
        "the change request is no longer approved enough to publish under the current catalog: \
         it needs {missing} more approval{}{}",
        if missing == 1 { "" } else { "s" },
        if security_review_missing {
            ", one of them from the security reviewer group"
        } else {
            ""
        }
    )
}

fn quoted_list(statuses: &[ChangeRequestStatus]) -> String {
    let quoted: Vec<String> = statuses.iter().map(|s| format!("`{s}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn items_message(items: &[InvalidItem]) -> String {
    let list: Vec<String> = items.iter().map(ToString::to_string).collect();
    match list.as_slice() {
        [one] => format!("the change request has an invalid item: {one}"),
        _ => format!(
            "the change request has {} invalid items: {}",
            list.len(),
            list.join("; ")
        ),
    }
}

fn conflicts_message(conflicts: &[Conflict]) -> String {
    let list: Vec<&str> = conflicts.iter().map(|c| c.message.as_str()).collect();
    match list.as_slice() {
        [one] => format!("the change request conflicts with the current catalog: {one}"),
        _ => format!(
            "the change request conflicts with the current catalog in {} places: {}",
            list.len(),
            list.join("; ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invalid_transition_says_what_is_allowed() {
        let err = WorkflowError::InvalidTransition {
            from: ChangeRequestStatus::Open,
            action: Action::Submit,
        };
        assert_eq!(
            err.to_string(),
            "cannot submit a change request that is `open`; only `draft` or `changes_requested` \
             requests can be submitted"
        );
        assert_eq!(err.code(), "invalid_transition");
        assert_eq!(err.category(), ErrorCategory::Conflict);
    }

    #[test]
    fn messages_read_as_sentences() {
        assert_eq!(
            WorkflowError::LintErrors {
                count: 1,
                action: Action::Submit
            }
            .to_string(),
            "the linter reported 1 error for this change request against the current catalog; \
             fix it before submitting"
        );
        assert_eq!(
            WorkflowError::ApprovalsMissing {
                missing: 1,
                security_review_missing: true
            }
            .to_string(),
            "the change request is no longer approved enough to publish under the current \
             catalog: it needs 1 more approval, one of them from the security reviewer group"
        );
        assert_eq!(
            WorkflowError::NotAuthor {
                action: Action::Withdraw
            }
            .to_string(),
            "only the author of a change request or an admin may withdraw it"
        );
        assert_eq!(
            WorkflowError::InvalidItems(vec![InvalidItem {
                position: 2,
                name: "billing:invoices:read".into(),
                reason: "not in domain `ecommerce`".into(),
            }])
            .to_string(),
            "the change request has an invalid item: item 2 (`billing:invoices:read`): not in \
             domain `ecommerce`"
        );
    }

    #[test]
    fn every_error_has_a_distinct_code() {
        let all = [
            WorkflowError::NotOwner { domain: "d".into() },
            WorkflowError::NotAuthor {
                action: Action::Edit,
            },
            WorkflowError::NotReviewer { domain: "d".into() },
            WorkflowError::SelfReview,
            WorkflowError::NotAllowedToPublish { domain: "d".into() },
            WorkflowError::InvalidTransition {
                from: ChangeRequestStatus::Draft,
                action: Action::Publish,
            },
            WorkflowError::EmptyRequest,
            WorkflowError::LintErrors {
                count: 2,
                action: Action::Publish,
            },
            WorkflowError::TooManyItems {
                count: 501,
                max: 500,
            },
            WorkflowError::InvalidItems(Vec::new()),
            WorkflowError::ApprovalsMissing {
                missing: 1,
                security_review_missing: false,
            },
            WorkflowError::Conflicts(Vec::new()),
        ];
        let mut codes: Vec<&str> = all.iter().map(WorkflowError::code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
        for err in &all {
            assert!(!err.to_string().is_empty());
        }
    }
}
