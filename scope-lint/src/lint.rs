//! The linter: runs every rule over a batch of proposals, against an optional catalog.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::definition::{Catalog, Detail, Intent, Proposal, ScopeDefinition, Status};
use crate::diagnostic::{Diagnostic, Sink};
use crate::name::ScopeName;
use crate::near::{self, NearIndex};
use crate::policy::Policy;
use crate::registry::Rule;
use crate::rules;
use crate::similarity::{closest, fold, is_plural};

/// A linter for one policy and one catalog. Building it indexes the catalog once; linting
/// batches against it (a keystroke in the browser, a change request on the server) reuses that.
#[derive(Debug)]
pub struct Linter<'a> {
    policy: &'a Policy,
    catalog: CatalogIndex<'a>,
    proposer_groups: Option<Vec<String>>,
}

impl<'a> Linter<'a> {
    pub fn new(policy: &'a Policy, catalog: Option<&'a Catalog>) -> Self {
        Self {
            policy,
            catalog: CatalogIndex::build(policy, catalog),
            proposer_groups: None,
        }
    }

    /// The groups of whoever proposes, for `domain-not-owned` (SL202).
    pub fn with_proposer_groups(mut self, groups: Vec<String>) -> Self {
        self.proposer_groups = Some(groups);
        self
    }

    pub fn policy(&self) -> &Policy {
        self.policy
    }

    /// Lints a batch; diagnostics come ordered by proposal, then by position in the name.
    pub fn lint(&self, proposals: &[Proposal]) -> Vec<Diagnostic> {
        self.lint_with_progress(proposals, &mut |_| {})
    }

    /// As [`Linter::lint`], calling `progress` with the number of proposals done now and then.
    pub fn lint_with_progress(
        &self,
        proposals: &[Proposal],
        progress: &mut dyn FnMut(usize),
    ) -> Vec<Diagnostic> {
        let policy = self.policy;
        let names: Vec<ScopeName<'_>> = proposals
            .iter()
            .map(|p| ScopeName::parse(&p.definition.name, &policy.syntax.separator))
            .collect();
        // Name rules first, for all proposals: whether a name is clean decides what the batch-wide
        // facts (how a domain names its resources) are built from.
        let mut out = Vec::new();
        let mut syntax_clean = Vec::with_capacity(proposals.len());
        let mut name_clean = Vec::with_capacity(proposals.len());
        for (index, (proposal, name)) in proposals.iter().zip(&names).enumerate() {
            let first = out.len();
            let mut sink = Sink::new(&policy.rules, index, &proposal.definition.name, &mut out);
            for check in SYNTAX_RULES {
                check(name, policy, &mut sink);
            }
            syntax_clean.push(out.len() == first);
            let mut sink = Sink::new(&policy.rules, index, &proposal.definition.name, &mut out);
            for check in NAMING_RULES {
                check(name, policy, &mut sink);
            }
            name_clean.push(out.len() == first);
        }
        let batch = Batch::build(policy, &self.catalog, proposals, &names, &name_clean);
        // Near-duplicate keys of every well-formed name, and an index of the new ones, so each
        // proposal is compared with the catalog and with the proposals before it.
        let near_keys: Vec<Vec<u64>> = names
            .iter()
            .zip(&syntax_clean)
            .map(|(name, clean)| {
                let wanted = *clean
                    && name.segments.len() == policy.syntax.segments
                    && policy.rules.severity(Rule::NearDuplicateScope).is_some();
                if wanted { near::keys(name) } else { Vec::new() }
            })
            .collect();
        let batch_near = NearIndex::build(
            proposals
                .iter()
                .zip(&near_keys)
                .enumerate()
                .filter(|(_, (p, keys))| p.intent == Intent::Add && !keys.is_empty())
                .filter_map(|(i, (_, keys))| Some((u32::try_from(i).ok()?, keys.clone()))),
        );
        for (index, (proposal, name)) in proposals.iter().zip(&names).enumerate() {
            let mut sink = Sink::new(&policy.rules, index, &proposal.definition.name, &mut out);
            if syntax_clean[index] {
                let cx = Context {
                    policy,
                    catalog: &self.catalog,
                    batch: &batch,
                    batch_near: &batch_near,
                    names: &names,
                    index,
                    proposal,
                    name,
                    near_keys: &near_keys[index],
                    name_clean: name_clean[index],
                    proposer_groups: self.proposer_groups.as_deref(),
                };
                for check in CATALOG_RULES {
                    check(&cx, &mut sink);
                }
            }
            if proposal.detail == Detail::Full {
                for check in METADATA_RULES {
                    check(&proposal.definition, name, policy, &mut sink);
                }
            }
            if index % 1024 == 1023 {
                progress(index + 1);
            }
        }
        out.sort_by_key(|d| (d.proposal, d.span.start, d.rule));
        progress(proposals.len());
        out
    }
}

