//! Checking a `Catalog-Signature`: a detached JWS (RFC 7515, unencoded payload per RFC 7797) made
//! with one of the registry's Ed25519 keys over the exact bytes of the response body.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, VerifyingKey};
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet};
use serde::Deserialize;

use super::PullError;

/// The registry's keys are fetched again for an unknown key id at most this often.
const REFETCH_AFTER: Duration = Duration::from_secs(10);

/// The keys a signature may be made with.
#[derive(Debug)]
pub enum TrustedKeys {
    /// From a file the operator put there: nothing is fetched.
    Pinned { file: PathBuf, keys: JwkSet },
    /// The registry's published keys (`/.well-known/catalog-keys.json`), fetched when a signature
    /// names a key not seen yet (rotation).
    Published {
        url: reqwest::Url,
        keys: Option<JwkSet>,
        fetched: Option<Instant>,
    },
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    kid: String,
    b64: bool,
    crit: Vec<String>,
}

impl TrustedKeys {
    pub fn pinned(file: PathBuf) -> Result<Self, String> {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| format!("cannot read the catalog keys file {}: {e}", file.display()))?;
        let keys: JwkSet = serde_json::from_str(&text).map_err(|e| {
            format!(
                "the catalog keys file {} is not a JWK Set: {e}",
                file.display()
            )
        })?;
        if keys.keys.iter().all(|k| ed25519(k).is_none()) {
            return Err(format!(
                "the catalog keys file {} holds no Ed25519 key",
                file.display()
            ));
        }
        Ok(Self::Pinned { file, keys })
    }

    /// Checks `signature` over `body`; returns the key id it was made with.
    pub async fn verify(
        &mut self,
        http: &reqwest::Client,
        signature: &str,
        body: &[u8],
    ) -> Result<String, PullError> {
        let bad = |why: &str| PullError::Signature(why.to_owned());
        let (encoded_header, encoded_signature) = signature
            .split_once("..")
            .ok_or_else(|| bad("Catalog-Signature is not a detached JWS (header..signature)"))?;
        let header: Header = URL_SAFE_NO_PAD
            .decode(encoded_header)
            .ok()
            .and_then(|h| serde_json::from_slice(&h).ok())
            .ok_or_else(|| bad("the signature's JWS header is not readable"))?;
        if header.alg != "EdDSA" || header.b64 || header.crit != ["b64"] {
            return Err(bad(
                "the signature's JWS header is not {alg: EdDSA, b64: false, crit: [b64]}",
            ));
        }
        let signature: [u8; 64] = URL_SAFE_NO_PAD
            .decode(encoded_signature)
            .ok()
            .and_then(|s| s.try_into().ok())
            .ok_or_else(|| bad("the signature is not 64 bytes of base64url"))?;
        let key = self.key(http, &header.kid).await?;
        let input = [encoded_header.as_bytes(), b".", body].concat();
        key.verify_strict(&input, &Signature::from_bytes(&signature))
            .map_err(|_| {
                PullError::Signature(format!(
                    "the signature does not match the body (key {}): the catalog was changed \
                     on its way or was not made by the registry",
                    header.kid
                ))
            })?;
        Ok(header.kid)
    }

    async fn key(&mut self, http: &reqwest::Client, kid: &str) -> Result<VerifyingKey, PullError> {
        match self {
            Self::Pinned { file, keys } => find(keys, kid).ok_or_else(|| {
                PullError::Signature(format!(
                    "signed with key {kid}, which is not among the pinned keys in {}",
                    file.display()
                ))
            }),
            Self::Published { url, keys, fetched } => {
                if let Some(key) = keys.as_ref().and_then(|k| find(k, kid)) {
                    return Ok(key);
                }
                if fetched.is_none_or(|t| t.elapsed() >= REFETCH_AFTER) {
                    *fetched = Some(Instant::now());
                    *keys = Some(fetch(http, url).await?);
                }
                keys.as_ref().and_then(|k| find(k, kid)).ok_or_else(|| {
                    PullError::Signature(format!(
                        "signed with key {kid}, which the registry does not publish at {url}"
                    ))
                })
            }
        }
    }
}

async fn fetch(http: &reqwest::Client, url: &reqwest::Url) -> Result<JwkSet, PullError> {
    let unreachable = |e: reqwest::Error| {
        PullError::Registry(format!("cannot fetch the catalog keys from {url}: {e}"))
    };
    let response = http
        .get(url.clone())
        .timeout(Duration::from_secs(30))
        .send()
        .await
        .map_err(unreachable)?;
    if !response.status().is_success() {
        return Err(PullError::Registry(format!(
            "the catalog keys at {url} answered {}",
            response.status()
        )));
    }
    let body = super::read_limited(response, 1 << 20).await?;
    serde_json::from_slice(&body).map_err(|e| {
        PullError::Registry(format!("the catalog keys at {url} are not a JWK Set: {e}"))
    })
}

fn find(keys: &JwkSet, kid: &str) -> Option<VerifyingKey> {
    keys.keys
        .iter()
        .filter(|k| k.common.key_id.as_deref() == Some(kid))
        .find_map(ed25519)
}

fn ed25519(jwk: &jsonwebtoken::jwk::Jwk) -> Option<VerifyingKey> {
    match &jwk.algorithm {
        AlgorithmParameters::OctetKeyPair(okp) if okp.curve == EllipticCurve::Ed25519 => {
            let x: [u8; 32] = URL_SAFE_NO_PAD.decode(&okp.x).ok()?.try_into().ok()?;
            VerifyingKey::from_bytes(&x).ok()
        }
        _ => None,
    }
}
