use crate::definition::ScopeDefinition;
use crate::diagnostic::{Sink, Span};
use crate::name::ScopeName;
use crate::policy::Policy;
use crate::registry::Rule;

declare_rule! {
    /// ## What it does
    /// Checks that a scope people consent to (`usage` `delegated`, the default, or `both`) has
    /// consent texts: a `display_name` and a `user_text` under `consent`.
    ///
    /// ## Why is this bad?
    /// Without them, the consent screen shows the raw scope name (`ecommerce:orders:read`) or
    /// nothing, and the person deciding whether an app may act for them cannot make an informed
    /// choice. Scopes only applications receive (`usage: application`) need no consent text.
    ///
    /// ## Example
    /// ```yaml
    /// - name: ecommerce:orders:read
    ///   description: Read orders and their delivery status.
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - name: ecommerce:orders:read
    ///   description: Read orders and their delivery status.
    ///   consent:
    ///     display_name: See your orders
    ///     user_text: See your orders, what is in them and where they are.
    /// ```
    pub struct MissingConsentText {
        code: "SL303",
        name: "missing-consent-text",
        severity: Error,
    }
}

pub(crate) fn check(
    def: &ScopeDefinition,
    name: &ScopeName<'_>,
    _policy: &Policy,
    sink: &mut Sink<'_>,
) {
    if !def.usage.unwrap_or_default().is_user_facing() {
        return;
    }
    let blank = |s: &Option<String>| s.as_deref().is_none_or(|t| t.trim().is_empty());
    let missing: Vec<&str> = match &def.consent {
        None => vec!["display_name", "user_text"],
        Some(c) => [
            ("display_name", &c.display_name),
            ("user_text", &c.user_text),
        ]
        .into_iter()
        .filter(|(_, v)| blank(v))
        .map(|(k, _)| k)
        .collect(),
    };
    if !missing.is_empty() {
        let list = missing
            .iter()
            .map(|m| format!("consent.{m}"))
            .collect::<Vec<_>>()
            .join(" and ");
        sink.report(
            Rule::MissingConsentText,
            Span::all(name.raw),
            format!("people consent to this scope, but it has no {list}"),
        );
    }
}
