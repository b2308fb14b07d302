use crate::diagnostic::{Sink, Span};
use crate::name::ScopeName;
use crate::policy::Policy;
use crate::registry::Rule;

declare_rule! {
    /// ## What it does
    /// Checks for `*` in a scope name.
    ///
    /// ## Why is this bad?
    /// OAuth has no wildcard scopes: `admin:*` is a literal string to an authorization server,
    /// yet people and some resource servers read it as "everything". A scope must name one
    /// permission that a reviewer can judge; "everything in this domain" is a role, not a scope.
    ///
    /// ## Example
    /// ```text
    /// ecommerce:orders:*
    /// admin:*:*
    /// ```
    ///
    /// ## Use instead
    /// One scope per action, and `implies` on a broader scope when one must include others:
    /// ```text
    /// ecommerce:orders:manage   # implies ecommerce:orders:read and ecommerce:orders:update
    /// ```
    pub struct Wildcard {
        code: "SL005",
        name: "wildcard",
        severity: Error,
    }
}

pub(crate) fn check(name: &ScopeName<'_>, _policy: &Policy, sink: &mut Sink<'_>) {
    if let Some(at) = name.raw.find('*') {
        sink.report(
            Rule::Wildcard,
            Span::new(at, at + 1),
            "`*` is not a wildcard in OAuth: name the permission instead",
        );
    }
}
