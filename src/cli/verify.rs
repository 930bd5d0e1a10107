//! `computegrants verify`: the whole ledger checked; exit 1 naming the first problem.

use crate::config::Settings;
use crate::ledger;
use crate::messages::Message;
use std::process::ExitCode;

pub fn run(settings: &Settings) -> Result<ExitCode, String> {
    let mut conn = super::migrated_connection(settings)?;
    let started = std::time::Instant::now();
    match ledger::verify(&mut conn) {
        Ok(report) => {
            println!(
                "{}",
                super::say(
                    &Message::new("cli-verify-ok")
                        .with("entries", report.entries)
                        .with("postings", report.postings)
                        .with("accounts", report.accounts)
                        .with("elapsed", format!("{:.2?}", started.elapsed()))
                )
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(problem) => {
            eprintln!("{}", super::say(&Message::new("cli-verify-failed").with("problem", problem.to_string())));
            Ok(ExitCode::from(1))
        }
    }
}
