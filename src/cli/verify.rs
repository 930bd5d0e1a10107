//! `computegrants verify`: the whole ledger checked; exit 1 naming the first problem.

use crate::config::Settings;
use crate::ledger;
use std::process::ExitCode;

pub fn run(settings: &Settings) -> Result<ExitCode, String> {
    let mut conn = super::migrated_connection(settings)?;
    let started = std::time::Instant::now();
    match ledger::verify(&mut conn) {
        Ok(report) => {
            println!(
                "ledger OK: {} entries, {} postings, {} accounts checked in {:.2?}",
                report.entries,
                report.postings,
                report.accounts,
                started.elapsed()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(problem) => {
            eprintln!("ledger verification FAILED: {problem}");
            Ok(ExitCode::from(1))
        }
    }
}
