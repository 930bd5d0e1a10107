//! EU rules a public funder must follow, as pure functions over declared figures: the SME
//! category of Commission Recommendation 2003/361/EC ([`sme`]), national registration and VAT
//! numbers ([`registration`]) and the de minimis ceiling of Regulation (EU) 2023/2831
//! ([`de_minimis`]). Nothing here reads the database: [`crate::domain::company`] loads the
//! declarations and calls these.

pub mod de_minimis;
pub mod registration;
pub mod sme;
