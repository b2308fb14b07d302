//! Change requests between the database and the workflow: load one with everything the workflow
//! needs, let the workflow decide, store the result with its audit events in the same
//! transaction, and map it to the wire type.

use std::collections::BTreeMap;
use std::str::FromStr;

use scope_lint::{
    Catalog, Domain as LintDomain, Linter, Policy, Proposal, ScopeDefinition, Severity,
};
use scope_registry_frontend::api;
use serde_json::{Value, json};

use crate::audit::{self, NewEvent};
use crate::catalog::CatalogDocument;
use crate::config::Settings;
use crate::db::DbConnection;
use crate::db::models::catalog_version;
use crate::db::models::change_request::{
    self as rows, ChangeRequestRow, CommentRow, ItemRow, ReviewRow,
};
use crate::db::models::domain::{self, DomainRow};
use crate::error::ApiError;
use crate::state::{now_ms, rfc3339};
use crate::workflow::{
    self, ChangeRequest, ChangeRequestStatus, DomainRoles, ErrorCategory, Event, Item, ItemKind,
    Review, Verdict, WorkflowError,
};

/// A change request as stored, with its domain, items, reviews and comments.
#[derive(Clone, Debug)]
pub struct Stored {
    pub row: ChangeRequestRow,
    pub domain: DomainRow,
    pub items: Vec<Item>,
    pub reviews: Vec<ReviewRow>,
    pub comments: Vec<CommentRow>,
}

impl Stored {
    /// The workflow's view.
    pub fn workflow(&self) -> Result<ChangeRequest, ApiError> {
        Ok(ChangeRequest {
            status: ChangeRequestStatus::from_str(&self.row.status).map_err(ApiError::internal)?,
            author: self.row.author.clone(),
            revision: u32::try_from(self.row.revision).unwrap_or(1),
            base_version: u64::try_from(self.row.base_version).unwrap_or(0),
            items: self.items.clone(),
            reviews: self
                .reviews
                .iter()
                .map(|r| {
                    Ok(Review {
                        reviewer: r.reviewer.clone(),
                        verdict: Verdict::from_str(&r.verdict).map_err(ApiError::internal)?,
                        security: r.security,
                        revision: u32::try_from(r.revision).unwrap_or(1),
                        dismissed: r.dismissed,
                    })
                })
                .collect::<Result<_, ApiError>>()?,
        })
    }
}

/// The roles of a domain, with the registry-wide security reviewer group.
pub fn roles(domain: &DomainRow, settings: &Settings) -> DomainRoles {
    DomainRoles {
        domain: domain.name.clone(),
        owners: domain.owner_groups(),
        reviewers: domain.reviewer_groups(),
        security_reviewers: vec![settings.security_reviewer_group.clone()],
    }
}

pub fn load(conn: &mut DbConnection, id: &str) -> Result<Option<Stored>, ApiError> {
    let Some(row) = rows::get(conn, id)? else {
        return Ok(None);
    };
    let domain = domain::by_id(conn, &row.domain_id)?.ok_or(ApiError::NotFound)?;
    let items = rows::items(conn, id)?
        .into_iter()
        .map(|i| item_from_row(&i))
        .collect::<Result<_, _>>()?;
    let reviews = rows::reviews(conn, id)?;
    let comments = rows::comments(conn, id)?;
    Ok(Some(Stored {
        row,
        domain,
        items,
        reviews,
        comments,
    }))
}

fn item_from_row(row: &ItemRow) -> Result<Item, ApiError> {
    Ok(Item {
        kind: ItemKind::from_str(&row.kind).map_err(ApiError::internal)?,
        name: row.scope_name.clone(),
        definition: match &row.definition {
            Some(text) => Some(serde_json::from_str(text).map_err(ApiError::internal)?),
            None => None,
        },
        sunset: row.sunset.clone(),
        replacement: row.replacement.clone(),
    })
}

