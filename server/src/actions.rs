//! What people can do with change requests, once: the REST handlers and the web UI's backend
//! both call these, so a rule checked here holds for every way in.

use std::collections::HashMap;

use scope_registry_frontend::api::{
    ChangeRequest as WireRequest, ChangeRequestInput, ChangeRequestSummary, CommentInput, Domain,
    DomainPatch, LintInput, ReviewInput,
};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::audit::{self, NewEvent};
use crate::auth::principal::{Permission, Principal};
use crate::db::models::change_request::{self as rows, ChangeRequestFilter, CommentRow};
use crate::db::models::domain;
use crate::db::models::to_json_text;
use crate::error::ApiError;
use crate::requests;
use crate::state::{AppState, now_ms};
use crate::workflow::{ChangeRequestStatus, Verdict};

const MAX_TITLE: usize = 200;
const MAX_TEXT: usize = 20_000;

fn check_text(field: &str, text: &str, max: usize) -> Result<(), ApiError> {
    if text.len() > max {
        return Err(ApiError::unprocessable(
            "invalid_field",
            format!("{field} is limited to {max} bytes"),
        ));
    }
    Ok(())
}

/// Which change requests to list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Only requests I wrote.
    pub mine: Option<bool>,
    /// Only open requests I may review and have not reviewed at their current revision.
    pub awaiting_review: Option<bool>,
    /// Only requests in this status.
    pub status: Option<String>,
    /// Only requests of this domain.
    pub domain: Option<String>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<u32>,
}

/// Lints scopes as `who` would propose them, against the current catalog, storing nothing:
/// `{errors, findings}`.
pub async fn lint(state: &AppState, who: Principal, input: LintInput) -> Result<Value, ApiError> {
    who.require(Permission::ChangeRequestsWrite)?;
    crate::error::forbid_nul(&input)?;
    let items = requests::items_from_wire(input.items)?;
    if items.len() > crate::workflow::MAX_ITEMS {
        return Err(ApiError::unprocessable(
            "too_many_items",
            format!("at most {} items", crate::workflow::MAX_ITEMS),
        ));
    }
    let policy = state.policy.clone();
    let (found, errors) = state
        .db(move |c| {
            let (_, current) = requests::current_catalog(c)?;
            requests::lint(c, &policy, &current, &items, Some(&who))
        })
        .await?;
    Ok(json!({ "errors": errors, "findings": found }))
}

/// Change requests `who` may see, most recently updated first.
pub async fn list(
    state: &AppState,
    who: Principal,
    q: ListQuery,
) -> Result<Vec<ChangeRequestSummary>, ApiError> {
    who.require(Permission::CatalogRead)?;
    let limit = crate::handlers::page_size(q.limit)?;
    if let Some(s) = &q.status
        && s.parse::<ChangeRequestStatus>().is_err()
    {
        return Err(ApiError::bad_request(
            "invalid_status",
            format!("unknown status {s:?}"),
        ));
    }
    let st = state.clone();
    let list = state
        .db(move |c| {
            let statuses = q.status.clone().map(|s| vec![s]);
            let (found, names) = visible_rows(c, &st, &who, &q, statuses, limit)?;
            let ids: Vec<String> = found.iter().map(|r| r.id.clone()).collect();
            let item_counts = rows::item_counts(c, &ids)?;
            let reviews = if q.awaiting_review == Some(true) {
                rows::reviews_of(c, &ids)?
            } else {
                HashMap::new()
            };
            let mut out = Vec::new();
            for r in found {
                if q.awaiting_review == Some(true) {
                    if r.author == who.subject {
                        continue;
                    }
                    // Done with it: a standing approval (or rejection) of this revision. A
                    // standing request for changes on a request that is open again (resubmitted)
                    // puts it back in the reviewer's queue.
                    let reviewed = reviews.get(&r.id).is_some_and(|all| {
                        all.iter().any(|rv| {
                            rv.reviewer == who.subject
                                && !rv.dismissed
                                && rv.revision == r.revision
                                && rv.verdict != "request_changes"
                        })
                    });
                    if reviewed {
                        continue;
                    }
                }
                let items = item_counts.get(&r.id).copied().unwrap_or(0);
                out.push(requests::summary(
                    &r,
                    names.get(&r.domain_id).map_or("", String::as_str),
                    items,
                ));
            }
            Ok(out)
        })
        .await?;
    Ok(list)
}

