//! `scope-lint`: checks OAuth scope names against the `<domain>:<resource>:<action>` convention
//! and a policy file, for people (text with carets) and tools (JSON, SARIF, GitHub annotations).

mod input;

use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use input::{InputFormat, load};
use scope_lint::render::{self, Color};
use scope_lint::{Catalog, DEFAULT_POLICY_TOML, Linter, Policy, Rule, RuleLevel, Severity};

/// Exit codes a CI job can rely on.
const EXIT_CLEAN: u8 = 0;
const EXIT_FINDINGS: u8 = 1;
const EXIT_USAGE: u8 = 2;

/// The policy file looked for in the working directory when `--policy` is not given.
const POLICY_FILE: &str = "scope-policy.toml";

/// Batches at least this large show a progress bar (on a terminal only).
const PROGRESS_THRESHOLD: usize = 20_000;

#[derive(Parser, Debug)]
#[command(
    name = "scope-lint",
    version,
    about = "Lint OAuth scope names against the <domain>:<resource>:<action> convention",
    long_about = "Lint OAuth scope names against the <domain>:<resource>:<action> convention \
                  (for example `ecommerce:orders:read`) and a naming policy (scope-policy.toml).\n\n\
                  Exit status: 0 when no finding is at or above --fail-on, 1 when one is, \
                  2 for a usage or configuration error.",
    after_help = "Examples:\n  \
                  scope-lint check names.txt\n  \
                  scope-lint check proposals.yaml --catalog catalog.json --format sarif > scope-lint.sarif\n  \
                  echo ecommerce:orders:get | scope-lint check\n  \
                  scope-lint explain SL204"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check scope names or definitions (files, or standard input).
    Check(CheckArgs),
    /// Print the documentation of a rule, by code (SL102) or name (action-synonym).
    Explain {
        /// A rule code or name.
        rule: String,
    },
    /// List every rule: code, name, default severity and what it checks.
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Write a commented scope-policy.toml holding the built-in defaults.
    Init {
        /// Where to write it.
        #[arg(default_value = POLICY_FILE)]
        path: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
}

#[derive(clap::Args, Debug)]
struct CheckArgs {
    /// Files to check: plain text (one name per line, `#` comments) or JSON, YAML or TOML with
    /// names and full definitions (a list, or a catalog object with `scopes`). `-` or none:
    /// standard input.
    files: Vec<PathBuf>,

    /// The existing catalog to check against (same formats): enables duplicate, near-duplicate,
    /// retired-name, unknown-domain and implication checks.
    #[arg(long, value_name = "FILE")]
    catalog: Option<PathBuf>,

    /// The policy file [default: ./scope-policy.toml when present, else the built-in policy].
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,

    /// Lowest severity that makes the exit status 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,

    /// How to read the inputs.
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    input_format: InputFormat,

    /// Switch rules off, by code or name (repeatable, or comma-separated).
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    ignore: Vec<String>,

    /// Colors in text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,

