//! Publishing: the new catalog an approved change request makes, all items or none.

use std::collections::{BTreeMap, BTreeSet};

use scope_lint::{Deprecation, Policy, ScopeDefinition, Status};
use serde::{Deserialize, Serialize};
use time::Date;

use super::error::{Conflict, ConflictKind, WorkflowError};
use super::items::{parse_date, shape_problems};
use super::model::{Action, Actor, DomainRoles, Item, ItemKind};
use super::request::ChangeRequest;

/// What publishing is judged against: the catalog and policy as they are now.
#[derive(Clone, Copy, Debug)]
pub struct PublishContext<'a> {
    pub policy: &'a Policy,
    /// The current catalog, every scope ever published (retired ones included), by name.
    pub current: &'a BTreeMap<String, ScopeDefinition>,
    pub current_version: u64,
    /// Today's date, for sunset dates.
    pub today: Date,
    /// Error-severity lint diagnostics for the items against the current catalog.
    pub lint_errors: usize,
}

/// One scope as the publish changes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeChange {
    pub name: String,
    pub kind: ItemKind,
    /// The scope in the current catalog; `None` for an `add`.
    pub before: Option<ScopeDefinition>,
    pub after: ScopeDefinition,
}

/// Everything the caller stores to publish a change request: exactly one new catalog version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishPlan {
    /// The new catalog version: `previous_version + 1`.
    pub version: u64,
    /// The catalog version the plan was made against. The caller stores the plan only if that
    /// is still the current version (otherwise another publish won the race: plan again).
    pub previous_version: u64,
    /// The whole new catalog, by name.
    pub catalog: BTreeMap<String, ScopeDefinition>,
    /// One entry per item, in item order.
    pub changes: Vec<ScopeChange>,
}

impl ChangeRequest {
    /// Computes the catalog this request makes, without changing anything.
    ///
    /// Only an `approved` request; the actor is its author, a reviewer of the domain, a
    /// security reviewer or an admin. The catalog may have moved on since the request's base
    /// version: what counts is the current catalog. The request is refused, with every
    /// conflict named, when any item cannot be applied to it (all items or none); when the
    /// linter finds errors against it; or when the approvals no longer meet what the current
    /// catalog and policy require.
    pub fn plan_publish(
        &self,
        actor: &Actor,
        roles: &DomainRoles,
        ctx: &PublishContext<'_>,
    ) -> Result<PublishPlan, WorkflowError> {
        if !(actor.admin || self.is_author(actor) || roles.may_review(actor)) {
            return Err(WorkflowError::NotAllowedToPublish {
                domain: roles.domain.clone(),
            });
        }
        self.require_status(Action::Publish)?;
        // A u64 does not run out; saturating keeps this panic-free, and a repeated version
        // number would be refused by the store's uniqueness constraint.
        let version = ctx.current_version.saturating_add(1);
        let (catalog, changes) = self.apply(ctx, version)?;
        if ctx.lint_errors > 0 {
            return Err(WorkflowError::LintErrors {
                count: ctx.lint_errors,
                action: Action::Publish,
            });
        }
        let requirement = self.required_approvals(ctx.policy, ctx.current);
        let status = self.approval_status(&requirement);
        if !status.satisfied {
            return Err(WorkflowError::ApprovalsMissing {
                missing: status.missing.max(1),
                security_review_missing: requirement.security_review && !status.have_security,
            });
        }
        Ok(PublishPlan {
            version,
            previous_version: ctx.current_version,
            catalog,
            changes,
        })
    }

