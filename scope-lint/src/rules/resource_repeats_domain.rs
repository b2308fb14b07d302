use crate::diagnostic::{Sink, Span};
use crate::name::ScopeName;
use crate::policy::Policy;
use crate::registry::Rule;

declare_rule! {
    /// ## What it does
    /// Checks for a resource segment that repeats the domain, whole (`ecommerce:ecommerce:read`)
    /// or as its first word (`ecommerce:ecommerce-orders:read`).
    ///
    /// ## Why is this bad?
    /// The domain is already the first segment; saying it again makes names longer without
    /// making them clearer, and usually means the resource was not thought through
    /// (`ecommerce:ecommerce:read` reads as "everything in e-commerce").
    ///
    /// ## Example
    /// ```text
    /// ecommerce:ecommerce-orders:read
    /// ecommerce:ecommerce:read
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// ecommerce:orders:read
    /// ```
    ///
    /// ## Fix
    /// Drops the repeated domain word when the resource has more words after it.
    pub struct ResourceRepeatsDomain {
        code: "SL104",
        name: "resource-repeats-domain",
        severity: Warning,
    }
}

pub(crate) fn check(name: &ScopeName<'_>, policy: &Policy, sink: &mut Sink<'_>) {
    if name.segments.len() != policy.syntax.segments {
        return;
    }
    let Some(domain) = name.domain() else {
        return;
    };
    let domain_text = domain.text.to_ascii_lowercase();
    if domain_text.is_empty() {
        return;
    }
    for resource in name.resources() {
        let text = resource.text.to_ascii_lowercase();
        if text == domain_text {
            sink.report(
                Rule::ResourceRepeatsDomain,
                resource.span,
                format!(
                    "the resource repeats the domain `{}`: name what in it the scope protects",
                    domain.text
                ),
            );
            return;
        }
        let Some(w) = policy.syntax.word_separator else {
            continue;
        };
        let prefix = format!("{domain_text}{w}");
        if let Some(rest) = text.strip_prefix(&prefix)
            && !rest.is_empty()
        {
            let span = Span::new(resource.span.start, resource.span.start + prefix.len());
            let fixed = name.replace(span, "");
            sink.report(
                Rule::ResourceRepeatsDomain,
                span,
                format!(
                    "the resource starts with the domain `{}`, which the name already has",
                    domain.text
                ),
            )
            .fix(fixed);
            return;
        }
    }
}
