//! Every check of an access token, at the HTTP level: each bad token is refused with the same 401
//! body and challenge, whatever the reason, and never echoed back. Tokens are minted here from
//! local keys, including ones the harness minter would never produce.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod common;

use actix_web::http::{Method, StatusCode};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use jsonwebtoken::{Algorithm, EncodingKey};
use scope_registry::auth::jwt::TokenMinter;
use serde_json::{Value, json};

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

/// Valid claims for ALICE, to spoil one at a time.
fn claims() -> Value {
    let now = now();
    json!({
        "iss": ISSUER,
        "sub": "alice",
        "aud": AUDIENCE,
        "client_id": "test-client",
        "iat": now,
        "exp": now + 600,
        "scope": "scope-registry:catalog:read scope-registry:change-requests:write",
        "groups": ["team-ecommerce"],
    })
}

fn with(mut claims: Value, patch: Value) -> Value {
    for (k, v) in patch.as_object().unwrap() {
        if v.is_null() {
            claims.as_object_mut().unwrap().remove(k);
        } else {
            claims[k] = v.clone();
        }
    }
    claims
}

/// The harness issuer's own key, as a `jsonwebtoken` key.
fn issuer_key() -> EncodingKey {
    EncodingKey::from_ed_der(&minter().to_pkcs8_der())
}

/// Signs any header and claims with `key`.
fn sign(header: &Value, claims: &Value, alg: Algorithm, key: &EncodingKey) -> String {
    let input = format!("{}.{}", b64(header), b64(claims));
    let signature = jsonwebtoken::crypto::sign(input.as_bytes(), key, alg).unwrap();
    format!("{input}.{signature}")
}

fn header(patch: Value) -> Value {
    with(
        json!({ "alg": "EdDSA", "typ": "at+jwt", "kid": minter().kid() }),
        patch,
    )
}

