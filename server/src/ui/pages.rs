//! The data of the web UI's browsing pages (versions and diffs, exports, token preview, audit
//! log, domains, dashboard), for [`UiBackend`]'s methods. Each reuses what the REST API runs:
//! the catalog history, the export renderings, scope-lint, the audit chain's verification and
//! the domain actions.

use std::collections::{BTreeMap, BTreeSet};

use scope_lint::{Catalog, Proposal, RuleLevel, ScopeDefinition, Status};
use scope_registry_frontend::api::DomainPatch;
use scope_registry_frontend::api::ui::{
    AuditPage, AuditRow, BackendError, ClaimRow, Count, Dashboard, DomainRow, DomainStatus,
    DomainsView, ExportPreview, FieldDiff, ImpliedRow, ItemDiff, Pickable, SizeLimit,
    TOKEN_PICKABLE, TokenPreview, TokenQuery, VersionDiff, VersionRow, VersionsPage,
};

use super::backend::{UiBackend, refused};
use crate::actions;
use crate::auth::principal::{Permission, Principal};
use crate::catalog::formats::Format;
use crate::catalog::history;
use crate::db::models::{audit_event, catalog_version, domain};
use crate::state::rfc3339;

/// Rows on one page of the versions list and of the audit log.
pub const ROWS: usize = 50;

/// Lines of an export the preview shows.
pub const PREVIEW_LINES: usize = 200;

fn pages(total: usize) -> u32 {
    u32::try_from(total.div_ceil(ROWS).max(1)).unwrap_or(u32::MAX)
}

/// A catalog field's value as a person reads it in a diff: text as it is, a list as its items
/// separated by commas, an object (consent texts, a deprecation) as `key: value` pairs separated
/// by ` · `, with the keys in words.
pub(crate) fn field_text(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(field_text).collect::<Vec<_>>().join(", "),
        Value::Object(map) => map
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| format!("{}: {}", k.replace('_', " "), field_text(v)))
            .collect::<Vec<_>>()
            .join(" · "),
        other => other.to_string(),
    }
}

impl UiBackend {
    pub(crate) async fn versions_page(&self, page: u32) -> Result<VersionsPage, BackendError> {
        self.reader()?;
        let current = self.snapshot()?.version;
        let total = usize::try_from(current)
            .unwrap_or(usize::MAX)
            .saturating_add(1);
        let pages = pages(total);
        let page = page.clamp(1, pages);
        // Versions are numbered 0, 1, 2, … without gaps: page p starts below this one.
        let before = i64::try_from(current)
            .unwrap_or(i64::MAX)
            .saturating_add(1)
            .saturating_sub(i64::from(page - 1) * ROWS as i64);
        let rows = self
            .state
            .db(move |c| {
                let sizes = history::sizes(c)?;
                Ok(catalog_version::list(c, Some(before), ROWS as i64)?
                    .into_iter()
                    .map(|r| {
                        let version = u64::try_from(r.version).unwrap_or_default();
                        VersionRow {
                            version,
                            published_at: rfc3339(r.published_at),
                            published_by: r.published_by,
                            change_request: r.change_request_id,
                            scopes: history::size_at(&sizes, version),
                        }
                    })
                    .collect::<Vec<_>>())
            })
            .await
            .map_err(refused)?;
        Ok(VersionsPage {
            current,
            page,
            pages,
            rows,
        })
    }

    pub(crate) async fn diff_page(
        &self,
        from: Option<u64>,
        to: u64,
    ) -> Result<VersionDiff, BackendError> {
        self.reader()?;
        let current = self.snapshot()?.version;
        let from = from.unwrap_or(to.saturating_sub(1));
        let diff = history::diff_between(&self.state, from, to)
            .await
            .map_err(refused)?;
        let n = i64::try_from(to).map_err(|_| BackendError::NotFound)?;
        let published = self
            .state
            .db(move |c| Ok(catalog_version::list(c, Some(n + 1), 1)?))
            .await
            .map_err(refused)?
            .into_iter()
            .find(|r| r.version == n)
            .map(|r| VersionRow {
                version: to,
                published_at: rfc3339(r.published_at),
                published_by: r.published_by,
                change_request: r.change_request_id,
                scopes: 0,
            });
        Ok(VersionDiff {
            from: diff.from,
            to: diff.to,
            current,
            added: diff.added,
            changed: diff
                .changed
                .into_iter()
                .map(|s| ItemDiff {
                    kind: "update".into(),
                    name: s.name,
                    fields: s
                        .fields
                        .into_iter()
                        .map(|f| FieldDiff {
                            before: field_text(&f.from),
                            after: field_text(&f.to),
                            field: f.field,
                        })
                        .collect(),
                })
                .collect(),
            deprecated: diff.deprecated,
            retired: diff.retired,
            published,
        })
    }

