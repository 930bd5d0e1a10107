//! ComputeGrants: public compute-credit programmes, from call to usage, on a double-entry ledger.
//!
//! Layers: [`web`] (HTTP) → [`domain`] (rules, no HTTP) → [`db`] (storage). Money is [`money::Amount`].

#[cfg(feature = "app")]
pub mod config;
#[cfg(feature = "app")]
pub mod db;
pub mod domain;
pub mod inspect;
#[cfg(feature = "app")]
pub mod mail;
pub mod money;
#[cfg(feature = "app")]
pub mod startup;
#[cfg(feature = "app")]
pub mod web;

#[cfg(feature = "app")]
pub use startup::Application;
