//! The dashboard: scopes by domain and status, open requests by age, lint findings by rule, and
//! the catalog's size over its versions. The charts are SVG drawn on the server (colours from
//! CSS classes: the CSP allows no inline style), each with its numbers in a table beside it.

use leptos::prelude::*;
use leptos_meta::Title;

use super::Problem;
use crate::api::ui::{Count, Dashboard};
use crate::server_fns::get_dashboard;

/// Width of a chart's drawing, in its own units.
const WIDTH: u64 = 640;
/// Where bars start (labels to their left).
const LABEL: u64 = 200;
const BAR: u64 = 22;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_dashboard());
    view! {
        <Title text="Dashboard" />
        <h1>"Dashboard"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <Charts d /> }.into_any(),
                    Err(error) => view! { <Problem error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A bar: its label and its segments (CSS class, value).
type Row = (String, Vec<(&'static str, u64)>);

#[component]
fn Charts(d: Dashboard) -> impl IntoView {
    let domains: Vec<Row> = d
        .by_domain
        .iter()
        .map(|r| {
            let parts = vec![
                ("bar-active", r.active),
                ("bar-deprecated", r.deprecated),
                ("bar-retired", r.retired),
            ];
            (r.domain.clone(), parts)
        })
        .collect();
    let domain_table: Vec<Vec<String>> = d
        .by_domain
        .iter()
        .map(|r| {
            vec![
                r.domain.clone(),
                r.active.to_string(),
                r.deprecated.to_string(),
                r.retired.to_string(),
            ]
        })
        .collect();
    let simple = |counts: &[Count]| -> Vec<Row> {
        counts
            .iter()
            .map(|c| (c.label.clone(), vec![("bar-count", c.count)]))
            .collect()
    };
    let table = |counts: &[Count]| -> Vec<Vec<String>> {
        counts
            .iter()
            .map(|c| vec![c.label.clone(), c.count.to_string()])
            .collect()
    };
    view! {
        <p class="summary">{format!("Catalog version {}.", d.version)}</p>
        <Chart id="by-domain" title="Scopes by domain and status"
            desc="Stacked bars per domain: active, deprecated and retired scopes."
            rows=domains.clone() legend=true
            head=vec!["Domain", "Active", "Deprecated", "Retired"] table=domain_table />
        <Chart id="ages" title="Open requests by age"
            desc="Open change requests (open or with changes requested) by time since they were created."
            rows=simple(&d.request_ages) legend=false
            head=vec!["Age", "Requests"] table=table(&d.request_ages) />
        <Chart id="findings" title="Lint findings by rule"
            desc="scope-lint findings of the open change requests, by rule."
            rows=simple(&d.findings) legend=false
            head=vec!["Rule", "Findings"] table=table(&d.findings) />
        <Growth sizes=d.sizes />
    }
}

/// Horizontal (stacked) bars with a data table as their text alternative.
#[component]
fn Chart(
    id: &'static str,
    title: &'static str,
    desc: &'static str,
    rows: Vec<Row>,
    legend: bool,
    head: Vec<&'static str>,
    table: Vec<Vec<String>>,
) -> impl IntoView {
    let max = rows
        .iter()
        .map(|(_, parts)| parts.iter().map(|(_, v)| v).sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let scale = WIDTH - LABEL - 60;
    let height = (rows.len() as u64).max(1) * (BAR + 8) + 8;
    // An empty chart says so rather than showing an empty area.
    let none = rows.is_empty().then(|| {
        view! { <text class="chart-label" x=8 y=8 + BAR * 3 / 4>"None at the moment."</text> }
    });
    let bars = rows
        .into_iter()
        .enumerate()
        .map(|(i, (label, parts))| {
            let y = 8 + i as u64 * (BAR + 8);
            let total: u64 = parts.iter().map(|(_, v)| v).sum();
            let mut x = LABEL;
            let rects = parts
                .into_iter()
                .filter(|(_, v)| *v > 0)
                .map(|(class, v)| {
                    let w = (v * scale).div_ceil(max);
                    let at = x;
                    x += w;
                    view! { <rect class=class x=at y=y width=w height=BAR /> }
                })
                .collect_view();
            let text_y = y + BAR * 3 / 4;
            view! {
                <text class="chart-label" x=LABEL - 8 y=text_y text-anchor="end">{label}</text>
                {rects}
                <text class="chart-value" x=x + 6 y=text_y>{total}</text>
            }
        })
        .collect_view();
    let (title_id, desc_id) = (format!("{id}-title"), format!("{id}-desc"));
    let labelled = format!("{title_id} {desc_id}");
    view! {
        <section class="chart" aria-labelledby=format!("{id}-h")>
            <h2 id=format!("{id}-h")>{title}</h2>
            {legend.then(|| view! {
                <p class="legend"><span class="key bar-active"></span>" active "<span class="key bar-deprecated"></span>" deprecated "<span class="key bar-retired"></span>" retired"</p>
            })}
            <svg role="img" aria-labelledby=labelled viewBox=format!("0 0 {WIDTH} {height}") class="chart-svg">
                <title id=title_id>{title}</title>
                <desc id=desc_id>{desc}</desc>
                {none}
                {bars}
            </svg>
            <Numbers head table />
        </section>
    }
}

/// The numbers behind a chart.
#[component]
fn Numbers(head: Vec<&'static str>, table: Vec<Vec<String>>) -> impl IntoView {
    let empty = table.is_empty();
    let head = head
        .into_iter()
        .map(|h| view! { <th scope="col">{h}</th> })
        .collect_view();
    let rows = table
        .into_iter()
        .map(|row| {
            let mut cells = row.into_iter();
            let first = cells.next().unwrap_or_default();
            let rest = cells.map(|c| view! { <td>{c}</td> }).collect_view();
            view! { <tr><th scope="row">{first}</th>{rest}</tr> }
        })
        .collect_view();
    view! {
        <details>
            <summary>"The numbers"</summary>
            {empty.then(|| view! { <p class="none">"Nothing to count yet."</p> })}
            <table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>
        </details>
    }
}

/// Catalog size over versions: a line through each version that added scopes.
#[component]
fn Growth(sizes: Vec<Count>) -> impl IntoView {
    let (w, h, pad) = (WIDTH, 220u64, 40u64);
    let max = sizes.iter().map(|c| c.count).max().unwrap_or(0).max(1);
    let last = sizes
        .last()
        .and_then(|c| c.label.parse::<u64>().ok())
        .unwrap_or(0)
        .max(1);
    let point = |c: &Count| {
        let v = c.label.parse::<u64>().unwrap_or(0);
        (
            pad + v * (w - 2 * pad) / last,
            h - pad - c.count * (h - 2 * pad) / max,
        )
    };
    let points = sizes
        .iter()
        .map(|c| {
            let (x, y) = point(c);
            format!("{x},{y}")
        })
        .collect::<Vec<_>>()
        .join(" ");
    let dots = sizes
        .iter()
        .map(|c| {
            let (x, y) = point(c);
            view! { <circle class="chart-dot" cx=x cy=y r="3" /> }
        })
        .collect_view();
    let table = sizes
        .iter()
        .map(|c| vec![c.label.clone(), c.count.to_string()])
        .collect();
    view! {
        <section class="chart" aria-labelledby="growth-h">
            <h2 id="growth-h">"Catalog size over versions"</h2>
            <svg role="img" aria-labelledby="growth-title growth-desc" viewBox=format!("0 0 {w} {h}") class="chart-svg">
                <title id="growth-title">"Catalog size over versions"</title>
                <desc id="growth-desc">{format!("Scopes in the catalog at each version that added scopes, up to {max} at version {last}.")}</desc>
                <line class="chart-axis" x1=pad y1=h - pad x2=w - pad y2=h - pad />
                <line class="chart-axis" x1=pad y1=pad x2=pad y2=h - pad />
                <text class="chart-label" x=pad - 6 y=pad + 4 text-anchor="end">{max}</text>
                <text class="chart-label" x=pad - 6 y=h - pad + 4 text-anchor="end">"0"</text>
                <text class="chart-label" x=w - pad y=h - pad + 18 text-anchor="end">{format!("version {last}")}</text>
                <polyline class="chart-line" points=points />
                {dots}
            </svg>
            <Numbers head=vec!["Version", "Scopes"] table />
        </section>
    }
}
