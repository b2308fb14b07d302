use crate::diagnostic::Sink;
use crate::lint::Context;
use crate::registry::Rule;

declare_rule! {
    /// ## What it does
    /// Checks that whoever proposes a scope belongs to one of the groups owning its domain. Runs
    /// only when the proposer's groups and the domain's owners are known (in the registry, or with
    /// a catalog that lists domains and their owners).
    ///
    /// ## Why is this bad?
    /// Domain teams own their namespace: a team adding scopes to another team's domain creates
    /// permissions the owners never agreed to, and will not maintain or retire.
    ///
    /// ## Example
    /// A member of `team-billing` proposing:
    /// ```text
    /// ecommerce:orders:refund
    /// ```
    ///
    /// ## Use instead
    /// Propose it in your own domain, or ask the owners of `ecommerce` to propose it:
    /// ```text
    /// billing:refunds:create
    /// ```
    pub struct DomainNotOwned {
        code: "SL202",
        name: "domain-not-owned",
        severity: Error,
    }
}

pub(crate) fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let (Some(groups), Some(known), Some(segment)) =
        (cx.proposer_groups, &cx.catalog.domains, cx.name.domain())
    else {
        return;
    };
    let Some(owners) = known.get(&cx.domain()) else {
        return;
    };
    if owners.is_empty() || owners.iter().any(|o| groups.contains(o)) {
        return;
    }
    let owners = owners
        .iter()
        .map(|o| format!("`{o}`"))
        .collect::<Vec<_>>()
        .join(", ");
    sink.report(
        Rule::DomainNotOwned,
        segment.span,
        format!(
            "domain `{}` is owned by {owners}, and you are in none of them",
            segment.text
        ),
    );
}