type NameCheck = fn(&ScopeName<'_>, &Policy, &mut Sink<'_>);
type CatalogCheck = fn(&Context<'_>, &mut Sink<'_>);
type MetadataCheck = fn(&ScopeDefinition, &ScopeName<'_>, &Policy, &mut Sink<'_>);

const SYNTAX_RULES: &[NameCheck] = &[
    rules::empty_segment::check,
    rules::wrong_segment_count::check,
    rules::invalid_character::check,
    rules::uppercase_letter::check,
    rules::wildcard::check,
    rules::whitespace_or_control_character::check,
    rules::non_ascii_character::check,
    rules::name_too_long::check,
    rules::segment_too_long::check,
    rules::misplaced_word_separator::check,
    rules::segment_starts_with_digit::check,
];

const NAMING_RULES: &[NameCheck] = &[
    rules::unknown_action::check,
    rules::action_synonym::check,
    rules::reserved_word::check,
    rules::resource_repeats_domain::check,
];

const CATALOG_RULES: &[CatalogCheck] = &[
    rules::unknown_domain::check,
    rules::domain_not_owned::check,
    rules::duplicate_scope::check,
    rules::near_duplicate_scope::check,
    rules::retired_name_reuse::check,
    rules::mixed_plurality::check,
    rules::unknown_implied_scope::check,
    rules::implication_cycle::check,
    rules::toxic_combination::check,
];

const METADATA_RULES: &[MetadataCheck] = &[
    rules::missing_description::check,
    rules::placeholder_description::check,
    rules::missing_consent_text::check,
    rules::missing_classification::check,
    rules::incomplete_deprecation::check,
];

/// What the catalog-context rules see about one proposal.
pub(crate) struct Context<'a> {
    pub(crate) policy: &'a Policy,
    pub(crate) catalog: &'a CatalogIndex<'a>,
    pub(crate) batch: &'a Batch<'a>,
    batch_near: &'a NearIndex,
    pub(crate) names: &'a [ScopeName<'a>],
    pub(crate) index: usize,
    pub(crate) proposal: &'a Proposal,
    pub(crate) name: &'a ScopeName<'a>,
    near_keys: &'a [u64],
    /// Whether the name passed the syntax and naming rules.
    pub(crate) name_clean: bool,
    pub(crate) proposer_groups: Option<&'a [String]>,
}

impl Context<'_> {
    pub(crate) fn is_add(&self) -> bool {
        self.proposal.intent == Intent::Add
    }

    /// The domain segment, lower-cased.
    pub(crate) fn domain(&self) -> String {
        self.name
            .domain()
            .map(|d| d.text.to_ascii_lowercase())
            .unwrap_or_default()
    }

    /// Existing scopes (catalog, not retired) and earlier proposals this one nearly duplicates.
    pub(crate) fn near_duplicates(&self) -> Vec<(String, near::Likeness)> {
        let mut found = self.near_matches();
        // Closest kind of likeness first, existing scopes before other proposals, then by name,
        // so the verdict is stable.
        found.sort_by(|a, b| (a.1, a.2, &a.0).cmp(&(b.1, b.2, &b.0)));
        let mut seen = HashSet::new();
        found
            .into_iter()
            .filter(|(n, _, _)| seen.insert(n.clone()))
            .map(|(n, l, _)| (n, l))
            .collect()
    }

    fn near_matches(&self) -> Vec<(String, near::Likeness, bool)> {
        if self.near_keys.is_empty() {
            return Vec::new();
        }
        let mut found = Vec::new();
        for id in self.catalog.near.candidates(self.near_keys) {
            if let Some(existing) = self.catalog.scopes.get(id as usize) {
                let other = ScopeName::parse(&existing.name, &self.policy.syntax.separator);
                if let Some((_, l)) = near::likeness(self.name, &other) {
                    found.push((existing.name.clone(), l, false));
                }
            }
        }
        for id in self.batch_near.candidates(self.near_keys) {
            let earlier = id as usize;
            if earlier >= self.index {
                continue;
            }
            if let Some(other) = self.names.get(earlier)
                && other.raw != self.name.raw
                && let Some((_, l)) = near::likeness(self.name, other)
            {
                found.push((other.raw.to_owned(), l, true));
            }
        }
        found
    }
}