pub fn item_rows(id: &str, items: &[Item]) -> Vec<ItemRow> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| ItemRow {
            change_request_id: id.to_owned(),
            position: i32::try_from(i).unwrap_or(i32::MAX),
            kind: item.kind.as_str().to_owned(),
            scope_name: item.name.clone(),
            definition: item
                .definition
                .as_ref()
                .map(crate::db::models::to_json_text),
            sunset: item.sunset.clone(),
            replacement: item.replacement.clone(),
        })
        .collect()
}

/// Wire items → workflow items; an unknown kind is a 422 naming the item.
pub fn items_from_wire(items: Vec<api::ChangeItem>) -> Result<Vec<Item>, ApiError> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, it)| {
            let kind = ItemKind::from_str(&it.kind).map_err(|e| {
                ApiError::unprocessable("invalid_items", format!("item {}: {e}", i + 1))
            })?;
            Ok(Item {
                kind,
                name: it.name,
                definition: it.definition,
                sunset: it.sunset,
                replacement: it.replacement,
            })
        })
        .collect()
}

pub fn item_to_wire(item: &Item) -> api::ChangeItem {
    api::ChangeItem {
        kind: item.kind.as_str().to_owned(),
        name: item.name.clone(),
        definition: item.definition.clone(),
        sunset: item.sunset.clone(),
        replacement: item.replacement.clone(),
    }
}

/// A workflow refusal as an API error.
pub fn refusal(e: WorkflowError) -> ApiError {
    let code = e.code();
    let detail = e.to_string();
    match (&e, e.category()) {
        (_, ErrorCategory::Forbidden) => ApiError::forbidden(code, detail),
        (WorkflowError::Conflicts(list), _) => {
            ApiError::conflict(code, detail).with("conflicts", json!(list))
        }
        (_, ErrorCategory::Conflict) => ApiError::conflict(code, detail),
        (WorkflowError::InvalidItems(list), _) => {
            ApiError::unprocessable(code, detail).with("items", json!(list))
        }
        (_, ErrorCategory::Invalid) => ApiError::unprocessable(code, detail),
    }
}

/// The number of the latest catalog version (0 before the first), without loading it.
pub fn current_version(conn: &mut DbConnection) -> Result<u64, ApiError> {
    Ok(catalog_version::latest_number(conn)?.map_or(0, |v| u64::try_from(v).unwrap_or(0)))
}

/// The latest catalog version's definitions of `names`: from the registry's in-memory snapshot
/// when that is the latest version (the usual case), else parsed from the database (another
/// replica published a moment ago, or this transaction did).
pub fn current_definitions<'a>(
    conn: &mut DbConnection,
    st: &crate::state::AppState,
    names: impl IntoIterator<Item = &'a str>,
) -> Result<BTreeMap<String, ScopeDefinition>, ApiError> {
    let latest = current_version(conn)?;
    if let Some(snapshot) = st.catalog.get().filter(|s| s.version == latest) {
        return Ok(snapshot.document.definitions_of(names));
    }
    let wanted: std::collections::BTreeSet<&str> = names.into_iter().collect();
    let (_, mut current) = current_catalog(conn)?;
    current.retain(|name, _| wanted.contains(name.as_str()));
    Ok(current)
}

/// The current catalog version and its scopes, read inside the transaction.
pub fn current_catalog(
    conn: &mut DbConnection,
) -> Result<(u64, BTreeMap<String, ScopeDefinition>), ApiError> {
    let Some(row) = catalog_version::latest(conn)? else {
        return Ok((0, BTreeMap::new()));
    };
    let doc: CatalogDocument = serde_json::from_str(&row.body).map_err(ApiError::internal)?;
    Ok((u64::try_from(row.version).unwrap_or(0), doc.by_name()))
}

