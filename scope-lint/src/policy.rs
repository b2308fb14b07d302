//! The naming policy (`scope-policy.toml`): syntax, allowed actions and synonyms, reserved words,
//! metadata requirements, toxic combinations, approval requirements and per-rule severities.
//!
//! The built-in policy is the commented file `scope-lint init` writes ([`DEFAULT_POLICY_TOML`]),
//! so the defaults are stated once. A policy file overrides only the keys it sets.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::sync::LazyLock;

use serde::{Deserialize, Deserializer};
use toml::Spanned;

use crate::definition::Classification;
use crate::diagnostic::Severity;
use crate::registry::Rule;

/// The built-in policy, as the commented TOML file `scope-lint init` writes.
pub const DEFAULT_POLICY_TOML: &str = include_str!("default-policy.toml");

/// Name syntax: how a name splits into segments and which characters a segment may hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxPolicy {
    pub separator: String,
    pub segments: usize,
    /// The one character allowed between words inside a segment, if any.
    pub word_separator: Option<char>,
    pub allow_digits: bool,
    pub max_name_length: usize,
    pub max_segment_length: usize,
}

/// Naming rules: actions, synonyms, reserved words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamingPolicy {
    pub actions: Vec<String>,
    /// Synonym → the policy's action.
    pub action_synonyms: BTreeMap<String, String>,
    pub reserved_words: Vec<String>,
    pub uncountable_resources: Vec<String>,
}

/// Metadata requirements.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetadataPolicy {
    pub placeholder_descriptions: Vec<String>,
}

/// Scopes that must never be granted together.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToxicCombination {
    pub scopes: Vec<String>,
    #[serde(default)]
    pub reason: String,
}

/// Approvals a change request needs for one classification.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalRule {
    pub required: u32,
    /// Whether one approval must come from the security reviewer group.
    #[serde(default)]
    pub security_review: bool,
}

/// The policy's severity for every rule.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleLevels {
    overrides: BTreeMap<Rule, RuleLevel>,
}

impl RuleLevels {
    /// The severity the rule reports with, or `None` when it is off.
    pub fn severity(&self, rule: Rule) -> Option<Severity> {
        match self.overrides.get(&rule) {
            Some(level) => level.severity(),
            None => Some(rule.default_severity()),
        }
    }

    /// Sets one rule's level (as `[rules]` in the policy file, or `--ignore` on the command line).
    pub fn set(&mut self, rule: Rule, level: RuleLevel) {
        self.overrides.insert(rule, level);
    }
}

/// A rule's level in the policy: a severity, or off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleLevel {
    Off,
    Info,
    Warning,
    Error,
}

impl RuleLevel {
    pub fn severity(self) -> Option<Severity> {
        match self {
            Self::Off => None,
            Self::Info => Some(Severity::Info),
            Self::Warning => Some(Severity::Warning),
            Self::Error => Some(Severity::Error),
        }
    }
}

/// The whole policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    pub syntax: SyntaxPolicy,
    pub naming: NamingPolicy,
    pub metadata: MetadataPolicy,
    /// Known domains; empty means "those of the catalog".
    pub domains: Vec<String>,
    pub toxic_combinations: Vec<ToxicCombination>,
    pub approvals: BTreeMap<Classification, ApprovalRule>,
    pub rules: RuleLevels,
}

static BUILTIN: LazyLock<Policy> = LazyLock::new(|| {
    #[expect(
        clippy::expect_used,
        reason = "the built-in policy is a constant; tests::builtin_policy_parses checks it"
    )]
    Policy::parse_over(DEFAULT_POLICY_TOML, Policy::bare()).expect("built-in policy parses")
});

impl Default for Policy {
    fn default() -> Self {
        BUILTIN.clone()
    }
}

impl Policy {
    /// Parses a `scope-policy.toml`; keys it leaves out keep their built-in values.
    pub fn from_toml(text: &str) -> Result<Self, PolicyError> {
        Self::parse_over(text, Self::default())
    }

    /// The approvals needed for a change request whose highest classification is `class`.
    pub fn approvals_for(&self, class: Classification) -> ApprovalRule {
        self.approvals.get(&class).copied().unwrap_or(ApprovalRule {
            required: 1,
            security_review: false,
        })
    }

