//! What the linter reports: a [`Diagnostic`] per finding, with the [`Severity`] the policy gives its rule.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::registry::Rule;

/// How serious a finding is. Ordered: `Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A half-open byte range `start..end` within a scope name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    /// The span of the whole of `text`.
    pub const fn all(text: &str) -> Self {
        Self {
            start: 0,
            end: text.len(),
        }
    }

    pub const fn len(self) -> usize {
        self.end.saturating_sub(self.start)
    }

    pub const fn is_empty(self) -> bool {
        self.len() == 0
    }
}

/// Where a proposal came from, when the caller knows (a file and a 1-based line and column).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based column (in characters) where the name starts on `line`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

/// One finding about one proposed scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: Rule,
    pub severity: Severity,
    /// Index of the proposal (in the slice given to the linter) this finding is about.
    pub proposal: usize,
    /// The scope name as proposed, unchanged.
    pub name: String,
    pub message: String,
    /// The offending part of `name`.
    pub span: Span,
    /// The whole name with this finding fixed, when the fix is certain.
    pub fix: Option<String>,
    /// "Did you mean" candidates: plausible, not certain (for example an existing near-duplicate).
    pub suggestions: Vec<String>,
    pub origin: Option<Origin>,
}

impl Diagnostic {
    pub fn code(&self) -> &'static str {
        self.rule.code()
    }
}

/// Collects the diagnostics for one proposal, applying the policy's severity for each rule.
pub(crate) struct Sink<'a> {
    levels: &'a crate::policy::RuleLevels,
    proposal: usize,
    name: &'a str,
    out: &'a mut Vec<Diagnostic>,
}

impl<'a> Sink<'a> {
    pub(crate) fn new(
        levels: &'a crate::policy::RuleLevels,
        proposal: usize,
        name: &'a str,
        out: &'a mut Vec<Diagnostic>,
    ) -> Self {
        Self {
            levels,
            proposal,
            name,
            out,
        }
    }

    /// Whether the policy has `rule` switched on (so a check can skip work that would be thrown away).
    pub(crate) fn enabled(&self, rule: Rule) -> bool {
        self.levels.severity(rule).is_some()
    }

    /// Reports a finding; returns it for adding a fix or suggestions, or `None` if the rule is off.
    pub(crate) fn report(
        &mut self,
        rule: Rule,
        span: Span,
        message: impl Into<String>,
    ) -> Report<'_> {
        let Some(severity) = self.levels.severity(rule) else {
            return Report(None);
        };
        self.out.push(Diagnostic {
            rule,
            severity,
            proposal: self.proposal,
            name: self.name.to_owned(),
            message: message.into(),
            span,
            fix: None,
            suggestions: Vec::new(),
            origin: None,
        });
        Report(self.out.last_mut())
    }
}

/// A just-reported finding, to attach a fix or suggestions to.
pub(crate) struct Report<'a>(Option<&'a mut Diagnostic>);

impl Report<'_> {
    pub(crate) fn fix(mut self, fixed_name: impl Into<String>) -> Self {
        if let Some(d) = self.0.as_deref_mut() {
            d.fix = Some(fixed_name.into());
        }
        self
    }

    pub(crate) fn suggest(mut self, names: impl IntoIterator<Item = String>) -> Self {
        if let Some(d) = self.0.as_deref_mut() {
            d.suggestions.extend(names);
        }
        self
    }
}
