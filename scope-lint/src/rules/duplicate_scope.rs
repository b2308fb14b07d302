use crate::definition::Status;
use crate::diagnostic::{Sink, Span};
use crate::lint::Context;
use crate::registry::Rule;

declare_rule! {
    /// ## What it does
    /// Checks that a new scope's name is not already in the catalog, or earlier in the same batch.
    /// (A name that was retired has its own rule, `retired-name-reuse`.)
    ///
    /// ## Why is this bad?
    /// Adding a scope that exists either silently changes the meaning of a permission clients
    /// already hold, or is a mistake; changes to an existing scope go through an `update` item,
    /// which reviewers see as a change.
    ///
    /// ## Example
    /// With `ecommerce:orders:read` in the catalog, adding:
    /// ```text
    /// ecommerce:orders:read
    /// ```
    ///
    /// ## Use instead
    /// An `update` of `ecommerce:orders:read`, or a new name for a new permission.
    pub struct DuplicateScope {
        code: "SL203",
        name: "duplicate-scope",
        severity: Error,
    }
}

pub(crate) fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    if !cx.is_add() {
        return;
    }
    let name = cx.name.raw;
    if let Some(existing) = cx.catalog.by_name.get(name) {
        if existing.status != Status::Retired {
            sink.report(
                Rule::DuplicateScope,
                Span::all(name),
                format!(
                    "`{name}` already exists in the catalog ({}); change it with an update instead",
                    existing.status.as_str()
                ),
            );
        }
        return;
    }
    if let Some(&first) = cx.batch.first_index.get(name)
        && first < cx.index
    {
        sink.report(
            Rule::DuplicateScope,
            Span::all(name),
            format!(
                "`{name}` is proposed twice: item {} has the same name",
                first + 1
            ),
        );
    }
}
