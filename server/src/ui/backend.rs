//! The registry's side of the UI's backend port: the pages' data, for the person of the current
//! request, with the same permission checks as the API.

use std::collections::BTreeMap;

use scope_lint::{ScopeDefinition, Status};
use scope_registry_frontend::api::backend::{Backend, BoxFuture};
use scope_registry_frontend::api::ui::{
    AuditPage, Dashboard, DomainsView, ExportPreview, TokenPreview, TokenQuery, VersionDiff,
    VersionsPage,
};
use scope_registry_frontend::api::ui::{
    BackendError, CatalogPage, CatalogQuery, Facet, FieldDiff, Finding, ItemDiff, ItemForm,
    ProposalForm, ProposeContext, RequestRow, RequestView, ScopeDetail, ScopeRow, ScopeVersion,
    SessionInfo, Viewer,
};
use scope_registry_frontend::api::{ChangeRequestInput, CommentInput, LintInput, ReviewInput};

use crate::actions;
use crate::error::ApiError;

use crate::auth::principal::{Permission, Principal};
use crate::catalog::formats::{self, Format};
use crate::catalog::{CatalogDocument, Snapshot};
use crate::db::models::{catalog_version, scope};
use crate::state::AppState;

/// Rows on one catalog page.
pub const PAGE_SIZE: usize = 50;

/// Who is signed in for this request, as the session middleware found them.
#[derive(Clone, Debug)]
pub struct UiCaller {
    pub principal: Principal,
    /// The session's CSRF token: every state-changing form must carry it.
    pub csrf: String,
}

/// The backend for one request.
#[derive(Debug)]
pub struct UiBackend {
    pub state: AppState,
    pub caller: Option<UiCaller>,
}

/// What the person may read: the registry's refusal in words, never internals (those are
/// logged).
pub(crate) fn refused(e: ApiError) -> BackendError {
    match e {
        ApiError::NotFound => BackendError::NotFound,
        ApiError::Unauthorized => BackendError::SignInRequired,
        ApiError::InsufficientScope { .. } => BackendError::Forbidden,
        ApiError::Unavailable | ApiError::IssuerUnavailable => BackendError::Unavailable,
        ApiError::Internal(cause) => {
            tracing::error!(%cause, "web UI request failed");
            BackendError::Unavailable
        }
        other => BackendError::Invalid(other.detail()),
    }
}

impl UiBackend {
    /// The person of the current request (the session cookie's), if any.
    pub(crate) fn principal(&self) -> Option<Principal> {
        self.caller.as_ref().map(|c| c.principal.clone())
    }

    /// The signed-in person with `permission`, for a state-changing form carrying `csrf`.
    pub(crate) fn writer(
        &self,
        permission: Permission,
        csrf: &str,
    ) -> Result<Principal, BackendError> {
        let caller = self.caller.as_ref().ok_or(BackendError::SignInRequired)?;
        if !constant_time_eq(caller.csrf.as_bytes(), csrf.as_bytes()) || caller.csrf.is_empty() {
            crate::observability::record_security_event(
                crate::observability::SecurityEvent::MaliciousCsrf,
            );
            return Err(BackendError::Invalid(
                "This form has expired; reload the page and try again.".into(),
            ));
        }
        caller
            .principal
            .require(permission)
            .map_err(|_| BackendError::Forbidden)?;
        Ok(caller.principal.clone())
    }

    fn signed_in(&self, permission: Permission) -> Result<Principal, BackendError> {
        let who = self.principal().ok_or(BackendError::SignInRequired)?;
        who.require(permission)
            .map_err(|_| BackendError::Forbidden)?;
        Ok(who)
    }

    pub(crate) fn reader(&self) -> Result<Principal, BackendError> {
        let who = self.principal().ok_or(BackendError::SignInRequired)?;
        who.require(Permission::CatalogRead)
            .map_err(|_| BackendError::Forbidden)?;
        Ok(who)
    }

