//! Reading what to lint: plain text (one name per line) or documents with full definitions in
//! JSON, YAML or TOML (a list of names and definitions, or a catalog object with `scopes`).

use std::fmt;
use std::path::Path;

use clap::ValueEnum;
use scope_lint::{Catalog, Domain, Origin, Proposal, ScopeDefinition};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    /// From the file extension (`.json`, `.yaml`/`.yml`, `.toml`; anything else is text), or for
    /// standard input from the first character (`{` or `[` is JSON).
    Auto,
    /// One name per line; `#` starts a comment.
    Text,
    Json,
    Yaml,
    Toml,
}

impl InputFormat {
    fn resolve(self, path: Option<&Path>, text: &str) -> Self {
        if self != Self::Auto {
            return self;
        }
        let ext = path
            .and_then(|p| p.extension())
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("json") => Self::Json,
            Some("yaml" | "yml") => Self::Yaml,
            Some("toml") => Self::Toml,
            _ if text.trim_start().starts_with(['{', '[']) => Self::Json,
            _ => Self::Text,
        }
    }
}

/// A file that could not be read as input: where and why.
#[derive(Debug)]
pub struct ParseError {
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "line {l}, column {c}: {}", self.message),
            (Some(l), None) => write!(f, "line {l}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

/// The proposals of one input, each with where it came from.
#[derive(Debug, Default)]
pub struct Loaded {
    pub proposals: Vec<Proposal>,
    pub origins: Vec<Origin>,
    /// Domains, when the document is a catalog that lists them.
    pub domains: Option<Vec<Domain>>,
}

impl Loaded {
    /// As a catalog to lint against.
    pub fn into_catalog(self) -> Catalog {
        Catalog {
            version: None,
            domains: self.domains,
            scopes: self.proposals.into_iter().map(|p| p.definition).collect(),
        }
    }
}

/// Reads `text` (from `file`, shown in locations; `None` is standard input).
pub fn load(text: &str, file: Option<&Path>, format: InputFormat) -> Result<Loaded, ParseError> {
    let shown = file.map(|p| p.display().to_string());
    match format.resolve(file, text) {
        InputFormat::Text | InputFormat::Auto => Ok(load_text(text, shown)),
        InputFormat::Json => {
            let doc: Document = serde_json::from_str(text).map_err(|e| ParseError {
                line: Some(e.line()),
                column: Some(e.column()),
                message: strip_position(&e.to_string()),
            })?;
            Ok(doc.located(text, shown))
        }
        InputFormat::Yaml => {
            let doc: Document = serde_yaml_ng::from_str(text).map_err(|e| {
                let at = e.location();
                ParseError {
                    line: at.as_ref().map(|l| l.line()),
                    column: at.as_ref().map(|l| l.column()),
                    message: strip_position(&e.to_string()),
                }
            })?;
            Ok(doc.located(text, shown))
        }
        InputFormat::Toml => {
            let doc: Document = toml::from_str(text).map_err(|e| {
                let (line, column) = e.span().map_or((None, None), |s| line_col(text, s.start));
                ParseError {
                    line,
                    column,
                    message: e.message().trim().to_owned(),
                }
            })?;
            Ok(doc.located(text, shown))
        }
    }
}

fn load_text(text: &str, file: Option<String>) -> Loaded {
    let mut loaded = Loaded::default();
    for (i, line) in text.lines().enumerate() {
        let content = match line.find(" #").or_else(|| line.find("\t#")) {
            Some(at) => &line[..at],
            None => line,
        };
        let trimmed = content.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let name = trimmed.trim_end();
        let indent = content[..content.len() - trimmed.len()].chars().count();
        loaded.proposals.push(Proposal::name(name));
        loaded.origins.push(Origin {
            file: file.clone(),
            line: Some(i + 1),
            column: Some(indent + 1),
        });
    }
    loaded
}

/// serde_json and serde_yaml append " at line L column C"; the location is reported apart.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

/// 1-based line and column of increasing offsets, reading each byte of the text once (a
/// compact catalog is one long line, so columns are counted incrementally too).
#[derive(Debug, Default)]
struct LineCounter {
    offset: usize,
    line: usize,
    /// Characters between the start of the current line and `offset`.
    column: usize,
}

impl LineCounter {
    fn advance(&mut self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len()).max(self.offset);
        let skipped = text.get(self.offset..offset).unwrap_or_default();
        match skipped.rfind('\n') {
            Some(last) => {
                self.line += skipped.matches('\n').count();
                self.column = skipped[last + 1..].chars().count();
            }
            None => self.column += skipped.chars().count(),
        }
        self.offset = offset;
        (self.line + 1, self.column + 1)
    }
}

fn line_col(text: &str, offset: usize) -> (Option<usize>, Option<usize>) {
    let before = text.get(..offset.min(text.len())).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(1, |l| l.chars().count() + 1);
    (Some(line), Some(column))
}

