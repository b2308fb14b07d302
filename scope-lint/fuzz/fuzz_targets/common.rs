//! What both targets check about a batch's diagnostics. A broken invariant panics, which the
//! fuzzer reports as a crash like any other.

use scope_lint::render::{self, Color};
use scope_lint::{Catalog, Diagnostic, Origin, Policy, Proposal, ScopeDefinition, Status};

/// A small catalog: a domain with several plural resources, a retired and a deprecated scope, a
/// look-alike and a malformed entry, and an implication.
pub fn catalog() -> Catalog {
    let mut catalog = Catalog::from_names([
        "ecommerce:orders:read",
        "ecommerce:orders:write",
        "ecommerce:carts:read",
        "ecommerce:invoices:read",
        "ecommerce:order-items:read",
        "e-commerce:carts:read",
        "payments:transfers:create",
        "payments:transfers:approve",
        "users:profiles:read",
        "users:profile:delete",
        "еcommerce:orders:read",
        "::",
    ]);
    catalog.scopes[8].status = Status::Retired;
    catalog.scopes[8].changed_in = Some(4);
    catalog.scopes[9].status = Status::Deprecated;
    catalog.scopes[6].implies = vec!["payments:transfers:approve".into(), "nowhere:x:y".into()];
    catalog
}

/// A full definition of `name`: what the metadata and implication rules look at.
pub fn definition(name: &str, implies: &[&str], text: &str) -> Proposal {
    Proposal::full(ScopeDefinition {
        implies: implies.iter().map(|s| (*s).to_owned()).collect(),
        description: Some(text.to_owned()),
        status: Status::Deprecated,
        deprecation: Some(scope_lint::Deprecation {
            sunset: Some(text.to_owned()),
            replacement: implies.first().map(|s| (*s).to_owned()),
        }),
        ..ScopeDefinition::named(name)
    })
}

/// Panics if a diagnostic breaks an invariant or a renderer fails on the batch.
pub fn check(policy: &Policy, proposals: &[Proposal], diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        let name = &proposals[d.proposal].definition.name;
        assert_eq!(
            &d.name,
            name,
            "{}: name differs from the proposal's",
            d.code()
        );
        let span = d.span;
        assert!(
            span.start <= span.end && span.end <= name.len(),
            "{}: span {span:?} outside {name:?}",
            d.code()
        );
        assert!(
            name.is_char_boundary(span.start) && name.is_char_boundary(span.end),
            "{}: span {span:?} not on char boundaries of {name:?}",
            d.code()
        );
        assert_ne!(
            d.fix.as_ref(),
            Some(name),
            "{}: the fix is the name itself",
            d.code()
        );
        assert_eq!(
            Some(d.severity),
            policy.rules.severity(d.rule),
            "{}: severity",
            d.code()
        );
    }
    render(diagnostics);
    // Again with a location, which switches on the column arithmetic of every renderer. SARIF
    // only here: most of its output is the rules' documentation, the same on every run, and
    // writing and parsing it twice would halve the executions per second.
    let located: Vec<Diagnostic> = diagnostics
        .iter()
        .cloned()
        .map(|mut d| {
            d.origin = Some(Origin {
                file: Some("x,y:%.txt".into()),
                line: Some(d.proposal + 1),
                column: Some(2),
            });
            d
        })
        .collect();
    render(&located);
    if !located.is_empty() {
        let sarif = render::sarif(&located, "fuzz");
        assert!(
            serde_json::from_str::<serde_json::Value>(&sarif).is_ok(),
            "sarif"
        );
    }
}

fn render(diagnostics: &[Diagnostic]) {
    let _ = render::text(diagnostics, Color::Never);
    let _ = render::text(diagnostics, Color::Always);
    let _ = render::summary(diagnostics, diagnostics.len());
    let json = render::json(diagnostics);
    assert!(
        serde_json::from_str::<serde_json::Value>(&json).is_ok(),
        "json"
    );
    let github = render::github(diagnostics);
    assert_eq!(
        github.lines().count(),
        diagnostics.len(),
        "one workflow command per finding"
    );
}
