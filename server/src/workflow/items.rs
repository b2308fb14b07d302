//! What a change request's items must look like before the catalog is even considered.

use std::collections::BTreeMap;

use scope_lint::Status;
use time::{Date, Month};

use super::error::{InvalidItem, WorkflowError};
use super::model::{Item, ItemKind};

/// The most items one change request may hold: a reviewer must be able to read all of it.
pub const MAX_ITEMS: usize = 500;

/// The separator between a scope name's segments (`domain:resource:action`, DESIGN.md §1).
pub const SEPARATOR: char = ':';

/// The domain a scope name belongs to: its first segment.
pub fn domain_of(name: &str) -> &str {
    name.split(SEPARATOR).next().unwrap_or_default()
}

/// Parses a `YYYY-MM-DD` date, exactly that shape.
pub fn parse_date(text: &str) -> Option<Date> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return None;
    }
    let year: i32 = text.get(0..4)?.parse().ok()?;
    let month: u8 = text.get(5..7)?.parse().ok()?;
    let day: u8 = text.get(8..10)?.parse().ok()?;
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

/// Checks the items of a change request for domain `domain_name`, without the catalog: every
/// name is in the domain; `add` and `update` carry a definition of that same name and leave the
/// registry-managed fields out; `deprecate` carries a valid sunset date and a replacement; no
/// scope appears twice; at most [`MAX_ITEMS`] items. All problems are reported together.
pub fn validate_items(items: &[Item], domain_name: &str) -> Result<(), WorkflowError> {
    if items.len() > MAX_ITEMS {
        return Err(WorkflowError::TooManyItems {
            count: items.len(),
            max: MAX_ITEMS,
        });
    }
    let mut problems = Vec::new();
    let mut first_position: BTreeMap<&str, usize> = BTreeMap::new();
    for (index, item) in items.iter().enumerate() {
        let position = index + 1;
        let mut reasons = shape_problems(item);
        if !item.name.is_empty() && domain_of(&item.name) != domain_name {
            reasons.insert(
                0,
                format!(
                    "the scope is not in domain `{domain_name}`: its first segment must be \
                     `{domain_name}`"
                ),
            );
        }
        if !item.name.is_empty() {
            if let Some(first) = first_position.get(item.name.as_str()) {
                reasons.push(format!(
                    "the scope already appears in item {first}; a change request changes each \
                     scope at most once"
                ));
            } else {
                first_position.insert(&item.name, position);
            }
        }
        problems.extend(reasons.into_iter().map(|reason| InvalidItem {
            position,
            name: item.name.clone(),
            reason,
        }));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(WorkflowError::InvalidItems(problems))
    }
}

