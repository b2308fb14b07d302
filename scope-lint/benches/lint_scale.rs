//! Scale benchmark: lint 100,000 proposals against a catalog of 100,000 scopes.
//!
//! ```text
//! cargo bench -p scope-lint --bench lint_scale                  # N = 100,000
//! SCOPE_LINT_BENCH_N=10000 cargo bench -p scope-lint --bench lint_scale
//! cargo bench -p scope-lint --bench lint_scale -- --examples 3     # and 3 findings per kind and rule
//! cargo bench -p scope-lint --bench lint_scale -- --write-dir "$PWD/bench/out"   # only write the data
//! ```
//!
//! `cargo bench` runs this from the package directory (`scope-lint/`): give `--write-dir` an
//! absolute path.
//!
//! The data is generated, deterministically (a seeded splitmix64, no `rand`), to look like a large
//! organisation's catalog: about 300 domains of uneven size (a handful of well-known ones such as
//! `ecommerce` or `identity`, the rest built from word lists, such as `merchant-payouts`), plural
//! resources (a third single nouns, the rest two words such as `order-items`), a few actions each;
//! most scopes active, some deprecated, a few retired. The proposals are mostly new, valid names,
//! mixed with the mistakes people make: exact duplicates, near-duplicates (singular for plural, a
//! dropped hyphen, transposed letters), action synonyms, upper case, wrong segment counts,
//! reserved words and so on. The bench prints the time to build the linter (indexing the catalog)
//! and to lint, the findings by rule and by kind of proposal, a scaling check (N/4 against N) and
//! the peak resident memory.
//!
//! `--write-dir DIR` writes the same data for `bench/run.sh`: `catalog.json` (the canonical catalog
//! shape), `proposals.txt` (one name a line, duplicates included), `proposals-unique.txt` (each name
//! once, in first-seen order) and `openapi.json` (an OpenAPI 3.1 document whose oauth2 flow lists
//! the unique names, for the Spectral comparison).

use std::collections::{BTreeMap, HashSet};
use std::error::Error;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use scope_lint::{
    Catalog, Diagnostic, Linter, Policy, Proposal, ScopeDefinition, Severity, Status,
};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

const DEFAULT_N: usize = 100_000;
const SEED: u64 = 0x5C0B_E11A_2024_0001;
/// Timed repetitions; the best is reported (the others are printed too).
const RUNS: usize = 3;

fn main() -> Result<()> {
    let options = Options::parse()?;
    if let Some(dir) = &options.write_dir {
        return write_data(options.n, dir);
    }
    let policy = Policy::default();
    println!(
        "scope-lint lint_scale: N = {} (catalog scopes = proposals), seed {SEED:#x}",
        options.n
    );
    println!();

    let started = Instant::now();
    let data = generate(options.n);
    println!("generated the data in {}", ms(started.elapsed()));
    print_data_summary(&data);

    let (timing, findings) = measure(&policy, Some(&data.catalog), &data.proposals);
    println!();
    println!(
        "build the Linter (index the catalog): {} (runs: {})",
        ms(timing.build),
        runs(&timing.builds)
    );
    println!(
        "lint {} proposals:                  {} (runs: {}), {:.2} µs per proposal",
        data.proposals.len(),
        ms(timing.lint),
        runs(&timing.lints),
        micros_per(timing.lint, data.proposals.len()),
    );
    println!(
        "total (build + lint):                 {}",
        ms(timing.build + timing.lint)
    );
    // Without a catalog: the syntax and naming rules, plus the in-batch duplicate, near-duplicate
    // and plurality checks; what Spectral is compared with in bench/run.sh.
    let (bare, bare_findings) = measure(&policy, None, &data.proposals);
    println!(
        "lint the same proposals without a catalog: {} (runs: {}), {} findings",
        ms(bare.lint),
        runs(&bare.lints),
        bare_findings.len()
    );
    println!();
    print_findings(&findings, &data, options.examples);

    // Near-linear scaling: a quarter of the data should take about a quarter of the time.
    let quarter = (options.n / 4).max(1);
    let small = generate(quarter);
    let (small_timing, _) = measure(&policy, Some(&small.catalog), &small.proposals);
    let ratio = |big: Duration, small: Duration| big.as_secs_f64() / small.as_secs_f64().max(1e-9);
    println!();
    println!(
        "scaling, N = {quarter} against N = {} (4.0 is linear):",
        options.n
    );
    println!(
        "  build  {} → {}  ratio {:.2}",
        ms(small_timing.build),
        ms(timing.build),
        ratio(timing.build, small_timing.build)
    );
    println!(
        "  lint   {} → {}  ratio {:.2}",
        ms(small_timing.lint),
        ms(timing.lint),
        ratio(timing.lint, small_timing.lint)
    );
    println!(
        "  total  {} → {}  ratio {:.2}",
        ms(small_timing.build + small_timing.lint),
        ms(timing.build + timing.lint),
        ratio(
            timing.build + timing.lint,
            small_timing.build + small_timing.lint
        )
    );
    if let Some(peak) = peak_rss() {
        println!();
        println!("peak resident memory (VmHWM, whole process, data generation included): {peak}");
    }
    Ok(())
}

