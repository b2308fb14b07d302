use crate::diagnostic::{Sink, Span};
use crate::name::ScopeName;
use crate::policy::Policy;
use crate::registry::Rule;

declare_rule! {
    /// ## What it does
    /// Checks that a scope name is no longer than `syntax.max_name_length` bytes (80 by default).
    ///
    /// ## Why is this bad?
    /// A token request carries every scope in one `scope` parameter, and authorization servers,
    /// proxies and consent screens limit its length (some to a few hundred characters for the whole
    /// list). Long names push real requests over those limits and are hard to read in a review.
    ///
    /// ## Example
    /// ```text
    /// ecommerce:customer-order-line-item-fulfilment-shipment-tracking-events:read
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// ecommerce:shipment-events:read
    /// ```
    ///
    /// ## Options
    /// - `syntax.max_name_length`
    pub struct NameTooLong {
        code: "SL008",
        name: "name-too-long",
        severity: Error,
    }
}

pub(crate) fn check(name: &ScopeName<'_>, policy: &Policy, sink: &mut Sink<'_>) {
    let max = policy.syntax.max_name_length;
    let len = name.raw.len();
    if len <= max {
        return;
    }
    // Start the span at a character boundary at or after the limit.
    let start = (max..len)
        .find(|i| name.raw.is_char_boundary(*i))
        .unwrap_or(len);
    sink.report(
        Rule::NameTooLong,
        Span::new(start, len),
        format!("the name is {len} bytes long; the policy allows at most {max}"),
    );
}
