use super::MAX_REPORTED_SEGMENTS;
use crate::diagnostic::{Sink, Span};
use crate::name::ScopeName;
use crate::policy::Policy;
use crate::registry::Rule;

declare_rule! {
    /// ## What it does
    /// Checks that no segment is longer than `syntax.max_segment_length` bytes (32 by default).
    ///
    /// ## Why is this bad?
    /// A segment names one domain, one resource or one action. One that runs past 32 characters
    /// usually packs a sentence into a name (`customer-order-history-with-line-items`), which
    /// belongs in the description, or a second resource that deserves its own scope.
    ///
    /// ## Example
    /// ```text
    /// ecommerce:customer-order-history-with-line-items:read
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// ecommerce:order-history:read
    /// ```
    ///
    /// ## Options
    /// - `syntax.max_segment_length`
    pub struct SegmentTooLong {
        code: "SL009",
        name: "segment-too-long",
        severity: Error,
    }
}

pub(crate) fn check(name: &ScopeName<'_>, policy: &Policy, sink: &mut Sink<'_>) {
    let max = policy.syntax.max_segment_length;
    for segment in name
        .segments
        .iter()
        .filter(|s| s.text.len() > max)
        .take(MAX_REPORTED_SEGMENTS)
    {
        sink.report(
            Rule::SegmentTooLong,
            Span::new(segment.span.start, segment.span.end),
            format!(
                "segment is {} bytes long; the policy allows at most {max}",
                segment.text.len()
            ),
        );
    }
}
