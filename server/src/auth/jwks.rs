//! The issuer's signing keys: a JWK Set fetched over HTTPS, cached, and refetched at a bounded rate.
//!
//! Keys come only from here — from the configured `jwks_uri` or from a set given at construction for a
//! trusted local issuer (demo mode). Nothing a token carries (`jku`, `x5u`, `jwk`, `x5c`) ever adds a key.
//!
//! Refresh policy:
//! - a token whose `kid` is not in the cache triggers a refetch, at most one per
//!   `jwks_refresh_min_interval`; concurrent requests wait for that one fetch instead of starting their own
//!   (a `tokio::sync::Mutex` serialises fetches, and a waiter re-checks the cache when it gets the lock);
//! - a cache older than `jwks_max_age` is refreshed by the first request that notices (others keep using
//!   the cached keys meanwhile), so a key the issuer withdrew stops being trusted within that age;
//! - a failed refetch keeps the keys we have (and is retried no sooner than the interval); only when no key
//!   set was ever fetched does validation fail, with `KeysUnavailable`.
//!
//! Plain `http` is refused for the JWKS URL except on loopback hosts: over a network, whoever can tamper
//! with that response can mint tokens we would accept. On `127.0.0.1`, `::1` or `localhost` the bytes never
//! leave the machine, and that is where tests and a locally run identity provider live.

use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{
    AlgorithmParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm, KeyOperations, PublicKeyUse,
};
use jsonwebtoken::{Algorithm, DecodingKey};
use reqwest::Url;
use serde::Deserialize;

use super::jwt::ConfigError;

/// Largest JWKS response we read. Real ones are a few KiB; this bounds memory if the endpoint misbehaves.
pub const MAX_JWKS_BYTES: usize = 256 * 1024;
/// Timeout for one JWKS fetch, connection and body included.
pub const JWKS_FETCH_TIMEOUT: Duration = Duration::from_secs(5);

const MIN_RSA_MODULUS_BITS: usize = 2048;
const MAX_RSA_MODULUS_BITS: usize = 8192;

/// Why a JWKS fetch failed. Logged by the cache; never shown to API callers.
#[derive(Debug, thiserror::Error)]
pub enum JwksError {
    #[error("JWKS request failed: {0}")]
    Http(#[from] reqwest::Error),
    #[error("JWKS endpoint answered HTTP {0}")]
    Status(u16),
    #[error("JWKS response is larger than {MAX_JWKS_BYTES} bytes")]
    TooLarge,
    #[error("JWKS response is not a JSON object with a `keys` array")]
    NotAJwkSet,
    #[error("JWKS contains no usable signature key ({skipped} key(s) skipped)")]
    NoUsableKeys { skipped: usize },
    #[error("keys are fixed at start-up; there is nothing to fetch")]
    Static,
}

/// The kind of public key a JWK holds, after checking that it is well-formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    Rsa,
    EcP256,
    EcP384,
    Ed25519,
    /// Present in the set (so its `kid` is known) but never used to verify a token: a symmetric key, an
    /// encryption key, an unknown key type or curve, or key material that does not parse.
    Unusable,
}

/// One key of the set, converted once when the set is loaded.
#[derive(Clone)]
pub(crate) struct VerificationKey {
    kid: String,
    kind: KeyKind,
    /// The JWK's `alg`, if it had one. A key that names an algorithm is used for that algorithm only.
    alg: Option<Algorithm>,
    key: Option<DecodingKey>,
}

impl fmt::Debug for VerificationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerificationKey")
            .field("kid", &self.kid)
            .field("kind", &self.kind)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

impl VerificationKey {
    /// Whether this key may verify a token signed with `alg`: the key type and curve match the algorithm,
    /// the key is meant for signatures, and its own `alg`, if any, is the same.
    pub(crate) fn fits(&self, alg: Algorithm) -> bool {
        if self.alg.is_some_and(|own| own != alg) {
            return false;
        }
        matches!(
            (self.kind, alg),
            (
                KeyKind::Rsa,
                Algorithm::RS256
                    | Algorithm::RS384
                    | Algorithm::RS512
                    | Algorithm::PS256
                    | Algorithm::PS384
                    | Algorithm::PS512
            ) | (KeyKind::EcP256, Algorithm::ES256)
                | (KeyKind::EcP384, Algorithm::ES384)
                | (KeyKind::Ed25519, Algorithm::EdDSA)
        )
    }