/// The change requests `who` may see that `q` selects, in `statuses`: at most `limit`, the
/// latest changed first; and every domain's name by id.
fn visible_rows(
    c: &mut crate::db::DbConnection,
    st: &AppState,
    who: &Principal,
    q: &ListQuery,
    statuses: Option<Vec<String>>,
    limit: i64,
) -> Result<(Vec<rows::ChangeRequestRow>, HashMap<String, String>), ApiError> {
    let domains = domain::list(c)?;
    let actor = who.actor();
    let mut visible_ids = Vec::new();
    let mut reviewable_ids = Vec::new();
    let mut names = HashMap::new();
    for d in &domains {
        names.insert(d.id.clone(), d.name.clone());
        if q.domain.as_ref().is_some_and(|n| *n != d.name) {
            continue;
        }
        let roles = requests::roles(d, &st.settings);
        if who.involved_in(&roles) {
            visible_ids.push(d.id.clone());
        }
        if roles.may_review(&actor) {
            reviewable_ids.push(d.id.clone());
        }
    }
    let mut filter = ChangeRequestFilter {
        statuses,
        ..Default::default()
    };
    if q.mine == Some(true) {
        filter.author = Some(who.subject.clone());
        if let Some(name) = &q.domain {
            filter.domain_ids = Some(
                domains
                    .iter()
                    .filter(|d| d.name == *name)
                    .map(|d| d.id.clone())
                    .collect(),
            );
        }
    } else if q.awaiting_review == Some(true) {
        filter.domain_ids = Some(reviewable_ids);
        filter.statuses = Some(vec!["open".to_owned()]);
    } else {
        filter.domain_ids = Some(visible_ids);
    }
    let mut found = rows::list(c, &filter, limit)?;
    if q.mine != Some(true) && q.awaiting_review != Some(true) {
        // Add the caller's own requests in domains they no longer own.
        let own = rows::list(
            c,
            &ChangeRequestFilter {
                author: Some(who.subject.clone()),
                statuses: filter.statuses.clone(),
                ..Default::default()
            },
            limit,
        )?;
        for r in own {
            if !found.iter().any(|f| f.id == r.id)
                && q.domain
                    .as_ref()
                    .is_none_or(|n| names.get(&r.domain_id) == Some(n))
            {
                found.push(r);
            }
        }
        found.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(a.id.cmp(&b.id)));
        found.truncate(usize::try_from(limit).unwrap_or(50));
    }
    Ok((found, names))
}

/// An open request (open, or with changes requested) as the dashboard counts it.
#[derive(Debug)]
pub struct OpenRequestStats {
    /// When it was created (ms since the epoch).
    pub created_at: i64,
    /// The rule code of each finding of its last lint.
    pub finding_codes: Vec<String>,
}

/// The most open requests [`open_requests`] counts.
pub const MAX_OPEN_REQUESTS_COUNTED: i64 = 10_000;

/// Every open request `who` may see (up to [`MAX_OPEN_REQUESTS_COUNTED`]), in one query, for
/// statistics: when each was created and its stored lint findings' rules.
pub async fn open_requests(
    state: &AppState,
    who: Principal,
) -> Result<Vec<OpenRequestStats>, ApiError> {
    who.require(Permission::CatalogRead)?;
    let st = state.clone();
    let rows = state
        .db(move |c| {
            let statuses = Some(vec!["open".to_owned(), "changes_requested".to_owned()]);
            let query = ListQuery::default();
            let (found, _) =
                visible_rows(c, &st, &who, &query, statuses, MAX_OPEN_REQUESTS_COUNTED)?;
            Ok(found)
        })
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let findings: Vec<Value> = serde_json::from_str(&r.lint).unwrap_or_default();
            OpenRequestStats {
                created_at: r.created_at,
                finding_codes: findings
                    .iter()
                    .filter_map(|f| f["code"].as_str().map(str::to_owned))
                    .collect(),
            }
        })
        .collect())
}

/// One change request, if `who` may see it.
pub async fn get(state: &AppState, who: Principal, id: String) -> Result<WireRequest, ApiError> {
    who.require(Permission::CatalogRead)?;
    let st = state.clone();
    let wire = state
        .db(move |c| {
            let stored = requests::load_visible(c, &st, &who, &id)?;
            requests::to_wire(c, &stored, &st)
        })
        .await?;
    Ok(wire)
}