/// A document: a list of entries, or a catalog object `{ version?, domains?, scopes: [...] }`.
#[derive(Debug, Default)]
struct Document {
    domains: Option<Vec<Domain>>,
    entries: Vec<Entry>,
}

/// A bare name (`full == false`) or a full definition.
#[derive(Debug)]
struct Entry {
    definition: ScopeDefinition,
    full: bool,
}

impl Document {
    /// Proposals with their lines: each name is looked for in the source after the previous one,
    /// so the lines come out right without a position-tracking parser.
    fn located(self, text: &str, file: Option<String>) -> Loaded {
        let mut loaded = Loaded {
            domains: self.domains,
            ..Loaded::default()
        };
        // Names are looked for in order, so the line count advances with them: linear in the file.
        let mut from = 0;
        let mut lines = LineCounter::default();
        for entry in self.entries {
            let name = entry.definition.name.clone();
            let mut origin = Origin {
                file: file.clone(),
                line: None,
                column: None,
            };
            if !name.is_empty()
                && let Some(at) = text.get(from..).and_then(|rest| rest.find(name.as_str()))
            {
                let (line, column) = lines.advance(text, from + at);
                origin.line = Some(line);
                origin.column = Some(column);
                from += at + name.len();
            }
            loaded.proposals.push(match entry.full {
                true => Proposal::full(entry.definition),
                false => Proposal::name(entry.definition.name),
            });
            loaded.origins.push(origin);
        }
        loaded
    }
}

impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct EntryVisitor;
        impl<'de> Visitor<'de> for EntryVisitor {
            type Value = Entry;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a scope name or a scope definition with `name`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Entry, E> {
                Ok(Entry {
                    definition: ScopeDefinition::named(v),
                    full: false,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Entry, A::Error> {
                ScopeDefinition::deserialize(de::value::MapAccessDeserializer::new(map)).map(
                    |definition| Entry {
                        definition,
                        full: true,
                    },
                )
            }
        }
        d.deserialize_any(EntryVisitor)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogObject {
    #[serde(default)]
    #[expect(dead_code, reason = "accepted so registry exports lint as they are")]
    version: Option<u64>,
    #[serde(default)]
    domains: Option<Vec<Domain>>,
    scopes: Vec<Entry>,
}

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct DocumentVisitor;
        impl<'de> Visitor<'de> for DocumentVisitor {
            type Value = Document;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of scope names or definitions, or an object with `scopes`")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Document, A::Error> {
                let mut entries = Vec::new();
                while let Some(e) = seq.next_element()? {
                    entries.push(e);
                }
                Ok(Document {
                    domains: None,
                    entries,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Document, A::Error> {
                let c = CatalogObject::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(Document {
                    domains: c.domains,
                    entries: c.scopes,
                })
            }
        }
        d.deserialize_any(DocumentVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_skips_comments_and_keeps_lines() {
        let l = load(
            "# names\n\necommerce:orders:read\n  billing:invoices:read # ok\n",
            None,
            InputFormat::Text,
        )
        .unwrap();
        let names: Vec<_> = l
            .proposals
            .iter()
            .map(|p| p.definition.name.as_str())
            .collect();
        assert_eq!(names, ["ecommerce:orders:read", "billing:invoices:read"]);
        assert_eq!(l.origins[1].line, Some(4));
        assert_eq!(l.origins[1].column, Some(3));
    }

    #[test]
    fn json_catalog_with_lines() {
        let text = "{\n \"scopes\": [\n  {\"name\": \"a:b:read\"},\n  \"a:c:read\"\n ]\n}";
        let l = load(text, Some(Path::new("x.json")), InputFormat::Auto).unwrap();
        assert_eq!(l.origins[0].line, Some(3));
        assert_eq!(l.origins[1].line, Some(4));
        assert_eq!(l.proposals[0].detail, scope_lint::Detail::Full);
        assert_eq!(l.proposals[1].detail, scope_lint::Detail::Bare);
    }

    #[test]
    fn unknown_field_is_an_error_with_a_line() {
        let err = load(
            "[\n {\"name\": \"a:b:read\",\n  \"descripton\": \"x\"}\n]",
            None,
            InputFormat::Json,
        )
        .unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(err.message.contains("unknown field `descripton`"), "{err}");
    }

    #[test]
    fn yaml_and_toml() {
        let y = load(
            "- name: a:b:read\n  description: x\n- a:c:read\n",
            None,
            InputFormat::Yaml,
        )
        .unwrap();
        assert_eq!(y.proposals.len(), 2);
        assert_eq!(y.origins[1].line, Some(3));
        let t = load("[[scopes]]\nname = \"a:b:read\"\n", None, InputFormat::Toml).unwrap();
        assert_eq!(t.proposals.len(), 1);
        assert_eq!(t.origins[0].line, Some(2));
    }
}