/// Every kind of bad token, named. Each is refused with the same 401.
fn bad_tokens() -> Vec<(&'static str, String)> {
    let now = now();
    let key = issuer_key();
    let attacker = TokenMinter::generate("attacker-1").unwrap();
    let impostor = TokenMinter::generate(minter().kid()).unwrap();
    let attacker_jwk = serde_json::to_value(&attacker.jwks().keys[0]).unwrap();
    let good = minter().mint(&claims()).unwrap();
    let (good_head, rest) = good.split_once('.').unwrap();
    let (_, good_sig) = rest.split_once('.').unwrap();
    let jwk = serde_json::to_value(&minter().jwks().keys[0]).unwrap();
    let public_key = URL_SAFE_NO_PAD.decode(jwk["x"].as_str().unwrap()).unwrap();
    let mut admin_claims = claims();
    admin_claims["groups"] = json!(["registry-admins"]);
    admin_claims["scope"] = json!("scope-registry:domains:manage");
    vec![
        (
            "expired beyond the leeway",
            minter()
                .mint(&with(
                    claims(),
                    json!({ "iat": now - 900, "exp": now - 61 }),
                ))
                .unwrap(),
        ),
        (
            "expired long ago",
            minter()
                .mint(&with(
                    claims(),
                    json!({ "iat": now - 90_000, "exp": now - 86_400 }),
                ))
                .unwrap(),
        ),
        (
            "not valid before a future nbf",
            minter()
                .mint(&with(claims(), json!({ "nbf": now + 120 })))
                .unwrap(),
        ),
        (
            "issued in the future",
            minter()
                .mint(&with(claims(), json!({ "iat": now + 3600 })))
                .unwrap(),
        ),
        (
            "no exp",
            minter()
                .mint(&with(claims(), json!({ "exp": null })))
                .unwrap(),
        ),
        (
            "exp as a string",
            minter()
                .mint(&with(claims(), json!({ "exp": (now + 600).to_string() })))
                .unwrap(),
        ),
        (
            "wrong iss (trailing slash)",
            minter()
                .mint(&with(claims(), json!({ "iss": format!("{ISSUER}/") })))
                .unwrap(),
        ),
        (
            "wrong iss (case)",
            minter()
                .mint(&with(claims(), json!({ "iss": ISSUER.to_uppercase() })))
                .unwrap(),
        ),
        (
            "no iss",
            minter()
                .mint(&with(claims(), json!({ "iss": null })))
                .unwrap(),
        ),
        (
            "wrong aud",
            minter()
                .mint(&with(claims(), json!({ "aud": "another-api" })))
                .unwrap(),
        ),
        (
            "aud list without us",
            minter()
                .mint(&with(
                    claims(),
                    json!({ "aud": ["another-api", "scope-registry-x"] }),
                ))
                .unwrap(),
        ),
        (
            "no aud",
            minter()
                .mint(&with(claims(), json!({ "aud": null })))
                .unwrap(),
        ),
        (
            "no sub",
            minter()
                .mint(&with(claims(), json!({ "sub": null })))
                .unwrap(),
        ),
        (
            "empty sub",
            minter()
                .mint(&with(claims(), json!({ "sub": "" })))
                .unwrap(),
        ),
        (
            "groups not strings",
            minter()
                .mint(&with(claims(), json!({ "groups": [1, 2] })))
                .unwrap(),
        ),
        (
            "typ JWT",
            sign(
                &header(json!({ "typ": "JWT" })),
                &claims(),
                Algorithm::EdDSA,
                &key,
            ),
        ),
        (
            "no typ",
            sign(
                &header(json!({ "typ": null })),
                &claims(),
                Algorithm::EdDSA,
                &key,
            ),
        ),
        (
            "no kid",
            sign(
                &header(json!({ "kid": null })),
                &claims(),
                Algorithm::EdDSA,
                &key,
            ),
        ),
        (
            "crit header",
            sign(
                &header(json!({ "crit": ["exp"] })),
                &claims(),
                Algorithm::EdDSA,
                &key,
            ),
        ),
        (
            "alg none, no signature",
            format!(
                "{}.{}.",
                b64(&header(json!({ "alg": "none" }))),
                b64(&claims())
            ),
        ),
        (
            "alg none, signature kept",
            format!(
                "{}.{}.{good_sig}",
                b64(&header(json!({ "alg": "none" }))),
                b64(&claims())
            ),
        ),
        (
            "alg None",
            format!(
                "{}.{}.",
                b64(&header(json!({ "alg": "None" }))),
                b64(&claims())
            ),
        ),
        (
            "HS256 keyed with the issuer's public key",
            sign(
                &header(json!({ "alg": "HS256" })),
                &claims(),
                Algorithm::HS256,
                &EncodingKey::from_secret(&public_key).unwrap(),
            ),
        ),
        (
            "HS256 keyed with the kid",
            sign(
                &header(json!({ "alg": "HS256" })),
                &claims(),
                Algorithm::HS256,
                &EncodingKey::from_secret(minter().kid().as_bytes()).unwrap(),
            ),
        ),
        (
            "EdDSA header, RS256 alg claimed",
            sign(
                &header(json!({ "alg": "RS256" })),
                &claims(),
                Algorithm::EdDSA,
                &key,
            ),
        ),
        (
            "signed by another key with our kid",
            impostor.mint(&claims()).unwrap(),
        ),
        (
            "signed by another key with its own kid",
            attacker.mint(&claims()).unwrap(),
        ),
        (
            "tampered payload",
            format!("{good_head}.{}.{good_sig}", b64(&admin_claims)),
        ),
        ("signature of another token", {
            let other = minter()
                .mint(&with(claims(), json!({ "sub": "bob" })))
                .unwrap();
            format!(
                "{good_head}.{}.{}",
                b64(&claims()),
                other.rsplit('.').next().unwrap()
            )
        }),
        ("truncated signature", good[..good.len() - 4].to_owned()),
        (
            "jwk header with the attacker's key",
            sign(
                &json!({ "alg": "EdDSA", "typ": "at+jwt", "kid": "attacker-1", "jwk": attacker_jwk }),
                &claims(),
                Algorithm::EdDSA,
                &EncodingKey::from_ed_der(&attacker.to_pkcs8_der()),
            ),
        ),
        (
            "jku header to the attacker's keys",
            sign(
                &json!({ "alg": "EdDSA", "typ": "at+jwt", "kid": "attacker-1", "jku": "https://attacker.example/jwks.json" }),
                &claims(),
                Algorithm::EdDSA,
                &EncodingKey::from_ed_der(&attacker.to_pkcs8_der()),
            ),
        ),
        (
            "x5u header to the attacker's certificate",
            sign(
                &json!({ "alg": "EdDSA", "typ": "at+jwt", "kid": "attacker-1", "x5u": "https://attacker.example/cert.pem" }),
                &claims(),
                Algorithm::EdDSA,
                &EncodingKey::from_ed_der(&attacker.to_pkcs8_der()),
            ),
        ),
        (
            "larger than 8 KiB",
            minter()
                .mint(&with(claims(), json!({ "padding": "p".repeat(8 * 1024) })))
                .unwrap(),
        ),
        ("two parts", format!("{good_head}.{}", b64(&claims()))),
        ("four parts", format!("{good}.{good_sig}")),
        (
            "not base64url",
            format!("{good_head}.{}!.{good_sig}", b64(&claims())),
        ),
        (
            "padded base64",
            format!("{good_head}.{}==.{good_sig}", b64(&claims())),
        ),
        (
            "header not JSON",
            format!(
                "{}.{}.{good_sig}",
                URL_SAFE_NO_PAD.encode("hello"),
                b64(&claims())
            ),
        ),
        ("garbage", "garbage".to_owned()),
    ]
}