    pub(crate) fn snapshot(&self) -> Result<std::sync::Arc<Snapshot>, BackendError> {
        self.state.catalog.get().ok_or(BackendError::Unavailable)
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn viewer(caller: &UiCaller) -> Viewer {
    let who = &caller.principal;
    Viewer {
        subject: who.subject.clone(),
        name: who.name.clone(),
        groups: who.groups.clone(),
        admin: who.admin,
        can_read: who.require(Permission::CatalogRead).is_ok(),
        can_propose: who.require(Permission::ChangeRequestsWrite).is_ok(),
        can_review: who.require(Permission::ReviewsWrite).is_ok(),
        csrf: caller.csrf.clone(),
    }
}

impl Backend for UiBackend {
    fn session(&self) -> BoxFuture<'_, SessionInfo> {
        let viewer = self.caller.as_ref().map(viewer);
        let demo = self.state.settings.demo;
        let sign_in = !matches!(self.state.web.sign_in, crate::auth::session::SignIn::Off);
        Box::pin(async move {
            let personas = if demo {
                crate::demo::PERSONAS
                    .iter()
                    .map(|p| scope_registry_frontend::api::ui::Persona {
                        id: p.id.to_owned(),
                        name: p.name.to_owned(),
                        role: p.role.to_owned(),
                    })
                    .collect()
            } else {
                Vec::new()
            };
            SessionInfo {
                viewer,
                demo,
                sign_in,
                personas,
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

    fn propose_context(
        &self,
        editing: Option<String>,
    ) -> BoxFuture<'_, Result<ProposeContext, BackendError>> {
        let who = self.signed_in(Permission::ChangeRequestsWrite);
        let state = self.state.clone();
        Box::pin(async move {
            let who = who?;
            let policy = match &state.settings.policy_file {
                Some(path) => std::fs::read_to_string(path).unwrap_or_default(),
                None => scope_lint::DEFAULT_POLICY_TOML.to_owned(),
            };
            let editing = match editing {
                Some(id) => {
                    let request = actions::get(&state, who.clone(), id.clone())
                        .await
                        .map_err(refused)?;
                    if request.author != who.subject {
                        return Err(BackendError::Forbidden);
                    }
                    Some((
                        id,
                        ProposalForm {
                            domain: request.domain.clone(),
                            title: request.title.clone(),
                            description: request.description.clone(),
                            items: request.items.iter().map(ItemForm::from_item).collect(),
                        },
                    ))
                }
                None => None,
            };
            let settings = state.settings.clone();
            let actor = who.actor();
            let domains = state
                .db(move |c| {
                    Ok(crate::db::models::domain::list(c)?
                        .into_iter()
                        .filter(|d| crate::requests::roles(d, &settings).is_owner(&actor))
                        .map(|d| d.name)
                        .collect::<Vec<_>>())
                })
                .await
                .map_err(refused)?;
            Ok(ProposeContext {
                domains,
                policy,
                editing,
            })
        })
    }

    fn check_proposal(
        &self,
        form: ProposalForm,
    ) -> BoxFuture<'_, Result<Vec<Finding>, BackendError>> {
        let who = self.signed_in(Permission::ChangeRequestsWrite);
        Box::pin(async move {
            let who = who?;
            let filled = form.filled();
            let rows: Vec<usize> = filled.iter().map(|(i, _)| *i).collect();
            let items = filled.iter().map(|(_, f)| f.to_item()).collect();
            let found = actions::lint(&self.state, who, LintInput { items })
                .await
                .map_err(refused)?;
            Ok(findings_from_json(&found["findings"], |proposal| {
                rows.get(proposal).copied()
            }))
        })
    }

    fn propose(
        &self,
        form: ProposalForm,
        editing: Option<String>,
        csrf: String,
    ) -> BoxFuture<'_, Result<String, BackendError>> {
        let who = self.writer(Permission::ChangeRequestsWrite, &csrf);
        Box::pin(async move {
            let who = who?;
            let items: Vec<_> = form.filled().iter().map(|(_, f)| f.to_item()).collect();
            if items.is_empty() {
                return Err(BackendError::Invalid("Name at least one scope.".into()));
            }
            let input = ChangeRequestInput {
                domain: form.domain.trim().to_owned(),
                title: form.title.trim().to_owned(),
                description: form.description,
                items,
            };
            let id = match editing {
                Some(id) => actions::edit(&self.state, who.clone(), id, input).await,
                None => actions::create(&self.state, who.clone(), input).await,
            }
            .map_err(refused)?
            .id;
            // Refused for its findings: the draft keeps them and its page shows them.
            match actions::submit(&self.state, who, id.clone()).await {
                Ok(_) | Err(ApiError::Unprocessable { .. }) => Ok(id),
                Err(e) => Err(refused(e)),
            }
        })
    }

    fn request(&self, id: String) -> BoxFuture<'_, Result<RequestView, BackendError>> {
        let who = self.signed_in(Permission::CatalogRead);
        Box::pin(async move {
            let who = who?;
            let request = actions::get(&self.state, who.clone(), id)
                .await
                .map_err(refused)?;
            let current = self
                .snapshot()?
                .document
                .definitions_of(request.items.iter().map(|i| i.name.as_str()));
            let diff = request
                .items
                .iter()
                .map(|i| item_diff(i, &current))
                .collect();
            let names: Vec<String> = request.items.iter().map(|i| i.name.clone()).collect();
            let findings = request
                .lint
                .iter()
                .filter_map(|v| Finding::from_json(v, &names))
                .collect();
            let is_author = request.author == who.subject;
            let status = request.status.as_str();
            let writes = who.require(Permission::ChangeRequestsWrite).is_ok();
            let may_review = !is_author
                && status == "open"
                && who.require(Permission::ReviewsWrite).is_ok()
                && self.may_review(&who, &request.domain).await;
            Ok(RequestView {
                is_author,
                may_review,
                may_submit: is_author && writes && matches!(status, "draft" | "changes_requested"),
                may_edit: is_author
                    && writes
                    && matches!(status, "draft" | "changes_requested" | "open"),
                may_withdraw: (is_author || who.admin)
                    && writes
                    && matches!(status, "draft" | "open" | "changes_requested" | "approved"),
                may_publish: is_author && writes && status == "approved",
                diff,
                findings,
                request,
            })
        })
    }

    fn act(
        &self,
        id: String,
        action: String,
        csrf: String,
    ) -> BoxFuture<'_, Result<(), BackendError>> {
        let who = self.writer(Permission::ChangeRequestsWrite, &csrf);
        Box::pin(async move {
            let who = who?;
            let done = match action.as_str() {
                "submit" => actions::submit(&self.state, who, id).await,
                "withdraw" => actions::withdraw(&self.state, who, id).await,
                "publish" => actions::publish(&self.state, who, id).await,
                _ => return Err(BackendError::Invalid(format!("Unknown action {action:?}."))),
            };
            done.map(|_| ()).map_err(refused)
        })
    }

