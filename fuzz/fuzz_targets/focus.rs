#![no_main]
//! Any bytes through the FOCUS reader: no panic, and every problem is located.
use computegrants::formats::focus;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(inspection) = focus::inspect(data, |_| {}) {
        for p in &inspection.summary.problems.shown {
            assert!(p.line.is_some() || p.column.is_some() || !p.message.key.is_empty());
        }
        // Totals are exact, or stop at a located range problem: never silently rounded.
        let by_account = computegrants::formats::decimal::exact_sum(inspection.by_sub_account.values().copied());
        assert_eq!(by_account, Some(inspection.billed_cost), "per-sub-account totals add up to the file's");
    }
});
