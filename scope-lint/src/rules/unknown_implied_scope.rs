use crate::definition::Status;
use crate::diagnostic::{Sink, Span};
use crate::lint::Context;
use crate::registry::Rule;

declare_rule! {
    /// ## What it does
    /// Checks that every scope a definition `implies` exists (in the catalog or in the same
    /// batch) and is not retired.
    ///
    /// ## Why is this bad?
    /// An implied scope that does not exist is granted by no authorization server, so the broader
    /// scope silently grants less than it promises; one that is created later with the same name
    /// would be granted without anyone reviewing the link. A retired one should not be handed out.
    ///
    /// ## Example
    /// ```yaml
    /// - name: ecommerce:orders:manage
    ///   implies: [ecommerce:order:read]      # the catalog has ecommerce:orders:read
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - name: ecommerce:orders:manage
    ///   implies: [ecommerce:orders:read]
    /// ```
    pub struct UnknownImpliedScope {
        code: "SL207",
        name: "unknown-implied-scope",
        severity: Error,
    }
}

pub(crate) fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    for implied in &cx.proposal.definition.implies {
        let in_batch = cx.batch.first_index.contains_key(implied.as_str());
        let problem = match cx.catalog.by_name.get(implied.as_str()) {
            _ if in_batch => None,
            Some(s) if s.status == Status::Retired => Some("retired"),
            Some(_) => None,
            None => Some("neither in the catalog nor in this batch"),
        };
        if let Some(problem) = problem {
            sink.report(
                Rule::UnknownImpliedScope,
                Span::all(cx.name.raw),
                format!("the implied scope `{implied}` is {problem}"),
            );
        }
    }
}
