//! The scope registry service: domains, scopes, change requests with four-eyes review, and the
//! versioned catalog, behind a JWT-secured REST API.
//!
//! [`prepare`] opens the database, migrates it and loads the current catalog; [`build_app`] is
//! the actix-web application, used by `main.rs` and by the tests alike.

pub mod actions;
pub mod audit;
pub mod auth;
pub mod catalog;
pub mod client;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod handlers;
pub mod observability;
pub mod openapi;
pub mod publish;
pub mod pull;
pub mod requests;
pub mod routes;
pub mod state;
pub mod ui;
pub mod workflow;

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::error::{JsonPayloadError, QueryPayloadError};
use actix_web::http::header;
use actix_web::middleware::{Condition, DefaultHeaders, from_fn};
use actix_web::{App, HttpRequest, web};
use leptos_actix::LeptosRoutes as _;

use crate::auth::jwt::{TokenConfig, TokenValidator};
use crate::catalog::CurrentCatalog;
use crate::config::{Settings, TokenSource};
use crate::error::ApiError;
use crate::state::AppState;

/// Why the registry cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error("database {url}: {message}")]
    Database { url: String, message: String },
    #[error("token issuer: {0}")]
    Tokens(String),
}

/// Opens and migrates the database, prepares the token validator and loads the current catalog.
pub async fn prepare(settings: Settings) -> Result<AppState, StartError> {
    prepare_with(settings, None).await
}

/// As [`prepare`], trusting `validator` instead of the configured issuer (tests mint their own
/// tokens with local keys).
pub async fn prepare_with(
    settings: Settings,
    validator: Option<TokenValidator>,
) -> Result<AppState, StartError> {
    let policy = settings.load_policy()?;
    let url = settings.database.redacted();
    let db_error = |message: String| StartError::Database {
        url: url.clone(),
        message,
    };
    let file_key = settings.load_signing_key()?.map(Arc::new);
    let pool =
        db::connect(&settings.database, settings.pool_size).map_err(|e| db_error(e.to_string()))?;
    let key_ring =
        catalog::signing_keys::KeyRing::new(file_key.as_deref(), settings.retired_key_grace);
    let pool2 = pool.clone();
    let demo = settings.demo;
    let (snapshot, demo_keys, keys) = web::block(move || -> Result<_, String> {
        let mut conn = pool2.get().map_err(|e| e.to_string())?;
        db::migrate(&mut conn).map_err(|e| e.to_string())?;
        publish::ensure_genesis(&mut conn, state::now_ms()).map_err(|e| e.to_string())?;
        let keys = catalog::signing_keys::prepare(&mut conn, file_key.as_deref(), state::now_ms())
            .map_err(|e| e.to_string())?;
        let demo_keys = if demo {
            Some(demo::signing_key(&mut conn).map_err(|e| e.to_string())?)
        } else {
            None
        };
        let snapshot = publish::load_current(&mut conn).map_err(|e| e.to_string())?;
        Ok((snapshot, demo_keys, keys))
    })
    .await
    .map_err(|e| db_error(e.to_string()))?
    .map_err(db_error)?;
    let client_secret = settings.load_oidc_client_secret()?;
    let tokens = match (validator, &settings.tokens, &demo_keys) {
        (Some(v), _, _) => v,
        (None, TokenSource::Demo, Some(minter)) => TokenValidator::with_static_keys(
            token_config(&settings, config::DEMO_ISSUER, "demo:static"),
            minter.jwks(),
        )
        .map_err(|e| StartError::Tokens(e.to_string()))?,
        (None, TokenSource::Issuer { issuer, jwks_uri }, _) => {
            let validator = TokenValidator::new(token_config(&settings, issuer, jwks_uri))
                .map_err(|e| StartError::Tokens(e.to_string()))?;
            // Keys are fetched now so the first request is fast; an issuer that is down at start
            // is retried on the first token instead of stopping the registry.
            if let Err(e) = validator.prefetch().await {
                tracing::warn!(error = %e, "token issuer keys not fetched yet");
            }
            validator
        }
        (None, TokenSource::Demo, None) => {
            return Err(StartError::Tokens("demo keys missing".into()));
        }
    };
    let signer = key_ring
        .signer(&keys, state::now_ms(), None)
        .map_err(|e| db_error(e.to_string()))?
        .ok_or_else(|| db_error("no catalog signing key".into()))?;
    tracing::info!(kid = signer.kid(), "catalog signing key");
    let web = auth::session::WebAuth::new(&settings, demo_keys, client_secret).map_err(|e| {
        StartError::Config(config::ConfigError {
            setting: "oidc".into(),
            message: e,
        })
    })?;
    match &web.sign_in {
        auth::session::SignIn::Oidc(oidc) => {
            tracing::info!(
                issuer = oidc.issuer(),
                "web sign-in through the OpenID provider"
            );
        }
        auth::session::SignIn::Demo(_) => tracing::info!("web sign-in as the demo personas"),
        auth::session::SignIn::Off => tracing::info!(
            "web sign-in is off: [oidc] is not configured, so the web UI shows only anonymous pages"
        ),
    }
    let catalog = Arc::new(
        CurrentCatalog::new(settings.export.clone(), Some(Arc::new(signer)))
            .with_key_ring(key_ring),
    );
    if let Some(s) = snapshot {
        catalog.offer(s);
    }
    if let db::DatabaseUrl::Postgres(url) = &settings.database {
        catalog::listen::spawn(url.clone(), &catalog, pool.clone());
    }
    Ok(AppState {
        pool,
        settings: Arc::new(settings),
        policy: Arc::new(policy),
        catalog,
        tokens,
        ui_assets: ui::assets::UiAssets::load(
            &std::env::var_os("SCOPE_REGISTRY_UI_ASSETS_DIR")
                .map_or_else(ui::assets::default_dir, std::path::PathBuf::from),
        ),
        web: Arc::new(web),
    })
}