    /// The policy's canonical action for `word`, if `word` is a known synonym.
    pub fn canonical_action(&self, word: &str) -> Option<&str> {
        self.naming.action_synonyms.get(word).map(String::as_str)
    }

    /// Nothing but the structure: the base the built-in file is read over.
    fn bare() -> Self {
        Self {
            syntax: SyntaxPolicy {
                separator: ":".into(),
                segments: 3,
                word_separator: Some('-'),
                allow_digits: true,
                max_name_length: 80,
                max_segment_length: 32,
            },
            naming: NamingPolicy {
                actions: Vec::new(),
                action_synonyms: BTreeMap::new(),
                reserved_words: Vec::new(),
                uncountable_resources: Vec::new(),
            },
            metadata: MetadataPolicy {
                placeholder_descriptions: Vec::new(),
            },
            domains: Vec::new(),
            toxic_combinations: Vec::new(),
            approvals: BTreeMap::new(),
            rules: RuleLevels::default(),
        }
    }

    fn parse_over(text: &str, mut base: Self) -> Result<Self, PolicyError> {
        let file: PolicyFile =
            toml::from_str(text).map_err(|e| PolicyError::at(text, e.span(), e.message()))?;
        if let Some(v) = &file.version
            && *v.get_ref() != 1
        {
            return Err(PolicyError::at(
                text,
                Some(v.span()),
                &format!(
                    "unsupported policy version {}; this scope-lint reads version 1",
                    v.get_ref()
                ),
            ));
        }
        if let Some(s) = file.syntax {
            let syntax = &mut base.syntax;
            if let Some(v) = s.separator {
                syntax.separator = v.0.to_string();
            }
            if let Some(v) = s.segments {
                syntax.segments = v.0;
            }
            if let Some(v) = s.word_separator {
                syntax.word_separator = v.0;
            }
            if let Some(v) = s.allow_digits {
                syntax.allow_digits = v;
            }
            if let Some(v) = s.max_name_length {
                syntax.max_name_length = v.0;
            }
            if let Some(v) = s.max_segment_length {
                syntax.max_segment_length = v.0;
            }
            if syntax
                .word_separator
                .is_some_and(|w| syntax.separator.starts_with(w))
            {
                return Err(PolicyError::at(
                    text,
                    None,
                    "syntax.word_separator must differ from syntax.separator",
                ));
            }
        }
        if let Some(n) = file.naming {
            let naming = &mut base.naming;
            if let Some(v) = n.actions {
                if v.get_ref().is_empty() {
                    return Err(PolicyError::at(
                        text,
                        Some(v.span()),
                        "naming.actions must list at least one action",
                    ));
                }
                naming.actions = v.into_inner().into_iter().map(|w| w.0).collect();
            }
            if let Some(v) = n.reserved_words {
                naming.reserved_words = v.into_iter().map(|w| w.0).collect();
            }
            if let Some(v) = n.uncountable_resources {
                naming.uncountable_resources = v.into_iter().map(|w| w.0).collect();
            }
            if let Some(map) = n.action_synonyms {
                naming.action_synonyms.clear();
                for (word, target) in map {
                    if !naming.actions.contains(&target.get_ref().0) {
                        return Err(PolicyError::at(
                            text,
                            Some(target.span()),
                            &format!(
                                "synonym `{}` maps to `{}`, which is not one of naming.actions",
                                word.0,
                                target.get_ref().0
                            ),
                        ));
                    }
                    naming.action_synonyms.insert(word.0, target.into_inner().0);
                }
            }
        }
        // Synonyms and actions must not overlap, whichever of the two the file changed.
        if let Some(word) = base
            .naming
            .action_synonyms
            .keys()
            .find(|w| base.naming.actions.contains(w))
        {
            return Err(PolicyError::at(
                text,
                find_key(text, word),
                &format!("`{word}` is both an allowed action and a synonym of another action"),
            ));
        }
        if let Some(m) = file.metadata
            && let Some(v) = m.placeholder_descriptions
        {
            base.metadata.placeholder_descriptions = v;
        }
        if let Some(v) = file.domains {
            base.domains = v.into_iter().map(|w| w.0).collect();
        }
        if let Some(list) = file.toxic_combinations {
            base.toxic_combinations.clear();
            for combo in list {
                if combo.get_ref().scopes.len() < 2 {
                    return Err(PolicyError::at(
                        text,
                        Some(combo.span()),
                        "a toxic combination names at least two scopes",
                    ));
                }
                base.toxic_combinations.push(combo.into_inner());
            }
        }
        if let Some(a) = file.approvals {
            for (class, rule) in a {
                if rule.get_ref().required == 0 {
                    return Err(PolicyError::at(
                        text,
                        Some(rule.span()),
                        &format!("approvals.{class}.required must be at least 1 (four eyes)"),
                    ));
                }
                base.approvals.insert(class, rule.into_inner());
            }
        }
        if let Some(rules) = file.rules {
            for (code, level) in rules {
                base.rules.set(code.0, level);
            }
        }
        Ok(base)
    }
}