    pub(crate) async fn export_page(
        &self,
        format: String,
        version: Option<u64>,
    ) -> Result<ExportPreview, BackendError> {
        self.reader()?;
        let current = self.snapshot()?.version;
        let format: Format = match format.trim() {
            "" => Format::Canonical,
            f => f
                .parse()
                .map_err(|_| BackendError::Invalid(format!("There is no format {f:?}.")))?,
        };
        let version = version.unwrap_or(current);
        let snapshot = history::snapshot_at(&self.state, version)
            .await
            .map_err(refused)?;
        let rendered = snapshot
            .render(
                format,
                &self.state.catalog.options,
                self.state.catalog.signer().as_deref(),
            )
            .map_err(|why| {
                BackendError::Invalid(format!(
                    "The catalog cannot be exported as {format}: {why}."
                ))
            })?;
        // Pretty-printed, the first lines only: 10,000 scopes make megabytes.
        let pretty = serde_json::from_str::<serde_json::Value>(&rendered.body)
            .and_then(|v| serde_json::to_string_pretty(&v))
            .unwrap_or_else(|_| rendered.body.to_string());
        let lines = pretty.lines().count();
        let preview = pretty
            .lines()
            .take(PREVIEW_LINES)
            .collect::<Vec<_>>()
            .join("\n");
        let mut download = format!("/exports/{}", format.as_str());
        if version != current {
            download.push_str(&format!("?version={version}"));
        }
        Ok(ExportPreview {
            format: format.as_str().to_owned(),
            formats: Format::ALL.iter().map(|f| f.as_str().to_owned()).collect(),
            version,
            current,
            bytes: rendered.body.len() as u64,
            etag: rendered.etag.clone(),
            signed: rendered.signature.is_some(),
            preview,
            lines_left_out: lines.saturating_sub(PREVIEW_LINES) as u64,
            download,
        })
    }

    pub(crate) fn token_page(&self, query: TokenQuery) -> Result<TokenPreview, BackendError> {
        self.reader()?;
        let snapshot = self.snapshot()?;
        let by_name: BTreeMap<&str, &ScopeDefinition> = snapshot
            .document
            .scopes
            .iter()
            .map(|s| (s.name.as_str(), s))
            .collect();
        let mut picked = BTreeSet::new();
        let mut unknown = BTreeSet::new();
        for name in query
            .scopes
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
        {
            match by_name.get(name) {
                Some(s) if s.status != Status::Retired => picked.insert(s.name.clone()),
                _ => unknown.insert(name.to_owned()),
            };
        }
        let picked: Vec<String> = picked.into_iter().collect();
        let implied = implied_by(&picked, &by_name);
        let scope = picked.join(" ");
        let expanded_length = picked
            .iter()
            .chain(implied.iter().map(|i| &i.name))
            .map(|n| n.len() + 1)
            .sum::<usize>()
            .saturating_sub(1) as u64;
        let mut claims: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut deprecated = Vec::new();
        for name in picked.iter().chain(implied.iter().map(|i| &i.name)) {
            if let Some(s) = by_name.get(name.as_str()) {
                for claim in &s.claims {
                    claims.entry(claim.clone()).or_default().push(name.clone());
                }
                if s.status == Status::Deprecated {
                    deprecated.push(name.clone());
                }
            }
        }
        let words: Vec<String> = query.q.split_whitespace().map(str::to_lowercase).collect();
        let matches = |s: &ScopeDefinition| {
            s.status != Status::Retired
                && words.iter().all(|w| {
                    s.name.to_lowercase().contains(w.as_str())
                        || s.description
                            .as_deref()
                            .unwrap_or_default()
                            .to_lowercase()
                            .contains(w.as_str())
                })
        };
        let matching: Vec<&ScopeDefinition> = snapshot
            .document
            .scopes
            .iter()
            .filter(|s| matches(s))
            .collect();
        let pickable_of = |s: &ScopeDefinition| Pickable {
            name: s.name.clone(),
            description: s.description.clone().unwrap_or_default(),
            status: s.status.as_str().to_owned(),
        };
        // Picked scopes stay listed (checked), whatever the filter, so the form keeps them.
        let mut pickable: Vec<Pickable> = picked
            .iter()
            .filter_map(|n| by_name.get(n.as_str()))
            .map(|s| pickable_of(s))
            .collect();
        pickable.extend(
            matching
                .iter()
                .filter(|s| !picked.contains(&s.name))
                .take(TOKEN_PICKABLE)
                .map(|s| pickable_of(s)),
        );
        Ok(TokenPreview {
            version: snapshot.version,
            pickable,
            matching: matching.len(),
            toxic: toxic_combinations(&picked, &snapshot.document.scopes, &self.state.policy),
            limits: size_limits(&scope, picked.len()),
            unknown: unknown.into_iter().collect(),
            claims: claims
                .into_iter()
                .map(|(claim, released_by)| ClaimRow { claim, released_by })
                .collect(),
            scope,
            expanded_length,
            implied,
            deprecated,
            picked,
        })
    }