    fn review(
        &self,
        id: String,
        verdict: String,
        comment: String,
        csrf: String,
    ) -> BoxFuture<'_, Result<(), BackendError>> {
        let who = self.writer(Permission::ReviewsWrite, &csrf);
        Box::pin(async move {
            let input = ReviewInput { verdict, comment };
            actions::review(&self.state, who?, id, input)
                .await
                .map(|_| ())
                .map_err(refused)
        })
    }

    fn comment(
        &self,
        id: String,
        body: String,
        csrf: String,
    ) -> BoxFuture<'_, Result<(), BackendError>> {
        let who = self
            .writer(Permission::ChangeRequestsWrite, &csrf)
            .or_else(|_| self.writer(Permission::ReviewsWrite, &csrf));
        Box::pin(async move {
            actions::comment(&self.state, who?, id, CommentInput { body })
                .await
                .map(|_| ())
                .map_err(refused)
        })
    }

    fn rename_item(
        &self,
        id: String,
        item: usize,
        name: String,
        csrf: String,
    ) -> BoxFuture<'_, Result<(), BackendError>> {
        let who = self.writer(Permission::ChangeRequestsWrite, &csrf);
        Box::pin(async move {
            let who = who?;
            let request = actions::get(&self.state, who.clone(), id.clone())
                .await
                .map_err(refused)?;
            let mut items = request.items.clone();
            let target = items.get_mut(item).ok_or(BackendError::NotFound)?;
            target.name = name.trim().to_owned();
            if let Some(d) = target.definition.as_mut() {
                d.name = target.name.clone();
            }
            let input = ChangeRequestInput {
                domain: request.domain,
                title: request.title,
                description: request.description,
                items,
            };
            actions::edit(&self.state, who, id, input)
                .await
                .map(|_| ())
                .map_err(refused)
        })
    }

    fn my_requests(&self) -> BoxFuture<'_, Result<Vec<RequestRow>, BackendError>> {
        let who = self.signed_in(Permission::CatalogRead);
        Box::pin(async move {
            let query = actions::ListQuery {
                mine: Some(true),
                ..Default::default()
            };
            self.rows(who?, query).await
        })
    }

    fn review_queue(&self) -> BoxFuture<'_, Result<Vec<RequestRow>, BackendError>> {
        let who = self.signed_in(Permission::ReviewsWrite);
        Box::pin(async move {
            let query = actions::ListQuery {
                awaiting_review: Some(true),
                ..Default::default()
            };
            let mut rows = self.rows(who?, query).await?;
            rows.sort_by_key(|r| std::cmp::Reverse(r.age_hours));
            Ok(rows)
        })
    }

    fn versions(&self, page: u32) -> BoxFuture<'_, Result<VersionsPage, BackendError>> {
        Box::pin(self.versions_page(page))
    }

    fn version_diff(
        &self,
        from: Option<u64>,
        to: u64,
    ) -> BoxFuture<'_, Result<VersionDiff, BackendError>> {
        Box::pin(self.diff_page(from, to))
    }

    fn export_preview(
        &self,
        format: String,
        version: Option<u64>,
    ) -> BoxFuture<'_, Result<ExportPreview, BackendError>> {
        Box::pin(self.export_page(format, version))
    }

    fn token_preview(
        &self,
        query: TokenQuery,
    ) -> BoxFuture<'_, Result<TokenPreview, BackendError>> {
        let result = self.token_page(query);
        Box::pin(async move { result })
    }

    fn audit(&self, page: u32) -> BoxFuture<'_, Result<AuditPage, BackendError>> {
        Box::pin(self.audit_page(page))
    }

    fn domains(&self) -> BoxFuture<'_, Result<DomainsView, BackendError>> {
        Box::pin(self.domains_page())
    }

    fn update_domain(
        &self,
        name: String,
        owners: Vec<String>,
        reviewers: Vec<String>,
        csrf: String,
    ) -> BoxFuture<'_, Result<(), BackendError>> {
        Box::pin(self.save_domain(name, owners, reviewers, csrf))
    }

    fn dashboard(&self) -> BoxFuture<'_, Result<Dashboard, BackendError>> {
        Box::pin(self.dashboard_page())
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

