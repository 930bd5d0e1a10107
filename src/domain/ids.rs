//! Row ids, one type per table, so that an organisation's id cannot be passed where a
//! programme's is expected. Each is an `i64` stored as `BIGINT` on both backends; diesel reads
//! and writes it as the `i64` it wraps (`diesel-derive-newtype`).
//!
//! The ledger keeps plain `i64` for its own rows and for the links it records (`ledger::Links`,
//! the chart's account codes): it sits below the domain and knows nothing of these types, so the
//! domain hands it `id.get()`.

/// A text that is not an id: in a path, the page does not exist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an id: {0:?}")]
pub struct NotAnId(pub String);

macro_rules! ids {
    ($($(#[$meta:meta])* $name:ident),+ $(,)?) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, diesel_derive_newtype::DieselNewType)]
        pub struct $name(i64);

        impl $name {
            /// An id as the database or a trusted caller gives it.
            pub const fn new(raw: i64) -> $name {
                $name(raw)
            }

            /// The number, for the ledger's links and account codes, and for messages.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }

        /// In a message, an id is worded as the number it is.
        impl From<$name> for crate::messages::Arg {
            fn from(id: $name) -> crate::messages::Arg {
                crate::messages::Arg::from(id.0)
            }
        }

        /// The bare number, and honours width and fill (`{:04}`), as the `i64` did.
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.0, f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = NotAnId;
            fn from_str(text: &str) -> Result<$name, NotAnId> {
                text.parse().map($name).map_err(|_| NotAnId(text.to_string()))
            }
        }
    )+};
}

ids! {
    /// An organisation: a funder, startup, provider or the platform.
    OrgId,
    /// A person who signs in.
    UserId,
    ProgrammeId,
    ApplicationId,
    GrantId,
    /// A provider's usage file.
    UploadId,
    /// A usage file being read and checked in the background.
    JobId,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_and_print_as_their_number() {
        assert_eq!("42".parse::<GrantId>(), Ok(GrantId::new(42)));
        assert_eq!(GrantId::new(42).to_string(), "42");
        assert_eq!(format!("{:04}", ApplicationId::new(7)), "0007");
        for text in ["", "x", "4 2", "1.0", "99999999999999999999"] {
            assert!(text.parse::<ProgrammeId>().is_err(), "{text:?}");
        }
    }
}