    pub(crate) async fn audit_page(&self, page: u32) -> Result<AuditPage, BackendError> {
        let who = self.principal().ok_or(BackendError::SignInRequired)?;
        who.require_admin().map_err(|_| BackendError::Forbidden)?;
        self.state
            .db(move |c| {
                let last = audit_event::last(c)?.map_or(0, |e| e.seq);
                let total = usize::try_from(last).unwrap_or_default();
                let pages = pages(total);
                let page = page.clamp(1, pages);
                // Sequence numbers run 1..=last without gaps (the verification below says so
                // when they do not): page p holds the ROWS events below last - (p-1)*ROWS.
                let top = last - i64::from(page - 1) * ROWS as i64;
                let bottom = (top - ROWS as i64).max(0);
                let mut rows: Vec<AuditRow> = audit_event::page(c, bottom, top - bottom)?
                    .into_iter()
                    .map(|r| {
                        let mut detail = r.after.or(r.before).unwrap_or_default();
                        if detail.len() > 300 {
                            let mut end = 300;
                            while !detail.is_char_boundary(end) {
                                end -= 1;
                            }
                            detail.truncate(end);
                            detail.push('…');
                        }
                        AuditRow {
                            seq: u64::try_from(r.seq).unwrap_or_default(),
                            at: rfc3339(r.at),
                            actor: r.actor,
                            action: r.action,
                            target: format!("{} {}", r.target_type, r.target_id),
                            detail,
                        }
                    })
                    .collect();
                rows.reverse();
                let verification = crate::audit::verify(c)?;
                Ok(AuditPage {
                    rows,
                    page,
                    pages,
                    checked: verification.events,
                    broken: verification.broken.map(|b| (b.seq, b.reason)),
                })
            })
            .await
            .map_err(refused)
    }

    pub(crate) async fn domains_page(&self) -> Result<DomainsView, BackendError> {
        let who = self.reader()?;
        let snapshot = self.snapshot()?;
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for s in &snapshot.document.scopes {
            *counts
                .entry(crate::workflow::domain_of(&s.name).to_owned())
                .or_default() += 1;
        }
        let rows = self
            .state
            .db(|c| Ok(domain::list(c)?))
            .await
            .map_err(refused)?;
        Ok(DomainsView {
            may_edit: who.require_admin().is_ok(),
            domains: rows
                .iter()
                .map(|row| {
                    let d = crate::handlers::domains::to_wire(row);
                    DomainRow {
                        scopes: counts.get(&d.name).copied().unwrap_or_default(),
                        name: d.name,
                        description: d.description,
                        owners: d.owners,
                        reviewers: d.reviewers,
                        audience: d.audience.unwrap_or_default(),
                    }
                })
                .collect(),
        })
    }

    pub(crate) async fn save_domain(
        &self,
        name: String,
        owners: Vec<String>,
        reviewers: Vec<String>,
        csrf: String,
    ) -> Result<(), BackendError> {
        let who = self.writer(Permission::DomainsManage, &csrf)?;
        let patch = DomainPatch {
            owners: Some(owners),
            reviewers: Some(reviewers),
            ..Default::default()
        };
        match actions::update_domain(&self.state, &who, name, patch).await {
            Ok(_) => Ok(()),
            Err(crate::error::ApiError::Forbidden { .. }) => Err(BackendError::Forbidden),
            Err(e) => Err(refused(e)),
        }
    }

