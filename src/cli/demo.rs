//! `computegrants demo --scale N`: the national-scale dataset (see `domain::demo_scale`), built
//! through the domain's own write path, so that anyone can reproduce the figures measured on it.

use crate::config::Settings;
use crate::domain::demo_scale::{self, ScaleOptions};
use crate::messages::Message;
use std::io::Write;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Grants to award (one startup each).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub scale: u32,
    /// Billing cycles per grant (each a usage file, an invoice and an approval per provider and
    /// funder); each adds four postings per grant.
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(0..=10_000))]
    pub cycles: u32,
    /// Entries of the one grant billed far more often (its statement is the long one).
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u32).range(0..=1_000_000))]
    pub statement_entries: u32,
}

pub fn run(settings: &Settings, args: Args) -> Result<ExitCode, String> {
    let mut conn = super::migrated_connection(settings)?;
    let started = std::time::Instant::now();
    let options = ScaleOptions { grants: args.scale as usize, cycles: args.cycles as usize, statement_entries: args.statement_entries as usize };
    let mut progress = |phase: &str, done: usize, total: usize| {
        eprint!("\r{}", super::say(&Message::new("cli-demo-scale-progress").with("phase", phase).with("done", done as i64).with("total", total as i64)));
        let _ = std::io::stderr().flush();
        if done == total {
            eprintln!();
        }
    };
    match demo_scale::build(&mut conn, options, &mut progress) {
        Ok(report) => {
            println!(
                "{}",
                super::say(
                    &Message::new("cli-demo-scale-done")
                        .with("programmes", report.programmes as i64)
                        .with("grants", report.grants as i64)
                        .with("uploads", report.uploads as i64)
                        .with("invoices", report.invoices as i64)
                        .with("entries", report.entries)
                        .with("postings", report.postings)
                        .with("heavy", report.heavy_grant)
                        .with("login", report.funder_login)
                        .with("seconds", started.elapsed().as_secs() as i64)
                )
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(crate::domain::DomainError::Conflict(message)) => Err(super::say(&message)),
        Err(e) => Err(e.to_string()),
    }
}