/// Lints a request's items against `current`, as the proposer: the scope-lint JSON findings and
/// how many are errors.
pub fn lint(
    conn: &mut DbConnection,
    policy: &Policy,
    current: &BTreeMap<String, ScopeDefinition>,
    items: &[Item],
    proposer: Option<&crate::auth::principal::Principal>,
) -> Result<(Vec<Value>, usize), ApiError> {
    let domains = domain::list(conn)?
        .into_iter()
        .map(|d| LintDomain {
            owners: d.owner_groups(),
            reviewers: d.reviewer_groups(),
            audience: d.audience.clone(),
            description: None,
            name: d.name,
        })
        .collect();
    let catalog = Catalog {
        version: None,
        domains: Some(domains),
        scopes: current.values().cloned().collect(),
    };
    let proposals: Vec<Proposal> = items
        .iter()
        .map(|item| match (&item.kind, &item.definition) {
            (ItemKind::Add, Some(d)) => Proposal::full(d.clone()),
            (ItemKind::Update, Some(d)) => Proposal::full(d.clone()).changing(),
            _ => Proposal::name(item.name.clone()).changing(),
        })
        .collect();
    let mut linter = Linter::new(policy, Some(&catalog));
    // Admins may propose in any domain (as the workflow allows); others only in domains they own.
    if let Some(who) = proposer.filter(|w| !w.admin) {
        linter = linter.with_proposer_groups(who.groups.clone());
    }
    let found = linter.lint(&proposals);
    let errors = found
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let json = found
        .iter()
        .map(|d| json!(scope_lint::render::JsonDiagnostic::from(d)))
        .collect();
    Ok((json, errors))
}

/// Records the workflow's events in the audit log (one event per workflow event).
pub fn record_events(
    conn: &mut DbConnection,
    now: i64,
    actor: &str,
    id: &str,
    events: &[Event],
) -> Result<(), ApiError> {
    for event in events {
        audit::record(
            conn,
            now,
            NewEvent {
                actor,
                action: &format!("change_request.{}", event.kind()),
                target_type: "change_request",
                target_id: id,
                before: None,
                after: Some(json!(event)),
            },
        )?;
        crate::observability::METRICS.workflow_action(event.kind());
    }
    Ok(())
}

/// Stores the workflow's new state of a request: status, revision, items and reviews.
pub fn save(
    conn: &mut DbConnection,
    stored: &mut Stored,
    next: &ChangeRequest,
    now: i64,
) -> Result<(), ApiError> {
    let items_changed = next.items != stored.items;
    stored.row.status = next.status.as_str().to_owned();
    stored.row.revision = i32::try_from(next.revision).unwrap_or(i32::MAX);
    stored.row.base_version = i64::try_from(next.base_version).unwrap_or(i64::MAX);
    stored.row.updated_at = now;
    rows::update(conn, &stored.row)?;
    if items_changed {
        rows::replace_items(
            conn,
            &stored.row.id,
            &item_rows(&stored.row.id, &next.items),
        )?;
        stored.items = next.items.clone();
    }
    // The workflow keeps reviews in order and only appends; flags may change on earlier ones.
    for (row, review) in stored.reviews.iter_mut().zip(&next.reviews) {
        if row.dismissed != review.dismissed {
            row.dismissed = review.dismissed;
            rows::upsert_review(conn, row)?;
        }
    }
    Ok(())
}

/// Who may see a request: its author, and whoever owns or reviews its domain, or an admin.
pub fn visible(
    who: &crate::auth::principal::Principal,
    stored: &Stored,
    settings: &Settings,
) -> bool {
    stored.row.author == who.subject || who.involved_in(&roles(&stored.domain, settings))
}

