//! `scope-lint` judges OAuth scope names against one naming convention,
//! `<domain>:<resource>:<action>` (for example `ecommerce:orders:read`), and a policy that
//! refines it (`scope-policy.toml`).
//!
//! The library does no I/O and builds for `wasm32-unknown-unknown`: the same code runs in the
//! CLI, in the registry when a change request is submitted, and in the browser while someone
//! types.
//!
//! ```
//! use scope_lint::{Policy, Proposal, lint};
//!
//! let policy = Policy::default();
//! let found = lint(&[Proposal::name("ecommerce:orders:get")], None, &policy);
//! assert_eq!(found[0].code(), "SL102");
//! assert_eq!(found[0].fix.as_deref(), Some("ecommerce:orders:read"));
//! ```
#![forbid(unsafe_code)]

mod confusables;
pub mod definition;
pub mod diagnostic;
mod lint;
pub mod name;
mod near;
pub mod policy;
pub mod registry;
pub mod render;
pub mod rules;
mod similarity;

pub use definition::{
    Catalog, Classification, Consent, Deprecation, Detail, Domain, Intent, Proposal,
    ScopeDefinition, Status, Usage,
};
pub use diagnostic::{Diagnostic, Origin, Severity, Span};
pub use lint::Linter;
pub use name::{ScopeName, Segment};
pub use policy::{DEFAULT_POLICY_TOML, Policy, PolicyError, RuleLevel};
pub use registry::{Rule, RuleMeta};

/// Lints `proposals` against an optional existing `catalog` under `policy`.
pub fn lint(proposals: &[Proposal], catalog: Option<&Catalog>, policy: &Policy) -> Vec<Diagnostic> {
    Linter::new(policy, catalog).lint(proposals)
}

/// Lints one bare name (syntax and naming rules only), as the browser does on every keystroke.
pub fn lint_name(name: &str, policy: &Policy) -> Vec<Diagnostic> {
    lint(&[Proposal::name(name)], None, policy)
}
