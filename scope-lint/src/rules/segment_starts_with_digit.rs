use super::MAX_REPORTED_SEGMENTS;
use crate::diagnostic::{Sink, Span};
use crate::name::ScopeName;
use crate::policy::Policy;
use crate::registry::Rule;

declare_rule! {
    /// ## What it does
    /// Checks that every segment starts with a letter, not a digit.
    ///
    /// ## Why is this bad?
    /// Segments are words: a domain, a resource, an action. One that starts with a digit is
    /// usually a version or an id (`v2`, `2fa`, `123`) that does not belong in a permission name;
    /// versions of an API share its scopes. Several authorization servers and client libraries
    /// also treat names starting with digits specially.
    ///
    /// ## Example
    /// ```text
    /// identity:2fa-devices:read
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// identity:mfa-devices:read
    /// ```
    ///
    /// ## Options
    /// - `syntax.allow_digits` (when false, any digit is an `invalid-character` instead)
    pub struct SegmentStartsWithDigit {
        code: "SL011",
        name: "segment-starts-with-digit",
        severity: Error,
    }
}

pub(crate) fn check(name: &ScopeName<'_>, policy: &Policy, sink: &mut Sink<'_>) {
    if !policy.syntax.allow_digits {
        return;
    }
    for segment in name
        .segments
        .iter()
        .filter(|s| s.text.starts_with(|c: char| c.is_ascii_digit()))
        .take(MAX_REPORTED_SEGMENTS)
    {
        let digits = segment.text.bytes().take_while(u8::is_ascii_digit).count();
        sink.report(
            Rule::SegmentStartsWithDigit,
            Span::new(segment.span.start, segment.span.start + digits),
            "segment starts with a digit; segments start with a letter",
        );
    }
}