    /// Applies every item to a copy of the current catalog, or names every conflict.
    fn apply(
        &self,
        ctx: &PublishContext<'_>,
        version: u64,
    ) -> Result<(BTreeMap<String, ScopeDefinition>, Vec<ScopeChange>), WorkflowError> {
        let mut conflicts = Vec::new();
        let mut next = ctx.current.clone();
        let mut changes = Vec::new();
        let mut seen = BTreeSet::new();
        for item in &self.items {
            if !seen.insert(item.name.as_str()) {
                conflicts.push(conflict(
                    &item.name,
                    ConflictKind::DuplicateItem,
                    format!(
                        "`{}` appears in more than one item; a change request changes each \
                         scope at most once",
                        item.name
                    ),
                ));
                continue;
            }
            let problems = shape_problems(item);
            if !problems.is_empty() {
                conflicts.extend(problems.into_iter().map(|reason| {
                    conflict(
                        &item.name,
                        ConflictKind::InvalidItem,
                        format!(
                            "the `{}` item for `{}` is invalid: {reason}",
                            item.kind, item.name
                        ),
                    )
                }));
                continue;
            }
            let before = ctx.current.get(&item.name);
            match self.apply_item(item, before, ctx, version) {
                Ok(after) => {
                    next.insert(item.name.clone(), after.clone());
                    changes.push(ScopeChange {
                        name: item.name.clone(),
                        kind: item.kind,
                        before: before.cloned(),
                        after,
                    });
                }
                Err(found) => conflicts.push(found),
            }
        }
        if conflicts.is_empty() {
            conflicts.extend(dangling_references(&changes, &next));
        }
        if conflicts.is_empty() {
            Ok((next, changes))
        } else {
            Err(WorkflowError::Conflicts(conflicts))
        }
    }

    /// The scope as `item` leaves it, judged against the current catalog.
    fn apply_item(
        &self,
        item: &Item,
        before: Option<&ScopeDefinition>,
        ctx: &PublishContext<'_>,
        version: u64,
    ) -> Result<ScopeDefinition, Conflict> {
        let name = item.name.as_str();
        if item.kind == ItemKind::Add {
            return match before {
                Some(existing) if existing.status == Status::Retired => Err(conflict(
                    name,
                    ConflictKind::RetiredName,
                    format!(
                        "`{name}` was retired{}; a retired name is never reused, choose another",
                        self.when(existing.changed_in)
                    ),
                )),
                Some(existing) => Err(conflict(
                    name,
                    ConflictKind::AlreadyExists,
                    match existing.introduced_in {
                        Some(v) if v > self.base_version => format!(
                            "`{name}` was added by catalog version {v} after this request was \
                             based on version {}",
                            self.base_version
                        ),
                        Some(v) => format!("`{name}` already exists: catalog version {v} added it"),
                        None => format!("`{name}` already exists in the catalog"),
                    },
                )),
                None => {
                    let mut after = item.definition.clone().unwrap_or_default();
                    after.status = Status::Active;
                    after.deprecation = None;
                    after.introduced_in = Some(version);
                    after.changed_in = Some(version);
                    Ok(after)
                }
            };
        }

        let verb = item.kind.past_participle();
        let Some(before) = before else {
            return Err(conflict(
                name,
                ConflictKind::NotFound,
                format!(
                    "`{name}` cannot be {verb}: it does not exist in the catalog (version {})",
                    ctx.current_version
                ),
            ));
        };
        if before.status == Status::Retired {
            return Err(conflict(
                name,
                ConflictKind::Retired,
                format!(
                    "`{name}` was retired{}; a retired scope cannot be {verb}",
                    self.when(before.changed_in)
                ),
            ));
        }
        let mut after = before.clone();
        after.changed_in = Some(version);
        match item.kind {
            ItemKind::Add => {}
            ItemKind::Update => {
                if let Some(changed) = before.changed_in.filter(|v| *v > self.base_version) {
                    return Err(conflict(
                        name,
                        ConflictKind::ChangedSinceBase,
                        format!(
                            "`{name}` was changed by catalog version {changed} after this \
                             request was based on version {}; edit the request against the \
                             current definition so that change is not undone",
                            self.base_version
                        ),
                    ));
                }
                after = item.definition.clone().unwrap_or_default();
                after.status = before.status;
                after.deprecation = before.deprecation.clone();
                after.introduced_in = before.introduced_in;
                after.changed_in = Some(version);
            }
            ItemKind::Deprecate => {
                after.status = Status::Deprecated;
                after.deprecation = Some(Deprecation {
                    sunset: item.sunset.clone(),
                    replacement: item.replacement.clone(),
                });
            }
            ItemKind::Retire => {
                check_sunset_passed(name, before, ctx.today)?;
                after.status = Status::Retired;
            }
        }
        Ok(after)
    }

