//! Every message key the readers and the usage checks use exists in both catalogues, and the two
//! `formats.ftl` files have the same keys in the same order.

use crate::i18n::{self, Locale};
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// Sources that build problems or word them.
const SOURCES: &[&str] = &["src/formats", "src/domain/usage", "src/cli/inspect.rs", "src/cli/inspect_report.rs", "src/web/pages/provider.rs"];
const PREFIXES: &[&str] = &["focus-", "einvoice-", "location-", "decimal-", "usage-", "inspect-"];

fn rust_files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            rust_files(&entry.unwrap().path(), out);
        }
    } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("catalogue_tests.rs") {
        out.push(path.to_path_buf());
    }
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
}

/// Keys written as `Message::new("key")`, and string literals that look like keys of this
/// catalogue (`"einvoice-missing-number"` in a table, then passed to `Message::new(key)`).
fn keys_in(source: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for (i, _) in source.match_indices('"') {
        let rest = &source[i + 1..];
        let Some(end) = rest.find(|c: char| !is_key_char(c)) else { continue };
        let candidate = &rest[..end];
        let by_constructor = source[..i].ends_with("Message::new(");
        let by_prefix = PREFIXES.iter().any(|p| candidate.starts_with(p) && candidate.len() > p.len());
        if rest[end..].starts_with('"') && !candidate.is_empty() && (by_constructor || by_prefix) {
            keys.push(candidate.to_string());
        }
    }
    keys
}

fn used_keys() -> Vec<(String, String)> {
    let mut files = Vec::new();
    for source in SOURCES {
        rust_files(&Path::new(ROOT).join(source), &mut files);
    }
    assert!(files.len() > 5, "sources not found under {ROOT}: {files:?}");
    let mut used = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for key in keys_in(&text) {
            used.push((key, file.display().to_string()));
        }
    }
    used
}

fn catalogue_keys(locale: Locale) -> Vec<String> {
    let text = std::fs::read_to_string(Path::new(ROOT).join("locales").join(locale.code()).join("formats.ftl")).unwrap();
    text.lines()
        .filter_map(|line| line.split_once(" ="))
        .map(|(key, _)| key)
        .filter(|key| !key.is_empty() && key.chars().all(is_key_char))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_key_scanner_finds_constructors_and_table_keys() {
    let keys = keys_in(r#"Message::new("focus-not-decimal").with("value", x); ("BR-02", ok, "einvoice-missing-number"), Message::new("brand"), "focus:column", "usage-""#);
    assert_eq!(keys, vec!["focus-not-decimal", "einvoice-missing-number", "brand"]);
}

#[test]
fn every_key_used_exists_in_both_catalogues() {
    let used = used_keys();
    assert!(used.iter().any(|(k, _)| k == "focus-not-decimal") && used.iter().any(|(k, _)| k == "usage-no-file"), "{used:?}");
    let missing: Vec<String> = used
        .iter()
        .flat_map(|(key, file)| Locale::ALL.into_iter().filter(|l| !i18n::has(*l, key)).map(move |l| format!("{key} ({l}, used in {file})")))
        .collect();
    assert!(missing.is_empty(), "keys missing from the catalogues: {missing:#?}");
}

#[test]
fn both_formats_catalogues_have_the_same_keys_in_the_same_order_and_all_are_used() {
    let en = catalogue_keys(Locale::En);
    let fr = catalogue_keys(Locale::Fr);
    assert!(en.len() > 50, "{en:?}");
    assert_eq!(en, fr);
    let mut sorted = en.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), en.len(), "a key is defined twice");
    let used = used_keys();
    let unused: Vec<&String> = en.iter().filter(|k| !used.iter().any(|(u, _)| u == *k)).collect();
    assert!(unused.is_empty(), "keys no code uses: {unused:?}");
}

/// Each message's text, continuation lines (select expressions) included.
fn messages(locale: Locale) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(Path::new(ROOT).join("locales").join(locale.code()).join("formats.ftl")).unwrap();
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        match (line.starts_with([' ', '\t']), out.last_mut()) {
            (true, Some((_, value))) => value.push_str(line),
            _ => {
                if let Some((key, value)) = line.split_once(" = ") {
                    out.push((key.to_string(), value.to_string()));
                }
            }
        }
    }
    out
}

fn variables(value: &str) -> std::collections::BTreeSet<String> {
    value.match_indices('$').map(|(i, _)| value[i + 1..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect()).collect()
}

#[test]
fn both_languages_use_the_same_arguments_and_every_message_words() {
    let (en, fr) = (messages(Locale::En), messages(Locale::Fr));
    assert_eq!(en.len(), fr.len());
    for ((key, en_value), (_, fr_value)) in en.iter().zip(&fr) {
        assert_eq!(variables(en_value), variables(fr_value), "{key}: {en_value} / {fr_value}");
        for locale in Locale::ALL {
            assert_ne!(i18n::text(locale, key), *key, "{key} ({locale}) did not word");
        }
    }
}
