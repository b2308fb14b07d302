//! Any UTF-8 text as a policy file: `Policy::from_toml` returns a policy or an error, never
//! panics; a policy it accepts then lints a fixed batch without breaking an invariant.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use scope_lint::{Catalog, Linter, Policy, Proposal};

#[path = "common.rs"]
mod common;

static CATALOG: LazyLock<Catalog> = LazyLock::new(common::catalog);

static PROPOSALS: LazyLock<Vec<Proposal>> = LazyLock::new(|| {
    let mut proposals: Vec<Proposal> = [
        "ecommerce:orders:read",
        "ecommerce:orders:get",
        "ecommerce:invoice:read",
        "ecommerce.orders.read",
        "payments/transfers/create",
        "Ecommerce:Orders:Read",
        "ecommerce:all:read",
        "ecommerces:carts:read",
        "a:b:c:d:e:f:g:h:i",
        "x",
        "",
        "еcommerce:orders:read",
    ]
    .into_iter()
    .map(Proposal::name)
    .collect();
    proposals.push(common::definition(
        "payments:transfers:manage",
        &["payments:transfers:create", "payments:transfers:approve"],
        "TODO",
    ));
    proposals.push(common::definition("a:b:c", &["a:b:c"], "2027-02-29"));
    proposals
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Policy::from_toml(text) {
        Ok(policy) => {
            let diagnostics = Linter::new(&policy, Some(&CATALOG)).lint(&PROPOSALS);
            common::check(&policy, &PROPOSALS, &diagnostics);
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
