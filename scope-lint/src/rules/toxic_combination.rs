use std::collections::HashSet;

use crate::diagnostic::{Sink, Span};
use crate::lint::Context;
use crate::registry::Rule;

declare_rule! {
    /// ## What it does
    /// Checks that no scope grants, by itself or through the scopes it `implies` (transitively),
    /// all the scopes of a toxic combination declared in the policy: scopes that must never be
    /// held together, such as creating and approving a payment.
    ///
    /// ## Why is this bad?
    /// Segregation of duties is a control auditors and regulators check: one token that can both
    /// create and approve a transfer lets a single stolen credential, or a single insider, move
    /// money. Implications hide such combinations from reviewers who look at one scope at a time.
    ///
    /// ## Example
    /// With `payments:transfers:create` + `payments:transfers:approve` declared toxic:
    /// ```yaml
    /// - name: payments:transfers:manage
    ///   implies: [payments:transfers:create, payments:transfers:approve]
    /// ```
    ///
    /// ## Use instead
    /// Two scopes for two roles:
    /// ```yaml
    /// - name: payments:transfers:create
    /// - name: payments:transfers:approve
    /// ```
    ///
    /// ## Options
    /// - `[[toxic_combinations]]`: `scopes` and `reason`
    pub struct ToxicCombination {
        code: "SL209",
        name: "toxic-combination",
        severity: Error,
    }
}

pub(crate) fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let combos = &cx.policy.toxic_combinations;
    if combos.is_empty() || !sink.enabled(Rule::ToxicCombination) {
        return;
    }
    // Everything this scope grants: itself and the transitive closure of `implies`.
    let mut granted: HashSet<&str> = HashSet::from([cx.name.raw]);
    let mut stack = vec![cx.name.raw];
    while let Some(n) = stack.pop() {
        for next in cx.batch.implies_of(cx.catalog, n) {
            if granted.insert(next.as_str()) {
                stack.push(next.as_str());
            }
        }
    }
    if granted.len() < 2 {
        return;
    }
    for combo in combos {
        if combo.scopes.iter().all(|s| granted.contains(s.as_str())) {
            let list = combo
                .scopes
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(" + ");
            let reason = if combo.reason.is_empty() {
                String::new()
            } else {
                format!(": {}", combo.reason)
            };
            sink.report(
                Rule::ToxicCombination,
                Span::all(cx.name.raw),
                format!(
                    "`{}` grants {list} together, a combination the policy forbids{reason}",
                    cx.name.raw
                ),
            );
        }
    }
}