/// Creates a draft change request in a domain `who` owns.
pub async fn create(
    state: &AppState,
    who: Principal,
    input: ChangeRequestInput,
) -> Result<WireRequest, ApiError> {
    who.require(Permission::ChangeRequestsWrite)?;
    crate::error::forbid_nul(&input)?;
    check_text("title", &input.title, MAX_TITLE)?;
    check_text("description", &input.description, MAX_TEXT)?;
    if input.title.trim().is_empty() {
        return Err(ApiError::unprocessable(
            "invalid_field",
            "title must not be empty",
        ));
    }
    let st = state.clone();
    let wire = state
        .db(move |c| {
            let stored = requests::create(c, &st, &who, input)?;
            requests::to_wire(c, &stored, &st)
        })
        .await?;
    Ok(wire)
}

/// Replaces a request's title, description and items (its author).
pub async fn edit(
    state: &AppState,
    who: Principal,
    id: String,
    input: ChangeRequestInput,
) -> Result<WireRequest, ApiError> {
    who.require(Permission::ChangeRequestsWrite)?;
    crate::error::forbid_nul(&input)?;
    check_text("title", &input.title, MAX_TITLE)?;
    check_text("description", &input.description, MAX_TEXT)?;
    if input.title.trim().is_empty() {
        return Err(ApiError::unprocessable(
            "invalid_field",
            "title must not be empty",
        ));
    }
    let items = requests::items_from_wire(input.items)?;
    let st = state.clone();
    let wire = state
        .db(move |c| {
            let stored = c.write(|c| {
                let mut stored = requests::load_visible(c, &st, &who, &id)?;
                if input.domain != stored.domain.name {
                    return Err(ApiError::unprocessable(
                        "domain_fixed",
                        "a change request stays in its domain",
                    ));
                }
                let mut wf = stored.workflow()?;
                let version = requests::current_version(c)?;
                let events = wf
                    .edit(
                        &who.actor(),
                        &requests::roles(&stored.domain, &st.settings),
                        version,
                        items,
                    )
                    .map_err(requests::refusal)?;
                let now = now_ms();
                stored.row.title = input.title.trim().to_owned();
                stored.row.description = input.description;
                stored.row.lint = "[]".to_owned();
                requests::save(c, &mut stored, &wf, now)?;
                requests::record_events(c, now, &who.subject, &id, &events)?;
                Ok::<_, ApiError>(stored)
            })?;
            requests::to_wire(c, &stored, &st)
        })
        .await?;
    Ok(wire)
}

/// Submits a request for review (its author), linting it first.
pub async fn submit(state: &AppState, who: Principal, id: String) -> Result<WireRequest, ApiError> {
    who.require(Permission::ChangeRequestsWrite)?;
    let st = state.clone();
    let wire = state
        .db(move |c| {
            let stored = requests::submit(c, &st, &who, &id)?;
            requests::to_wire(c, &stored, &st)
        })
        .await?;
    Ok(wire)
}

/// Withdraws a request (its author or an admin).
pub async fn withdraw(
    state: &AppState,
    who: Principal,
    id: String,
) -> Result<WireRequest, ApiError> {
    who.require(Permission::ChangeRequestsWrite)?;
    let st = state.clone();
    let wire = state
        .db(move |c| {
            let stored = c.write(|c| {
                let mut stored = requests::load_visible(c, &st, &who, &id)?;
                let mut wf = stored.workflow()?;
                let events = wf.withdraw(&who.actor()).map_err(requests::refusal)?;
                let now = now_ms();
                requests::save(c, &mut stored, &wf, now)?;
                requests::record_events(c, now, &who.subject, &id, &events)?;
                Ok::<_, ApiError>(stored)
            })?;
            requests::to_wire(c, &stored, &st)
        })
        .await?;
    Ok(wire)
}

/// Publishes an approved request: exactly one new catalog version, all items or none.
pub async fn publish(
    state: &AppState,
    who: Principal,
    id: String,
) -> Result<WireRequest, ApiError> {
    who.require(Permission::ChangeRequestsWrite)?;
    let st = state.clone();
    let today = time::OffsetDateTime::now_utc().date();
    let (wire, snapshot) = state
        .db(move |c| {
            let (stored, snapshot) = requests::publish(c, &st, &who, &id, today)?;
            Ok((requests::to_wire(c, &stored, &st)?, snapshot))
        })
        .await?;
    state.catalog.offer(snapshot);
    Ok(wire)
}