    pub(crate) async fn dashboard_page(&self) -> Result<Dashboard, BackendError> {
        let who = self.reader()?;
        let snapshot = self.snapshot()?;
        let mut by_domain: BTreeMap<&str, DomainStatus> = BTreeMap::new();
        for s in &snapshot.document.scopes {
            let d = crate::workflow::domain_of(&s.name);
            let row = by_domain.entry(d).or_insert_with(|| DomainStatus {
                domain: d.to_owned(),
                active: 0,
                deprecated: 0,
                retired: 0,
            });
            match s.status {
                Status::Active => row.active += 1,
                Status::Deprecated => row.deprecated += 1,
                Status::Retired => row.retired += 1,
            }
        }
        let (request_ages, findings) = self.open_requests(&who).await?;
        let sizes = self.state.db(history::sizes).await.map_err(refused)?;
        Ok(Dashboard {
            version: snapshot.version,
            by_domain: by_domain.into_values().collect(),
            request_ages,
            findings,
            sizes: sizes
                .into_iter()
                .map(|(v, n)| Count {
                    label: v.to_string(),
                    count: n,
                })
                .collect(),
        })
    }

    /// Open requests the person may see (open, or with changes requested): how long since each
    /// was created, in buckets, and their lint findings by rule.
    async fn open_requests(
        &self,
        who: &Principal,
    ) -> Result<(Vec<Count>, Vec<Count>), BackendError> {
        const BUCKETS: [(&str, i64); 5] = [
            ("under a day", 1),
            ("1–3 days", 3),
            ("3–7 days", 7),
            ("1–4 weeks", 28),
            ("over 4 weeks", i64::MAX),
        ];
        const DAY_MS: i64 = 24 * 60 * 60 * 1000;
        let mut ages = [0u64; BUCKETS.len()];
        let mut by_rule: BTreeMap<String, u64> = BTreeMap::new();
        let now = crate::state::now_ms();
        let open = actions::open_requests(&self.state, who.clone())
            .await
            .map_err(refused)?;
        for request in open {
            let days = now.saturating_sub(request.created_at).max(0) / DAY_MS;
            let bucket = BUCKETS
                .iter()
                .position(|(_, below)| days < *below)
                .unwrap_or(BUCKETS.len() - 1);
            ages[bucket] += 1;
            for code in request.finding_codes {
                *by_rule.entry(code).or_default() += 1;
            }
        }
        let ages = BUCKETS
            .iter()
            .zip(ages)
            .map(|((label, _), count)| Count {
                label: (*label).to_owned(),
                count,
            })
            .collect();
        let rules = by_rule
            .into_iter()
            .map(|(code, count)| {
                let name = scope_lint::Rule::ALL
                    .iter()
                    .find(|r| r.code() == code)
                    .map(|r| r.name())
                    .unwrap_or_default();
                Count {
                    label: format!("{code} {name}"),
                    count,
                }
            })
            .collect();
        Ok((ages, rules))
    }
}

