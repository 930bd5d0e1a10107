//! `computegrants export-journal --format hledger|beancount [--output FILE]`, and
//! `computegrants export-programme-journal --programme ID` (the auditors' CSV journal).

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

/// `computegrants export-programme-journal --programme ID [--from YYYY-MM-DD] [--to YYYY-MM-DD]
/// [--output FILE]`: the auditors' CSV journal of one programme, as the funder downloads it.
#[derive(clap::Args)]
pub struct ProgrammeArgs {
    /// The programme's id.
    #[arg(long)]
    programme: i64,
    /// First day included (effective date of the entries).
    #[arg(long)]
    from: Option<String>,
    /// Last day included.
    #[arg(long)]
    to: Option<String>,
    /// File to write; standard output when absent.
    #[arg(long)]
    output: Option<std::path::PathBuf>,
}

pub fn run_programme(settings: &Settings, args: ProgrammeArgs) -> Result<ExitCode, String> {
    use crate::domain::journal::{self, Period};
    use crate::domain::table::Format;
    let locale = super::inspect_report::locale_from_env();
    let say = |e: crate::domain::DomainError| match e {
        crate::domain::DomainError::Invalid(errors) => errors.0.into_iter().map(|(_, m)| crate::i18n::message(locale, &m)).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    };
    let period = Period::parse(args.from.as_deref(), args.to.as_deref()).map_err(say)?;
    let id = crate::domain::ProgrammeId::new(args.programme);
    let mut conn = super::migrated_connection(settings)?;
    match crate::domain::programmes::get(&mut conn, id) {
        Ok(_) => {}
        Err(crate::domain::DomainError::NotFound) => return Err(super::say(&Message::new("cli-journal-no-programme").with("id", args.programme.to_string()))),
        Err(e) => return Err(say(e)),
    }
    let lines = journal::journal_lines(&mut conn, id, period).map_err(say)?;
    let table = journal::journal_table(&crate::i18n::text(locale, "export-journal"), &lines, |key| crate::i18n::text(locale, key));
    let body = table.render(Format::Csv).map_err(|e| e.to_string())?;
    match &args.output {
        Some(path) => {
            std::fs::write(path, &body).map_err(|e| format!("{}: {e}", path.display()))?;
            eprintln!("{}", super::say(&Message::new("cli-journal-written").with("count", u64::try_from(lines.len()).unwrap_or(u64::MAX)).with("path", path.display().to_string())));
        }
        None => {
            use std::io::Write;
            std::io::stdout().lock().write_all(&body).map_err(|e| e.to_string())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
