//! Per-rule fixtures: every rule has `tests/fixtures/<code>-<name>.yaml` with names (or full
//! definitions, or batches) that must be flagged by it and names that must not. The findings for
//! the failing ones, rendered as a person reads them, are kept as snapshots in `tests/snapshots/`.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use scope_lint::render::{self, Color};
use scope_lint::{Catalog, Domain, Linter, Policy, Proposal, Rule, ScopeDefinition};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixture {
    /// Extra policy, in TOML, over the built-in one.
    policy: Option<String>,
    catalog: Option<CatalogFixture>,
    proposer_groups: Option<Vec<String>>,
    fail: Vec<Case>,
    pass: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum CatalogFixture {
    Scopes(Vec<Item>),
    Full {
        domains: Vec<Domain>,
        scopes: Vec<Item>,
    },
}

#[derive(Clone, Deserialize)]
#[serde(untagged)]
enum Item {
    Name(String),
    Definition(Box<ScopeDefinition>),
}

impl Item {
    fn proposal(&self) -> Proposal {
        match self {
            Item::Name(n) => Proposal::name(n.clone()),
            Item::Definition(d) => Proposal::full((**d).clone()),
        }
    }

    fn definition(&self) -> ScopeDefinition {
        match self {
            Item::Name(n) => ScopeDefinition::named(n.clone()),
            Item::Definition(d) => (**d).clone(),
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Case {
    /// Several proposals linted together (duplicates or cycles within one change request).
    Batch {
        batch: Vec<Item>,
    },
    /// A change to an existing scope rather than a new one.
    Update {
        update: Item,
    },
    One(Item),
}

impl Case {
    fn proposals(&self) -> Vec<Proposal> {
        match self {
            Case::Batch { batch } => batch.iter().map(Item::proposal).collect(),
            Case::Update { update } => vec![update.proposal().changing()],
            Case::One(item) => vec![item.proposal()],
        }
    }
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn fixture_path(rule: Rule) -> PathBuf {
    fixtures_dir().join(format!("{}-{}.yaml", rule.code(), rule.name()))
}

fn load(rule: Rule) -> Fixture {
    let path = fixture_path(rule);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs a rule's fixture and returns the snapshot text of its failing cases.
fn run(rule: Rule) -> String {
    let fixture = load(rule);
    let policy = match &fixture.policy {
        Some(text) => Policy::from_toml(text).unwrap(),
        None => Policy::default(),
    };
    let catalog = fixture.catalog.as_ref().map(|c| match c {
        CatalogFixture::Scopes(items) => Catalog {
            scopes: items.iter().map(Item::definition).collect(),
            ..Catalog::default()
        },
        CatalogFixture::Full { domains, scopes } => Catalog {
            domains: Some(domains.clone()),
            scopes: scopes.iter().map(Item::definition).collect(),
            ..Catalog::default()
        },
    });
    let mut linter = Linter::new(&policy, catalog.as_ref());
    if let Some(groups) = &fixture.proposer_groups {
        linter = linter.with_proposer_groups(groups.clone());
    }
    let mut snapshot = String::new();
    assert!(
        !fixture.fail.is_empty() && !fixture.pass.is_empty(),
        "{} needs failing and passing cases",
        rule.code()
    );
    for (i, case) in fixture.fail.iter().enumerate() {
        let proposals = case.proposals();
        let found: Vec<_> = linter
            .lint(&proposals)
            .into_iter()
            .filter(|d| d.rule == rule)
            .collect();
        let names: Vec<_> = proposals
            .iter()
            .map(|p| format!("{:?}", p.definition.name))
            .collect();
        assert!(
            !found.is_empty(),
            "{}: fail case {} ({}) was not flagged",
            rule.code(),
            i + 1,
            names.join(", ")
        );
        for d in &found {
            assert_eq!(d.severity, rule.default_severity());
            assert!(d.span.end <= d.name.len() && d.span.start <= d.span.end);
        }
        snapshot.push_str(&format!("── fail {}: {}\n", i + 1, names.join(", ")));
        snapshot.push_str(&render::text(&found, Color::Never));
    }
    for (i, case) in fixture.pass.iter().enumerate() {
        let proposals = case.proposals();
        let found: Vec<_> = linter
            .lint(&proposals)
            .into_iter()
            .filter(|d| d.rule == rule)
            .collect();
        assert!(
            found.is_empty(),
            "{}: pass case {} was flagged:\n{}",
            rule.code(),
            i + 1,
            render::text(&found, Color::Never)
        );
    }
    snapshot
}

macro_rules! fixture_tests {
    ($($test:ident => $rule:ident),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                let text = run(Rule::$rule);
                insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
                    insta::assert_snapshot!(Rule::$rule.code(), text);
                });
            }
        )*

        /// The rules with a fixture test above.
        const TESTED: &[Rule] = &[$(Rule::$rule),*];
    };
}

fixture_tests! {
    sl001 => WrongSegmentCount,
    sl002 => EmptySegment,
    sl003 => InvalidCharacter,
    sl004 => UppercaseLetter,
    sl005 => Wildcard,
    sl006 => WhitespaceOrControlCharacter,
    sl007 => NonAsciiCharacter,
    sl008 => NameTooLong,
    sl009 => SegmentTooLong,
    sl010 => MisplacedWordSeparator,
    sl011 => SegmentStartsWithDigit,
    sl101 => UnknownAction,
    sl102 => ActionSynonym,
    sl103 => ReservedWord,
    sl104 => ResourceRepeatsDomain,
    sl201 => UnknownDomain,
    sl202 => DomainNotOwned,
    sl203 => DuplicateScope,
    sl204 => NearDuplicateScope,
    sl205 => RetiredNameReuse,
    sl206 => MixedPlurality,
    sl207 => UnknownImpliedScope,
    sl208 => ImplicationCycle,
    sl209 => ToxicCombination,
    sl301 => MissingDescription,
    sl302 => PlaceholderDescription,
    sl303 => MissingConsentText,
    sl304 => MissingClassification,
    sl305 => IncompleteDeprecation,
}

#[test]
fn every_rule_has_a_fixture_and_a_test() {
    for rule in Rule::ALL {
        assert!(
            fixture_path(*rule).is_file(),
            "{} has no fixture at {}",
            rule.code(),
            fixture_path(*rule).display()
        );
        assert!(TESTED.contains(rule), "{} has no fixture test", rule.code());
    }
}

#[test]
fn every_fixture_belongs_to_a_rule() {
    let expected: BTreeSet<PathBuf> = Rule::ALL.iter().map(|r| fixture_path(*r)).collect();
    for entry in fs::read_dir(fixtures_dir()).unwrap() {
        let path = entry.unwrap().path();
        assert!(
            expected.contains(&path),
            "{} matches no rule's code and name",
            path.display()
        );
    }
}
