//! `computegrants usage import --provider NAME [--submit] [--format text|json] FILE`: a
//! provider's usage file through the same pipeline as the browser (read, check against grants
//! and catalogue, store as pending; `--submit` places the holds). Exit 0: accepted; 1: refused
//! with problems; 2: unreadable or no such provider.

use crate::config::Settings;
use crate::domain::identity::{self, OrgKind};
use crate::domain::usage::{self, UploadOutcome};
use crate::messages::Message;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Check a FOCUS CSV file for a provider and store it as pending (or submitted).
    Import(ImportArgs),
}

#[derive(clap::Args)]
pub struct ImportArgs {
    /// The provider organisation's name, as the platform knows it.
    #[arg(long)]
    provider: String,
    /// Also submit it: hold each grant's charge until the funder approves an invoice.
    #[arg(long)]
    submit: bool,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    file: std::path::PathBuf,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

/// A progress bar on a terminal (lines read, problems so far, the phase); nothing when the
/// output is piped, so that scripts read clean output.
struct Bar {
    bar: Option<indicatif::ProgressBar>,
    locale: crate::i18n::Locale,
}

impl Bar {
    fn new(locale: crate::i18n::Locale) -> Bar {
        use std::io::IsTerminal;
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {elapsed} {msg}") {
                bar.set_style(style);
            }
            bar.enable_steady_tick(std::time::Duration::from_millis(200));
            bar
        });
        Bar { bar, locale }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl usage::Watch for Bar {
    fn phase(&mut self, phase: usage::JobPhase) {
        if let Some(bar) = &self.bar {
            bar.set_prefix(crate::i18n::text(self.locale, &format!("job-phase-{phase}")));
            bar.set_message(crate::i18n::text(self.locale, &format!("job-phase-{phase}")));
        }
    }

    fn lines(&mut self, read: u64, problems: u64) {
        if let Some(bar) = &self.bar {
            let progress = Message::new("job-progress").with("lines", i64::try_from(read).unwrap_or(i64::MAX)).with("problems", i64::try_from(problems).unwrap_or(i64::MAX));
            bar.set_message(format!("{}: {}", bar.prefix(), crate::i18n::message(self.locale, &progress)));
        }
    }
}

pub fn run(settings: &Settings, command: Command) -> Result<ExitCode, String> {
    let Command::Import(args) = command;
    let locale = super::inspect_report::locale_from_env();
    // Opened here only to say plainly when it cannot be; the pipeline streams it, twice.
    std::fs::File::open(&args.file).map_err(|e| super::say(&Message::new("inspect-cannot-open").with("file", args.file.display().to_string()).with("reason", e.to_string())))?;
    let mut conn = super::migrated_connection(settings)?;
    let provider = identity::find_org_by_name(&mut conn, args.provider.trim()).map_err(|e| e.to_string())?.filter(|o| o.kind() == OrgKind::Provider);
    let Some(provider) = provider else {
        eprintln!("{}", super::say(&Message::new("cli-no-such-provider").with("name", args.provider.as_str())));
        return Ok(ExitCode::from(2));
    };
    // The file is recorded as uploaded by the provider's first owner.
    let Some(owner) = identity::members_of(&mut conn, provider.id).map_err(|e| e.to_string())?.into_iter().next() else {
        eprintln!("{}", super::say(&Message::new("cli-no-such-provider").with("name", args.provider.as_str())));
        return Ok(ExitCode::from(2));
    };
    let member = identity::member(&mut conn, owner.id).map_err(|e| e.to_string())?;
    let filename = args.file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "usage.csv".into());
    let mut watch = Bar::new(locale);
    let outcome = usage::upload_from(&mut conn, &member, &filename, &usage::Source::File(args.file.clone()), u64::MAX, &mut watch).map_err(|e| e.to_string())?;
    watch.finish();
    let view = match outcome {
        UploadOutcome::Refused(refusal) => {
            match args.format {
                Format::Json => {
                    let problems: Vec<serde_json::Value> = refusal
                        .problems
                        .shown
                        .iter()
                        .map(|p| serde_json::json!({ "line": p.line, "column": p.column, "problem": crate::i18n::message(locale, &p.message), "code": p.message.key }))
                        .collect();
                    println!("{}", serde_json::json!({ "accepted": false, "file": refusal.filename, "problems": problems, "problems_total": refusal.problems.total() }));
                }
                Format::Text => {
                    println!("{}", super::say(&Message::new("cli-usage-refused").with("file", refusal.filename.as_str()).with("count", i64::try_from(refusal.problems.total()).unwrap_or(i64::MAX))));
                    for p in &refusal.problems.shown {
                        println!("  {}: {}", crate::i18n::message(locale, &p.location()), crate::i18n::message(locale, &p.message));
                    }
                }
            }
            return Ok(ExitCode::from(1));
        }
        UploadOutcome::Pending(view) => view,
    };
    let id = view.upload.id;
    let view = if args.submit {
        match usage::confirm(&mut conn, &member, id) {
            Ok(view) => view,
            Err(crate::domain::DomainError::Conflict(message)) => {
                eprintln!("{}", super::say(&message));
                return Ok(ExitCode::from(1));
            }
            Err(e) => return Err(e.to_string()),
        }
    } else {
        view
    };
    match args.format {
        Format::Json => {
            let charges: Vec<serde_json::Value> =
                view.charges.iter().map(|c| serde_json::json!({ "grant": c.grant_code, "lines": c.lines, "exact": c.exact.to_string(), "charged": c.amount.plain() })).collect();
            println!(
                "{}",
                serde_json::json!({ "accepted": true, "upload": id.get(), "status": view.upload.status.as_str(), "lines": view.upload.line_count, "currency": view.upload.currency, "charges": charges })
            );
        }
        Format::Text => {
            println!("{}", super::say(&Message::new("cli-usage-accepted").with("upload", id.get().to_string()).with("lines", view.upload.line_count).with("status", crate::i18n::text(locale, &format!("upload-status-{}", view.upload.status)))));
            for c in &view.charges {
                println!("  {:<14} {:>8} {:>16} {}", c.grant_code, c.lines, c.amount.plain(), view.upload.currency);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
