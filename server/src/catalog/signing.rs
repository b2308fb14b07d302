//! Signing: every served representation of the catalog carries a detached JWS over its exact
//! bytes (`Catalog-Signature` header), made with the registry's Ed25519 key, whose public half is
//! published at `/.well-known/catalog-keys.json`, so an authorization server can check that what
//! it loads came from the registry unmodified.
//!
//! The JWS is RFC 7515 compact serialization with a detached, unencoded payload (RFC 7797):
//! `BASE64URL(header)..BASE64URL(signature)`, the header being
//! `{"alg":"EdDSA","kid":…,"b64":false,"crit":["b64"]}` and the signing input
//! `BASE64URL(header) || "." || the response body bytes`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::JwkSet;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::auth::jwt::TokenMinter;
use crate::db::DbConnection;
use crate::db::models::setting;
use crate::error::ApiError;

const KEYS_SETTING: &str = "catalog.signing_keys";

/// A stored signing key. The newest is used; older ones stay published (rotation comes later).
#[derive(Serialize, Deserialize)]
struct StoredKey {
    kid: String,
    pem: String,
}

/// The registry's catalog signing key and the public keys it publishes.
pub struct CatalogSigner {
    key: TokenMinter,
    header: String,
    published: JwkSet,
}

impl std::fmt::Debug for CatalogSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CatalogSigner")
            .field("kid", &self.key.kid())
            .finish_non_exhaustive()
    }
}

impl CatalogSigner {
    /// The key kept in the database, created (under the write lock, so replicas agree) on first
    /// start.
    pub fn load_or_create(conn: &mut DbConnection) -> Result<Self, ApiError> {
        let fresh = TokenMinter::generate("pending").map_err(ApiError::internal)?;
        let kid = key_id(&fresh);
        let fresh = TokenMinter::from_pkcs8_pem(kid.clone(), &fresh.to_pkcs8_pem())
            .map_err(ApiError::internal)?;
        let candidate = serde_json::to_string(&vec![StoredKey {
            kid,
            pem: fresh.to_pkcs8_pem(),
        }])
        .map_err(ApiError::internal)?;
        let stored = conn
            .write(|c| Ok::<_, ApiError>(setting::get_or_insert(c, KEYS_SETTING, &candidate)?))?;
        let keys: Vec<StoredKey> = serde_json::from_str(&stored).map_err(ApiError::internal)?;
        let minters = keys
            .iter()
            .map(|k| TokenMinter::from_pkcs8_pem(k.kid.clone(), &k.pem))
            .collect::<Result<Vec<_>, _>>()
            .map_err(ApiError::internal)?;
        let published = JwkSet {
            keys: minters.iter().flat_map(|m| m.jwks().keys).collect(),
        };
        let key = minters
            .into_iter()
            .last()
            .ok_or_else(|| ApiError::internal("no catalog signing key"))?;
        Ok(Self::with_key(key, published))
    }

    fn with_key(key: TokenMinter, published: JwkSet) -> Self {
        let header =
            serde_json::json!({ "alg": "EdDSA", "kid": key.kid(), "b64": false, "crit": ["b64"] });
        let header = URL_SAFE_NO_PAD.encode(header.to_string());
        Self {
            key,
            header,
            published,
        }
    }

    /// The detached JWS over `body`.
    pub fn sign(&self, body: &[u8]) -> String {
        let mut input = Vec::with_capacity(self.header.len() + 1 + body.len());
        input.extend_from_slice(self.header.as_bytes());
        input.push(b'.');
        input.extend_from_slice(body);
        let signature = self.key.sign_bytes(&input);
        format!("{}..{}", self.header, URL_SAFE_NO_PAD.encode(signature))
    }

    /// The public keys, as served at `/.well-known/catalog-keys.json`.
    pub fn keys(&self) -> &JwkSet {
        &self.published
    }
}

/// A key's id: derived from its public key, so it names the key and nothing else.
fn key_id(key: &TokenMinter) -> String {
    let jwks = key.jwks();
    let x = serde_json::to_value(&jwks.keys)
        .ok()
        .and_then(|v| v[0]["x"].as_str().map(str::to_owned))
        .unwrap_or_default();
    let digest = Sha256::digest(x.as_bytes());
    format!(
        "catalog-{}",
        digest
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_over_the_exact_bytes() {
        let minter = TokenMinter::generate("k1").unwrap();
        let jwks = minter.jwks();
        let signer = CatalogSigner::with_key(minter, jwks.clone());
        let body = br#"{"version":1,"scopes":[]}"#;
        let jws = signer.sign(body);
        let (header, rest) = jws.split_once("..").unwrap();
        let header_json: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
        assert_eq!(header_json["alg"], "EdDSA");
        assert_eq!(header_json["b64"], false);
        let x = serde_json::to_value(&jwks.keys).unwrap()[0]["x"]
            .as_str()
            .unwrap()
            .to_owned();
        let public: [u8; 32] = URL_SAFE_NO_PAD.decode(x).unwrap().try_into().unwrap();
        let key = ed25519_dalek::VerifyingKey::from_bytes(&public).unwrap();
        let signature: [u8; 64] = URL_SAFE_NO_PAD.decode(rest).unwrap().try_into().unwrap();
        let signature = ed25519_dalek::Signature::from_bytes(&signature);
        let input = [header.as_bytes(), b".", body].concat();
        assert!(key.verify_strict(&input, &signature).is_ok());
        let tampered = [header.as_bytes(), b".", br#"{"version":1,"scopes":[{}]}"#].concat();
        assert!(key.verify_strict(&tampered, &signature).is_err());
    }
}