/// The catalog, indexed once.
#[derive(Debug, Default)]
pub(crate) struct CatalogIndex<'c> {
    pub(crate) scopes: &'c [ScopeDefinition],
    pub(crate) by_name: HashMap<&'c str, &'c ScopeDefinition>,
    pub(crate) near: NearIndex,
    /// Known domains and their owning groups; `None` when nothing says which domains exist.
    pub(crate) domains: Option<HashMap<String, Vec<String>>>,
    /// Per domain, the head words of its resources (from names of the right shape).
    pub(crate) resource_words: HashMap<String, BTreeSet<String>>,
    /// The policy's uncountable resources, folded.
    pub(crate) uncountable: HashSet<String>,
}

impl<'c> CatalogIndex<'c> {
    fn build(policy: &Policy, catalog: Option<&'c Catalog>) -> Self {
        let Some(catalog) = catalog else {
            return Self {
                domains: policy_domains(policy),
                uncountable: uncountables(policy),
                ..Self::default()
            };
        };
        let sep = &policy.syntax.separator;
        let scopes = catalog.scopes.as_slice();
        let by_name = scopes.iter().map(|s| (s.name.as_str(), s)).collect();
        let mut resource_words: HashMap<String, BTreeSet<String>> = HashMap::new();
        let uncountable = uncountables(policy);
        let mut items = Vec::new();
        for (id, scope) in scopes.iter().enumerate() {
            let name = ScopeName::parse(&scope.name, sep);
            if name.segments.len() != policy.syntax.segments || scope.status == Status::Retired {
                continue;
            }
            if let Some((domain, word)) = resource_word(&name, policy, &uncountable) {
                resource_words.entry(domain).or_default().insert(word);
            }
            if let Ok(id) = u32::try_from(id) {
                items.push((id, near::keys(&name)));
            }
        }
        let domains = policy_domains(policy).or_else(|| match &catalog.domains {
            Some(list) => Some(
                list.iter()
                    .map(|d| (d.name.clone(), d.owners.clone()))
                    .collect(),
            ),
            None if !scopes.is_empty() => Some(
                scopes
                    .iter()
                    .filter_map(|s| s.name.split(sep.as_str()).next())
                    .map(|d| (d.to_owned(), Vec::new()))
                    .collect(),
            ),
            None => None,
        });
        Self {
            scopes,
            by_name,
            near: NearIndex::build(items),
            domains,
            resource_words,
            uncountable,
        }
    }
}

/// The policy's uncountable resources, folded, for [`resource_word`].
fn uncountables(policy: &Policy) -> HashSet<String> {
    policy
        .naming
        .uncountable_resources
        .iter()
        .map(|u| fold(u))
        .collect()
}

fn policy_domains(policy: &Policy) -> Option<HashMap<String, Vec<String>>> {
    (!policy.domains.is_empty()).then(|| {
        policy
            .domains
            .iter()
            .map(|d| (d.clone(), Vec::new()))
            .collect()
    })
}

/// The domain and the head word of the resource (`orders` in `ecommerce:order-items:read` is
/// `items`), skipping words that have no plural.
/// `uncountable` holds the policy's uncountable resources, folded ([`uncountables`]).
pub(crate) fn resource_word(
    name: &ScopeName<'_>,
    policy: &Policy,
    uncountable: &HashSet<String>,
) -> Option<(String, String)> {
    if name.segments.len() != policy.syntax.segments || name.segments.len() < 3 {
        return None;
    }
    let resource = name.resources().last()?.text.to_ascii_lowercase();
    let word = match policy.syntax.word_separator {
        Some(w) => resource.rsplit(w).next().unwrap_or_default().to_owned(),
        None => resource,
    };
    let countable = word.len() >= 3
        && word.bytes().all(|b| b.is_ascii_lowercase())
        && !uncountable.contains(&fold(&word));
    countable.then(|| {
        (
            name.domain()
                .map(|d| d.text.to_ascii_lowercase())
                .unwrap_or_default(),
            word,
        )
    })
}

