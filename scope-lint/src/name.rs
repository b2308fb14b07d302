//! A scope name split into its segments, each with its byte span in the name.

use crate::diagnostic::Span;

/// One segment of a scope name (`orders` in `ecommerce:orders:read`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment<'a> {
    pub text: &'a str,
    pub span: Span,
}

/// A scope name split on the policy's separator. Parsing never fails: every string has segments
/// (possibly one, possibly empty); judging them is the rules' work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopeName<'a> {
    pub raw: &'a str,
    pub segments: Vec<Segment<'a>>,
}

impl<'a> ScopeName<'a> {
    /// Splits `raw` on `separator` (a non-empty string such as `":"`).
    pub fn parse(raw: &'a str, separator: &str) -> Self {
        let mut segments = Vec::new();
        if separator.is_empty() {
            segments.push(Segment {
                text: raw,
                span: Span::all(raw),
            });
            return Self { raw, segments };
        }
        let mut start = 0;
        for (at, _) in raw.match_indices(separator) {
            segments.push(Segment {
                text: &raw[start..at],
                span: Span::new(start, at),
            });
            start = at + separator.len();
        }
        segments.push(Segment {
            text: &raw[start..],
            span: Span::new(start, raw.len()),
        });
        Self { raw, segments }
    }

    /// The first segment: the domain that owns the scope.
    pub fn domain(&self) -> Option<&Segment<'a>> {
        self.segments.first()
    }

    /// The last segment: what the scope allows doing (only meaningful with two or more segments).
    pub fn action(&self) -> Option<&Segment<'a>> {
        if self.segments.len() >= 2 {
            self.segments.last()
        } else {
            None
        }
    }

    /// The segments between domain and action: the resource or function.
    pub fn resources(&self) -> &[Segment<'a>] {
        match self.segments.len() {
            0..=2 => &[],
            n => &self.segments[1..n - 1],
        }
    }

    /// `raw` with the byte range `span` replaced by `with`.
    pub fn replace(&self, span: Span, with: &str) -> String {
        let mut out = String::with_capacity(self.raw.len() + with.len());
        out.push_str(&self.raw[..span.start]);
        out.push_str(with);
        out.push_str(&self.raw[span.end..]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_into_segments_with_spans() {
        let n = ScopeName::parse("ecommerce:orders:read", ":");
        let texts: Vec<_> = n.segments.iter().map(|s| s.text).collect();
        assert_eq!(texts, ["ecommerce", "orders", "read"]);
        assert_eq!(n.segments[1].span, Span::new(10, 16));
        assert_eq!(n.domain().map(|s| s.text), Some("ecommerce"));
        assert_eq!(n.action().map(|s| s.text), Some("read"));
        assert_eq!(n.resources().len(), 1);
    }

    #[test]
    fn keeps_empty_segments() {
        let n = ScopeName::parse(":a::", ":");
        let spans: Vec<_> = n
            .segments
            .iter()
            .map(|s| (s.text, s.span.start, s.span.end))
            .collect();
        assert_eq!(spans, [("", 0, 0), ("a", 1, 2), ("", 3, 3), ("", 4, 4)]);
    }

    #[test]
    fn spans_are_bytes_with_multibyte_text() {
        let n = ScopeName::parse("éé:b", ":");
        assert_eq!(n.segments[1].span, Span::new(5, 6));
    }
}
