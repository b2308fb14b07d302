//! The change request and its transitions (DESIGN.md §4).
//!
//! Each operation checks who acts, then the status, then the input; it either changes the
//! request and returns the [`Event`]s to record, or returns a [`WorkflowError`] and leaves the
//! request exactly as it was.

use serde::{Deserialize, Serialize};

use super::approval::ApprovalRequirement;
use super::error::WorkflowError;
use super::event::Event;
use super::items::validate_items;
use super::model::{Action, Actor, ChangeRequestStatus, DomainRoles, Item, Review, Verdict};

/// A batch of items against one base catalog version, like a pull request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRequest {
    pub status: ChangeRequestStatus,
    /// The author's subject.
    pub author: String,
    /// Starts at 1; every edit adds one. Reviews are of one revision.
    pub revision: u32,
    /// The catalog version the items were written against.
    pub base_version: u64,
    pub items: Vec<Item>,
    /// Every review ever given, dismissed ones included, oldest first.
    pub reviews: Vec<Review>,
}

impl ChangeRequest {
    /// A new draft by `author`, who must be in an owner group of the domain (or an admin).
    pub fn new_draft(
        author: &Actor,
        roles: &DomainRoles,
        base_version: u64,
        items: Vec<Item>,
    ) -> Result<Self, WorkflowError> {
        if !(author.admin || roles.is_owner(author)) {
            return Err(WorkflowError::NotOwner {
                domain: roles.domain.clone(),
            });
        }
        validate_items(&items, &roles.domain)?;
        Ok(Self {
            status: ChangeRequestStatus::Draft,
            author: author.subject.clone(),
            revision: 1,
            base_version,
            items,
            reviews: Vec::new(),
        })
    }

    /// Replaces the items, as written against catalog `base_version`. Only the author, while
    /// still allowed to propose in the domain, in `draft`, `changes_requested` or `open`; an
    /// `open` request goes back to `draft`, to be linted and submitted again. The revision goes
    /// up and every standing approval is dismissed.
    pub fn edit(
        &mut self,
        actor: &Actor,
        roles: &DomainRoles,
        base_version: u64,
        items: Vec<Item>,
    ) -> Result<Vec<Event>, WorkflowError> {
        self.require_author(actor, Action::Edit)?;
        if !(actor.admin || roles.is_owner(actor)) {
            return Err(WorkflowError::NotOwner {
                domain: roles.domain.clone(),
            });
        }
        self.require_status(Action::Edit)?;
        validate_items(&items, &roles.domain)?;

        self.items = items;
        self.base_version = base_version;
        self.revision = self.revision.saturating_add(1);
        let mut events = vec![Event::Edited {
            revision: self.revision,
            base_version,
        }];
        let mut dismissed = 0;
        for review in &mut self.reviews {
            if review.verdict == Verdict::Approve && !review.dismissed {
                review.dismissed = true;
                dismissed += 1;
            }
        }
        if dismissed > 0 {
            events.push(Event::ApprovalsDismissed { count: dismissed });
        }
        if self.status == ChangeRequestStatus::Open {
            events.push(self.move_to(ChangeRequestStatus::Draft));
        }
        Ok(events)
    }

    /// Submits the current revision for review. Only the author, from `draft` or
    /// `changes_requested`, with at least one item and no lint errors (`lint_errors` is the
    /// number of error-severity diagnostics for the items against the current catalog).
    pub fn submit(
        &mut self,
        actor: &Actor,
        lint_errors: usize,
    ) -> Result<Vec<Event>, WorkflowError> {
        self.require_author(actor, Action::Submit)?;
        self.require_status(Action::Submit)?;
        if self.items.is_empty() {
            return Err(WorkflowError::EmptyRequest);
        }
        if lint_errors > 0 {
            return Err(WorkflowError::LintErrors {
                count: lint_errors,
                action: Action::Submit,
            });
        }
        Ok(vec![
            Event::Submitted {
                revision: self.revision,
            },
            self.move_to(ChangeRequestStatus::Open),
        ])
    }

    /// Withdraws the request. The author or an admin, before it is published, rejected or
    /// withdrawn.
    pub fn withdraw(&mut self, actor: &Actor) -> Result<Vec<Event>, WorkflowError> {
        if !(actor.admin || self.is_author(actor)) {
            return Err(WorkflowError::NotAuthor {
                action: Action::Withdraw,
            });
        }
        self.require_status(Action::Withdraw)?;
        Ok(vec![
            Event::Withdrawn,
            self.move_to(ChangeRequestStatus::Withdrawn),
        ])
    }