    /// Print only the findings, without the closing summary line (text format).
    #[arg(long, short = 'q')]
    quiet: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum OutputFormat {
    /// rustc-style, with carets under the offending part.
    Text,
    /// A JSON array of findings.
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Info,
}

impl FailOn {
    fn threshold(self) -> Severity {
        match self {
            Self::Error => Severity::Error,
            Self::Warning => Severity::Warning,
            Self::Info => Severity::Info,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ListFormat {
    Text,
    Json,
}

/// A usage or configuration error: printed, then exit status 2.
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: io::Error },
    #[error("{path}: {message}")]
    Input { path: String, message: String },
    #[error("policy {path}: {message}")]
    Policy { path: String, message: String },
    #[error("{0}")]
    Usage(String),
    #[error("cannot write {path}: {source}")]
    Write { path: String, source: io::Error },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check(&args),
        Command::Explain { rule } => explain(&rule),
        Command::Rules { format } => rules(format),
        Command::Init { path, force } => init(&path, force),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("scope-lint: error: {e}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn read_input(path: Option<&Path>) -> Result<String, CliError> {
    let shown = path.map_or_else(|| "standard input".to_owned(), |p| p.display().to_string());
    let mut bytes = Vec::new();
    let read = match path {
        Some(p) => std::fs::File::open(p).and_then(|mut f| f.read_to_end(&mut bytes)),
        None => io::stdin().lock().read_to_end(&mut bytes),
    };
    read.map_err(|source| CliError::Read {
        path: shown.clone(),
        source,
    })?;
    String::from_utf8(bytes).map_err(|e| CliError::Input {
        path: shown,
        message: format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ),
    })
}

fn load_policy(args: &CheckArgs) -> Result<Policy, CliError> {
    let path = match &args.policy {
        Some(p) => Some(p.clone()),
        None => Some(PathBuf::from(POLICY_FILE)).filter(|p| p.is_file()),
    };
    let mut policy = match path {
        Some(path) => {
            let text = read_input(Some(&path))?;
            Policy::from_toml(&text).map_err(|e| CliError::Policy {
                path: path.display().to_string(),
                message: e.to_string(),
            })?
        }
        None => Policy::default(),
    };
    for key in args.ignore.iter().filter(|k| !k.trim().is_empty()) {
        let rule = Rule::find(key).ok_or_else(|| {
            CliError::Usage(format!(
                "--ignore {key}: unknown rule (`scope-lint rules` lists them)"
            ))
        })?;
        policy.rules.set(rule, RuleLevel::Off);
    }
    Ok(policy)
}

fn load_file(path: Option<&Path>, format: InputFormat) -> Result<input::Loaded, CliError> {
    let text = read_input(path)?;
    load(&text, path, format).map_err(|e| CliError::Input {
        path: path.map_or_else(|| "standard input".to_owned(), |p| p.display().to_string()),
        message: e.to_string(),
    })
}

fn check(args: &CheckArgs) -> Result<u8, CliError> {
    let policy = load_policy(args)?;
    let catalog: Option<Catalog> = match &args.catalog {
        Some(path) => Some(load_file(Some(path), InputFormat::Auto)?.into_catalog()),
        None => None,
    };
    let files: Vec<Option<&Path>> = if args.files.is_empty() {
        vec![None]
    } else {
        args.files
            .iter()
            .map(|f| (f.as_os_str() != "-").then_some(f.as_path()))
            .collect()
    };
    let mut proposals = Vec::new();
    let mut origins = Vec::new();
    for file in files {
        let loaded = load_file(file, args.input_format)?;
        proposals.extend(loaded.proposals);
        origins.extend(loaded.origins);
    }

    let progress = progress_bar(proposals.len());
    let linter = Linter::new(&policy, catalog.as_ref());
    let mut diagnostics =
        linter.lint_with_progress(&proposals, &mut |done| progress.set_position(done as u64));
    progress.finish_and_clear();
    for d in &mut diagnostics {
        d.origin = origins.get(d.proposal).cloned();
    }

    let output = match args.format {
        OutputFormat::Text => {
            let color = match args.color {
                ColorChoice::Always => Color::Always,
                ColorChoice::Never => Color::Never,
                ColorChoice::Auto
                    if io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none() =>
                {
                    Color::Always
                }
                ColorChoice::Auto => Color::Never,
            };
            let mut out = render::text(&diagnostics, color);
            if !args.quiet {
                out.push_str(&render::summary(&diagnostics, proposals.len()));
                out.push('\n');
            }
            out
        }
        OutputFormat::Json => render::json(&diagnostics),
        OutputFormat::Sarif => render::sarif(&diagnostics, env!("CARGO_PKG_VERSION")),
        OutputFormat::Github => render::github(&diagnostics),
    };
    write_stdout(&output)?;
    let threshold = args.fail_on.threshold();
    Ok(if diagnostics.iter().any(|d| d.severity >= threshold) {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
}

/// A bar on standard error for large batches when a person is watching; hidden otherwise.
fn progress_bar(total: usize) -> ProgressBar {
    if total < PROGRESS_THRESHOLD || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} linting {bar:40} {pos}/{len} names ({eta} left)")
    {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// Writes to standard output; a closed pipe (`| head`) is not an error.
fn write_stdout(text: &str) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(CliError::Write {
            path: "standard output".to_owned(),
            source: e,
        }),
        _ => Ok(()),
    }
}

fn explain(key: &str) -> Result<u8, CliError> {
    let Some(rule) = Rule::find(key) else {
        return Err(CliError::Usage(format!(
            "unknown rule `{key}`; `scope-lint rules` lists the codes and names"
        )));
    };
    let m = rule.meta();
    write_stdout(&format!(
        "# {} {}\n\nCategory: {} · default severity: {}\n\n{}",
        m.code,
        m.name,
        rule.category(),
        m.default_severity,
        m.documentation()
    ))?;
    Ok(EXIT_CLEAN)
}

fn rules(format: ListFormat) -> Result<u8, CliError> {
    let out = match format {
        ListFormat::Text => {
            let width = Rule::ALL.iter().map(|r| r.name().len()).max().unwrap_or(0);
            let mut out = String::new();
            for r in Rule::ALL {
                out.push_str(&format!(
                    "{}  {:width$}  {:7}  {}\n",
                    r.code(),
                    r.name(),
                    r.default_severity().as_str(),
                    r.meta().summary()
                ));
            }
            out
        }
        ListFormat::Json => {
            let list: Vec<serde_json::Value> = Rule::ALL
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "code": r.code(),
                        "name": r.name(),
                        "category": r.category(),
                        "default_severity": r.default_severity(),
                        "summary": r.meta().summary(),
                    })
                })
                .collect();
            serde_json::to_string_pretty(&list).unwrap_or_default() + "\n"
        }
    };
    write_stdout(&out)?;
    Ok(EXIT_CLEAN)
}

fn init(path: &Path, force: bool) -> Result<u8, CliError> {
    let shown = path.display().to_string();
    let file = if force {
        std::fs::File::create(path)
    } else {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
    };
    let mut file = file.map_err(|source| match source.kind() {
        io::ErrorKind::AlreadyExists => CliError::Usage(format!(
            "{shown} already exists; use --force to overwrite it"
        )),
        _ => CliError::Write {
            path: shown.clone(),
            source,
        },
    })?;
    file.write_all(DEFAULT_POLICY_TOML.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|source| CliError::Write {
            path: shown.clone(),
            source,
        })?;
    eprintln!("wrote {shown}: the built-in policy, commented; edit it to suit your platform");
    Ok(EXIT_CLEAN)
}
