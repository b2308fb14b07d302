use crate::diagnostic::Sink;
use crate::lint::Context;
use crate::near::Likeness;
use crate::registry::Rule;

declare_rule! {
    /// ## What it does
    /// Checks whether a new scope's name is almost that of an existing scope (or of an earlier one
    /// in the same batch): the same but for one segment that differs only in singular against plural
    /// (`order`/`orders`), a word separator (`e-commerce`/`ecommerce`, `order_items`/`order-items`),
    /// or one inserted, missing, wrong or transposed letter (`ordres`/`orders`). Different actions
    /// on one resource (`invoices:read`/`invoices:write`) are never near-duplicates, nor are
    /// different resources (`users`/`user-groups`); one-letter differences count only in words of
    /// five letters or more and never in digits (`cart`/`card`, `v1`/`v2` are different things).
    ///
    /// ## Why is this bad?
    /// Near-duplicates are scope sprawl in its purest form: two names for one permission, both
    /// requested by clients, neither retirable, and a reviewer who sees only one of them. Most are
    /// typos or a team not knowing the existing scope.
    ///
    /// ## Example
    /// With `ecommerce:orders:read` in the catalog:
    /// ```text
    /// ecommerce:order:read
    /// e-commerce:orders:read
    /// ecommerce:ordres:read
    /// ```
    ///
    /// ## Use instead
    /// The existing scope:
    /// ```text
    /// ecommerce:orders:read
    /// ```
    pub struct NearDuplicateScope {
        code: "SL204",
        name: "near-duplicate-scope",
        severity: Error,
    }
}

pub(crate) fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    if !cx.is_add()
        || !sink.enabled(Rule::NearDuplicateScope)
        || cx.catalog.by_name.contains_key(cx.name.raw)
    {
        return;
    }
    let found = cx.near_duplicates();
    let Some((first, likeness)) = found.first() else {
        return;
    };
    let how = match likeness {
        Likeness::Separators => "only in word separators",
        Likeness::Plurality => "only in singular and plural",
        Likeness::Typo => "by one letter",
    };
    let more = match found.len() {
        1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    // Point at the segment that differs.
    let other = crate::name::ScopeName::parse(first, &cx.policy.syntax.separator);
    let span = cx
        .name
        .segments
        .iter()
        .zip(&other.segments)
        .find(|(a, b)| !a.text.eq_ignore_ascii_case(b.text))
        .map_or(crate::diagnostic::Span::all(cx.name.raw), |(a, _)| a.span);
    sink.report(
        Rule::NearDuplicateScope,
        span,
        match cx.catalog.by_name.contains_key(first.as_str()) {
            true => {
                format!("differs from the existing `{first}` {how}{more}: did you mean `{first}`?")
            }
            false => format!("differs from `{first}`, proposed earlier in this batch, {how}{more}"),
        },
    )
    .suggest(found.into_iter().map(|(n, _)| n).take(3));
}
