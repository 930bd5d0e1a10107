//! `computegrants backup --output FILE`: a consistent copy of a SQLite database, taken while the
//! server runs. `VACUUM INTO` reads one snapshot of the database (WAL readers do not block the
//! writer, nor it them) and writes a compact, standalone file; restoring is copying that file
//! back while the server is stopped. PostgreSQL has its own tool for this: `pg_dump`.

use crate::config::Settings;
use crate::db::{AnyConnection, Backend};
use crate::messages::Message;
use diesel::connection::SimpleConnection;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// File to write; it must not exist yet.
    #[arg(long)]
    output: PathBuf,
}

pub fn run(settings: &Settings, args: Args) -> Result<ExitCode, String> {
    if Backend::of_url(&settings.database_url) == Backend::Postgres {
        return Err(super::say(&Message::new("cli-backup-postgres")));
    }
    if args.output.exists() {
        return Err(super::say(&Message::new("cli-backup-exists").with("path", args.output.display().to_string())));
    }
    let target = args.output.to_str().ok_or_else(|| format!("{} is not a UTF-8 path", args.output.display()))?;
    let mut conn = super::migrated_connection(settings)?;
    let started = std::time::Instant::now();
    vacuum_into(&mut conn, target).map_err(|e| format!("backup failed: {e}"))?;
    let size = std::fs::metadata(&args.output).map(|m| m.len()).unwrap_or(0);
    println!(
        "{}",
        super::say(&Message::new("cli-backup-written").with("path", args.output.display().to_string()).with("size", size).with("elapsed", format!("{:.2?}", started.elapsed())))
    );
    Ok(ExitCode::SUCCESS)
}

fn vacuum_into(conn: &mut AnyConnection, target: &str) -> Result<(), diesel::result::Error> {
    // A path is a string literal in SQL: quotes doubled, nothing else interpreted.
    conn.batch_execute(&format!("VACUUM INTO '{}'", target.replace('\'', "''")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_quote_in_the_path_cannot_end_the_literal() {
        assert_eq!("it's.db".replace('\'', "''"), "it''s.db");
    }
}
