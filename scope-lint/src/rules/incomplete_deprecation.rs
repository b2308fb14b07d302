use crate::definition::{ScopeDefinition, Status};
use crate::diagnostic::{Sink, Span};
use crate::name::ScopeName;
use crate::policy::Policy;
use crate::registry::Rule;

declare_rule! {
    /// ## What it does
    /// Checks that a deprecated scope says when it stops working (`deprecation.sunset`, a date
    /// `YYYY-MM-DD`) and what to use instead (`deprecation.replacement`, another scope).
    ///
    /// ## Why is this bad?
    /// A deprecation without a date never ends: clients keep requesting the scope because nothing
    /// tells them when they must stop. Without a replacement they cannot migrate even if they want
    /// to. Both are what consumers need to plan, and what lets the scope be retired.
    ///
    /// ## Example
    /// ```yaml
    /// - name: ecommerce:orders:get
    ///   status: deprecated
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - name: ecommerce:orders:get
    ///   status: deprecated
    ///   deprecation:
    ///     sunset: 2027-06-30
    ///     replacement: ecommerce:orders:read
    /// ```
    pub struct IncompleteDeprecation {
        code: "SL305",
        name: "incomplete-deprecation",
        severity: Error,
    }
}

pub(crate) fn check(
    def: &ScopeDefinition,
    name: &ScopeName<'_>,
    _policy: &Policy,
    sink: &mut Sink<'_>,
) {
    if def.status != Status::Deprecated && def.deprecation.is_none() {
        return;
    }
    let deprecation = def.deprecation.clone().unwrap_or_default();
    let span = Span::all(name.raw);
    match deprecation.sunset.as_deref().map(str::trim) {
        None | Some("") => {
            sink.report(
                Rule::IncompleteDeprecation,
                span,
                "the scope is deprecated without a sunset date",
            );
        }
        Some(date) if !is_date(date) => {
            sink.report(
                Rule::IncompleteDeprecation,
                span,
                format!("sunset date {date:?} is not a date written YYYY-MM-DD"),
            );
        }
        Some(_) => {}
    }
    match deprecation.replacement.as_deref().map(str::trim) {
        None | Some("") => {
            sink.report(
                Rule::IncompleteDeprecation,
                span,
                "the scope is deprecated without a replacement scope",
            );
        }
        Some(r) if r == name.raw => {
            sink.report(
                Rule::IncompleteDeprecation,
                span,
                "the deprecation names the scope itself as its replacement",
            );
        }
        Some(_) => {}
    }
}

/// Whether `s` is a real calendar date written `YYYY-MM-DD`.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let number = |r: std::ops::Range<usize>| -> Option<u32> {
        s.get(r)
            .filter(|t| t.bytes().all(|c| c.is_ascii_digit()))?
            .parse()
            .ok()
    };
    let (Some(year), Some(month), Some(day)) = (number(0..4), number(5..7), number(8..10)) else {
        return false;
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

#[cfg(test)]
mod tests {
    use super::is_date;

    #[test]
    fn dates() {
        assert!(is_date("2027-06-30"));
        assert!(is_date("2028-02-29"));
        assert!(!is_date("2027-02-29"));
        assert!(!is_date("2027-13-01"));
        assert!(!is_date("30.06.2027"));
        assert!(!is_date("2027-6-30"));
    }
}
