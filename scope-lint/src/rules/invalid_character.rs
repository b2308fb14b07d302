use crate::confusables::is_blank_or_control;
use crate::diagnostic::{Sink, Span};
use crate::name::ScopeName;
use crate::policy::Policy;
use crate::registry::Rule;

declare_rule! {
    /// ## What it does
    /// Checks for ASCII characters a segment may not hold: anything but lower-case letters, digits
    /// (when `syntax.allow_digits`) and the word separator (`-` by default). Upper case, `*`,
    /// whitespace and non-ASCII characters have rules of their own.
    ///
    /// ## Why is this bad?
    /// One character set everywhere is what lets a scope name travel unchanged through URLs,
    /// consent screens, JWT claims, configuration files and every authorization server's own
    /// rules (AWS Cognito, for one, refuses many punctuation characters). Mixed styles
    /// (`order_items`, `order.items`, `order-items`) also hide duplicates from people.
    ///
    /// ## Example
    /// ```text
    /// ecommerce:order_items:read
    /// ecommerce:orders:read+write
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// ecommerce:order-items:read
    /// ecommerce:orders:write
    /// ```
    ///
    /// ## Fix
    /// Replaces `_`, `.`, `+` and `~` inside segments with the word separator, when those are the
    /// only invalid characters.
    ///
    /// ## Options
    /// - `syntax.word_separator`
    /// - `syntax.allow_digits`
    pub struct InvalidCharacter {
        code: "SL003",
        name: "invalid-character",
        severity: Error,
    }
}

/// Characters people use between words instead of the policy's word separator.
const OTHER_WORD_SEPARATORS: [char; 5] = ['_', '.', '-', '+', '~'];

pub(crate) fn check(name: &ScopeName<'_>, policy: &Policy, sink: &mut Sink<'_>) {
    let syntax = &policy.syntax;
    // Upper case, `*` and blanks have rules of their own.
    let has_own_rule = |c: char| c.is_ascii_uppercase() || c == '*' || is_blank_or_control(c);
    let allowed = |c: char| {
        c.is_ascii_lowercase()
            || (c.is_ascii_digit() && syntax.allow_digits)
            || Some(c) == syntax.word_separator
    };
    let invalid = |c: char| c.is_ascii() && !has_own_rule(c) && !allowed(c);
    let mut found: Vec<(usize, char)> = Vec::new();
    for segment in &name.segments {
        found.extend(
            segment
                .text
                .char_indices()
                .filter(|(_, c)| invalid(*c))
                .map(|(i, c)| (segment.span.start + i, c)),
        );
    }
    let Some(&(at, c)) = found.first() else {
        return;
    };
    let allowed = match (syntax.word_separator, syntax.allow_digits) {
        (Some(w), true) => format!("lower-case letters, digits and `{w}`"),
        (Some(w), false) => format!("lower-case letters and `{w}`"),
        (None, true) => "lower-case letters and digits".to_owned(),
        (None, false) => "lower-case letters".to_owned(),
    };
    let more = if found.len() > 1 {
        format!(" (and {} more)", found.len() - 1)
    } else {
        String::new()
    };
    let report = sink.report(
        Rule::InvalidCharacter,
        Span::new(at, at + c.len_utf8()),
        format!("`{c}` is not allowed in a segment, which holds only {allowed}{more}"),
    );
    let Some(w) = syntax.word_separator else {
        return;
    };
    // With the wrong number of segments, a `.` or `/` is more likely a separator than a word break.
    let shaped = name.segments.len() == syntax.segments;
    if shaped && found.iter().all(|(_, c)| OTHER_WORD_SEPARATORS.contains(c)) {
        let mut fixed = name.raw.to_owned();
        // Replace back to front so earlier offsets stay valid.
        for &(i, c) in found.iter().rev() {
            fixed.replace_range(i..i + c.len_utf8(), w.encode_utf8(&mut [0; 4]));
        }
        report.fix(fixed);
    }
}