/// One token per way of presenting it wrongly: the whole `Authorization` header value.
fn bad_headers() -> Vec<(&'static str, String)> {
    let good = ALICE.token();
    vec![
        ("Bearer with an empty token", "Bearer ".to_owned()),
        ("Bearer alone", "Bearer".to_owned()),
        ("Basic credentials", "Basic YWxpY2U6cGFzc3dvcmQ=".to_owned()),
        ("a good token under Basic", format!("Basic {good}")),
        ("a good token without a scheme", good.clone()),
        ("a good token under Token", format!("Token {good}")),
        ("a good token after a comma", format!("Bearer , {good}")),
        ("two tokens", format!("Bearer {good} {good}")),
    ]
}

/// The demo issuer is trusted only in demo mode: neither a token from a demo registry's own key
/// nor one with the demo issuer signed by a trusted key gets in.
fn demo_tokens(app: &TestApp) -> Vec<(&'static str, String)> {
    let mut conn = app.state.pool.get().unwrap();
    let demo_key = scope_registry::demo::signing_key(&mut conn).unwrap();
    let alice = scope_registry::demo::persona("alice").unwrap();
    let dave = scope_registry::demo::persona("dave").unwrap();
    vec![
        (
            "a demo persona token",
            scope_registry::demo::token(&demo_key, alice, AUDIENCE, 1).unwrap(),
        ),
        (
            "a demo admin token",
            scope_registry::demo::token(&demo_key, dave, AUDIENCE, 1).unwrap(),
        ),
        (
            "the demo issuer signed by a trusted key",
            minter()
                .mint(&with(
                    claims(),
                    json!({ "iss": scope_registry::config::DEMO_ISSUER }),
                ))
                .unwrap(),
        ),
    ]
}

async fn me(app: &TestApp, authorization: Option<&str>) -> Reply {
    app.call_from(fresh_peer(), Method::GET, "/api/v1/me", authorization, None)
        .await
}