/// A policy file that cannot be used: what is wrong and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyError {
    pub message: String,
    /// 1-based line and column of the offending text, when known.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The dotted key at fault (`naming.action_synonyms.get`), when known.
    pub key: Option<String>,
}

impl PolicyError {
    fn at(text: &str, span: Option<Range<usize>>, message: &str) -> Self {
        let message = message.trim().to_owned();
        let Some(span) = span else {
            return Self {
                message,
                line: None,
                column: None,
                key: None,
            };
        };
        let start = span.start.min(text.len());
        let before = text.get(..start).unwrap_or_default();
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = text
            .get(line_start..start)
            .map_or(1, |s| s.chars().count() + 1);
        Self {
            message,
            line: Some(line),
            column: Some(column),
            key: key_at(text, line_start),
        }
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(col)) => write!(f, "line {line}, column {col}")?,
            (Some(line), None) => write!(f, "line {line}")?,
            _ => {}
        }
        if let Some(key) = &self.key {
            write!(
                f,
                "{}key `{key}`",
                if self.line.is_some() { ", " } else { "" }
            )?;
        }
        if self.line.is_some() || self.key.is_some() {
            f.write_str(": ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for PolicyError {}

/// The dotted key defined on the line starting at `line_start`, with the table it sits in.
fn key_at(text: &str, line_start: usize) -> Option<String> {
    let line = text.get(line_start..)?.lines().next()?.trim();
    let table = text
        .get(..line_start)?
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_owned());
    if line.starts_with('[') {
        return Some(
            line.trim_matches(|c| c == '[' || c == ']')
                .trim()
                .to_owned(),
        );
    }
    let key = line.split_once('=')?.0.trim().trim_matches('"');
    if key.is_empty() || key.starts_with('#') {
        return None;
    }
    Some(match table {
        Some(t) => format!("{t}.{key}"),
        None => key.to_owned(),
    })
}

/// The span of the first line that defines `key`, for errors found after parsing.
fn find_key(text: &str, key: &str) -> Option<Range<usize>> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key)
            && rest.trim_start().starts_with('=')
        {
            let at = offset + (line.len() - trimmed.len());
            return Some(at..at + key.len());
        }
        offset += line.len();
    }
    None
}

// The file as written: everything optional, validated while it is read so that errors carry the
// line of the offending value.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    version: Option<Spanned<u32>>,
    domains: Option<Vec<Word>>,
    syntax: Option<SyntaxFile>,
    naming: Option<NamingFile>,
    metadata: Option<MetadataFile>,
    toxic_combinations: Option<Vec<Spanned<ToxicCombination>>>,
    approvals: Option<BTreeMap<Classification, Spanned<ApprovalRule>>>,
    rules: Option<BTreeMap<RuleKey, RuleLevel>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SyntaxFile {
    separator: Option<Separator>,
    segments: Option<Bounded<2, 8>>,
    word_separator: Option<WordSeparator>,
    allow_digits: Option<bool>,
    max_name_length: Option<Bounded<8, 1024>>,
    max_segment_length: Option<Bounded<2, 255>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NamingFile {
    actions: Option<Spanned<Vec<Word>>>,
    action_synonyms: Option<BTreeMap<Word, Spanned<Word>>>,
    reserved_words: Option<Vec<Word>>,
    uncountable_resources: Option<Vec<Word>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MetadataFile {
    placeholder_descriptions: Option<Vec<String>>,
}

/// A lowercase word as a segment holds it: `read`, `order-items`.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Word(String);

impl<'de> Deserialize<'de> for Word {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let ok = s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if ok {
            Ok(Self(s))
        } else {
            Err(serde::de::Error::custom(format!(
                "`{s}` is not a lowercase word (ASCII letters, digits, `-` or `_`, starting with a letter)"
            )))
        }
    }
}

/// The segment separator: one ASCII punctuation character.
struct Separator(char);

impl<'de> Deserialize<'de> for Separator {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_ascii_punctuation() && c != '*' => Ok(Self(c)),
            _ => Err(serde::de::Error::custom(format!(
                "separator must be one ASCII punctuation character other than `*`, not {s:?}"
            ))),
        }
    }
}

