//! How many approvals a change request needs, and whether it has them.

use std::collections::BTreeMap;

use scope_lint::{Classification, Policy, ScopeDefinition};
use serde::{Deserialize, Serialize};

use super::model::{ItemKind, Verdict};
use super::request::ChangeRequest;

/// The classification of a scope that states none (DESIGN.md: the default is `internal`).
pub const DEFAULT_CLASSIFICATION: Classification = Classification::Internal;

/// The least number of approvals a request with a breaking change needs; one of them must also
/// come from the security reviewer group.
///
/// DESIGN.md §4 lets a breaking change be refused or need extra approvals. Retiring before the
/// sunset date and reusing a retired name are refused outright (see
/// [`ChangeRequest::plan_publish`]). Removing released claims and lowering a classification are
/// allowed, because they are sometimes right, but they break clients that rely on them, so they
/// need at least this many approvals including a security review, whatever the policy asks for
/// the classification. This is the workflow's rule, not the policy's: the policy file has no key
/// for it yet.
pub const BREAKING_CHANGE_APPROVALS: u32 = 2;

/// An `update` that breaks clients relying on the scope as released.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BreakingChange {
    /// The scope no longer releases claims it released.
    ClaimsRemoved { name: String, claims: Vec<String> },
    /// The scope's classification goes down (a missing classification counts as `internal`).
    ClassificationLowered {
        name: String,
        from: Classification,
        to: Classification,
    },
}

impl BreakingChange {
    /// A sentence for people.
    pub fn message(&self) -> String {
        match self {
            Self::ClaimsRemoved { name, claims } => format!(
                "`{name}` no longer releases the claim{} {}",
                if claims.len() == 1 { "" } else { "s" },
                claims
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Self::ClassificationLowered { name, from, to } => {
                format!("`{name}` is lowered from `{from}` to `{to}`")
            }
        }
    }
}

/// What a change request needs before it is approved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalRequirement {
    /// Approvals from distinct reviewers.
    pub required: u32,
    /// Whether one of them must come from the security reviewer group.
    pub security_review: bool,
    /// The highest classification among the items; `None` when there are no items.
    pub highest_classification: Option<Classification>,
    /// Breaking changes that raised the requirement.
    pub breaking: Vec<BreakingChange>,
}

/// Where a change request stands against an [`ApprovalRequirement`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalStatus {
    /// Distinct reviewers whose approval of the current revision stands.
    pub have: u32,
    /// Whether one of them was a security reviewer.
    pub have_security: bool,
    /// Reviewers whose request for changes to the current revision stands: as long as one does,
    /// the request is not approved, however many approvals it has (the reviewer approves
    /// after all, or the author edits the request).
    pub changes_requested_by: Vec<String>,
    pub satisfied: bool,
    /// How many more approvals are needed: at least one while a security review is missing.
    pub missing: u32,
}

fn effective(def: &ScopeDefinition) -> Classification {
    def.classification.unwrap_or(DEFAULT_CLASSIFICATION)
}

impl ChangeRequest {
    /// The approvals this request needs under `policy`, given the `current` catalog.
    ///
    /// The classification that counts is the highest among the items: the new definition for
    /// `add`; for `update`, the higher of the existing and the new definition (lowering a
    /// `restricted` scope is still a change to a `restricted` scope); for `deprecate` and
    /// `retire`, the existing scope's. A scope without a classification counts as `internal`,
    /// and so does a request without items. Breaking changes raise the requirement to at least
    /// [`BREAKING_CHANGE_APPROVALS`] with a security review.
    pub fn required_approvals(
        &self,
        policy: &Policy,
        current: &BTreeMap<String, ScopeDefinition>,
    ) -> ApprovalRequirement {
        let mut highest: Option<Classification> = None;
        let mut breaking = Vec::new();
        for item in &self.items {
            let before = current.get(&item.name);
            let after = match item.kind {
                ItemKind::Add | ItemKind::Update => item.definition.as_ref(),
                ItemKind::Deprecate | ItemKind::Retire => None,
            };
            let class = [before.filter(|_| item.kind != ItemKind::Add), after]
                .into_iter()
                .flatten()
                .map(effective)
                .max()
                .unwrap_or(DEFAULT_CLASSIFICATION);
            highest = highest.max(Some(class));
            if item.kind == ItemKind::Update
                && let (Some(before), Some(after)) = (before, after)
            {
                breaking.extend(breaking_changes(before, after));
            }
        }
        let rule = policy.approvals_for(highest.unwrap_or(DEFAULT_CLASSIFICATION));
        let (required, security_review) = if breaking.is_empty() {
            (rule.required, rule.security_review)
        } else {
            (rule.required.max(BREAKING_CHANGE_APPROVALS), true)
        };
        ApprovalRequirement {
            // Four eyes: even a policy saying 0 cannot make a request approve itself.
            required: required.max(1),
            security_review,
            highest_classification: highest,
            breaking,
        }
    }

