//! Publishing: an approved change request becomes exactly one new catalog version, all items or
//! none, inside the registry's write lock so concurrent publishers (even on other replicas) take
//! turns and never skip or repeat a version.

use serde_json::json;
use time::Date;

use crate::audit::{self, NewEvent};
use crate::auth::principal::Principal;
use crate::catalog::{CatalogDocument, Snapshot, digest_hex};
use crate::config::Settings;
use crate::db::DbConnection;
use crate::db::models::catalog_version::{self, CatalogVersionRow};
use crate::db::models::scope::{self, ScopeChangeRow, ScopeRow};
use crate::db::models::to_json_text;
use crate::error::ApiError;
use crate::requests::{self, Stored};
use crate::workflow::PublishContext;

/// Publishes `stored`; call inside [`DbConnection::write`]. Returns the new version's snapshot.
pub fn publish(
    conn: &mut DbConnection,
    policy: &scope_lint::Policy,
    settings: &Settings,
    stored: &mut Stored,
    who: &Principal,
    now: i64,
    today: Date,
) -> Result<Snapshot, ApiError> {
    let (current_version, current) = requests::current_catalog(conn)?;
    // Ownership was checked when the request was written; whoever publishes (a reviewer, say)
    // need not own the domain.
    let (lint, lint_errors) = requests::lint(conn, policy, &current, &stored.items, None)?;
    let mut wf = stored.workflow()?;
    let roles = requests::roles(&stored.domain, settings);
    let plan = wf
        .plan_publish(
            &who.actor(),
            &roles,
            &PublishContext {
                policy,
                current: &current,
                current_version,
                today,
                lint_errors,
            },
        )
        .map_err(|e| match e {
            crate::workflow::WorkflowError::LintErrors { .. } => {
                requests::refusal(e).with("lint", json!(lint))
            }
            other => requests::refusal(other),
        })?;
    let events = wf.publish(plan.version).map_err(requests::refusal)?;
    let version = i64::try_from(plan.version).map_err(ApiError::internal)?;
    let body = CatalogDocument::new(plan.version, &plan.catalog).to_canonical_json();
    let digest = digest_hex(body.as_bytes());
    catalog_version::insert(
        conn,
        &CatalogVersionRow {
            version,
            change_request_id: Some(stored.row.id.clone()),
            published_by: who.subject.clone(),
            published_at: now,
            digest: digest.clone(),
            body: body.clone(),
        },
    )?;
    for change in &plan.changes {
        scope::upsert(
            conn,
            &ScopeRow::from_definition(&stored.domain.id, &change.after),
        )?;
        scope::insert_change(
            conn,
            &ScopeChangeRow {
                scope_name: change.name.clone(),
                version,
                change_request_id: Some(stored.row.id.clone()),
                kind: change.kind.as_str().to_owned(),
                before: change.before.as_ref().map(to_json_text),
                after: Some(to_json_text(&change.after)),
            },
        )?;
    }
    crate::catalog::listen::notify(conn, plan.version)?;
    stored.row.published_version = Some(version);
    stored.row.lint = serde_json::to_string(&lint).unwrap_or_else(|_| "[]".to_owned());
    requests::save(conn, stored, &wf, now)?;
    requests::record_events(conn, now, &who.subject, &stored.row.id, &events)?;
    audit::record(
        conn,
        now,
        NewEvent {
            actor: &who.subject,
            action: "catalog.published",
            target_type: "catalog_version",
            target_id: &plan.version.to_string(),
            before: Some(json!({ "version": current_version })),
            after: Some(json!({
                "version": plan.version,
                "digest": digest,
                "change_request": stored.row.id,
                "changes": plan.changes.iter().map(|c| json!({ "name": c.name, "kind": c.kind })).collect::<Vec<_>>(),
            })),
        },
    )?;
    Snapshot::from_body(plan.version, &body).map_err(ApiError::internal)
}

/// Creates catalog version 0, the empty catalog, unless a version exists. Idempotent, and safe
/// when several replicas start at once (it runs under the write lock).
pub fn ensure_genesis(conn: &mut DbConnection, now: i64) -> Result<(), ApiError> {
    conn.write(|c| {
        if catalog_version::latest_number(c)?.is_some() {
            return Ok(());
        }
        let body = CatalogDocument {
            version: 0,
            scopes: Vec::new(),
        }
        .to_canonical_json();
        let digest = digest_hex(body.as_bytes());
        catalog_version::insert(
            c,
            &CatalogVersionRow {
                version: 0,
                change_request_id: None,
                published_by: "scope-registry".to_owned(),
                published_at: now,
                digest: digest.clone(),
                body,
            },
        )?;
        audit::record(
            c,
            now,
            NewEvent {
                actor: "scope-registry",
                action: "catalog.initialized",
                target_type: "catalog_version",
                target_id: "0",
                before: None,
                after: Some(json!({ "version": 0, "digest": digest })),
            },
        )?;
        Ok(())
    })
}

/// The current version as a snapshot, from the database.
pub fn load_current(conn: &mut DbConnection) -> Result<Option<Snapshot>, ApiError> {
    let Some(row) = catalog_version::latest(conn)? else {
        return Ok(None);
    };
    let version = u64::try_from(row.version).map_err(ApiError::internal)?;
    Snapshot::from_body(version, &row.body)
        .map(Some)
        .map_err(ApiError::internal)
}
