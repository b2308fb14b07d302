//! Code → rule: the single table of every rule, its stable code, name, default severity and
//! documentation. Codes are never reused; a retired rule keeps its code reserved here.

use crate::diagnostic::Severity;

/// What every rule declares about itself (see `declare_rule!` in `rules/mod.rs`).
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable code, such as `SL102`.
    pub code: &'static str,
    /// Kebab-case name saying what the rule flags, such as `action-synonym`.
    pub name: &'static str,
    pub default_severity: Severity,
    /// The rule's doc comment: *What it does*, *Why is this bad?*, *Example*, *Use instead*, *Options*.
    pub raw_doc: &'static str,
}

impl RuleMeta {
    /// The documentation as `scope-lint explain` prints it (Markdown).
    pub fn documentation(&self) -> String {
        let mut out = String::with_capacity(self.raw_doc.len());
        for line in self.raw_doc.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim().to_owned() + "\n"
    }

    /// The first sentence of *What it does*.
    pub fn summary(&self) -> String {
        let doc = self.documentation();
        let body = doc
            .split_once("## What it does")
            .map_or(doc.as_str(), |(_, rest)| rest);
        let paragraph: Vec<&str> = body
            .lines()
            .map(str::trim)
            .skip_while(|l| l.is_empty())
            .take_while(|l| !l.is_empty())
            .collect();
        let paragraph = paragraph.join(" ");
        match paragraph.find(". ") {
            Some(end) => paragraph[..=end].to_owned(),
            None => paragraph,
        }
    }
}

macro_rules! rule_table {
    ($($variant:ident in $module:ident),* $(,)?) => {
        /// Every rule the linter has.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule {
            $($variant),*
        }

        impl Rule {
            /// All rules, in code order.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant),*];

            pub fn meta(self) -> &'static RuleMeta {
                match self {
                    $(Rule::$variant => &crate::rules::$module::$variant::META),*
                }
            }
        }
    };
}

rule_table! {
    WrongSegmentCount in wrong_segment_count,
    EmptySegment in empty_segment,
    InvalidCharacter in invalid_character,
    UppercaseLetter in uppercase_letter,
    Wildcard in wildcard,
    WhitespaceOrControlCharacter in whitespace_or_control_character,
    NonAsciiCharacter in non_ascii_character,
    NameTooLong in name_too_long,
    SegmentTooLong in segment_too_long,
    MisplacedWordSeparator in misplaced_word_separator,
    SegmentStartsWithDigit in segment_starts_with_digit,
    UnknownAction in unknown_action,
    ActionSynonym in action_synonym,
    ReservedWord in reserved_word,
    ResourceRepeatsDomain in resource_repeats_domain,
    UnknownDomain in unknown_domain,
    DomainNotOwned in domain_not_owned,
    DuplicateScope in duplicate_scope,
    NearDuplicateScope in near_duplicate_scope,
    RetiredNameReuse in retired_name_reuse,
    MixedPlurality in mixed_plurality,
    UnknownImpliedScope in unknown_implied_scope,
    ImplicationCycle in implication_cycle,
    ToxicCombination in toxic_combination,
    MissingDescription in missing_description,
    PlaceholderDescription in placeholder_description,
    MissingConsentText in missing_consent_text,
    MissingClassification in missing_classification,
    IncompleteDeprecation in incomplete_deprecation,
}

impl Rule {
    pub fn code(self) -> &'static str {
        self.meta().code
    }

    pub fn name(self) -> &'static str {
        self.meta().name
    }

    pub fn default_severity(self) -> Severity {
        self.meta().default_severity
    }

    /// The rule with this code (`SL102`, any case) or name (`action-synonym`).
    pub fn find(code_or_name: &str) -> Option<Self> {
        let key = code_or_name.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|r| r.code().eq_ignore_ascii_case(key) || r.name() == key)
    }

    /// The block a rule belongs to, from its code: syntax, naming, catalog or metadata.
    pub fn category(self) -> &'static str {
        match self.code().as_bytes().get(2) {
            Some(b'0') => "syntax",
            Some(b'1') => "naming",
            Some(b'2') => "catalog",
            _ => "metadata",
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        for rule in Rule::ALL {
            let m = rule.meta();
            assert!(codes.insert(m.code), "duplicate code {}", m.code);
            assert!(names.insert(m.name), "duplicate name {}", m.name);
            assert!(
                m.code.len() == 5
                    && m.code.starts_with("SL")
                    && m.code[2..].bytes().all(|b| b.is_ascii_digit()),
                "bad code {}",
                m.code
            );
            assert!(
                m.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "bad name {}",
                m.name
            );
        }
    }

    #[test]
    fn codes_are_in_order_so_listings_read_well() {
        let codes: Vec<_> = Rule::ALL.iter().map(|r| r.code()).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        assert_eq!(codes, sorted);
    }

    #[test]
    fn every_rule_is_documented() {
        for rule in Rule::ALL {
            let doc = rule.meta().documentation();
            for section in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## Use instead",
            ] {
                assert!(doc.contains(section), "{} lacks `{section}`", rule.code());
            }
            assert!(
                !rule.meta().summary().is_empty(),
                "{} has no summary",
                rule.code()
            );
        }
    }

    #[test]
    fn find_by_code_or_name() {
        assert_eq!(Rule::find("sl102"), Some(Rule::ActionSynonym));
        assert_eq!(Rule::find("action-synonym"), Some(Rule::ActionSynonym));
        assert_eq!(Rule::find("SL999"), None);
    }
}
