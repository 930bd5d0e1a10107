//! ComputeGrants: public compute-credit programmes, from call to usage, on a double-entry ledger.
//!
//! Layers: [`web`] (HTTP) → [`domain`] (rules, no HTTP) → [`db`] (storage). Money is [`money::Amount`].

pub mod config;
pub mod db;
pub mod inspect;
pub mod domain;
pub mod mail;
pub mod money;
pub mod startup;
pub mod web;

pub use startup::Application;