    /// Counts the standing approvals of the current revision, one per reviewer, against
    /// `requirement`. Dismissed reviews, reviews of earlier revisions and (should one ever be
    /// stored) the author's own review do not count.
    pub fn approval_status(&self, requirement: &ApprovalRequirement) -> ApprovalStatus {
        let mut approvals: BTreeMap<&str, bool> = BTreeMap::new();
        let mut changes_requested_by: Vec<String> = Vec::new();
        let standing = self
            .reviews
            .iter()
            .filter(|r| !r.dismissed && r.revision == self.revision && r.reviewer != self.author);
        for review in standing {
            match review.verdict {
                Verdict::Approve => {
                    let security = approvals.entry(&review.reviewer).or_default();
                    *security |= review.security;
                }
                Verdict::RequestChanges => {
                    if !changes_requested_by.contains(&review.reviewer) {
                        changes_requested_by.push(review.reviewer.clone());
                    }
                }
                Verdict::Reject => {}
            }
        }
        let have = u32::try_from(approvals.len()).unwrap_or(u32::MAX);
        let have_security = approvals.values().any(|s| *s);
        let security_missing = requirement.security_review && !have_security;
        let missing = requirement
            .required
            .saturating_sub(have)
            .max(u32::from(security_missing));
        ApprovalStatus {
            have,
            have_security,
            satisfied: missing == 0 && changes_requested_by.is_empty(),
            changes_requested_by,
            missing,
        }
    }
}

