use crate::diagnostic::Sink;
use crate::name::ScopeName;
use crate::policy::Policy;
use crate::registry::Rule;

declare_rule! {
    /// ## What it does
    /// Checks for an action that is a synonym of one of the policy's actions, such as `get`,
    /// `fetch` or `view` for `read`, `edit` or `modify` for `update`, `remove` for `delete`.
    ///
    /// ## Why is this bad?
    /// Synonyms are how scope sprawl starts: `orders:get`, `orders:view` and `orders:read` end up
    /// meaning the same thing in three teams, clients request all three, and nobody dares to
    /// retire any. One verb per meaning keeps the catalog comparable.
    ///
    /// ## Example
    /// ```text
    /// ecommerce:orders:get
    /// ecommerce:orders:edit
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// ecommerce:orders:read
    /// ecommerce:orders:update
    /// ```
    ///
    /// ## Fix
    /// Replaces the synonym with the policy's action.
    ///
    /// ## Options
    /// - `naming.action_synonyms`
    pub struct ActionSynonym {
        code: "SL102",
        name: "action-synonym",
        severity: Error,
    }
}

pub(crate) fn check(name: &ScopeName<'_>, policy: &Policy, sink: &mut Sink<'_>) {
    if name.segments.len() != policy.syntax.segments {
        return;
    }
    let Some(action) = name.action() else {
        return;
    };
    let word = action.text.to_ascii_lowercase();
    if let Some(canonical) = policy.canonical_action(&word) {
        sink.report(
            Rule::ActionSynonym,
            action.span,
            format!(
                "`{}` is a synonym of `{canonical}`, the action the policy uses",
                action.text
            ),
        )
        .fix(name.replace(action.span, canonical));
    }
}
