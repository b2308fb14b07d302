use crate::definition::Status;
use crate::diagnostic::{Sink, Span};
use crate::lint::Context;
use crate::registry::Rule;

declare_rule! {
    /// ## What it does
    /// Checks that a new scope does not take the name of a retired one.
    ///
    /// ## Why is this bad?
    /// Clients, tokens, logs and consent records out there still carry the retired name with its
    /// old meaning. Giving the name a new meaning grants those old holders something they never
    /// consented to, and makes every audit trail ambiguous. A retired name is never reused.
    ///
    /// ## Example
    /// With `ecommerce:carts:manage` retired, adding:
    /// ```text
    /// ecommerce:carts:manage
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// ecommerce:carts:update
    /// ```
    pub struct RetiredNameReuse {
        code: "SL205",
        name: "retired-name-reuse",
        severity: Error,
    }
}

pub(crate) fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    if !cx.is_add() {
        return;
    }
    if let Some(existing) = cx.catalog.by_name.get(cx.name.raw)
        && existing.status == Status::Retired
    {
        let when = existing
            .changed_in
            .map(|v| format!(" in catalog version {v}"))
            .unwrap_or_default();
        sink.report(
            Rule::RetiredNameReuse,
            Span::all(cx.name.raw),
            format!(
                "`{}` was retired{when}; a retired name is never given a new meaning",
                cx.name.raw
            ),
        );
    }
}