fn token_config(settings: &Settings, issuer: &str, jwks_uri: &str) -> TokenConfig {
    let mut config = TokenConfig::new(issuer, settings.audience.clone(), jwks_uri);
    config.leeway = settings.leeway;
    config.groups_claim = settings.groups_claim.clone();
    config.name_claim = settings.name_claim.clone();
    config
}

/// The application: routes, body limits, problem+json for every error, security headers,
/// request ids and metrics.
pub fn build_app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let limit = state.settings.max_body_bytes;
    // Demo mode says so in every response.
    let demo = Condition::new(
        state.settings.demo,
        DefaultHeaders::new().add((
            "x-scope-registry-demo",
            "demo mode: seeded personas, not for real data",
        )),
    );
    App::new()
        .app_data(web::Data::new(state.clone()))
        .app_data(
            web::JsonConfig::default()
                .limit(limit)
                .content_type_required(true)
                .content_type(|mime| {
                    mime.subtype() == "json" || mime.suffix().is_some_and(|s| s == "json")
                })
                .error_handler(move |e, _req: &HttpRequest| json_error(e, limit).into()),
        )
        .app_data(web::QueryConfig::default().error_handler(|e, _| query_error(e).into()))
        .app_data(web::PathConfig::default().error_handler(|_, _| ApiError::NotFound.into()))
        .configure(routes::configure)
        .configure(routes::configure_web_auth)
        .configure(routes::configure_web_downloads)
        .route("/pkg/{file}", web::get().to(crate::ui::assets::serve))
        .leptos_routes_with_context(crate::ui::routes(), crate::ui::context(&state), {
            let options = crate::ui::options();
            move || scope_registry_frontend::app::shell(options.clone())
        })
        // A browser asking for a page that does not exist gets the UI's own "Not found" page
        // (status 404); API clients and everything else get the 404 problem.
        .service(
            web::resource("/{tail:.*}")
                .guard(actix_web::guard::fn_guard(crate::ui::wants_a_page))
                .route(leptos_actix::render_app_async_with_context(
                    crate::ui::context(&state),
                    {
                        let options = crate::ui::options();
                        move || scope_registry_frontend::app::shell(options.clone())
                    },
                    leptos_router::Method::Get,
                )),
        )
        .default_service(web::to(routes::not_found))
        .wrap(from_fn(auth::session::refuse_cross_origin))
        .wrap(
            DefaultHeaders::new()
                .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                .add((header::X_FRAME_OPTIONS, "DENY"))
                // Not `no-referrer`: with it, browsers send `Origin: null` with the registry's
                // own form posts, which the cross-origin check must refuse.
                .add((header::REFERRER_POLICY, "same-origin"))
                .add((
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'none'; frame-ancestors 'none'",
                )),
        )
        .wrap(from_fn(crate::ui::session::attach_caller))
        .wrap(demo)
        .wrap(from_fn(observability::observe))
}

fn json_error(e: JsonPayloadError, limit: usize) -> ApiError {
    match e {
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            ApiError::PayloadTooLarge { limit }
        }
        JsonPayloadError::ContentType => ApiError::UnsupportedMediaType,
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            ApiError::unprocessable("invalid_body", e.to_string())
        }
        JsonPayloadError::Deserialize(e) => ApiError::bad_request("malformed_json", e.to_string()),
        _ => ApiError::bad_request("malformed_body", "the request body could not be read"),
    }
}

fn query_error(e: QueryPayloadError) -> ApiError {
    match e {
        QueryPayloadError::Deserialize(e) => ApiError::bad_request("invalid_query", e.to_string()),
        _ => ApiError::bad_request("invalid_query", "the query string could not be read"),
    }
}
