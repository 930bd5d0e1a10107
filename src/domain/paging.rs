//! Lists read a page at a time: which page is asked for, and what a page holds.

/// Rows a page shows.
pub const PAGE_SIZE: i64 = 50;
/// The highest page number read from a request: beyond it the offset would be absurd.
const MAX_PAGE: i64 = 1_000_000;

/// Which page a request asks for (1-based), bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub number: i64,
}

impl PageRequest {
    pub const FIRST: PageRequest = PageRequest { number: 1 };

    /// From a query string's `page` value: anything not a number from 1 up reads as the first page.
    pub fn parse(text: Option<&str>) -> PageRequest {
        let number = text.and_then(|t| t.trim().parse::<i64>().ok()).filter(|n| *n >= 1).unwrap_or(1).min(MAX_PAGE);
        PageRequest { number }
    }

    pub fn offset(self) -> i64 {
        (self.number - 1).saturating_mul(PAGE_SIZE)
    }
}

/// One page of a list, with how many items the whole list has.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub number: i64,
    pub total: i64,
}

impl<T> Page<T> {
    pub fn has_previous(&self) -> bool {
        self.number > 1
    }

    pub fn has_next(&self) -> bool {
        self.number.saturating_mul(PAGE_SIZE) < self.total
    }

    /// Position of the first item shown (1-based), 0 when the page is empty.
    pub fn first_shown(&self) -> i64 {
        if self.items.is_empty() { 0 } else { (self.number - 1) * PAGE_SIZE + 1 }
    }

    pub fn last_shown(&self) -> i64 {
        (self.number - 1) * PAGE_SIZE + self.items.len() as i64
    }

    pub fn previous(&self) -> i64 {
        self.number - 1
    }

    pub fn next(&self) -> i64 {
        self.number + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_are_bounded_and_forgiving() {
        assert_eq!(PageRequest::parse(None), PageRequest::FIRST);
        assert_eq!(PageRequest::parse(Some("0")), PageRequest::FIRST);
        assert_eq!(PageRequest::parse(Some("-3")), PageRequest::FIRST);
        assert_eq!(PageRequest::parse(Some("abc")), PageRequest::FIRST);
        assert_eq!(PageRequest::parse(Some("3")).offset(), 2 * PAGE_SIZE);
        assert_eq!(PageRequest::parse(Some("99999999999999")).number, MAX_PAGE);
    }

    #[test]
    fn a_page_knows_its_neighbours() {
        let page = Page { items: vec![(); 50], number: 2, total: 120 };
        assert!(page.has_previous() && page.has_next());
        assert_eq!((page.first_shown(), page.last_shown()), (51, 100));
        let last = Page { items: vec![(); 20], number: 3, total: 120 };
        assert!(!last.has_next());
        assert_eq!(last.last_shown(), 120);
    }
}