    pub(crate) fn decoding_key(&self) -> Option<&DecodingKey> {
        self.key.as_ref()
    }

    /// Converts a JWK. Keys without a `kid` are dropped (tokens must name their key); everything else is
    /// kept, possibly as `Unusable`, so that a token naming an unusable key is told apart from one naming
    /// an unknown key (and does not trigger a refetch).
    fn from_jwk(jwk: &Jwk) -> Option<Self> {
        let kid = jwk.common.key_id.clone().filter(|kid| !kid.is_empty())?;
        let unusable = |why: &str| {
            tracing::debug!(kid = %kid, why, "JWKS key will not be used for signatures");
            Some(Self {
                kid: kid.clone(),
                kind: KeyKind::Unusable,
                alg: None,
                key: None,
            })
        };

        match &jwk.common.public_key_use {
            None | Some(PublicKeyUse::Signature) => {}
            Some(_) => return unusable("`use` is not `sig`"),
        }
        if let Some(ops) = &jwk.common.key_operations
            && !ops.contains(&KeyOperations::Verify)
        {
            return unusable("`key_ops` lacks `verify`");
        }
        let alg = match jwk.common.key_algorithm {
            None => None,
            Some(KeyAlgorithm::HS256 | KeyAlgorithm::HS384 | KeyAlgorithm::HS512) => {
                return unusable("symmetric `alg`");
            }
            Some(key_alg) => match Algorithm::try_from(key_alg) {
                Ok(alg) => Some(alg),
                Err(_) => return unusable("`alg` is not a signature algorithm"),
            },
        };

        let parsed = match &jwk.algorithm {
            AlgorithmParameters::RSA(rsa) => rsa_key(&rsa.n, &rsa.e).map(|key| (KeyKind::Rsa, key)),
            AlgorithmParameters::EllipticCurve(ec) => match ec.curve {
                EllipticCurve::P256 => ec_key(&ec.x, &ec.y, 32).map(|key| (KeyKind::EcP256, key)),
                EllipticCurve::P384 => ec_key(&ec.x, &ec.y, 48).map(|key| (KeyKind::EcP384, key)),
                _ => Err("unsupported curve"),
            },
            AlgorithmParameters::OctetKeyPair(okp) => match okp.curve {
                EllipticCurve::Ed25519 => ed25519_key(&okp.x).map(|key| (KeyKind::Ed25519, key)),
                _ => Err("unsupported curve"),
            },
            // A symmetric key in a JWKS is either a mistake or an invitation to algorithm confusion.
            AlgorithmParameters::OctetKey(_) => Err("symmetric key"),
            _ => Err("unsupported key type"),
        };
        match parsed {
            Ok((kind, key)) => {
                let candidate = Self {
                    kid: kid.clone(),
                    kind,
                    alg,
                    key: Some(key),
                };
                if let Some(alg) = alg
                    && !candidate.fits(alg)
                {
                    return unusable("`alg` does not match the key type");
                }
                if !key_parses(kind, &candidate) {
                    return unusable("key material does not parse");
                }
                Some(candidate)
            }
            Err(why) => unusable(why),
        }
    }
}

fn b64(value: &str) -> Result<Vec<u8>, &'static str> {
    URL_SAFE_NO_PAD.decode(value).map_err(|_| "not base64url")
}

