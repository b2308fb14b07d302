//! The catalog signing keys: where they come from, which one signs, which are published, and
//! rotation.
//!
//! Every key is recorded in the database (`settings`, key `catalog.signing_keys`, a JSON list), so
//! every replica publishes the same set:
//!
//! - Without `catalog.signing_key_file`, the registry creates an Ed25519 key on first start and
//!   keeps it in the list, private half included (origin `db`); `scope-registry signing-key
//!   rotate` creates a new one and makes it the active key.
//! - With `catalog.signing_key_file`, that file's key signs, and the list records only its public
//!   half (origin `file`). A replica starting with a key the list does not have makes it the
//!   active key; one whose key is listed already (an older replica restarting during a rolling
//!   deploy) changes nothing.
//! - Making a key active retires the one before (`retired_at`). A version is signed when a replica
//!   installs it, so a retired key still signs on replicas that have not switched yet, and clients
//!   hold files signed with it: the published key set has the active key and every key retired
//!   less than the grace period ago (`catalog.retired_key_grace_hours`, default 7 days), plus the
//!   key the replica itself signs with. Older keys stay in the list, for the record, unpublished.
//! - A replica without a key file signs with the active key, or, when that is a file's key (whose
//!   private half it does not have), with the newest database key. Running replicas read the list
//!   at most once a second, with their check for newer catalog versions, and follow it: a new
//!   signing key re-signs the version being served, without a restart.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jsonwebtoken::jwk::{
    AlgorithmParameters, CommonParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm,
    OctetKeyPairParameters, OctetKeyPairType, PublicKeyUse,
};
use serde::{Deserialize, Serialize};

use super::signing::{CatalogSigner, key_id, public_x};
use crate::auth::jwt::{MintError, TokenMinter};
use crate::db::DbConnection;
use crate::db::models::setting;

/// Where the list is kept (table `settings`).
pub const KEYS_SETTING: &str = "catalog.signing_keys";

/// Whether a key signs new representations or only verifies older ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyStatus {
    Active,
    Retired,
}

/// Where a key's private half lives.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyOrigin {
    /// Made by the registry and kept in the database.
    #[default]
    Db,
    /// A configured key file; the database has only the public half.
    File,
}

impl fmt::Display for KeyStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Active => "active",
            Self::Retired => "retired",
        })
    }
}

impl fmt::Display for KeyOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Db => "db",
            Self::File => "file",
        })
    }
}

/// One key of the list.
#[derive(Clone, Serialize)]
pub struct KeyRecord {
    pub kid: String,
    /// The public key, base64url (a JWK's `x`).
    pub x: String,
    /// The private key, PKCS#8 PEM: only for keys the registry made, never for a key file's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pem: Option<String>,
    pub origin: KeyOrigin,
    pub status: KeyStatus,
    /// Unix milliseconds; unknown for keys recorded before rotation existed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<i64>,
    /// Unix milliseconds, for retired keys.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retired_at: Option<i64>,
}

impl fmt::Debug for KeyRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRecord")
            .field("kid", &self.kid)
            .field("origin", &self.origin)
            .field("status", &self.status)
            .field("retired_at", &self.retired_at)
            .finish_non_exhaustive()
    }
}

/// A list entry as stored. The first format had only `kid` and `pem`: such a list reads as its
/// last key active and the others retired at an unknown time.
#[derive(Deserialize)]
struct StoredKey {
    kid: String,
    #[serde(default)]
    x: Option<String>,
    #[serde(default)]
    pem: Option<String>,
    #[serde(default)]
    origin: KeyOrigin,
    #[serde(default)]
    status: Option<KeyStatus>,
    #[serde(default)]
    created_at: Option<i64>,
    #[serde(default)]
    retired_at: Option<i64>,
}

impl KeyRecord {
    /// Published at `now`: the active key, and a retired one until `grace` has passed (or when
    /// its retirement time is unknown).
    pub fn is_published(&self, now_ms: i64, grace: Duration) -> bool {
        let grace_ms = i64::try_from(grace.as_millis()).unwrap_or(i64::MAX);
        match (self.status, self.retired_at) {
            (KeyStatus::Active, _) | (KeyStatus::Retired, None) => true,
            (KeyStatus::Retired, Some(at)) => now_ms.saturating_sub(at) < grace_ms,
        }
    }

