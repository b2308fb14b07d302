use crate::diagnostic::Sink;
use crate::name::ScopeName;
use crate::policy::Policy;
use crate::registry::Rule;
use crate::similarity::closest;

declare_rule! {
    /// ## What it does
    /// Checks that the last segment is one of the policy's actions (`read`, `write`, `create`,
    /// `update`, `delete`, `manage`, … by default). Synonyms of an action have their own rule,
    /// `action-synonym`.
    ///
    /// ## Why is this bad?
    /// A small, fixed set of verbs is what lets a reviewer compare scopes across hundreds of
    /// domains and lets a client developer guess a scope's name. Every new verb (`approve-all`,
    /// `doit`, `orders`) is a new meaning someone has to learn, and usually hides a scope that is
    /// too broad or a resource put in the action's place.
    ///
    /// ## Example
    /// ```text
    /// ecommerce:orders:process
    /// ecommerce:orders:raed
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// ecommerce:orders:update
    /// ecommerce:orders:read
    /// ```
    ///
    /// ## Options
    /// - `naming.actions`
    pub struct UnknownAction {
        code: "SL101",
        name: "unknown-action",
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
    let actions = &policy.naming.actions;
    if word.is_empty() || actions.contains(&word) || policy.canonical_action(&word).is_some() {
        return;
    }
    // A malformed action (`*`, `réad`) has its syntax finding already; no second one here.
    let word_like = word.chars().all(|c| {
        c.is_ascii_lowercase() || c.is_ascii_digit() || Some(c) == policy.syntax.word_separator
    });
    if !word_like {
        return;
    }
    let list = actions
        .iter()
        .map(|a| format!("`{a}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let report = sink.report(
        Rule::UnknownAction,
        action.span,
        format!(
            "`{}` is not an action of the policy, which allows {list}",
            action.text
        ),
    );
    if let Some(near) = closest(&word, actions.iter().map(String::as_str), 2) {
        report.suggest([name.replace(action.span, near)]);
    }
}