    /// " by catalog version 7 after this request was based on version 5", or " in catalog
    /// version 3" when that was before the base version.
    fn when(&self, version: Option<u64>) -> String {
        match version {
            Some(v) if v > self.base_version => format!(
                " by catalog version {v} after this request was based on version {}",
                self.base_version
            ),
            Some(v) => format!(" in catalog version {v}"),
            None => String::new(),
        }
    }
}

/// A scope is retired only once it is deprecated and its sunset date has come.
fn check_sunset_passed(name: &str, before: &ScopeDefinition, today: Date) -> Result<(), Conflict> {
    if before.status != Status::Deprecated {
        return Err(conflict(
            name,
            ConflictKind::NotDeprecated,
            format!(
                "`{name}` is {}; deprecate it with a sunset date first: a scope is retired only \
                 after its sunset date",
                before.status.as_str()
            ),
        ));
    }
    let sunset = before
        .deprecation
        .as_ref()
        .and_then(|d| d.sunset.as_deref());
    match sunset.map(|s| (s, parse_date(s))) {
        Some((_, Some(date))) if date <= today => Ok(()),
        Some((text, Some(_))) => Err(conflict(
            name,
            ConflictKind::BeforeSunset,
            format!("`{name}` cannot be retired before its sunset date {text} (today is {today})"),
        )),
        _ => Err(conflict(
            name,
            ConflictKind::BeforeSunset,
            format!(
                "`{name}` has no valid sunset date; deprecate it again with one before retiring it"
            ),
        )),
    }
}

/// References the published catalog would hold to scopes that do not exist or are retired:
/// a replacement or implied scope named by a changed scope, or a scope this request retires
/// while an unretired scope still implies it or names it as replacement.
fn dangling_references(
    changes: &[ScopeChange],
    next: &BTreeMap<String, ScopeDefinition>,
) -> Vec<Conflict> {
    let usable = |name: &str| -> Result<(), &'static str> {
        match next.get(name) {
            None => Err("does not exist in the catalog"),
            Some(def) if def.status == Status::Retired => Err("is retired"),
            Some(_) => Ok(()),
        }
    };
    let mut found = Vec::new();
    for change in changes {
        let after = &change.after;
        let name = &change.name;
        if change.kind == ItemKind::Deprecate
            && let Some(replacement) = after
                .deprecation
                .as_ref()
                .and_then(|d| d.replacement.as_deref())
            && let Err(why) = usable(replacement)
        {
            found.push(conflict(
                name,
                ConflictKind::InvalidReplacement,
                format!("the replacement `{replacement}` for `{name}` {why}"),
            ));
        }
        if matches!(change.kind, ItemKind::Add | ItemKind::Update) {
            for implied in &after.implies {
                if let Err(why) = usable(implied) {
                    found.push(conflict(
                        name,
                        ConflictKind::DanglingReference,
                        format!("`{name}` implies `{implied}`, which {why}"),
                    ));
                }
            }
        }
    }
    let retired: BTreeSet<&str> = changes
        .iter()
        .filter(|c| c.kind == ItemKind::Retire)
        .map(|c| c.name.as_str())
        .collect();
    if retired.is_empty() {
        return found;
    }
    for scope in next.values().filter(|s| s.status != Status::Retired) {
        for implied in scope
            .implies
            .iter()
            .filter(|i| retired.contains(i.as_str()))
        {
            found.push(conflict(
                implied,
                ConflictKind::DanglingReference,
                format!(
                    "`{implied}` cannot be retired while `{}` implies it",
                    scope.name
                ),
            ));
        }
        if let Some(replacement) = scope
            .deprecation
            .as_ref()
            .and_then(|d| d.replacement.as_deref())
            .filter(|r| retired.contains(r))
        {
            found.push(conflict(
                replacement,
                ConflictKind::DanglingReference,
                format!(
                    "`{replacement}` cannot be retired while the deprecated scope `{}` names it \
                     as its replacement",
                    scope.name
                ),
            ));
        }
    }
    found
}

