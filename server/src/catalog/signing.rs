//! Signing: every served representation of the catalog carries a detached JWS over its exact
//! bytes (`Catalog-Signature` header), made with the registry's Ed25519 key, whose public half is
//! published at `/.well-known/catalog-keys.json`, so an authorization server can check that what
//! it loads came from the registry unmodified. Which key signs and which keys are published is
//! [`super::signing_keys`]'s business.
//!
//! The JWS is RFC 7515 compact serialization with a detached, unencoded payload (RFC 7797):
//! `BASE64URL(header)..BASE64URL(signature)`, the header being
//! `{"alg":"EdDSA","kid":…,"b64":false,"crit":["b64"]}` and the signing input
//! `BASE64URL(header) || "." || the response body bytes`.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::JwkSet;
use sha2::{Digest, Sha256};

use crate::auth::jwt::TokenMinter;

/// The key a replica signs the catalog with, and the public keys it publishes.
pub struct CatalogSigner {
    key: Arc<TokenMinter>,
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
    /// Signs with `key` and publishes `published` (which should hold `key`'s public half).
    pub fn new(key: Arc<TokenMinter>, published: JwkSet) -> Self {
        let header =
            serde_json::json!({ "alg": "EdDSA", "kid": key.kid(), "b64": false, "crit": ["b64"] });
        let header = URL_SAFE_NO_PAD.encode(header.to_string());
        Self {
            key,
            header,
            published,
        }
    }

    /// The id of the signing key (the JWS header's `kid`).
    pub fn kid(&self) -> &str {
        self.key.kid()
    }

    /// The signing key, to sign with it again under another published set.
    pub fn key(&self) -> &Arc<TokenMinter> {
        &self.key
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

/// The public key of `key`, base64url (a JWK's `x`).
pub fn public_x(key: &TokenMinter) -> String {
    serde_json::to_value(&key.jwks().keys)
        .ok()
        .and_then(|v| v[0]["x"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A key's id: derived from its public key (`x`), so it names the key and nothing else, and the
/// same key file gives the same id on every replica.
pub fn key_id(x: &str) -> String {
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
        let signer = CatalogSigner::new(Arc::new(minter), jwks.clone());
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