#[actix_web::test]
async fn every_bad_token_is_refused_with_the_same_401() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        let reference = me(&app, None).await;
        assert_eq!(reference.status, StatusCode::UNAUTHORIZED);
        let challenge = reference.header("www-authenticate").unwrap();
        assert!(
            challenge.contains(r#"error="invalid_token""#),
            "{challenge}"
        );
        let body = without_request_id(&reference);
        assert_eq!(body["code"], "invalid_token");

        let mut cases: Vec<(&str, String)> = bad_tokens()
            .into_iter()
            .map(|(why, t)| (why, format!("Bearer {t}")))
            .collect();
        cases.extend(bad_headers());
        cases.extend(
            demo_tokens(&app)
                .into_iter()
                .map(|(why, t)| (why, format!("Bearer {t}"))),
        );
        let mut differ = Vec::new();
        for (why, authorization) in &cases {
            let r = me(&app, Some(authorization)).await;
            if r.status != StatusCode::UNAUTHORIZED
                || without_request_id(&r) != body
                || r.header("www-authenticate").as_deref() != Some(challenge.as_str())
                || r.header("content-type") != reference.header("content-type")
            {
                differ.push(format!(
                    "{why}: {} {:?} {}",
                    r.status,
                    r.header("www-authenticate"),
                    r.text()
                ));
                continue;
            }
            let token = authorization
                .split_once(' ')
                .map_or(authorization.as_str(), |(_, t)| t);
            assert_clean_problem(&r, &[token.get(..40).unwrap_or(token)]);
        }
        assert!(
            differ.is_empty(),
            "{backend:?}: refused differently (or accepted):\n{}",
            differ.join("\n")
        );
        // The same on a write, before the body is even looked at.
        for (why, authorization) in cases.iter().take(5) {
            let r = app
                .call_from(
                    fresh_peer(),
                    Method::POST,
                    "/api/v1/domains",
                    Some(authorization),
                    Some(json!({ "name": "x" })),
                )
                .await;
            assert_eq!(
                (r.status, without_request_id(&r)),
                (StatusCode::UNAUTHORIZED, body.clone()),
                "{why}"
            );
        }
    }
}

#[actix_web::test]
async fn good_tokens_are_accepted() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        let now = now();
        let accepted = [
            ("the harness token", ALICE.token()),
            ("a freshly minted one", minter().mint(&claims()).unwrap()),
            (
                "expired within the leeway",
                minter()
                    .mint(&with(
                        claims(),
                        json!({ "iat": now - 600, "exp": now - 10 }),
                    ))
                    .unwrap(),
            ),
            (
                "nbf within the leeway",
                minter()
                    .mint(&with(claims(), json!({ "nbf": now + 10 })))
                    .unwrap(),
            ),
            (
                "aud as a list with us",
                minter()
                    .mint(&with(claims(), json!({ "aud": ["another-api", AUDIENCE] })))
                    .unwrap(),
            ),
            (
                "typ application/at+jwt",
                sign(
                    &header(json!({ "typ": "application/at+jwt" })),
                    &claims(),
                    Algorithm::EdDSA,
                    &issuer_key(),
                ),
            ),
            (
                "no client_id",
                minter()
                    .mint(&with(claims(), json!({ "client_id": null })))
                    .unwrap(),
            ),
            ("just under 8 KiB", {
                let base = minter().mint(&claims()).unwrap().len();
                let room = (8 * 1024 - base - 40) * 3 / 4;
                minter()
                    .mint(&with(claims(), json!({ "padding": "p".repeat(room) })))
                    .unwrap()
            }),
        ];
        for (why, token) in accepted {
            assert!(token.len() <= 8 * 1024, "{why}: {}", token.len());
            let r = me(&app, Some(&format!("Bearer {token}"))).await;
            assert_eq!(r.status, StatusCode::OK, "{backend:?} {why}: {}", r.text());
            assert_eq!(r.json()["subject"], "alice");
        }
        // The scheme is case-insensitive (RFC 6750 §2.1 via RFC 9110).
        let r = me(&app, Some(&format!("bearer {}", ALICE.token()))).await;
        assert_eq!(r.status, StatusCode::OK);
        let r = me(&app, Some(&format!("BEARER {}", ALICE.token()))).await;
        assert_eq!(r.status, StatusCode::OK);
    }
}

/// A refused token is counted as a security event, and the reason stays in the logs only.
#[actix_web::test]
async fn refused_tokens_are_counted_as_security_events() {
    use scope_registry::observability::{METRICS, SecurityEvent};
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        let before = METRICS.security_event_count(SecurityEvent::AuthnTokenInvalid);
        for (_, token) in bad_tokens().into_iter().take(3) {
            assert_eq!(
                me(&app, Some(&format!("Bearer {token}"))).await.status,
                StatusCode::UNAUTHORIZED
            );
        }
        let after = METRICS.security_event_count(SecurityEvent::AuthnTokenInvalid);
        assert!(after >= before + 3, "{backend:?}: {before} → {after}");
    }
}
