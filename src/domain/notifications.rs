//! Mails to people, composed from templates (`templates/mail/`) in the recipient's language:
//! their saved choice, else English. Handlers only ask for a notification; the words are here
//! and in the catalogues.

use crate::domain::identity::Member;
use crate::domain::applications::{Application, ApplicationView, Decision};
use crate::domain::programmes::Programme;
use crate::i18n::{self, Locale};
use crate::mail::Mail;
use crate::messages::{Arg, Message};
use crate::money::Amount;
use askama::Template;

/// What mail templates call to word things in the recipient's language.
pub struct Words {
    pub locale: Locale,
}

impl Words {
    pub fn t(&self, key: &str) -> String {
        i18n::text(self.locale, key)
    }

    pub fn msg(&self, message: &Message) -> String {
        i18n::message(self.locale, message)
    }

    pub fn money(&self, amount: &Amount, currency: &str) -> String {
        i18n::money(self.locale, amount.cents(), currency)
    }
}

fn locale_of(member: &Member) -> Locale {
    member.user.locale.as_deref().and_then(Locale::parse).unwrap_or_default()
}

/// A plain-text mail: a greeting, worded paragraphs, a link to the page concerned, a signature.
#[derive(Template)]
#[template(path = "mail/notification.txt")]
struct Notification<'a> {
    w: Words,
    name: &'a str,
    paragraphs: Vec<Message>,
    link: String,
}

/// The applicant is told their application arrived.
pub fn application_received(base_url: &str, applicant: &Member, application: &Application, programme: &Programme) -> Result<Mail, askama::Error> {
    let w = Words { locale: locale_of(applicant) };
    let reference = application.reference();
    let subject = w.msg(&Message::new("mail-received-subject").with("reference", reference.as_str()));
    let paragraphs = vec![
        Message::new("mail-received-body")
            .with("company", applicant.organisation.name.as_str())
            .with("reference", reference.as_str())
            .with("programme", programme.name.as_str())
            .with("amount", Arg::money(application.requested(), &programme.currency)),
        Message::new("mail-received-next"),
    ];
    let body = Notification { w, name: &applicant.user.display_name, paragraphs, link: format!("{base_url}/applications/{}", application.id) }.render()?;
    Ok(Mail { to: applicant.user.email.clone(), subject, body })
}

/// The applicant is told the funder's decision.
pub fn decision(base_url: &str, applicant: &Member, view: &ApplicationView, decision: &Decision) -> Result<Mail, askama::Error> {
    let w = Words { locale: locale_of(applicant) };
    let reference = view.application.reference();
    let subject = w.msg(&Message::new("mail-decision-subject").with("reference", reference.as_str()));
    let programme = view.programme.name.as_str();
    let paragraphs = match decision {
        Decision::Approve { amount } => vec![
            Message::new("mail-approved-body")
                .with("reference", reference.as_str())
                .with("programme", programme)
                .with("amount", Arg::money(*amount, &view.programme.currency)),
            Message::new("mail-approved-code")
                .with("code", view.grant.as_ref().map(|g| g.code.as_str()).unwrap_or("-"))
                .with("provider", view.provider_name.as_str()),
        ],
        Decision::Reject { reason } => vec![
            Message::new("mail-rejected-body").with("reference", reference.as_str()).with("programme", programme),
            Message::new("mail-rejected-reason").with("reason", reason.as_str()),
        ],
    };
    let body = Notification { w, name: &applicant.user.display_name, paragraphs, link: format!("{base_url}/applications/{}", view.application.id) }.render()?;
    Ok(Mail { to: applicant.user.email.clone(), subject, body })
}

fn template_failed(e: askama::Error) -> crate::domain::DomainError {
    crate::domain::DomainError::Internal(format!("mail template: {e}"))
}

/// Queues the decision mail to the applicant; call it in the decision's transaction.
pub fn queue_decision(conn: &mut crate::db::AnyConnection, base_url: &str, view: &ApplicationView, chosen: &Decision) -> crate::domain::DomainResult<()> {
    use crate::domain::alerts::{self, AlertKind};
    // An approval is an offer: its alert (`AlertKind::Offer`, raised with the offer) tells the
    // startup's people, and mails them unless they chose otherwise.
    if matches!(chosen, Decision::Approve { .. }) {
        return Ok(());
    }
    let applicant = crate::domain::identity::member(conn, view.application.submitted_by)?;
    let reference = view.application.reference();
    let listed = match chosen {
        Decision::Approve { amount } => Message::new("alert-approved").with("reference", reference.as_str()).with("amount", Arg::money(*amount, &view.programme.currency)),
        Decision::Reject { .. } => Message::new("alert-rejected").with("reference", reference.as_str()),
    };
    alerts::record_sent(conn, applicant.user.id, AlertKind::Decision, &format!("decision:{reference}"), &listed, &format!("/applications/{}", view.application.id))?;
    if !alerts::wants_mail(conn, applicant.user.id, AlertKind::Decision)? {
        return Ok(());
    }
    let mail = decision(base_url, &applicant, view, chosen).map_err(template_failed)?;
    crate::domain::outbox::queue(conn, &mail)
}