/// The breaking changes from `before` to `after` of one scope.
fn breaking_changes(before: &ScopeDefinition, after: &ScopeDefinition) -> Vec<BreakingChange> {
    let mut found = Vec::new();
    let removed: Vec<String> = before
        .claims
        .iter()
        .filter(|c| !after.claims.contains(c))
        .cloned()
        .collect();
    if !removed.is_empty() {
        found.push(BreakingChange::ClaimsRemoved {
            name: before.name.clone(),
            claims: removed,
        });
    }
    let (from, to) = (effective(before), effective(after));
    if to < from {
        found.push(BreakingChange::ClassificationLowered {
            name: before.name.clone(),
            from,
            to,
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::model::{Item, Review};
    use super::*;
    use Classification::*;

    fn request(items: Vec<Item>) -> ChangeRequest {
        open_request(items)
    }

    fn approve(cr: &mut ChangeRequest, reviewer: &str, security: bool) {
        cr.reviews.push(Review {
            reviewer: reviewer.into(),
            verdict: Verdict::Approve,
            security,
            revision: cr.revision,
            dismissed: false,
        });
    }

    #[test]
    fn required_approvals_per_classification_come_from_the_policy() {
        let policy = policy();
        let current = catalog([]);
        let needs = |class| {
            let r = request(vec![Item::add(def("ecommerce:carts:read", class))])
                .required_approvals(&policy, &current);
            (r.required, r.security_review)
        };
        assert_eq!(needs(Public), (1, false));
        assert_eq!(needs(Internal), (1, false));
        assert_eq!(needs(Confidential), (2, false));
        assert_eq!(needs(Restricted), (2, true));

        let strict = Policy::from_toml("[approvals.public]\nrequired = 3\n").unwrap();
        let r = request(vec![Item::add(def("ecommerce:carts:read", Public))])
            .required_approvals(&strict, &current);
        assert_eq!((r.required, r.security_review), (3, false));
    }

    #[test]
    fn the_highest_classification_among_the_items_counts() {
        let current = catalog([released("ecommerce:payments:read", Restricted, 2)]);
        let r = request(vec![
            Item::add(def("ecommerce:carts:read", Public)),
            Item::deprecate(
                "ecommerce:payments:read",
                "2026-01-31",
                "ecommerce:carts:read",
            ),
        ])
        .required_approvals(&policy(), &current);
        assert_eq!(r.highest_classification, Some(Restricted));
        assert_eq!((r.required, r.security_review), (2, true));
        assert!(r.breaking.is_empty());
    }

    #[test]
    fn a_scope_without_classification_counts_as_internal() {
        let mut unclassified = def("ecommerce:carts:read", Public);
        unclassified.classification = None;
        let r = request(vec![
            Item::add(def("ecommerce:carts:list", Public)),
            Item::add(unclassified),
        ])
        .required_approvals(&policy(), &catalog([]));
        assert_eq!(r.highest_classification, Some(Internal));

        let empty = request(Vec::new()).required_approvals(&policy(), &catalog([]));
        assert_eq!(empty.highest_classification, None);
        assert_eq!((empty.required, empty.security_review), (1, false));
    }

    #[test]
    fn lowering_a_classification_is_breaking_and_needs_a_security_review() {
        let current = catalog([released("ecommerce:orders:read", Internal, 2)]);
        let r = request(vec![Item::update(def("ecommerce:orders:read", Public))])
            .required_approvals(&policy(), &current);
        assert_eq!(
            r.breaking,
            [BreakingChange::ClassificationLowered {
                name: "ecommerce:orders:read".into(),
                from: Internal,
                to: Public
            }]
        );
        assert_eq!(r.highest_classification, Some(Internal));
        assert_eq!((r.required, r.security_review), (2, true));
        assert_eq!(
            r.breaking[0].message(),
            "`ecommerce:orders:read` is lowered from `internal` to `public`"
        );
    }

    #[test]
    fn removing_a_released_claim_is_breaking() {
        let mut before = released("ecommerce:orders:read", Public, 2);
        before.claims = vec!["account_id".into(), "user_type".into()];
        let mut after = def("ecommerce:orders:read", Public);
        after.claims = vec!["user_type".into(), "region".into()];
        let r =
            request(vec![Item::update(after)]).required_approvals(&policy(), &catalog([before]));
        assert_eq!(
            r.breaking,
            [BreakingChange::ClaimsRemoved {
                name: "ecommerce:orders:read".into(),
                claims: vec!["account_id".into()]
            }]
        );
        assert_eq!((r.required, r.security_review), (2, true));
    }

    #[test]
    fn adding_claims_or_raising_the_classification_is_not_breaking() {
        let before = released("ecommerce:orders:read", Public, 2);
        let mut after = def("ecommerce:orders:read", Internal);
        after.claims = vec!["account_id".into()];
        let r =
            request(vec![Item::update(after)]).required_approvals(&policy(), &catalog([before]));
        assert!(r.breaking.is_empty());
        assert_eq!((r.required, r.security_review), (1, false));
    }

    #[test]
    fn a_breaking_change_never_lowers_what_the_policy_asks() {
        let strict =
            Policy::from_toml("[approvals.restricted]\nrequired = 3\nsecurity_review = true\n")
                .unwrap();
        let current = catalog([released("ecommerce:payments:read", Restricted, 2)]);
        let r = request(vec![Item::update(def(
            "ecommerce:payments:read",
            Confidential,
        ))])
        .required_approvals(&strict, &current);
        assert_eq!(
            r.highest_classification,
            Some(Restricted),
            "the existing scope counts"
        );
        assert_eq!((r.required, r.security_review), (3, true));
        assert_eq!(r.breaking.len(), 1);
    }

    #[test]
    fn restricted_needs_a_domain_reviewer_and_a_security_reviewer() {
        let current = catalog([]);
        let mut cr = request(vec![Item::add(def(
            "ecommerce:payments:refund",
            Restricted,
        ))]);
        let requirement = cr.required_approvals(&policy(), &current);

        approve(&mut cr, "bob", false);
        approve(&mut cr, "dave", false);
        let two_domain_reviewers = cr.approval_status(&requirement);
        assert_eq!(two_domain_reviewers.have, 2);
        assert!(!two_domain_reviewers.have_security);
        assert!(!two_domain_reviewers.satisfied);
        assert_eq!(
            two_domain_reviewers.missing, 1,
            "a security review is still missing"
        );

        cr.reviews.pop();
        approve(&mut cr, "carol", true);
        let with_security = cr.approval_status(&requirement);
        assert_eq!(
            (
                with_security.have,
                with_security.have_security,
                with_security.missing
            ),
            (2, true, 0)
        );
        assert!(with_security.satisfied);
    }

    #[test]
    fn only_standing_approvals_of_the_current_revision_count_once_per_reviewer() {
        let mut cr = request(vec![Item::add(def("ecommerce:carts:read", Confidential))]);
        let requirement = cr.required_approvals(&policy(), &catalog([]));
        approve(&mut cr, "bob", false);
        approve(&mut cr, "bob", false);
        approve(&mut cr, "alice", false); // the author: never counts
        cr.reviews.push(Review {
            reviewer: "dave".into(),
            verdict: Verdict::Approve,
            security: false,
            revision: cr.revision - 1,
            dismissed: false,
        });
        cr.reviews.push(Review {
            reviewer: "frank".into(),
            verdict: Verdict::Approve,
            security: false,
            revision: cr.revision,
            dismissed: true,
        });
        let status = cr.approval_status(&requirement);
        assert_eq!(
            (status.have, status.missing, status.satisfied),
            (1, 1, false)
        );
    }

    #[test]
    fn a_standing_request_for_changes_blocks_approval() {
        let mut cr = request(vec![Item::add(def("ecommerce:carts:read", Public))]);
        let requirement = cr.required_approvals(&policy(), &catalog([]));
        approve(&mut cr, "bob", false);
        cr.reviews.push(Review {
            reviewer: "dave".into(),
            verdict: Verdict::RequestChanges,
            security: false,
            revision: cr.revision,
            dismissed: false,
        });
        let status = cr.approval_status(&requirement);
        assert_eq!(status.missing, 0);
        assert_eq!(status.changes_requested_by, ["dave"]);
        assert!(!status.satisfied);
    }
}