    /// The public key as a JWK (`kty: OKP`, `crv: Ed25519`, `alg: EdDSA`, `use: sig`).
    pub fn jwk(&self) -> Jwk {
        Jwk {
            common: CommonParameters {
                public_key_use: Some(PublicKeyUse::Signature),
                key_algorithm: Some(KeyAlgorithm::EdDSA),
                key_id: Some(self.kid.clone()),
                ..CommonParameters::default()
            },
            algorithm: AlgorithmParameters::OctetKeyPair(OctetKeyPairParameters {
                key_type: OctetKeyPairType::OctetKeyPair,
                curve: EllipticCurve::Ed25519,
                x: self.x.clone(),
            }),
        }
    }

    fn minter(&self) -> Result<Option<TokenMinter>, KeyStoreError> {
        self.pem
            .as_deref()
            .map(|pem| TokenMinter::from_pkcs8_pem(self.kid.clone(), pem))
            .transpose()
            .map_err(|e| KeyStoreError::Corrupt(format!("key {}: {e}", self.kid)))
    }

    /// A new key kept in the database, the registry's own.
    fn generate(now_ms: i64) -> Result<(Self, TokenMinter), KeyStoreError> {
        let fresh = TokenMinter::generate("pending")?;
        let x = public_x(&fresh);
        let kid = key_id(&x);
        let minter = TokenMinter::from_pkcs8_der(kid.clone(), &fresh.to_pkcs8_der())?;
        let record = Self {
            kid,
            x,
            pem: Some(minter.to_pkcs8_pem()),
            origin: KeyOrigin::Db,
            status: KeyStatus::Active,
            created_at: Some(now_ms),
            retired_at: None,
        };
        Ok((record, minter))
    }
}

/// The recorded keys, oldest first.
#[derive(Clone, Debug, Default)]
pub struct KeyList {
    keys: Vec<KeyRecord>,
    /// Something was filled in while reading (an older format): worth writing back.
    upgraded: bool,
}

impl KeyList {
    /// Reads the stored list, in its current or first format.
    pub fn parse(text: &str) -> Result<Self, KeyStoreError> {
        let stored: Vec<StoredKey> =
            serde_json::from_str(text).map_err(|e| KeyStoreError::Corrupt(e.to_string()))?;
        let any_status = stored.iter().any(|k| k.status.is_some());
        let last = stored.len().saturating_sub(1);
        let mut upgraded = false;
        let mut keys = Vec::with_capacity(stored.len());
        for (i, k) in stored.into_iter().enumerate() {
            let status = k.status.unwrap_or_else(|| {
                upgraded = true;
                if !any_status && i == last {
                    KeyStatus::Active
                } else {
                    KeyStatus::Retired
                }
            });
            let mut record = KeyRecord {
                kid: k.kid,
                x: k.x.unwrap_or_default(),
                pem: k.pem,
                origin: k.origin,
                status,
                created_at: k.created_at,
                retired_at: k.retired_at,
            };
            if record.x.is_empty() {
                let minter = record.minter()?.ok_or_else(|| {
                    KeyStoreError::Corrupt(format!("key {} has no public key", record.kid))
                })?;
                record.x = public_x(&minter);
                upgraded = true;
            }
            keys.push(record);
        }
        Ok(Self { keys, upgraded })
    }

    pub fn to_json(&self) -> Result<String, KeyStoreError> {
        serde_json::to_string(&self.keys).map_err(|e| KeyStoreError::Corrupt(e.to_string()))
    }

    /// Every recorded key, oldest first.
    pub fn records(&self) -> &[KeyRecord] {
        &self.keys
    }

    /// The key that signs new representations.
    pub fn active(&self) -> Option<&KeyRecord> {
        self.keys
            .iter()
            .rev()
            .find(|k| k.status == KeyStatus::Active)
    }

    fn get(&self, kid: &str) -> Option<&KeyRecord> {
        self.keys.iter().find(|k| k.kid == kid)
    }

    /// What a replica without a key file signs with: the active key if it is a database key,
    /// else the newest database key.
    fn database_key(&self) -> Option<&KeyRecord> {
        self.active()
            .filter(|k| k.pem.is_some())
            .or_else(|| self.keys.iter().rev().find(|k| k.pem.is_some()))
    }

