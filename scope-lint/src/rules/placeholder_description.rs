use crate::definition::ScopeDefinition;
use crate::diagnostic::{Sink, Span};
use crate::name::ScopeName;
use crate::policy::Policy;
use crate::registry::Rule;
use crate::similarity::fold;

declare_rule! {
    /// ## What it does
    /// Checks for descriptions that say nothing: placeholders (`TODO`, `tbd`, `n/a`, …), and
    /// descriptions that only repeat the name (`Read orders` for `ecommerce:orders:read`).
    ///
    /// ## Why is this bad?
    /// A placeholder passes a "description is required" check while telling nobody anything, and
    /// tends to stay forever. A description exists to say what the name cannot: which data, which
    /// operations, what is excluded.
    ///
    /// ## Example
    /// ```yaml
    /// - name: ecommerce:orders:read
    ///   description: TODO
    /// - name: ecommerce:carts:read
    ///   description: Read carts.
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - name: ecommerce:orders:read
    ///   description: Read orders, their line items and delivery status; not payment details.
    /// ```
    ///
    /// ## Options
    /// - `metadata.placeholder_descriptions`
    pub struct PlaceholderDescription {
        code: "SL302",
        name: "placeholder-description",
        severity: Error,
    }
}

/// Words that carry no meaning of their own in a description.
const FILLER: &[&str] = &[
    "a",
    "an",
    "the",
    "of",
    "to",
    "for",
    "and",
    "scope",
    "permission",
];

/// Words starting a note to self rather than a description.
const MARKERS: &[&str] = &["todo", "tbd", "fixme", "xxx"];

pub(crate) fn check(
    def: &ScopeDefinition,
    name: &ScopeName<'_>,
    policy: &Policy,
    sink: &mut Sink<'_>,
) {
    let Some(description) = def
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    else {
        return;
    };
    let lower = description.to_lowercase();
    let bare = lower
        .trim_end_matches(|c: char| c.is_ascii_punctuation() && c != '?' && c != '-')
        .trim();
    let first_word = lower
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or_default();
    let placeholder = policy
        .metadata
        .placeholder_descriptions
        .iter()
        .any(|p| p.to_lowercase() == bare)
        || policy
            .metadata
            .placeholder_descriptions
            .iter()
            .any(|p| p.to_lowercase() == lower)
        || MARKERS.contains(&first_word);
    if placeholder {
        sink.report(
            Rule::PlaceholderDescription,
            Span::all(name.raw),
            format!("the description {description:?} is a placeholder"),
        );
        return;
    }
    // Only the name's own words (in any order, singular or plural) and filler.
    let name_words: Vec<String> = name
        .segments
        .iter()
        .flat_map(|s| s.text.split(|c: char| !c.is_ascii_alphanumeric()))
        .filter(|w| !w.is_empty())
        .map(fold)
        .collect();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let repeats = !words.is_empty()
        && words
            .iter()
            .all(|w| FILLER.contains(w) || name_words.contains(&fold(w)));
    if repeats {
        sink.report(
            Rule::PlaceholderDescription,
            Span::all(name.raw),
            format!("the description {description:?} only repeats the name"),
        );
    }
}