/// The request as the API shows it.
pub fn to_wire(
    conn: &mut DbConnection,
    stored: &Stored,
    st: &crate::state::AppState,
) -> Result<api::ChangeRequest, ApiError> {
    let wf = stored.workflow()?;
    let names = stored.items.iter().map(|i| i.name.as_str());
    let current = current_definitions(conn, st, names)?;
    let requirement = wf.required_approvals(&st.policy, &current);
    let status = wf.approval_status(&requirement);
    let timeline =
        crate::db::models::audit_event::for_target(conn, "change_request", &stored.row.id)?
            .into_iter()
            .map(|e| api::TimelineEntry {
                at: rfc3339(e.at),
                actor: e.actor,
                action: e.action.trim_start_matches("change_request.").to_owned(),
                details: e.after.and_then(|a| serde_json::from_str(&a).ok()),
            })
            .collect();
    Ok(api::ChangeRequest {
        id: stored.row.id.clone(),
        domain: stored.domain.name.clone(),
        title: stored.row.title.clone(),
        description: stored.row.description.clone(),
        author: stored.row.author.clone(),
        author_name: stored.row.author_name.clone(),
        status: stored.row.status.clone(),
        revision: u32::try_from(stored.row.revision).unwrap_or(1),
        base_version: u64::try_from(stored.row.base_version).unwrap_or(0),
        published_version: stored
            .row
            .published_version
            .and_then(|v| u64::try_from(v).ok()),
        items: stored.items.iter().map(item_to_wire).collect(),
        lint: serde_json::from_str(&stored.row.lint).unwrap_or_default(),
        approvals: api::Approvals {
            required: requirement.required,
            have: status.have,
            security_review_required: requirement.security_review,
            security_review_done: status.have_security,
            satisfied: status.satisfied,
            breaking: requirement
                .breaking
                .iter()
                .map(workflow::BreakingChange::message)
                .collect(),
        },
        reviews: stored
            .reviews
            .iter()
            .map(|r| api::Review {
                id: r.id.clone(),
                reviewer: r.reviewer.clone(),
                reviewer_name: r.reviewer_name.clone(),
                verdict: r.verdict.clone(),
                comment: r.body.clone(),
                security: r.security,
                revision: u32::try_from(r.revision).unwrap_or(1),
                dismissed: r.dismissed,
                created_at: rfc3339(r.created_at),
            })
            .collect(),
        comments: stored
            .comments
            .iter()
            .map(|c| api::Comment {
                id: c.id.clone(),
                author: c.author.clone(),
                author_name: c.author_name.clone(),
                body: c.body.clone(),
                created_at: rfc3339(c.created_at),
            })
            .collect(),
        timeline,
        created_at: rfc3339(stored.row.created_at),
        updated_at: rfc3339(stored.row.updated_at),
    })
}

pub fn summary(row: &ChangeRequestRow, domain: &str, items: usize) -> api::ChangeRequestSummary {
    api::ChangeRequestSummary {
        id: row.id.clone(),
        domain: domain.to_owned(),
        title: row.title.clone(),
        author: row.author.clone(),
        author_name: row.author_name.clone(),
        status: row.status.clone(),
        items,
        created_at: rfc3339(row.created_at),
        updated_at: rfc3339(row.updated_at),
    }
}

/// Creates a draft (checks and audit included); the handler and the demo seeding both use it.
pub fn create(
    conn: &mut DbConnection,
    st: &crate::state::AppState,
    who: &crate::auth::principal::Principal,
    mut input: api::ChangeRequestInput,
) -> Result<Stored, ApiError> {
    let items = items_from_wire(std::mem::take(&mut input.items))?;
    conn.write(|c| {
        let domain = domain::by_name(c, &input.domain)?.ok_or_else(|| {
            ApiError::unprocessable(
                "unknown_domain",
                format!("there is no domain {:?}", input.domain),
            )
        })?;
        let roles = roles(&domain, &st.settings);
        let version = current_version(c)?;
        let wf = ChangeRequest::new_draft(&who.actor(), &roles, version, items).map_err(refusal)?;
        let now = now_ms();
        let row = ChangeRequestRow {
            id: uuid::Uuid::new_v4().to_string(),
            domain_id: domain.id.clone(),
            title: input.title.trim().to_owned(),
            description: input.description,
            author: who.subject.clone(),
            author_name: who.name.clone(),
            status: wf.status.as_str().to_owned(),
            revision: i32::try_from(wf.revision).unwrap_or(1),
            base_version: i64::try_from(version).unwrap_or(0),
            published_version: None,
            lint: "[]".to_owned(),
            created_at: now,
            updated_at: now,
        };
        rows::insert(c, &row)?;
        rows::replace_items(c, &row.id, &item_rows(&row.id, &wf.items))?;
        audit::record(
            c,
            now,
            NewEvent {
                actor: &who.subject,
                action: "change_request.created",
                target_type: "change_request",
                target_id: &row.id,
                before: None,
                after: Some(
                    json!({ "title": row.title, "domain": domain.name, "items": wf.items.len() }),
                ),
            },
        )?;
        Ok::<_, ApiError>(Stored {
            row,
            domain,
            items: wf.items,
            reviews: Vec::new(),
            comments: Vec::new(),
        })
    })
}

