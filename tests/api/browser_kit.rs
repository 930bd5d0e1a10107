//! The generic helpers of the real-browser tests: chromedriver and headless Chromium through
//! `fantoccini`, form filling and submitting that waits for the next document, the page's text,
//! axe-core's accessibility audit, screenshots, signing in and out. The tests run when built
//! with COMPUTEGRANTS_TEST_BROWSER=1 and are ignored otherwise (`build.rs`); they need Debian's
//! chromium and chromium-driver.

use fantoccini::{Client, ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Driver {
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

pub async fn start_driver() -> Driver {
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

pub async fn browser(driver: &Driver) -> Client {
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

pub async fn fill(c: &Client, css: &str, value: &str) {
    let field = c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no {css}: {e}"));
    field.clear().await.unwrap();
    field.send_keys(value).await.unwrap();
}

pub async fn select(c: &Client, css: &str, value: &str) {
    c.find(Locator::Css(css)).await.unwrap().select_by_value(value).await.unwrap();
}

/// Clicks the form's submit button and waits until the browser has loaded the next document.
pub async fn submit(c: &Client, form_action: &str) {
    click_and_wait(c, &format!("form[action='{form_action}'] button[type='submit']")).await;
}

/// Clicks the element `css` finds and waits until the browser has loaded the next document:
/// the old document carries a marker that the new one lacks.
pub async fn click_and_wait(c: &Client, css: &str) {
    c.execute("window.__cg_before_submit = true;", vec![]).await.unwrap();
    c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no {css}: {e}")).click().await.unwrap();
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
    panic!("clicking {css} did not load a new page");
}

/// Clicks a checkbox or radio button (without leaving the page).
pub async fn check(c: &Client, css: &str) {
    c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no {css}: {e}")).click().await.unwrap();
}

/// Sets a field's value as a date picker would (typing into a date input depends on the
/// browser's locale).
pub async fn set_value(c: &Client, css: &str, value: &str) {
    let found = c
        .execute("const e = document.querySelector(arguments[0]); if (!e) return false; e.value = arguments[1]; return true;", vec![css.into(), value.into()])
        .await
        .unwrap();
    assert_eq!(found.as_bool(), Some(true), "no {css}");
}

/// The text of the element `css` finds.
pub async fn text_of(c: &Client, css: &str) -> String {
    match c.find(Locator::Css(css)).await {
        Ok(element) => element.text().await.unwrap(),
        Err(e) => panic!("no {css} on {}: {e}\n{}", path(c).await, text(c).await),
    }
}

/// The main content of the page, waiting (bounded) for a navigation to finish.
pub async fn text(c: &Client) -> String {
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

pub async fn path(c: &Client) -> String {
    c.current_url().await.unwrap().path().to_string()
}

/// axe-core's script, from npm (`npm install --prefix target/axe axe-core`); AXE_CORE_JS may
/// point elsewhere. Without it the audit says so loudly, and fails when
/// COMPUTEGRANTS_REQUIRE_TOOLS=1 (as CI sets it).
pub fn axe_source() -> Option<String> {
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
pub async fn audit(c: &Client, axe: &Option<String>, page: &str) {
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
pub async fn shot(c: &Client, name: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join("browser");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.png")), c.screenshot().await.unwrap()).unwrap();
}

pub async fn sign_in(c: &Client, base: &str, email: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    fill(c, "#email", email).await;
    fill(c, "#password", crate::helpers::PASSWORD).await;
    submit(c, "/login").await;
    assert_eq!(path(c).await, "/", "signed in as {email}");
}

pub async fn sign_out(c: &Client) {
    submit(c, "/logout").await;
}

/// Text as WebDriver reports it: no-break spaces (as French digit groups use) read as spaces.
pub fn norm(text: &str) -> String {
    text.replace(['\u{a0}', '\u{202f}'], " ")
}