/// Facts about the whole batch, computed before any proposal is checked so that no verdict
/// depends on the order of the proposals.
#[derive(Debug, Default)]
pub(crate) struct Batch<'p> {
    /// Where each name first appears in the batch.
    pub(crate) first_index: HashMap<&'p str, usize>,
    /// `implies` of each name as the batch defines it (the latest definition wins).
    pub(crate) implies: HashMap<&'p str, &'p [String]>,
    /// Per domain, the resource head words of catalog and batch together.
    pub(crate) resource_words: HashMap<String, BTreeSet<String>>,
    /// The same words split into plural and singular ones, computed once.
    plurality: HashMap<String, (Vec<String>, Vec<String>)>,
    /// The suggestion for each unknown domain the batch uses.
    pub(crate) domain_suggestions: HashMap<String, Option<String>>,
    /// For each proposal on an implication cycle, the cycle from it back to itself.
    pub(crate) cycles: HashMap<usize, Vec<String>>,
}

impl<'p> Batch<'p> {
    fn build(
        policy: &Policy,
        catalog: &CatalogIndex<'_>,
        proposals: &'p [Proposal],
        names: &[ScopeName<'_>],
        name_clean: &[bool],
    ) -> Self {
        let mut batch = Batch {
            resource_words: catalog.resource_words.clone(),
            ..Self::default()
        };
        for (i, p) in proposals.iter().enumerate() {
            let name = p.definition.name.as_str();
            batch.first_index.entry(name).or_insert(i);
            if p.detail == Detail::Full {
                batch.implies.insert(name, &p.definition.implies);
            }
        }
        for ((p, name), clean) in proposals.iter().zip(names).zip(name_clean) {
            if p.intent == Intent::Add
                && *clean
                && let Some((domain, word)) = resource_word(name, policy, &catalog.uncountable)
            {
                batch.resource_words.entry(domain).or_default().insert(word);
            }
        }
        batch.plurality = batch
            .resource_words
            .iter()
            .map(|(domain, words)| {
                let (plural, singular) = words.iter().cloned().partition(|w| is_plural(w));
                (domain.clone(), (plural, singular))
            })
            .collect();
        if let Some(known) = &catalog.domains {
            for name in names {
                let Some(domain) = name.domain().map(|d| d.text.to_ascii_lowercase()) else {
                    continue;
                };
                if known.contains_key(&domain) || batch.domain_suggestions.contains_key(&domain) {
                    continue;
                }
                let folded = fold(&domain);
                // The smallest of the domains that fold alike, so the verdict never depends on
                // hash order.
                let suggestion = known
                    .keys()
                    .filter(|k| fold(k) == folded)
                    .min()
                    .cloned()
                    .or_else(|| {
                        closest(&domain, known.keys().map(String::as_str), 2).map(str::to_owned)
                    });
                batch.domain_suggestions.insert(domain, suggestion);
            }
        }
        if !batch.implies.values().all(|v| v.is_empty()) {
            batch.cycles = find_cycles(&batch.implies, catalog, proposals);
        }
        batch
    }

    /// The scopes `name` implies: as this batch defines it, else as the catalog does.
    pub(crate) fn implies_of<'s>(
        &'s self,
        catalog: &'s CatalogIndex<'_>,
        name: &str,
    ) -> &'s [String] {
        if let Some(list) = self.implies.get(name) {
            return list;
        }
        catalog
            .by_name
            .get(name)
            .map_or(&[], |s| s.implies.as_slice())
    }

    /// The resource head words of `domain`, split into plural and singular ones.
    pub(crate) fn plurality(&self, domain: &str) -> (&[String], &[String]) {
        match self.plurality.get(domain) {
            Some((plural, singular)) => (plural, singular),
            None => (&[], &[]),
        }
    }
}

