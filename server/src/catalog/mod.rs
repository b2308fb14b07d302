//! The catalog: its canonical JSON (deterministic bytes, scopes sorted by name), the in-memory
//! snapshot of the current version that the read path serves, and diffs between versions.

pub mod diff;
pub mod formats;
pub mod history;
pub mod keys_cli;
pub mod listen;
pub mod signing;
pub mod signing_keys;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};

use base64::Engine as _;
use scope_lint::ScopeDefinition;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The canonical catalog document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogDocument {
    pub version: u64,
    /// Every scope ever published (retired ones included, so nobody reuses their names),
    /// sorted by name.
    #[schema(value_type = Vec<Object>)]
    pub scopes: Vec<ScopeDefinition>,
}

impl CatalogDocument {
    pub fn new(version: u64, scopes: &BTreeMap<String, ScopeDefinition>) -> Self {
        Self {
            version,
            scopes: scopes.values().cloned().collect(),
        }
    }

    /// The exact bytes served and stored: compact JSON with a final newline. The same catalog
    /// always gives the same bytes (fields in declaration order, scopes sorted by name).
    pub fn to_canonical_json(&self) -> String {
        let mut sorted = self.clone();
        sorted.scopes.sort_by(|a, b| a.name.cmp(&b.name));
        serde_json::to_string(&sorted).unwrap_or_default() + "\n"
    }

    pub fn by_name(&self) -> BTreeMap<String, ScopeDefinition> {
        self.scopes
            .iter()
            .map(|s| (s.name.clone(), s.clone()))
            .collect()
    }

    /// The definitions of just `names` (those in the catalog), by name: what a change request's
    /// items are compared with, without copying the whole catalog.
    pub fn definitions_of<'a>(
        &self,
        names: impl IntoIterator<Item = &'a str>,
    ) -> BTreeMap<String, ScopeDefinition> {
        let wanted: std::collections::BTreeSet<&str> = names.into_iter().collect();
        self.scopes
            .iter()
            .filter(|s| wanted.contains(s.name.as_str()))
            .map(|s| (s.name.clone(), s.clone()))
            .collect()
    }
}

/// `sha-256` hex digest of the bytes.
pub fn digest_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `bytes` gzip-compressed (best compression: done once per version, served many times).
pub(crate) fn gzip(bytes: &[u8]) -> Option<Vec<u8>> {
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).ok()?;
    encoder.finish().ok()
}

/// A strong ETag derived from the content digest.
pub fn etag(bytes: &[u8]) -> String {
    format!(
        "\"{}\"",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(bytes))
    )
}

/// One version of the catalog, ready to serve.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub version: u64,
    pub body: Arc<str>,
    pub etag: String,
    pub document: Arc<CatalogDocument>,
    /// Every target format, rendered once when the snapshot is installed (empty before).
    pub formats: Arc<std::collections::BTreeMap<formats::Format, Result<Rendered, String>>>,
}

/// One rendering of a version: its exact bytes, their ETag and their signature.
#[derive(Clone, Debug)]
pub struct Rendered {
    pub body: Arc<str>,
    pub etag: String,
    /// Detached JWS over `body` ([`signing`]), when the registry signs.
    pub signature: Option<String>,
    /// `body` gzip-compressed, once, for clients that accept it.
    pub gzip: Option<Arc<[u8]>>,
}

impl Rendered {
    pub fn of(body: Arc<str>, signer: Option<&signing::CatalogSigner>) -> Self {
        Self {
            etag: etag(body.as_bytes()),
            signature: signer.map(|s| s.sign(body.as_bytes())),
            gzip: gzip(body.as_bytes()).map(Arc::from),
            body,
        }
    }
}

impl Snapshot {
    pub fn from_body(version: u64, body: &str) -> Result<Self, serde_json::Error> {
        let document: CatalogDocument = serde_json::from_str(body)?;
        Ok(Self {
            version,
            body: Arc::from(body),
            etag: etag(body.as_bytes()),
            document: Arc::new(document),
            formats: Arc::default(),
        })
    }

    /// This version in `format`: from the renderings made at install, else rendered (and
    /// signed) now, for an older version asked for by number. An error says why the format
    /// cannot be had.
    pub fn render(
        &self,
        format: formats::Format,
        options: &formats::ExportOptions,
        signer: Option<&signing::CatalogSigner>,
    ) -> Result<Rendered, String> {
        if let Some(done) = self.formats.get(&format) {
            return done.clone();
        }
        let body: Arc<str> = match format {
            formats::Format::Canonical => self.body.clone(),
            _ => Arc::from(
                formats::render(format, &self.document, options).map_err(|e| e.to_string())?,
            ),
        };
        Ok(Rendered::of(body, signer))
    }

    /// The same renderings signed by `signer` (a replica's signing key changed).
    fn resigned(&self, signer: &signing::CatalogSigner) -> Self {
        let formats = self
            .formats
            .iter()
            .map(|(f, r)| {
                let r = r.clone().map(|r| Rendered {
                    signature: Some(signer.sign(r.body.as_bytes())),
                    ..r
                });
                (*f, r)
            })
            .collect();
        Self {
            formats: Arc::new(formats),
            ..self.clone()
        }
    }

    fn with_formats(
        mut self,
        options: &formats::ExportOptions,
        signer: Option<&signing::CatalogSigner>,
    ) -> Self {
        let rendered = formats::Format::ALL
            .iter()
            .map(|f| (*f, self.render(*f, options, signer)))
            .collect();
        self.formats = Arc::new(rendered);
        self
    }
}

