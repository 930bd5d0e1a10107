//! French and English through HTTP: the language each request gets, money typed and shown per
//! locale, the switcher, flashes, the return after sign-in, mails in the recipient's language.

use crate::helpers::{Backend, PASSWORD, TestApp, id_from};
use crate::both_backends;
use computegrants::db::schema::{programmes, users};
use computegrants::domain::ProgrammeId;
use computegrants::domain::identity::OrgKind;
use diesel::prelude::*;

fn programme_fields<'a>(budget: &'a str, max_award: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", "Appel calcul IA"),
        ("description", "Crédits pour les start-up."),
        ("currency", "EUR"),
        ("budget", budget),
        ("max_award", max_award),
        ("opens_on", "2026-01-01"),
        ("closes_on", "2026-12-31"),
    ]
}

fn html_lang(body: &str) -> &str {
    let start = body.find("<html lang=\"").map(|i| i + 12).unwrap_or(0);
    &body[start..start + 2]
}

async fn the_language_follows_the_browser_then_the_switcher_then_the_saved_choice(backend: Backend) {
    let app = TestApp::spawn(backend, "the_language_follows_the_browser_then_the_switcher_then_the_saved_choice").await;
    // No preference at all: English.
    let home = app.client().get("/").await.body;
    assert_eq!(html_lang(&home), "en");
    assert!(home.contains("Programmes open now"));
    // The browser asks for French.
    let mut visitor = app.client_in("fr-FR,fr;q=0.9,en;q=0.5");
    let home = visitor.get("/").await.body;
    assert_eq!(html_lang(&home), "fr");
    assert!(home.contains("Appels ouverts en ce moment"), "{home}");
    assert!(home.contains("Inscrire votre start-up"));
    // The switcher, without JavaScript, returns to the page it was used on.
    visitor.refresh_csrf("/login").await;
    let r = visitor.post("/language", &[("lang", "en"), ("back", "/login")]).await;
    assert_eq!(r.status, 303);
    assert_eq!(r.location.as_deref(), Some("/login"));
    let page = visitor.get("/login").await.body;
    assert_eq!(html_lang(&page), "en", "the choice beats the browser's language");
    assert!(page.contains("The site is now in English."), "a flash confirms the change");
    assert!(!visitor.get("/login").await.body.contains("The site is now in English."), "a flash is shown once");
    // The switcher never sends anyone elsewhere.
    visitor.refresh_csrf("/login").await;
    let r = visitor.post("/language", &[("lang", "fr"), ("back", "//evil.example/")]).await;
    assert_eq!(r.location.as_deref(), Some("/"));

    // A signed-in person's choice is saved and follows them to a new browser.
    let funder = app.create_member(OrgKind::Funder, "Agence", "funder@agence.test");
    let mut c = app.login("funder@agence.test").await;
    let r = c.post("/language", &[("lang", "fr"), ("back", "/programmes")]).await;
    assert_eq!(r.status, 303);
    let saved: Option<String> = users::table.find(funder.user.id).select(users::locale).first(&mut app.conn()).unwrap();
    assert_eq!(saved.as_deref(), Some("fr"));
    let elsewhere = app.login_in("funder@agence.test", "en-GB,en").await;
    let page = elsewhere.get("/programmes").await.body;
    assert_eq!(html_lang(&page), "fr", "the saved preference beats Accept-Language");
    assert!(page.contains("Vos programmes"));
    c.refresh_csrf("/").await;
}
both_backends!(the_language_follows_the_browser_then_the_switcher_then_the_saved_choice);