/// Loads a request the caller may see; 404 otherwise (the same answer as for no request).
pub fn load_visible(
    conn: &mut DbConnection,
    st: &crate::state::AppState,
    who: &crate::auth::principal::Principal,
    id: &str,
) -> Result<Stored, ApiError> {
    let stored = load(conn, id)?.ok_or(ApiError::NotFound)?;
    if visible(who, &stored, &st.settings) {
        Ok(stored)
    } else {
        Err(ApiError::NotFound)
    }
}

/// Submits a request: lints it against the current catalog; errors block the submission, and
/// the findings are stored with the request either way.
pub fn submit(
    conn: &mut DbConnection,
    st: &crate::state::AppState,
    who: &crate::auth::principal::Principal,
    id: &str,
) -> Result<Stored, ApiError> {
    conn.write(|c| {
        let mut stored = load_visible(c, st, who, id)?;
        let (_, current) = current_catalog(c)?;
        let (lint, errors) = lint(c, &st.policy, &current, &stored.items, Some(who))?;
        stored.row.lint = serde_json::to_string(&lint).unwrap_or_else(|_| "[]".to_owned());
        let mut wf = stored.workflow()?;
        let author = wf.is_author(&who.actor());
        let now = now_ms();
        match wf.submit(&who.actor(), errors) {
            Ok(events) => {
                save(c, &mut stored, &wf, now)?;
                record_events(c, now, &who.subject, id, &events)?;
                Ok::<_, ApiError>(Ok(stored))
            }
            // Refused for its findings: keep them with the request so the author sees them.
            Err(e @ WorkflowError::LintErrors { .. }) if author => {
                rows::update(c, &stored.row)?;
                Ok(Err(refusal(e).with("lint", Value::Array(lint))))
            }
            Err(e) => Err(refusal(e)),
        }
    })?
}

/// Reviews a request with a verdict and a comment.
pub fn review(
    conn: &mut DbConnection,
    st: &crate::state::AppState,
    who: &crate::auth::principal::Principal,
    id: &str,
    verdict: Verdict,
    comment: String,
) -> Result<Stored, ApiError> {
    conn.write(|c| {
        let mut stored = load_visible(c, st, who, id)?;
        let mut wf = stored.workflow()?;
        let (_, current) = current_catalog(c)?;
        let requirement = wf.required_approvals(&st.policy, &current);
        let domain_roles = roles(&stored.domain, &st.settings);
        let events = wf
            .review(&who.actor(), &domain_roles, verdict, &requirement)
            .map_err(refusal)?;
        let now = now_ms();
        // The workflow appended the new review; store it with its comment.
        if let Some(new) = wf.reviews.last() {
            let row = ReviewRow {
                id: uuid::Uuid::new_v4().to_string(),
                change_request_id: id.to_owned(),
                reviewer: who.subject.clone(),
                reviewer_name: who.name.clone(),
                verdict: new.verdict.as_str().to_owned(),
                body: comment,
                security: new.security,
                revision: i32::try_from(new.revision).unwrap_or(1),
                dismissed: new.dismissed,
                created_at: now,
            };
            rows::upsert_review(c, &row)?;
            stored.reviews.push(row);
        }
        save(c, &mut stored, &wf, now)?;
        record_events(c, now, &who.subject, id, &events)?;
        Ok(stored)
    })
}

/// Publishes an approved request: exactly one new catalog version.
pub fn publish(
    conn: &mut DbConnection,
    st: &crate::state::AppState,
    who: &crate::auth::principal::Principal,
    id: &str,
    today: time::Date,
) -> Result<(Stored, crate::catalog::Snapshot), ApiError> {
    conn.write(|c| {
        let mut stored = load_visible(c, st, who, id)?;
        let snapshot = crate::publish::publish(
            c,
            &st.policy,
            &st.settings,
            &mut stored,
            who,
            now_ms(),
            today,
        )?;
        Ok((stored, snapshot))
    })
}
