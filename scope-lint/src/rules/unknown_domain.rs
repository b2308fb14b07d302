use crate::diagnostic::Sink;
use crate::lint::Context;
use crate::registry::Rule;

declare_rule! {
    /// ## What it does
    /// Checks that a new scope's domain exists: one of the policy's `domains`, or else of the
    /// catalog's domains (its domain list, or the domains its scope names use). Runs only when
    /// one of these says which domains exist.
    ///
    /// ## Why is this bad?
    /// Every scope belongs to a domain with an owner and reviewers. A name in an unknown domain has
    /// neither, so nobody is accountable for it; often the domain is just misspelt
    /// (`ecomerce:orders:read`) and the scope would never be found next to its siblings.
    ///
    /// ## Example
    /// ```text
    /// ecomerce:orders:read
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// ecommerce:orders:read
    /// ```
    /// or ask a platform admin to create the domain first.
    ///
    /// ## Options
    /// - `domains`
    pub struct UnknownDomain {
        code: "SL201",
        name: "unknown-domain",
        severity: Error,
    }
}

pub(crate) fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let (Some(known), Some(segment)) = (&cx.catalog.domains, cx.name.domain()) else {
        return;
    };
    let domain = cx.domain();
    if !cx.is_add() || known.contains_key(&domain) {
        return;
    }
    let report = sink.report(
        Rule::UnknownDomain,
        segment.span,
        format!(
            "domain `{}` does not exist; a platform admin creates domains",
            segment.text
        ),
    );
    if let Some(Some(suggestion)) = cx.batch.domain_suggestions.get(&domain) {
        report.suggest([cx.name.replace(segment.span, suggestion)]);
    }
}
