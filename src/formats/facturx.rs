//! Factur-X / ZUGFeRD 2: a PDF/A-3 that carries its EN 16931 invoice as an embedded CII file
//! (`factur-x.xml`, `zugferd-invoice.xml`). This finds that file; `einvoice::read` reads it.
//!
//! Embedded files are PDF streams, never inside compressed object streams, so the reader walks
//! the file's streams instead of its object tree: each `stream … endstream` whose dictionary says
//! `/EmbeddedFile` is inflated (FlateDecode, the only filter producers use for it), bounded in
//! size, and the first that is a CII invoice is returned. A full PDF library (lopdf) would bring
//! encryption, fonts and a dozen crates to read one stream; this reader is small and fuzzed.

use crate::messages::Message;

/// The largest embedded invoice inflated (a CII invoice of thousands of lines is a few MB).
pub const MAX_EMBEDDED_BYTES: usize = 8 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FacturxError {
    /// Not a PDF at all.
    NotPdf,
    /// A PDF without an embedded CII invoice (a plain PDF, or a ZUGFeRD 1 file whose XML is not
    /// EN 16931).
    NoInvoice { zugferd_1: bool },
    /// The embedded file inflates beyond [`MAX_EMBEDDED_BYTES`], or cannot be inflated.
    Unreadable,
}

impl FacturxError {
    pub fn message(&self) -> Message {
        match self {
            FacturxError::NotPdf => Message::new("facturx-not-pdf"),
            FacturxError::NoInvoice { zugferd_1: true } => Message::new("facturx-zugferd-1"),
            FacturxError::NoInvoice { zugferd_1: false } => Message::new("facturx-no-invoice"),
            FacturxError::Unreadable => Message::new("facturx-unreadable"),
        }
    }
}

/// Whether `bytes` look like a PDF (the header may follow a little junk, as readers allow).
pub fn is_pdf(bytes: &[u8]) -> bool {
    find(&bytes[..bytes.len().min(1024)], b"%PDF-", 0).is_some()
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from >= haystack.len() || needle.is_empty() {
        return None;
    }
    haystack[from..].windows(needle.len()).position(|w| w == needle).map(|i| i + from)
}

fn rfind(haystack: &[u8], needle: &[u8], before: usize) -> Option<usize> {
    let end = before.min(haystack.len());
    haystack[..end].windows(needle.len()).rposition(|w| w == needle)
}

/// The value of `/Length` in a stream dictionary, when it is a direct number.
fn direct_length(dict: &[u8]) -> Option<usize> {
    let at = find(dict, b"/Length", 0)? + 7;
    let rest = &dict[at..];
    let rest = &rest[rest.iter().position(|b| !b.is_ascii_whitespace())?..];
    let digits: Vec<u8> = rest.iter().copied().take_while(u8::is_ascii_digit).collect();
    let after = &rest[digits.len()..];
    // `12 0 R` is a reference to the length, not the length.
    let trimmed: Vec<u8> = after.iter().copied().skip_while(u8::is_ascii_whitespace).take(4).collect();
    if trimmed.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(&digits).ok()?.parse().ok()
}

/// The embedded CII invoice of a Factur-X / ZUGFeRD 2 PDF.
pub fn embedded_invoice(pdf: &[u8]) -> Result<Vec<u8>, FacturxError> {
    if !is_pdf(pdf) {
        return Err(FacturxError::NotPdf);
    }
    let mut zugferd_1 = false;
    let mut unreadable = false;
    let mut at = 0;
    while let Some(keyword) = find(pdf, b"stream", at) {
        at = keyword + 6;
        if keyword >= 3 && &pdf[keyword - 3..keyword] == b"end" {
            continue;
        }
        // The stream's dictionary: from its object's `obj` keyword to here.
        let Some(obj) = rfind(pdf, b"obj", keyword) else { continue };
        let dict = &pdf[obj..keyword];
        if find(dict, b"/EmbeddedFile", 0).is_none() {
            continue;
        }
        let mut start = keyword + 6;
        if pdf.get(start) == Some(&b'\r') {
            start += 1;
        }
        if pdf.get(start) == Some(&b'\n') {
            start += 1;
        }
        let end = match direct_length(dict) {
            Some(length) if start.checked_add(length).is_some_and(|e| e <= pdf.len()) => start + length,
            _ => match find(pdf, b"endstream", start) {
                Some(e) => {
                    let mut e = e;
                    while e > start && matches!(pdf[e - 1], b'\r' | b'\n') {
                        e -= 1;
                    }
                    e
                }
                None => continue,
            },
        };
        let raw = &pdf[start..end];
        let content = if find(dict, b"/FlateDecode", 0).is_some() {
            match miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(raw, MAX_EMBEDDED_BYTES) {
                Ok(inflated) => inflated,
                Err(_) => {
                    unreadable = true;
                    continue;
                }
            }
        } else if find(dict, b"/Filter", 0).is_none() {
            raw.to_vec()
        } else {
            unreadable = true;
            continue;
        };
        if find(&content, b"CrossIndustryInvoice", 0).is_some() {
            return Ok(content);
        }
        if find(&content, b"CrossIndustryDocument", 0).is_some() {
            zugferd_1 = true;
        }
        at = end;
    }
    if unreadable && !zugferd_1 {
        return Err(FacturxError::Unreadable);
    }
    Err(FacturxError::NoInvoice { zugferd_1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        crate::formats::fixture(&format!("facturx/{name}"))
    }

    #[test]
    #[cfg_attr(computegrants_no_fixtures, ignore = "needs the shared fixtures: ../shared/fixtures or COMPUTEGRANTS_FIXTURES (see build.rs)")]
    fn the_shared_factur_x_files_give_their_cii_invoice() {
        let einfach = fixture("EN16931_Einfach.pdf");
        for name in ["EN16931_Einfach.pdf", "EN16931_Gutschrift.pdf", "EN16931_Rabatte.pdf", "Avoir_FR_type381_BASIC.pdf"] {
            let pdf = fixture(name);
            let xml = embedded_invoice(&pdf).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            let (invoice, _) = crate::formats::einvoice::read(&xml).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert!(invoice.number.is_some(), "{name}: an invoice number");
        }
        let xml = embedded_invoice(&einfach).unwrap();
        let (invoice, problems) = crate::formats::einvoice::read(&xml).unwrap();
        assert_eq!(invoice.type_code.as_deref(), Some("380"));
        assert!(problems.is_empty(), "{problems:?}");
        // The ZUGFeRD 1 file is refused with its reason, not a crash.
        assert_eq!(embedded_invoice(&fixture("fail1.pdf")), Err(FacturxError::NoInvoice { zugferd_1: true }));
    }

    #[test]
    fn other_files_are_refused_plainly() {
        assert_eq!(embedded_invoice(b"<Invoice/>"), Err(FacturxError::NotPdf));
        assert_eq!(embedded_invoice(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF"), Err(FacturxError::NoInvoice { zugferd_1: false }));
        // A stream that claims a huge length, and one that is not zlib.
        let bad = b"%PDF-1.7\n5 0 obj << /Type /EmbeddedFile /Filter /FlateDecode /Length 99999999 >>\nstream\nxxxx\nendstream endobj";
        assert_eq!(embedded_invoice(bad), Err(FacturxError::Unreadable));
        let plain = b"%PDF-1.7\n5 0 obj << /Type /EmbeddedFile /Length 40 >>\nstream\n<rsm:CrossIndustryInvoice></rsm:CrossIndustryInvoice>\nendstream endobj";
        assert!(embedded_invoice(plain).is_ok(), "an unfiltered embedded file is read as it is");
    }
}