fn rsa_key(n: &str, e: &str) -> Result<DecodingKey, &'static str> {
    let n = b64(n)?;
    let e = b64(e)?;
    let n_digits = strip_leading_zeros(&n);
    let bits = n_digits.first().map_or(0, |first| {
        n_digits.len() * 8 - first.leading_zeros() as usize
    });
    if !(MIN_RSA_MODULUS_BITS..=MAX_RSA_MODULUS_BITS).contains(&bits) {
        return Err("RSA modulus size out of range (2048..=8192 bits)");
    }
    let e_digits = strip_leading_zeros(&e);
    let exponent = if e_digits.len() <= 8 {
        e_digits
            .iter()
            .fold(0u64, |acc, byte| (acc << 8) | u64::from(*byte))
    } else {
        0
    };
    if exponent < 3 || exponent % 2 == 0 || exponent >= 1 << 33 {
        return Err("RSA exponent out of range");
    }
    Ok(DecodingKey::from_rsa_raw_components(&n, &e))
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default()
}

fn ec_key(x: &str, y: &str, coordinate_len: usize) -> Result<DecodingKey, &'static str> {
    if b64(x)?.len() != coordinate_len || b64(y)?.len() != coordinate_len {
        return Err("EC coordinates have the wrong length for the curve");
    }
    DecodingKey::from_ec_components(x, y).map_err(|_| "EC coordinates do not parse")
}

fn ed25519_key(x: &str) -> Result<DecodingKey, &'static str> {
    // The crypto backend slices the first 32 bytes without checking, so the length is checked here.
    if b64(x)?.len() != 32 {
        return Err("Ed25519 public key is not 32 bytes");
    }
    DecodingKey::from_ed_components(x).map_err(|_| "Ed25519 public key does not parse")
}

/// Builds a verifier once, which decodes the point (EC, Ed25519), so a key that is not on its curve is
/// found when the set is loaded rather than on every request.
fn key_parses(kind: KeyKind, key: &VerificationKey) -> bool {
    let alg = match kind {
        KeyKind::Rsa => return true, // sizes checked in `rsa_key`; the backend checks the rest on use
        KeyKind::EcP256 => Algorithm::ES256,
        KeyKind::EcP384 => Algorithm::ES384,
        KeyKind::Ed25519 => Algorithm::EdDSA,
        KeyKind::Unusable => return false,
    };
    match (
        jsonwebtoken::crypto::CryptoProvider::try_get_default(),
        key.decoding_key(),
    ) {
        (Some(provider), Some(decoding_key)) => {
            (provider.verifier_factory)(&alg, decoding_key).is_ok()
        }
        _ => false,
    }
}

/// An immutable, loaded key set.
#[derive(Debug, Default)]
pub(crate) struct KeySet {
    keys: Vec<VerificationKey>,
}

impl KeySet {
    fn from_jwks(jwks: &JwkSet) -> Self {
        Self {
            keys: jwks
                .keys
                .iter()
                .filter_map(VerificationKey::from_jwk)
                .collect(),
        }
    }

    /// Parses a JWKS document key by key, so that one key the library cannot represent does not hide the
    /// others.
    fn parse(body: &[u8]) -> Result<Self, JwksError> {
        #[derive(Deserialize)]
        struct RawSet {
            keys: Vec<serde_json::Value>,
        }
        let raw: RawSet = serde_json::from_slice(body).map_err(|_| JwksError::NotAJwkSet)?;
        let total = raw.keys.len();
        let keys: Vec<VerificationKey> = raw
            .keys
            .into_iter()
            .filter_map(|value| serde_json::from_value::<Jwk>(value).ok())
            .filter_map(|jwk| VerificationKey::from_jwk(&jwk))
            .collect();
        let set = Self { keys };
        if set.usable_count() == 0 {
            return Err(JwksError::NoUsableKeys { skipped: total });
        }
        Ok(set)
    }

    pub(crate) fn usable_count(&self) -> usize {
        self.keys
            .iter()
            .filter(|key| key.kind != KeyKind::Unusable)
            .count()
    }

    pub(crate) fn contains(&self, kid: &str) -> bool {
        self.keys.iter().any(|key| key.kid == kid)
    }

