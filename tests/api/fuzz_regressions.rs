//! Every input the fuzzers ever flagged (crash, panic or slow input) is kept under
//! fuzz/regressions/<target>/ and replayed here through the same reader, with a time bound.

use computegrants::formats::{einvoice, focus};
use std::time::{Duration, Instant};

const BOUND: Duration = Duration::from_secs(2);

fn replay(target: &str, read: impl Fn(&[u8])) -> usize {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions").join(target);
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')) {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let started = Instant::now();
        read(&bytes);
        assert!(started.elapsed() < BOUND, "{} took {:?}", path.display(), started.elapsed());
        seen += 1;
    }
    seen
}

#[test]
fn fuzz_findings_stay_fixed() {
    let mut total = 0;
    total += replay("focus", |b| {
        // The same invariant as the fuzz target: totals are exact, never silently rounded.
        if let Ok(inspection) = focus::inspect(b, |_| {}) {
            let by_account = computegrants::formats::decimal::exact_sum(inspection.by_sub_account.values().copied());
            assert_eq!(by_account, Some(inspection.billed_cost), "per-sub-account totals add up to the file's");
        }
    });
    for target in ["ubl", "cii"] {
        total += replay(target, |b| {
            let _ = einvoice::read(b);
        });
    }
    eprintln!("replayed {total} fuzz finding(s)");
}
