#![no_main]
//! Any bytes through the EN 16931 reader (seeded with this syntax's documents): no panic,
//! and every problem names its rule and location.
use computegrants::formats::einvoice;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((_, problems)) = einvoice::read(data) {
        for p in &problems {
            assert!(p.rule.is_some() && p.path.is_some());
        }
    }
});