    /// The keys with this `kid` that may verify a token signed with `alg`.
    pub(crate) fn matching(
        &self,
        kid: &str,
        alg: Algorithm,
    ) -> impl Iterator<Item = &VerificationKey> {
        self.keys
            .iter()
            .filter(move |key| key.kid == kid && key.fits(alg))
    }
}

/// What a lookup found.
#[derive(Debug)]
pub(crate) enum KeyLookup {
    /// The set contains the `kid` (whether a key of it fits the token is for the caller to decide).
    Found(Arc<KeySet>),
    /// Keys are loaded but none has this `kid`, even after any refetch allowed now.
    UnknownKid,
    /// No key set was ever loaded.
    Unavailable,
}

#[derive(Debug)]
struct Loaded {
    keys: Arc<KeySet>,
    fetched_at: Instant,
}

#[derive(Debug)]
struct Remote {
    url: Url,
    client: reqwest::Client,
    /// Serialises fetches and remembers when the last one was attempted (successful or not).
    last_attempt: tokio::sync::Mutex<Option<Instant>>,
    min_interval: Duration,
    max_age: Duration,
}

/// The key cache behind a `TokenValidator`: either remote (fetched from a JWKS URL) or fixed.
#[derive(Debug)]
pub struct JwksCache {
    loaded: RwLock<Option<Loaded>>,
    remote: Option<Remote>,
    /// Tests move this cache's clock forward instead of sleeping.
    #[cfg(test)]
    clock_offset: std::sync::Mutex<Duration>,
}

impl JwksCache {
    /// A cache that fetches from `jwks_uri`. Nothing is fetched until `prefetch` or the first lookup.
    pub fn remote(
        jwks_uri: &str,
        min_interval: Duration,
        max_age: Duration,
    ) -> Result<Self, ConfigError> {
        let url = check_jwks_url(jwks_uri)?;
        let loopback = is_loopback(&url);
        let mut builder = reqwest::Client::builder()
            .timeout(JWKS_FETCH_TIMEOUT)
            .connect_timeout(JWKS_FETCH_TIMEOUT)
            // A redirect could lead anywhere, including to plain http; the configured URL must be final.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("scope-registry/", env!("CARGO_PKG_VERSION")))
            .https_only(!loopback);
        if loopback {
            // A proxy from the environment must not see (or answer) loopback requests.
            builder = builder.no_proxy();
        }
        let client = builder.build().map_err(|e| {
            ConfigError::new(
                "token.jwks_uri",
                format!("cannot build an HTTP client: {e}"),
            )
        })?;
        Ok(Self {
            loaded: RwLock::new(None),
            remote: Some(Remote {
                url,
                client,
                last_attempt: tokio::sync::Mutex::new(None),
                min_interval,
                max_age,
            }),
            #[cfg(test)]
            clock_offset: std::sync::Mutex::new(Duration::ZERO),
        })
    }

    /// A cache holding exactly these keys, never fetching. Fails if none of them can verify a signature.
    pub fn fixed(jwks: &JwkSet) -> Result<Self, ConfigError> {
        let keys = KeySet::from_jwks(jwks);
        if keys.usable_count() == 0 {
            return Err(ConfigError::new(
                "token (static keys)",
                "contains no usable signature key".to_owned(),
            ));
        }
        let cache = Self {
            loaded: RwLock::new(None),
            remote: None,
            #[cfg(test)]
            clock_offset: std::sync::Mutex::new(Duration::ZERO),
        };
        cache.store(keys);
        Ok(cache)
    }

    /// Fetches the key set now (for start-up), regardless of the refresh interval. On failure, keys
    /// already cached stay in use. Returns the number of usable keys.
    pub async fn prefetch(&self) -> Result<usize, JwksError> {
        let Some(remote) = &self.remote else {
            return Err(JwksError::Static);
        };
        let mut last_attempt = remote.last_attempt.lock().await;
        *last_attempt = Some(self.now());
        let keys = self.fetch(remote).await?;
        let usable = keys.usable_count();
        self.store(keys);
        Ok(usable)
    }

    /// Whether a key set is loaded (for a readiness probe).
    pub fn has_keys(&self) -> bool {
        self.current().is_some()
    }