    /// Records `actor`'s review of the current revision, in `open` or `approved`.
    ///
    /// The reviewer must be in a reviewer group of the domain or in the security reviewer
    /// group (being an admin is not enough) and is never the author. Their new review replaces
    /// their earlier one. `request_changes` moves the request to `changes_requested`, `reject`
    /// to `rejected`; after an approval the request is `approved` when `requirement` (from
    /// [`ChangeRequest::required_approvals`] against the current catalog) is met, and `open`
    /// otherwise.
    pub fn review(
        &mut self,
        actor: &Actor,
        roles: &DomainRoles,
        verdict: Verdict,
        requirement: &ApprovalRequirement,
    ) -> Result<Vec<Event>, WorkflowError> {
        if self.is_author(actor) {
            return Err(WorkflowError::SelfReview);
        }
        if !roles.may_review(actor) {
            return Err(WorkflowError::NotReviewer {
                domain: roles.domain.clone(),
            });
        }
        self.require_status(Action::Review)?;

        let mut events = Vec::new();
        for earlier in &mut self.reviews {
            if earlier.reviewer == actor.subject && !earlier.dismissed {
                earlier.dismissed = true;
                events.push(Event::ReviewSuperseded {
                    reviewer: actor.subject.clone(),
                    previous: earlier.verdict,
                });
            }
        }
        let security = roles.is_security_reviewer(actor);
        self.reviews.push(Review {
            reviewer: actor.subject.clone(),
            verdict,
            security,
            revision: self.revision,
            dismissed: false,
        });
        events.push(Event::Reviewed {
            reviewer: actor.subject.clone(),
            verdict,
            revision: self.revision,
            security,
        });
        let next = match verdict {
            Verdict::RequestChanges => ChangeRequestStatus::ChangesRequested,
            Verdict::Reject => ChangeRequestStatus::Rejected,
            Verdict::Approve if self.approval_status(requirement).satisfied => {
                ChangeRequestStatus::Approved
            }
            Verdict::Approve => ChangeRequestStatus::Open,
        };
        if next != self.status {
            events.push(self.move_to(next));
        }
        Ok(events)
    }

    /// Marks the request published as catalog `plan_version`, after the caller has stored the
    /// [`PublishPlan`](super::PublishPlan) from [`ChangeRequest::plan_publish`].
    pub fn publish(&mut self, plan_version: u64) -> Result<Vec<Event>, WorkflowError> {
        self.require_status(Action::Publish)?;
        Ok(vec![
            Event::Published {
                version: plan_version,
            },
            self.move_to(ChangeRequestStatus::Published),
        ])
    }

    /// Whether `actor` wrote this request.
    pub fn is_author(&self, actor: &Actor) -> bool {
        actor.subject == self.author
    }

    fn require_author(&self, actor: &Actor, action: Action) -> Result<(), WorkflowError> {
        if self.is_author(actor) {
            Ok(())
        } else {
            Err(WorkflowError::NotAuthor { action })
        }
    }

    pub(super) fn require_status(&self, action: Action) -> Result<(), WorkflowError> {
        if action.allowed_from().contains(&self.status) {
            Ok(())
        } else {
            Err(WorkflowError::InvalidTransition {
                from: self.status,
                action,
            })
        }
    }