fn conflict(name: &str, kind: ConflictKind, message: String) -> Conflict {
    Conflict {
        name: name.to_owned(),
        kind,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::model::{ChangeRequestStatus, Verdict};
    use super::*;
    use scope_lint::Classification::{Confidential, Internal, Public, Restricted};

    /// The catalog at version 5, the base of the requests below.
    fn v5() -> BTreeMap<String, ScopeDefinition> {
        catalog([
            released("ecommerce:orders:read", Internal, 2),
            released("ecommerce:orders:create", Confidential, 3),
            deprecated(
                "ecommerce:orders:get",
                4,
                "2025-05-31",
                "ecommerce:orders:read",
            ),
            deprecated(
                "ecommerce:orders:list",
                4,
                "2025-12-31",
                "ecommerce:orders:read",
            ),
            retired("ecommerce:orders:view", 5),
        ])
    }

    /// An approved request by alice based on version 5.
    fn approved(items: Vec<Item>) -> ChangeRequest {
        approved_against(items, &v5())
    }

    fn approved_against(
        items: Vec<Item>,
        current: &BTreeMap<String, ScopeDefinition>,
    ) -> ChangeRequest {
        let mut cr = open_request(items);
        cr.base_version = 5;
        let requirement = cr.required_approvals(&policy(), current);
        for reviewer in [bob(), carol()] {
            cr.review(
                &reviewer,
                &ecommerce_roles(),
                Verdict::Approve,
                &requirement,
            )
            .unwrap();
        }
        assert_eq!(cr.status, ChangeRequestStatus::Approved);
        cr
    }

    fn conflicts_of(result: Result<PublishPlan, WorkflowError>) -> Vec<Conflict> {
        match result {
            Err(WorkflowError::Conflicts(list)) => list,
            other => panic!("expected conflicts, got {other:?}"),
        }
    }

    fn plan(
        cr: &ChangeRequest,
        current: &BTreeMap<String, ScopeDefinition>,
        version: u64,
    ) -> Result<PublishPlan, WorkflowError> {
        cr.plan_publish(&alice(), &ecommerce_roles(), &context(current, version))
    }

    #[test]
    fn publishing_applies_every_item_and_makes_exactly_one_new_version() {
        let current = v5();
        let mut better = def("ecommerce:orders:read", Internal);
        better.description = Some("Read your orders and their status".into());
        let cr = approved(vec![
            Item::add(def("ecommerce:carts:read", Public)),
            Item::update(better.clone()),
            Item::deprecate(
                "ecommerce:orders:create",
                "2026-01-31",
                "ecommerce:carts:read",
            ),
            Item::retire("ecommerce:orders:get"),
        ]);
        let plan = plan(&cr, &current, 5).unwrap();
        assert_eq!((plan.version, plan.previous_version), (6, 5));
        assert_eq!(plan.changes.len(), 4);

        let carts = &plan.catalog["ecommerce:carts:read"];
        assert_eq!((carts.introduced_in, carts.changed_in), (Some(6), Some(6)));
        assert_eq!(carts.status, Status::Active);

        let orders = &plan.catalog["ecommerce:orders:read"];
        assert_eq!(orders.description, better.description);
        assert_eq!(
            (orders.introduced_in, orders.changed_in),
            (Some(2), Some(6))
        );

        let create = &plan.catalog["ecommerce:orders:create"];
        assert_eq!(create.status, Status::Deprecated);
        assert_eq!(
            create.deprecation,
            Some(Deprecation {
                sunset: Some("2026-01-31".into()),
                replacement: Some("ecommerce:carts:read".into())
            })
        );
        assert_eq!(create.changed_in, Some(6));

        let get = &plan.catalog["ecommerce:orders:get"];
        assert_eq!((get.status, get.changed_in), (Status::Retired, Some(6)));

        assert_eq!(
            plan.catalog.len(),
            current.len() + 1,
            "nothing else added or removed"
        );
        for (name, scope) in &current {
            if !plan.changes.iter().any(|c| &c.name == name) {
                assert_eq!(
                    &plan.catalog[name], scope,
                    "untouched scopes stay as they are"
                );
            }
        }
        assert_eq!(plan.changes[0].before, None);
        assert_eq!(
            plan.changes[1].before.as_ref(),
            current.get("ecommerce:orders:read")
        );
        assert_eq!(plan.changes[3].kind, ItemKind::Retire);
    }

    #[test]
    fn one_conflicting_item_refuses_the_whole_request() {
        let current = v5();
        let cr = approved(vec![
            Item::add(def("ecommerce:carts:read", Public)),
            Item::add(def("ecommerce:orders:read", Internal)),
        ]);
        let before = cr.clone();
        let conflicts = conflicts_of(plan(&cr, &current, 5));
        assert_eq!(conflicts.len(), 1);
        assert_eq!(conflicts[0].name, "ecommerce:orders:read");
        assert_eq!(conflicts[0].kind, ConflictKind::AlreadyExists);
        assert_eq!(cr, before, "status unchanged");
        assert_eq!(current, v5(), "catalog unchanged");
    }

    #[test]
    fn a_catalog_that_moved_on_without_conflict_is_fine() {
        let mut current = v5();
        current.insert(
            "ecommerce:returns:read".into(),
            released("ecommerce:returns:read", Public, 7),
        );
        let cr = approved(vec![Item::add(def("ecommerce:carts:read", Public))]);
        let plan = plan(&cr, &current, 7).unwrap();
        assert_eq!(plan.version, 8);
        assert!(plan.catalog.contains_key("ecommerce:returns:read"));
    }

    #[test]
    fn a_name_added_since_the_base_version_is_named_with_the_version_that_added_it() {
        let mut current = v5();
        current.insert(
            "ecommerce:carts:read".into(),
            released("ecommerce:carts:read", Public, 7),
        );
        let cr = approved(vec![Item::add(def("ecommerce:carts:read", Public))]);
        let conflicts = conflicts_of(plan(&cr, &current, 7));
        assert_eq!(
            conflicts[0].message,
            "`ecommerce:carts:read` was added by catalog version 7 after this request was based \
             on version 5"
        );
        let err = plan(&cr, &current, 7).unwrap_err();
        assert_eq!(err.code(), "conflicts");
        assert!(err.to_string().contains("ecommerce:carts:read"), "{err}");
    }

    #[test]
    fn an_update_of_a_scope_changed_since_the_base_version_is_refused() {
        let mut current = v5();
        current.insert("ecommerce:orders:read".into(), {
            let mut changed = released("ecommerce:orders:read", Internal, 2);
            changed.changed_in = Some(6);
            changed
        });
        let cr = approved(vec![Item::update(def("ecommerce:orders:read", Internal))]);
        let conflicts = conflicts_of(plan(&cr, &current, 6));
        assert_eq!(conflicts[0].kind, ConflictKind::ChangedSinceBase);
        assert!(
            conflicts[0].message.starts_with(
                "`ecommerce:orders:read` was changed by catalog version 6 after this request \
                     was based on version 5"
            ),
            "{}",
            conflicts[0].message
        );
    }

    #[test]
    fn a_retired_name_is_never_reused() {
        let cr = approved(vec![Item::add(def("ecommerce:orders:view", Public))]);
        let conflicts = conflicts_of(plan(&cr, &v5(), 5));
        assert_eq!(conflicts[0].kind, ConflictKind::RetiredName);
        assert_eq!(
            conflicts[0].message,
            "`ecommerce:orders:view` was retired in catalog version 5; a retired name is never \
             reused, choose another"
        );
    }

    #[test]
    fn retired_scopes_are_not_updated_deprecated_or_retired_again() {
        for item in [
            Item::update(def("ecommerce:orders:view", Public)),
            Item::deprecate(
                "ecommerce:orders:view",
                "2025-01-01",
                "ecommerce:orders:read",
            ),
            Item::retire("ecommerce:orders:view"),
        ] {
            let conflicts = conflicts_of(plan(&approved(vec![item]), &v5(), 5));
            assert_eq!(conflicts[0].kind, ConflictKind::Retired, "{conflicts:?}");
        }
    }

    #[test]
    fn changes_to_unknown_scopes_are_refused() {
        for item in [
            Item::update(def("ecommerce:orders:cancel", Public)),
            Item::deprecate(
                "ecommerce:orders:cancel",
                "2025-01-01",
                "ecommerce:orders:read",
            ),
            Item::retire("ecommerce:orders:cancel"),
        ] {
            let conflicts = conflicts_of(plan(&approved(vec![item]), &v5(), 5));
            assert_eq!(conflicts[0].kind, ConflictKind::NotFound);
            assert!(
                conflicts[0]
                    .message
                    .contains("does not exist in the catalog (version 5)")
            );
        }
    }

    #[test]
    fn retiring_before_the_sunset_date_is_refused() {
        let cr = approved(vec![Item::retire("ecommerce:orders:list")]);
        let conflicts = conflicts_of(plan(&cr, &v5(), 5));
        assert_eq!(conflicts[0].kind, ConflictKind::BeforeSunset);
        assert_eq!(
            conflicts[0].message,
            "`ecommerce:orders:list` cannot be retired before its sunset date 2025-12-31 (today \
             is 2025-06-01)"
        );
    }

    #[test]
    fn retiring_on_the_sunset_date_is_allowed() {
        let cr = approved(vec![Item::retire("ecommerce:orders:list")]);
        let current = v5();
        let on_sunset = PublishContext {
            today: date("2025-12-31"),
            ..context(&current, 5)
        };
        let plan = cr
            .plan_publish(&alice(), &ecommerce_roles(), &on_sunset)
            .unwrap();
        assert_eq!(
            plan.catalog["ecommerce:orders:list"].status,
            Status::Retired
        );
    }

    #[test]
    fn only_deprecated_scopes_with_a_sunset_date_are_retired() {
        let cr = approved(vec![Item::retire("ecommerce:orders:read")]);
        let conflicts = conflicts_of(plan(&cr, &v5(), 5));
        assert_eq!(conflicts[0].kind, ConflictKind::NotDeprecated);
        assert!(
            conflicts[0]
                .message
                .contains("is active; deprecate it with a sunset date first")
        );

        let mut current = v5();
        if let Some(get) = current.get_mut("ecommerce:orders:get") {
            get.deprecation = None;
        }
        let cr = approved_against(vec![Item::retire("ecommerce:orders:get")], &current);
        let conflicts = conflicts_of(plan(&cr, &current, 5));
        assert!(conflicts[0].message.contains("has no valid sunset date"));
    }

    #[test]
    fn a_replacement_must_exist_and_not_be_retired() {
        let cr = approved(vec![
            Item::deprecate(
                "ecommerce:orders:read",
                "2026-01-31",
                "ecommerce:orders:fetch",
            ),
            Item::deprecate(
                "ecommerce:orders:create",
                "2026-01-31",
                "ecommerce:orders:view",
            ),
        ]);
        let conflicts = conflicts_of(plan(&cr, &v5(), 5));
        let messages: Vec<&str> = conflicts.iter().map(|c| c.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "the replacement `ecommerce:orders:fetch` for `ecommerce:orders:read` does not \
                 exist in the catalog",
                "the replacement `ecommerce:orders:view` for `ecommerce:orders:create` is retired",
            ]
        );
    }

    #[test]
    fn a_replacement_added_by_the_same_request_is_fine() {
        let cr = approved(vec![
            Item::add(def("ecommerce:orders:fetch", Internal)),
            Item::deprecate(
                "ecommerce:orders:read",
                "2026-01-31",
                "ecommerce:orders:fetch",
            ),
        ]);
        assert!(plan(&cr, &v5(), 5).is_ok());
    }

    #[test]
    fn a_scope_still_referenced_cannot_be_retired() {
        let mut current = v5();
        let mut carts = released("ecommerce:carts:read", Public, 3);
        carts.implies = vec!["ecommerce:orders:get".into()];
        current.insert(carts.name.clone(), carts);
        let cr = approved_against(vec![Item::retire("ecommerce:orders:get")], &current);
        let conflicts = conflicts_of(plan(&cr, &current, 5));
        assert_eq!(conflicts[0].kind, ConflictKind::DanglingReference);
        assert_eq!(
            conflicts[0].message,
            "`ecommerce:orders:get` cannot be retired while `ecommerce:carts:read` implies it"
        );

        let mut current = v5();
        if let Some(list) = current.get_mut("ecommerce:orders:list") {
            list.deprecation = Some(Deprecation {
                sunset: Some("2025-12-31".into()),
                replacement: Some("ecommerce:orders:get".into()),
            });
        }
        let cr = approved_against(vec![Item::retire("ecommerce:orders:get")], &current);
        let conflicts = conflicts_of(plan(&cr, &current, 5));
        assert!(conflicts[0].message.contains("names it as its replacement"));
    }

    #[test]
    fn implied_scopes_must_exist_in_the_new_catalog() {
        let mut carts = def("ecommerce:carts:read", Public);
        carts.implies = vec![
            "ecommerce:orders:read".into(),
            "ecommerce:orders:view".into(),
        ];
        let cr = approved(vec![Item::add(carts)]);
        let conflicts = conflicts_of(plan(&cr, &v5(), 5));
        assert_eq!(conflicts.len(), 1);
        assert_eq!(
            conflicts[0].message,
            "`ecommerce:carts:read` implies `ecommerce:orders:view`, which is retired"
        );
    }

    #[test]
    fn every_conflict_is_reported_at_once() {
        let cr = approved(vec![
            Item::add(def("ecommerce:orders:read", Internal)),
            Item::add(def("ecommerce:orders:view", Public)),
            Item::retire("ecommerce:orders:list"),
        ]);
        let kinds: Vec<ConflictKind> = conflicts_of(plan(&cr, &v5(), 5))
            .iter()
            .map(|c| c.kind)
            .collect();
        assert_eq!(
            kinds,
            [
                ConflictKind::AlreadyExists,
                ConflictKind::RetiredName,
                ConflictKind::BeforeSunset
            ]
        );
    }

    #[test]
    fn malformed_stored_items_are_conflicts_too() {
        // Items are validated when saved; these could only come from older stored data.
        let renamed = Item {
            name: "ecommerce:orders:read".into(),
            ..Item::update(def("ecommerce:orders:fetch", Internal))
        };
        let twice = Item::retire("ecommerce:orders:get");
        let cr = approved(vec![renamed, twice.clone(), twice]);
        let conflicts = conflicts_of(plan(&cr, &v5(), 5));
        let kinds: Vec<ConflictKind> = conflicts.iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            [ConflictKind::InvalidItem, ConflictKind::DuplicateItem]
        );
        assert!(
            conflicts[0]
                .message
                .contains("a scope's name never changes")
        );
    }

    #[test]
    fn an_update_keeps_status_deprecation_and_introduction() {
        let mut newer = def("ecommerce:orders:list", Internal);
        newer.description = Some("List your orders (deprecated)".into());
        let cr = approved(vec![Item::update(newer)]);
        let plan = plan(&cr, &v5(), 5).unwrap();
        let list = &plan.catalog["ecommerce:orders:list"];
        assert_eq!(list.status, Status::Deprecated);
        assert_eq!(list.deprecation, v5()["ecommerce:orders:list"].deprecation);
        assert_eq!((list.introduced_in, list.changed_in), (Some(2), Some(6)));
    }

    #[test]
    fn who_may_publish() {
        let cr = approved(vec![Item::add(def("ecommerce:carts:read", Public))]);
        let current = v5();
        for actor in [alice(), bob(), carol(), erin()] {
            assert!(
                cr.plan_publish(&actor, &ecommerce_roles(), &context(&current, 5))
                    .is_ok(),
                "{}",
                actor.subject
            );
        }
        for actor in [alice_teammate(), mallory()] {
            assert_eq!(
                cr.plan_publish(&actor, &ecommerce_roles(), &context(&current, 5)),
                Err(WorkflowError::NotAllowedToPublish {
                    domain: "ecommerce".into()
                })
            );
        }
    }

    #[test]
    fn only_approved_requests_are_planned() {
        let cr = open_request(vec![Item::add(def("ecommerce:carts:read", Public))]);
        assert_eq!(
            plan(&cr, &v5(), 5),
            Err(WorkflowError::InvalidTransition {
                from: ChangeRequestStatus::Open,
                action: Action::Publish
            })
        );
    }

    #[test]
    fn lint_errors_against_the_moved_catalog_block_publishing() {
        let cr = approved(vec![Item::add(def("ecommerce:carts:read", Public))]);
        let current = v5();
        let with_lint_errors = PublishContext {
            lint_errors: 2,
            ..context(&current, 5)
        };
        assert_eq!(
            cr.plan_publish(&alice(), &ecommerce_roles(), &with_lint_errors),
            Err(WorkflowError::LintErrors {
                count: 2,
                action: Action::Publish
            })
        );
    }

    #[test]
    fn approvals_are_checked_again_against_the_current_catalog() {
        // Approved by bob alone while the scope was public…
        let mut current = v5();
        current.insert(
            "ecommerce:carts:read".into(),
            released("ecommerce:carts:read", Public, 3),
        );
        let mut cr = open_request(vec![Item::deprecate(
            "ecommerce:carts:read",
            "2026-01-31",
            "ecommerce:orders:read",
        )]);
        cr.base_version = 5;
        let requirement = cr.required_approvals(&policy(), &current);
        cr.review(&bob(), &ecommerce_roles(), Verdict::Approve, &requirement)
            .unwrap();
        assert_eq!(cr.status, ChangeRequestStatus::Approved);
        // …then another request made it restricted.
        let mut restricted = released("ecommerce:carts:read", Restricted, 3);
        restricted.changed_in = Some(6);
        current.insert(restricted.name.clone(), restricted);
        assert_eq!(
            plan(&cr, &current, 6),
            Err(WorkflowError::ApprovalsMissing {
                missing: 1,
                security_review_missing: true
            })
        );
    }

    #[test]
    fn a_planned_request_is_then_published_with_the_plans_version() {
        let mut cr = approved(vec![Item::add(def("ecommerce:carts:read", Public))]);
        let plan = plan(&cr, &v5(), 5).unwrap();
        cr.publish(plan.version).unwrap();
        assert_eq!(cr.status, ChangeRequestStatus::Published);
        assert_eq!(
            self::plan(&cr, &v5(), 6),
            Err(WorkflowError::InvalidTransition {
                from: ChangeRequestStatus::Published,
                action: Action::Publish
            }),
            "published once"
        );
    }
}