    /// Makes `record` the active key; the active one before it is retired now.
    fn make_active(&mut self, mut record: KeyRecord, now_ms: i64) -> Option<KeyRecord> {
        let mut retired = None;
        for k in &mut self.keys {
            if k.status == KeyStatus::Active {
                k.status = KeyStatus::Retired;
                k.retired_at = Some(now_ms);
                retired = Some(k.clone());
            }
        }
        record.status = KeyStatus::Active;
        record.retired_at = None;
        self.keys.push(record);
        retired
    }

    /// Gives retired keys of unknown retirement time one now, so their grace period can end;
    /// whether there were any.
    fn date_retirements(&mut self, now_ms: i64) -> bool {
        let mut any = false;
        for k in &mut self.keys {
            if k.status == KeyStatus::Retired && k.retired_at.is_none() {
                k.retired_at = Some(now_ms);
                any = true;
            }
        }
        any
    }

    /// The keys published at `now` (see the module's documentation), in list order.
    pub fn published(&self, now_ms: i64, grace: Duration) -> impl Iterator<Item = &KeyRecord> {
        self.keys
            .iter()
            .filter(move |k| k.is_published(now_ms, grace))
    }
}

/// Why the key list cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyStoreError {
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("the stored catalog signing keys ({KEYS_SETTING}) cannot be read: {0}")]
    Corrupt(String),
    #[error("cannot create a catalog signing key: {0}")]
    Create(#[from] MintError),
    #[error("no catalog signing key to sign with")]
    NoKey,
}

/// The stored list's text, as read by a running replica each interval.
pub fn read_text(conn: &mut DbConnection) -> diesel::QueryResult<Option<String>> {
    setting::get(conn, KEYS_SETTING)
}

/// The stored list (empty before the registry's first start).
pub fn read(conn: &mut DbConnection) -> Result<KeyList, KeyStoreError> {
    read_text(conn)?.map_or_else(|| Ok(KeyList::default()), |t| KeyList::parse(&t))
}

/// At start, under the write lock so replicas agree: records `file`'s key (the active key unless
/// it is listed already), or, without a key file, creates a database key if there is none to
/// sign with; brings a list of the first format up to date. The list as stored.
pub fn prepare(
    conn: &mut DbConnection,
    file: Option<&FileKey>,
    now_ms: i64,
) -> Result<KeyList, KeyStoreError> {
    conn.write(|c| {
        let mut list = read(c)?;
        let mut changed = list.upgraded | list.date_retirements(now_ms);
        match file {
            Some(f) => match list.get(f.kid()) {
                None => {
                    let retired = list.make_active(f.record(now_ms), now_ms);
                    changed = true;
                    tracing::info!(
                        kid = f.kid(),
                        retired = retired.as_ref().map(|r| r.kid.as_str()),
                        "catalog signing key from the key file is now the active key"
                    );
                }
                Some(listed) if listed.status == KeyStatus::Retired => tracing::warn!(
                    kid = f.kid(),
                    retired_at = %listed.retired_at.map(crate::state::rfc3339).unwrap_or_default(),
                    "the key file's catalog signing key was retired; this replica keeps signing \
                     with it, and other replicas publish it only for the grace period"
                ),
                Some(_) => {}
            },
            None if list.database_key().is_none() => {
                let (record, _) = KeyRecord::generate(now_ms)?;
                list.make_active(record, now_ms);
                changed = true;
            }
            None => {}
        }
        if changed {
            setting::put(c, KEYS_SETTING, &list.to_json()?)?;
        }
        list.upgraded = false;
        Ok(list)
    })
}

/// What a rotation did.
#[derive(Debug)]
pub struct Rotation {
    pub active: KeyRecord,
    pub retired: Option<KeyRecord>,
}

/// Creates a database key and makes it the active one, under the write lock; the active key
/// before it is retired now and stays published for the grace period.
pub fn rotate(conn: &mut DbConnection, now_ms: i64) -> Result<Rotation, KeyStoreError> {
    conn.write(|c| {
        let mut list = read(c)?;
        list.date_retirements(now_ms);
        let (record, _) = KeyRecord::generate(now_ms)?;
        let retired = list.make_active(record.clone(), now_ms);
        setting::put(c, KEYS_SETTING, &list.to_json()?)?;
        Ok(Rotation {
            active: record,
            retired,
        })
    })
}

/// The key of `catalog.signing_key_file`.
#[derive(Debug)]
pub struct FileKey {
    path: PathBuf,
    key: Arc<TokenMinter>,
    x: String,
}

