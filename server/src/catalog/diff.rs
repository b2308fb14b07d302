//! What changed between two catalog versions: scopes added, changed (field by field), deprecated
//! and retired.

use std::collections::BTreeMap;

use scope_lint::{ScopeDefinition, Status};
use serde::Serialize;
use serde_json::Value;

/// The difference between two versions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CatalogDiff {
    pub from: u64,
    pub to: u64,
    pub added: Vec<String>,
    pub changed: Vec<ScopeDiff>,
    pub deprecated: Vec<String>,
    pub retired: Vec<String>,
}

/// One scope's changed fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ScopeDiff {
    pub name: String,
    pub fields: Vec<FieldChange>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldChange {
    pub field: String,
    #[schema(value_type = Object)]
    pub from: Value,
    #[schema(value_type = Object)]
    pub to: Value,
}

/// Fields that only record when something happened, not what a scope is.
const BOOKKEEPING: [&str; 2] = ["introduced_in", "changed_in"];

pub fn diff(
    from_version: u64,
    from: &BTreeMap<String, ScopeDefinition>,
    to_version: u64,
    to: &BTreeMap<String, ScopeDefinition>,
) -> CatalogDiff {
    let mut out = CatalogDiff {
        from: from_version,
        to: to_version,
        ..CatalogDiff::default()
    };
    for (name, new) in to {
        let Some(old) = from.get(name) else {
            out.added.push(name.clone());
            continue;
        };
        if old.status != new.status {
            match new.status {
                Status::Deprecated => out.deprecated.push(name.clone()),
                Status::Retired => out.retired.push(name.clone()),
                Status::Active => {}
            }
        }
        let fields = field_changes(old, new);
        if !fields.is_empty() {
            out.changed.push(ScopeDiff {
                name: name.clone(),
                fields,
            });
        }
    }
    out
}

pub(crate) fn field_changes(old: &ScopeDefinition, new: &ScopeDefinition) -> Vec<FieldChange> {
    let (Ok(Value::Object(a)), Ok(Value::Object(b))) =
        (serde_json::to_value(old), serde_json::to_value(new))
    else {
        return Vec::new();
    };
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| !BOOKKEEPING.contains(&k.as_str()))
        .filter_map(|k| {
            let (x, y) = (
                a.get(k).cloned().unwrap_or(Value::Null),
                b.get(k).cloned().unwrap_or(Value::Null),
            );
            (x != y).then(|| FieldChange {
                field: k.clone(),
                from: x,
                to: y,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use scope_lint::Classification;

    use super::*;

    #[test]
    fn added_changed_deprecated_retired() {
        let mut old = BTreeMap::new();
        let mut a = ScopeDefinition::named("a:x:read");
        a.classification = Some(Classification::Internal);
        old.insert(a.name.clone(), a.clone());
        old.insert("a:y:read".into(), ScopeDefinition::named("a:y:read"));
        let mut new = old.clone();
        let mut a2 = a.clone();
        a2.classification = Some(Classification::Restricted);
        a2.status = Status::Deprecated;
        a2.changed_in = Some(2);
        new.insert(a2.name.clone(), a2);
        new.insert("a:z:read".into(), ScopeDefinition::named("a:z:read"));
        let d = diff(1, &old, 2, &new);
        assert_eq!(d.added, ["a:z:read"]);
        assert_eq!(d.deprecated, ["a:x:read"]);
        let fields: Vec<_> = d.changed[0]
            .fields
            .iter()
            .map(|f| f.field.as_str())
            .collect();
        assert_eq!(fields, ["classification", "status"]);
    }
}