/// The current version, shared by all workers; replaced whole when a version is published.
/// Watchers ([`CurrentCatalog::subscribe`]) are told each new version number.
#[derive(Debug)]
pub struct CurrentCatalog {
    /// Deployment settings the formats need (token URL, default audience).
    pub options: formats::ExportOptions,
    /// Signs every rendering; `None` only where nothing is served. Replaced when the stored
    /// signing keys change ([`CurrentCatalog::follow_keys`]).
    signer: RwLock<Option<Arc<signing::CatalogSigner>>>,
    /// How to follow the stored signing keys; `None` where nothing is signed.
    key_ring: Option<signing_keys::KeyRing>,
    /// Held while a snapshot is rendered and installed, or re-signed: what is installed is
    /// always signed by the signer in force.
    install: Mutex<()>,
    snapshot: RwLock<Option<Arc<Snapshot>>>,
    /// Set while the database cannot be asked for newer versions: what is served may be stale.
    pub stale: std::sync::atomic::AtomicBool,
    /// The newest installed version, for watchers.
    changes: tokio::sync::watch::Sender<u64>,
    /// When the database was last asked whether another replica published a newer version.
    last_check: std::sync::Mutex<Option<std::time::Instant>>,
}

/// How stale a replica's snapshot may get when another replica publishes and no notification
/// arrives (SQLite, or a PostgreSQL listener reconnecting): at most this long.
pub const REPLICA_CHECK_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);

impl CurrentCatalog {
    /// Whether it is time to ask the database for a newer version (then the caller does, once).
    pub fn check_due(&self) -> bool {
        let mut last = self.last_check.lock().unwrap_or_else(|p| p.into_inner());
        let due = last.is_none_or(|t| t.elapsed() >= REPLICA_CHECK_INTERVAL);
        if due {
            *last = Some(std::time::Instant::now());
        }
        due
    }

    pub fn get(&self) -> Option<Arc<Snapshot>> {
        self.snapshot
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn new(
        options: formats::ExportOptions,
        signer: Option<Arc<signing::CatalogSigner>>,
    ) -> Self {
        Self {
            options,
            signer: RwLock::new(signer),
            ..Self::default()
        }
    }

    /// Follows the stored signing keys with `ring` ([`CurrentCatalog::follow_keys`]).
    pub fn with_key_ring(mut self, ring: signing_keys::KeyRing) -> Self {
        self.key_ring = Some(ring);
        self
    }

    /// The signer in force.
    pub fn signer(&self) -> Option<Arc<signing::CatalogSigner>> {
        self.signer
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Follows the stored signing-key list (its text, read by the caller at most once per
    /// [`REPLICA_CHECK_INTERVAL`]): a new signing key (a rotation) replaces the signer and
    /// re-signs the current version's renderings; a change in the published keys (a new key, the
    /// end of a grace period) replaces the published set. Cheap when nothing changed.
    pub fn follow_keys(&self, stored: &str) {
        let Some(ring) = &self.key_ring else {
            return;
        };
        let _install = self.install.lock().unwrap_or_else(|p| p.into_inner());
        let current = self.signer();
        let next = match ring.follow(stored, crate::state::now_ms(), current.as_deref()) {
            Ok(Some(next)) => Arc::new(next),
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, "catalog signing keys not followed; signing as before");
                return;
            }
        };
        let resign = current.as_ref().is_none_or(|c| c.kid() != next.kid());
        *self.signer.write().unwrap_or_else(|p| p.into_inner()) = Some(next.clone());
        if resign {
            tracing::info!(
                kid = next.kid(),
                previous = current.as_ref().map(|c| c.kid()),
                "catalog signing key changed; the current version is signed again"
            );
            if let Some(snapshot) = self.get() {
                let resigned = Arc::new(snapshot.resigned(&next));
                *self.snapshot.write().unwrap_or_else(|p| p.into_inner()) = Some(resigned);
            }
        }
    }

    /// Tells the newest installed version now and whenever a newer one is installed.
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// Installs `snapshot` unless a newer one is already there (replicas and races), with every
    /// format rendered once, here, rather than on each request.
    pub fn offer(&self, snapshot: Snapshot) {
        if self.get().is_some_and(|s| s.version >= snapshot.version) {
            return;
        }
        let _install = self.install.lock().unwrap_or_else(|p| p.into_inner());
        if self.get().is_some_and(|s| s.version >= snapshot.version) {
            return;
        }
        let snapshot = snapshot.with_formats(&self.options, self.signer().as_deref());
        let mut slot = self.snapshot.write().unwrap_or_else(|p| p.into_inner());
        if slot.as_ref().is_none_or(|s| s.version < snapshot.version) {
            crate::observability::METRICS
                .set_catalog_version(i64::try_from(snapshot.version).unwrap_or(i64::MAX));
            let version = snapshot.version;
            *slot = Some(Arc::new(snapshot));
            drop(slot);
            self.changes.send_replace(version);
        }
    }
}

impl Default for CurrentCatalog {
    fn default() -> Self {
        Self {
            options: formats::ExportOptions::default(),
            signer: RwLock::default(),
            key_ring: None,
            install: Mutex::default(),
            snapshot: RwLock::default(),
            stale: std::sync::atomic::AtomicBool::default(),
            changes: tokio::sync::watch::Sender::new(0),
            last_check: std::sync::Mutex::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_bytes_do_not_depend_on_order() {
        let a = ScopeDefinition::named("b:x:read");
        let b = ScopeDefinition::named("a:x:read");
        let one = CatalogDocument {
            version: 3,
            scopes: vec![a.clone(), b.clone()],
        };
        let two = CatalogDocument {
            version: 3,
            scopes: vec![b, a],
        };
        assert_eq!(one.to_canonical_json(), two.to_canonical_json());
        assert!(
            one.to_canonical_json()
                .starts_with(r#"{"version":3,"scopes":[{"name":"a:x:read""#)
        );
    }
}
