use crate::definition::ScopeDefinition;
use crate::diagnostic::{Sink, Span};
use crate::name::ScopeName;
use crate::policy::Policy;
use crate::registry::Rule;

declare_rule! {
    /// ## What it does
    /// Checks that a scope definition has a data `classification`: `public`, `internal`,
    /// `confidential` or `restricted`.
    ///
    /// ## Why is this bad?
    /// The classification decides how many approvals a change needs, whether a security reviewer
    /// must look, and how consent screens and audits treat the scope. Without it, a scope that
    /// exposes payment data is reviewed like one that exposes a product list.
    ///
    /// ## Example
    /// ```yaml
    /// - name: payments:cards:read
    ///   description: Read stored payment cards.
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - name: payments:cards:read
    ///   description: Read stored payment cards (masked numbers, expiry, holder name).
    ///   classification: restricted
    /// ```
    pub struct MissingClassification {
        code: "SL304",
        name: "missing-classification",
        severity: Error,
    }
}

pub(crate) fn check(
    def: &ScopeDefinition,
    name: &ScopeName<'_>,
    _policy: &Policy,
    sink: &mut Sink<'_>,
) {
    if def.classification.is_none() {
        sink.report(
            Rule::MissingClassification,
            Span::all(name.raw),
            "the scope has no classification (public, internal, confidential or restricted)",
        );
    }
}
