//! `scope-registry signing-key list | rotate`: the catalog signing keys from the command line
//! (rules in [`super::signing_keys`]).

use std::process::ExitCode;

use super::signing_keys::{self, KeyOrigin, KeyStatus};
use crate::db::{self, DatabaseUrl};
use crate::state::{now_ms, rfc3339};

/// `scope-registry signing-key …`
#[derive(clap::Args, Debug)]
pub struct SigningKeyArgs {
    #[command(subcommand)]
    pub command: SigningKeyCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum SigningKeyCommand {
    /// List the catalog signing keys: id, status (active or retired), when retired, origin
    /// (db: kept in the database; file: a configured key file).
    List(KeysDatabaseArgs),
    /// Make a new database key the active catalog signing key. The key it replaces is retired and
    /// stays published for the grace period (catalog.retired_key_grace_hours); running replicas
    /// without a key file sign with the new key within a second of their next catalog request.
    Rotate(KeysDatabaseArgs),
}

#[derive(clap::Args, Debug)]
pub struct KeysDatabaseArgs {
    /// Database: sqlite://PATH or postgres://USER@HOST/DB.
    #[arg(
        long = "database",
        env = "SCOPE_REGISTRY_DATABASE_URL",
        default_value = "sqlite://./scope-registry.db"
    )]
    url: String,
}

impl KeysDatabaseArgs {
    fn connect(&self) -> Result<db::PooledDb, String> {
        let url = DatabaseUrl::parse(&self.url).map_err(|e| e.to_string())?;
        let pool = db::connect(&url, 1).map_err(|e| format!("database {}: {e}", url.redacted()))?;
        pool.get()
            .map_err(|e| format!("database {}: {e}", url.redacted()))
    }
}

/// Runs a `signing-key` subcommand; the error is the message to print.
pub fn run(args: SigningKeyArgs) -> Result<ExitCode, String> {
    match args.command {
        SigningKeyCommand::List(database) => {
            let mut conn = database.connect()?;
            let list = signing_keys::read(&mut conn).map_err(|e| {
                format!(
                    "cannot read the signing keys (has the registry run on this database?): {e}"
                )
            })?;
            if list.records().is_empty() {
                println!(
                    "no catalog signing keys yet: the registry creates one on its first start"
                );
                return Ok(ExitCode::SUCCESS);
            }
            print!("{}", table(&list));
            Ok(ExitCode::SUCCESS)
        }
        SigningKeyCommand::Rotate(database) => {
            let mut conn = database.connect()?;
            db::migrate(&mut conn).map_err(|e| e.to_string())?;
            let rotation = signing_keys::rotate(&mut conn, now_ms()).map_err(|e| e.to_string())?;
            println!("active:  {} (db)", rotation.active.kid);
            if let Some(retired) = rotation.retired {
                println!(
                    "retired: {} ({}), published for the grace period (catalog.retired_key_grace_hours, 7 days unless configured)",
                    retired.kid, retired.origin
                );
                if retired.origin == KeyOrigin::File {
                    println!(
                        "note: replicas configured with catalog.signing_key_file keep signing with their file's key; \
                         remove the setting from them and restart them"
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn table(list: &signing_keys::KeyList) -> String {
    let time = |ms: Option<i64>| ms.map_or_else(|| "-".to_owned(), rfc3339);
    let width = list
        .records()
        .iter()
        .map(|k| k.kid.len())
        .max()
        .unwrap_or(0)
        .max(3);
    let mut out = format!(
        "{:width$}  {:7}  {:6}  {:24}  {}\n",
        "KID", "STATUS", "ORIGIN", "CREATED", "RETIRED"
    );
    for k in list.records() {
        let retired = match k.status {
            KeyStatus::Active => "-".to_owned(),
            KeyStatus::Retired => time(k.retired_at),
        };
        out.push_str(&format!(
            "{:width$}  {:7}  {:6}  {:24}  {}\n",
            k.kid,
            k.status.to_string(),
            k.origin.to_string(),
            time(k.created_at),
            retired
        ));
    }
    out
}
