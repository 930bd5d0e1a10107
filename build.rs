//! Tells the integration tests, at compile time, which real components this run was given, so
//! that a test needing one that is absent shows as *ignored* in the summary (with the reason)
//! rather than as passed without having run. CI gives them all.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    for (variable, cfg) in [("COMPUTEGRANTS_TEST_POSTGRES_URL", "computegrants_no_postgres"), ("COMPUTEGRANTS_TEST_BROWSER", "computegrants_no_browser")] {
        println!("cargo::rerun-if-env-changed={variable}");
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        let given = std::env::var(variable).is_ok_and(|value| !value.is_empty() && value != "0");
        if !given {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
}
