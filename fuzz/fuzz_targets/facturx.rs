#![no_main]
//! Any bytes through the Factur-X extractor and then the EN 16931 reader: no panic, and what
//! is extracted is never larger than the bound.
use computegrants::formats::{einvoice, facturx};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(xml) = facturx::embedded_invoice(data) {
        assert!(xml.len() <= facturx::MAX_EMBEDDED_BYTES.max(data.len()));
        let _ = einvoice::read(&xml);
    }
});
