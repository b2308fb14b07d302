//! Validation of JWT access tokens (RFC 9068) from the configured issuer, and a small Ed25519 token minter
//! for tests and the demo issuer.
//!
//! Checks run from the cheapest to the dearest, and a token fails at the first one it does not pass:
//! size (8 KiB) → three base64url parts → header JSON → `alg` in the allow-list → `typ` is `at+jwt` →
//! no `crit` → `kid` present → the key with that `kid` from the issuer's JWKS (never from `jku`, `x5u`,
//! `jwk` or `x5c`) → that key fits `alg` (type, curve, `use`, `alg`) → signature → payload JSON → `iss`
//! exactly equal → `aud` contains ours → `exp` (required), `nbf`, `iat` against the clock with the leeway →
//! `sub` required → optional claims read with their types checked.
//!
//! Claim choices:
//! - `sub` is required; `client_id` is recorded when present but not required. RFC 9068 §2.2 makes
//!   `client_id` mandatory, but several providers put the client elsewhere (`azp`, `cid`), and nothing in
//!   the registry's authorization depends on it: permissions come from scopes and groups, identity from
//!   `sub`. Refusing those tokens would buy no security.
//! - Scopes are the union of `scope` (space-separated string, RFC 9068 §2.2.3) and `scp` (array, or a
//!   space-separated string), as providers differ.
//! - Groups come from a configurable claim (default `groups`): an array of strings, a single string
//!   tolerated. The name is used as is, never as a path: namespaced claims such as
//!   `https://example.com/groups` contain dots.
//! - A claim present with the wrong type fails the token (`InvalidClaim`) rather than being ignored.
//!
//! Errors name the failed check and nothing else: never the token, a claim value or a header value.
//!
//! A token that passed every check is remembered (keyed by its exact bytes) for at most
//! [`VERIFIED_CACHE_TTL`] and never past its `exp`, and only while the issuer's key set is the one
//! it was verified with: an authorization server polling the catalog sends the same token
//! thousands of times, and a signature check costs more than serving a 304. The key lookup (which
//! refreshes a stale key set) still runs on every request; a changed key set — a rotation, a key
//! withdrawn — sends every token through the whole check again. Failures are never cached.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ed25519_dalek::Signer as _;
use ed25519_dalek::pkcs8::DecodePrivateKey as _;
use jsonwebtoken::Algorithm;
use jsonwebtoken::crypto::CryptoProvider;
use jsonwebtoken::jwk::{
    AlgorithmParameters, CommonParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm,
    OctetKeyPairParameters, OctetKeyPairType, PublicKeyUse,
};
use serde_json::{Map, Value};

use super::jwks::{JwksCache, JwksError, KeyLookup, VerificationKey};

/// Tokens longer than this are refused before anything is decoded.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// The largest clock leeway the configuration accepts.
pub const MAX_LEEWAY: Duration = Duration::from_secs(60);
/// The shortest JWKS refetch interval the configuration accepts (protects the identity provider).
pub const MIN_JWKS_REFRESH_INTERVAL: Duration = Duration::from_secs(1);
const MAX_KID_BYTES: usize = 256;
/// How long a verified token is taken on trust (see the module documentation).
pub const VERIFIED_CACHE_TTL: i64 = 60;
/// At most this many verified tokens are remembered (about 2 KiB each).
const VERIFIED_CACHE_ENTRIES: usize = 10_000;

/// A configuration value that cannot be used. Displays as `<setting> <problem>`, e.g.
/// "token.leeway must be at most 60 s".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{setting} {problem}")]
pub struct ConfigError {
    setting: &'static str,
    problem: String,
}

impl ConfigError {
    pub(crate) fn new(setting: &'static str, problem: String) -> Self {
        Self { setting, problem }
    }

    /// The setting at fault, e.g. `token.leeway`.
    pub fn setting(&self) -> &'static str {
        self.setting
    }
}

/// How access tokens are validated. Build with [`TokenConfig::new`] and adjust fields; the values are
/// checked by [`TokenValidator::new`] / [`TokenValidator::with_static_keys`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenConfig {
    /// Expected `iss`, compared byte for byte (no trailing-slash or case normalisation).
    pub issuer: String,
    /// This service's identifier, which `aud` must contain.
    pub audience: String,
    /// The issuer's JWKS endpoint: https, or http on a loopback host. Unused with static keys.
    pub jwks_uri: String,
    /// Allowed signature algorithms. Symmetric (HS*) algorithms are refused; `none` cannot be expressed.
    pub algorithms: Vec<Algorithm>,
    /// Clock skew tolerated on `exp`, `nbf` and `iat`; at most [`MAX_LEEWAY`].
    pub leeway: Duration,
    /// Claim holding the caller's groups (array of strings, or one string).
    pub groups_claim: String,
    /// Claim holding the display name; `preferred_username` is the fallback.
    pub name_claim: String,
    /// An unknown `kid` triggers at most one JWKS refetch per this interval.
    pub jwks_refresh_min_interval: Duration,
    /// A key set older than this is refreshed on next use, so withdrawn keys stop being trusted.
    pub jwks_max_age: Duration,
}

impl TokenConfig {
    pub const DEFAULT_ALGORITHMS: [Algorithm; 3] =
        [Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA];
    pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(30);
    pub const DEFAULT_GROUPS_CLAIM: &'static str = "groups";
    pub const DEFAULT_NAME_CLAIM: &'static str = "name";
    pub const DEFAULT_JWKS_REFRESH_MIN_INTERVAL: Duration = Duration::from_secs(30);
    pub const DEFAULT_JWKS_MAX_AGE: Duration = Duration::from_secs(60 * 60);

    /// A configuration with the defaults for everything but the three values that identify the issuer.
    pub fn new(
        issuer: impl Into<String>,
        audience: impl Into<String>,
        jwks_uri: impl Into<String>,
    ) -> Self {
        Self {
            issuer: issuer.into(),
            audience: audience.into(),
            jwks_uri: jwks_uri.into(),
            algorithms: Self::DEFAULT_ALGORITHMS.to_vec(),
            leeway: Self::DEFAULT_LEEWAY,
            groups_claim: Self::DEFAULT_GROUPS_CLAIM.to_owned(),
            name_claim: Self::DEFAULT_NAME_CLAIM.to_owned(),
            jwks_refresh_min_interval: Self::DEFAULT_JWKS_REFRESH_MIN_INTERVAL,
            jwks_max_age: Self::DEFAULT_JWKS_MAX_AGE,
        }
    }

    /// Parses one entry of `token.algorithms` as written in configuration (`RS256`, `EdDSA`, …).
    pub fn parse_algorithm(name: &str) -> Result<Algorithm, ConfigError> {
        let alg = Algorithm::from_str(name.trim()).map_err(|_| {
            ConfigError::new(
                "token.algorithms",
                format!("contains `{name}`, which is not a JWS signature algorithm"),
            )
        })?;
        check_algorithm(alg)?;
        Ok(alg)
    }

    fn check(&self) -> Result<(), ConfigError> {
        let nonblank = |setting: &'static str, value: &str| {
            if value.trim().is_empty() || value.trim() != value {
                Err(ConfigError::new(
                    setting,
                    "must not be empty or have surrounding whitespace".to_owned(),
                ))
            } else {
                Ok(())
            }
        };
        nonblank("token.issuer", &self.issuer)?;
        nonblank("token.audience", &self.audience)?;
        nonblank("token.groups_claim", &self.groups_claim)?;
        nonblank("token.name_claim", &self.name_claim)?;
        if self.algorithms.is_empty() {
            return Err(ConfigError::new(
                "token.algorithms",
                "must not be empty".to_owned(),
            ));
        }
        for alg in &self.algorithms {
            check_algorithm(*alg)?;
        }
        if self.leeway > MAX_LEEWAY {
            return Err(ConfigError::new(
                "token.leeway",
                "must be at most 60 s".to_owned(),
            ));
        }
        if self.jwks_refresh_min_interval < MIN_JWKS_REFRESH_INTERVAL {
            return Err(ConfigError::new(
                "token.jwks_refresh_min_interval",
                "must be at least 1 s".to_owned(),
            ));
        }
        if self.jwks_max_age < self.jwks_refresh_min_interval {
            return Err(ConfigError::new(
                "token.jwks_max_age",
                "must be at least token.jwks_refresh_min_interval".to_owned(),
            ));
        }
        Ok(())
    }
}

fn check_algorithm(alg: Algorithm) -> Result<(), ConfigError> {
    if matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) {
        return Err(ConfigError::new(
            "token.algorithms",
            format!(
                "must not contain {alg:?}: symmetric algorithms are refused (only RS*, PS*, ES*, EdDSA)"
            ),
        ));
    }
    Ok(())
}

