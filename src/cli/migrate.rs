//! `computegrants migrate`.

use crate::config::Settings;
use crate::db;
use std::process::ExitCode;

pub fn run(settings: &Settings) -> Result<ExitCode, String> {
    let mut conn = db::connect(&settings.database_url).map_err(|e| e.to_string())?;
    let n = db::run_migrations(&mut conn).map_err(|e| e.to_string())?;
    println!("{}", super::say(&crate::messages::Message::new("cli-migrations-applied").with("count", n)));
    Ok(ExitCode::SUCCESS)
}
