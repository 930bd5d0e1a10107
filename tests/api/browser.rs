//! The journey in a real headless Chromium through chromedriver: enabled by
//! COMPUTEGRANTS_TEST_BROWSER=1 (needs Debian's chromium and chromium-driver).

use crate::helpers::{Backend, TestApp, usage_csv};
use computegrants::domain::accounts::OrgKind;
use computegrants::ledger;
use fantoccini::{Client, ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const ENABLE: &str = "COMPUTEGRANTS_TEST_BROWSER";

struct Driver {
    process: Child,
    port: u16,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn start_driver() -> Driver {
    let port = free_port();
    let driver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let process = Command::new(&driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {driver}: {e} (install Debian's chromium-driver)"));
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    Driver { process, port, _profile: tempfile::tempdir().unwrap() }
}

async fn browser(driver: &Driver) -> Client {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let caps = serde_json::json!({
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1280,1000",
                format!("--user-data-dir={}", driver._profile.path().display()),
            ]
        }
    });
    let caps = caps.as_object().unwrap().clone();
    ClientBuilder::native().capabilities(caps).connect(&format!("http://127.0.0.1:{}", driver.port)).await.expect("connect to chromedriver")
}

async fn fill(c: &Client, css: &str, value: &str) {
    let field = c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no {css}: {e}"));
    field.clear().await.unwrap();
    field.send_keys(value).await.unwrap();
}

async fn select(c: &Client, css: &str, value: &str) {
    c.find(Locator::Css(css)).await.unwrap().select_by_value(value).await.unwrap();
}

/// Clicks the form's submit button and waits until the browser has loaded the next document:
/// the old document carries a marker that the new one lacks.
async fn submit(c: &Client, form_action: &str) {
    c.execute("window.__cg_before_submit = true;", vec![]).await.unwrap();
    c.find(Locator::Css(&format!("form[action='{form_action}'] button[type='submit']"))).await.unwrap().click().await.unwrap();
    for _ in 0..100 {
        let loaded = c
            .execute("return window.__cg_before_submit === undefined && document.readyState === 'complete';", vec![])
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        if loaded {
            return;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("submitting {form_action} did not load a new page");
}

/// The main content of the page, waiting (bounded) for a navigation to finish.
async fn text(c: &Client) -> String {
    for _ in 0..50 {
        if let Ok(main) = c.find(Locator::Css("main")).await {
            if let Ok(t) = main.text().await {
                return t;
            }
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no <main> on {}: {}", path(c).await, c.source().await.unwrap_or_default());
}

async fn path(c: &Client) -> String {
    c.current_url().await.unwrap().path().to_string()
}

/// axe-core's script, from npm (`npm install --prefix target/axe axe-core`); AXE_CORE_JS may
/// point elsewhere. Without it the audit says so loudly, and fails when
/// COMPUTEGRANTS_REQUIRE_TOOLS=1 (as CI sets it).
fn axe_source() -> Option<String> {
    let path = std::env::var("AXE_CORE_JS").map(std::path::PathBuf::from).unwrap_or_else(|_| {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/axe/node_modules/axe-core/axe.min.js")
    });
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(_) if std::env::var("COMPUTEGRANTS_REQUIRE_TOOLS").as_deref() == Ok("1") => panic!("axe-core is not at {}", path.display()),
        Err(_) => {
            eprintln!("\n*** SKIPPED accessibility audit: axe-core is not at {} (npm install --prefix target/axe axe-core) ***\n", path.display());
            None
        }
    }
}

/// Runs axe-core's WCAG 2 A and AA rules on the current page; any violation fails the test.
async fn audit(c: &Client, axe: &Option<String>, page: &str) {
    let Some(source) = axe else { return };
    c.execute(source, vec![]).await.unwrap();
    let result = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
                .then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' — ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
                .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .unwrap();
    let violations: Vec<String> = serde_json::from_value(result).unwrap();
    assert!(violations.is_empty(), "accessibility violations on {page}: {violations:#?}");
}

/// Saves a screenshot under target/browser/ for a person to look at.
async fn shot(c: &Client, name: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join("browser");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.png")), c.screenshot().await.unwrap()).unwrap();
}

async fn sign_in(c: &Client, base: &str, email: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    fill(c, "#email", email).await;
    fill(c, "#password", crate::helpers::PASSWORD).await;
    submit(c, "/login").await;
    assert_eq!(path(c).await, "/", "signed in as {email}");
}

async fn sign_out(c: &Client) {
    submit(c, "/logout").await;
}

#[actix_web::test]
async fn journey_in_a_real_browser() {
    if std::env::var(ENABLE).ok().as_deref() != Some("1") {
        eprintln!("\n*** SKIPPED journey_in_a_real_browser: set {ENABLE}=1 (needs chromium and chromium-driver) ***\n");
        return;
    }
    let app = TestApp::spawn(Backend::Sqlite, "journey_in_a_real_browser").await.unwrap();
    app.create_member(OrgKind::Funder, "Browser Agency", "funder@browser.test");
    let provider = app.create_member(OrgKind::Provider, "Browser Cloud", "billing@browser.test");
    let axe = axe_source();
    let driver = start_driver().await;
    let c = browser(&driver).await;
    let base = app.address.clone();

    // Funder opens a programme.
    sign_in(&c, &base, "funder@browser.test").await;
    c.goto(&format!("{base}/programmes/new")).await.unwrap();
    fill(&c, "#name", "Browser Compute Call").await;
    fill(&c, "#description", "GPU credits for startups, tested in a browser.").await;
    fill(&c, "#budget", "").await;
    submit(&c, "/programmes").await;
    assert!(text(&c).await.contains("Enter an amount"), "an empty budget is refused next to its field");
    shot(&c, "1-programme-form-error").await;
    audit(&c, &axe, "the programme form with errors").await;
    assert_eq!(c.find(Locator::Css("#name")).await.unwrap().prop("value").await.unwrap().as_deref(), Some("Browser Compute Call"), "input kept");
    fill(&c, "#budget", "200000").await;
    fill(&c, "#max_award", "50000").await;
    submit(&c, "/programmes").await;
    let programme_path = path(&c).await;
    assert!(programme_path.starts_with("/programmes/"), "{programme_path}");
    sign_out(&c).await;

    // A startup signs up, registers its company and applies.
    c.goto(&format!("{base}/signup")).await.unwrap();
    audit(&c, &axe, "the sign-up form").await;
    fill(&c, "#company_name", "Browser Startup").await;
    fill(&c, "#display_name", "Ada").await;
    fill(&c, "#email", "ada@browser-startup.test").await;
    fill(&c, "#password", crate::helpers::PASSWORD).await;
    submit(&c, "/signup").await;
    assert_eq!(path(&c).await, "/company");
    fill(&c, "#legal_name", "Browser Startup SAS").await;
    select(&c, "#country", "FR").await;
    fill(&c, "#registration_number", "552 100 554").await;
    submit(&c, "/company").await;
    c.goto(&format!("{base}{programme_path}/apply")).await.unwrap();
    audit(&c, &axe, "the application form").await;
    fill(&c, "#requested", "30000").await;
    fill(&c, "#purpose", "Training speech models for regional languages.").await;
    select(&c, "#hardware", "GPU").await;
    select(&c, "#provider_id", &provider.org_id().to_string()).await;
    submit(&c, &format!("{programme_path}/apply")).await;
    let application_path = path(&c).await;
    assert!(text(&c).await.contains("submitted"));
    sign_out(&c).await;

    // The funder approves 25,000.
    sign_in(&c, &base, "funder@browser.test").await;
    c.goto(&format!("{base}{application_path}")).await.unwrap();
    fill(&c, "#amount", "25000").await;
    submit(&c, &format!("{application_path}/decide")).await;
    let page = text(&c).await;
    assert!(page.contains("approved"), "{page}");
    shot(&c, "2-application-approved").await;
    audit(&c, &axe, "the decided application").await;
    let code = page.split_whitespace().find(|w| w.starts_with("G-")).expect("grant code shown").to_string();
    sign_out(&c).await;

    // The provider uploads a FOCUS file through the file input and confirms.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("usage.csv");
    std::fs::write(&file, usage_csv(&code, &["1200.50", "299.495"])).unwrap();
    sign_in(&c, &base, "billing@browser.test").await;
    c.goto(&format!("{base}/usage/new")).await.unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, usage_csv(&code, &["12.5x", "99999"]).replace(",EUR,", ",EURO,")).unwrap();
    c.find(Locator::Css("#file")).await.unwrap().send_keys(&bad.display().to_string()).await.unwrap();
    submit(&c, "/usage").await;
    let refused = text(&c).await;
    assert!(refused.contains("was not accepted") && refused.contains("line 2, column 6 (BilledCost)"), "{refused}");
    shot(&c, "3-usage-refused").await;
    audit(&c, &axe, "the refused upload").await;
    c.find(Locator::Css("#file")).await.unwrap().send_keys(&file.display().to_string()).await.unwrap();
    submit(&c, "/usage").await;
    let preview = text(&c).await;
    assert!(preview.contains("1,500.00") && preview.contains("pending"), "{preview}");
    shot(&c, "3-usage-preview").await;
    audit(&c, &axe, "the usage preview").await;
    let upload_path = path(&c).await;
    submit(&c, &format!("{upload_path}/confirm")).await;
    assert!(text(&c).await.contains("Posted to the ledger"));
    sign_out(&c).await;

    // The startup sees its balance and statement.
    sign_in(&c, &base, "ada@browser-startup.test").await;
    c.find(Locator::LinkText(&code)).await.unwrap().click().await.unwrap();
    let balance = c.find(Locator::Css("#balance")).await.unwrap().text().await.unwrap();
    assert_eq!(balance, "€23,500.00");
    let statement = c.find(Locator::Css("#statement")).await.unwrap().text().await.unwrap();
    assert!(statement.contains("award") && statement.contains("usage"), "{statement}");
    shot(&c, "4-startup-statement").await;
    audit(&c, &axe, "the grant statement").await;
    for page in ["/", "/applications", "/programmes", "/company"] {
        c.goto(&format!("{base}{page}")).await.unwrap();
        audit(&c, &axe, page).await;
    }
    c.close().await.unwrap();

    ledger::verify(&mut app.conn()).expect("ledger verifies");
}