const ED25519_OID: &str = "1.3.101.112";

impl FileKey {
    /// Reads a PKCS#8 PEM Ed25519 private key (`openssl genpkey -algorithm ed25519`). The error
    /// says what is wrong with the file, never what is in it. Warns when the file is readable by
    /// others than its owner.
    pub fn read(path: &Path) -> Result<Self, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read it: {e}"))?;
        warn_if_exposed(path);
        let text = std::str::from_utf8(&bytes).map_err(|_| {
            "not a PEM file (binary content); convert a DER key with `openssl pkey -inform DER -outform PEM`"
                .to_owned()
        })?;
        let der = pem_private_key(text)?;
        let info = ed25519_dalek::pkcs8::PrivateKeyInfoRef::try_from(der.as_slice())
            .map_err(|_| "the PEM block is not a PKCS#8 private key".to_owned())?;
        let oid = info.algorithm.oid.to_string();
        if oid != ED25519_OID {
            let what = match oid.as_str() {
                "1.2.840.113549.1.1.1" => "an RSA key".to_owned(),
                "1.2.840.10045.2.1" => "an elliptic-curve (ECDSA) key".to_owned(),
                "1.3.101.113" => "an Ed448 key".to_owned(),
                "1.3.101.110" | "1.3.101.111" => "an X25519/X448 key".to_owned(),
                other => format!("a key of algorithm {other}"),
            };
            return Err(format!(
                "{what}, not Ed25519; write one with `openssl genpkey -algorithm ed25519`"
            ));
        }
        let key = TokenMinter::from_pkcs8_der("pending", &der)
            .map_err(|_| "not a valid Ed25519 private key".to_owned())?;
        let x = public_x(&key);
        let key = TokenMinter::from_pkcs8_der(key_id(&x), &der)
            .map_err(|_| "not a valid Ed25519 private key".to_owned())?;
        Ok(Self {
            path: path.to_owned(),
            key: Arc::new(key),
            x,
        })
    }

    pub fn kid(&self) -> &str {
        self.key.kid()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn record(&self, now_ms: i64) -> KeyRecord {
        KeyRecord {
            kid: self.kid().to_owned(),
            x: self.x.clone(),
            pem: None,
            origin: KeyOrigin::File,
            status: KeyStatus::Active,
            created_at: Some(now_ms),
            retired_at: None,
        }
    }
}

/// The DER inside the first `-----BEGIN PRIVATE KEY-----` block, or what the file is instead.
fn pem_private_key(text: &str) -> Result<Vec<u8>, String> {
    use base64::Engine as _;
    const HINT: &str = "write one with `openssl genpkey -algorithm ed25519`";
    let mut lines = text.lines().map(str::trim);
    let Some(begin) = lines.find(|l| l.starts_with("-----BEGIN ")) else {
        return Err(format!(
            "not a PEM file (no -----BEGIN line); expected a PKCS#8 Ed25519 private key: {HINT}"
        ));
    };
    let label = begin
        .trim_start_matches("-----BEGIN ")
        .trim_end_matches('-');
    match label {
        "PRIVATE KEY" => {}
        "ENCRYPTED PRIVATE KEY" => {
            return Err(
                "an encrypted private key; the registry reads an unencrypted PKCS#8 \
                 key (decrypt it with `openssl pkey`) and relies on the file's permissions"
                    .to_owned(),
            );
        }
        other => {
            let named = other.len() <= 40
                && other
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == ' ');
            let what = if named {
                format!("a PEM {other:?} block")
            } else {
                "an unknown PEM block".to_owned()
            };
            return Err(format!(
                "{what}, not a PKCS#8 private key (-----BEGIN PRIVATE KEY-----); {HINT}"
            ));
        }
    }
    let mut base64 = String::new();
    for line in lines.by_ref() {
        if line == "-----END PRIVATE KEY-----" {
            return base64::engine::general_purpose::STANDARD
                .decode(&base64)
                .map_err(|_| "the PEM block's base64 is damaged".to_owned());
        }
        base64.push_str(line);
    }
    Err("the PEM block has no -----END PRIVATE KEY----- line".to_owned())
}

#[cfg(unix)]
fn warn_if_exposed(path: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    if let Ok(meta) = std::fs::metadata(path) {
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            tracing::warn!(
                file = %path.display(),
                mode = format!("{mode:04o}"),
                "the catalog signing key file is accessible to others than its owner; chmod 600 it"
            );
        }
    }
}