    fn move_to(&mut self, to: ChangeRequestStatus) -> Event {
        let from = std::mem::replace(&mut self.status, to);
        Event::StatusChanged { from, to }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use ChangeRequestStatus::*;
    use scope_lint::Classification::{Internal, Public, Restricted};

    fn carts_read() -> Item {
        Item::add(def("ecommerce:carts:read", Internal))
    }

    fn public_requirement() -> ApprovalRequirement {
        open_request(vec![Item::add(def("ecommerce:carts:read", Public))])
            .required_approvals(&policy(), &catalog([]))
    }

    fn restricted_requirement() -> ApprovalRequirement {
        open_request(vec![Item::add(def(
            "ecommerce:payments:refund",
            Restricted,
        ))])
        .required_approvals(&policy(), &catalog([]))
    }

    fn in_status(status: ChangeRequestStatus) -> ChangeRequest {
        ChangeRequest {
            status,
            ..open_request(vec![carts_read()])
        }
    }

    /// Asserts that `op` refuses with `expected` and leaves the request untouched.
    fn refused(
        mut cr: ChangeRequest,
        expected: WorkflowError,
        op: impl FnOnce(&mut ChangeRequest) -> Result<Vec<Event>, WorkflowError>,
    ) {
        let before = cr.clone();
        assert_eq!(op(&mut cr), Err(expected));
        assert_eq!(cr, before, "a refusal changes nothing");
    }

    fn status_change(from: ChangeRequestStatus, to: ChangeRequestStatus) -> Event {
        Event::StatusChanged { from, to }
    }

    // --- creating a draft ---------------------------------------------------------------

    #[test]
    fn a_domain_owner_creates_a_draft() {
        let cr =
            ChangeRequest::new_draft(&alice(), &ecommerce_roles(), 5, vec![carts_read()]).unwrap();
        assert_eq!(cr.status, Draft);
        assert_eq!(cr.author, "alice");
        assert_eq!((cr.revision, cr.base_version), (1, 5));
        assert!(cr.reviews.is_empty());
    }

    #[test]
    fn an_admin_may_propose_in_any_domain_others_may_not() {
        assert!(
            ChangeRequest::new_draft(&erin(), &ecommerce_roles(), 5, vec![carts_read()]).is_ok()
        );
        for outsider in [mallory(), bob(), carol()] {
            assert_eq!(
                ChangeRequest::new_draft(&outsider, &ecommerce_roles(), 5, vec![carts_read()]),
                Err(WorkflowError::NotOwner {
                    domain: "ecommerce".into()
                }),
                "{}",
                outsider.subject
            );
        }
    }

    #[test]
    fn a_draft_with_invalid_items_is_refused() {
        let err = ChangeRequest::new_draft(
            &alice(),
            &ecommerce_roles(),
            5,
            vec![Item::retire("billing:invoices:read")],
        )
        .unwrap_err();
        assert_eq!(err.code(), "invalid_items");
        assert!(
            err.to_string().contains("not in domain `ecommerce`"),
            "{err}"
        );
    }

    // --- editing ---------------------------------------------------------------------------

    #[test]
    fn the_author_edits_a_draft() {
        let mut cr = in_status(Draft);
        let items = vec![carts_read(), Item::retire("ecommerce:orders:get")];
        let events = cr
            .edit(&alice(), &ecommerce_roles(), 6, items.clone())
            .unwrap();
        assert_eq!(
            events,
            [Event::Edited {
                revision: 2,
                base_version: 6
            }]
        );
        assert_eq!((cr.status, cr.revision, cr.base_version), (Draft, 2, 6));
        assert_eq!(cr.items, items);
    }

    #[test]
    fn editing_an_open_request_sends_it_back_to_draft() {
        let mut cr = in_status(Open);
        let events = cr
            .edit(&alice(), &ecommerce_roles(), 5, vec![carts_read()])
            .unwrap();
        assert_eq!(events.last(), Some(&status_change(Open, Draft)));
        assert_eq!(cr.status, Draft);
    }

    #[test]
    fn editing_after_changes_were_requested_keeps_that_status_until_resubmitted() {
        let mut cr = in_status(ChangesRequested);
        cr.edit(&alice(), &ecommerce_roles(), 5, vec![carts_read()])
            .unwrap();
        assert_eq!(cr.status, ChangesRequested);
        assert_eq!(
            cr.submit(&alice(), 0).unwrap().last(),
            Some(&status_change(ChangesRequested, Open))
        );
    }

    #[test]
    fn approvals_are_dismissed_when_the_request_is_edited() {
        let mut cr = in_status(Open);
        let requirement = restricted_requirement();
        cr.review(&bob(), &ecommerce_roles(), Verdict::Approve, &requirement)
            .unwrap();
        cr.review(&carol(), &ecommerce_roles(), Verdict::Approve, &requirement)
            .unwrap();
        cr.review(
            &dave(),
            &ecommerce_roles(),
            Verdict::RequestChanges,
            &requirement,
        )
        .unwrap();
        assert_eq!(cr.status, ChangesRequested);

        let events = cr
            .edit(&alice(), &ecommerce_roles(), 5, vec![carts_read()])
            .unwrap();
        assert!(
            events.contains(&Event::ApprovalsDismissed { count: 2 }),
            "{events:?}"
        );
        assert!(
            cr.reviews
                .iter()
                .filter(|r| r.verdict == Verdict::Approve)
                .all(|r| r.dismissed)
        );
        cr.submit(&alice(), 0).unwrap();
        let status = cr.approval_status(&requirement);
        assert_eq!(
            (status.have, status.satisfied),
            (0, false),
            "reviewers approve again"
        );
        assert!(
            status.changes_requested_by.is_empty(),
            "the old request was for revision 1"
        );
    }

    #[test]
    fn nobody_but_the_author_edits() {
        for actor in [bob(), erin(), alice_teammate()] {
            refused(
                in_status(Draft),
                WorkflowError::NotAuthor {
                    action: Action::Edit,
                },
                |cr| cr.edit(&actor, &ecommerce_roles(), 5, vec![carts_read()]),
            );
        }
    }

    #[test]
    fn an_author_who_left_the_owner_groups_can_no_longer_edit() {
        let mut former = alice();
        former.groups.clear();
        refused(
            in_status(Draft),
            WorkflowError::NotOwner {
                domain: "ecommerce".into(),
            },
            |cr| cr.edit(&former, &ecommerce_roles(), 5, vec![carts_read()]),
        );
    }

    #[test]
    fn edit_is_refused_once_approved_or_finished() {
        for status in [Approved, Rejected, Withdrawn, Published] {
            refused(
                in_status(status),
                WorkflowError::InvalidTransition {
                    from: status,
                    action: Action::Edit,
                },
                |cr| cr.edit(&alice(), &ecommerce_roles(), 5, vec![carts_read()]),
            );
        }
    }

    #[test]
    fn an_edit_with_invalid_items_changes_nothing() {
        let mut cr = in_status(Open);
        cr.review(
            &bob(),
            &ecommerce_roles(),
            Verdict::Approve,
            &restricted_requirement(),
        )
        .unwrap();
        let before = cr.clone();
        let err = cr
            .edit(
                &alice(),
                &ecommerce_roles(),
                6,
                vec![Item::retire("billing:x:read")],
            )
            .unwrap_err();
        assert_eq!(err.code(), "invalid_items");
        assert_eq!(cr, before, "approvals stand, revision unchanged");
    }

    // --- submitting --------------------------------------------------------------------------

    #[test]
    fn the_author_submits_a_clean_draft() {
        let mut cr = in_status(Draft);
        let events = cr.submit(&alice(), 0).unwrap();
        assert_eq!(
            events,
            [Event::Submitted { revision: 1 }, status_change(Draft, Open)]
        );
        assert_eq!(cr.status, Open);
    }

    #[test]
    fn lint_errors_block_submission() {
        refused(
            in_status(Draft),
            WorkflowError::LintErrors {
                count: 3,
                action: Action::Submit,
            },
            |cr| cr.submit(&alice(), 3),
        );
    }

    #[test]
    fn an_empty_request_cannot_be_submitted() {
        let cr = ChangeRequest::new_draft(&alice(), &ecommerce_roles(), 5, Vec::new()).unwrap();
        refused(cr, WorkflowError::EmptyRequest, |cr| cr.submit(&alice(), 0));
    }

    #[test]
    fn only_the_author_submits_and_only_from_draft_or_changes_requested() {
        refused(
            in_status(Draft),
            WorkflowError::NotAuthor {
                action: Action::Submit,
            },
            |cr| cr.submit(&erin(), 0),
        );
        for status in [Open, Approved, Rejected, Withdrawn, Published] {
            refused(
                in_status(status),
                WorkflowError::InvalidTransition {
                    from: status,
                    action: Action::Submit,
                },
                |cr| cr.submit(&alice(), 0),
            );
        }
    }

    // --- withdrawing ---------------------------------------------------------------------------

    #[test]
    fn the_author_or_an_admin_withdraws_before_publication() {
        for status in [Draft, Open, ChangesRequested, Approved] {
            for actor in [alice(), erin()] {
                let mut cr = in_status(status);
                assert_eq!(
                    cr.withdraw(&actor).unwrap(),
                    [Event::Withdrawn, status_change(status, Withdrawn)]
                );
                assert_eq!(cr.status, Withdrawn);
            }
        }
    }

    #[test]
    fn nobody_else_withdraws() {
        for actor in [bob(), carol(), alice_teammate()] {
            refused(
                in_status(Open),
                WorkflowError::NotAuthor {
                    action: Action::Withdraw,
                },
                |cr| cr.withdraw(&actor),
            );
        }
    }

    #[test]
    fn terminal_states_allow_nothing() {
        let requirement = public_requirement();
        for status in [Rejected, Withdrawn, Published] {
            let transition = |action| WorkflowError::InvalidTransition {
                from: status,
                action,
            };
            refused(in_status(status), transition(Action::Withdraw), |cr| {
                cr.withdraw(&alice())
            });
            refused(in_status(status), transition(Action::Submit), |cr| {
                cr.submit(&alice(), 0)
            });
            refused(in_status(status), transition(Action::Edit), |cr| {
                cr.edit(&alice(), &ecommerce_roles(), 5, vec![carts_read()])
            });
            refused(in_status(status), transition(Action::Review), |cr| {
                cr.review(&bob(), &ecommerce_roles(), Verdict::Approve, &requirement)
            });
            refused(in_status(status), transition(Action::Publish), |cr| {
                cr.publish(9)
            });
        }
    }

    // --- reviewing ----------------------------------------------------------------------------

    #[test]
    fn one_approval_approves_a_public_request() {
        let mut cr = in_status(Open);
        let events = cr
            .review(
                &bob(),
                &ecommerce_roles(),
                Verdict::Approve,
                &public_requirement(),
            )
            .unwrap();
        assert_eq!(
            events,
            [
                Event::Reviewed {
                    reviewer: "bob".into(),
                    verdict: Verdict::Approve,
                    revision: 1,
                    security: false
                },
                status_change(Open, Approved)
            ]
        );
        assert_eq!(cr.status, Approved);
    }

    #[test]
    fn nobody_approves_their_own_request() {
        // Alice is the author, and for this test also a reviewer of the domain.
        let mut reviewer_author = alice();
        reviewer_author.groups.push("reviewers-ecommerce".into());
        refused(in_status(Open), WorkflowError::SelfReview, |cr| {
            cr.review(
                &reviewer_author,
                &ecommerce_roles(),
                Verdict::Approve,
                &public_requirement(),
            )
        });
    }

    #[test]
    fn not_even_an_admin_approves_their_own_request() {
        let mut admin_author = erin();
        admin_author.groups.push("security".into());
        let mut cr =
            ChangeRequest::new_draft(&admin_author, &ecommerce_roles(), 5, vec![carts_read()])
                .unwrap();
        cr.submit(&admin_author, 0).unwrap();
        refused(cr, WorkflowError::SelfReview, |cr| {
            cr.review(
                &admin_author,
                &ecommerce_roles(),
                Verdict::Approve,
                &public_requirement(),
            )
        });
    }

    #[test]
    fn only_reviewers_review_admins_included() {
        for actor in [erin(), mallory(), alice_teammate()] {
            refused(
                in_status(Open),
                WorkflowError::NotReviewer {
                    domain: "ecommerce".into(),
                },
                |cr| {
                    cr.review(
                        &actor,
                        &ecommerce_roles(),
                        Verdict::Approve,
                        &public_requirement(),
                    )
                },
            );
        }
    }

    #[test]
    fn reviews_happen_only_while_open_or_approved() {
        for status in [Draft, ChangesRequested] {
            refused(
                in_status(status),
                WorkflowError::InvalidTransition {
                    from: status,
                    action: Action::Review,
                },
                |cr| {
                    cr.review(
                        &bob(),
                        &ecommerce_roles(),
                        Verdict::Approve,
                        &public_requirement(),
                    )
                },
            );
        }
    }

    #[test]
    fn a_security_reviewer_reviews_any_domain_and_is_marked_as_such() {
        let mut cr = in_status(Open);
        cr.review(
            &carol(),
            &ecommerce_roles(),
            Verdict::Approve,
            &restricted_requirement(),
        )
        .unwrap();
        assert!(cr.reviews[0].security);
        assert_eq!(cr.status, Open, "restricted needs a second approval");
        cr.review(
            &bob(),
            &ecommerce_roles(),
            Verdict::Approve,
            &restricted_requirement(),
        )
        .unwrap();
        assert!(!cr.reviews[1].security);
        assert_eq!(cr.status, Approved);
    }

    #[test]
    fn two_domain_reviewers_do_not_approve_a_restricted_request() {
        let mut cr = in_status(Open);
        let requirement = restricted_requirement();
        cr.review(&bob(), &ecommerce_roles(), Verdict::Approve, &requirement)
            .unwrap();
        cr.review(&dave(), &ecommerce_roles(), Verdict::Approve, &requirement)
            .unwrap();
        assert_eq!(cr.status, Open);
        assert_eq!(cr.approval_status(&requirement).missing, 1);
    }

    #[test]
    fn a_reviewers_second_review_replaces_the_first() {
        let mut cr = in_status(Open);
        let requirement = restricted_requirement();
        cr.review(&bob(), &ecommerce_roles(), Verdict::Approve, &requirement)
            .unwrap();
        let events = cr
            .review(&bob(), &ecommerce_roles(), Verdict::Approve, &requirement)
            .unwrap();
        assert_eq!(
            events[0],
            Event::ReviewSuperseded {
                reviewer: "bob".into(),
                previous: Verdict::Approve
            }
        );
        assert_eq!(cr.reviews.len(), 2);
        assert!(cr.reviews[0].dismissed && !cr.reviews[1].dismissed);
        assert_eq!(cr.approval_status(&requirement).have, 1, "bob counts once");
        assert_eq!(cr.status, Open);
    }

    #[test]
    fn a_reviewer_may_turn_an_approval_into_a_request_for_changes() {
        let mut cr = in_status(Open);
        cr.review(
            &bob(),
            &ecommerce_roles(),
            Verdict::Approve,
            &public_requirement(),
        )
        .unwrap();
        assert_eq!(cr.status, Approved);
        let events = cr
            .review(
                &bob(),
                &ecommerce_roles(),
                Verdict::RequestChanges,
                &public_requirement(),
            )
            .unwrap();
        assert_eq!(
            events.last(),
            Some(&status_change(Approved, ChangesRequested))
        );
        assert_eq!(cr.approval_status(&public_requirement()).have, 0);
    }

    #[test]
    fn request_changes_sends_the_request_back_to_its_author() {
        let mut cr = in_status(Open);
        let events = cr
            .review(
                &bob(),
                &ecommerce_roles(),
                Verdict::RequestChanges,
                &public_requirement(),
            )
            .unwrap();
        assert_eq!(events.last(), Some(&status_change(Open, ChangesRequested)));
        assert_eq!(cr.status, ChangesRequested);
    }

    #[test]
    fn a_resubmitted_request_stays_unapproved_while_a_request_for_changes_stands() {
        let mut cr = in_status(Open);
        cr.review(
            &bob(),
            &ecommerce_roles(),
            Verdict::RequestChanges,
            &public_requirement(),
        )
        .unwrap();
        cr.submit(&alice(), 0).unwrap(); // resubmitted unchanged: bob's objection stands
        cr.review(
            &dave(),
            &ecommerce_roles(),
            Verdict::Approve,
            &public_requirement(),
        )
        .unwrap();
        assert_eq!(cr.status, Open);
        cr.review(
            &bob(),
            &ecommerce_roles(),
            Verdict::Approve,
            &public_requirement(),
        )
        .unwrap();
        assert_eq!(cr.status, Approved);
    }

    #[test]
    fn reject_is_final() {
        let mut cr = in_status(Approved);
        let events = cr
            .review(
                &carol(),
                &ecommerce_roles(),
                Verdict::Reject,
                &public_requirement(),
            )
            .unwrap();
        assert_eq!(events.last(), Some(&status_change(Approved, Rejected)));
        assert!(cr.status.is_terminal());
    }

    // --- publishing (status only; the plan is tested in publish.rs) ---------------------------

    #[test]
    fn publishing_an_approved_request_records_the_version() {
        let mut cr = in_status(Approved);
        assert_eq!(
            cr.publish(8).unwrap(),
            [
                Event::Published { version: 8 },
                status_change(Approved, Published)
            ]
        );
        assert_eq!(cr.status, Published);
    }

    #[test]
    fn only_an_approved_request_is_published() {
        for status in [Draft, Open, ChangesRequested] {
            refused(
                in_status(status),
                WorkflowError::InvalidTransition {
                    from: status,
                    action: Action::Publish,
                },
                |cr| cr.publish(8),
            );
        }
    }

    // --- a whole story -------------------------------------------------------------------------

    #[test]
    fn from_draft_to_published() {
        let roles = ecommerce_roles();
        let current = catalog([]);
        let mut cr = ChangeRequest::new_draft(&alice(), &roles, 0, vec![carts_read()]).unwrap();
        cr.submit(&alice(), 0).unwrap();
        let requirement = cr.required_approvals(&policy(), &current);
        cr.review(&bob(), &roles, Verdict::Approve, &requirement)
            .unwrap();
        assert_eq!(cr.status, Approved);
        let plan = cr
            .plan_publish(&alice(), &roles, &context(&current, 0))
            .unwrap();
        cr.publish(plan.version).unwrap();
        assert_eq!((cr.status, plan.version), (Published, 1));
    }
}
