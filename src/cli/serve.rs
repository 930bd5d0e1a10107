//! `computegrants serve [--bind ADDR] [--demo]`.

use crate::config::Settings;
use crate::domain::demo;
use crate::{Application, db};
use crate::messages::Message;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, env = "BIND", default_value = "127.0.0.1:8080")]
    bind: String,
    /// Load realistic demo programmes, startups and providers (once) and print their logins.
    #[arg(long)]
    demo: bool,
}

pub fn run(mut settings: Settings, args: Args) -> Result<ExitCode, String> {
    settings.bind = args.bind;
    let mut conn = db::connect(&settings.database_url).map_err(|e| e.to_string())?;
    db::run_migrations(&mut conn).map_err(|e| e.to_string())?;
    let logins = if args.demo { Some(demo::load(&mut conn).map_err(|e| format!("demo data: {e}"))?) } else { None };
    drop(conn);
    let app = Application::build(settings.clone()).map_err(|e| e.to_string())?;
    let url = settings.public_url.clone().unwrap_or_else(|| {
        let host = settings.bind.rsplit_once(':').map(|(h, _)| h).unwrap_or("127.0.0.1");
        let host = if host == "0.0.0.0" { "127.0.0.1" } else { host };
        format!("http://{host}:{}", app.port())
    });
    println!("{}", super::say(&Message::new("cli-running").with("url", url.as_str()).with("database", settings.database_url.as_str())));
    if let Some(logins) = logins {
        println!("\n{}", super::say(&Message::new("cli-demo-logins").with("password", demo::DEMO_PASSWORD)));
        for (role, email) in logins {
            println!("  {role:<10} {email}");
        }
        println!();
    }
    actix_web::rt::System::new().block_on(app.run_until_stopped()).map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}
