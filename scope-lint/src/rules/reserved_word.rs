use crate::diagnostic::{Sink, Span};
use crate::name::ScopeName;
use crate::policy::Policy;
use crate::registry::Rule;

declare_rule! {
    /// ## What it does
    /// Checks for reserved words (`all`, `any`, `full`, `everything`, `root`, `super`, … by
    /// default) as a segment or as a word within one.
    ///
    /// ## Why is this bad?
    /// These words promise everything and name nothing: `ecommerce:all:manage` or
    /// `admin:full:access` cannot be reviewed, cannot be explained on a consent screen, and grow
    /// silently whenever the domain does. They are also the scopes attackers go for first.
    ///
    /// ## Example
    /// ```text
    /// ecommerce:all:read
    /// ecommerce:orders-full:manage
    /// ```
    ///
    /// ## Use instead
    /// Name each resource, and let a broader scope `implies` the narrower ones:
    /// ```text
    /// ecommerce:orders:read
    /// ecommerce:orders:manage
    /// ```
    ///
    /// ## Options
    /// - `naming.reserved_words`
    pub struct ReservedWord {
        code: "SL103",
        name: "reserved-word",
        severity: Error,
    }
}

pub(crate) fn check(name: &ScopeName<'_>, policy: &Policy, sink: &mut Sink<'_>) {
    let reserved = &policy.naming.reserved_words;
    if reserved.is_empty() {
        return;
    }
    let w = policy.syntax.word_separator;
    for segment in &name.segments {
        let mut offset = 0;
        for word in segment.text.split(|c| Some(c) == w) {
            let lower = word.to_ascii_lowercase();
            if reserved.contains(&lower) {
                let start = segment.span.start + offset;
                sink.report(
                    Rule::ReservedWord,
                    Span::new(start, start + word.len()),
                    format!(
                        "`{word}` is a reserved word: a scope names one permission, not everything"
                    ),
                );
                return;
            }
            offset += word.len() + w.map_or(0, char::len_utf8);
        }
    }
}