#[cfg(not(unix))]
fn warn_if_exposed(_path: &Path) {}

/// What a running replica needs to follow the list: its key file's key, the grace period, and
/// the list as last read.
#[derive(Debug)]
pub struct KeyRing {
    file: Option<Arc<TokenMinter>>,
    grace: Duration,
    last: Mutex<Option<(String, Arc<KeyList>)>>,
}

impl KeyRing {
    pub fn new(file: Option<&FileKey>, grace: Duration) -> Self {
        Self {
            file: file.map(|f| f.key.clone()),
            grace,
            last: Mutex::default(),
        }
    }

    /// The signer `list` calls for at `now`, or `None` when `current` is that already.
    pub fn signer(
        &self,
        list: &KeyList,
        now_ms: i64,
        current: Option<&CatalogSigner>,
    ) -> Result<Option<CatalogSigner>, KeyStoreError> {
        let wanted = match (&self.file, list.database_key(), current) {
            (Some(file), _, _) => file.kid().to_owned(),
            (None, Some(record), _) => record.kid.clone(),
            // The list has no key to sign with (edited by hand?): keep the one in use.
            (None, None, Some(current)) => current.kid().to_owned(),
            (None, None, None) => return Err(KeyStoreError::NoKey),
        };
        let key = match (&self.file, current) {
            (_, Some(c)) if c.kid() == wanted => c.key().clone(),
            (Some(file), _) => file.clone(),
            (None, _) => Arc::new(
                list.get(&wanted)
                    .map(KeyRecord::minter)
                    .transpose()?
                    .flatten()
                    .ok_or(KeyStoreError::NoKey)?,
            ),
        };
        let mut keys: Vec<Jwk> = list
            .records()
            .iter()
            .filter(|k| k.kid == wanted || k.is_published(now_ms, self.grace))
            .map(KeyRecord::jwk)
            .collect();
        if list.get(&wanted).is_none() {
            keys.extend(key.jwks().keys);
        }
        let published = JwkSet { keys };
        if current.is_some_and(|c| c.kid() == wanted && *c.keys() == published) {
            return Ok(None);
        }
        Ok(Some(CatalogSigner::new(key, published)))
    }

