//! Any bytes, read as lines of scope names (lossy UTF-8): parsed with several separators, linted
//! as a batch against a small catalog under the built-in policy, and rendered in every format.
//!
//! The first byte chooses the variant: bit 0 lints the names as changes rather than additions,
//! bit 1 adds full definitions that imply one another in a ring (cycles, unknown implied scopes,
//! deprecations with the line as sunset date), bit 2 lints without a catalog.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use scope_lint::{Catalog, Linter, Policy, Proposal, ScopeName};

#[path = "common.rs"]
mod common;

static POLICY: LazyLock<Policy> = LazyLock::new(Policy::default);
static CATALOG: LazyLock<Catalog> = LazyLock::new(common::catalog);

const SEPARATORS: [&str; 6] = [":", ".", "/", "", "::", "é"];

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let lines: Vec<&str> = text.lines().collect();

    for line in &lines {
        let separator = SEPARATORS[usize::from(mode) % SEPARATORS.len()];
        for sep in [":", separator] {
            let name = ScopeName::parse(line, sep);
            let mut end = 0;
            for (i, s) in name.segments.iter().enumerate() {
                if i > 0 {
                    assert_eq!(
                        line.get(end..s.span.start),
                        Some(sep),
                        "separator between segments"
                    );
                }
                assert_eq!(
                    line.get(s.span.start..s.span.end),
                    Some(s.text),
                    "segment span"
                );
                end = s.span.end;
            }
            assert_eq!(end, line.len(), "segments cover the name");
        }
        let _ = scope_lint::lint_name(line, &POLICY);
    }

    let mut proposals: Vec<Proposal> = lines
        .iter()
        .map(|l| {
            if mode & 1 == 1 {
                Proposal::name(*l).changing()
            } else {
                Proposal::name(*l)
            }
        })
        .collect();
    if mode & 2 == 2 {
        for (i, line) in lines.iter().enumerate() {
            let next = lines[(i + 1) % lines.len()];
            proposals.push(common::definition(
                line,
                &[next, "payments:transfers:create"],
                line,
            ));
        }
    }
    let catalog = (mode & 4 == 0).then_some(&*CATALOG);
    let diagnostics = Linter::new(&POLICY, catalog).lint(&proposals);
    common::check(&POLICY, &proposals, &diagnostics);
});
