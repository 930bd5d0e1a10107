//! One-time confirmations shown on the page after an action ("Programme created."), carried
//! in a short-lived cookie across the post/redirect/get. The cookie holds only a catalogue key
//! from [`KEYS`], so nothing a third party sets can put text of its choosing on a page.

use actix_web::HttpResponse;
use actix_web::cookie::{Cookie, SameSite, time::Duration};

pub const COOKIE: &str = "cg_flash";

pub const KEYS: &[&str] = &[
    "flash-signed-in",
    "flash-signed-out",
    "flash-email-verified",
    "flash-company-saved",
    "flash-company-profile-saved",
    "flash-programme-created",
    "flash-application-sent",
    "flash-application-withdrawn",
    "flash-decision-approved",
    "flash-decision-rejected",
    "flash-upload-checked",
    "flash-member-created",
    "flash-language-changed",
    "flash-password-changed",
    "flash-other-sessions-ended",
    "flash-account-erased",
    "flash-two-factor-enabled",
    "flash-two-factor-disabled",
    "flash-invitation-sent",
    "flash-invitation-revoked",
    "flash-role-changed",
    "flash-member-removed",
    "flash-two-factor-requirement-saved",
    "flash-invitation-accepted",
    "flash-upload-submitted",
    "flash-catalogue-saved",
    "flash-settlement-recorded",
    "flash-usage-flagged",
    "flash-invoice-received",
    "flash-invoice-approved",
    "flash-invoice-disputed",
    "flash-api-token-revoked",
    "flash-credit-note-received",
    "flash-grant-extended",
    "flash-grant-revoked",
    "flash-programme-draft-saved",
    "flash-programme-changed",
    "flash-review-criteria-saved",
    "flash-reviewer-assigned",
    "flash-rejected-several",
    "flash-review-conflict-declared",
    "flash-review-cleared",
    "flash-review-submitted",
];

/// The key a flash cookie names, if it is one of ours.
pub fn parse(value: &str) -> Option<&'static str> {
    KEYS.iter().copied().find(|k| *k == value)
}

pub fn cookie(key: &'static str, secure: bool) -> Cookie<'static> {
    Cookie::build(COOKIE, key).path("/").http_only(true).same_site(SameSite::Lax).secure(secure).max_age(Duration::minutes(5)).finish()
}

pub fn removal(secure: bool) -> Cookie<'static> {
    let mut c = Cookie::build(COOKIE, "").path("/").http_only(true).same_site(SameSite::Lax).secure(secure).finish();
    c.make_removal();
    c
}

/// Post/redirect/get with a confirmation for the next page.
pub fn redirect(to: &str, key: &'static str, secure: bool) -> HttpResponse {
    HttpResponse::SeeOther().insert_header(("Location", to)).cookie(cookie(key, secure)).finish()
}
