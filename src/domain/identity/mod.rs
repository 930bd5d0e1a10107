//! Who people are: organisations, users, passwords and sessions.
//!
//! Passwords are hashed with argon2id; sessions live in the database (see [`sessions`]).

mod email_tokens;
mod members;
mod organisations;
mod passwords;
pub mod privacy;
mod sessions;
pub mod two_factor;
mod users;

pub use email_tokens::*;
pub use members::*;
pub use organisations::*;
pub use passwords::*;
pub use sessions::*;
pub use users::*;