impl UiBackend {
    /// Whether `who` reviews `domain`'s requests.
    async fn may_review(&self, who: &Principal, domain: &str) -> bool {
        let settings = self.state.settings.clone();
        let actor = who.actor();
        let domain = domain.to_owned();
        self.state
            .db(move |c| {
                Ok(crate::db::models::domain::by_name(c, &domain)?
                    .is_some_and(|d| crate::requests::roles(&d, &settings).may_review(&actor)))
            })
            .await
            .unwrap_or(false)
    }

    /// List rows with their classification and the approvals they still need.
    async fn rows(
        &self,
        who: Principal,
        query: actions::ListQuery,
    ) -> Result<Vec<RequestRow>, BackendError> {
        let list = actions::list(&self.state, who.clone(), query)
            .await
            .map_err(refused)?;
        let now = time::OffsetDateTime::now_utc();
        let mut rows = Vec::new();
        for summary in list {
            let request = actions::get(&self.state, who.clone(), summary.id.clone())
                .await
                .map_err(refused)?;
            let classification = request
                .items
                .iter()
                .filter_map(|i| i.definition.as_ref().and_then(|d| d.classification))
                .max()
                .map_or("unclassified", |c| c.as_str())
                .to_owned();
            let a = &request.approvals;
            let updated = time::OffsetDateTime::parse(
                &summary.updated_at,
                &time::format_description::well_known::Rfc3339,
            )
            .unwrap_or(now);
            rows.push(RequestRow {
                classification,
                approvals_needed: if a.satisfied {
                    0
                } else {
                    a.required.saturating_sub(a.have).max(1)
                },
                security_review_needed: a.security_review_required && !a.security_review_done,
                age_hours: (now - updated).whole_hours(),
                summary,
            });
        }
        Ok(rows)
    }
}

