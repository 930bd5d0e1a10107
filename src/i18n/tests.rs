//! The catalogues are complete: both languages have the same keys, every key the code and the
//! templates use exists, and templates show no words that do not come from a catalogue.

use super::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn keys_of(source: &str) -> BTreeSet<String> {
    source
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_alphabetic()))
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim().to_string()))
        .collect()
}

fn all_keys(locale: Locale) -> BTreeSet<String> {
    sources(locale).iter().flat_map(|s| keys_of(s)).collect()
}

#[test]
fn both_languages_have_the_same_keys_file_by_file() {
    for (i, file) in FILES.iter().enumerate() {
        let en = keys_of(EN[i]);
        let fr = keys_of(FR[i]);
        let only_en: Vec<_> = en.difference(&fr).collect();
        let only_fr: Vec<_> = fr.difference(&en).collect();
        assert!(only_en.is_empty() && only_fr.is_empty(), "{file}: only in English {only_en:?}; only in French {only_fr:?}");
    }
}

#[test]
fn the_catalogues_parse_and_word_arguments_per_locale() {
    init().expect("catalogues parse");
    let m = Message::new("decide-budget-exhausted").with("available", Arg::Money { cents: 5_000_000, currency: "EUR".into() });
    assert_eq!(message(Locale::En, &m), "The programme has only €50,000.00 left to award.");
    assert_eq!(message(Locale::Fr, &m), "Il ne reste que 50\u{202f}000,00\u{a0}€ à attribuer sur ce programme.");
    let plural = Message::new("upload-refused-count").with("count", 1200i64);
    assert_eq!(message(Locale::Fr, &plural), "1\u{202f}200 anomalies relevées.");
    assert_eq!(message(Locale::En, &Message::new("upload-refused-count").with("count", 1i64)), "One problem found.");
    assert_eq!(date(Locale::Fr, chrono::NaiveDate::from_ymd_opt(2026, 2, 3).unwrap()), "3 févr. 2026");
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Double-quoted string literals in `text`, honouring backslash escapes.
fn literals(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'"' {
            let start = i + 1;
            let mut j = start;
            let mut value = String::new();
            while j < bytes.len() && bytes[j] != b'"' {
                if bytes[j] == b'\\' && j + 1 < bytes.len() {
                    j += 1;
                }
                value.push(bytes[j] as char);
                j += 1;
            }
            out.push((i, value));
            i = j + 1;
        } else {
            i += 1;
        }
    }
    out
}

fn looks_like_key(s: &str) -> bool {
    let mut parts = s.split('-');
    let first = parts.next().unwrap_or("");
    !first.is_empty() && first.chars().all(|c| c.is_ascii_lowercase()) && s.contains('-') && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Keys named in Rust code: `Message::new("…")`, page titles, and the prefixes that only hold keys.
fn keys_used_in_code() -> BTreeSet<String> {
    let mut files = Vec::new();
    files_under(&root().join("src"), &mut files);
    let prefixes = ["nav-", "flash-", "title-", "error-", "mail-", "month-", "amount-"];
    let mut used = BTreeSet::new();
    for file in files.iter().filter(|f| f.extension().is_some_and(|e| e == "rs")) {
        let text = std::fs::read_to_string(file).unwrap();
        if file.ends_with("i18n/tests.rs") {
            continue;
        }
        for (at, lit) in literals(&text) {
            let before = &text[..at];
            let line_start = before.rfind('\n').map_or(0, |n| n + 1);
            if before[line_start..].trim_start().starts_with("//") {
                continue;
            }
            let is_message = before.ends_with("Message::new(");
            let is_title = before.ends_with("Layout::new(&visitor, ") || before.ends_with("Layout::new(visitor, ");
            if looks_like_key(&lit) && (is_message || is_title || prefixes.iter().any(|p| lit.starts_with(p))) {
                used.insert(lit);
            }
        }
    }
    used
}

/// Askama tags and expressions of a template: `{{ … }}`, `{% … %}`, `{# … #}`.
fn template_tags(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut i = 0;
    while let Some(open) = text[i..].find('{').map(|o| o + i) {
        let close = match text.get(open + 1..open + 2) {
            Some("{") => "}}",
            Some("%") => "%}",
            Some("#") => "#}",
            _ => {
                i = open + 1;
                continue;
            }
        };
        let Some(end) = text[open + 2..].find(close).map(|e| e + open + 2 + 2) else { break };
        spans.push((open, end));
        i = end;
    }
    spans
}

fn templates() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    files_under(&root().join("templates"), &mut files);
    files.into_iter().map(|f| (f.clone(), std::fs::read_to_string(&f).unwrap())).collect()
}

