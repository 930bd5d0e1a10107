//! A funder's inbox: its applications across programmes, filtered, searched, paginated; nobody
//! else's.

use crate::both_backends;
use crate::helpers::Backend;
use crate::journey::programme_with_application;
use computegrants::domain::identity::OrgKind;

async fn the_inbox_filters_searches_and_keeps_to_the_funder_s_own(backend: Backend) {
    let s = programme_with_application(backend, "the_inbox_filters_searches_and_keeps_to_the_funder_s_own").await;
    let reference = format!("APP-{}", s.application_id);
    let row = format!("<a class=\"code\" href=\"/applications/{}\">{reference}</a>", s.application_id);
    let found = |body: &str| body.contains(&row);
    let page = s.funder.get("/inbox").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("One application matches.") && found(&page.body), "{}", page.body);

    // By status, programme, name (any case, wildcards literal) and reference.
    assert!(found(&s.funder.get("/inbox?status=submitted").await.body));
    assert!(!found(&s.funder.get("/inbox?status=approved").await.body));
    assert!(found(&s.funder.get(&format!("/inbox?programme={}", s.programme_id)).await.body));
    assert!(!found(&s.funder.get("/inbox?programme=999999").await.body));
    assert!(found(&s.funder.get("/inbox?q=lumen").await.body));
    assert!(!found(&s.funder.get("/inbox?q=lu%25men").await.body), "a % is a character, not a wildcard");
    assert!(found(&s.funder.get(&format!("/inbox?q={reference}")).await.body));
    // Unknown values read as "any", never as an error.
    assert_eq!(s.funder.get("/inbox?status=bogus&programme=x&page=-3").await.status, 200);

    // Another funder sees nothing of it; a startup or a provider has no inbox.
    s.app.create_member(OrgKind::Funder, "Other Agency", "other@agency.test");
    let other = s.app.login("other@agency.test").await;
    let body = other.get("/inbox").await.body;
    assert!(body.contains("No application matches.") && !found(&body), "{body}");
    assert!(s.startup.get("/inbox").await.status >= 400);
    assert!(s.provider.get("/inbox").await.status >= 400);

    // In French.
    let fr = s.app.login_in("funder@agency.test", "fr-FR,fr;q=0.9").await;
    assert!(fr.get("/inbox").await.body.contains("1 candidature correspond."));
}
both_backends!(the_inbox_filters_searches_and_keeps_to_the_funder_s_own);
