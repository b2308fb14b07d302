//! The `scope-lint` binary, run as a CI job would run it: every output format, every exit code,
//! and the error messages a person gets for bad input.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `scope-lint` in `dir` with `args`, feeding `stdin`.
fn run_in(dir: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scope-lint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A run that stops before reading its input (a bad policy) closes the pipe: not an error.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

fn run(args: &[&str]) -> Output {
    run_in(&workspace(), args, "")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{name}"));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

const EXAMPLE: [&str; 4] = [
    "check",
    "examples/lint/names.txt",
    "--catalog",
    "examples/lint/catalog.json",
];

#[test]
fn text_output_of_the_readme_example_is_what_the_readme_shows() {
    let out = run(&EXAMPLE);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    let readme = fs::read_to_string(workspace().join("README.md")).unwrap();
    let start = "<!-- scope-lint check example: start -->\n```console\n$ scope-lint check examples/lint/names.txt --catalog examples/lint/catalog.json\n";
    let from = readme
        .find(start)
        .expect("README has the scope-lint check example")
        + start.len();
    let to = from
        + readme[from..]
            .find("```\n<!-- scope-lint check example: end -->")
            .unwrap();
    assert_eq!(
        readme[from..to],
        text,
        "README's example output is stale; paste the new output"
    );
}

#[test]
fn the_issue_examples_get_their_verdicts() {
    let out = run(&[
        "check",
        "examples/lint/names.txt",
        "--catalog",
        "examples/lint/catalog.json",
        "--format",
        "json",
    ]);
    let found: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    let codes_for = |name: &str| -> Vec<String> {
        found
            .iter()
            .filter(|d| d["name"] == name)
            .map(|d| d["code"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(codes_for("ecommerce:orders:read"), ["SL203"]);
    assert_eq!(codes_for("ecommerce:returns:create"), Vec::<String>::new());
    assert_eq!(codes_for("ecommerce:Orders:GET"), ["SL004", "SL102"]);
    assert_eq!(codes_for("ecommerce:order:read"), ["SL204"]);
    assert!(codes_for("e-commerce:orders:read").contains(&"SL204".to_owned()));
    assert_eq!(codes_for("ecommerce:ordres:read"), ["SL204"]);
    assert_eq!(codes_for("ecommerce:оrders:read"), ["SL007"]);
    assert_eq!(codes_for("ecommerce:all:read"), ["SL103"]);
    assert_eq!(codes_for("ecommerce:order_items:read"), ["SL003"]);
    assert_eq!(codes_for("billing:invoices:write"), Vec::<String>::new());
    assert_eq!(codes_for("identity:user-groups:read"), Vec::<String>::new());
    assert_eq!(codes_for("admin:*"), ["SL001", "SL005"]);
    // The fixes people would apply.
    let fix = |name: &str, code: &str| {
        found
            .iter()
            .find(|d| d["name"] == name && d["code"] == code)
            .map(|d| d["fix"].clone())
            .unwrap()
    };
    assert_eq!(
        fix("ecommerce:оrders:read", "SL007"),
        "ecommerce:orders:read"
    );
    assert_eq!(
        fix("ecommerce:order_items:read", "SL003"),
        "ecommerce:order-items:read"
    );
    let suggestions = found
        .iter()
        .find(|d| d["name"] == "ecommerce:order:read")
        .unwrap()["suggestions"]
        .clone();
    assert_eq!(suggestions, serde_json::json!(["ecommerce:orders:read"]));
}

#[test]
fn json_has_the_documented_fields() {
    let out = run(&["check", "examples/lint/names.txt", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let found: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    let upper = found.iter().find(|d| d["code"] == "SL004").unwrap();
    assert_eq!(upper["rule"], "uppercase-letter");
    assert_eq!(upper["severity"], "error");
    assert_eq!(upper["name"], "ecommerce:Orders:GET");
    assert_eq!(upper["span"], serde_json::json!({ "start": 10, "end": 20 }));
    assert_eq!(upper["fix"], "ecommerce:orders:get");
    assert_eq!(upper["file"], "examples/lint/names.txt");
    assert_eq!(upper["line"], 4);
    assert_eq!(upper["column"], 11);
    assert!(upper["message"].as_str().unwrap().contains("lower case"));
    let no_fix = found.iter().find(|d| d["code"] == "SL103").unwrap();
    assert_eq!(no_fix["fix"], Value::Null);
}

#[test]
fn sarif_is_valid_sarif_2_1_0() {
    let out = run(&[&EXAMPLE[..], &["--format", "sarif"]].concat());
    assert_eq!(out.status.code(), Some(1));
    let log: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let schema_text = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/sarif-2.1.0-rtm.5.json"),
    )
    .unwrap();
    // The published schema's pattern for `language` has a stray `]` that ECMAScript tolerates and
    // Rust's regex refuses; use the pattern it means (two letters, optionally `-` and two more).
    let broken = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    assert!(schema_text.contains(broken));
    let schema_text = schema_text.replace(broken, r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#);
    let schema: Value = serde_json::from_str(&schema_text).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF schema violations:\n{}",
        errors.join("\n")
    );
    // A rule entry with help text for every code, and results that point into the file.
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), scope_lint::Rule::ALL.len());
    assert!(rules.iter().all(|r| {
        r["help"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("## Why is this bad?"))
    }));
    let result = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "SL102")
        .unwrap();
    assert_eq!(result["level"], "error");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 4);
    assert_eq!(region["startColumn"], 18);
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "examples/lint/names.txt"
    );
}

#[test]
fn sarif_with_no_findings_is_valid_too() {
    let out = run_in(
        &workspace(),
        &["check", "--format", "sarif"],
        "ecommerce:orders:read\n",
    );
    assert_eq!(out.status.code(), Some(0));
    let log: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn github_annotations() {
    let out = run(&[&EXAMPLE[..], &["--format", "github"]].concat());
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let line = text.lines().find(|l| l.contains("SL102")).unwrap();
    assert_eq!(
        line,
        "::error file=examples/lint/names.txt,line=4,col=18,endColumn=21,title=SL102 action-synonym::\
         ecommerce:Orders:GET: `GET` is a synonym of `read`, the action the policy uses (fix: ecommerce:Orders:read)"
    );
    assert!(text.lines().all(|l| l.starts_with("::error ")
        || l.starts_with("::warning ")
        || l.starts_with("::notice ")));
}

#[test]
fn exit_codes_follow_fail_on() {
    let dir = scratch("fail-on");
    // A warning only: resource-repeats-domain.
    let warning_only = "ecommerce:ecommerce-orders:read\n";
    assert_eq!(
        run_in(&dir, &["check"], "ecommerce:orders:read\n")
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        run_in(&dir, &["check"], warning_only).status.code(),
        Some(0)
    );
    assert_eq!(
        run_in(&dir, &["check", "--fail-on", "warning"], warning_only)
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        run_in(&dir, &["check", "--fail-on", "info"], warning_only)
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        run_in(&dir, &["check", "-"], "ecommerce:orders:get\n")
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        run_in(
            &dir,
            &["check", "--ignore", "SL102"],
            "ecommerce:orders:get\n"
        )
        .status
        .code(),
        Some(0)
    );
    let clean = run_in(&dir, &["check"], "ecommerce:orders:read\n");
    assert_eq!(stdout(&clean), "1 name checked: no findings\n");
}

#[test]
fn usage_errors_exit_2_with_a_message() {
    let dir = scratch("usage");
    let cases: &[(&[&str], &str)] = &[
        (&["check", "--format", "xml"], "invalid value 'xml'"),
        (&["check", "missing.txt"], "cannot read missing.txt"),
        (
            &["check", "--ignore", "SL999"],
            "--ignore SL999: unknown rule",
        ),
        (&["explain", "SL999"], "unknown rule `SL999`"),
        (&["frobnicate"], "unrecognized subcommand"),
    ];
    for (args, message) in cases {
        let out = run_in(&dir, args, "");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{args:?}");
    }
}

#[test]
fn a_bad_policy_names_file_line_and_key() {
    let dir = scratch("bad-policy");
    fs::write(
        dir.join("strict.toml"),
        "version = 1\n\n[naming]\nactions = [\"read\", \"write\"]\nsynonyms = { get = \"read\" }\n",
    )
    .unwrap();
    let out = run_in(
        &dir,
        &["check", "--policy", "strict.toml"],
        "ecommerce:orders:read\n",
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("policy strict.toml: line 5"), "{err}");
    assert!(err.contains("key `naming.synonyms`"), "{err}");
    assert!(err.contains("unknown field `synonyms`"), "{err}");

    fs::write(dir.join("types.toml"), "[syntax]\nsegments = \"three\"\n").unwrap();
    let err = stderr(&run_in(
        &dir,
        &["check", "--policy", "types.toml"],
        "a:b:read\n",
    ));
    assert!(
        err.contains("line 2") && err.contains("key `syntax.segments`"),
        "{err}"
    );

    fs::write(dir.join("broken.toml"), "[syntax\nsegments = 3\n").unwrap();
    let out = run_in(&dir, &["check", "--policy", "broken.toml"], "a:b:read\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("policy broken.toml: line 1"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_policy_in_the_working_directory_is_used() {
    let dir = scratch("cwd-policy");
    let get = "ecommerce:orders:get\n";
    assert_eq!(run_in(&dir, &["check"], get).status.code(), Some(1));
    fs::write(
        dir.join("scope-policy.toml"),
        "[rules]\naction-synonym = \"warning\"\n",
    )
    .unwrap();
    let out = run_in(&dir, &["check"], get);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).starts_with("warning[SL102]"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn init_writes_the_builtin_policy_and_never_overwrites_silently() {
    let dir = scratch("init");
    let out = run_in(&dir, &["init"], "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written = fs::read_to_string(dir.join("scope-policy.toml")).unwrap();
    assert_eq!(written, scope_lint::DEFAULT_POLICY_TOML);
    assert_eq!(
        scope_lint::Policy::from_toml(&written).unwrap(),
        scope_lint::Policy::default()
    );
    fs::write(dir.join("scope-policy.toml"), "# mine\n").unwrap();
    let again = run_in(&dir, &["init"], "");
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("already exists; use --force"));
    assert_eq!(
        fs::read_to_string(dir.join("scope-policy.toml")).unwrap(),
        "# mine\n"
    );
    assert_eq!(
        run_in(&dir, &["init", "--force"], "").status.code(),
        Some(0)
    );
    assert_eq!(
        fs::read_to_string(dir.join("scope-policy.toml")).unwrap(),
        scope_lint::DEFAULT_POLICY_TOML
    );
}

#[test]
fn explain_and_rules() {
    let out = run(&["explain", "near-duplicate-scope"]);
    assert_eq!(out.status.code(), Some(0));
    let doc = stdout(&out);
    assert!(doc.starts_with("# SL204 near-duplicate-scope\n"));
    for section in [
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## Use instead",
    ] {
        assert!(doc.contains(section), "{section}");
    }
    let out = run(&["rules"]);
    let listing = stdout(&out);
    for rule in scope_lint::Rule::ALL {
        assert!(listing.contains(rule.code()) && listing.contains(rule.name()));
    }
    let json: Vec<Value> =
        serde_json::from_str(&stdout(&run(&["rules", "--format", "json"]))).unwrap();
    assert_eq!(json.len(), scope_lint::Rule::ALL.len());
}

#[test]
fn definitions_in_yaml_json_and_toml_are_linted_with_lines() {
    let out = run(&[
        "check",
        "examples/lint/proposals.yaml",
        "--catalog",
        "examples/lint/catalog.json",
        "--format",
        "json",
    ]);
    let found: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    let placeholder = found.iter().find(|d| d["code"] == "SL302").unwrap();
    assert_eq!(placeholder["line"], 9);
    assert!(found.iter().any(|d| d["code"] == "SL305"));

    let dir = scratch("formats");
    fs::write(
        dir.join("p.toml"),
        "[[scopes]]\nname = \"ecommerce:orders:get\"\ndescription = \"TODO\"\n",
    )
    .unwrap();
    let toml_found: Vec<Value> = serde_json::from_str(&stdout(&run_in(
        &dir,
        &["check", "p.toml", "--format", "json"],
        "",
    )))
    .unwrap();
    let codes: Vec<&str> = toml_found
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"SL102") && codes.contains(&"SL302"),
        "{codes:?}"
    );

    // Standard input is sniffed: JSON when it starts with `[` or `{`.
    let out = run_in(
        &dir,
        &["check", "--format", "json"],
        r#"["ecommerce:orders:get"]"#,
    );
    let found: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(found[0]["code"], "SL102");
}

#[test]
fn a_misspelt_field_is_an_error_not_a_missing_value() {
    let dir = scratch("misspelt");
    fs::write(
        dir.join("p.json"),
        "[\n  {\"name\": \"ecommerce:orders:read\",\n   \"descripton\": \"Read orders.\"}\n]\n",
    )
    .unwrap();
    let out = run_in(&dir, &["check", "p.json"], "");
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("p.json: line 3") && err.contains("unknown field `descripton`"),
        "{err}"
    );
}

#[test]
fn terminal_escapes_in_names_are_not_passed_through() {
    let out = run_in(&workspace(), &["check"], "ecommerce:\u{1b}[2Jorders:read\n");
    let text = stdout(&out);
    assert!(!text.contains('\u{1b}'), "{text:?}");
    assert!(text.contains("\\u{1b}"), "{text}");
}
