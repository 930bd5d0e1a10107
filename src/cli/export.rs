//! `computegrants export-journal --format hledger|beancount [--output FILE]`.

use crate::config::Settings;
use crate::ledger::export;
use crate::messages::Message;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long, value_enum)]
    format: export::Format,
    /// File to write; standard output when absent.
    #[arg(long)]
    output: Option<std::path::PathBuf>,
}

pub fn run(settings: &Settings, args: Args) -> Result<ExitCode, String> {
    let mut conn = super::migrated_connection(settings)?;
    let written = match &args.output {
        Some(path) => {
            let file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
            export::write_journal(&mut conn, args.format, &mut std::io::BufWriter::new(file)).map_err(|e| e.to_string())?
        }
        None => export::write_journal(&mut conn, args.format, &mut std::io::BufWriter::new(std::io::stdout().lock())).map_err(|e| e.to_string())?,
    };
    if let Some(path) = args.output {
        eprintln!("{}", super::say(&Message::new("cli-export-written").with("count", written).with("path", path.display().to_string())));
    }
    Ok(ExitCode::SUCCESS)
}