/// What is wrong with one item on its own, as sentences.
pub(super) fn shape_problems(item: &Item) -> Vec<String> {
    let mut reasons = Vec::new();
    let kind = item.kind;
    if item.name.trim().is_empty() {
        reasons.push("the item names no scope".to_owned());
    }
    match (kind, &item.definition) {
        (ItemKind::Add | ItemKind::Update, None) => reasons.push(format!(
            "an `{kind}` item needs the complete definition of the scope"
        )),
        (ItemKind::Add | ItemKind::Update, Some(def)) => {
            if def.name != item.name {
                reasons.push(format!(
                    "the definition is named `{}` but the item is about `{}`; a scope's name \
                     never changes (add a new scope and deprecate the old one instead)",
                    def.name, item.name
                ));
            }
            if def.status != Status::Active {
                reasons.push(format!(
                    "the definition sets `status` to `{}`; the registry sets the status: use a \
                     `deprecate` or `retire` item instead",
                    def.status.as_str()
                ));
            }
            if def.deprecation.is_some() {
                reasons.push(
                    "the definition sets `deprecation`; use a `deprecate` item with `sunset` and \
                     `replacement` instead"
                        .to_owned(),
                );
            }
            if def.introduced_in.is_some() || def.changed_in.is_some() {
                reasons.push(
                    "the definition sets `introduced_in` or `changed_in`; the registry sets them \
                     when the change request is published"
                        .to_owned(),
                );
            }
        }
        (ItemKind::Deprecate | ItemKind::Retire, Some(_)) => reasons.push(format!(
            "a `{kind}` item carries no definition; use an `update` item to change metadata"
        )),
        (ItemKind::Deprecate | ItemKind::Retire, None) => {}
    }
    if kind == ItemKind::Deprecate {
        match item.sunset.as_deref() {
            None => reasons.push(
                "a `deprecate` item needs a `sunset` date (YYYY-MM-DD) after which the scope \
                 may be retired"
                    .to_owned(),
            ),
            Some(sunset) if parse_date(sunset).is_none() => reasons.push(format!(
                "the sunset date `{sunset}` is not a valid date in the form YYYY-MM-DD"
            )),
            Some(_) => {}
        }
        match item.replacement.as_deref().map(str::trim) {
            None | Some("") => reasons.push(
                "a `deprecate` item needs a `replacement`: the scope clients should use instead"
                    .to_owned(),
            ),
            Some(replacement) if replacement == item.name => {
                reasons.push("a scope cannot be its own replacement".to_owned());
            }
            Some(_) => {}
        }
    } else {
        if item.sunset.is_some() {
            reasons.push(format!(
                "only `deprecate` items carry a `sunset` date, not `{kind}` items"
            ));
        }
        if item.replacement.is_some() {
            reasons.push(format!(
                "only `deprecate` items carry a `replacement`, not `{kind}` items"
            ));
        }
    }
    reasons
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use scope_lint::{Classification, Deprecation};

    fn reasons(items: &[Item]) -> Vec<(usize, String)> {
        match validate_items(items, "ecommerce") {
            Ok(()) => Vec::new(),
            Err(WorkflowError::InvalidItems(list)) => {
                list.into_iter().map(|p| (p.position, p.reason)).collect()
            }
            Err(other) => panic!("unexpected error: {other}"),
        }
    }

    #[test]
    fn a_well_formed_request_passes() {
        let items = [
            Item::add(def("ecommerce:carts:read", Classification::Internal)),
            Item::update(def("ecommerce:orders:read", Classification::Confidential)),
            Item::deprecate(
                "ecommerce:orders:list",
                "2026-01-31",
                "ecommerce:orders:read",
            ),
            Item::retire("ecommerce:orders:get"),
        ];
        assert_eq!(validate_items(&items, "ecommerce"), Ok(()));
        assert_eq!(
            validate_items(&[], "ecommerce"),
            Ok(()),
            "an empty draft is fine"
        );
    }

    #[test]
    fn every_name_must_be_in_the_domain() {
        let items = [
            Item::add(def("ecommerce:carts:read", Classification::Internal)),
            Item::retire("billing:invoices:read"),
            Item::retire("ecommerce-eu:orders:read"),
        ];
        let found = reasons(&items);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].0, 2);
        assert!(
            found[0].1.contains("not in domain `ecommerce`"),
            "{found:?}"
        );
        assert_eq!(found[1].0, 3);
    }

    #[test]
    fn add_and_update_need_a_definition_of_the_same_name() {
        let mut no_def = Item::add(def("ecommerce:carts:read", Classification::Internal));
        no_def.definition = None;
        let renamed = Item {
            name: "ecommerce:orders:read".into(),
            ..Item::update(def("ecommerce:orders:view", Classification::Internal))
        };
        let found = reasons(&[no_def, renamed]);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].1.contains("needs the complete definition"));
        assert_eq!(found[1].0, 2);
        assert!(
            found[1].1.contains(
                "named `ecommerce:orders:view` but the item is about `ecommerce:orders:read`"
            ),
            "{found:?}"
        );
    }

    #[test]
    fn a_definition_leaves_registry_managed_fields_out() {
        let mut d = def("ecommerce:carts:read", Classification::Internal);
        d.status = scope_lint::Status::Retired;
        d.deprecation = Some(Deprecation::default());
        d.introduced_in = Some(3);
        let found = reasons(&[Item::add(d)]);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].1.contains("`status`"));
        assert!(found[1].1.contains("`deprecation`"));
        assert!(found[2].1.contains("`introduced_in`"));
    }

    #[test]
    fn deprecate_needs_a_valid_sunset_and_a_replacement() {
        let no_sunset = Item {
            sunset: None,
            ..Item::deprecate("ecommerce:orders:get", "x", "ecommerce:orders:read")
        };
        let bad_date = Item::deprecate(
            "ecommerce:orders:list",
            "2026-02-30",
            "ecommerce:orders:read",
        );
        let no_replacement = Item {
            replacement: None,
            ..Item::deprecate("ecommerce:orders:view", "2026-01-31", "x")
        };
        let itself = Item::deprecate("ecommerce:carts:get", "2026-01-31", "ecommerce:carts:get");
        let found = reasons(&[no_sunset, bad_date, no_replacement, itself]);
        assert_eq!(found.len(), 4, "{found:?}");
        assert!(found[0].1.contains("needs a `sunset` date"));
        assert!(found[1].1.contains("`2026-02-30` is not a valid date"));
        assert!(found[2].1.contains("needs a `replacement`"));
        assert!(found[3].1.contains("its own replacement"));
    }

    #[test]
    fn only_deprecate_carries_sunset_and_replacement_and_only_add_update_a_definition() {
        let retire = Item {
            sunset: Some("2026-01-31".into()),
            replacement: Some("ecommerce:orders:read".into()),
            definition: Some(def("ecommerce:orders:get", Classification::Internal)),
            ..Item::retire("ecommerce:orders:get")
        };
        let found = reasons(&[retire]);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].1.contains("carries no definition"));
        assert!(
            found[1]
                .1
                .contains("only `deprecate` items carry a `sunset`")
        );
        assert!(
            found[2]
                .1
                .contains("only `deprecate` items carry a `replacement`")
        );
    }

    #[test]
    fn a_scope_appears_at_most_once() {
        let items = [
            Item::update(def("ecommerce:orders:read", Classification::Internal)),
            Item::deprecate(
                "ecommerce:orders:read",
                "2026-01-31",
                "ecommerce:orders:view",
            ),
        ];
        let found = reasons(&items);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 2);
        assert!(found[0].1.contains("already appears in item 1"));
    }

    #[test]
    fn at_most_500_items() {
        let items: Vec<Item> = (0..=MAX_ITEMS)
            .map(|i| Item::retire(format!("ecommerce:thing{i}:read")))
            .collect();
        assert_eq!(
            validate_items(&items, "ecommerce"),
            Err(WorkflowError::TooManyItems {
                count: 501,
                max: 500
            })
        );
        assert_eq!(validate_items(&items[..MAX_ITEMS], "ecommerce"), Ok(()));
    }

    #[test]
    fn dates_are_strictly_yyyy_mm_dd() {
        assert_eq!(parse_date("2026-01-31"), Some(date("2026-01-31")));
        assert_eq!(parse_date("2024-02-29").map(|d| d.day()), Some(29));
        for bad in [
            "2026-1-31",
            "2026-01-31T00:00",
            "+2026-01-31",
            "2026/01/31",
            "2025-02-29",
            "",
            "２０２６-01-31",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