async fn amounts_are_read_the_way_each_language_writes_them(backend: Backend) {
    let app = TestApp::spawn(backend, "amounts_are_read_the_way_each_language_writes_them").await;
    app.create_member(OrgKind::Funder, "Agence", "funder@agence.test");
    // The defect: on an English page `45000,50` became 4,500,050.00; now it is refused, clearly.
    let mut en = app.login_in("funder@agence.test", "en").await;
    en.refresh_csrf("/programmes/new").await;
    let r = en.post("/programmes", &programme_fields("45000,50", "1000")).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("“45000,50” is ambiguous here"), "{}", r.body);
    assert!(r.body.contains("aria-describedby=\"budget-error\""));
    let count: i64 = programmes::table.count().get_result(&mut app.conn()).unwrap();
    assert_eq!(count, 0, "nothing was created");

    // The defect: on a French page `1 000 000,50` became 100,000,050.00; now it is exact.
    let mut fr = app.login_in("funder@agence.test", "fr-FR").await;
    fr.refresh_csrf("/programmes/new").await;
    let r = fr.post("/programmes", &programme_fields("1 000 000,50 €", "45\u{202f}000,50")).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let id: ProgrammeId = id_from(&r.location);
    let (budget, max_award): (i64, i64) =
        programmes::table.find(id).select((programmes::budget, programmes::max_award)).first(&mut app.conn()).unwrap();
    assert_eq!((budget, max_award), (100_000_050, 4_500_050));
    // Shown one way per language; the page also confirms the action.
    let page = fr.get(&format!("/programmes/{id}")).await.body;
    assert!(page.contains("45\u{202f}000,50\u{a0}€"), "{page}");
    assert!(page.contains("Le programme est créé"), "flash after the action");
    let page = en.get(&format!("/programmes/{id}")).await.body;
    assert!(page.contains("€45,000.50"), "{page}");
    // A point on a French page is refused with the French way of writing it.
    let r = fr.post("/programmes", &programme_fields("45000.50", "100")).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("en français, séparez les centimes par une virgule"), "{}", r.body);
}
both_backends!(amounts_are_read_the_way_each_language_writes_them);

async fn signing_in_returns_to_the_page_that_asked(backend: Backend) {
    let app = TestApp::spawn(backend, "signing_in_returns_to_the_page_that_asked").await;
    app.create_member(OrgKind::Funder, "Agence", "funder@agence.test");
    let mut c = app.client();
    let r = c.get("/programmes/new").await;
    assert_eq!(r.status, 303);
    assert_eq!(r.location.as_deref(), Some("/login?next=/programmes/new"));
    let form = c.get("/login?next=/programmes/new").await.body;
    assert!(form.contains("name=\"next\" value=\"/programmes/new\""), "{form}");
    c.refresh_csrf("/login").await;
    let r = c.post("/login", &[("email", "funder@agence.test"), ("password", PASSWORD), ("next", "/programmes/new")]).await;
    assert_eq!(r.location.as_deref(), Some("/programmes/new"));
    // Never an open redirect.
    for evil in ["//evil.example/x", "https://evil.example", "/\\evil.example"] {
        let mut c = app.client();
        c.refresh_csrf("/login").await;
        let r = c.post("/login", &[("email", "funder@agence.test"), ("password", PASSWORD), ("next", evil)]).await;
        assert_eq!(r.location.as_deref(), Some("/"), "next={evil}");
    }
}
both_backends!(signing_in_returns_to_the_page_that_asked);

async fn countries_are_sorted_by_name_in_the_page_language(backend: Backend) {
    let app = TestApp::spawn(backend, "countries_are_sorted_by_name_in_the_page_language").await;
    let mut c = app.client_in("fr");
    c.refresh_csrf("/signup").await;
    let r = c.post("/signup", &[("company_name", "Lumière"), ("display_name", "Inès"), ("email", "ines@lumiere.test"), ("password", PASSWORD)]).await;
    assert_eq!(r.status, 303);
    app.confirm_address(&mut c, "ines@lumiere.test").await;
    let names = |page: &str| -> Vec<String> {
        page.split("<option value=\"")
            .skip(2)
            .filter_map(|o| o.split_once('>').and_then(|(_, rest)| rest.split_once('<')).map(|(name, _)| name.to_string()))
            .collect()
    };
    let fr = names(&c.get("/company").await.body);
    assert_eq!(fr.len(), 32);
    let pos = |list: &[String], n: &str| list.iter().position(|x| x == n).unwrap_or_else(|| panic!("{n} in {list:?}"));
    assert!(pos(&fr, "Allemagne") < pos(&fr, "Autriche") && pos(&fr, "Espagne") < pos(&fr, "Estonie"), "{fr:?}");
    assert!(pos(&fr, "Estonie") < pos(&fr, "Finlande") && pos(&fr, "Suède") < pos(&fr, "Suisse"), "{fr:?}");
    c.refresh_csrf("/").await;
    let r = c.post("/language", &[("lang", "en"), ("back", "/company")]).await;
    assert_eq!(r.status, 303);
    let en = names(&c.get("/company").await.body);
    assert!(pos(&en, "Austria") < pos(&en, "Belgium") && pos(&en, "Sweden") < pos(&en, "Switzerland"), "{en:?}");
    assert!(pos(&en, "Czechia") < pos(&en, "Denmark") && pos(&en, "United Kingdom") == en.len() - 1, "{en:?}");
}
both_backends!(countries_are_sorted_by_name_in_the_page_language);

