use crate::diagnostic::{Sink, Span};
use crate::name::ScopeName;
use crate::policy::Policy;
use crate::registry::Rule;

declare_rule! {
    /// ## What it does
    /// Checks that a scope name has exactly the policy's number of segments (three by default:
    /// `<domain>:<resource>:<action>`).
    ///
    /// ## Why is this bad?
    /// The segments are what makes a catalog navigable: the domain says who owns the scope, the
    /// resource what it protects, the action what it allows. A name with fewer segments leaves one
    /// of these out (`orders:read` belongs to nobody); a name with more invents a hierarchy the
    /// rest of the catalog does not share. Names written with another separator (`ecommerce.orders.read`)
    /// end up here too.
    ///
    /// ## Example
    /// ```text
    /// orders:read
    /// ecommerce.orders.read
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// ecommerce:orders:read
    /// ```
    ///
    /// ## Options
    /// - `syntax.segments`
    /// - `syntax.separator`
    pub struct WrongSegmentCount {
        code: "SL001",
        name: "wrong-segment-count",
        severity: Error,
    }
}

/// Separators people use instead of the policy's.
const OTHER_SEPARATORS: [char; 3] = ['.', '/', ':'];

pub(crate) fn check(name: &ScopeName<'_>, policy: &Policy, sink: &mut Sink<'_>) {
    let want = policy.syntax.segments;
    let have = name.segments.len();
    if have == want || name.raw.is_empty() {
        return;
    }
    let sep = &policy.syntax.separator;
    let shape = shape(want, sep);
    let report = sink.report(
        Rule::WrongSegmentCount,
        Span::all(name.raw),
        format!(
            "the name has {have} segment{}; the policy wants {want}: `{shape}`",
            plural_s(have)
        ),
    );
    // `ecommerce.orders.read`: the right number of segments with another separator.
    let fix = OTHER_SEPARATORS
        .iter()
        .filter(|c| !sep.starts_with(**c))
        .find_map(|other| {
            let parts: Vec<&str> = name.raw.split(*other).collect();
            (parts.len() == want
                && parts
                    .iter()
                    .all(|p| !p.is_empty() && !p.contains(sep.as_str())))
            .then(|| parts.join(sep))
        });
    if let Some(fix) = fix {
        report.fix(fix);
    }
}

fn shape(segments: usize, sep: &str) -> String {
    let mut parts = vec!["<domain>"];
    parts.extend(std::iter::repeat_n(
        "<resource>",
        segments.saturating_sub(2),
    ));
    parts.push("<action>");
    parts.join(sep)
}

fn plural_s(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