/// Why a token was refused. The HTTP layer answers all of them with the same 401 (except, by
/// recommendation, `KeysUnavailable`, see [`TokenError::is_server_side`]); [`TokenError::reason`] is for
/// logs and metrics. No variant carries any part of the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token is larger than {MAX_TOKEN_BYTES} bytes")]
    TooLarge,
    #[error("token is not a well-formed signed JWT")]
    Malformed,
    #[error("token algorithm is not allowed")]
    AlgorithmNotAllowed,
    #[error("token type is not at+jwt")]
    WrongType,
    #[error("token header has a critical extension this service does not implement")]
    UnsupportedCriticalHeader,
    #[error("token header has no kid")]
    MissingKeyId,
    #[error("token kid is not in the issuer's key set")]
    UnknownKey,
    #[error("the issuer's key with the token's kid cannot verify the token's algorithm")]
    KeyMismatch,
    #[error("token signature does not verify")]
    BadSignature,
    #[error("token issuer is not the configured issuer")]
    WrongIssuer,
    #[error("token audience does not include this service")]
    WrongAudience,
    #[error("token has expired")]
    Expired,
    #[error("token is not valid yet")]
    NotYetValid,
    #[error("token lacks the required claim `{0}`")]
    MissingClaim(&'static str),
    #[error("token claim `{0}` has the wrong type")]
    InvalidClaim(&'static str),
    #[error("the issuer's signing keys are not available")]
    KeysUnavailable,
}

impl TokenError {
    /// A stable snake_case label for logs and metrics (a bounded set of values).
    pub fn reason(&self) -> &'static str {
        match self {
            Self::TooLarge => "too_large",
            Self::Malformed => "malformed",
            Self::AlgorithmNotAllowed => "alg_not_allowed",
            Self::WrongType => "wrong_typ",
            Self::UnsupportedCriticalHeader => "unsupported_crit",
            Self::MissingKeyId => "missing_kid",
            Self::UnknownKey => "unknown_kid",
            Self::KeyMismatch => "key_mismatch",
            Self::BadSignature => "bad_signature",
            Self::WrongIssuer => "wrong_issuer",
            Self::WrongAudience => "wrong_audience",
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::MissingClaim(_) => "missing_claim",
            Self::InvalidClaim(_) => "invalid_claim",
            Self::KeysUnavailable => "keys_unavailable",
        }
    }

    /// True when the failure is ours, not the caller's: no key set could ever be fetched from the
    /// issuer. Recommended mapping: 503 with `Retry-After`, so that clients keep their (possibly valid)
    /// token and operators see an outage rather than a wave of "invalid tokens".
    pub fn is_server_side(&self) -> bool {
        matches!(self, Self::KeysUnavailable)
    }
}

/// What a valid access token says about its caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedToken {
    /// `sub`: the caller's stable identifier at the issuer.
    pub subject: String,
    /// The configured name claim, else `preferred_username`.
    pub name: Option<String>,
    /// `client_id`, when present (see the module documentation).
    pub client_id: Option<String>,
    /// Union of `scope` and `scp`.
    pub scopes: BTreeSet<String>,
    /// The configured groups claim.
    pub groups: Vec<String>,
    /// `exp`, seconds since the epoch.
    pub expires_at: i64,
    /// `iat`, seconds since the epoch.
    pub issued_at: Option<i64>,
    /// `jti`.
    pub jti: Option<String>,
}

impl VerifiedToken {
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.contains(scope)
    }
}

/// Validates access tokens. Cheap to clone (one `Arc`); share one per issuer across the app.
#[derive(Debug, Clone)]
pub struct TokenValidator {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: TokenConfig,
    keys: JwksCache,
    crypto: &'static CryptoProvider,
    verified: std::sync::Mutex<std::collections::HashMap<Box<str>, Verified>>,
}

/// A token that passed every check: with the key set it was verified against, until when.
#[derive(Debug)]
struct Verified {
    token: VerifiedToken,
    kid: String,
    keys: Arc<super::jwks::KeySet>,
    /// Trusted from when it was verified (a clock set back checks it again) until then.
    since: i64,
    until: i64,
}

impl TokenValidator {
    /// A validator for a remote issuer whose keys are fetched from `config.jwks_uri` (lazily; call
    /// [`TokenValidator::prefetch`] at start-up to fetch them early).
    pub fn new(config: TokenConfig) -> Result<Self, ConfigError> {
        config.check()?;
        let keys = JwksCache::remote(
            &config.jwks_uri,
            config.jwks_refresh_min_interval,
            config.jwks_max_age,
        )?;
        Self::build(config, keys)
    }

    /// A validator for a trusted local issuer (the demo issuer) whose keys are given here and never
    /// fetched; `config.jwks_uri` is ignored.
    pub fn with_static_keys(config: TokenConfig, jwks: JwkSet) -> Result<Self, ConfigError> {
        config.check()?;
        let keys = JwksCache::fixed(&jwks)?;
        Self::build(config, keys)
    }

