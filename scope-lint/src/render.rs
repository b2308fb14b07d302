//! Renders diagnostics for people and tools: rustc-style text with carets, JSON, SARIF 2.1.0 and
//! GitHub Actions workflow commands. Pure functions returning strings; writing them is the
//! caller's business.

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::{Value, json};

use crate::confusables::is_blank_or_control;
use crate::diagnostic::{Diagnostic, Severity, Span};
use crate::registry::Rule;

/// The name as it is safe to show on a terminal, with for each byte offset of the name the
/// column (in characters) where it is shown. Whitespace other than a plain space, control and
/// invisible characters are shown escaped (`\t`, `\u{200b}`), so nothing in a name can move the
/// cursor, hide text or reorder it (bidirectional overrides).
fn displayable(name: &str) -> (String, Vec<usize>) {
    let mut shown = String::with_capacity(name.len());
    let mut columns = vec![0; name.len() + 1];
    let mut column = 0;
    for (i, c) in name.char_indices() {
        for b in 0..c.len_utf8() {
            columns[i + b] = column;
        }
        let piece = match c {
            '\t' => "\\t".to_owned(),
            '\n' => "\\n".to_owned(),
            '\r' => "\\r".to_owned(),
            ' ' => " ".to_owned(),
            _ if is_blank_or_control(c) => format!("\\u{{{:x}}}", u32::from(c)),
            _ => c.to_string(),
        };
        column += piece.chars().count();
        shown.push_str(&piece);
    }
    columns[name.len()] = column;
    (shown, columns)
}

/// Text styling for a terminal.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Color {
    #[default]
    Never,
    Always,
}

impl Color {
    fn paint(self, code: &str, text: &str) -> String {
        match self {
            Self::Never => text.to_owned(),
            Self::Always => format!("\x1b[{code}m{text}\x1b[0m"),
        }
    }
}

fn severity_color(s: Severity) -> &'static str {
    match s {
        Severity::Error => "1;31",
        Severity::Warning => "1;33",
        Severity::Info => "1;36",
    }
}

/// rustc-style text: one block per finding, the name with carets under the offending part.
pub fn text(diagnostics: &[Diagnostic], color: Color) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let (shown, columns) = displayable(&d.name);
        let start = columns.get(d.span.start).copied().unwrap_or(0);
        let end = columns.get(d.span.end).copied().unwrap_or(start);
        let width = end.saturating_sub(start).max(1);
        let line = d.origin.as_ref().and_then(|o| o.line);
        let gutter = line.map_or(1, |l| l.to_string().len());
        let pad = " ".repeat(gutter);
        let head = format!("{}[{}]", d.severity, d.code());
        let _ = writeln!(
            out,
            "{}: {}",
            color.paint(severity_color(d.severity), &head),
            color.paint("1", &d.message)
        );
        if let Some(origin) = &d.origin {
            let mut location = origin.file.clone().unwrap_or_else(|| "<stdin>".to_owned());
            if let Some(l) = origin.line {
                let column = origin.column.unwrap_or(1) + start;
                let _ = write!(location, ":{l}:{column}");
            }
            let _ = writeln!(out, "{pad}{} {location}", color.paint("1;34", "-->"));
        }
        let bar = color.paint("1;34", "|");
        let _ = writeln!(out, "{pad} {bar}");
        let number = line.map_or_else(|| " ".repeat(gutter), |l| l.to_string());
        let _ = writeln!(out, "{} {bar} {shown}", color.paint("1;34", &number));
        let carets = color.paint(severity_color(d.severity), &"^".repeat(width));
        let _ = writeln!(
            out,
            "{pad} {bar} {}{carets} {}",
            " ".repeat(start),
            d.rule.name()
        );
        if let Some(fix) = &d.fix {
            let _ = writeln!(
                out,
                "{pad} {} fix: `{}`",
                color.paint("1;34", "="),
                displayable(fix).0
            );
        }
        if !d.suggestions.is_empty() {
            let list: Vec<String> = d
                .suggestions
                .iter()
                .map(|s| format!("`{}`", displayable(s).0))
                .collect();
            let _ = writeln!(
                out,
                "{pad} {} did you mean: {}",
                color.paint("1;34", "="),
                list.join(", ")
            );
        }
        out.push('\n');
    }
    out
}

/// Counts by severity, for summaries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Tally {
    pub fn of(diagnostics: &[Diagnostic]) -> Self {
        let mut t = Self::default();
        for d in diagnostics {
            match d.severity {
                Severity::Error => t.errors += 1,
                Severity::Warning => t.warnings += 1,
                Severity::Info => t.infos += 1,
            }
        }
        t
    }
}

/// The closing line of the text output, such as `2 errors, 1 warning in 5 names (3 clean)`.
pub fn summary(diagnostics: &[Diagnostic], names: usize) -> String {
    let t = Tally::of(diagnostics);
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut with_findings: Vec<usize> = diagnostics.iter().map(|d| d.proposal).collect();
    with_findings.dedup();
    with_findings.sort_unstable();
    with_findings.dedup();
    let clean = names.saturating_sub(with_findings.len());
    if diagnostics.is_empty() {
        return format!("{} checked: no findings", plural(names, "name"));
    }
    let mut parts = Vec::new();
    if t.errors > 0 {
        parts.push(plural(t.errors, "error"));
    }
    if t.warnings > 0 {
        parts.push(plural(t.warnings, "warning"));
    }
    if t.infos > 0 {
        parts.push(plural(t.infos, "info"));
    }
    format!(
        "{} in {} ({clean} clean)",
        parts.join(", "),
        plural(names, "name")
    )
}