/// Strongly connected components (Tarjan, iterative) of the implication graph reachable from
/// the batch; a proposal in a component of two or more, or implying itself, is on a cycle.
fn find_cycles(
    overlay: &HashMap<&str, &[String]>,
    catalog: &CatalogIndex<'_>,
    proposals: &[Proposal],
) -> HashMap<usize, Vec<String>> {
    let edges = |n: &str| -> Vec<String> {
        match overlay.get(n) {
            Some(list) => list.to_vec(),
            None => catalog
                .by_name
                .get(n)
                .map_or_else(Vec::new, |s| s.implies.clone()),
        }
    };
    // Number the reachable nodes.
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut nodes: Vec<String> = Vec::new();
    let mut adjacency: Vec<Vec<usize>> = Vec::new();
    let mut stack: Vec<String> = proposals
        .iter()
        .map(|p| p.definition.name.clone())
        .collect();
    while let Some(n) = stack.pop() {
        if ids.contains_key(&n) {
            continue;
        }
        ids.insert(n.clone(), nodes.len());
        nodes.push(n.clone());
        adjacency.push(Vec::new());
        stack.extend(edges(&n).into_iter().filter(|m| !ids.contains_key(m)));
    }
    for (i, n) in nodes.iter().enumerate() {
        adjacency[i] = edges(n)
            .iter()
            .filter_map(|m| ids.get(m).copied())
            .collect();
    }
    let components = tarjan(&adjacency);
    let mut component_of = vec![usize::MAX; nodes.len()];
    for (c, members) in components.iter().enumerate() {
        for &m in members {
            component_of[m] = c;
        }
    }
    let mut out = HashMap::new();
    for (i, p) in proposals.iter().enumerate() {
        let Some(&start) = ids.get(&p.definition.name) else {
            continue;
        };
        let c = component_of[start];
        let on_cycle = components[c].len() > 1 || adjacency[start].contains(&start);
        if on_cycle && let Some(path) = cycle_path(&adjacency, &component_of, start) {
            out.insert(i, path.into_iter().map(|n| nodes[n].clone()).collect());
        }
    }
    out
}

fn tarjan(adjacency: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = adjacency.len();
    let (mut index, mut low, mut on_stack) = (vec![usize::MAX; n], vec![0; n], vec![false; n]);
    let (mut counter, mut stack, mut components) = (0, Vec::new(), Vec::new());
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(&mut (v, ref mut next)) = work.last_mut() {
            if *next == 0 && index[v] == usize::MAX {
                index[v] = counter;
                low[v] = counter;
                counter += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = adjacency[v].get(*next) {
                *next += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                components.push(component);
            }
        }
    }
    components
}

/// The shortest path from `start` back to itself within its component (breadth first).
fn cycle_path(
    adjacency: &[Vec<usize>],
    component_of: &[usize],
    start: usize,
) -> Option<Vec<usize>> {
    let c = component_of[start];
    let mut previous: HashMap<usize, usize> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    let mut seen = HashSet::from([start]);
    while let Some(v) = queue.pop_front() {
        for &w in &adjacency[v] {
            if w == start {
                let mut back = Vec::new();
                let mut at = v;
                while at != start {
                    back.push(at);
                    at = *previous.get(&at)?;
                }
                back.reverse();
                let mut path = vec![start];
                path.extend(back);
                path.push(start);
                return Some(path);
            }
            if component_of[w] == c && seen.insert(w) {
                previous.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tarjan_finds_components() {
        // 0 → 1 → 2 → 0, 3 → 3, 4 alone
        let adjacency = vec![vec![1], vec![2], vec![0], vec![3], vec![]];
        let mut components: Vec<Vec<usize>> = tarjan(&adjacency)
            .into_iter()
            .map(|mut c| {
                c.sort_unstable();
                c
            })
            .collect();
        components.sort();
        assert_eq!(components, vec![vec![0, 1, 2], vec![3], vec![4]]);
        let component_of = [0, 0, 0, 1, 2];
        assert_eq!(
            cycle_path(&adjacency, &component_of, 1),
            Some(vec![1, 2, 0, 1])
        );
        assert_eq!(cycle_path(&adjacency, &component_of, 3), Some(vec![3, 3]));
    }
}