    pub(crate) async fn lookup(&self, kid: &str) -> KeyLookup {
        let Some(remote) = &self.remote else {
            return match self.current() {
                Some((keys, _)) if keys.contains(kid) => KeyLookup::Found(keys),
                Some(_) => KeyLookup::UnknownKid,
                None => KeyLookup::Unavailable,
            };
        };

        if let Some((keys, fetched_at)) = self.current()
            && keys.contains(kid)
        {
            if self.now().saturating_duration_since(fetched_at) >= remote.max_age {
                self.refresh_stale(remote).await;
                if let Some((fresh, _)) = self.current()
                    && fresh.contains(kid)
                {
                    return KeyLookup::Found(fresh);
                }
                return KeyLookup::UnknownKid;
            }
            return KeyLookup::Found(keys);
        }

        // Unknown kid, or nothing loaded yet: wait for the single fetch allowed now (if any).
        {
            let mut last_attempt = remote.last_attempt.lock().await;
            // While we waited, another request may have fetched a set that has this kid.
            let found_meanwhile = self.current().is_some_and(|(keys, _)| keys.contains(kid));
            let due = last_attempt
                .is_none_or(|at| self.now().saturating_duration_since(at) >= remote.min_interval);
            if !found_meanwhile && due {
                *last_attempt = Some(self.now());
                self.fetch_and_store(remote).await;
            }
        }

        match self.current() {
            Some((keys, _)) if keys.contains(kid) => KeyLookup::Found(keys),
            Some(_) => KeyLookup::UnknownKid,
            None => KeyLookup::Unavailable,
        }
    }

    /// Refreshes an old set unless someone else is already fetching (then the cached keys serve).
    async fn refresh_stale(&self, remote: &Remote) {
        let Ok(mut last_attempt) = remote.last_attempt.try_lock() else {
            return;
        };
        let fresh = self
            .current()
            .is_some_and(|(_, at)| self.now().saturating_duration_since(at) < remote.max_age);
        let due = last_attempt
            .is_none_or(|at| self.now().saturating_duration_since(at) >= remote.min_interval);
        if !fresh && due {
            *last_attempt = Some(self.now());
            self.fetch_and_store(remote).await;
        }
    }

    async fn fetch_and_store(&self, remote: &Remote) {
        match self.fetch(remote).await {
            Ok(keys) => self.store(keys),
            Err(error) => {
                let keeping = self.current().map_or(0, |(keys, _)| keys.usable_count());
                tracing::warn!(
                    jwks_uri = %remote.url,
                    %error,
                    cached_keys = keeping,
                    "JWKS refresh failed; keeping the keys already cached"
                );
            }
        }
    }

