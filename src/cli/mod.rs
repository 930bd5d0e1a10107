//! The command line: one file per command. Each returns the process exit code; an `Err` is a
//! failure to run at all (exit 2), reported in one place.

mod admin;
mod backup;
mod demo;
mod export;
mod inspect;
pub mod inspect_report;
mod migrate;
mod serve;
mod usage;
mod verify;
mod grants;

use crate::config::Settings;
use crate::db::{self, AnyConnection};
use crate::messages::Message;
use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// ComputeGrants: run public compute-credit programmes on a double-entry ledger.
#[derive(Parser)]
#[command(version, about)]
pub struct Cli {
    /// Database: postgres://… for PostgreSQL, anything else is a SQLite file path.
    #[arg(long, global = true, env = "DATABASE_URL", default_value = crate::config::DEFAULT_DATABASE_URL)]
    database_url: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application.
    Serve(serve::Args),
    /// Build the national-scale dataset for measuring (programmes, thousands of startups and
    /// grants, millions of postings), through the same domain functions as the web.
    Demo(demo::Args),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Check the whole ledger; exits non-zero naming the first problem.
    Verify,
    /// Copy a SQLite database consistently while the server runs (PostgreSQL: use pg_dump).
    Backup(backup::Args),
    /// Write the whole ledger as a plain-text journal for hledger or Beancount, with declared
    /// accounts and commodities and a balance assertion per account.
    ExportJournal(export::Args),
    /// Read a provider document (FOCUS usage CSV, UBL invoice or credit note, CII invoice),
    /// print its totals and every problem. Exit 0: no problem; 1: problems; 2: unreadable.
    Inspect(inspect::Args),
    /// Provider usage files, through the same pipeline as the browser.
    Usage {
        #[command(subcommand)]
        command: usage::Command,
    },
    /// Administration.
    Admin {
        #[command(subcommand)]
        command: admin::Command,
    },
    /// Write one programme's journal for auditors as CSV: every posting of every ledger entry
    /// touching its budget or its grants' credits, over a period.
    ExportProgrammeJournal(export::ProgrammeArgs),
    /// Grants: expiry and the clawback of unused credit.
    Grants {
        #[command(subcommand)]
        command: grants::Command,
    },
}

pub fn main(cli: Cli) -> ExitCode {
    let mut settings = Settings::from_env();
    settings.database_url = cli.database_url.clone();
    let outcome = match cli.command {
        Command::Serve(args) => serve::run(settings, args),
        Command::Demo(args) => demo::run(&settings, args),
        Command::Migrate => migrate::run(&settings),
        Command::Verify => verify::run(&settings),
        Command::Backup(args) => backup::run(&settings, args),
        Command::ExportJournal(args) => export::run(&settings, args),
        Command::Inspect(args) => inspect::run(args),
        Command::Admin { command } => admin::run(&settings, command),
        Command::Usage { command } => usage::run(&settings, command),
        Command::ExportProgrammeJournal(args) => export::run_programme(&settings, args),
        Command::Grants { command } => grants::run(&settings, command),
    };
    match outcome {
        Ok(code) => code,
        Err(message) => {
            eprintln!("{}", say(&Message::new("cli-error").with("message", message)));
            ExitCode::from(2)
        }
    }
}

/// A sentence for the terminal, in the language of the environment (`LC_ALL`, `LC_MESSAGES`,
/// `LANG`; English by default).
pub fn say(message: &Message) -> String {
    crate::i18n::message(inspect_report::locale_from_env(), message)
}

/// A migrated connection, for the commands that work on the database directly.
fn migrated_connection(settings: &Settings) -> Result<AnyConnection, String> {
    let mut conn = db::connect(&settings.database_url).map_err(|e| e.to_string())?;
    db::run_migrations(&mut conn).map_err(|e| e.to_string())?;
    // Commands read the whole ledger on purpose; the per-request time budget is for the server.
    db::without_time_budget(&mut conn).map_err(|e| e.to_string())?;
    Ok(conn)
}
