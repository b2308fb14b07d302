//! The registry's side of the UI's backend port: the pages' data, for the person of the current
//! request, with the same permission checks as the API.

use std::collections::BTreeMap;

use scope_lint::{ScopeDefinition, Status};
use scope_registry_frontend::api::backend::{Backend, BoxFuture};
use scope_registry_frontend::api::ui::{
    BackendError, CatalogPage, CatalogQuery, Facet, ScopeDetail, ScopeRow, ScopeVersion,
    SessionInfo, Viewer,
};

use crate::auth::principal::{Permission, Principal};
use crate::catalog::formats::{self, Format};
use crate::catalog::{CatalogDocument, Snapshot};
use crate::db::models::{catalog_version, scope};
use crate::state::AppState;

/// Rows on one catalog page.
pub const PAGE_SIZE: usize = 50;

/// The backend for one request.
#[derive(Debug)]
pub struct UiBackend {
    pub state: AppState,
}

impl UiBackend {
    /// The person of the current request (the session cookie's), if any.
    fn principal(&self) -> Option<Principal> {
        None
    }

    fn reader(&self) -> Result<Principal, BackendError> {
        let who = self.principal().ok_or(BackendError::SignInRequired)?;
        who.require(Permission::CatalogRead)
            .map_err(|_| BackendError::Forbidden)?;
        Ok(who)
    }

    fn snapshot(&self) -> Result<std::sync::Arc<Snapshot>, BackendError> {
        self.state.catalog.get().ok_or(BackendError::Unavailable)
    }
}

fn viewer(who: &Principal) -> Viewer {
    Viewer {
        subject: who.subject.clone(),
        name: who.name.clone(),
        groups: who.groups.clone(),
        admin: who.admin,
        can_read: who.require(Permission::CatalogRead).is_ok(),
        can_propose: who.require(Permission::ChangeRequestsWrite).is_ok(),
        can_review: who.require(Permission::ReviewsWrite).is_ok(),
        csrf: String::new(),
    }
}

impl Backend for UiBackend {
    fn session(&self) -> BoxFuture<'_, SessionInfo> {
        let viewer = self.principal().as_ref().map(viewer);
        let demo = self.state.settings.demo;
        Box::pin(async move {
            SessionInfo {
                viewer,
                demo,
                sign_in: demo,
            }
        })
    }

    fn catalog_page(
        &self,
        query: CatalogQuery,
    ) -> BoxFuture<'_, Result<CatalogPage, BackendError>> {
        let result = self
            .reader()
            .and_then(|_| self.snapshot())
            .map(|snapshot| catalog_page(&snapshot.document, &query));
        Box::pin(async move { result })
    }

    fn scope(&self, name: String) -> BoxFuture<'_, Result<ScopeDetail, BackendError>> {
        let ready = self.reader().and_then(|_| self.snapshot());
        let state = self.state.clone();
        Box::pin(async move {
            let snapshot = ready?;
            let definition = snapshot
                .document
                .scopes
                .iter()
                .find(|s| s.name == name)
                .cloned()
                .ok_or(BackendError::NotFound)?;
            let implied_by = snapshot
                .document
                .scopes
                .iter()
                .filter(|s| s.implies.contains(&name))
                .map(|s| s.name.clone())
                .collect();
            let exports = exports(&definition, snapshot.version, &state);
            let lookup = name.clone();
            let history = state
                .db(move |c| {
                    let changes = scope::history(c, &lookup)?;
                    let versions: Vec<i64> = changes.iter().map(|h| h.version).collect();
                    let times: BTreeMap<i64, i64> = catalog_version::published_at(c, &versions)?
                        .into_iter()
                        .collect();
                    Ok(changes
                        .into_iter()
                        .rev()
                        .map(|h| {
                            let parse = |s: &Option<String>| {
                                s.as_deref()
                                    .and_then(|t| serde_json::from_str::<ScopeDefinition>(t).ok())
                            };
                            let (before, after) = (parse(&h.before), parse(&h.after));
                            let changes = match (&before, &after) {
                                (None, Some(_)) => vec!["added".to_owned()],
                                (Some(b), Some(a)) => crate::catalog::diff::field_changes(b, a)
                                    .into_iter()
                                    .map(|f| f.field)
                                    .collect(),
                                _ => vec![h.kind.clone()],
                            };
                            ScopeVersion {
                                version: u64::try_from(h.version).unwrap_or_default(),
                                published_at: times
                                    .get(&h.version)
                                    .map(|t| crate::state::rfc3339(*t))
                                    .unwrap_or_default(),
                                status: after
                                    .map(|a| a.status.as_str().to_owned())
                                    .unwrap_or_default(),
                                changes,
                                change_request: h.change_request_id,
                            }
                        })
                        .collect::<Vec<_>>())
                })
                .await
                .map_err(|_| BackendError::Unavailable)?;
            Ok(ScopeDetail {
                domain: crate::workflow::domain_of(&definition.name).to_owned(),
                definition,
                catalog_version: snapshot.version,
                history,
                implied_by,
                exports,
            })
        })
    }
}

