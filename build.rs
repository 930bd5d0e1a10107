//! Tells the tests, at compile time, which real components this run was given, so that a test
//! needing one that is absent shows as *ignored* in the summary (with the reason) rather than as
//! passed without having run. CI gives them all.

use std::path::PathBuf;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    for (variable, cfg, given) in [
        ("COMPUTEGRANTS_TEST_POSTGRES_URL", "computegrants_no_postgres", (|v: &str| !v.is_empty()) as fn(&str) -> bool),
        ("COMPUTEGRANTS_TEST_BROWSER", "computegrants_no_browser", |v: &str| v == "1"),
    ] {
        println!("cargo::rerun-if-env-changed={variable}");
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        if !std::env::var(variable).is_ok_and(|value| given(&value)) {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
    // The real provider files and invoices the tests read (FOCUS, EN 16931, Factur-X): next to
    // the project in `../shared/fixtures`, or where COMPUTEGRANTS_FIXTURES says (CI points a
    // fresh clone at its origin's). Not copied into the project: they are others' published work.
    println!("cargo::rerun-if-env-changed=COMPUTEGRANTS_FIXTURES");
    println!("cargo::rustc-check-cfg=cfg(computegrants_no_fixtures)");
    let fixtures = match std::env::var_os("COMPUTEGRANTS_FIXTURES") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default()).join("../shared/fixtures"),
    };
    println!("cargo::rustc-env=COMPUTEGRANTS_FIXTURES_DIR={}", fixtures.display());
    if !fixtures.join("einvoice").is_dir() {
        println!("cargo::rustc-cfg=computegrants_no_fixtures");
    }
}
