//! Readers for the documents providers send. Pure: no database, no HTTP.

pub mod currency;
pub mod decimal;
pub mod einvoice;
pub mod focus;

/// One thing wrong with a document, located so that a person can find it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// Line in the file, counting the header as line 1; `None` for the file as a whole.
    pub line: Option<u64>,
    /// Column name, when one column is at fault.
    pub column: Option<String>,
    /// 1-based column position, when known.
    pub column_number: Option<usize>,
    /// The rule broken, for documents whose standard names its rules (EN 16931: BR-CO-10 …).
    pub rule: Option<&'static str>,
    /// Where in a structured document: line, column and element path.
    pub path: Option<String>,
    pub message: String,
}

impl Problem {
    pub fn location(&self) -> String {
        if let Some(path) = &self.path {
            return path.clone();
        }
        match (self.line, &self.column, self.column_number) {
            (Some(l), Some(c), Some(n)) => format!("line {l}, column {n} ({c})"),
            (Some(l), Some(c), None) => format!("line {l}, column {c}"),
            (Some(l), None, _) => format!("line {l}"),
            (None, Some(c), _) => format!("column {c}"),
            (None, None, _) => "file".to_string(),
        }
    }
}

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
    pub const CAP: usize = 200;

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
}
