use crate::definition::ScopeDefinition;
use crate::diagnostic::{Sink, Span};
use crate::name::ScopeName;
use crate::policy::Policy;
use crate::registry::Rule;

declare_rule! {
    /// ## What it does
    /// Checks that a scope definition has a description.
    ///
    /// ## Why is this bad?
    /// The description is what a reviewer approves, what a client developer reads to pick the
    /// narrowest scope that works, and what an auditor reads years later. A scope without one
    /// gets requested "just in case" and is never retired, because nobody can tell what depends
    /// on it.
    ///
    /// ## Example
    /// ```yaml
    /// - name: ecommerce:orders:read
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - name: ecommerce:orders:read
    ///   description: Read orders, their line items and delivery status; not payment details.
    /// ```
    pub struct MissingDescription {
        code: "SL301",
        name: "missing-description",
        severity: Error,
    }
}

pub(crate) fn check(
    def: &ScopeDefinition,
    name: &ScopeName<'_>,
    _policy: &Policy,
    sink: &mut Sink<'_>,
) {
    if def
        .description
        .as_deref()
        .is_none_or(|d| d.trim().is_empty())
    {
        sink.report(
            Rule::MissingDescription,
            Span::all(name.raw),
            "the scope has no description",
        );
    }
}
