//! `computegrants backup --output FILE`: a consistent copy of a SQLite database, taken while the
//! server runs. `VACUUM INTO` reads one snapshot of the database (WAL readers do not block the
//! writer, nor it them) and writes a compact, standalone file; restoring is copying that file
//! back while the server is stopped. PostgreSQL has its own tool for this: `pg_dump`.

use crate::config::Settings;
use crate::db::{AnyConnection, Backend};
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
        return Err("backup copies SQLite databases; for PostgreSQL use pg_dump (see the README)".into());
    }
    if args.output.exists() {
        return Err(format!("{} exists already; choose a new file", args.output.display()));
    }
    let target = args.output.to_str().ok_or_else(|| format!("{} is not a UTF-8 path", args.output.display()))?;
    let mut conn = super::migrated_connection(settings)?;
    let started = std::time::Instant::now();
    vacuum_into(&mut conn, target).map_err(|e| format!("backup failed: {e}"))?;
    let size = std::fs::metadata(&args.output).map(|m| m.len()).unwrap_or(0);
    println!("backup written to {} ({size} bytes) in {:.2?}", args.output.display(), started.elapsed());
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
