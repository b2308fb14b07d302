//! `scope-registry`: the registry server, its migrations, audit verification and demo tokens.

use std::process::ExitCode;

use actix_web::HttpServer;
use clap::{Parser, Subcommand};
use scope_registry::config::{ServeArgs, Settings};
use scope_registry::db::{self, DatabaseUrl};
use scope_registry::observability::{LogFormat, init_logging};
use scope_registry::{audit, build_app, demo, prepare};

#[derive(Parser, Debug)]
#[command(
    name = "scope-registry",
    version,
    about = "Governed OAuth scopes: the registry server and its tools"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the registry (applies pending migrations first).
    Serve(Box<ServeArgs>),
    /// Apply pending database migrations and exit.
    Migrate(DatabaseArgs),
    /// Catalog signing keys: list them, rotate the database key.
    SigningKey(scope_registry::catalog::keys_cli::SigningKeyArgs),
    /// Audit log tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Keep a file in sync with the registry's catalog, in one format (the pull agent).
    Pull(Box<scope_registry::pull::PullArgs>),
    /// Print an access token for a demo persona (alice, bob, carol, dave, erin), for a registry
    /// running with --demo on the same database.
    DemoToken {
        /// The persona.
        persona: String,
        #[command(flatten)]
        database: DatabaseArgs,
        /// Audience, as the registry is configured [default: scope-registry].
        #[arg(long, default_value = "scope-registry")]
        audience: String,
        /// Lifetime in hours.
        #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(i64).range(1..=24))]
        hours: i64,
    },
}

#[derive(Subcommand, Debug)]
enum AuditCommand {
    /// Check the audit log's hash chain; name the first broken link. Exit status 1 if broken.
    Verify(DatabaseArgs),
}

#[derive(clap::Args, Debug)]
struct DatabaseArgs {
    /// Database: sqlite://PATH or postgres://USER@HOST/DB.
    #[arg(
        long = "database",
        env = "SCOPE_REGISTRY_DATABASE_URL",
        default_value = "sqlite://./scope-registry.db"
    )]
    url: String,
}

impl DatabaseArgs {
    fn open(&self) -> Result<db::DbPool, String> {
        let url = DatabaseUrl::parse(&self.url).map_err(|e| e.to_string())?;
        db::connect(&url, 1).map_err(|e| format!("database {}: {e}", url.redacted()))
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("scope-registry: error: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> Result<ExitCode, String> {
    match command {
        Command::Serve(args) => {
            let settings = Settings::load(&args).map_err(|e| e.to_string())?;
            init_logging(settings.log_format);
            serve(settings)
        }
        Command::Pull(args) => scope_registry::pull::run(*args),
        Command::Migrate(args) => {
            init_logging(LogFormat::Text);
            let pool = args.open()?;
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            let applied = db::migrate(&mut conn).map_err(|e| e.to_string())?;
            if applied.is_empty() {
                println!("no pending migrations");
            }
            for name in applied {
                println!("applied {name}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::SigningKey(args) => scope_registry::catalog::keys_cli::run(args),
        Command::Audit {
            command: AuditCommand::Verify(args),
        } => {
            let pool = args.open()?;
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            let result = audit::verify(&mut conn).map_err(|e| e.to_string())?;
            match result.broken {
                None => {
                    println!(
                        "audit log intact: {} events, every link verified",
                        result.events
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Some(link) => {
                    println!(
                        "audit log BROKEN at event {}: {} ({} events before it verified)",
                        link.seq, link.reason, result.events
                    );
                    Ok(ExitCode::from(1))
                }
            }
        }
        Command::DemoToken {
            persona,
            database,
            audience,
            hours,
        } => {
            let Some(p) = demo::persona(&persona) else {
                let names: Vec<_> = demo::PERSONAS
                    .iter()
                    .map(|p| format!("{} ({})", p.id, p.role))
                    .collect();
                return Err(format!(
                    "unknown persona {persona:?}; the personas are:\n  {}",
                    names.join("\n  ")
                ));
            };
            let pool = database.open()?;
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            db::migrate(&mut conn).map_err(|e| e.to_string())?;
            let minter = demo::signing_key(&mut conn).map_err(|e| e.to_string())?;
            println!(
                "{}",
                demo::token(&minter, p, &audience, hours).map_err(|e| e.to_string())?
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[actix_web::main]
async fn serve(settings: Settings) -> Result<ExitCode, String> {
    let bind = settings.bind;
    let demo_mode = settings.demo;
    let database = settings.database.redacted();
    let state = prepare(settings).await.map_err(|e| e.to_string())?;
    if demo_mode {
        let st = state.clone();
        let seeded = actix_web::web::block(move || {
            let mut conn = st.pool.get().map_err(|e| e.to_string())?;
            demo::seed(&mut conn, &st).map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| e.to_string())??;
        tracing::warn!(
            seeded,
            "DEMO MODE: seeded personas and data, trusting only the demo issuer; not for production"
        );
        eprintln!(
            "demo mode: try  curl -H \"Authorization: Bearer $(scope-registry demo-token alice)\" http://{bind}/api/v1/me"
        );
    }
    tracing::info!(%bind, %database, demo = demo_mode, "scope-registry listening");
    let server = HttpServer::new(move || build_app(state.clone()))
        .bind(bind)
        .map_err(|e| format!("bind: cannot listen on {bind}: {e}"))?;
    server.run().await.map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}