    #[tracing::instrument(name = "jwks_fetch", skip_all, fields(jwks_uri = %remote.url))]
    async fn fetch(&self, remote: &Remote) -> Result<KeySet, JwksError> {
        let mut response = remote
            .client
            .get(remote.url.clone())
            .header(
                reqwest::header::ACCEPT,
                "application/jwk-set+json, application/json",
            )
            .send()
            .await?;
        if !response.status().is_success() {
            return Err(JwksError::Status(response.status().as_u16()));
        }
        if response
            .content_length()
            .is_some_and(|len| len > MAX_JWKS_BYTES as u64)
        {
            return Err(JwksError::TooLarge);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await? {
            if body.len() + chunk.len() > MAX_JWKS_BYTES {
                return Err(JwksError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        let keys = KeySet::parse(&body)?;
        tracing::info!(usable_keys = keys.usable_count(), "JWKS fetched");
        Ok(keys)
    }

    fn store(&self, keys: KeySet) {
        let loaded = Loaded {
            keys: Arc::new(keys),
            fetched_at: self.now(),
        };
        *self.loaded.write().unwrap_or_else(PoisonError::into_inner) = Some(loaded);
    }

    fn current(&self) -> Option<(Arc<KeySet>, Instant)> {
        self.loaded
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|loaded| (Arc::clone(&loaded.keys), loaded.fetched_at))
    }

    #[cfg(not(test))]
    fn now(&self) -> Instant {
        Instant::now()
    }

    #[cfg(test)]
    fn now(&self) -> Instant {
        Instant::now()
            + *self
                .clock_offset
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
    }

    /// Moves this cache's clock forward (tests only).
    #[cfg(test)]
    pub(crate) fn advance_clock(&self, by: Duration) {
        *self
            .clock_offset
            .lock()
            .unwrap_or_else(PoisonError::into_inner) += by;
    }
}

/// Accepts `https` URLs, and `http` only on loopback hosts (see the module documentation).
fn check_jwks_url(jwks_uri: &str) -> Result<Url, ConfigError> {
    const SETTING: &str = "token.jwks_uri";
    let url = Url::parse(jwks_uri)
        .map_err(|e| ConfigError::new(SETTING, format!("is not a valid URL ({e})")))?;
    if url.host().is_none() {
        return Err(ConfigError::new(SETTING, "must name a host".to_owned()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ConfigError::new(
            SETTING,
            "must not contain credentials".to_owned(),
        ));
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(ConfigError::new(
            SETTING,
            "must use https (plain http is accepted only for loopback hosts: 127.0.0.1, ::1, localhost)"
                .to_owned(),
        )),
        _ => Err(ConfigError::new(SETTING, "must be an https URL".to_owned())),
    }
}

fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    // IPv6 literals come bracketed; the URL parser has already normalised IPv4 forms (`127.1` and the like).
    let literal = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    match literal.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A loopback HTTP server that answers every request with the current (status, body) and counts
    /// requests. The thread lives as long as the test process.
    #[derive(Debug, Clone)]
    pub(crate) struct JwksServer {
        pub(crate) url: String,
        response: Arc<Mutex<(u16, String)>>,
        hits: Arc<AtomicUsize>,
    }

    impl JwksServer {
        pub(crate) fn start(body: String) -> Self {
            let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
            let url = format!(
                "http://{}/jwks.json",
                listener.local_addr().expect("local addr")
            );
            let response = Arc::new(Mutex::new((200, body)));
            let hits = Arc::new(AtomicUsize::new(0));
            let (thread_response, thread_hits) = (Arc::clone(&response), Arc::clone(&hits));
            std::thread::spawn(move || {
                for stream in listener.incoming().flatten() {
                    thread_hits.fetch_add(1, Ordering::SeqCst);
                    let (status, body) = thread_response.lock().expect("lock").clone();
                    answer(stream, status, &body);
                }
            });
            Self {
                url,
                response,
                hits,
            }
        }

        pub(crate) fn set(&self, status: u16, body: String) {
            *self.response.lock().expect("lock") = (status, body);
        }

        pub(crate) fn hits(&self) -> usize {
            self.hits.load(Ordering::SeqCst)
        }
    }

    fn answer(mut stream: TcpStream, status: u16, body: &str) {
        let mut request = Vec::new();
        let mut buf = [0u8; 1024];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => request.extend_from_slice(&buf[..n]),
            }
        }
        let extra = if status == 302 {
            "Location: http://127.0.0.1:9/elsewhere\r\n"
        } else {
            ""
        };
        let head = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(body.as_bytes());
    }

    /// A loopback URL on which nothing listens.
    pub(crate) fn dead_url() -> String {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let addr = listener.local_addr().expect("local addr");
        drop(listener);
        format!("http://{addr}/jwks.json")
    }

    fn remote(url: &str) -> JwksCache {
        JwksCache::remote(url, Duration::from_secs(30), Duration::from_secs(3600))
            .expect("valid url")
    }

    fn ed_jwk(kid: &str, x: &[u8]) -> serde_json::Value {
        serde_json::json!({"kty": "OKP", "crv": "Ed25519", "kid": kid, "x": URL_SAFE_NO_PAD.encode(x)})
    }

    fn valid_ed_x() -> Vec<u8> {
        ed25519_dalek::SigningKey::from_bytes(&[7u8; 32])
            .verifying_key()
            .to_bytes()
            .to_vec()
    }

    #[test]
    fn jwks_urls_https_or_loopback_http_only() {
        for ok in [
            "https://idp.example.com/jwks",
            "http://127.0.0.1:8080/jwks",
            "http://[::1]:8080/jwks",
            "http://localhost/jwks",
            "http://LOCALHOST:1/jwks",
        ] {
            assert!(check_jwks_url(ok).is_ok(), "{ok} should be accepted");
        }
        for bad in [
            "http://idp.example.com/jwks",
            "http://127.0.0.1.nip.io/jwks",
            "http://localhost.example.com/jwks",
            "http://10.0.0.1/jwks",
            "ftp://idp.example.com/jwks",
            "file:///etc/jwks.json",
            "https://user:pw@idp.example.com/jwks",
            "not a url",
            "",
        ] {
            let error = check_jwks_url(bad).expect_err(bad);
            assert!(error.to_string().starts_with("token.jwks_uri "), "{error}");
        }
    }

    #[test]
    fn malformed_and_unsuitable_keys_are_kept_unusable_never_panic() {
        let body = serde_json::json!({"keys": [
            ed_jwk("short", &[1u8; 16]),          // would panic the backend if not checked
            ed_jwk("long", &[1u8; 64]),
            ed_jwk("good", &valid_ed_x()),
            {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
            {"kty": "RSA", "kid": "small", "n": URL_SAFE_NO_PAD.encode([0xffu8; 128]), "e": "AQAB"},
            {"kty": "RSA", "kid": "even-e", "n": URL_SAFE_NO_PAD.encode([0xffu8; 256]), "e": "AQAA"},
            {"kty": "EC", "crv": "P-256", "kid": "off-curve", "x": URL_SAFE_NO_PAD.encode([1u8; 32]), "y": URL_SAFE_NO_PAD.encode([2u8; 32])},
            {"kty": "EC", "crv": "P-521", "kid": "p521", "x": "AA", "y": "AA"},
            {"kty": "OKP", "crv": "Ed25519", "kid": "enc", "use": "enc", "x": URL_SAFE_NO_PAD.encode(valid_ed_x())},
            {"kty": "OKP", "crv": "Ed25519", "kid": "ops", "key_ops": ["encrypt"], "x": URL_SAFE_NO_PAD.encode(valid_ed_x())},
            {"kty": "OKP", "crv": "Ed25519", "kid": "wrong-alg", "alg": "RS256", "x": URL_SAFE_NO_PAD.encode(valid_ed_x())},
            {"kty": "weird", "kid": "weird"},
            {"kty": "OKP", "crv": "Ed25519", "x": URL_SAFE_NO_PAD.encode(valid_ed_x())},
            "not even an object",
        ]});
        let set = KeySet::parse(body.to_string().as_bytes()).expect("one usable key");
        assert_eq!(set.usable_count(), 1);
        assert_eq!(set.matching("good", Algorithm::EdDSA).count(), 1);
        for kid in [
            "short",
            "long",
            "hmac",
            "small",
            "even-e",
            "off-curve",
            "p521",
            "enc",
            "ops",
            "wrong-alg",
            "weird",
        ] {
            assert!(set.contains(kid), "{kid} should be known");
            for alg in [
                Algorithm::EdDSA,
                Algorithm::RS256,
                Algorithm::ES256,
                Algorithm::HS256,
            ] {
                assert_eq!(
                    set.matching(kid, alg).count(),
                    0,
                    "{kid} must not verify {alg:?}"
                );
            }
        }
    }

    #[test]
    fn a_set_without_usable_keys_is_an_error() {
        let body = serde_json::json!({"keys": [{"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"}]});
        assert!(matches!(
            KeySet::parse(body.to_string().as_bytes()),
            Err(JwksError::NoUsableKeys { skipped: 1 })
        ));
        assert!(matches!(KeySet::parse(b"[]"), Err(JwksError::NotAJwkSet)));
        assert!(matches!(
            KeySet::parse(b"{\"keys\": {}}"),
            Err(JwksError::NotAJwkSet)
        ));
    }

    #[tokio::test]
    async fn oversized_redirecting_or_failing_responses_are_refused() {
        let good = serde_json::json!({"keys": [ed_jwk("good", &valid_ed_x())]}).to_string();
        let server = JwksServer::start(good.clone());
        let cache = remote(&server.url);
        assert_eq!(cache.prefetch().await.expect("fetch"), 1);

        let padding = " ".repeat(MAX_JWKS_BYTES);
        server.set(200, format!("{good}{padding}"));
        assert!(matches!(cache.prefetch().await, Err(JwksError::TooLarge)));
        server.set(302, String::new());
        assert!(matches!(
            cache.prefetch().await,
            Err(JwksError::Status(302))
        ));
        server.set(500, String::new());
        assert!(matches!(
            cache.prefetch().await,
            Err(JwksError::Status(500))
        ));
        // Failed refreshes kept the first set.
        assert!(matches!(cache.lookup("good").await, KeyLookup::Found(_)));
        assert!(cache.has_keys());
    }

    #[tokio::test]
    async fn nothing_fetched_means_unavailable_and_retries_are_rate_limited() {
        let cache = remote(&dead_url());
        assert!(matches!(cache.prefetch().await, Err(JwksError::Http(_))));
        assert!(matches!(cache.lookup("any").await, KeyLookup::Unavailable));
        assert!(!cache.has_keys());

        // The endpoint fails at start, then recovers; retries wait for the interval.
        let server = JwksServer::start(String::new());
        server.set(503, String::new());
        let cache = remote(&server.url);
        assert!(matches!(
            cache.prefetch().await,
            Err(JwksError::Status(503))
        ));
        for _ in 0..5 {
            assert!(matches!(cache.lookup("good").await, KeyLookup::Unavailable));
        }
        assert_eq!(server.hits(), 1, "failures do not make every request fetch");
        server.set(
            200,
            serde_json::json!({"keys": [ed_jwk("good", &valid_ed_x())]}).to_string(),
        );
        cache.advance_clock(Duration::from_secs(30));
        assert!(matches!(cache.lookup("good").await, KeyLookup::Found(_)));
        assert_eq!(server.hits(), 2);
        assert!(cache.has_keys());
    }

    #[tokio::test]
    async fn a_stale_set_is_refreshed_so_withdrawn_keys_stop_working() {
        let server = JwksServer::start(
            serde_json::json!({"keys": [ed_jwk("old", &valid_ed_x())]}).to_string(),
        );
        let cache = remote(&server.url);
        cache.prefetch().await.expect("fetch");
        server.set(
            200,
            serde_json::json!({"keys": [ed_jwk("new", &valid_ed_x())]}).to_string(),
        );
        assert!(matches!(cache.lookup("old").await, KeyLookup::Found(_)));
        assert_eq!(
            server.hits(),
            1,
            "a fresh set is not refetched for a known kid"
        );

        cache.advance_clock(Duration::from_secs(3601));
        assert!(matches!(cache.lookup("old").await, KeyLookup::UnknownKid));
        assert_eq!(server.hits(), 2);
        assert!(matches!(cache.lookup("new").await, KeyLookup::Found(_)));
        assert_eq!(server.hits(), 2);
    }

    #[tokio::test]
    async fn fixed_sets_never_fetch() {
        let jwks: JwkSet =
            serde_json::from_value(serde_json::json!({"keys": [ed_jwk("demo", &valid_ed_x())]}))
                .expect("jwks");
        let cache = JwksCache::fixed(&jwks).expect("usable");
        assert!(matches!(cache.lookup("demo").await, KeyLookup::Found(_)));
        assert!(matches!(cache.lookup("other").await, KeyLookup::UnknownKid));
        assert!(matches!(cache.prefetch().await, Err(JwksError::Static)));

        let empty = JwkSet { keys: vec![] };
        assert!(JwksCache::fixed(&empty).is_err());
    }
}