struct Options {
    n: usize,
    write_dir: Option<PathBuf>,
    /// How many example names to show for each kind of proposal and code (`--examples K`).
    examples: usize,
}

impl Options {
    /// `SCOPE_LINT_BENCH_N`, `--n N`, `--write-dir DIR` and `--examples K`. `cargo bench` adds
    /// `--bench`, and may pass a filter; both are ignored.
    fn parse() -> Result<Self> {
        let mut n = match std::env::var("SCOPE_LINT_BENCH_N") {
            Ok(v) => parse_n(&v)?,
            Err(_) => DEFAULT_N,
        };
        let mut write_dir = None;
        let mut examples = 0;
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--n" => n = parse_n(&args.next().ok_or("--n needs a number")?)?,
                "--write-dir" => {
                    write_dir = Some(PathBuf::from(
                        args.next().ok_or("--write-dir needs a directory")?,
                    ))
                }
                "--examples" => {
                    let k = args.next().ok_or("--examples needs a number")?;
                    examples = k
                        .parse()
                        .map_err(|e| format!("bad --examples `{k}`: {e}"))?;
                }
                _ => {}
            }
        }
        Ok(Self {
            n,
            write_dir,
            examples,
        })
    }
}

fn parse_n(text: &str) -> Result<usize> {
    let n: usize = text
        .replace(['_', ','], "")
        .trim()
        .parse()
        .map_err(|e| format!("bad N `{text}`: {e}"))?;
    if n < 100 {
        return Err(format!("N must be at least 100, not {n}").into());
    }
    Ok(n)
}

// ---------------------------------------------------------------------------------------------
// Timing

struct Timing {
    build: Duration,
    lint: Duration,
    builds: Vec<Duration>,
    lints: Vec<Duration>,
}

/// Builds the linter and lints the proposals `RUNS` times; the best of each, and the findings.
fn measure(
    policy: &Policy,
    catalog: Option<&Catalog>,
    proposals: &[Proposal],
) -> (Timing, Vec<Diagnostic>) {
    let mut builds = Vec::new();
    let mut lints = Vec::new();
    let mut findings = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        let linter = Linter::new(policy, catalog);
        let built = Instant::now();
        findings = linter.lint(proposals);
        lints.push(built.elapsed());
        builds.push(built - started);
    }
    let best = |v: &[Duration]| v.iter().copied().min().unwrap_or_default();
    (
        Timing {
            build: best(&builds),
            lint: best(&lints),
            builds,
            lints,
        },
        findings,
    )
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn runs(all: &[Duration]) -> String {
    all.iter()
        .map(|d| format!("{:.1}", d.as_secs_f64() * 1000.0))
        .collect::<Vec<_>>()
        .join(", ")
}

fn micros_per(d: Duration, count: usize) -> f64 {
    d.as_secs_f64() * 1e6 / count.max(1) as f64
}

/// The process's peak resident set size, from `/proc/self/status` (Linux only).
fn peak_rss() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(format!("{:.0} MiB", kib / 1024.0))
}

// ---------------------------------------------------------------------------------------------
// Reporting

fn print_data_summary(data: &Data) {
    let mut statuses = [0usize; 3];
    for s in &data.catalog.scopes {
        statuses[match s.status {
            Status::Active => 0,
            Status::Deprecated => 1,
            Status::Retired => 2,
        }] += 1;
    }
    let distinct: HashSet<&str> = data
        .proposals
        .iter()
        .map(|p| p.definition.name.as_str())
        .collect();
    println!(
        "catalog: {} scopes over {} domains ({} active, {} deprecated, {} retired)",
        data.catalog.scopes.len(),
        data.domain_count,
        statuses[0],
        statuses[1],
        statuses[2]
    );
    println!(
        "proposals: {} ({} distinct names)",
        data.proposals.len(),
        distinct.len()
    );
    let mut kinds: BTreeMap<Kind, usize> = BTreeMap::new();
    for k in &data.kinds {
        *kinds.entry(*k).or_default() += 1;
    }
    let mix: Vec<String> = kinds
        .iter()
        .map(|(k, n)| format!("{} {n}", k.label()))
        .collect();
    println!("  mix: {}", mix.join(", "));
}