/// Reviews a request: approve, request changes or reject, with a comment. Never its author.
pub async fn review(
    state: &AppState,
    who: Principal,
    id: String,
    input: ReviewInput,
) -> Result<WireRequest, ApiError> {
    who.require(Permission::ReviewsWrite)?;
    crate::error::forbid_nul(&input)?;
    check_text("comment", &input.comment, MAX_TEXT)?;
    let verdict: Verdict = input
        .verdict
        .parse()
        .map_err(|e| ApiError::unprocessable("invalid_verdict", format!("{e}")))?;
    let st = state.clone();
    let wire = state
        .db(move |c| {
            let stored = requests::review(c, &st, &who, &id, verdict, input.comment)?;
            requests::to_wire(c, &stored, &st)
        })
        .await?;
    Ok(wire)
}

/// Comments on a request.
pub async fn comment(
    state: &AppState,
    who: Principal,
    id: String,
    input: CommentInput,
) -> Result<WireRequest, ApiError> {
    if who.require(Permission::ChangeRequestsWrite).is_err() {
        who.require(Permission::ReviewsWrite)?;
    }
    crate::error::forbid_nul(&input)?;
    check_text("body", &input.body, MAX_TEXT)?;
    if input.body.trim().is_empty() {
        return Err(ApiError::unprocessable(
            "invalid_field",
            "body must not be empty",
        ));
    }
    let st = state.clone();
    let wire = state
        .db(move |c| {
            let stored = c.write(|c| {
                let mut stored = requests::load_visible(c, &st, &who, &id)?;
                let now = now_ms();
                let row = CommentRow {
                    id: uuid::Uuid::new_v4().to_string(),
                    change_request_id: id.clone(),
                    author: who.subject.clone(),
                    author_name: who.name.clone(),
                    body: input.body,
                    created_at: now,
                };
                rows::insert_comment(c, &row)?;
                audit::record(
                    c,
                    now,
                    NewEvent {
                        actor: &who.subject,
                        action: "change_request.commented",
                        target_type: "change_request",
                        target_id: &id,
                        before: None,
                        after: Some(json!({ "comment": row.id })),
                    },
                )?;
                stored.comments.push(row);
                Ok::<_, ApiError>(stored)
            })?;
            requests::to_wire(c, &stored, &st)
        })
        .await?;
    Ok(wire)
}

/// Changes a domain's description, owners, reviewers or audience (registry admins), recording
/// the change in the audit log in the same transaction.
pub async fn update_domain(
    state: &AppState,
    who: &Principal,
    name: String,
    patch: DomainPatch,
) -> Result<Domain, ApiError> {
    use crate::handlers::domains::{to_wire, validate_groups};
    who.require_admin()?;
    crate::error::forbid_nul(&patch)?;
    if let Some(o) = &patch.owners {
        validate_groups("owners", o)?;
    }
    if let Some(r) = &patch.reviewers {
        validate_groups("reviewers", r)?;
    }
    let actor = who.subject.clone();
    let now = now_ms();
    let updated = state
        .db(move |c| {
            c.write(|c| {
                let before = domain::by_name(c, &name)?.ok_or(ApiError::NotFound)?;
                let mut row = before.clone();
                if let Some(d) = patch.description {
                    row.description = d;
                }
                if let Some(o) = patch.owners {
                    row.owners = to_json_text(&o);
                }
                if let Some(r) = patch.reviewers {
                    row.reviewers = to_json_text(&r);
                }
                if let Some(a) = patch.audience {
                    row.audience = a;
                }
                row.updated_at = now;
                domain::update(c, &row)?;
                audit::record(
                    c,
                    now,
                    NewEvent {
                        actor: &actor,
                        action: "domain.updated",
                        target_type: "domain",
                        target_id: &row.name,
                        before: Some(json!(to_wire(&before))),
                        after: Some(json!(to_wire(&row))),
                    },
                )?;
                Ok(row)
            })
        })
        .await?;
    Ok(to_wire(&updated))
}
