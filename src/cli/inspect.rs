//! `computegrants inspect FILE [--format text|json]`: exit 0 clean, 1 problems, 2 unreadable.

use super::inspect_report;
use crate::i18n;
use crate::messages::Message;
use std::io::IsTerminal;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    file: std::path::PathBuf,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

pub fn run(args: Args) -> Result<ExitCode, String> {
    // A progress bar for large streams, on a terminal only: piped output stays clean.
    let mut progress = |total: u64| -> Box<dyn FnMut(u64)> {
        if !std::io::stderr().is_terminal() || total < 50_000_000 {
            return Box::new(|_| {});
        }
        let bar = indicatif::ProgressBar::new(total);
        if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} {eta}") {
            bar.set_style(style);
        }
        Box::new(move |read| {
            bar.set_position(read);
            if read >= total {
                bar.finish_and_clear();
            }
        })
    };
    // Worded in the language of the environment (LC_ALL, LC_MESSAGES, LANG), English by default.
    let locale = inspect_report::locale_from_env();
    match inspect_report::inspect(&args.file, &mut progress) {
        Ok(report) => {
            match args.format {
                Format::Text => print!("{}", report.text(locale)),
                Format::Json => println!("{}", report.json(locale)),
            }
            Ok(ExitCode::from(report.exit_code()))
        }
        Err(e) => {
            match args.format {
                Format::Json => {
                    let m = e.message();
                    let out = serde_json::json!({ "error": e.worded(locale), "code": m.key, "args": inspect_report::args_json(&m) });
                    println!("{out}")
                }
                Format::Text => {
                    let m = Message::new("inspect-cannot-read").with("file", args.file.display().to_string()).with("reason", e.worded(locale));
                    eprintln!("{}", i18n::message(locale, &m))
                }
            }
            Ok(ExitCode::from(2))
        }
    }
}