async fn mails_reach_people_in_their_language(backend: Backend) {
    let app = TestApp::spawn(backend, "mails_reach_people_in_their_language").await;
    app.create_member(OrgKind::Funder, "Agence", "funder@agence.test");
    let provider = app.create_member(OrgKind::Provider, "Nuage", "billing@nuage.test");
    crate::helpers::add_catalogue(&mut app.conn(), &provider);
    let mut funder = app.login("funder@agence.test").await;
    funder.refresh_csrf("/programmes/new").await;
    let today = chrono::Utc::now().date_naive();
    let closes = (today + chrono::Duration::days(30)).to_string();
    let opens = today.to_string();
    let mut fields = programme_fields("100000", "50000");
    fields.retain(|(k, _)| !k.ends_with("_on"));
    fields.push(("opens_on", &opens));
    fields.push(("closes_on", &closes));
    let r = funder.post("/programmes", &fields).await;
    let programme: ProgrammeId = id_from(&r.location);
    // A startup that signed up in French.
    let mut c = app.client_in("fr-FR");
    c.refresh_csrf("/signup").await;
    c.post("/signup", &[("company_name", "Lumière"), ("display_name", "Inès"), ("email", "ines@lumiere.test"), ("password", PASSWORD)]).await;
    // The verification mail is in French too.
    let verification = app.mail.wait_for("Confirmez votre adresse").await;
    assert!(verification.contains("Bonjour Inès") && verification.contains("48"), "{verification}");
    app.confirm_address(&mut c, "ines@lumiere.test").await;
    c.refresh_csrf("/company").await;
    let r = c.post("/company", &[("legal_name", "Lumière SAS"), ("country", "FR"), ("registration_number", "912 345 675")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    c.refresh_csrf(&format!("/programmes/{programme}/apply")).await;
    let provider_id = provider.org_id().to_string();
    let r = c
        .post(
            &format!("/programmes/{programme}/apply"),
            &[("requested", "12 500,50"), ("purpose", "Entraîner un modèle de langue pour les services publics."), ("hardware", "GPU"), ("provider_id", &provider_id)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let mail = app.mail.wait_for("Candidature APP-").await;
    assert!(mail.contains("Bonjour Inès"), "{mail}");
    assert!(mail.contains("12\u{202f}500,50\u{a0}€"), "{mail}");
}
both_backends!(mails_reach_people_in_their_language);

async fn admin_form_errors_are_tied_to_their_fields(backend: Backend) {
    let app = TestApp::spawn(backend, "admin_form_errors_are_tied_to_their_fields").await;
    app.create_member(OrgKind::Platform, "Operations", "admin@ops.test");
    let mut admin = app.client();
    admin.refresh_csrf("/login").await;
    assert_eq!(admin.post("/login", &[("email", "admin@ops.test"), ("password", PASSWORD)]).await.status, 303);
    admin.refresh_csrf("/admin").await;
    let r = admin.post("/admin/members", &[("kind", "funder"), ("organisation", ""), ("display_name", "A"), ("email", "not-an-email"), ("password", "short")]).await;
    assert_eq!(r.status, 422);
    for field in ["organisation", "email", "password"] {
        assert!(r.body.contains(&format!("aria-invalid=\"true\" aria-describedby=\"{field}-error\"")), "{field}: {}", r.body);
        assert!(r.body.contains(&format!("id=\"{field}-error\"")), "{field}");
    }
}
both_backends!(admin_form_errors_are_tied_to_their_fields);