/// scope-lint JSON findings; `row` maps a proposal index to the form row.
fn findings_from_json(
    found: &serde_json::Value,
    row: impl Fn(usize) -> Option<usize>,
) -> Vec<Finding> {
    found
        .as_array()
        .map(|all| {
            all.iter()
                .filter_map(|v| {
                    let proposal = usize::try_from(v["proposal"].as_u64()?).ok()?;
                    let mut f = Finding::from_json(v, &[])?;
                    f.item = row(proposal)?;
                    Some(f)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// What one item would change in `current`, field by field, in words.
fn item_diff(
    item: &scope_registry_frontend::api::ChangeItem,
    current: &BTreeMap<String, ScopeDefinition>,
) -> ItemDiff {
    let show = super::pages::field_text;
    let before = current.get(&item.name);
    let mut fields = Vec::new();
    match (item.kind.as_str(), before, item.definition.as_ref()) {
        ("add", _, Some(new)) | ("update", None, Some(new)) => {
            if let Ok(serde_json::Value::Object(map)) = serde_json::to_value(new) {
                for (field, value) in map {
                    if field != "name" && !value.is_null() {
                        fields.push(FieldDiff {
                            field,
                            before: String::new(),
                            after: show(&value),
                        });
                    }
                }
            }
        }
        ("update", Some(old), Some(new)) => {
            for f in crate::catalog::diff::field_changes(old, new) {
                fields.push(FieldDiff {
                    before: show(&f.from),
                    after: show(&f.to),
                    field: f.field,
                });
            }
        }
        ("deprecate", old, _) => {
            fields.push(FieldDiff {
                field: "status".into(),
                before: old
                    .map(|o| o.status.as_str().to_owned())
                    .unwrap_or_default(),
                after: "deprecated".into(),
            });
            fields.push(FieldDiff {
                field: "sunset".into(),
                before: String::new(),
                after: item.sunset.clone().unwrap_or_default(),
            });
            fields.push(FieldDiff {
                field: "replacement".into(),
                before: String::new(),
                after: item.replacement.clone().unwrap_or_default(),
            });
        }
        ("retire", old, _) => fields.push(FieldDiff {
            field: "status".into(),
            before: old
                .map(|o| o.status.as_str().to_owned())
                .unwrap_or_default(),
            after: "retired".into(),
        }),
        _ => {}
    }
    ItemDiff {
        kind: item.kind.clone(),
        name: item.name.clone(),
        fields,
    }
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
