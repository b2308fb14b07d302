use super::MAX_REPORTED_SEGMENTS;
use crate::diagnostic::{Sink, Span};
use crate::name::ScopeName;
use crate::policy::Policy;
use crate::registry::Rule;

declare_rule! {
    /// ## What it does
    /// Checks for an empty name, and for empty segments: a separator at the start or end of the
    /// name, or two separators in a row.
    ///
    /// ## Why is this bad?
    /// An empty segment is almost always a typo (`ecommerce::read`) or a template that was not
    /// filled in (`ecommerce:${resource}:read` rendered with nothing). Authorization servers treat
    /// the result as a distinct scope that nobody meant to create.
    ///
    /// ## Example
    /// ```text
    /// ecommerce::read
    /// :orders:read
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// ecommerce:orders:read
    /// ```
    pub struct EmptySegment {
        code: "SL002",
        name: "empty-segment",
        severity: Error,
    }
}

pub(crate) fn check(name: &ScopeName<'_>, _policy: &Policy, sink: &mut Sink<'_>) {
    if name.raw.is_empty() {
        sink.report(Rule::EmptySegment, Span::new(0, 0), "the name is empty");
        return;
    }
    let count = name.segments.len();
    for (i, segment) in name
        .segments
        .iter()
        .enumerate()
        .filter(|(_, s)| s.text.is_empty())
    {
        if i >= MAX_REPORTED_SEGMENTS {
            break;
        }
        let at = segment.span.start;
        let message = match i {
            0 => "the name starts with a separator: the first segment is empty".to_owned(),
            _ if i + 1 == count => {
                "the name ends with a separator: the last segment is empty".to_owned()
            }
            _ => format!("segment {} is empty (two separators in a row)", i + 1),
        };
        sink.report(Rule::EmptySegment, Span::new(at, at), message);
    }
}