/// Queues the receipt of an application; call it in the application's transaction.
pub fn queue_application_received(
    conn: &mut crate::db::AnyConnection,
    base_url: &str,
    applicant: &Member,
    application: &Application,
    programme: &Programme,
) -> crate::domain::DomainResult<()> {
    use crate::domain::alerts::{self, AlertKind};
    let reference = application.reference();
    let listed = Message::new("alert-received").with("reference", reference.as_str()).with("programme", programme.name.as_str());
    alerts::record_sent(conn, applicant.user.id, AlertKind::ApplicationReceived, &format!("received:{reference}"), &listed, &format!("/applications/{}", application.id))?;
    if !alerts::wants_mail(conn, applicant.user.id, AlertKind::ApplicationReceived)? {
        return Ok(());
    }
    let mail = application_received(base_url, applicant, application, programme).map_err(template_failed)?;
    crate::domain::outbox::queue(conn, &mail)
}

/// The link that proves a new startup owner's address.
pub fn queue_email_verification(conn: &mut crate::db::AnyConnection, base_url: &str, user: &crate::domain::identity::User, company: &str, token: &str) -> crate::domain::DomainResult<()> {
    let w = Words { locale: user.locale.as_deref().and_then(Locale::parse).unwrap_or_default() };
    let subject = w.t("mail-verify-subject");
    let paragraphs = vec![
        Message::new("mail-verify-body").with("company", company),
        Message::new("mail-verify-expiry").with("hours", crate::domain::identity::VERIFY_HOURS),
    ];
    let body = Notification { w, name: &user.display_name, paragraphs, link: format!("{base_url}/verify?token={token}") }.render().map_err(template_failed)?;
    crate::domain::outbox::queue(conn, &Mail { to: user.email.clone(), subject, body })
}

/// Someone signed up with an address that already has an account: its owner is told, and the
/// page the stranger sees says nothing of it.
pub fn queue_address_taken(conn: &mut crate::db::AnyConnection, base_url: &str, existing: &crate::domain::identity::User) -> crate::domain::DomainResult<()> {
    let w = Words { locale: existing.locale.as_deref().and_then(Locale::parse).unwrap_or_default() };
    let subject = w.t("mail-taken-subject");
    let paragraphs = vec![Message::new("mail-taken-body"), Message::new("mail-taken-ignore")];
    let body = Notification { w, name: &existing.display_name, paragraphs, link: format!("{base_url}/login") }.render().map_err(template_failed)?;
    crate::domain::outbox::queue(conn, &Mail { to: existing.email.clone(), subject, body })
}

/// A password-reset link, valid once for an hour.
pub fn queue_password_reset(conn: &mut crate::db::AnyConnection, base_url: &str, user: &crate::domain::identity::User, token: &str) -> crate::domain::DomainResult<()> {
    let w = Words { locale: user.locale.as_deref().and_then(Locale::parse).unwrap_or_default() };
    let subject = w.t("mail-reset-subject");
    let paragraphs = vec![Message::new("mail-reset-body"), Message::new("mail-reset-ignore")];
    let body = Notification { w, name: &user.display_name, paragraphs, link: format!("{base_url}/password/reset?token={token}") }.render().map_err(template_failed)?;
    crate::domain::outbox::queue(conn, &Mail { to: user.email.clone(), subject, body })
}

/// An invitation to join an organisation, in the inviter's language (the invitee has none yet).
pub fn queue_invitation(
    conn: &mut crate::db::AnyConnection,
    base_url: &str,
    locale: Locale,
    inviter: &Member,
    email: &str,
    role: crate::domain::identity::MemberRole,
    token: &str,
) -> crate::domain::DomainResult<()> {
    let w = Words { locale };
    let subject = w.msg(&Message::new("mail-invitation-subject").with("organisation", inviter.organisation.name.as_str()));
    let paragraphs = vec![
        Message::new("mail-invitation-body")
            .with("inviter", inviter.user.display_name.as_str())
            .with("organisation", inviter.organisation.name.as_str())
            .with("role", i18n::text(locale, role.label_key())),
        Message::new("mail-invitation-expiry").with("days", crate::domain::identity::INVITATION_DAYS),
    ];
    let body = Notification { w, name: email, paragraphs, link: format!("{base_url}/invitations/accept?token={token}") }.render().map_err(template_failed)?;
    crate::domain::outbox::queue(conn, &Mail { to: email.to_string(), subject, body })
}