/// The in-segment word separator: one ASCII punctuation character, or "" for none.
struct WordSeparator(Option<char>);

impl<'de> Deserialize<'de> for WordSeparator {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (None, _) => Ok(Self(None)),
            (Some(c), None) if c.is_ascii_punctuation() && c != '*' => Ok(Self(Some(c))),
            _ => Err(serde::de::Error::custom(format!(
                "word_separator must be one ASCII punctuation character or \"\", not {s:?}"
            ))),
        }
    }
}

/// An integer within `MIN..=MAX`.
struct Bounded<const MIN: usize, const MAX: usize>(usize);

impl<'de, const MIN: usize, const MAX: usize> Deserialize<'de> for Bounded<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = i64::deserialize(d)?;
        match usize::try_from(n) {
            Ok(n) if (MIN..=MAX).contains(&n) => Ok(Self(n)),
            _ => Err(serde::de::Error::custom(format!(
                "must be between {MIN} and {MAX}, not {n}"
            ))),
        }
    }
}

/// A key of `[rules]`: a rule code (`SL204`) or name (`near-duplicate-scope`).
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct RuleKey(Rule);

impl<'de> Deserialize<'de> for RuleKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Rule::find(&s).map(Self).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown rule `{s}` (`scope-lint rules` lists the codes and names)"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_policy_parses() {
        let p = Policy::parse_over(DEFAULT_POLICY_TOML, Policy::bare()).unwrap();
        assert_eq!(p.syntax.segments, 3);
        assert!(p.naming.actions.iter().any(|a| a == "read"));
        assert_eq!(p.canonical_action("get"), Some("read"));
        assert_eq!(p.approvals_for(Classification::Restricted).required, 2);
        assert_eq!(p, Policy::default());
    }

    #[test]
    fn an_empty_file_is_the_builtin_policy() {
        assert_eq!(Policy::from_toml("").unwrap(), Policy::default());
    }

    #[test]
    fn unknown_key_names_line_and_key() {
        let err = Policy::from_toml("version = 1\n[syntax]\nsegmnts = 4\n").unwrap_err();
        assert_eq!(err.line, Some(3));
        assert_eq!(err.key.as_deref(), Some("syntax.segmnts"));
        assert!(err.message.contains("unknown field `segmnts`"), "{err}");
    }

    #[test]
    fn synonym_to_unknown_action_is_refused_at_its_line() {
        let err = Policy::from_toml(
            "[naming]\nactions = [\"read\"]\n[naming.action_synonyms]\nget = \"fetch\"\n",
        )
        .unwrap_err();
        assert_eq!(err.line, Some(4));
        assert_eq!(err.key.as_deref(), Some("naming.action_synonyms.get"));
        assert!(err.message.contains("not one of naming.actions"), "{err}");
    }

    #[test]
    fn rule_levels_by_code_or_name() {
        let p = Policy::from_toml("[rules]\nSL204 = \"error\"\nreserved-word = \"off\"\n").unwrap();
        assert_eq!(
            p.rules.severity(Rule::NearDuplicateScope),
            Some(Severity::Error)
        );
        assert_eq!(p.rules.severity(Rule::ReservedWord), None);
        let err = Policy::from_toml("[rules]\nSL999 = \"off\"\n").unwrap_err();
        assert!(err.message.contains("unknown rule `SL999`"), "{err}");
        assert_eq!(err.line, Some(2));
    }

    #[test]
    fn out_of_range_numbers_are_refused() {
        let err = Policy::from_toml("[syntax]\nsegments = 1\n").unwrap_err();
        assert_eq!(err.key.as_deref(), Some("syntax.segments"));
        assert!(err.message.contains("between 2 and 8"), "{err}");
    }
}
