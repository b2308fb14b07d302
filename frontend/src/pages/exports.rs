//! Exports: pick a format and a version, see the start of it, download it whole (a plain link,
//! signed like the API's).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::Problem;
use crate::api::ui::ExportPreview;
use crate::server_fns::get_export_preview;

#[component]
pub fn ExportsPage() -> impl IntoView {
    let query = use_query_map();
    let wanted = Memo::new(move |_| {
        query.with(|q| {
            (
                q.get("format").unwrap_or_default(),
                q.get("version").and_then(|v| v.trim().parse::<u64>().ok()),
            )
        })
    });
    let data = Resource::new(
        move || wanted.get(),
        |(format, version)| get_export_preview(format, version),
    );
    view! {
        <Title text="Exports" />
        <h1>"Exports"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(preview) => view! { <Preview preview /> }.into_any(),
                    Err(error) => view! { <Problem error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Preview(preview: ExportPreview) -> impl IntoView {
    let options = preview
        .formats
        .iter()
        .map(|f| {
            let selected = *f == preview.format;
            view! { <option value=f.clone() selected=selected>{f.clone()}</option> }
        })
        .collect_view();
    let size = if preview.bytes >= 10_240 {
        format!("{} KiB", preview.bytes / 1024)
    } else {
        format!("{} bytes", preview.bytes)
    };
    let signed = if preview.signed {
        "signed (Catalog-Signature header, keys at /.well-known/catalog-keys.json)"
    } else {
        "not signed"
    };
    let left_out = (preview.lines_left_out > 0).then(|| {
        format!(
            "… {} more lines: download the file for all of it.",
            preview.lines_left_out
        )
    });
    let caption = format!(
        "{} export of catalog version {}",
        preview.format, preview.version
    );
    view! {
        <form class="filters" method="get" action="/exports">
            <div class="field">
                <label for="format">"Format"</label>
                <select id="format" name="format">{options}</select>
            </div>
            <div class="field">
                <label for="version">"Version"</label>
                <input id="version" name="version" type="number" min="0" max=preview.current value=preview.version />
            </div>
            <button type="submit">"Preview"</button>
        </form>
        <p>
            <a class="button" href=preview.download.clone() download="">
                {format!("Download {} (version {}, {size})", preview.format, preview.version)}
            </a>
        </p>
        <dl>
            <dt>"ETag"</dt><dd><code>{preview.etag}</code></dd>
            <dt>"Signature"</dt><dd>{signed}</dd>
        </dl>
        <h2>"Preview"</h2>
        <figure>
            <figcaption>{caption}</figcaption>
            <pre class="export" tabindex="0">{preview.preview}</pre>
            {left_out.map(|t| view! { <p class="none">{t}</p> })}
        </figure>
    }
}
