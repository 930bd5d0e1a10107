//! An organisation's people: invitations by e-mail, roles inside the organisation (an auditor
//! reads everything and changes nothing), role changes and removal, and two-factor sign-in that
//! an organisation can require.

use crate::both_backends;
use crate::helpers::{Backend, Client, PASSWORD, TestApp};
use crate::journey::programme_with_application;
use computegrants::db::schema::{invitations, users};
use computegrants::domain::identity::two_factor;
use diesel::prelude::*;

/// The path of the invitation link last mailed to `email` (bounded wait).
async fn invitation_link(app: &TestApp, email: &str) -> String {
    for _ in 0..100 {
        let found = app.mail.messages.lock().unwrap().iter().rev().find(|m| m.contains(email) && m.contains("/invitations/accept?token=")).cloned();
        if let Some(mail) = found {
            let start = mail.find("/invitations/accept?token=").unwrap();
            let token: String = mail[start + 26..].chars().take_while(|c| c.is_ascii_hexdigit()).collect();
            return format!("/invitations/accept?token={token}");
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no invitation mail to {email}");
}

fn token_of(link: &str) -> String {
    link.split('=').nth(1).unwrap_or_default().to_string()
}

/// `owner` invites `email` as `role`; the invitee opens the mailed link and joins, signed in.
async fn invite_and_join(app: &TestApp, owner: &mut Client, email: &str, role: &str) -> Client {
    owner.refresh_csrf("/organisation").await;
    let r = owner.post("/organisation/invitations", &[("email", email), ("role", role)]).await;
    assert_eq!(r.status, 303, "invitation of {email}: {}", r.body);
    let link = invitation_link(app, email).await;
    let mut c = app.client();
    c.refresh_csrf(&link).await;
    let r = c.post("/invitations/accept", &[("token", token_of(&link).as_str()), ("display_name", "Invited Person"), ("password", PASSWORD)]).await;
    assert_eq!((r.status, r.location.as_deref()), (303, Some("/")), "{}", r.body);
    c.refresh_csrf("/account").await;
    c
}

async fn roles_inside_an_organisation_share_out_the_work(backend: Backend) {
    let mut s = programme_with_application(backend, "roles_inside_an_organisation_share_out_the_work").await;
    let application = format!("/applications/{}", s.application_id);
    let mut reviewer = invite_and_join(&s.app, &mut s.funder, "reviewer@agency.test", "reviewer").await;
    let mut auditor = invite_and_join(&s.app, &mut s.funder, "auditor@agency.test", "auditor").await;
    let mut manager = invite_and_join(&s.app, &mut s.funder, "manager@agency.test", "programme_manager").await;

    // The invitation mail named the organisation and the role, and its link worked once.
    let mail = s.app.mail.wait_for("reviewer@agency.test").await;
    assert!(mail.contains("Test Funding Agency") && mail.contains("Reviewer"), "{mail}");
    let link = invitation_link(&s.app, "reviewer@agency.test").await;
    let mut again = s.app.client();
    again.refresh_csrf(&link).await;
    let r = again.post("/invitations/accept", &[("token", token_of(&link).as_str()), ("display_name", "Twice"), ("password", PASSWORD)]).await;
    assert_eq!(r.status, 404, "a used invitation link does not work twice");

    // Everyone reads; only the programme manager (and owner) decides.
    for c in [&auditor, &manager] {
        assert_eq!(c.get(&application).await.status, 200);
        assert_eq!(c.get(&format!("/programmes/{}", s.programme_id)).await.status, 200);
    }
    // A reviewer reads an application only once assigned to it and cleared of conflicts of
    // interest (tests/api/reviews.rs).
    assert_eq!(reviewer.get(&application).await.status, 404);
    assert_eq!(reviewer.get(&format!("/programmes/{}", s.programme_id)).await.status, 200);
    reviewer.refresh_csrf("/reviews").await;
    assert_eq!(reviewer.post(&format!("{application}/decide"), &[("decision", "approve"), ("amount", "1000")]).await.status, 404, "a reviewer does not decide");
    auditor.refresh_csrf(&application).await;
    assert_eq!(auditor.post(&format!("{application}/decide"), &[("decision", "approve"), ("amount", "1000")]).await.status, 404, "an auditor changes nothing");
    assert_eq!(auditor.get("/programmes/new").await.status, 404);
    assert_eq!(auditor.post("/organisation/invitations", &[("email", "x@agency.test"), ("role", "owner")]).await.status, 404, "an auditor invites nobody");
    // The navigation offers only what the role may do.
    assert!(!auditor.get("/").await.body.contains("href=\"/programmes/new\""));
    assert!(manager.get("/").await.body.contains("href=\"/programmes/new\""));
    manager.refresh_csrf(&application).await;
    let r = manager.post(&format!("{application}/decide"), &[("decision", "approve"), ("amount", "1000")]).await;
    assert_eq!(r.status, 303, "a programme manager decides: {}", r.body);

    // The organisation page lists its people with their roles, to everyone in it.
    let page = auditor.get("/organisation").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("auditor@agency.test") && page.body.contains("Programme manager"), "{}", page.body);
    assert!(!page.body.contains("/organisation/invitations"), "only owners see the invitation form");
}
both_backends!(roles_inside_an_organisation_share_out_the_work);

async fn owners_change_roles_and_remove_members(backend: Backend) {
    let mut s = programme_with_application(backend, "owners_change_roles_and_remove_members").await;
    let member = invite_and_join(&s.app, &mut s.funder, "member@agency.test", "member").await;
    let member_id: i64 = users::table.filter(users::email.eq("member@agency.test")).select(users::id).first(&mut s.app.conn()).unwrap();
    let owner_id: i64 = users::table.filter(users::email.eq("funder@agency.test")).select(users::id).first(&mut s.app.conn()).unwrap();
    s.funder.refresh_csrf("/organisation").await;

    // A role the organisation does not offer, or an unknown one, is refused.
    let r = s.funder.post(&format!("/organisation/members/{member_id}/role"), &[("role", "superuser")]).await;
    assert_eq!(r.status, 422);
    // The last owner can neither step down nor be removed.
    let r = s.funder.post(&format!("/organisation/members/{owner_id}/role"), &[("role", "member")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("at least one owner"), "{}", r.body);
    // Promote, then the old owner may step down.
    assert_eq!(s.funder.post(&format!("/organisation/members/{member_id}/role"), &[("role", "owner")]).await.status, 303);
    let role: String = users::table.find(member_id).select(users::role).first(&mut s.app.conn()).unwrap();
    assert_eq!(role, "owner");
    assert_eq!(s.funder.post(&format!("/organisation/members/{member_id}/role"), &[("role", "auditor")]).await.status, 303);

    // Removal: the member's sessions end and they cannot sign in again.
    assert_eq!(s.funder.post(&format!("/organisation/members/{member_id}/remove"), &[]).await.status, 303);
    assert_eq!(member.get("/organisation").await.status, 303, "the removed member's session ended");
    let mut c = s.app.client();
    c.refresh_csrf("/login").await;
    assert_eq!(c.post("/login", &[("email", "member@agency.test"), ("password", PASSWORD)]).await.status, 422);

    // Another organisation's member is not ours to change.
    let (startup_owner, startup_org): (i64, i64) =
        users::table.filter(users::email.eq("founder@lumen.test")).select((users::id, users::organisation_id)).first(&mut s.app.conn()).unwrap();
    assert_eq!(s.funder.post(&format!("/organisation/members/{startup_owner}/remove"), &[]).await.status, 404);
    // A startup cannot hold a funder's roles.
    s.startup.refresh_csrf("/organisation").await;
    let r = s.startup.post("/organisation/invitations", &[("email", "pm@lumen.test"), ("role", "programme_manager")]).await;
    assert_eq!(r.status, 422);
    // A person belongs to one organisation: a startup's owner cannot be invited by the funder.
    s.funder.refresh_csrf("/organisation").await;
    assert_eq!(s.funder.post("/organisation/invitations", &[("email", "founder@lumen.test"), ("role", "reviewer")]).await.status, 303);
    let link = invitation_link(&s.app, "founder@lumen.test").await;
    let mut c = s.app.client();
    c.refresh_csrf(&link).await;
    let r = c.post("/invitations/accept", &[("token", token_of(&link).as_str()), ("display_name", "Ada"), ("password", PASSWORD)]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("another organisation"), "{}", r.body);
    let org: i64 = users::table.find(startup_owner).select(users::organisation_id).first(&mut s.app.conn()).unwrap();
    assert_eq!(org, startup_org, "the startup's owner stays where they were");
    let accepted: Option<chrono::NaiveDateTime> = invitations::table.filter(invitations::email.eq("founder@lumen.test")).select(invitations::accepted_at).first(&mut s.app.conn()).unwrap();
    assert!(accepted.is_none(), "the refused acceptance changed nothing");
}
both_backends!(owners_change_roles_and_remove_members);

async fn expired_and_withdrawn_invitations_do_not_work(backend: Backend) {
    let mut s = programme_with_application(backend, "expired_and_withdrawn_invitations_do_not_work").await;
    s.funder.refresh_csrf("/organisation").await;
    assert_eq!(s.funder.post("/organisation/invitations", &[("email", "late@agency.test"), ("role", "member")]).await.status, 303);
    let link = invitation_link(&s.app, "late@agency.test").await;
    let past = chrono::Utc::now().naive_utc() - chrono::Duration::minutes(1);
    diesel::update(invitations::table).set(invitations::expires_at.eq(past)).execute(&mut s.app.conn()).unwrap();
    let c = s.app.client();
    assert_eq!(c.get(&link).await.status, 404, "an expired link");
    // A new invitation replaces the earlier one; withdrawing it kills its link too.
    assert_eq!(s.funder.post("/organisation/invitations", &[("email", "late@agency.test"), ("role", "member")]).await.status, 303);
    let pending: Vec<i64> = invitations::table.filter(invitations::revoked_at.is_null()).filter(invitations::accepted_at.is_null()).select(invitations::id).load(&mut s.app.conn()).unwrap();
    assert_eq!(pending.len(), 1, "only the new one is pending");
    let newest = pending[0];
    // Wait for the second mail before reading the links.
    for _ in 0..100 {
        if s.app.mail.messages.lock().unwrap().iter().filter(|m| m.contains("late@agency.test")).count() == 2 {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(s.funder.post(&format!("/organisation/invitations/{newest}/revoke"), &[]).await.status, 303);
    let mut links = Vec::new();
    for m in s.app.mail.messages.lock().unwrap().iter().filter(|m| m.contains("late@agency.test")) {
        let start = m.find("/invitations/accept?token=").unwrap();
        links.push(format!("/invitations/accept?token={}", m[start + 26..].chars().take_while(|c| c.is_ascii_hexdigit()).collect::<String>()));
    }
    assert_eq!(links.len(), 2);
    for link in links {
        assert_eq!(c.get(&link).await.status, 404, "{link}");
    }
}
both_backends!(expired_and_withdrawn_invitations_do_not_work);

/// The current code of the secret shown on the set-up page.
fn current_code(secret: &str) -> String {
    two_factor::code_at(secret, chrono::Utc::now().timestamp() as u64).unwrap()
}

fn secret_on(page: &str) -> String {
    let start = page.find("id=\"totp-secret\">").expect("the set-up page shows the key") + 17;
    page[start..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect()
}

/// Turns on a second factor for the signed-in client; returns the secret and recovery codes.
async fn set_up_two_factor(c: &mut Client) -> (String, Vec<String>) {
    let page = c.get("/account/two-factor").await.body;
    let secret = secret_on(&page);
    assert!(page.contains("<svg"), "a QR code is drawn");
    c.refresh_csrf("/account/two-factor").await;
    let r = c.post("/account/two-factor", &[("secret", secret.as_str()), ("code", "000000")]).await;
    assert_eq!(r.status, 422, "a wrong code does not turn it on");
    let r = c.post("/account/two-factor", &[("secret", secret.as_str()), ("code", &current_code(&secret))]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let codes: Vec<String> = r.body.match_indices("<li><code>").map(|(i, _)| r.body[i + 10..i + 21].to_string()).collect();
    assert_eq!(codes.len(), two_factor::RECOVERY_CODES);
    (secret, codes)
}

async fn sign_in_password(app: &TestApp, email: &str) -> (Client, Option<String>) {
    let mut c = app.client();
    c.refresh_csrf("/login").await;
    let r = c.post("/login", &[("email", email), ("password", PASSWORD)]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    (c, r.location)
}

async fn two_factor_sign_in_with_codes_and_recovery_codes(backend: Backend) {
    let app = TestApp::spawn(backend, "two_factor_sign_in_with_codes_and_recovery_codes").await;
    app.create_member(computegrants::domain::identity::OrgKind::Funder, "Agency", "funder@agency.test");
    let mut c = app.login("funder@agency.test").await;
    let (secret, codes) = set_up_two_factor(&mut c).await;

    // The password alone now leads to the code page, not to a session.
    let (mut second, location) = sign_in_password(&app, "funder@agency.test").await;
    assert_eq!(location.as_deref(), Some("/login/code"));
    assert_eq!(second.get("/organisation").await.status, 303, "no session before the code");
    second.refresh_csrf("/login/code").await;
    assert_eq!(second.post("/login/code", &[("code", "123456")]).await.status, 422);
    // The code the set-up used cannot be used again (replay), nor can a fresh one twice.
    let code = current_code(&secret);
    let first = second.post("/login/code", &[("code", code.as_str())]).await;
    let replayed = if first.status == 303 {
        let (mut third, _) = sign_in_password(&app, "funder@agency.test").await;
        third.refresh_csrf("/login/code").await;
        third.post("/login/code", &[("code", code.as_str())]).await.status
    } else {
        first.status
    };
    assert_eq!(replayed, 422, "a code is never accepted twice");

    // A recovery code signs in, once.
    let (mut fourth, _) = sign_in_password(&app, "funder@agency.test").await;
    fourth.refresh_csrf("/login/code").await;
    let r = fourth.post("/login/code", &[("code", &codes[0].to_uppercase())]).await;
    assert_eq!((r.status, r.location.as_deref()), (303, Some("/")), "{}", r.body);
    assert_eq!(fourth.get("/organisation").await.status, 200);
    let (mut fifth, _) = sign_in_password(&app, "funder@agency.test").await;
    fifth.refresh_csrf("/login/code").await;
    assert_eq!(fifth.post("/login/code", &[("code", codes[0].as_str())]).await.status, 422, "a recovery code works once");
    // A forged pending cookie gets nowhere.
    let forged = app.client();
    assert_eq!(forged.get("/login/code").await.location.as_deref(), Some("/login"));
}
both_backends!(two_factor_sign_in_with_codes_and_recovery_codes);

async fn an_organisation_can_require_a_second_factor(backend: Backend) {
    let mut s = programme_with_application(backend, "an_organisation_can_require_a_second_factor").await;
    let mut member = invite_and_join(&s.app, &mut s.funder, "pm@agency.test", "programme_manager").await;
    // The owner cannot require it before having one (no lock-out by mistake).
    s.funder.refresh_csrf("/organisation").await;
    assert_eq!(s.funder.post("/organisation/two-factor", &[("required", "yes")]).await.status, 422);
    set_up_two_factor(&mut s.funder).await;
    s.funder.refresh_csrf("/organisation").await;
    assert_eq!(s.funder.post("/organisation/two-factor", &[("required", "yes")]).await.status, 303);
    // The member without one is sent to set it up, whatever they ask for.
    for path in ["/", "/programmes", &format!("/applications/{}", s.application_id)] {
        assert_eq!(member.get(path).await.location.as_deref(), Some("/account/two-factor"), "{path}");
    }
    let page = member.get("/account/two-factor").await.body;
    assert!(page.contains("id=\"two-factor-required\""), "the page says why");
    member.refresh_csrf("/account/two-factor").await;
    set_up_two_factor(&mut member).await;
    assert_eq!(member.get("/programmes").await.status, 200, "free to go on");
    // While required, it cannot be turned off.
    member.refresh_csrf("/account/two-factor").await;
    let r = member.post("/account/two-factor/disable", &[("code", "000000")]).await;
    assert_eq!(r.status, 422);
    let secret: Option<String> = users::table.filter(users::email.eq("pm@agency.test")).select(users::totp_secret).first(&mut s.app.conn()).unwrap();
    assert!(secret.is_some());
}
both_backends!(an_organisation_can_require_a_second_factor);

/// A platform auditor reads the administration pages and the audit log, and creates nothing.
async fn a_platform_auditor_reads_the_audit_log_and_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend, "a_platform_auditor_reads_the_audit_log_and_changes_nothing").await;
    app.create_member(computegrants::domain::identity::OrgKind::Platform, "Operations", "admin@ops.test");
    let mut admin = app.client();
    admin.refresh_csrf("/login").await;
    assert_eq!(admin.post("/login", &[("email", "admin@ops.test"), ("password", PASSWORD)]).await.status, 303);
    let mut auditor = invite_and_join(&app, &mut admin, "auditor@ops.test", "auditor").await;
    for path in ["/admin", "/admin/audit", "/admin/audit.csv"] {
        assert_eq!(auditor.get(path).await.status, 200, "{path}");
    }
    let log = auditor.get("/admin/audit.csv").await.body;
    assert!(log.contains("member-invited") && log.contains("invitation-accepted"), "{log}");
    auditor.refresh_csrf("/admin").await;
    let r = auditor.post("/admin/members", &[("kind", "funder"), ("organisation", "Sneaky"), ("display_name", "X"), ("email", "x@sneaky.test"), ("password", PASSWORD)]).await;
    assert_eq!(r.status, 404, "an auditor creates nothing");
    assert!(!auditor.get("/admin").await.body.contains("action=\"/admin/members\""), "nor is offered the form");
}
both_backends!(a_platform_auditor_reads_the_audit_log_and_changes_nothing);