#[test]
fn every_key_the_code_and_templates_use_exists_in_both_languages() {
    let mut used = keys_used_in_code();
    for (path, text) in templates() {
        for (start, end) in template_tags(&text) {
            let tag = &text[start..end];
            for (at, lit) in literals(tag) {
                // `label("prefix", value)` builds its key at run time: checked below.
                if tag[..at].ends_with("label(") {
                    continue;
                }
                if looks_like_key(&lit) {
                    used.insert(lit);
                }
            }
            let _ = &path;
        }
    }
    // Keys built from a prefix and a value.
    for (prefix, values) in [
        ("status", crate::domain::applications::ApplicationStatus::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()),
        ("phase", vec!["upcoming", "open", "closed"]),
        ("kind", crate::domain::identity::OrgKind::ALL.iter().map(|k| k.as_str()).collect()),
        ("entry", crate::ledger::EntryKind::ALL.iter().map(|k| k.as_str()).collect()),
        ("credits-cover", crate::domain::invoicing::CreditsCover::ALL.iter().map(|c| c.as_str()).collect()),
        ("credit-note-status", crate::domain::credit_notes::CreditNoteStatus::ALL.iter().map(|c| c.as_str()).collect()),
        ("invoice-status", crate::domain::invoicing::InvoiceStatus::ALL.iter().map(|c| c.as_str()).collect()),
        ("audit-action", crate::domain::audit::AuditAction::ALL.iter().map(|s| s.as_str()).collect()),
        ("mail-status", crate::domain::outbox::MailStatus::ALL.iter().map(|s| s.as_str()).collect()),
        ("upload-status", crate::domain::usage::UploadStatus::ALL.iter().map(|s| s.as_str()).collect()),
        ("country", crate::domain::identity::COUNTRIES.to_vec()),
        ("sme", crate::domain::eu::sme::SmeCategory::ALL.iter().map(|c| c.as_str()).collect()),
        ("relation", crate::domain::eu::sme::Relation::ALL.iter().map(|r| r.as_str()).collect()),
        ("grant-status", crate::domain::grants::GrantStatus::ALL.iter().map(|s| s.as_str()).collect()),
        ("grant-change", crate::domain::grant_expiry::ChangeKind::ALL.iter().map(|s| s.as_str()).collect()),
        ("unused-credit", crate::domain::grant_expiry::UnusedCredit::ALL.iter().map(|s| s.as_str()).collect()),
        ("phase", vec!["draft", "archived"]),
        ("eligibility-category-name", crate::domain::eu::sme::SmeCategory::ALL.iter().map(|c| c.as_str()).collect()),
        ("review-status", crate::domain::reviews::AssignmentStatus::ALL.iter().map(|s| s.as_str()).collect()),
        ("figure", crate::domain::figures::Figure::ALL.iter().map(|s| s.as_str()).collect()),
        ("figure-means", crate::domain::figures::Figure::ALL.iter().map(|s| s.as_str()).collect()),
        ("figures-side", crate::ledger::Side::ALL.iter().map(|s| s.as_str()).collect()),
    ] {
        for v in values {
            used.insert(format!("{prefix}-{v}"));
        }
    }
    for key in crate::web::flash::KEYS {
        used.insert(key.to_string());
    }
    assert!(used.len() > 150, "the scan found only {} keys: it is broken", used.len());
    for locale in Locale::ALL {
        let defined = all_keys(locale);
        let missing: Vec<_> = used.iter().filter(|k| !defined.contains(*k)).collect();
        assert!(missing.is_empty(), "missing from the {locale} catalogue: {missing:?}");
    }
}

/// What a template shows outside its expressions must not be words: every word comes from the
/// catalogues. Technical names (FOCUS column names in `<code>`) and the brand are allowed.
#[test]
fn templates_show_no_words_outside_the_catalogues() {
    let mut offending = Vec::new();
    for (path, text) in templates() {
        let mut stripped = String::with_capacity(text.len());
        let mut last = 0;
        for (start, end) in template_tags(&text) {
            stripped.push_str(&text[last..start]);
            stripped.push('0');
            last = end;
        }
        stripped.push_str(&text[last..]);
        let is_html = path.extension().is_some_and(|e| e == "html");
        let mut rest = stripped.as_str();
        let mut visible = String::new();
        if is_html {
            // Text between tags, plus the attributes people read.
            while let Some(lt) = rest.find('<') {
                visible.push_str(&rest[..lt]);
                visible.push(' ');
                let Some(gt) = rest[lt..].find('>').map(|g| g + lt) else { break };
                let tag = &rest[lt..=gt];
                for attr in ["placeholder=\"", "title=\"", "aria-label=\"", "alt=\"", "value=\""] {
                    if let Some(p) = tag.find(attr) {
                        let v = &tag[p + attr.len()..];
                        let v = &v[..v.find('"').unwrap_or(v.len())];
                        // value= of a submit input is shown; of a <button> (which shows its
                        // content), an option or a hidden input it is data.
                        if attr != "value=\"" || (tag.starts_with("<input") && tag.contains("type=\"submit\"")) {
                            visible.push_str(v);
                            visible.push(' ');
                        }
                    }
                }
                rest = &rest[gt + 1..];
                // Skip the contents of <code> elements: technical names.
                if tag.starts_with("<code") {
                    if let Some(end) = rest.find("</code>") {
                        rest = &rest[end..];
                    }
                }
            }
        }
        visible.push_str(rest);
        // Attributes a macro writes outside a tag (`aria-invalid="true"`) are markup, not text.
        let mut cleaned = String::with_capacity(visible.len());
        for piece in visible.split_whitespace() {
            if !(piece.contains("=\"") && piece.trim_end_matches('0').ends_with('"')) {
                cleaned.push_str(piece);
                cleaned.push(' ');
            }
        }
        let visible = cleaned;
        let words: Vec<&str> = visible
            .split(|c: char| !c.is_alphabetic())
            .filter(|w| !w.is_empty())
            .filter(|w| !matches!(*w, "doctype" | "html"))
            .collect();
        if !words.is_empty() {
            offending.push(format!("{}: {:?}", path.display(), words));
        }
    }
    assert!(offending.is_empty(), "words in templates that do not come from the catalogues:\n{}", offending.join("\n"));
}
