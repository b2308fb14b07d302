//! One rule per file, named after what it flags. Each file declares its rule with
//! `declare_rule!`, whose doc comment is both the rustdoc and what `scope-lint explain` prints,
//! and has a `check` function the linter calls.
//!
//! The blocks: SL0xx syntax, SL1xx naming, SL2xx catalog context, SL3xx metadata.

/// Declares a rule: its documentation, code, name and default severity.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])+
        pub struct $ty:ident {
            code: $code:literal,
            name: $name:literal,
            severity: $severity:ident $(,)?
        }
    ) => {
        $(#[doc = $doc])+
        #[derive(Debug)]
        pub struct $ty;

        impl $ty {
            pub const META: $crate::registry::RuleMeta = $crate::registry::RuleMeta {
                code: $code,
                name: $name,
                default_severity: $crate::diagnostic::Severity::$severity,
                raw_doc: concat!($($doc, "\n"),+),
            };
        }
    };
}

// SL0xx syntax
pub mod empty_segment;
pub mod invalid_character;
pub mod misplaced_word_separator;
pub mod name_too_long;
pub mod non_ascii_character;
pub mod segment_starts_with_digit;
pub mod segment_too_long;
pub mod uppercase_letter;
pub mod whitespace_or_control_character;
pub mod wildcard;
pub mod wrong_segment_count;
// SL1xx naming
pub mod action_synonym;
pub mod reserved_word;
pub mod resource_repeats_domain;
pub mod unknown_action;
// SL2xx catalog context
pub mod domain_not_owned;
pub mod duplicate_scope;
pub mod implication_cycle;
pub mod mixed_plurality;
pub mod near_duplicate_scope;
pub mod retired_name_reuse;
pub mod toxic_combination;
pub mod unknown_domain;
pub mod unknown_implied_scope;
// SL3xx metadata
pub mod incomplete_deprecation;
pub mod missing_classification;
pub mod missing_consent_text;
pub mod missing_description;
pub mod placeholder_description;

/// Per-segment rules report at most this many segments of one name, so a pathological name
/// (`::::…`) yields a handful of findings, not thousands.
pub(crate) const MAX_REPORTED_SEGMENTS: usize = 8;
