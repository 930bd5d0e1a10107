use clap::{Parser, Subcommand};
use computegrants::config::Settings;
use computegrants::domain::accounts::{self, OrgKind};
use computegrants::domain::{demo, export, ledger};
use computegrants::{Application, db};
use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

/// ComputeGrants: run public compute-credit programmes on a double-entry ledger.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// Database: postgres://… for PostgreSQL, anything else is a SQLite file path.
    #[arg(long, global = true, env = "DATABASE_URL", default_value = computegrants::config::DEFAULT_DATABASE_URL)]
    database_url: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// Load realistic demo programmes, startups and providers (once) and print their logins.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Check the whole ledger; exits non-zero naming the first problem.
    Verify,
    /// Write the whole ledger as a plain-text journal for hledger or Beancount, with declared
    /// accounts and commodities and a balance assertion per account.
    ExportJournal {
        #[arg(long, value_enum)]
        format: export::Format,
        /// File to write; standard output when absent.
        #[arg(long)]
        output: Option<std::path::PathBuf>,
    },
    /// Read a provider document (FOCUS usage CSV, UBL invoice or credit note, CII invoice),
    /// print its totals and every problem. Exit 0: no problem; 1: problems; 2: unreadable.
    Inspect {
        file: std::path::PathBuf,
        #[arg(long, value_enum, default_value = "text")]
        format: InspectFormat,
    },
    /// Administration.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum InspectFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a user (and their organisation if it does not exist). The password is read from
    /// standard input, or prompted for on a terminal.
    CreateUser {
        #[arg(long)]
        email: String,
        /// admin (platform administrator), funder, provider or startup.
        #[arg(long)]
        role: String,
        /// Organisation name.
        #[arg(long)]
        org: String,
        /// Display name (defaults to the email's local part).
        #[arg(long)]
        name: Option<String>,
    },
}

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info,actix_server=warn")).init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    let mut settings = Settings::from_env();
    settings.database_url = cli.database_url.clone();
    match cli.command {
        Command::Serve { bind, demo: with_demo } => {
            settings.bind = bind;
            let mut conn = db::connect(&settings.database_url).map_err(|e| e.to_string())?;
            db::run_migrations(&mut conn).map_err(|e| e.to_string())?;
            let logins = if with_demo { Some(demo::load(&mut conn).map_err(|e| format!("demo data: {e}"))?) } else { None };
            drop(conn);
            let app = Application::build(settings.clone()).map_err(|e| e.to_string())?;
            let url = settings.public_url.clone().unwrap_or_else(|| {
                let host = settings.bind.rsplit_once(':').map(|(h, _)| h).unwrap_or("127.0.0.1");
                let host = if host == "0.0.0.0" { "127.0.0.1" } else { host };
                format!("http://{host}:{}", app.port())
            });
            println!("ComputeGrants is running at {url}  (database: {})", settings.database_url);
            if let Some(logins) = logins {
                println!("\nDemo logins (password for every account: {}):", demo::DEMO_PASSWORD);
                for (role, email) in logins {
                    println!("  {role:<10} {email}");
                }
                println!();
            }
            actix_web::rt::System::new().block_on(app.run_until_stopped()).map_err(|e| e.to_string())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            let mut conn = db::connect(&settings.database_url).map_err(|e| e.to_string())?;
            let n = db::run_migrations(&mut conn).map_err(|e| e.to_string())?;
            println!("{n} migration(s) applied");
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify => {
            let mut conn = db::connect(&settings.database_url).map_err(|e| e.to_string())?;
            db::run_migrations(&mut conn).map_err(|e| e.to_string())?;
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
        Command::Inspect { file, format } => {
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
            match computegrants::inspect::inspect(&file, &mut progress) {
                Ok(report) => {
                    match format {
                        InspectFormat::Text => print!("{}", report.text()),
                        InspectFormat::Json => println!("{}", report.json()),
                    }
                    Ok(ExitCode::from(report.exit_code()))
                }
                Err(e) => {
                    match format {
                        InspectFormat::Json => println!("{}", serde_json::json!({ "error": e.to_string() })),
                        InspectFormat::Text => eprintln!("cannot read {}: {e}", file.display()),
                    }
                    Ok(ExitCode::from(2))
                }
            }
        }
        Command::ExportJournal { format, output } => {
            let mut conn = db::connect(&settings.database_url).map_err(|e| e.to_string())?;
            db::run_migrations(&mut conn).map_err(|e| e.to_string())?;
            let written = match &output {
                Some(path) => {
                    let file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
                    let mut out = std::io::BufWriter::new(file);
                    export::write_journal(&mut conn, format, &mut out).map_err(|e| e.to_string())?
                }
                None => export::write_journal(&mut conn, format, &mut std::io::BufWriter::new(std::io::stdout().lock())).map_err(|e| e.to_string())?,
            };
            if let Some(path) = output {
                eprintln!("{written} transactions written to {}", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Admin { command: AdminCommand::CreateUser { email, role, org, name } } => {
            let kind = OrgKind::parse(&role).ok_or_else(|| format!("unknown role {role:?}: use admin, funder, provider or startup"))?;
            let password = read_password()?;
            let mut conn = db::connect(&settings.database_url).map_err(|e| e.to_string())?;
            db::run_migrations(&mut conn).map_err(|e| e.to_string())?;
            let display = name.unwrap_or_else(|| email.split('@').next().unwrap_or(&email).to_string());
            let member = accounts::create_member(&mut conn, kind, &org, &email, &display, &password).map_err(|e| e.to_string())?;
            println!("created {} in {} ({})", member.user.email, member.organisation.name, member.organisation.kind);
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn read_password() -> Result<String, String> {
    let stdin = std::io::stdin();
    let password = if stdin.is_terminal() {
        rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?
    } else {
        let mut line = String::new();
        stdin.lock().read_line(&mut line).map_err(|e| e.to_string())?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    if password.is_empty() {
        return Err("no password given".into());
    }
    Ok(password)
}
