//! `computegrants grants expire [--as-of YYYY-MM-DD]`: expires the grants whose validity ended
//! before the day (today by default) and claws back their unused credit, as the server's
//! scheduler does; running it twice posts once. Exit 0: done; 1: some grant could not be
//! handled (named, tried again next run); 2: no database or a date that is not one.

use crate::config::Settings;
use crate::domain::grant_expiry;
use crate::messages::Message;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Expire the grants whose validity ended before the day, clawing back their unused credit.
    Expire(ExpireArgs),
}

#[derive(clap::Args)]
pub struct ExpireArgs {
    /// The day to expire as of (YYYY-MM-DD); today (UTC) by default.
    #[arg(long)]
    as_of: Option<String>,
}

pub fn run(settings: &Settings, command: Command) -> Result<ExitCode, String> {
    match command {
        Command::Expire(args) => expire(settings, args),
    }
}

fn expire(settings: &Settings, args: ExpireArgs) -> Result<ExitCode, String> {
    let as_of = match args.as_of.as_deref().map(str::trim) {
        None => crate::domain::clock::today(),
        Some(text) => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| super::say(&Message::new("cli-grants-bad-date").with("text", text)))?,
    };
    let mut conn = super::migrated_connection(settings)?;
    let run = grant_expiry::expire_due(&mut conn, as_of, "cli").map_err(|e| e.to_string())?;
    for clawback in &run.expired {
        println!("{}", super::say(&grant_expiry::describe(clawback, "cli-grant-expired")));
    }
    for clawback in &run.swept {
        println!("{}", super::say(&grant_expiry::describe(clawback, "cli-grant-swept")));
    }
    for (code, problem) in &run.failed {
        eprintln!("{}", super::say(&Message::new("cli-grant-expiry-failed").with("grant", code.as_str()).with("problem", problem.as_str())));
    }
    println!(
        "{}",
        super::say(&Message::new("cli-grants-expired").with("count", run.expired.len()).with("swept", run.swept.len()).with("as_of", as_of))
    );
    Ok(if run.failed.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
