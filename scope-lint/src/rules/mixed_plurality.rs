use crate::diagnostic::Sink;
use crate::lint::{Context, resource_word};
use crate::registry::Rule;
use crate::similarity::{is_plural, plural, singular};

declare_rule! {
    /// ## What it does
    /// Checks that a domain names its resources consistently in the plural or in the singular. A
    /// new scope whose resource goes against the clear majority of its domain (at least two other
    /// resources, and more than go its way) is flagged. Words without a plural (`inventory`,
    /// `billing`, …) are left out.
    ///
    /// ## Why is this bad?
    /// When `ecommerce:orders:read` sits next to `ecommerce:invoice:read`, people guess wrong, ask
    /// for scopes that do not exist, and eventually someone adds `ecommerce:invoices:read` too.
    ///
    /// ## Example
    /// With `ecommerce:orders:read` and `ecommerce:carts:read` in the catalog:
    /// ```text
    /// ecommerce:invoice:read
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// ecommerce:invoices:read
    /// ```
    ///
    /// ## Options
    /// - `naming.uncountable_resources`
    pub struct MixedPlurality {
        code: "SL206",
        name: "mixed-plurality",
        severity: Warning,
    }
}

pub(crate) fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    if !cx.is_add() || !cx.name_clean {
        return;
    }
    let Some((domain, word)) = resource_word(cx.name, cx.policy, &cx.catalog.uncountable) else {
        return;
    };
    let (plurals, singulars) = cx.batch.plurality(&domain);
    let this_plural = is_plural(&word);
    let (same, other) = if this_plural {
        (&plurals, &singulars)
    } else {
        (&singulars, &plurals)
    };
    if other.len() < 2 || other.len() <= same.len() {
        return;
    }
    // A duplicate or near-duplicate is reported as such; saying it is also inconsistent is noise.
    if cx.catalog.by_name.contains_key(cx.name.raw) || !cx.near_duplicates().is_empty() {
        return;
    }
    let Some(resource) = cx.name.resources().last() else {
        return;
    };
    let examples = other
        .iter()
        .take(3)
        .map(|w| format!("`{w}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let (this_kind, other_kind, respelled) = if this_plural {
        ("plural", "singular", singular(&word).into_owned())
    } else {
        ("singular", "plural", plural(&word))
    };
    let resource_text = resource.text.to_ascii_lowercase();
    let respelled_resource = format!(
        "{}{respelled}",
        &resource_text[..resource_text.len() - word.len()]
    );
    sink.report(
        Rule::MixedPlurality,
        resource.span,
        format!(
            "`{word}` is {this_kind}, but domain `{domain}` names its resources in the {other_kind} ({examples})"
        ),
    )
    .suggest([cx.name.replace(resource.span, &respelled_resource)]);
}