fn print_findings(findings: &[Diagnostic], data: &Data, examples: usize) {
    let errors = findings
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let flagged: HashSet<usize> = findings.iter().map(|d| d.proposal).collect();
    println!(
        "findings: {} ({errors} errors, {} others) on {} of {} proposals",
        findings.len(),
        findings.len() - errors,
        flagged.len(),
        data.proposals.len()
    );
    let mut by_code: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
    for d in findings {
        by_code.entry(d.code()).or_insert((0, d.rule.name())).0 += 1;
    }
    for (code, (count, name)) in &by_code {
        println!("  {code} {name:<34} {count:>7}");
    }
    // What each kind of proposal drew: the check that the generator and the rules agree.
    let mut per_proposal: Vec<Vec<&str>> = vec![Vec::new(); data.proposals.len()];
    for d in findings {
        if let Some(codes) = per_proposal.get_mut(d.proposal) {
            codes.push(d.code());
        }
    }
    let mut by_kind: BTreeMap<Kind, BTreeMap<&str, usize>> = BTreeMap::new();
    for (kind, codes) in data.kinds.iter().zip(&per_proposal) {
        let entry = by_kind.entry(*kind).or_default();
        if codes.is_empty() {
            *entry.entry("clean").or_default() += 1;
        }
        let mut seen: Vec<&str> = codes.clone();
        seen.sort_unstable();
        seen.dedup();
        for code in seen {
            *entry.entry(code).or_default() += 1;
        }
    }
    println!("proposals drawing each code, by kind of proposal:");
    for (kind, codes) in &by_kind {
        let list: Vec<String> = codes.iter().map(|(c, n)| format!("{c} {n}")).collect();
        println!("  {:<16} {}", kind.label(), list.join(", "));
    }
    if examples == 0 {
        return;
    }
    let mut shown: BTreeMap<(Kind, &str), usize> = BTreeMap::new();
    println!("examples (up to {examples} per kind of proposal and code):");
    for d in findings {
        let Some(kind) = data.kinds.get(d.proposal) else {
            continue;
        };
        let count = shown.entry((*kind, d.code())).or_default();
        if *count < examples {
            *count += 1;
            println!(
                "  {:<16} {} {:?}: {}",
                kind.label(),
                d.code(),
                d.name,
                d.message
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Writing the data for bench/run.sh

fn write_data(n: usize, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let data = generate(n);
    let mut out = BufWriter::new(File::create(dir.join("catalog.json"))?);
    serde_json::to_writer(&mut out, &data.catalog)?;
    out.flush()?;

    let names: Vec<&str> = data
        .proposals
        .iter()
        .map(|p| p.definition.name.as_str())
        .collect();
    write_lines(&dir.join("proposals.txt"), &names)?;
    let mut seen = HashSet::new();
    let unique: Vec<&str> = names.iter().copied().filter(|n| seen.insert(*n)).collect();
    write_lines(&dir.join("proposals-unique.txt"), &unique)?;

    let mut scopes = serde_json::Map::new();
    for name in &unique {
        scopes.insert(
            (*name).to_owned(),
            serde_json::Value::String(describe(name)),
        );
    }
    let openapi = serde_json::json!({
        "openapi": "3.1.0",
        "info": {
            "title": "scope-lint benchmark",
            "version": "1.0.0",
            "description": "Generated by scope-lint/benches/lint_scale.rs: every proposed scope name, once."
        },
        "paths": {},
        "components": {
            "securitySchemes": {
                "oauth": {
                    "type": "oauth2",
                    "flows": {
                        "clientCredentials": {
                            "tokenUrl": "https://auth.example.com/oauth2/token",
                            "scopes": scopes
                        }
                    }
                }
            }
        }
    });
    let mut out = BufWriter::new(File::create(dir.join("openapi.json"))?);
    serde_json::to_writer_pretty(&mut out, &openapi)?;
    out.flush()?;
    println!(
        "wrote {}: catalog.json ({} scopes), proposals.txt ({} names), proposals-unique.txt and openapi.json ({} names)",
        dir.display(),
        data.catalog.scopes.len(),
        names.len(),
        unique.len()
    );
    Ok(())
}

fn write_lines(path: &Path, lines: &[&str]) -> Result<()> {
    let mut out = BufWriter::new(File::create(path)?);
    for line in lines {
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(())
}

/// A description as a scope's author would write it: "Update order items in billing".
fn describe(name: &str) -> String {
    let parts: Vec<&str> = name.split(':').collect();
    match parts.as_slice() {
        [domain, resource, action] => {
            format!(
                "{} {} in {domain}",
                capitalise(action),
                resource.replace('-', " ")
            )
        }
        _ => format!("Proposed scope {name}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The generator

/// splitmix64: tiny, fast and good enough to make data that does not repeat itself.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0); the modulo bias is irrelevant here.
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// True `per_mille` times in a thousand.
    fn chance(&mut self, per_mille: u64) -> bool {
        self.next_u64() % 1000 < per_mille
    }

    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    /// An index into `weights`, with probability proportional to the weight.
    fn weighted(&mut self, weights: &[u64]) -> usize {
        let total: u64 = weights.iter().sum();
        let mut at = self.next_u64() % total.max(1);
        for (i, w) in weights.iter().enumerate() {
            if at < *w {
                return i;
            }
            at -= w;
        }
        weights.len() - 1
    }
}

/// Domains everyone has; the rest are built from `QUALIFIERS` × `AREAS`.
#[rustfmt::skip]
const WELL_KNOWN_DOMAINS: &[&str] = &[
    "ecommerce", "billing", "identity", "payments", "inventory", "shipping", "catalog", "analytics",
    "marketing", "crm", "support", "payroll", "finance", "accounting", "logistics", "warehouse",
    "fulfilment", "procurement", "compliance", "security", "notifications", "messaging", "search",
    "content", "media", "documents", "storage", "scheduling", "calendar", "learning", "recruiting",
    "benefits", "expenses", "travel", "insurance", "claims", "lending", "trading", "treasury",
    "risk", "fraud", "loyalty", "subscriptions", "pricing", "tax", "reporting", "devices",
    "telemetry", "fleet", "maintenance", "energy", "healthcare", "pharmacy", "telehealth", "hr",
];

#[rustfmt::skip]
const QUALIFIERS: &[&str] = &[
    "partner", "merchant", "customer", "employee", "vendor", "fleet", "retail", "clinical", "field",
    "store", "supplier", "driver", "patient", "student", "member", "tenant", "developer", "seller",
    "buyer", "agent", "branch", "dealer", "carrier", "contractor", "guest", "provider", "investor",
    "donor", "volunteer", "franchise",
];

#[rustfmt::skip]
const AREAS: &[&str] = &[
    "portal", "insights", "ledger", "onboarding", "catalog", "directory", "scheduling", "payouts",
    "settlements", "rewards", "identity", "records", "workflows", "messaging", "support",
    "compliance", "contracts", "reporting", "billing", "experience", "operations", "enablement",
    "registry", "marketplace", "feedback", "pricing", "programs", "benefits", "accounts", "access",
];

/// Plural nouns an API names its resources with.
#[rustfmt::skip]
const NOUNS: &[&str] = &[
    "orders", "invoices", "payments", "refunds", "customers", "accounts", "users", "groups",
    "roles", "permissions", "sessions", "tokens", "devices", "products", "prices", "discounts",
    "coupons", "carts", "checkouts", "shipments", "parcels", "carriers", "addresses", "contacts",
    "leads", "opportunities", "campaigns", "segments", "audiences", "emails", "messages",
    "notifications", "subscriptions", "plans", "quotes", "contracts", "documents", "files",
    "folders", "attachments", "reports", "dashboards", "metrics", "events", "logs", "alerts",
    "incidents", "tickets", "comments", "reviews", "ratings", "articles", "pages", "posts",
    "videos", "images", "assets", "licenses", "vendors", "suppliers", "warehouses", "locations",
    "stores", "regions", "currencies", "transactions", "transfers", "balances", "statements",
    "budgets", "expenses", "receipts", "claims", "policies", "benefits", "employees", "teams",
    "departments", "projects", "tasks", "milestones", "sprints", "releases", "builds",
    "deployments", "environments", "secrets", "certificates", "keys", "webhooks", "integrations",
    "connectors", "workflows", "jobs", "schedules", "appointments", "bookings", "reservations",
    "rooms", "vehicles", "drivers", "routes", "trips", "deliveries", "returns", "exchanges",
    "warranties", "repairs", "parts", "components", "batches", "lots", "labels", "tags",
    "categories", "collections", "listings", "offers", "bids", "auctions", "wishlists", "favorites",
    "badges", "rewards", "points", "tiers", "members", "households", "patients", "prescriptions",
    "encounters", "observations", "medications", "allergies", "immunizations", "courses", "lessons",
    "enrollments", "grades", "assignments", "quizzes", "surveys", "responses", "forms",
    "submissions", "templates", "translations", "locales", "preferences", "consents", "identities",
    "credentials", "passkeys", "factors", "challenges", "invitations", "memberships",
    "organizations", "tenants", "workspaces", "channels", "threads", "replies", "reactions",
    "mentions", "snapshots", "backups", "volumes", "buckets", "objects", "queues", "topics",
    "streams", "partitions", "clusters", "nodes", "services", "endpoints", "records", "zones",
    "firewalls", "rules", "quotas", "limits", "items", "rates", "methods", "lists", "cards",
    "notes", "flags",
];

/// Real resource names that are not regular plurals; rare, as in real catalogs.
#[rustfmt::skip]
const IRREGULAR_NOUNS: &[&str] = &[
    "people", "staff", "history", "profile", "status", "personnel", "mail", "children", "settings",
    "metadata",
];

/// First words of two-word resources (`order-items`).
#[rustfmt::skip]
const MODIFIERS: &[&str] = &[
    "order", "payment", "shipping", "user", "api", "access", "audit", "tax", "price", "gift",
    "loyalty", "credit", "purchase", "sales", "line", "bank", "webhook", "service", "customer",
    "product", "return", "delivery", "support", "team", "project", "vendor", "partner", "employee",
    "device", "security", "feature", "usage", "event", "notification", "subscription", "tenant",
    "contract", "asset", "media", "search", "report", "billing", "identity", "content", "data",
];

/// The policy's actions, and how often a scope uses each.
#[rustfmt::skip]
const ACTIONS: &[&str] = &[
    "read", "create", "update", "delete", "write", "manage", "export", "import", "approve",
    "execute",
];
const ACTION_WEIGHTS: &[u64] = &[35, 15, 15, 10, 8, 7, 4, 2, 2, 2];
/// For the catalog: the chance (‰) that a resource has each action.
const ACTION_CHANCE: &[u64] = &[900, 500, 500, 350, 250, 150, 100, 50, 50, 30];

#[rustfmt::skip]
const SYNONYMS: &[&str] = &[
    "get", "fetch", "view", "list", "retrieve", "show", "edit", "modify", "change", "patch",
    "remove", "destroy", "add", "new", "admin", "run", "trigger",
];
#[rustfmt::skip]
const UNKNOWN_ACTIONS: &[&str] = &[
    "cancel", "refund", "publish", "send", "sync", "upload", "download", "assign", "verify",
    "process", "reset", "archive",
];

/// What a generated proposal is meant to be, to check the findings against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Kind {
    New,
    CatalogDuplicate,
    RetiredReuse,
    BatchDuplicate,
    NearPlural,
    NearHyphen,
    NearTypo,
    DomainTypo,
    Synonym,
    UnknownAction,
    Uppercase,
    SegmentCount,
    Reserved,
    RepeatsDomain,
    OtherSyntax,
}

impl Kind {
    /// The mix of proposals, per thousand.
    const MIX: &'static [(Kind, u64)] = &[
        (Kind::New, 700),
        (Kind::CatalogDuplicate, 45),
        (Kind::RetiredReuse, 5),
        (Kind::BatchDuplicate, 30),
        (Kind::NearPlural, 30),
        (Kind::NearHyphen, 15),
        (Kind::NearTypo, 20),
        (Kind::DomainTypo, 10),
        (Kind::Synonym, 40),
        (Kind::UnknownAction, 15),
        (Kind::Uppercase, 20),
        (Kind::SegmentCount, 20),
        (Kind::Reserved, 10),
        (Kind::RepeatsDomain, 10),
        (Kind::OtherSyntax, 30),
    ];

    fn label(self) -> &'static str {
        match self {
            Kind::New => "new",
            Kind::CatalogDuplicate => "duplicate",
            Kind::RetiredReuse => "retired-reuse",
            Kind::BatchDuplicate => "batch-duplicate",
            Kind::NearPlural => "near-plural",
            Kind::NearHyphen => "near-hyphen",
            Kind::NearTypo => "near-typo",
            Kind::DomainTypo => "domain-typo",
            Kind::Synonym => "action-synonym",
            Kind::UnknownAction => "unknown-action",
            Kind::Uppercase => "uppercase",
            Kind::SegmentCount => "segment-count",
            Kind::Reserved => "reserved-word",
            Kind::RepeatsDomain => "repeats-domain",
            Kind::OtherSyntax => "other-syntax",
        }
    }
}

struct Data {
    catalog: Catalog,
    proposals: Vec<Proposal>,
    kinds: Vec<Kind>,
    domain_count: usize,
}

/// A resource of a domain and the actions it has so far (a bit per `ACTIONS` entry).
struct Resource {
    domain: usize,
    name: String,
    actions: u16,
}

struct Generator {
    rng: Rng,
    domains: Vec<String>,
    /// Relative size of each domain: a few large ones, a long tail of small ones.
    domain_weights: Vec<u64>,
    resources: Vec<Resource>,
    /// (domain, resource) pairs in use, in the catalog or in earlier proposals.
    used: HashSet<(usize, String)>,
    /// Every name in the catalog or proposed so far.
    taken: HashSet<String>,
    /// The catalog's retired names.
    retired: Vec<String>,
}

fn generate(n: usize) -> Data {
    // Same shape at every N: about 333 scopes a domain, ~300 domains at 100,000.
    let domain_count = (n / 333).clamp(8, QUALIFIERS.len() * AREAS.len());
    let mut rng = Rng(SEED ^ n as u64);
    let domains = make_domains(&mut rng, domain_count);
    let domain_weights = (0..domains.len())
        .map(|i| 2000 / (20 + i as u64) + 1)
        .collect();
    let mut g = Generator {
        rng,
        domains,
        domain_weights,
        resources: Vec::new(),
        used: HashSet::new(),
        taken: HashSet::new(),
        retired: Vec::new(),
    };
    let catalog = g.catalog(n);
    let (proposals, kinds) = g.proposals(n, &catalog);
    Data {
        catalog,
        proposals,
        kinds,
        domain_count,
    }
}

fn make_domains(rng: &mut Rng, count: usize) -> Vec<String> {
    let mut out: Vec<String> = WELL_KNOWN_DOMAINS
        .iter()
        .take(count)
        .map(|d| (*d).to_owned())
        .collect();
    let mut combos: Vec<String> = QUALIFIERS
        .iter()
        .flat_map(|q| AREAS.iter().map(move |a| format!("{q}-{a}")))
        .collect();
    // Fisher–Yates, so the generated domains are spread over every qualifier.
    for i in (1..combos.len()).rev() {
        combos.swap(i, rng.below(i + 1));
    }
    for candidate in combos {
        if out.len() >= count {
            break;
        }
        // Keep domains from being near-duplicates of one another, as a real registry would.
        let folded = candidate.replace('-', "");
        if out
            .iter()
            .all(|d| osa_distance(&d.replace('-', ""), &folded) > 2)
        {
            out.push(candidate);
        }
    }
    // Interleave well-known and generated domains so the largest ones are a mix of both.
    for i in (1..out.len()).rev() {
        out.swap(i, rng.below(i + 1));
    }
    out
}

impl Generator {
    fn catalog(&mut self, n: usize) -> Catalog {
        let mut scopes = Vec::with_capacity(n);
        while scopes.len() < n {
            let domain = self.rng.weighted(&self.domain_weights);
            let Some(resource) = self.fresh_resource(domain) else {
                continue;
            };
            let mut mask = 0u16;
            for (i, chance) in ACTION_CHANCE.iter().enumerate() {
                if self.rng.chance(*chance) {
                    mask |= 1 << i;
                }
            }
            if mask == 0 {
                mask = 1;
            }
            for (i, action) in ACTIONS.iter().enumerate() {
                if mask & (1 << i) == 0 || scopes.len() >= n {
                    continue;
                }
                let name = format!("{}:{resource}:{action}", self.domains[domain]);
                let status = match self.rng.below(1000) {
                    0..=899 => Status::Active,
                    900..=979 => Status::Deprecated,
                    _ => Status::Retired,
                };
                self.taken.insert(name.clone());
                if status == Status::Retired {
                    self.retired.push(name.clone());
                }
                scopes.push(ScopeDefinition {
                    status,
                    ..ScopeDefinition::named(name)
                });
            }
            self.resources.push(Resource {
                domain,
                name: resource,
                actions: mask,
            });
        }
        Catalog {
            scopes,
            ..Catalog::default()
        }
    }

    /// A resource name the domain does not use yet (and that does not repeat the domain).
    fn fresh_resource(&mut self, domain: usize) -> Option<String> {
        for _ in 0..50 {
            let name = match self.rng.below(1000) {
                0..=9 => self.rng.pick(IRREGULAR_NOUNS).to_owned(),
                10..=339 => self.rng.pick(NOUNS).to_owned(),
                _ => format!("{}-{}", self.rng.pick(MODIFIERS), self.rng.pick(NOUNS)),
            };
            let first_word = name.split('-').next().unwrap_or_default();
            if first_word == self.domains[domain] || name == self.domains[domain] {
                continue;
            }
            if self.used.insert((domain, name.clone())) {
                return Some(name);
            }
        }
        None
    }

    fn action(&mut self) -> usize {
        self.rng.weighted(ACTION_WEIGHTS)
    }

    fn proposals(&mut self, n: usize, catalog: &Catalog) -> (Vec<Proposal>, Vec<Kind>) {
        let weights: Vec<u64> = Kind::MIX.iter().map(|(_, w)| *w).collect();
        let mut names: Vec<String> = Vec::with_capacity(n);
        let mut kinds = Vec::with_capacity(n);
        let mut new_ones: Vec<usize> = Vec::new();
        while names.len() < n {
            let kind = Kind::MIX[self.rng.weighted(&weights)].0;
            let Some(name) = self.proposal(kind, catalog, &names, &new_ones) else {
                continue;
            };
            if kind == Kind::New {
                new_ones.push(names.len());
            }
            if !matches!(
                kind,
                Kind::CatalogDuplicate | Kind::RetiredReuse | Kind::BatchDuplicate
            ) {
                self.taken.insert(name.clone());
            }
            names.push(name);
            kinds.push(kind);
        }
        (names.into_iter().map(Proposal::name).collect(), kinds)
    }

    /// One proposal of the given kind, or `None` when this attempt did not produce one.
    fn proposal(
        &mut self,
        kind: Kind,
        catalog: &Catalog,
        names: &[String],
        new_ones: &[usize],
    ) -> Option<String> {
        let scope = &catalog.scopes[self.rng.below(catalog.scopes.len())];
        let parts: Vec<&str> = scope.name.split(':').collect();
        let [domain, resource, action] = parts.as_slice() else {
            return None;
        };
        let name = match kind {
            Kind::New => self.new_name()?,
            Kind::CatalogDuplicate => {
                return (scope.status != Status::Retired).then(|| scope.name.clone());
            }
            Kind::RetiredReuse => {
                return self
                    .retired
                    .get(self.rng.below(self.retired.len()))
                    .cloned();
            }
            Kind::BatchDuplicate => {
                let earlier = new_ones.get(self.rng.below(new_ones.len()))?;
                return names.get(*earlier).cloned();
            }
            Kind::NearPlural => {
                let (head, last) = resource
                    .rsplit_once('-')
                    .map_or(("", *resource), |(h, l)| (h, l));
                let single = singular(last)?;
                let joined = if head.is_empty() {
                    single
                } else {
                    format!("{head}-{single}")
                };
                format!("{domain}:{joined}:{action}")
            }
            Kind::NearHyphen => {
                if !resource.contains('-') {
                    return None;
                }
                format!("{domain}:{}:{action}", resource.replace('-', ""))
            }
            Kind::NearTypo => format!("{domain}:{}:{action}", self.transpose(resource)?),
            Kind::DomainTypo => format!("{}:{resource}:{action}", self.transpose(domain)?),
            Kind::Synonym => format!("{domain}:{resource}:{}", self.rng.pick(SYNONYMS)),
            Kind::UnknownAction => {
                format!("{domain}:{resource}:{}", self.rng.pick(UNKNOWN_ACTIONS))
            }
            Kind::Uppercase => self.uppercase()?,
            Kind::SegmentCount => self.segment_count()?,
            Kind::Reserved => self.reserved(domain, resource, action),
            Kind::RepeatsDomain => match self.rng.below(4) {
                0 => format!("{domain}:{domain}:{action}"),
                _ => format!("{domain}:{domain}-{resource}:{action}"),
            },
            Kind::OtherSyntax => self.other_syntax(domain, resource, action),
        };
        (!self.taken.contains(&name)).then_some(name)
    }

    /// A name that is new and valid: a new action on an existing resource, or a new resource.
    fn new_name(&mut self) -> Option<String> {
        if self.rng.chance(400) {
            let r = self.rng.below(self.resources.len());
            let missing: Vec<usize> = (0..ACTIONS.len())
                .filter(|i| self.resources[r].actions & (1 << i) == 0)
                .collect();
            if missing.is_empty() {
                return None;
            }
            let weights: Vec<u64> = missing.iter().map(|i| ACTION_WEIGHTS[*i]).collect();
            let a = missing[self.rng.weighted(&weights)];
            let resource = &mut self.resources[r];
            resource.actions |= 1 << a;
            return Some(format!(
                "{}:{}:{}",
                self.domains[resource.domain], resource.name, ACTIONS[a]
            ));
        }
        let domain = self.rng.weighted(&self.domain_weights);
        let resource = self.fresh_resource(domain)?;
        let a = self.action();
        let name = format!("{}:{resource}:{}", self.domains[domain], ACTIONS[a]);
        self.resources.push(Resource {
            domain,
            name: resource,
            actions: 1 << a,
        });
        Some(name)
    }

    /// Two adjacent letters swapped (`ordres`), in a word of five letters or more.
    fn transpose(&mut self, text: &str) -> Option<String> {
        let bytes = text.as_bytes();
        let spots: Vec<usize> = (1..bytes.len().saturating_sub(2))
            .filter(|&i| {
                bytes[i].is_ascii_lowercase()
                    && bytes[i + 1].is_ascii_lowercase()
                    && bytes[i] != bytes[i + 1]
            })
            .collect();
        if text.len() < 5 || spots.is_empty() {
            return None;
        }
        let at = spots[self.rng.below(spots.len())];
        let mut out = bytes.to_vec();
        out.swap(at, at + 1);
        String::from_utf8(out).ok()
    }

    fn uppercase(&mut self) -> Option<String> {
        let name = self.new_name()?;
        Some(match self.rng.below(4) {
            0 => name.to_ascii_uppercase(),
            1 => name
                .split(':')
                .map(capitalise)
                .collect::<Vec<_>>()
                .join(":"),
            2 if name.split(':').nth(1).is_some_and(|r| r.contains('-')) => {
                // camelCase resource: order-items → orderItems
                let parts: Vec<&str> = name.split(':').collect();
                let camel: String = parts[1]
                    .split('-')
                    .enumerate()
                    .map(|(i, w)| if i == 0 { w.to_owned() } else { capitalise(w) })
                    .collect();
                format!("{}:{camel}:{}", parts[0], parts[2])
            }
            _ => {
                let (head, action) = name.rsplit_once(':')?;
                format!("{head}:{}", action.to_ascii_uppercase())
            }
        })
    }

    fn segment_count(&mut self) -> Option<String> {
        let name = self.new_name()?;
        let parts: Vec<&str> = name.split(':').collect();
        let [domain, resource, action] = parts.as_slice() else {
            return None;
        };
        Some(match self.rng.below(5) {
            0 => format!("{resource}:{action}"),
            1 => format!("{domain}:{resource}"),
            2 => match resource.split_once('-') {
                Some((a, b)) => format!("{domain}:{a}:{b}:{action}"),
                None => format!("{domain}:{resource}:items:{action}"),
            },
            3 => format!("{domain}.{resource}.{action}"),
            _ => format!("{domain}/{resource}/{action}"),
        })
    }

    fn reserved(&mut self, domain: &str, resource: &str, action: &str) -> String {
        match self.rng.below(6) {
            0 => format!("{domain}:all:{action}"),
            1 => format!("{domain}:{resource}-full:manage"),
            2 => format!("{domain}:everything:manage"),
            3 => format!("{domain}:any-{resource}:{action}"),
            4 => format!("root:{resource}:manage"),
            _ => format!("{domain}:default-{resource}:{action}"),
        }
    }

    fn other_syntax(&mut self, domain: &str, resource: &str, action: &str) -> String {
        match self.rng.below(11) {
            0 => format!("{domain}:{}:{action}", resource.replace('-', "_")),
            1 => format!("{domain}:{resource}:*"),
            2 => format!("{domain}:*:{action}"),
            3 => format!("{domain}:{resource} :{action}"),
            4 => format!("{domain}:{resource}\u{200B}:{action}"),
            5 => format!("{domain}:{resource}-with-line-items-and-shipping-history:{action}"),
            6 => format!("{domain}:2fa-{resource}:{action}"),
            7 if resource.contains('-') => {
                format!("{domain}:{}:{action}", resource.replacen('-', "--", 1))
            }
            7 => format!("{domain}:-{resource}:{action}"),
            8 => format!("{domain}:{resource}-:{action}"),
            9 => format!(
                "{domain}:{}:{action}",
                resource
                    .replacen('o', "\u{043E}", 1)
                    .replacen('a', "\u{0430}", 1)
            ),
            _ => format!("{domain}:{resource}:{}", action.replacen('e', "é", 1)),
        }
    }
}

fn capitalise(word: &str) -> String {
    let mut out = word.to_owned();
    if let Some(first) = out.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    out
}

/// The singular of a plural noun, when it has one: `orders` → `order`, `categories` → `category`.
fn singular(word: &str) -> Option<String> {
    if let Some(stem) = word.strip_suffix("zzes") {
        return Some(format!("{stem}z"));
    }
    if let Some(stem) = word.strip_suffix("ies") {
        return Some(format!("{stem}y"));
    }
    for suffix in ["sses", "shes", "ches", "xes"] {
        if word.ends_with(suffix) {
            return Some(word[..word.len() - 2].to_owned());
        }
    }
    match word.strip_suffix('s') {
        Some(stem) if !stem.ends_with('s') && !stem.ends_with('u') && stem.len() >= 3 => {
            Some(stem.to_owned())
        }
        _ => None,
    }
}

/// Optimal-string-alignment distance (small inputs only).
fn osa_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}
