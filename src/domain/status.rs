//! Statuses and kinds stored as text: each an enum whose unknown values are errors, never a
//! silent default. [`text_enum!`] gives the text form, parsing, and the conversion diesel uses to
//! read the column (`#[diesel(deserialize_as = String)]`).

/// A value read from the database that no variant matches: the data is corrupt or newer than
/// this program, and the request fails rather than guessing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {value:?}")]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
}

#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* pub enum $name:ident ($label:literal) { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::domain::status::UnknownValue;
            fn from_str(text: &str) -> Result<$name, Self::Err> {
                match text {
                    $($text => Ok($name::$variant),)+
                    other => Err($crate::domain::status::UnknownValue { kind: $label, value: other.to_string() }),
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::domain::status::UnknownValue;
            fn try_from(text: String) -> Result<$name, Self::Error> {
                text.parse()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
