use crate::confusables::{describe, is_blank_or_control};
use crate::diagnostic::{Sink, Span};
use crate::name::ScopeName;
use crate::policy::Policy;
use crate::registry::Rule;

declare_rule! {
    /// ## What it does
    /// Checks for whitespace, control characters and invisible format characters (zero-width
    /// spaces, byte-order marks, bidirectional overrides) in a scope name.
    ///
    /// ## Why is this bad?
    /// The `scope` parameter is a space-separated list (RFC 6749 §3.3), so a space splits one
    /// scope into two. Invisible characters make a name that looks identical to an existing one
    /// but is not, and bidirectional overrides make a name display differently from what it is
    /// (the "Trojan Source" trick). None of them belong in a permission name.
    ///
    /// ## Example
    /// ```text
    /// ecommerce:orders :read
    /// ecommerce:orders:read\u{200B}
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// ecommerce:orders:read
    /// ```
    ///
    /// ## Fix
    /// Removes the characters when they are only at the ends or invisible, where removing them is
    /// certainly what was meant.
    pub struct WhitespaceOrControlCharacter {
        code: "SL006",
        name: "whitespace-or-control-character",
        severity: Error,
    }
}

pub(crate) fn check(name: &ScopeName<'_>, _policy: &Policy, sink: &mut Sink<'_>) {
    let raw = name.raw;
    let Some((at, c)) = raw.char_indices().find(|(_, c)| is_blank_or_control(*c)) else {
        return;
    };
    let count = raw.chars().filter(|c| is_blank_or_control(*c)).count();
    let more = if count > 1 {
        format!(" (and {} more)", count - 1)
    } else {
        String::new()
    };
    let report = sink.report(
        Rule::WhitespaceOrControlCharacter,
        Span::new(at, at + c.len_utf8()),
        format!("the name contains a {}{more}", describe(c)),
    );
    // Certain only when what remains after dropping them is the name someone typed: blanks at
    // the ends, invisible characters anywhere.
    let trimmed = raw.trim_matches(is_blank_or_control);
    let inner_visible_blank = trimmed
        .chars()
        .any(|c| c.is_whitespace() || (c.is_control() && !c.is_whitespace()));
    if !inner_visible_blank {
        let fixed: String = trimmed
            .chars()
            .filter(|c| !is_blank_or_control(*c))
            .collect();
        if !fixed.is_empty() {
            report.fix(fixed);
        }
    }
}