    fn build(config: TokenConfig, keys: JwksCache) -> Result<Self, ConfigError> {
        let crypto = CryptoProvider::try_get_default().ok_or_else(|| {
            ConfigError::new("token", "no JWT crypto provider is compiled in".to_owned())
        })?;
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                keys,
                crypto,
                verified: std::sync::Mutex::default(),
            }),
        })
    }

    /// Fetches the issuer's keys now. Returns the number of usable keys. A failure here is not fatal:
    /// validation retries (at the refresh interval) and answers `KeysUnavailable` until keys arrive.
    pub async fn prefetch(&self) -> Result<usize, JwksError> {
        self.inner.keys.prefetch().await
    }

    /// Whether a key set is loaded.
    pub fn keys_loaded(&self) -> bool {
        self.inner.keys.has_keys()
    }

    pub fn config(&self) -> &TokenConfig {
        &self.inner.config
    }

    /// Validates a bearer token (the part after `Bearer `).
    pub async fn validate(&self, token: &str) -> Result<VerifiedToken, TokenError> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        self.validate_at(token, now).await
    }

    async fn validate_at(&self, token: &str, now: i64) -> Result<VerifiedToken, TokenError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(TokenError::TooLarge);
        }
        if let Some(known) = self.remembered(token, now).await {
            return Ok(known);
        }
        let (signing_input, encoded_signature) =
            token.rsplit_once('.').ok_or(TokenError::Malformed)?;
        let (encoded_header, encoded_payload) =
            signing_input.split_once('.').ok_or(TokenError::Malformed)?;
        if encoded_header.is_empty() || encoded_payload.is_empty() || encoded_payload.contains('.')
        {
            return Err(TokenError::Malformed);
        }

        let header = self.check_header(encoded_header)?;

        let keys = match self.inner.keys.lookup(&header.kid).await {
            KeyLookup::Found(keys) => keys,
            KeyLookup::UnknownKid => return Err(TokenError::UnknownKey),
            KeyLookup::Unavailable => return Err(TokenError::KeysUnavailable),
        };
        let mut candidates = keys.matching(&header.kid, header.alg).peekable();
        if candidates.peek().is_none() {
            return Err(TokenError::KeyMismatch);
        }
        let signature = decode_part(encoded_signature)?;
        if signature.is_empty() {
            return Err(TokenError::Malformed);
        }
        let verified = candidates
            .any(|key| self.signature_verifies(key, header.alg, signing_input, &signature));
        if !verified {
            return Err(TokenError::BadSignature);
        }

        let claims: Map<String, Value> = serde_json::from_slice(&decode_part(encoded_payload)?)
            .map_err(|_| TokenError::Malformed)?;
        let verified = self.check_claims(&claims, now)?;
        self.remember(token, &verified, header.kid.clone(), Arc::clone(&keys), now);
        Ok(verified)
    }

    /// The token as verified earlier, if that is still to be trusted: within its time, and the
    /// issuer's current key set for its `kid` (looked up as for any token, so a stale set is
    /// refreshed) still the one it was verified with.
    async fn remembered(&self, token: &str, now: i64) -> Option<VerifiedToken> {
        let (kid, keys, verified) = {
            let cache = self
                .inner
                .verified
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let v = cache
                .get(token)
                .filter(|v| (v.since..v.until).contains(&now))?;
            (v.kid.clone(), Arc::clone(&v.keys), v.token.clone())
        };
        match self.inner.keys.lookup(&kid).await {
            KeyLookup::Found(current) if Arc::ptr_eq(&current, &keys) => Some(verified),
            _ => None,
        }
    }

    fn remember(
        &self,
        token: &str,
        verified: &VerifiedToken,
        kid: String,
        keys: Arc<super::jwks::KeySet>,
        now: i64,
    ) {
        let until = verified
            .expires_at
            .min(now.saturating_add(VERIFIED_CACHE_TTL));
        if until <= now {
            return;
        }
        let mut cache = self
            .inner
            .verified
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if cache.len() >= VERIFIED_CACHE_ENTRIES {
            cache.retain(|_, v| now < v.until);
            if cache.len() >= VERIFIED_CACHE_ENTRIES {
                cache.clear();
            }
        }
        cache.insert(
            token.into(),
            Verified {
                token: verified.clone(),
                kid,
                keys,
                since: now,
                until,
            },
        );
    }

    fn check_header(&self, encoded: &str) -> Result<Header, TokenError> {
        let header: Map<String, Value> =
            serde_json::from_slice(&decode_part(encoded)?).map_err(|_| TokenError::Malformed)?;

        let Some(Value::String(alg)) = header.get("alg") else {
            return Err(TokenError::Malformed);
        };
        let alg = Algorithm::from_str(alg)
            .ok()
            .filter(|alg| self.inner.config.algorithms.contains(alg))
            .ok_or(TokenError::AlgorithmNotAllowed)?;

        // RFC 9068 §2.1 / §4: `at+jwt`, with or without the `application/` prefix, case-insensitive.
        let typ_ok = matches!(
            header.get("typ"),
            Some(Value::String(typ)) if typ.eq_ignore_ascii_case("at+jwt")
                || typ.eq_ignore_ascii_case("application/at+jwt")
        );
        if !typ_ok {
            return Err(TokenError::WrongType);
        }

        // RFC 7515 §4.1.11: extensions listed in `crit` must be understood; we implement none.
        if header.contains_key("crit") {
            return Err(TokenError::UnsupportedCriticalHeader);
        }

        // `jku`, `x5u`, `jwk` and `x5c` are deliberately never read: keys come from the JWKS only.
        let kid = match header.get("kid") {
            None => return Err(TokenError::MissingKeyId),
            Some(Value::String(kid)) if kid.is_empty() => return Err(TokenError::MissingKeyId),
            Some(Value::String(kid)) if kid.len() <= MAX_KID_BYTES => kid.clone(),
            Some(_) => return Err(TokenError::Malformed),
        };
        Ok(Header { alg, kid })
    }

    fn signature_verifies(
        &self,
        key: &VerificationKey,
        alg: Algorithm,
        signing_input: &str,
        signature: &[u8],
    ) -> bool {
        let Some(decoding_key) = key.decoding_key() else {
            return false;
        };
        match (self.inner.crypto.verifier_factory)(&alg, decoding_key) {
            Ok(verifier) => verifier
                .verify(signing_input.as_bytes(), &signature.to_vec())
                .is_ok(),
            Err(error) => {
                tracing::warn!(%error, ?alg, "JWKS key could not be used to verify a signature");
                false
            }
        }
    }

    fn check_claims(
        &self,
        claims: &Map<String, Value>,
        now: i64,
    ) -> Result<VerifiedToken, TokenError> {
        let config = &self.inner.config;

        match claims.get("iss") {
            None => return Err(TokenError::MissingClaim("iss")),
            Some(Value::String(iss)) if *iss == config.issuer => {}
            Some(_) => return Err(TokenError::WrongIssuer),
        }

        let audience_ok = match claims.get("aud") {
            None => return Err(TokenError::MissingClaim("aud")),
            Some(Value::String(aud)) => *aud == config.audience,
            Some(Value::Array(list)) => list
                .iter()
                .any(|aud| aud.as_str() == Some(&config.audience)),
            Some(_) => false,
        };
        if !audience_ok {
            return Err(TokenError::WrongAudience);
        }

        let leeway = i64::try_from(config.leeway.as_secs()).unwrap_or(0);
        let expires_at = numeric_date(claims, "exp")?.ok_or(TokenError::MissingClaim("exp"))?;
        if now.saturating_sub(leeway) >= expires_at {
            return Err(TokenError::Expired);
        }
        if numeric_date(claims, "nbf")?.is_some_and(|nbf| nbf > now.saturating_add(leeway)) {
            return Err(TokenError::NotYetValid);
        }
        let issued_at = numeric_date(claims, "iat")?;
        if issued_at.is_some_and(|iat| iat > now.saturating_add(leeway)) {
            return Err(TokenError::NotYetValid);
        }

        let subject = match claims.get("sub") {
            Some(Value::String(sub)) if !sub.is_empty() => sub.clone(),
            None | Some(Value::String(_)) => return Err(TokenError::MissingClaim("sub")),
            Some(_) => return Err(TokenError::InvalidClaim("sub")),
        };

        let mut scopes = BTreeSet::new();
        match claims.get("scope") {
            None => {}
            Some(Value::String(list)) => scopes.extend(split_scopes(list)),
            Some(_) => return Err(TokenError::InvalidClaim("scope")),
        }
        match claims.get("scp") {
            None => {}
            Some(Value::String(list)) => scopes.extend(split_scopes(list)),
            Some(Value::Array(items)) => {
                for item in items {
                    match item {
                        Value::String(scope) if !scope.is_empty() => {
                            scopes.insert(scope.clone());
                        }
                        Value::String(_) => {}
                        _ => return Err(TokenError::InvalidClaim("scp")),
                    }
                }
            }
            Some(_) => return Err(TokenError::InvalidClaim("scp")),
        }

        let groups = match claims.get(&config.groups_claim) {
            None => Vec::new(),
            Some(Value::String(group)) => vec![group.clone()],
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| item.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or(TokenError::InvalidClaim("groups"))?,
            Some(_) => return Err(TokenError::InvalidClaim("groups")),
        };
        let groups = groups
            .into_iter()
            .filter(|group| !group.is_empty())
            .collect();

        let name = [config.name_claim.as_str(), "preferred_username"]
            .iter()
            .find_map(|claim| {
                claims
                    .get(*claim)
                    .and_then(Value::as_str)
                    .filter(|n| !n.is_empty())
            })
            .map(str::to_owned);

        Ok(VerifiedToken {
            subject,
            name,
            client_id: optional_string(claims, "client_id")?,
            scopes,
            groups,
            expires_at,
            issued_at,
            jti: optional_string(claims, "jti")?,
        })
    }
}

/// The header fields validation uses, once checked.
#[derive(Debug)]
struct Header {
    alg: Algorithm,
    kid: String,
}

fn decode_part(part: &str) -> Result<Vec<u8>, TokenError> {
    // Strict base64url without padding; non-canonical trailing bits are refused too.
    URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| TokenError::Malformed)
}

/// An RFC 7519 NumericDate: a JSON number of seconds (fractions are truncated towards the past).
fn numeric_date(
    claims: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<i64>, TokenError> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(number)) => number
            .as_i64()
            .or_else(|| {
                number
                    .as_f64()
                    .filter(|f| f.is_finite())
                    .map(|f| f.floor() as i64)
            })
            .map(Some)
            .ok_or(TokenError::InvalidClaim(name)),
        Some(_) => Err(TokenError::InvalidClaim(name)),
    }
}

fn optional_string(
    claims: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<String>, TokenError> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::String(value)) => Ok(Some(value.clone())),
        Some(_) => Err(TokenError::InvalidClaim(name)),
    }
}

fn split_scopes(list: &str) -> impl Iterator<Item = String> + '_ {
    list.split(' ')
        .filter(|scope| !scope.is_empty())
        .map(str::to_owned)
}

/// Why a token could not be minted or a minting key loaded.
#[derive(Debug, thiserror::Error)]
pub enum MintError {
    #[error("cannot get random bytes for a new signing key: {0}")]
    Random(getrandom::Error),
    #[error("not a PKCS#8 Ed25519 private key")]
    InvalidKey,
    #[error("token claims must be a JSON object")]
    ClaimsNotAnObject,
    #[error("cannot serialize the token: {0}")]
    Json(#[from] serde_json::Error),
}

/// Signs RFC 9068 access tokens with an Ed25519 key: for tests and for the demo issuer. Its [`jwks`]
/// is what a validator for that issuer trusts ([`TokenValidator::with_static_keys`]).
///
/// [`jwks`]: TokenMinter::jwks
pub struct TokenMinter {
    kid: String,
    key: ed25519_dalek::SigningKey,
}

impl fmt::Debug for TokenMinter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenMinter")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// RFC 8410 §7: PKCS#8 v1 `PrivateKeyInfo` for Ed25519, up to the 32-byte seed.
const ED25519_PKCS8_V1_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];
const PEM_BEGIN: &str = "-----BEGIN PRIVATE KEY-----";
const PEM_END: &str = "-----END PRIVATE KEY-----";

