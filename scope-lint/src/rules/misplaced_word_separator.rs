use super::MAX_REPORTED_SEGMENTS;
use crate::diagnostic::{Sink, Span};
use crate::name::ScopeName;
use crate::policy::Policy;
use crate::registry::Rule;

declare_rule! {
    /// ## What it does
    /// Checks that the word separator (`-` by default) only stands between two words of a
    /// segment: never first, never last, never doubled.
    ///
    /// ## Why is this bad?
    /// `-orders`, `orders-` and `order--items` are typos that create a scope distinct from the
    /// intended one, and they read the same as the real name at a glance.
    ///
    /// ## Example
    /// ```text
    /// ecommerce:order--items:read
    /// ecommerce:-orders:read
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// ecommerce:order-items:read
    /// ecommerce:orders:read
    /// ```
    ///
    /// ## Fix
    /// Collapses doubled separators and drops leading and trailing ones.
    ///
    /// ## Options
    /// - `syntax.word_separator`
    pub struct MisplacedWordSeparator {
        code: "SL010",
        name: "misplaced-word-separator",
        severity: Error,
    }
}

pub(crate) fn check(name: &ScopeName<'_>, policy: &Policy, sink: &mut Sink<'_>) {
    let Some(w) = policy.syntax.word_separator else {
        return;
    };
    let doubled: String = [w, w].iter().collect();
    let mut reported = 0;
    for segment in &name.segments {
        let text = segment.text;
        let start = segment.span.start;
        let wl = w.len_utf8();
        let problem = if text.starts_with(w) {
            Some((
                Span::new(start, start + wl),
                format!("segment starts with `{w}`"),
            ))
        } else if text.ends_with(w) {
            Some((
                Span::new(segment.span.end - wl, segment.span.end),
                format!("segment ends with `{w}`"),
            ))
        } else {
            text.find(&doubled).map(|i| {
                (
                    Span::new(start + i, start + i + 2 * wl),
                    format!("`{doubled}`: words are separated by a single `{w}`"),
                )
            })
        };
        let Some((span, message)) = problem else {
            continue;
        };
        if text.chars().all(|c| c == w) {
            continue; // nothing but separators: not a misplaced separator but a missing word
        }
        let words: Vec<&str> = text.split(w).filter(|p| !p.is_empty()).collect();
        let fixed_segment = words.join(w.encode_utf8(&mut [0; 4]));
        let fixed = name.replace(segment.span, &fixed_segment);
        sink.report(Rule::MisplacedWordSeparator, span, message)
            .fix(fixed);
        reported += 1;
        if reported == MAX_REPORTED_SEGMENTS {
            break;
        }
    }
}