/// One diagnostic as the JSON output shows it.
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic<'a> {
    pub code: &'static str,
    pub rule: &'static str,
    pub severity: Severity,
    pub name: &'a str,
    pub message: &'a str,
    pub span: Span,
    /// The whole name with the finding fixed, when the fix is certain.
    pub fix: Option<&'a str>,
    pub suggestions: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based column of the span's start on `line`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

impl<'a> From<&'a Diagnostic> for JsonDiagnostic<'a> {
    fn from(d: &'a Diagnostic) -> Self {
        let origin = d.origin.as_ref();
        Self {
            code: d.code(),
            rule: d.rule.name(),
            severity: d.severity,
            name: &d.name,
            message: &d.message,
            span: d.span,
            fix: d.fix.as_deref(),
            suggestions: &d.suggestions,
            file: origin.and_then(|o| o.file.as_deref()),
            line: origin.and_then(|o| o.line),
            column: origin
                .and_then(|o| o.column)
                .map(|c| c + d.name.get(..d.span.start).map_or(0, |s| s.chars().count())),
        }
    }
}

/// The diagnostics as a pretty JSON array of [`JsonDiagnostic`].
pub fn json(diagnostics: &[Diagnostic]) -> String {
    let values: Vec<JsonDiagnostic<'_>> = diagnostics.iter().map(JsonDiagnostic::from).collect();
    serde_json::to_string_pretty(&values).unwrap_or_else(|_| "[]".to_owned()) + "\n"
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A SARIF 2.1.0 log with one run: every rule (with its documentation as help) and the results.
pub fn sarif(diagnostics: &[Diagnostic], tool_version: &str) -> String {
    let rules: Vec<Value> = Rule::ALL
        .iter()
        .map(|r| {
            let m = r.meta();
            let doc = m.documentation();
            json!({
                "id": m.code,
                "name": m.name,
                "shortDescription": { "text": m.summary() },
                "fullDescription": { "text": doc },
                "help": { "text": doc, "markdown": doc },
                "defaultConfiguration": { "level": sarif_level(m.default_severity) },
                "properties": { "category": r.category() },
            })
        })
        .collect();
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let mut text = format!("`{}` {}", d.name, d.message);
            if let Some(fix) = &d.fix {
                let _ = write!(text, " (fix: `{fix}`)");
            }
            let mut result = json!({
                "ruleId": d.code(),
                "ruleIndex": Rule::ALL.iter().position(|r| *r == d.rule).unwrap_or(0),
                "level": sarif_level(d.severity),
                "message": { "text": text },
                "properties": {
                    "name": d.name,
                    "span": { "start": d.span.start, "end": d.span.end },
                    "fix": d.fix,
                    "suggestions": d.suggestions,
                },
            });
            if let Some(origin) = &d.origin
                && let Some(obj) = result.as_object_mut()
            {
                let mut physical = json!({
                    "artifactLocation": { "uri": origin.file.clone().unwrap_or_else(|| "stdin".to_owned()) },
                });
                if let Some(line) = origin.line {
                    let mut region = json!({ "startLine": line });
                    if let Some(col) = origin.column {
                        // SARIF counts columns in UTF-16 code units by default.
                        let utf16 = |b: usize| d.name.get(..b).map_or(0, |s| s.encode_utf16().count());
                        region["startColumn"] = json!(col + utf16(d.span.start));
                        region["endColumn"] = json!(col + utf16(d.span.end).max(utf16(d.span.start) + 1));
                    }
                    physical["region"] = region;
                }
                obj.insert("locations".into(), json!([{ "physicalLocation": physical }]));
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "scope-lint",
                "version": tool_version,
                "informationUri": "https://example.invalid/scope-registry/scope-lint",
                "rules": rules,
            }},
            "columnKind": "utf16CodeUnits",
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&log).unwrap_or_default() + "\n"
}

/// GitHub Actions workflow commands (`::error file=…,line=…::message`), one line per finding.
pub fn github(diagnostics: &[Diagnostic]) -> String {
    // https://docs.github.com/actions/reference/workflow-commands-for-github-actions
    fn data(s: &str) -> String {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    }
    fn property(s: &str) -> String {
        data(s).replace(':', "%3A").replace(',', "%2C")
    }
    let mut out = String::new();
    for d in diagnostics {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = Vec::new();
        if let Some(origin) = &d.origin {
            if let Some(f) = &origin.file {
                props.push(format!("file={}", property(f)));
            }
            if let Some(l) = origin.line {
                props.push(format!("line={l}"));
                if let Some(c) = origin.column {
                    let chars = |b: usize| d.name.get(..b).map_or(0, |s| s.chars().count());
                    let start = c + chars(d.span.start);
                    let end = c + chars(d.span.end);
                    props.push(format!("col={start}"));
                    props.push(format!("endColumn={}", end.max(start + 1)));
                }
            }
        }
        props.push(format!(
            "title={}",
            property(&format!("{} {}", d.code(), d.rule.name()))
        ));
        let mut message = format!("{}: {}", displayable(&d.name).0, d.message);
        if let Some(fix) = &d.fix {
            let _ = write!(message, " (fix: {})", displayable(fix).0);
        }
        let _ = writeln!(out, "::{command} {}::{}", props.join(","), data(&message));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_columns_follow() {
        let (shown, columns) = displayable("a\tb\u{202e}c");
        assert_eq!(shown, "a\\tb\\u{202e}c");
        assert_eq!(columns[2], 3); // `b` after `a\t`
        assert_eq!(columns[3], 4); // the override starts at column 4
    }
}