    /// As [`KeyRing::signer`], from the stored text (parsed again only when it changed).
    pub fn follow(
        &self,
        stored: &str,
        now_ms: i64,
        current: Option<&CatalogSigner>,
    ) -> Result<Option<CatalogSigner>, KeyStoreError> {
        let list = {
            let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
            match last.as_ref() {
                Some((text, list)) if text == stored => list.clone(),
                _ => {
                    let list = Arc::new(KeyList::parse(stored)?);
                    *last = Some((stored.to_owned(), list.clone()));
                    list
                }
            }
        };
        self.signer(&list, now_ms, current)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;

    fn db_key(now: i64) -> KeyRecord {
        KeyRecord::generate(now).unwrap().0
    }

    #[test]
    fn the_first_format_reads_as_its_last_key_active() {
        let (a, b) = (db_key(0), db_key(0));
        let old = serde_json::json!([
            { "kid": a.kid, "pem": a.pem },
            { "kid": b.kid, "pem": b.pem },
        ]);
        let list = KeyList::parse(&old.to_string()).unwrap();
        assert!(list.upgraded);
        assert_eq!(list.active().unwrap().kid, b.kid);
        assert_eq!(list.records()[0].status, KeyStatus::Retired);
        assert_eq!(list.records()[0].x, a.x, "public key derived from the PEM");
        // Retired at an unknown time: published until a write dates it.
        assert_eq!(list.published(100 * HOUR, Duration::ZERO).count(), 2);
        let again = KeyList::parse(&list.to_json().unwrap()).unwrap();
        assert!(!again.upgraded);
        assert_eq!(again.active().unwrap().kid, b.kid);
    }

    #[test]
    fn a_retired_key_is_published_for_the_grace_period() {
        let mut list = KeyList::default();
        list.make_active(db_key(0), 0);
        let first = list.records()[0].kid.clone();
        list.make_active(db_key(10 * HOUR), 10 * HOUR);
        let grace = Duration::from_secs(24 * 3600);
        let kids = |now| {
            list.published(now, grace)
                .map(|k| k.kid.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(kids(11 * HOUR).len(), 2);
        assert!(kids(33 * HOUR).contains(&first));
        assert_eq!(kids(34 * HOUR).len(), 1);
        assert!(!kids(34 * HOUR).contains(&first));
        assert_eq!(list.records().len(), 2, "kept in the list for the record");
    }

    #[test]
    fn a_replica_without_a_key_file_signs_with_the_newest_database_key() {
        let mut list = KeyList::default();
        let db = db_key(0);
        list.make_active(db.clone(), 0);
        let (file_record, file_minter) = KeyRecord::generate(HOUR).unwrap();
        let file_key = FileKey {
            path: PathBuf::from("catalog.pem"),
            x: file_record.x.clone(),
            key: Arc::new(file_minter),
        };
        let file = KeyRecord {
            pem: None,
            origin: KeyOrigin::File,
            ..file_record
        };
        list.make_active(file.clone(), HOUR);
        let grace = Duration::from_secs(7 * 24 * 3600);
        let ring = KeyRing::new(None, grace);
        let signer = ring.signer(&list, HOUR, None).unwrap().unwrap();
        assert_eq!(signer.kid(), db.kid);
        assert_eq!(signer.keys().keys.len(), 2);
        // Nothing changed: no new signer.
        assert!(ring.signer(&list, HOUR, Some(&signer)).unwrap().is_none());
        // Past the grace period its own key is still published, by this replica.
        let much_later = HOUR + 8 * 24 * HOUR;
        let kids = |signer: &CatalogSigner| {
            signer
                .keys()
                .keys
                .iter()
                .map(|k| k.common.key_id.clone().unwrap())
                .collect::<Vec<_>>()
        };
        let later = ring.signer(&list, much_later, None).unwrap().unwrap();
        assert_eq!(later.kid(), db.kid);
        assert_eq!(kids(&later), [db.kid.clone(), file.kid.clone()]);
        // A replica with the key file signs with it, and by then publishes only it.
        let with_file = KeyRing::new(Some(&file_key), grace);
        let signer = with_file.signer(&list, HOUR, None).unwrap().unwrap();
        assert_eq!(signer.kid(), file.kid);
        assert_eq!(kids(&signer), [db.kid.clone(), file.kid.clone()]);
        let later = with_file
            .signer(&list, much_later, Some(&signer))
            .unwrap()
            .unwrap();
        assert_eq!(kids(&later), [file.kid.as_str()]);
    }

    #[test]
    fn key_files_are_checked_and_never_echoed() {
        let dir = std::env::temp_dir().join(format!("signing-keys-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let write = |name: &str, text: &[u8]| {
            let path = dir.join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        let minter = TokenMinter::generate("x").unwrap();
        let pem = minter.to_pkcs8_pem();
        let good = FileKey::read(&write("good.pem", pem.as_bytes())).unwrap();
        assert_eq!(good.x, public_x(&minter));
        assert_eq!(good.kid(), key_id(&public_x(&minter)));

        let mut ed448 = minter.to_pkcs8_der();
        ed448[11] = 0x71; // 1.3.101.112 -> 1.3.101.113
        let ed448_pem = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &ed448)
        );
        let body: String = pem.lines().nth(1).unwrap().to_owned();
        for (name, text, expected) in [
            ("garbage.pem", "hello".to_owned(), "not a PEM file"),
            ("ed448.pem", ed448_pem, "an Ed448 key, not Ed25519"),
            (
                "rsa.pem",
                pem.replace("PRIVATE KEY", "RSA PRIVATE KEY"),
                "a PEM \"RSA PRIVATE KEY\" block",
            ),
            (
                "encrypted.pem",
                pem.replace("PRIVATE KEY", "ENCRYPTED PRIVATE KEY"),
                "an encrypted private key",
            ),
            (
                "truncated.pem",
                pem.replace("-----END PRIVATE KEY-----", ""),
                "no -----END PRIVATE KEY----- line",
            ),
            (
                "damaged.pem",
                pem.replacen(&body[..8], "!!!!!!!!", 1),
                "base64 is damaged",
            ),
        ] {
            let e = FileKey::read(&write(name, text.as_bytes())).unwrap_err();
            assert!(e.contains(expected), "{name}: {e}");
            assert!(!e.contains(&body[..16]), "{name}: echoes the key: {e}");
        }
        let e = FileKey::read(&dir.join("missing.pem")).unwrap_err();
        assert!(e.starts_with("cannot read it"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
