//! Readers for the documents providers send. Pure: no database, no HTTP, no sentences: every
//! problem is a [`Message`] (catalogue key and arguments) worded at the edge by `crate::i18n`.

pub mod currency;
pub mod decimal;
pub mod einvoice;
pub mod facturx;
pub mod focus;

#[cfg(all(test, feature = "app"))]
mod catalogue_tests;

/// A file of the shared fixtures (real FOCUS exports and EN 16931 invoices, found by `build.rs`),
/// for tests that are ignored when the fixtures are not there.
#[cfg(test)]
pub(crate) fn fixture(path: &str) -> Vec<u8> {
    let full = std::path::Path::new(env!("COMPUTEGRANTS_FIXTURES_DIR")).join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}


use crate::messages::Message;

/// One thing wrong with a document, located so that a person can find it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Line in the file (for CSV, the header is line 1); `None` for the file as a whole.
    pub line: Option<u64>,
    /// Column name, when one column is at fault.
    pub column: Option<String>,
    /// 1-based column position, when known (for XML, the character position on the line).
    pub column_number: Option<usize>,
    /// The rule broken, for documents whose standard names its rules (EN 16931: BR-CO-10 …).
    pub rule: Option<&'static str>,
    /// Where in a structured document: the element path, such as `/Invoice/InvoiceLine[2]`.
    pub path: Option<String>,
    /// What is wrong, as a catalogue key (`focus-…`, `einvoice-…`, `usage-…`) with arguments.
    pub message: Message,
}

impl Problem {
    /// A problem with the file as a whole.
    pub fn file(message: Message) -> Problem {
        Problem { line: None, column: None, column_number: None, rule: None, path: None, message }
    }

    /// Where the problem is, as a message to word (`location-…` keys): `line 3, column 6
    /// (BilledCost)`, `line 19, column 3 (/Invoice/InvoiceLine)`, `/Invoice`, `file`.
    pub fn location(&self) -> Message {
        let line = self.line.map(|l| i64::try_from(l).unwrap_or(i64::MAX));
        if let Some(path) = &self.path {
            return match (line, self.column_number) {
                (Some(l), Some(n)) => Message::new("location-path-line-column").with("line", l).with("number", n).with("path", path),
                (Some(l), None) => Message::new("location-path-line").with("line", l).with("path", path),
                _ => Message::new("location-path").with("path", path),
            };
        }
        match (line, &self.column, self.column_number) {
            (Some(l), Some(c), Some(n)) => Message::new("location-line-column-number").with("line", l).with("number", n).with("column", c),
            (Some(l), Some(c), None) => Message::new("location-line-column").with("line", l).with("column", c),
            (Some(l), None, _) => Message::new("location-line").with("line", l),
            (None, Some(c), _) => Message::new("location-column").with("column", c),
            (None, None, _) => Message::new("location-file"),
        }
    }
}

/// Locale-free, for logs: `location-line(line=3): focus-not-decimal(value=abc)`.
impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location(), self.message)
    }
}

/// Problems, capped so that a broken million-line file cannot fill memory.
#[derive(Debug, Clone, Default)]
pub struct Problems {
    pub shown: Vec<Problem>,
    pub not_shown: u64,
}

impl Problems {
    /// Problems kept: a page shows the first [`Problems::PAGE`], the CSV download all of them.
    pub const CAP: usize = 5_000;
    pub const PAGE: usize = 200;

    pub fn push(&mut self, problem: Problem) {
        if self.shown.len() < Self::CAP {
            self.shown.push(problem);
        } else {
            self.not_shown += 1;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.shown.is_empty()
    }

    pub fn total(&self) -> u64 {
        self.shown.len() as u64 + self.not_shown
    }

    /// The problems a page lists.
    pub fn on_page(&self) -> &[Problem] {
        &self.shown[..self.shown.len().min(Self::PAGE)]
    }

    /// How many the page does not list.
    pub fn beyond_page(&self) -> u64 {
        self.total().saturating_sub(self.on_page().len() as u64)
    }
}