/// The scope's entry in each export format: the format rendered for a catalog of this scope
/// alone, pretty-printed.
fn exports(definition: &ScopeDefinition, version: u64, state: &AppState) -> Vec<(String, String)> {
    let alone = CatalogDocument {
        version,
        scopes: vec![definition.clone()],
    };
    Format::ALL
        .iter()
        .map(|format| {
            let text = match formats::render(*format, &alone, &state.catalog.options) {
                Ok(body) => serde_json::from_str::<serde_json::Value>(&body)
                    .and_then(|v| serde_json::to_string_pretty(&v))
                    .unwrap_or(body),
                Err(e) => format!("(not available: {e})"),
            };
            (format.as_str().to_owned(), text)
        })
        .collect()
}

/// One page of `catalog` for `query`: every word of `q` in the name or the description (any
/// case); retired scopes only when asked for; facet counts over the other filters.
pub fn catalog_page(catalog: &CatalogDocument, query: &CatalogQuery) -> CatalogPage {
    let words: Vec<String> = query.q.split_whitespace().map(str::to_lowercase).collect();
    let status_of = |s: &ScopeDefinition| s.status.as_str();
    let class_of = |s: &ScopeDefinition| {
        s.classification
            .map(|c| c.as_str())
            .unwrap_or("unclassified")
    };
    let text_ok = |s: &ScopeDefinition| {
        words.is_empty() || {
            let name = s.name.to_lowercase();
            let description = s.description.as_deref().unwrap_or_default().to_lowercase();
            words
                .iter()
                .all(|w| name.contains(w.as_str()) || description.contains(w.as_str()))
        }
    };
    let domain_ok = |s: &ScopeDefinition| {
        query.domain.is_empty() || crate::workflow::domain_of(&s.name) == query.domain
    };
    let status_ok = |s: &ScopeDefinition| {
        if query.status.is_empty() {
            s.status != Status::Retired
        } else {
            status_of(s) == query.status
        }
    };
    let class_ok = |s: &ScopeDefinition| {
        query.classification.is_empty() || class_of(s) == query.classification
    };
    let searched: Vec<&ScopeDefinition> = catalog.scopes.iter().filter(|s| text_ok(s)).collect();
    let facet = |keep: &dyn Fn(&ScopeDefinition) -> bool,
                 key: &dyn Fn(&ScopeDefinition) -> String| {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for s in searched.iter().filter(|s| keep(s)) {
            *counts.entry(key(s)).or_default() += 1;
        }
        counts
            .into_iter()
            .map(|(value, count)| Facet { value, count })
            .collect::<Vec<_>>()
    };
    let domains = facet(&|s| status_ok(s) && class_ok(s), &|s| {
        crate::workflow::domain_of(&s.name).to_owned()
    });
    let statuses = facet(&|s| domain_ok(s) && class_ok(s), &|s| {
        status_of(s).to_owned()
    });
    let classifications = facet(&|s| domain_ok(s) && status_ok(s), &|s| {
        class_of(s).to_owned()
    });
    let matching: Vec<&ScopeDefinition> = searched
        .into_iter()
        .filter(|s| domain_ok(s) && status_ok(s) && class_ok(s))
        .collect();
    let total = matching.len();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = (query.page.max(1) as usize).min(pages);
    let rows = matching
        .into_iter()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .map(|s| ScopeRow {
            name: s.name.clone(),
            domain: crate::workflow::domain_of(&s.name).to_owned(),
            description: s.description.clone().unwrap_or_default(),
            status: status_of(s).to_owned(),
            classification: class_of(s).to_owned(),
        })
        .collect();
    CatalogPage {
        version: catalog.version,
        total,
        page: u32::try_from(page).unwrap_or(u32::MAX),
        pages: u32::try_from(pages).unwrap_or(u32::MAX),
        rows,
        domains,
        statuses,
        classifications,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scope_lint::Classification;

    fn scope(
        name: &str,
        description: &str,
        status: Status,
        class: Classification,
    ) -> ScopeDefinition {
        let mut s = ScopeDefinition::named(name);
        s.description = Some(description.to_owned());
        s.status = status;
        s.classification = Some(class);
        s
    }

    fn catalog() -> CatalogDocument {
        let mut scopes = vec![
            scope(
                "billing:invoices:read",
                "Read invoices",
                Status::Active,
                Classification::Confidential,
            ),
            scope(
                "ecommerce:carts:write",
                "Change carts",
                Status::Active,
                Classification::Internal,
            ),
            scope(
                "ecommerce:orders:read",
                "Read orders",
                Status::Active,
                Classification::Internal,
            ),
            scope(
                "ecommerce:exports:read",
                "Read order exports",
                Status::Deprecated,
                Classification::Internal,
            ),
            scope(
                "ecommerce:legacy:read",
                "Old orders feed",
                Status::Retired,
                Classification::Internal,
            ),
        ];
        for i in 0..120 {
            scopes.push(scope(
                &format!("bulk:thing{i:03}:read"),
                "Read things",
                Status::Active,
                Classification::Public,
            ));
        }
        scopes.sort_by(|a, b| a.name.cmp(&b.name));
        CatalogDocument { version: 7, scopes }
    }

    fn query(q: &str, domain: &str, status: &str, page: u32) -> CatalogQuery {
        CatalogQuery {
            q: q.into(),
            domain: domain.into(),
            status: status.into(),
            classification: String::new(),
            page,
        }
    }

    fn names(page: &CatalogPage) -> Vec<&str> {
        page.rows.iter().map(|r| r.name.as_str()).collect()
    }

    #[test]
    fn every_word_must_match_the_name_or_the_description_in_any_case() {
        let page = catalog_page(&catalog(), &query("ORDER read", "", "", 1));
        assert_eq!(
            names(&page),
            ["ecommerce:exports:read", "ecommerce:orders:read"],
            "retired scopes are left out unless asked for"
        );
        let retired = catalog_page(&catalog(), &query("orders", "", "retired", 1));
        assert_eq!(names(&retired), ["ecommerce:legacy:read"]);
        assert_eq!(
            catalog_page(&catalog(), &query("nothing-like-it", "", "", 1)).total,
            0
        );
    }

    #[test]
    fn facets_count_what_the_other_filters_leave() {
        let page = catalog_page(&catalog(), &query("", "ecommerce", "", 1));
        assert_eq!(page.total, 3);
        let count =
            |facets: &[Facet], v: &str| facets.iter().find(|f| f.value == v).map(|f| f.count);
        // Domains ignore the domain filter itself, so other domains stay selectable.
        assert_eq!(count(&page.domains, "bulk"), Some(120));
        assert_eq!(count(&page.domains, "ecommerce"), Some(3));
        // Statuses count every status within the domain, retired too.
        assert_eq!(count(&page.statuses, "retired"), Some(1));
        assert_eq!(count(&page.statuses, "active"), Some(2));
        assert_eq!(count(&page.classifications, "internal"), Some(3));
    }

    #[test]
    fn pages_hold_fifty_rows_and_out_of_range_pages_show_the_last() {
        let first = catalog_page(&catalog(), &query("", "bulk", "", 1));
        assert_eq!(
            (first.total, first.pages, first.rows.len()),
            (120, 3, PAGE_SIZE)
        );
        assert_eq!(first.rows[0].name, "bulk:thing000:read");
        let last = catalog_page(&catalog(), &query("", "bulk", "", 99));
        assert_eq!((last.page, last.rows.len()), (3, 20));
        assert_eq!(last.rows[19].name, "bulk:thing119:read");
        let zero = catalog_page(&catalog(), &query("", "bulk", "", 0));
        assert_eq!(zero.page, 1);
    }
}