impl TokenMinter {
    /// A new key from 32 bytes of operating-system randomness.
    pub fn generate(kid: impl Into<String>) -> Result<Self, MintError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(MintError::Random)?;
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        seed.fill(0);
        std::hint::black_box(&seed);
        Ok(Self {
            kid: kid.into(),
            key,
        })
    }

    /// Loads a key from PKCS#8 DER (v1, or v2 with a matching public key).
    pub fn from_pkcs8_der(kid: impl Into<String>, der: &[u8]) -> Result<Self, MintError> {
        let key =
            ed25519_dalek::SigningKey::from_pkcs8_der(der).map_err(|_| MintError::InvalidKey)?;
        Ok(Self {
            kid: kid.into(),
            key,
        })
    }

    /// Loads a key from a `-----BEGIN PRIVATE KEY-----` PEM document (as written by `to_pkcs8_pem` or
    /// `openssl genpkey -algorithm ed25519`).
    pub fn from_pkcs8_pem(kid: impl Into<String>, pem: &str) -> Result<Self, MintError> {
        let body = pem
            .trim()
            .strip_prefix(PEM_BEGIN)
            .and_then(|rest| rest.strip_suffix(PEM_END))
            .ok_or(MintError::InvalidKey)?;
        let base64: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        let der = STANDARD.decode(base64).map_err(|_| MintError::InvalidKey)?;
        Self::from_pkcs8_der(kid, &der)
    }

    /// The private key as PKCS#8 v1 DER. Secret: store it like a password.
    pub fn to_pkcs8_der(&self) -> Vec<u8> {
        let mut der = Vec::with_capacity(48);
        der.extend_from_slice(&ED25519_PKCS8_V1_PREFIX);
        der.extend_from_slice(self.key.as_bytes());
        der
    }

    /// The private key as a PKCS#8 PEM document. Secret: store it with mode 0600.
    pub fn to_pkcs8_pem(&self) -> String {
        let base64 = STANDARD.encode(self.to_pkcs8_der());
        let mut pem = String::with_capacity(base64.len() + 64);
        pem.push_str(PEM_BEGIN);
        for (i, c) in base64.chars().enumerate() {
            if i % 64 == 0 {
                pem.push('\n');
            }
            pem.push(c);
        }
        pem.push('\n');
        pem.push_str(PEM_END);
        pem.push('\n');
        pem
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// An Ed25519 signature over `message` (the catalog signer's detached JWS uses it).
    pub fn sign_bytes(&self, message: &[u8]) -> [u8; 64] {
        use ed25519_dalek::Signer as _;
        self.key.sign(message).to_bytes()
    }

    /// The public key as a JWK Set: `kty: OKP`, `crv: Ed25519`, `kid`, `alg: EdDSA`, `use: sig`.
    pub fn jwks(&self) -> JwkSet {
        let jwk = Jwk {
            common: CommonParameters {
                public_key_use: Some(PublicKeyUse::Signature),
                key_algorithm: Some(KeyAlgorithm::EdDSA),
                key_id: Some(self.kid.clone()),
                ..CommonParameters::default()
            },
            algorithm: AlgorithmParameters::OctetKeyPair(OctetKeyPairParameters {
                key_type: OctetKeyPairType::OctetKeyPair,
                curve: EllipticCurve::Ed25519,
                x: URL_SAFE_NO_PAD.encode(self.key.verifying_key().as_bytes()),
            }),
        };
        JwkSet { keys: vec![jwk] }
    }

    /// Signs `claims` (a JSON object, used as given: the caller sets `iss`, `aud`, `sub`, `exp`, …) with
    /// the header `{"alg":"EdDSA","typ":"at+jwt","kid":…}`.
    pub fn mint(&self, claims: &Value) -> Result<String, MintError> {
        if !claims.is_object() {
            return Err(MintError::ClaimsNotAnObject);
        }
        let header = serde_json::json!({"alg": "EdDSA", "typ": "at+jwt", "kid": self.kid});
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header)?),
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims)?)
        );
        let signature = self.key.sign(signing_input.as_bytes());
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.to_bytes())
        ))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use jsonwebtoken::EncodingKey;
    use serde_json::json;

    use super::*;
    use crate::auth::jwks::tests::{JwksServer, dead_url};

    // TEST-ONLY keys, see test_keys/README.md.
    const RSA_PEM: &str = include_str!("test_keys/rsa2048_TEST_ONLY.pem");
    const RSA_PUBLIC_PEM: &str = include_str!("test_keys/rsa2048_TEST_ONLY.pub.pem");
    const EC_PEM: &str = include_str!("test_keys/ec_p256_TEST_ONLY.pem");
    const ED25519_OPENSSL_PEM: &str = include_str!("test_keys/ed25519_TEST_ONLY.pem");

    const ISS: &str = "https://idp.example.com/realms/main";
    const AUD: &str = "scope-registry";
    const NOW: i64 = 1_750_000_000;

    fn b64json(value: &Value) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).expect("json"))
    }

    /// Signs any header and claims, so tests can build tokens the minter would never produce.
    fn sign_raw(header: &Value, claims: &Value, alg: Algorithm, key: &EncodingKey) -> String {
        let signing_input = format!("{}.{}", b64json(header), b64json(claims));
        let signature =
            jsonwebtoken::crypto::sign(signing_input.as_bytes(), key, alg).expect("sign");
        format!("{signing_input}.{signature}")
    }

    /// `base` with `patch` applied: a `null` in the patch removes the member.
    fn patched(base: Value, patch: &Value) -> Value {
        let mut object = base.as_object().cloned().expect("object");
        for (name, value) in patch.as_object().expect("object patch") {
            if value.is_null() {
                object.remove(name);
            } else {
                object.insert(name.clone(), value.clone());
            }
        }
        Value::Object(object)
    }

    fn jwk_json(key: &EncodingKey, alg: Algorithm, kid: &str, extra: &Value) -> Value {
        let mut jwk = Jwk::from_encoding_key(key, alg).expect("jwk");
        jwk.common.key_id = Some(kid.to_owned());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        patched(serde_json::to_value(jwk).expect("json"), extra)
    }

    fn rsa_key() -> EncodingKey {
        EncodingKey::from_rsa_pem(RSA_PEM.as_bytes()).expect("test RSA key")
    }

    fn ec_key() -> EncodingKey {
        EncodingKey::from_ec_pem(EC_PEM.as_bytes()).expect("test EC key")
    }

    fn ed_key(minter: &TokenMinter) -> EncodingKey {
        EncodingKey::from_ed_der(&minter.to_pkcs8_der())
    }

    fn valid_claims() -> Value {
        json!({
            "iss": ISS,
            "aud": AUD,
            "sub": "alice",
            "client_id": "cli",
            "exp": NOW + 300,
            "iat": NOW - 10,
            "nbf": NOW - 10,
            "jti": "t-1",
            "scope": "scope-registry:catalog:read scope-registry:reviews:write",
            "groups": ["team-payments"],
            "name": "Alice A.",
        })
    }

    /// An issuer with one RSA, one EC and one Ed25519 key (plus a few odd ones), served over loopback.
    struct Issuer {
        server: JwksServer,
        rsa: EncodingKey,
        ec: EncodingKey,
        ed: TokenMinter,
    }

    impl Issuer {
        fn start() -> Self {
            let ed = TokenMinter::generate("ed-1").expect("key");
            let server = JwksServer::start(String::new());
            let issuer = Self {
                server,
                rsa: rsa_key(),
                ec: ec_key(),
                ed,
            };
            issuer.publish(&[]);
            issuer
        }

        /// Publishes the standard keys plus `extra` JWKs.
        fn publish(&self, extra: &[Value]) {
            let mut keys = vec![
                jwk_json(&self.rsa, Algorithm::RS256, "rsa-1", &json!({})),
                // Same RSA key, no `alg`: may verify any RSA algorithm.
                jwk_json(
                    &self.rsa,
                    Algorithm::RS256,
                    "rsa-noalg",
                    &json!({"alg": null}),
                ),
                jwk_json(
                    &self.rsa,
                    Algorithm::RS256,
                    "rsa-enc",
                    &json!({"use": "enc", "alg": null}),
                ),
                jwk_json(&self.ec, Algorithm::ES256, "ec-1", &json!({})),
                serde_json::to_value(&self.ed.jwks().keys[0]).expect("json"),
                json!({"kty": "oct", "kid": "hmac", "k": URL_SAFE_NO_PAD.encode(RSA_PUBLIC_PEM)}),
            ];
            keys.extend_from_slice(extra);
            self.server.set(200, json!({ "keys": keys }).to_string());
        }

        fn config(&self) -> TokenConfig {
            TokenConfig::new(ISS, AUD, self.server.url.clone())
        }

        fn validator(&self) -> TokenValidator {
            self.validator_with(|_| {})
        }

        fn validator_with(&self, adjust: impl FnOnce(&mut TokenConfig)) -> TokenValidator {
            let mut config = self.config();
            adjust(&mut config);
            TokenValidator::new(config).expect("valid config")
        }

        /// A token signed with the issuer's key for `alg`, header and claims patched.
        fn token(&self, alg: Algorithm, header_patch: &Value, claims_patch: &Value) -> String {
            let (key, kid) = match alg {
                Algorithm::ES256 => (self.ec.clone(), "ec-1"),
                Algorithm::EdDSA => (ed_key(&self.ed), "ed-1"),
                _ => (self.rsa.clone(), "rsa-1"),
            };
            let header = patched(
                json!({"alg": alg, "typ": "at+jwt", "kid": kid}),
                header_patch,
            );
            sign_raw(&header, &patched(valid_claims(), claims_patch), alg, &key)
        }
    }

    async fn check(validator: &TokenValidator, token: &str) -> Result<VerifiedToken, TokenError> {
        validator.validate_at(token, NOW).await
    }

    async fn refused(validator: &TokenValidator, token: &str) -> TokenError {
        let error = check(validator, token)
            .await
            .expect_err("token must be refused");
        let shown = format!("{error} {error:?}");
        for part in token.split('.').filter(|part| part.len() > 3) {
            assert!(
                !shown.contains(part),
                "error {shown:?} leaks part of the token"
            );
        }
        error
    }

    #[tokio::test]
    async fn valid_tokens_of_each_algorithm_pass() {
        let issuer = Issuer::start();
        let validator = issuer.validator();
        for alg in [Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA] {
            let verified = check(&validator, &issuer.token(alg, &json!({}), &json!({})))
                .await
                .unwrap_or_else(|e| panic!("{alg:?}: {e}"));
            assert_eq!(verified.subject, "alice");
            assert_eq!(verified.name.as_deref(), Some("Alice A."));
            assert_eq!(verified.client_id.as_deref(), Some("cli"));
            assert_eq!(verified.groups, ["team-payments"]);
            assert_eq!(verified.expires_at, NOW + 300);
            assert_eq!(verified.issued_at, Some(NOW - 10));
            assert_eq!(verified.jti.as_deref(), Some("t-1"));
            assert!(verified.has_scope("scope-registry:catalog:read"));
            assert!(verified.has_scope("scope-registry:reviews:write"));
            assert!(!verified.has_scope("scope-registry:domains:manage"));
        }
        assert_eq!(
            issuer.server.hits(),
            1,
            "one fetch serves every later token"
        );
    }

    #[tokio::test]
    async fn scope_and_scp_are_merged_and_groups_claim_is_configurable() {
        let issuer = Issuer::start();
        let validator = issuer.validator_with(|config| config.groups_claim = "roles".to_owned());
        let token = issuer.token(
            Algorithm::EdDSA,
            &json!({}),
            &json!({
                "scope": "  a  b ",
                "scp": ["c", "a", ""],
                "roles": ["reviewers", "admins"],
                "groups": ["ignored"],
                "name": null,
                "preferred_username": "alice@example.com",
                "client_id": null,
                "iat": null,
                "nbf": null,
                "jti": null,
            }),
        );
        let verified = check(&validator, &token).await.expect("valid");
        assert_eq!(
            verified.scopes,
            BTreeSet::from(["a".into(), "b".into(), "c".into()])
        );
        assert_eq!(verified.groups, ["reviewers", "admins"]);
        assert_eq!(verified.name.as_deref(), Some("alice@example.com"));
        assert_eq!(
            (verified.client_id, verified.issued_at, verified.jti),
            (None, None, None)
        );

        // A single string is tolerated for groups, and `scp` may be a string too.
        let token = issuer.token(
            Algorithm::EdDSA,
            &json!({}),
            &json!({"roles": "admins", "scope": null, "scp": "x y"}),
        );
        let verified = check(&validator, &token).await.expect("valid");
        assert_eq!(verified.groups, ["admins"]);
        assert_eq!(verified.scopes, BTreeSet::from(["x".into(), "y".into()]));

        // Wrong types fail the token instead of being silently dropped.
        for (patch, claim) in [
            (json!({"roles": [1]}), "groups"),
            (json!({"roles": {"a": 1}}), "groups"),
            (json!({"scope": ["a"]}), "scope"),
            (json!({"scp": [1]}), "scp"),
            (json!({"client_id": 7}), "client_id"),
            (json!({"jti": false}), "jti"),
            (json!({"sub": 42}), "sub"),
        ] {
            let token = issuer.token(Algorithm::EdDSA, &json!({}), &patch);
            assert_eq!(
                refused(&validator, &token).await,
                TokenError::InvalidClaim(claim)
            );
        }
    }

    #[tokio::test]
    async fn alg_none_is_refused() {
        let issuer = Issuer::start();
        let validator = issuer.validator();
        for alg in ["none", "None", "NONE", "nOnE"] {
            let header = json!({"alg": alg, "typ": "at+jwt", "kid": "rsa-1"});
            for signature in ["", "AAAA"] {
                let token = format!(
                    "{}.{}.{signature}",
                    b64json(&header),
                    b64json(&valid_claims())
                );
                assert_eq!(
                    refused(&validator, &token).await,
                    TokenError::AlgorithmNotAllowed
                );
            }
        }
        // A missing or non-string alg is simply malformed.
        for header in [
            json!({"typ": "at+jwt", "kid": "rsa-1"}),
            json!({"alg": null, "kid": "x"}),
        ] {
            let token = format!("{}.{}.", b64json(&header), b64json(&valid_claims()));
            assert_eq!(refused(&validator, &token).await, TokenError::Malformed);
        }
    }

    #[tokio::test]
    async fn hs256_keyed_with_the_rsa_public_key_is_refused() {
        // Classic algorithm confusion: the attacker knows the public key and uses it as an HMAC secret.
        let issuer = Issuer::start();
        let validator = issuer.validator();
        for secret in [RSA_PUBLIC_PEM.as_bytes(), RSA_PUBLIC_PEM.trim().as_bytes()] {
            for kid in ["rsa-1", "rsa-noalg", "hmac"] {
                let key = EncodingKey::from_secret(secret).expect("hmac key");
                for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
                    let header = json!({"alg": alg, "typ": "at+jwt", "kid": kid});
                    let token = sign_raw(&header, &valid_claims(), alg, &key);
                    assert_eq!(
                        refused(&validator, &token).await,
                        TokenError::AlgorithmNotAllowed
                    );
                }
            }
        }
    }

    #[tokio::test]
    async fn a_key_of_the_wrong_type_use_or_alg_is_not_used() {
        let issuer = Issuer::start();
        let validator = issuer.validator_with(|config| config.algorithms.push(Algorithm::PS256));
        let rs256 = |kid: &str| issuer.token(Algorithm::RS256, &json!({"kid": kid}), &json!({}));
        // RS256 token pointing at the EC key, the Ed25519 key, an encryption key, a symmetric key.
        for kid in ["ec-1", "ed-1", "rsa-enc", "hmac"] {
            assert_eq!(
                refused(&validator, &rs256(kid)).await,
                TokenError::KeyMismatch,
                "{kid}"
            );
        }
        // ES256 token pointing at the RSA key.
        let es256 = issuer.token(Algorithm::ES256, &json!({"kid": "rsa-1"}), &json!({}));
        assert_eq!(refused(&validator, &es256).await, TokenError::KeyMismatch);

        // PS256 with the RSA key: refused by the JWK that says `alg: RS256`, accepted by the one
        // without `alg`.
        let ps256 = |kid: &str| {
            let header = json!({"alg": "PS256", "typ": "at+jwt", "kid": kid});
            sign_raw(&header, &valid_claims(), Algorithm::PS256, &issuer.rsa)
        };
        assert_eq!(
            refused(&validator, &ps256("rsa-1")).await,
            TokenError::KeyMismatch
        );
        assert!(check(&validator, &ps256("rsa-noalg")).await.is_ok());
    }

    #[tokio::test]
    async fn algorithms_outside_a_restricted_allow_list_are_refused() {
        let issuer = Issuer::start();
        let validator = issuer.validator_with(|config| config.algorithms = vec![Algorithm::EdDSA]);
        for alg in [Algorithm::RS256, Algorithm::ES256] {
            let token = issuer.token(alg, &json!({}), &json!({}));
            assert_eq!(
                refused(&validator, &token).await,
                TokenError::AlgorithmNotAllowed
            );
        }
        assert!(
            check(
                &validator,
                &issuer.token(Algorithm::EdDSA, &json!({}), &json!({}))
            )
            .await
            .is_ok()
        );
        // PS256 is a valid RSA algorithm but not in the default list either.
        let default = issuer.validator();
        let header = json!({"alg": "PS256", "typ": "at+jwt", "kid": "rsa-noalg"});
        let token = sign_raw(&header, &valid_claims(), Algorithm::PS256, &issuer.rsa);
        assert_eq!(
            refused(&default, &token).await,
            TokenError::AlgorithmNotAllowed
        );
    }

    #[tokio::test]
    async fn typ_must_be_at_jwt() {
        let issuer = Issuer::start();
        let validator = issuer.validator();
        for typ in [
            json!(null),
            json!("JWT"),
            json!("jwt"),
            json!("application/jwt"),
            json!("at+jwt "),
            json!(1),
        ] {
            let token = issuer.token(Algorithm::EdDSA, &json!({"typ": typ}), &json!({}));
            assert_eq!(
                refused(&validator, &token).await,
                TokenError::WrongType,
                "{typ}"
            );
        }
        for typ in [
            "at+jwt",
            "AT+JWT",
            "application/at+jwt",
            "Application/AT+JWT",
        ] {
            let token = issuer.token(Algorithm::EdDSA, &json!({"typ": typ}), &json!({}));
            assert!(check(&validator, &token).await.is_ok(), "{typ}");
        }
    }

    #[tokio::test]
    async fn kid_is_required_and_crit_is_refused() {
        let issuer = Issuer::start();
        let validator = issuer.validator();
        for kid in [json!(null), json!("")] {
            let token = issuer.token(Algorithm::RS256, &json!({"kid": kid}), &json!({}));
            assert_eq!(refused(&validator, &token).await, TokenError::MissingKeyId);
        }
        for kid in [
            json!(1),
            json!(["rsa-1"]),
            json!("k".repeat(MAX_KID_BYTES + 1)),
        ] {
            let token = issuer.token(Algorithm::RS256, &json!({"kid": kid}), &json!({}));
            assert_eq!(refused(&validator, &token).await, TokenError::Malformed);
        }
        let token = issuer.token(
            Algorithm::RS256,
            &json!({"crit": ["exp"], "exp": 1}),
            &json!({}),
        );
        assert_eq!(
            refused(&validator, &token).await,
            TokenError::UnsupportedCriticalHeader
        );
        assert_eq!(
            issuer.server.hits(),
            0,
            "header checks never reach the key set"
        );
    }

    #[tokio::test]
    async fn unknown_kid_refetches_once_per_interval_and_picks_up_new_keys() {
        let issuer = Issuer::start();
        let validator = issuer.validator();
        validator.prefetch().await.expect("prefetch");
        assert_eq!(issuer.server.hits(), 1);

        let rotated = TokenMinter::generate("ed-2").expect("key");
        let token = rotated.mint(&valid_claims()).expect("mint");
        // Every fetch counts towards the interval, the start-up one included.
        assert_eq!(refused(&validator, &token).await, TokenError::UnknownKey);
        assert_eq!(issuer.server.hits(), 1, "too soon after the prefetch");

        let interval = TokenConfig::DEFAULT_JWKS_REFRESH_MIN_INTERVAL;
        validator.inner.keys.advance_clock(interval);
        assert_eq!(refused(&validator, &token).await, TokenError::UnknownKey);
        assert_eq!(
            issuer.server.hits(),
            2,
            "an unknown kid triggers one refetch"
        );

        // More unknown kids within the interval, concurrently: no further fetch.
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let (validator, token) = (validator.clone(), token.clone());
            tasks.push(tokio::spawn(async move {
                validator.validate_at(&token, NOW).await
            }));
        }
        for task in tasks {
            assert_eq!(task.await.expect("task"), Err(TokenError::UnknownKey));
        }
        assert_eq!(issuer.server.hits(), 2);

        // The issuer publishes the new key; within the interval we do not look yet…
        issuer.publish(&[serde_json::to_value(&rotated.jwks().keys[0]).expect("json")]);
        assert_eq!(refused(&validator, &token).await, TokenError::UnknownKey);
        assert_eq!(issuer.server.hits(), 2);

        // …and after it, one refetch picks it up.
        validator.inner.keys.advance_clock(interval);
        let verified = check(&validator, &token)
            .await
            .expect("rotated key is trusted");
        assert_eq!(verified.subject, "alice");
        assert_eq!(issuer.server.hits(), 3);
        assert!(check(&validator, &token).await.is_ok());
        assert_eq!(issuer.server.hits(), 3);
    }

    #[tokio::test]
    async fn a_remembered_token_is_checked_again_when_it_expires_the_clock_goes_back_or_the_keys_change()
     {
        let issuer = Issuer::start();
        let validator = issuer.validator(); // leeway 30 s
        let token = issuer.token(Algorithm::EdDSA, &json!({}), &json!({"exp": NOW + 100}));
        assert!(check(&validator, &token).await.is_ok());
        assert_eq!(validator.inner.verified.lock().unwrap().len(), 1);
        // Remembered: the same answer without a signature check, within the TTL.
        let later = NOW + VERIFIED_CACHE_TTL - 1;
        assert!(validator.validate_at(&token, later).await.is_ok());

        // Past `exp` and the leeway, the token is refused although it was remembered.
        assert_eq!(
            validator.validate_at(&token, NOW + 131).await,
            Err(TokenError::Expired)
        );
        // A clock set back before its `nbf` (NOW - 10, leeway 30) is not answered from memory.
        assert_eq!(
            validator.validate_at(&token, NOW - 41).await,
            Err(TokenError::NotYetValid)
        );

        // The issuer withdraws the token's key: once the key set is refetched, the remembered
        // verification no longer counts.
        let others = issuer.token(Algorithm::ES256, &json!({}), &json!({}));
        assert!(check(&validator, &others).await.is_ok());
        let replacement = TokenMinter::generate("ed-1").expect("key");
        issuer.server.set(
            200,
            serde_json::to_string(&replacement.jwks()).expect("json"),
        );
        validator
            .inner
            .keys
            .advance_clock(TokenConfig::DEFAULT_JWKS_MAX_AGE);
        assert_eq!(refused(&validator, &token).await, TokenError::BadSignature);
        // Nor is the failure remembered as anything else.
        assert_eq!(refused(&validator, &token).await, TokenError::BadSignature);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_first_requests_share_one_fetch() {
        let issuer = Issuer::start();
        let validator = issuer.validator();
        let good = issuer.token(Algorithm::ES256, &json!({}), &json!({}));
        let unknown = issuer.token(Algorithm::ES256, &json!({"kid": "nope"}), &json!({}));
        let mut tasks = Vec::new();
        for i in 0..32 {
            let validator = validator.clone();
            let token = if i % 2 == 0 {
                good.clone()
            } else {
                unknown.clone()
            };
            tasks.push(tokio::spawn(async move {
                validator.validate_at(&token, NOW).await
            }));
        }
        for (i, task) in tasks.into_iter().enumerate() {
            let result = task.await.expect("task");
            if i % 2 == 0 {
                assert!(result.is_ok(), "{result:?}");
            } else {
                assert_eq!(result, Err(TokenError::UnknownKey));
            }
        }
        assert_eq!(issuer.server.hits(), 1, "no stampede on the JWKS endpoint");
    }

    #[tokio::test]
    async fn a_failed_refetch_keeps_the_cached_keys() {
        let issuer = Issuer::start();
        let validator = issuer.validator();
        validator.prefetch().await.expect("prefetch");
        issuer.server.set(500, String::new());
        validator.inner.keys.advance_clock(Duration::from_secs(31));
        let unknown = issuer.token(Algorithm::RS256, &json!({"kid": "nope"}), &json!({}));
        assert_eq!(refused(&validator, &unknown).await, TokenError::UnknownKey);
        assert_eq!(issuer.server.hits(), 2);
        let good = issuer.token(Algorithm::RS256, &json!({}), &json!({}));
        assert!(check(&validator, &good).await.is_ok());
    }

    #[tokio::test]
    async fn keys_embedded_or_referenced_in_the_header_are_never_used() {
        let issuer = Issuer::start();
        let validator = issuer.validator();
        let attacker = TokenMinter::generate("attacker").expect("key");
        let attacker_jwk = serde_json::to_value(&attacker.jwks().keys[0]).expect("json");
        let attacker_server = JwksServer::start(json!({"keys": [attacker_jwk]}).to_string());
        let attacker_key = ed_key(&attacker);
        let forged = |header_extra: Value| {
            let header = patched(json!({"alg": "EdDSA", "typ": "at+jwt"}), &header_extra);
            sign_raw(&header, &valid_claims(), Algorithm::EdDSA, &attacker_key)
        };
        let pointers = [
            json!({"jwk": attacker_jwk}),
            json!({"jku": attacker_server.url}),
            json!({"x5u": attacker_server.url}),
            json!({"x5c": ["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"]}),
            json!({"jwk": attacker_jwk, "jku": attacker_server.url}),
        ];
        for pointer in pointers {
            // Under the attacker's own kid: not in the issuer's set.
            let token = forged(patched(pointer.clone(), &json!({"kid": "attacker"})));
            assert_eq!(refused(&validator, &token).await, TokenError::UnknownKey);
            // Under the issuer's kid: the issuer's key does not verify the attacker's signature.
            let token = forged(patched(pointer, &json!({"kid": "ed-1"})));
            assert_eq!(refused(&validator, &token).await, TokenError::BadSignature);
        }
        assert_eq!(attacker_server.hits(), 0, "jku/x5u are never fetched");
    }

    #[tokio::test]
    async fn tampered_payloads_and_signatures_are_refused() {
        let issuer = Issuer::start();
        let validator = issuer.validator();
        for alg in [Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA] {
            let token = issuer.token(alg, &json!({}), &json!({}));
            let parts: Vec<&str> = token.split('.').collect();

            let elevated = patched(
                valid_claims(),
                &json!({"sub": "admin", "scope": "scope-registry:domains:manage"}),
            );
            let tampered = format!("{}.{}.{}", parts[0], b64json(&elevated), parts[2]);
            assert_eq!(
                refused(&validator, &tampered).await,
                TokenError::BadSignature,
                "{alg:?}"
            );

            let mut signature = URL_SAFE_NO_PAD.decode(parts[2]).expect("b64");
            signature[0] ^= 0x01;
            let tampered = format!(
                "{}.{}.{}",
                parts[0],
                parts[1],
                URL_SAFE_NO_PAD.encode(&signature)
            );
            assert_eq!(
                refused(&validator, &tampered).await,
                TokenError::BadSignature,
                "{alg:?}"
            );

            let truncated = format!(
                "{}.{}.{}",
                parts[0],
                parts[1],
                URL_SAFE_NO_PAD.encode(&signature[..16])
            );
            assert_eq!(
                refused(&validator, &truncated).await,
                TokenError::BadSignature,
                "{alg:?}"
            );

            // Re-signing the header with another alg changes nothing but the outcome.
            let swapped = patched(
                json!({"alg": alg, "typ": "at+jwt", "kid": "rsa-1"}),
                &json!({"typ": "JWT"}),
            );
            let tampered = format!("{}.{}.{}", b64json(&swapped), parts[1], parts[2]);
            assert_eq!(refused(&validator, &tampered).await, TokenError::WrongType);
        }
    }

    #[tokio::test]
    async fn issuer_must_match_exactly() {
        let issuer = Issuer::start();
        let validator = issuer.validator();
        for iss in [
            json!(format!("{ISS}/")),
            json!(&ISS[..ISS.len() - 1]),
            json!(format!("{ISS}x")),
            json!(format!("{ISS}/../main")),
            json!(format!(" {ISS}")),
            json!(ISS.to_uppercase()),
            json!(ISS.replace("https", "http")),
            json!("https://evil.example.com/realms/main"),
            json!([ISS]),
            json!(1),
        ] {
            let token = issuer.token(Algorithm::EdDSA, &json!({}), &json!({"iss": iss}));
            assert_eq!(
                refused(&validator, &token).await,
                TokenError::WrongIssuer,
                "{iss}"
            );
        }
        let token = issuer.token(Algorithm::EdDSA, &json!({}), &json!({"iss": null}));
        assert_eq!(
            refused(&validator, &token).await,
            TokenError::MissingClaim("iss")
        );
    }

    #[tokio::test]
    async fn audience_must_contain_ours() {
        let issuer = Issuer::start();
        let validator = issuer.validator();
        let token = issuer.token(Algorithm::EdDSA, &json!({}), &json!({"aud": null}));
        assert_eq!(
            refused(&validator, &token).await,
            TokenError::MissingClaim("aud")
        );
        for aud in [
            json!("other"),
            json!(format!("{AUD} ")),
            json!(format!("{AUD}-admin")),
            json!([]),
            json!(["other", "more"]),
            json!([format!("{AUD}/")]),
            json!({"aud": AUD}),
            json!(7),
        ] {
            let token = issuer.token(Algorithm::EdDSA, &json!({}), &json!({"aud": aud}));
            assert_eq!(
                refused(&validator, &token).await,
                TokenError::WrongAudience,
                "{aud}"
            );
        }
        for aud in [json!(AUD), json!([AUD]), json!(["other", AUD])] {
            let token = issuer.token(Algorithm::EdDSA, &json!({}), &json!({"aud": aud}));
            assert!(check(&validator, &token).await.is_ok(), "{aud}");
        }
    }

    #[tokio::test]
    async fn time_claims_are_checked_with_the_leeway() {
        let issuer = Issuer::start();
        let validator = issuer.validator(); // leeway 30 s
        let with = |claims: Value| issuer.token(Algorithm::EdDSA, &json!({}), &claims);

        for exp in [NOW - 29, NOW, NOW + 1] {
            assert!(
                check(&validator, &with(json!({"exp": exp}))).await.is_ok(),
                "exp {exp}"
            );
        }
        for exp in [NOW - 30, NOW - 31, NOW - 3600, 0, -1] {
            assert_eq!(
                refused(&validator, &with(json!({"exp": exp}))).await,
                TokenError::Expired,
                "exp {exp}"
            );
        }
        // Fractions are allowed and rounded towards the past.
        let fractional = with(json!({"exp": NOW as f64 - 28.5}));
        assert!(check(&validator, &fractional).await.is_ok());
        let fractional = with(json!({"exp": NOW as f64 - 29.5}));
        assert_eq!(refused(&validator, &fractional).await, TokenError::Expired);

        assert!(
            check(&validator, &with(json!({"nbf": NOW + 30})))
                .await
                .is_ok()
        );
        let token = with(json!({"nbf": NOW + 31}));
        assert_eq!(refused(&validator, &token).await, TokenError::NotYetValid);
        assert!(
            check(&validator, &with(json!({"iat": NOW + 30})))
                .await
                .is_ok()
        );
        let token = with(json!({"iat": NOW + 31}));
        assert_eq!(refused(&validator, &token).await, TokenError::NotYetValid);

        let token = with(json!({"exp": null}));
        assert_eq!(
            refused(&validator, &token).await,
            TokenError::MissingClaim("exp")
        );
        for (name, value) in [
            ("exp", json!("soon")),
            ("nbf", json!("1750000000")),
            ("iat", json!([1])),
        ] {
            let token = with(json!({ name: value }));
            assert_eq!(
                refused(&validator, &token).await,
                TokenError::InvalidClaim(name)
            );
        }

        // With no leeway, the boundary is exact.
        let strict = issuer.validator_with(|config| config.leeway = Duration::ZERO);
        assert!(check(&strict, &with(json!({"exp": NOW + 1}))).await.is_ok());
        assert_eq!(
            refused(&strict, &with(json!({"exp": NOW}))).await,
            TokenError::Expired
        );

        // The public entry point uses the real clock.
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let token = with(json!({"exp": now + 60, "iat": now, "nbf": now}));
        assert!(validator.validate(&token).await.is_ok());
    }

    #[tokio::test]
    async fn subject_is_required() {
        let issuer = Issuer::start();
        let validator = issuer.validator();
        for sub in [json!(null), json!("")] {
            let token = issuer.token(Algorithm::ES256, &json!({}), &json!({"sub": sub}));
            assert_eq!(
                refused(&validator, &token).await,
                TokenError::MissingClaim("sub")
            );
        }
    }

    #[tokio::test]
    async fn oversized_and_garbage_tokens_are_refused_before_any_key_lookup() {
        let issuer = Issuer::start();
        let validator = issuer.validator();

        assert_eq!(
            refused(&validator, &"a".repeat(MAX_TOKEN_BYTES + 1)).await,
            TokenError::TooLarge
        );
        let big = issuer.token(
            Algorithm::EdDSA,
            &json!({}),
            &json!({"pad": "x".repeat(MAX_TOKEN_BYTES)}),
        );
        assert_eq!(refused(&validator, &big).await, TokenError::TooLarge);

        let good = issuer.token(Algorithm::EdDSA, &json!({}), &json!({}));
        let parts: Vec<&str> = good.split('.').collect();
        let garbage = [
            String::new(),
            "garbage".to_owned(),
            "a.b".to_owned(),
            "..".to_owned(),
            format!("{}.{}", parts[0], parts[1]),
            format!("{good}.extra.parts"), // JWE-shaped: five parts
            format!("{good}."),
            format!(" {good}"),
            format!("Bearer {good}"),
            format!("{}=.{}.{}", parts[0], parts[1], parts[2]), // padding
            "!!!.???.###".to_owned(),
            format!(
                "{}.{}.{}",
                URL_SAFE_NO_PAD.encode("not json"),
                parts[1],
                parts[2]
            ),
            format!(
                "{}.{}.{}",
                URL_SAFE_NO_PAD.encode("[1,2]"),
                parts[1],
                parts[2]
            ),
            format!(
                "{}.{}.{}",
                STANDARD.encode([0xfb, 0xff, 0xfe]),
                parts[1],
                parts[2]
            ),
        ];
        for token in &garbage {
            assert_eq!(
                refused(&validator, token).await,
                TokenError::Malformed,
                "{token:?}"
            );
        }
        assert_eq!(issuer.server.hits(), 0, "nothing above needed a key");

        // A correctly signed token whose payload is not a JSON object is still malformed.
        let header = json!({"alg": "EdDSA", "typ": "at+jwt", "kid": "ed-1"});
        let key = ed_key(&issuer.ed);
        for payload in [
            URL_SAFE_NO_PAD.encode("[1]"),
            URL_SAFE_NO_PAD.encode("{"),
            "$$$$".to_owned(),
        ] {
            let signing_input = format!("{}.{payload}", b64json(&header));
            let signature =
                jsonwebtoken::crypto::sign(signing_input.as_bytes(), &key, Algorithm::EdDSA)
                    .expect("sign");
            let token = format!("{signing_input}.{signature}");
            assert_eq!(
                refused(&validator, &token).await,
                TokenError::Malformed,
                "{payload}"
            );
        }
        // An empty or non-base64 signature is malformed.
        for signature in ["", "***"] {
            let token = format!("{}.{}.{signature}", parts[0], parts[1]);
            assert_eq!(refused(&validator, &token).await, TokenError::Malformed);
        }
    }

    #[tokio::test]
    async fn jwks_down_at_start_means_keys_unavailable() {
        let mut config = TokenConfig::new(ISS, AUD, dead_url());
        config.jwks_refresh_min_interval = Duration::from_secs(5);
        let validator = TokenValidator::new(config).expect("config");
        assert!(validator.prefetch().await.is_err());
        assert!(!validator.keys_loaded());
        let minter = TokenMinter::generate("ed-1").expect("key");
        let token = minter.mint(&valid_claims()).expect("mint");
        let error = refused(&validator, &token).await;
        assert_eq!(error, TokenError::KeysUnavailable);
        assert!(error.is_server_side());
        // Cheap checks still come first.
        let unsigned = format!(
            "{}.{}.",
            b64json(&json!({"alg": "none"})),
            b64json(&valid_claims())
        );
        assert_eq!(
            refused(&validator, &unsigned).await,
            TokenError::AlgorithmNotAllowed
        );
    }

    #[test]
    fn bad_configurations_are_refused_naming_the_setting() {
        let base = TokenConfig::new(ISS, AUD, "https://idp.example.com/jwks");
        assert!(TokenValidator::new(base.clone()).is_ok());

        type Adjust = fn(&mut TokenConfig);
        let cases: [(Adjust, &str); 11] = [
            (
                |c| c.leeway = Duration::from_secs(61),
                "token.leeway must be at most 60 s",
            ),
            (
                |c| c.algorithms = vec![Algorithm::HS256],
                "token.algorithms must not contain HS256",
            ),
            (
                |c| c.algorithms.push(Algorithm::HS512),
                "token.algorithms must not contain HS512",
            ),
            (
                |c| c.algorithms.clear(),
                "token.algorithms must not be empty",
            ),
            (|c| c.issuer.clear(), "token.issuer must not be empty"),
            (
                |c| c.audience = " x".to_owned(),
                "token.audience must not be empty",
            ),
            (|c| c.groups_claim.clear(), "token.groups_claim"),
            (
                |c| c.jwks_uri = "http://idp.example.com/jwks".to_owned(),
                "token.jwks_uri must use https",
            ),
            (
                |c| c.jwks_uri = "idp.example.com/jwks".to_owned(),
                "token.jwks_uri is not a valid URL",
            ),
            (
                |c| c.jwks_refresh_min_interval = Duration::ZERO,
                "token.jwks_refresh_min_interval",
            ),
            (
                |c| c.jwks_max_age = Duration::from_secs(1),
                "token.jwks_max_age",
            ),
        ];
        for (adjust, expected) in cases {
            let mut config = base.clone();
            adjust(&mut config);
            let error = TokenValidator::new(config).expect_err(expected);
            assert!(
                error.to_string().starts_with(expected),
                "{error} vs {expected}"
            );
        }

        let mut edge = base.clone();
        edge.leeway = MAX_LEEWAY;
        edge.jwks_uri = "http://127.0.0.1:1/jwks".to_owned();
        assert!(TokenValidator::new(edge).is_ok());

        assert_eq!(TokenConfig::parse_algorithm("EdDSA"), Ok(Algorithm::EdDSA));
        for name in ["none", "HS256", "rs256", ""] {
            let error = TokenConfig::parse_algorithm(name).expect_err(name);
            assert_eq!(error.setting(), "token.algorithms");
        }
    }

    #[tokio::test]
    async fn static_keys_never_fetch() {
        let issuer = Issuer::start();
        let demo = TokenMinter::generate("demo-1").expect("key");
        // The jwks_uri points at a live server, which must never be asked.
        let validator =
            TokenValidator::with_static_keys(issuer.config(), demo.jwks()).expect("config");
        let token = demo.mint(&valid_claims()).expect("mint");
        assert_eq!(
            check(&validator, &token).await.expect("valid").subject,
            "alice"
        );
        let other = issuer.token(Algorithm::EdDSA, &json!({}), &json!({}));
        assert_eq!(refused(&validator, &other).await, TokenError::UnknownKey);
        assert!(validator.prefetch().await.is_err());
        assert_eq!(issuer.server.hits(), 0);

        // Static keys still go through every check of the configuration.
        let mut config = issuer.config();
        config.leeway = Duration::from_secs(120);
        assert!(TokenValidator::with_static_keys(config, demo.jwks()).is_err());
    }

    #[tokio::test]
    async fn minter_keys_round_trip_through_pem() {
        let minter = TokenMinter::generate("demo-1").expect("key");
        let pem = minter.to_pkcs8_pem();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert!(pem.lines().all(|line| line.len() <= 64));
        let reloaded = TokenMinter::from_pkcs8_pem("demo-1", &pem).expect("reload");
        assert_eq!(reloaded.jwks(), minter.jwks());
        assert_eq!(reloaded.kid(), "demo-1");
        assert!(!format!("{minter:?}").contains(&URL_SAFE_NO_PAD.encode(minter.key.as_bytes())));

        let validator =
            TokenValidator::with_static_keys(TokenConfig::new(ISS, AUD, ""), minter.jwks())
                .expect("config");
        let token = reloaded.mint(&valid_claims()).expect("mint");
        assert!(check(&validator, &token).await.is_ok());

        let jwk = serde_json::to_value(&minter.jwks().keys[0]).expect("json");
        assert_eq!(jwk["kty"], "OKP");
        assert_eq!(jwk["crv"], "Ed25519");
        assert_eq!(jwk["alg"], "EdDSA");
        assert_eq!(jwk["use"], "sig");
        assert_eq!(jwk["kid"], "demo-1");
        assert!(jwk.get("d").is_none(), "the JWKS holds the public key only");

        let header: Value = serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(token.split('.').next().expect("header"))
                .expect("b64"),
        )
        .expect("json");
        assert_eq!(
            header,
            json!({"alg": "EdDSA", "typ": "at+jwt", "kid": "demo-1"})
        );

        assert!(matches!(
            minter.mint(&json!(["not", "an", "object"])),
            Err(MintError::ClaimsNotAnObject)
        ));
        for bad in [
            "",
            "-----BEGIN PRIVATE KEY-----\n!!\n-----END PRIVATE KEY-----",
            EC_PEM,
            RSA_PEM,
        ] {
            assert!(TokenMinter::from_pkcs8_pem("x", bad).is_err());
        }
        // A PEM written by OpenSSL (`openssl genpkey -algorithm ed25519`) loads too, CRLF or not, and
        // writes back identically.
        let openssl = TokenMinter::from_pkcs8_pem("x", ED25519_OPENSSL_PEM).expect("openssl pem");
        assert_eq!(openssl.to_pkcs8_pem(), ED25519_OPENSSL_PEM);
        let crlf = ED25519_OPENSSL_PEM.replace('\n', "\r\n");
        assert!(TokenMinter::from_pkcs8_pem("x", &crlf).is_ok());
    }

    #[test]
    fn reasons_are_unique_snake_case_labels() {
        let all = [
            TokenError::TooLarge,
            TokenError::Malformed,
            TokenError::AlgorithmNotAllowed,
            TokenError::WrongType,
            TokenError::UnsupportedCriticalHeader,
            TokenError::MissingKeyId,
            TokenError::UnknownKey,
            TokenError::KeyMismatch,
            TokenError::BadSignature,
            TokenError::WrongIssuer,
            TokenError::WrongAudience,
            TokenError::Expired,
            TokenError::NotYetValid,
            TokenError::MissingClaim("sub"),
            TokenError::InvalidClaim("sub"),
            TokenError::KeysUnavailable,
        ];
        let reasons: BTreeSet<&str> = all.iter().map(TokenError::reason).collect();
        assert_eq!(reasons.len(), all.len());
        for reason in reasons {
            assert!(
                reason.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{reason}"
            );
        }
        assert_eq!(all.iter().filter(|e| e.is_server_side()).count(), 1);
    }

    #[test]
    fn validator_is_cheap_to_share_across_threads() {
        fn assert_shareable<T: Send + Sync + Clone + 'static>() {}
        fn assert_send<T: Send>(_: &T) {}
        assert_shareable::<TokenValidator>();
        let validator = TokenValidator::with_static_keys(
            TokenConfig::new(ISS, AUD, ""),
            TokenMinter::generate("k").expect("key").jwks(),
        )
        .expect("config");
        assert_send(&validator.validate("x"));
    }
}
