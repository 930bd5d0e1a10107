//! Outgoing mail: over SMTP when `SMTP_URL` is set, otherwise as `.eml` files in the outbox.

use crate::config::MailSettings;
use lettre::message::{Mailbox, header::ContentType};
use lettre::{FileTransport, Message, SmtpTransport, Transport};

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("invalid address {0}")]
    Address(String),
    #[error("cannot build the message: {0}")]
    Build(String),
    #[error("SMTP delivery failed: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("cannot write to the outbox: {0}")]
    File(#[from] lettre::transport::file::Error),
    #[error("cannot create the outbox folder: {0}")]
    Folder(#[from] std::io::Error),
}

#[derive(Clone)]
pub struct Mailer {
    transport: MailTransport,
    from: Mailbox,
}

#[derive(Clone)]
enum MailTransport {
    Smtp(SmtpTransport),
    Files(FileTransport, std::path::PathBuf),
}

/// A message to send: plain text, which every mail client shows well.
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

impl Mailer {
    pub fn new(settings: &MailSettings) -> Result<Mailer, MailError> {
        let from = settings.from.parse::<Mailbox>().map_err(|_| MailError::Address(settings.from.clone()))?;
        let transport = match &settings.smtp_url {
            Some(url) => MailTransport::Smtp(SmtpTransport::from_url(url)?.timeout(Some(std::time::Duration::from_secs(20))).build()),
            None => {
                std::fs::create_dir_all(&settings.outbox)?;
                MailTransport::Files(FileTransport::new(&settings.outbox), settings.outbox.clone())
            }
        };
        Ok(Mailer { transport, from })
    }

    /// Sends one message. Blocking: call it off the async executor.
    pub fn send(&self, mail: &Mail) -> Result<(), MailError> {
        let to = mail.to.parse::<Mailbox>().map_err(|_| MailError::Address(mail.to.clone()))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .map_err(|e| MailError::Build(e.to_string()))?;
        match &self.transport {
            MailTransport::Smtp(t) => {
                t.send(&message)?;
                log::info!("mail “{}” sent to {} over SMTP", mail.subject, mail.to);
            }
            MailTransport::Files(t, dir) => {
                let id = t.send(&message)?;
                log::info!("mail “{}” to {} written to {}/{id}.eml", mail.subject, mail.to, dir.display());
            }
        }
        Ok(())
    }
}
