use crate::diagnostic::{Sink, Span};
use crate::lint::Context;
use crate::registry::Rule;

declare_rule! {
    /// ## What it does
    /// Checks that following `implies` from a scope never leads back to it.
    ///
    /// ## Why is this bad?
    /// A cycle makes every scope on it equivalent to all the others: granting the narrowest one
    /// grants the broadest. It is almost always a mistake in one link, and it makes the effective
    /// permissions of a token impossible to reason about.
    ///
    /// ## Example
    /// ```yaml
    /// - name: ecommerce:orders:manage
    ///   implies: [ecommerce:orders:read]
    /// - name: ecommerce:orders:read
    ///   implies: [ecommerce:orders:manage]
    /// ```
    ///
    /// ## Use instead
    /// Implications that only go from broader to narrower:
    /// ```yaml
    /// - name: ecommerce:orders:manage
    ///   implies: [ecommerce:orders:read]
    /// - name: ecommerce:orders:read
    /// ```
    pub struct ImplicationCycle {
        code: "SL208",
        name: "implication-cycle",
        severity: Error,
    }
}

pub(crate) fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(path) = cx.batch.cycles.get(&cx.index) else {
        return;
    };
    let shown = path
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(" → ");
    let message = if path.len() <= 2 {
        format!("`{}` implies itself", cx.name.raw)
    } else {
        format!("implication cycle: {shown}")
    };
    sink.report(Rule::ImplicationCycle, Span::all(cx.name.raw), message);
}
