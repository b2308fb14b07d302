use crate::confusables::{ascii_lookalike, describe, is_blank_or_control};
use crate::diagnostic::{Sink, Span};
use crate::name::ScopeName;
use crate::policy::Policy;
use crate::registry::Rule;

declare_rule! {
    /// ## What it does
    /// Checks for characters outside ASCII, and says which ASCII letter a look-alike (homoglyph)
    /// passes for, such as the Cyrillic `о` (U+043E) in `ecommerce:оrders:read`.
    ///
    /// ## Why is this bad?
    /// A name with a homoglyph looks exactly like an existing scope in a review, a log or a consent
    /// screen, but is a different string: a classic way to smuggle a permission past reviewers.
    /// Even honest non-ASCII names break authorization servers and clients that handle scopes as
    /// bytes or reject them (RFC 6749 limits scope tokens to printable ASCII).
    ///
    /// ## Example
    /// ```text
    /// ecommerce:оrders:read      # Cyrillic о
    /// ecommerce:commandes:créer
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// ecommerce:orders:read
    /// ecommerce:orders:create
    /// ```
    ///
    /// ## Fix
    /// Replaces look-alikes by the ASCII letters they imitate, when every non-ASCII character in
    /// the name is one.
    pub struct NonAsciiCharacter {
        code: "SL007",
        name: "non-ascii-character",
        severity: Error,
    }
}

pub(crate) fn check(name: &ScopeName<'_>, _policy: &Policy, sink: &mut Sink<'_>) {
    let raw = name.raw;
    let offending = |c: char| !c.is_ascii() && !is_blank_or_control(c);
    let Some((at, c)) = raw.char_indices().find(|(_, c)| offending(*c)) else {
        return;
    };
    let count = raw.chars().filter(|c| offending(*c)).count();
    let more = if count > 1 {
        format!(" (and {} more)", count - 1)
    } else {
        String::new()
    };
    let message = match ascii_lookalike(c) {
        Some((latin, script)) => format!(
            "`{c}` ({}, {script}) looks like the ASCII `{latin}` but is a different character{more}",
            describe(c)
        ),
        None => format!("`{c}` ({}) is not ASCII{more}", describe(c)),
    };
    let report = sink.report(
        Rule::NonAsciiCharacter,
        Span::new(at, at + c.len_utf8()),
        message,
    );
    let fixed: Option<String> = raw
        .chars()
        .map(|c| {
            if offending(c) {
                ascii_lookalike(c).map(|(l, _)| l)
            } else {
                Some(c)
            }
        })
        .collect();
    if let Some(fixed) = fixed {
        report.fix(fixed);
    }
}
