use crate::diagnostic::{Sink, Span};
use crate::name::ScopeName;
use crate::policy::Policy;
use crate::registry::Rule;

declare_rule! {
    /// ## What it does
    /// Checks for upper-case ASCII letters in a scope name.
    ///
    /// ## Why is this bad?
    /// OAuth scopes are case-sensitive strings (RFC 6749 §3.3): `Ecommerce:Orders:Read` and
    /// `ecommerce:orders:read` are two different scopes to every authorization server. Mixing
    /// cases creates look-alike scopes that grant different things. The convention is lower case
    /// throughout.
    ///
    /// ## Example
    /// ```text
    /// ecommerce:Orders:READ
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// ecommerce:orders:read
    /// ```
    ///
    /// ## Fix
    /// Lower-cases the name.
    pub struct UppercaseLetter {
        code: "SL004",
        name: "uppercase-letter",
        severity: Error,
    }
}

pub(crate) fn check(name: &ScopeName<'_>, _policy: &Policy, sink: &mut Sink<'_>) {
    let raw = name.raw;
    let (Some(first), Some(last)) = (
        raw.find(|c: char| c.is_ascii_uppercase()),
        raw.rfind(|c: char| c.is_ascii_uppercase()),
    ) else {
        return;
    };
    sink.report(
        Rule::UppercaseLetter,
        Span::new(first, last + 1),
        "scope names are case-sensitive and written in lower case",
    )
    .fix(raw.to_ascii_lowercase());
}