/// Scopes the picked ones imply, transitively, each with the picked scope it first comes
/// through; picked scopes themselves are left out.
fn implied_by(picked: &[String], by_name: &BTreeMap<&str, &ScopeDefinition>) -> Vec<ImpliedRow> {
    let mut seen: BTreeSet<&str> = picked.iter().map(String::as_str).collect();
    let mut out = Vec::new();
    for root in picked {
        let mut stack = vec![root.as_str()];
        while let Some(name) = stack.pop() {
            let Some(s) = by_name.get(name) else { continue };
            for next in &s.implies {
                if seen.insert(next.as_str()) {
                    out.push(ImpliedRow {
                        name: next.clone(),
                        via: root.clone(),
                    });
                    stack.push(next.as_str());
                }
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// The policy's toxic combinations the picked scopes grant together, as scope-lint's SL209
/// (toxic-combination) finds them: the first picked scope, linted as if it implied all the
/// others, with every other rule off.
fn toxic_combinations(
    picked: &[String],
    catalog: &[ScopeDefinition],
    policy: &scope_lint::Policy,
) -> Vec<String> {
    let Some(first) = picked.first() else {
        return Vec::new();
    };
    if policy.toxic_combinations.is_empty() {
        return Vec::new();
    }
    let mut only_toxic = policy.clone();
    for rule in scope_lint::Rule::ALL {
        if *rule != scope_lint::Rule::ToxicCombination {
            only_toxic.rules.set(*rule, RuleLevel::Off);
        }
    }
    only_toxic
        .rules
        .set(scope_lint::Rule::ToxicCombination, RuleLevel::Error);
    let mut token = catalog
        .iter()
        .find(|s| s.name == *first)
        .cloned()
        .unwrap_or_else(|| ScopeDefinition::named(first.as_str()));
    token.implies.extend(picked.iter().skip(1).cloned());
    let catalog = Catalog {
        version: None,
        domains: None,
        scopes: catalog.to_vec(),
    };
    let prefix = format!("`{first}` grants ");
    scope_lint::lint(
        &[Proposal::full(token).changing()],
        Some(&catalog),
        &only_toxic,
    )
    .into_iter()
    .filter(|d| d.rule == scope_lint::Rule::ToxicCombination)
    .map(|d| match d.message.strip_prefix(&prefix) {
        Some(rest) => format!("This token grants {rest}"),
        None => d.message,
    })
    .collect()
}

/// How the `scope` string measures against limits it commonly runs into. Only documented
/// numbers, each with its source:
/// - RFC 9110 section 4.1 recommends that senders and recipients support URIs of at least
///   8000 octets: the authorization request carries `scope` in its query string
///   (`application/x-www-form-urlencoded`, so `:` takes 3 bytes and a space 1).
/// - Apache httpd's `LimitRequestFieldSize` defaults to 8190 bytes per request header line, and
///   nginx's `large_client_header_buffers` defaults to `4 8k` (one header line at most 8 KiB):
///   a JWT access token (RFC 9068) travels in the `Authorization` header, its payload
///   base64url-encoded, so the `scope` claim alone takes 4/3 of its JSON.
/// - RFC 6265 section 6.1: user agents should support cookies of at least 4096 bytes (a token
///   kept in a cookie).
fn size_limits(scope: &str, count: usize) -> Vec<SizeLimit> {
    let form_encoded: usize = scope
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'*' | b' ') {
                1
            } else {
                3
            }
        })
        .sum::<usize>()
        + "scope=".len();
    // `"scope":"…",` in the JWT payload, base64url without padding.
    let claim_json = scope.len() + r#""scope":"","#.len();
    let in_jwt = if count == 0 {
        0
    } else {
        (claim_json * 4).div_ceil(3)
    };
    let form = if count == 0 { 0 } else { form_encoded };
    let limit = |what: &str, limit: u64, used: usize, source: &str, url: &str| SizeLimit {
        what: what.to_owned(),
        limit,
        used: used as u64,
        unit: "bytes".to_owned(),
        source: source.to_owned(),
        source_url: url.to_owned(),
    };
    vec![
        limit(
            "Authorization request URL (scope parameter, form-encoded)",
            8000,
            form,
            "RFC 9110 §4.1: URIs of at least 8000 octets should be supported",
            "https://www.rfc-editor.org/rfc/rfc9110#section-4.1",
        ),
        limit(
            "Authorization header, Apache httpd (scope claim of a JWT, base64url)",
            8190,
            in_jwt,
            "Apache httpd LimitRequestFieldSize default",
            "https://httpd.apache.org/docs/2.4/mod/core.html#limitrequestfieldsize",
        ),
        limit(
            "Authorization header, nginx (scope claim of a JWT, base64url)",
            8192,
            in_jwt,
            "nginx large_client_header_buffers default (4 8k)",
            "https://nginx.org/en/docs/http/ngx_http_core_module.html#large_client_header_buffers",
        ),
        limit(
            "Token in a cookie (scope claim of a JWT, base64url)",
            4096,
            in_jwt,
            "RFC 6265 §6.1: at least 4096 bytes per cookie",
            "https://www.rfc-editor.org/rfc/rfc6265#section-6.1",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(name: &str, implies: &[&str], claims: &[&str]) -> ScopeDefinition {
        let mut s = ScopeDefinition::named(name);
        s.implies = implies.iter().map(|s| (*s).to_owned()).collect();
        s.claims = claims.iter().map(|s| (*s).to_owned()).collect();
        s
    }

    #[test]
    fn implied_scopes_are_followed_transitively_once() {
        let all = [
            scope("a:b:manage", &["a:b:write"], &[]),
            scope("a:b:write", &["a:b:read", "a:b:manage"], &[]),
            scope("a:b:read", &[], &[]),
        ];
        let by_name = all.iter().map(|s| (s.name.as_str(), s)).collect();
        let implied = implied_by(&["a:b:manage".to_owned()], &by_name);
        let names: Vec<&str> = implied.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["a:b:read", "a:b:write"]);
        assert!(implied.iter().all(|i| i.via == "a:b:manage"));
    }

    #[test]
    fn the_limits_measure_the_encoded_scope() {
        let limits = size_limits("a:b:read a:b:write", 2);
        // 6 for "scope=", 13 letters, 4 colons of 3 bytes each, one space.
        assert_eq!(limits[0].used, 6 + 13 + 12 + 1);
        // `"scope":"",` is 11 bytes: (18 + 11) * 4 / 3, rounded up.
        assert_eq!(limits[1].used, 39);
        assert!(size_limits("", 0).iter().all(|l| l.used == 0));
    }
}
