//! `computegrants admin …`: operators' commands.

use crate::config::Settings;
use crate::domain::identity::{self, OrgKind};
use crate::messages::Message;
use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum Command {
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
    /// Create an API token for an organisation and print its secret, once.
    CreateToken {
        /// Organisation name.
        #[arg(long)]
        org: String,
        /// The token's name, recorded as the actor of what it changes (`api-token:NAME`).
        #[arg(long)]
        name: String,
        /// Comma-separated scopes, e.g. usage:write,grants:read.
        #[arg(long)]
        scopes: String,
        /// The last day the token works (YYYY-MM-DD); without it, until revoked.
        #[arg(long)]
        expires: Option<String>,
    },
}

pub fn run(settings: &Settings, command: Command) -> Result<ExitCode, String> {
    match command {
        Command::CreateUser { email, role, org, name } => {
            let kind = OrgKind::parse(&role).ok_or_else(|| super::say(&Message::new("cli-unknown-role").with("role", role.as_str())))?;
            let password = read_password()?;
            let mut conn = super::migrated_connection(settings)?;
            let display = name.unwrap_or_else(|| email.split('@').next().unwrap_or(&email).to_string());
            let member = identity::create_member(&mut conn, kind, &org, &email, &display, &password).map_err(|e| e.to_string())?;
            println!(
                "{}",
                super::say(&Message::new("cli-user-created").with("email", member.user.email.as_str()).with("org", member.organisation.name.as_str()).with("kind", member.organisation.kind.as_str()))
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::CreateToken { org, name, scopes, expires } => {
            use crate::domain::api_tokens::{self, NewToken, Scope};
            let mut conn = super::migrated_connection(settings)?;
            let organisation = identity::find_org_by_name(&mut conn, &org)
                .map_err(|e| e.to_string())?
                .ok_or_else(|| super::say(&Message::new("cli-unknown-org").with("org", org.as_str())))?;
            let offered: Vec<&str> = Scope::offered_in(organisation.kind()).iter().map(|s| s.as_str()).collect();
            let parsed = api_tokens::parse_scopes(&scopes)
                .ok_or_else(|| super::say(&Message::new("cli-token-scopes").with("scopes", offered.join(","))))?;
            let expires_on = match expires {
                Some(day) => Some(
                    chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d").map_err(|_| super::say(&Message::new("cli-token-expiry").with("date", day.as_str())))?,
                ),
                None => None,
            };
            let new = NewToken { name, scopes: parsed, expires_on };
            let errors = api_tokens::validate(organisation.kind(), &new);
            if let Some((_, message)) = errors.0.first() {
                let mut text = super::say(message);
                if errors.has("scopes") {
                    text = format!("{text} ({})", offered.join(","));
                }
                return Err(text);
            }
            let (token, secret) = api_tokens::create(&mut conn, &organisation, None, &new).map_err(|e| e.to_string())?;
            eprintln!("{}", super::say(&Message::new("cli-token-created").with("name", token.name.as_str()).with("org", organisation.name.as_str())));
            println!("{secret}");
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
        return Err(super::say(&Message::new("cli-no-password")));
    }
    Ok(password)
}
