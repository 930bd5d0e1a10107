//! Sign-in throttling: per client address and per account, with delays that grow with each
//! failure, so that guessing a password is slow for whoever tries it and cheap for everyone
//! else. Password hashing is bounded too: argon2 is deliberately costly, and a flood of
//! sign-ins must not take every core from other requests.
//!
//! The limits live in this server's memory: behind a load balancer each server limits on its
//! own, which still bounds an attacker to a small multiple of one server's rate.

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Sign-in and sign-up attempts one client address may burst, then one every two seconds.
const PER_ADDRESS_BURST: u32 = 30;
const PER_ADDRESS_EVERY: Duration = Duration::from_secs(2);
/// Failures allowed on one account before each further attempt waits.
const FREE_FAILURES: u32 = 3;
/// The longest wait between attempts on one account.
const MAX_DELAY: Duration = Duration::from_secs(15 * 60);
/// Accounts remembered at most; the oldest are forgotten first (an attacker inventing
/// addresses cannot fill memory).
const MAX_ACCOUNTS: usize = 100_000;

struct Failures {
    count: u32,
    next_allowed: Instant,
}

pub struct LoginThrottle {
    by_address: DefaultKeyedRateLimiter<IpAddr>,
    by_account: Mutex<HashMap<String, Failures>>,
    checks: std::sync::atomic::AtomicU64,
}

/// Every this many checks, addresses and accounts no longer limited are forgotten.
const FORGET_EVERY: u64 = 10_000;

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle::new()
    }
}

impl LoginThrottle {
    pub fn new() -> LoginThrottle {
        let burst = NonZeroU32::new(PER_ADDRESS_BURST).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(PER_ADDRESS_EVERY).unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN)).allow_burst(burst);
        LoginThrottle { by_address: RateLimiter::keyed(quota), by_account: Mutex::new(HashMap::new()), checks: std::sync::atomic::AtomicU64::new(0) }
    }

    /// Ok when an attempt from `address` on `account` may go ahead now, otherwise how long to
    /// wait. An attempt that goes ahead is counted at once, as if it failed (attempts racing in
    /// parallel all count); [`LoginThrottle::succeeded`] clears the count.
    pub fn check(&self, address: Option<IpAddr>, account: &str) -> Result<(), Duration> {
        if self.checks.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % FORGET_EVERY == FORGET_EVERY - 1 {
            self.forget_idle();
        }
        if let Some(address) = address {
            if let Err(not_until) = self.by_address.check_key(&address) {
                return Err(not_until.wait_time_from(governor::clock::Clock::now(&governor::clock::DefaultClock::default())).max(Duration::from_secs(1)));
            }
        }
        if account.is_empty() {
            return Ok(());
        }
        let key = account_key(account);
        {
            let accounts = self.by_account.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if let Some(f) = accounts.get(&key) {
                if f.next_allowed > Instant::now() {
                    return Err(f.next_allowed - Instant::now());
                }
            }
        }
        self.count_attempt(&key);
        Ok(())
    }

    /// An attempt on the account with key `key`: after a few, each waits twice as long as the last.
    fn count_attempt(&self, key: &str) {
        let account = key;
        let mut accounts = self.by_account.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if accounts.len() >= MAX_ACCOUNTS && !accounts.contains_key(account) {
            let oldest = accounts.iter().min_by_key(|(_, f)| f.next_allowed).map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                accounts.remove(&oldest);
            }
        }
        let entry = accounts.entry(account.to_string()).or_insert(Failures { count: 0, next_allowed: Instant::now() });
        entry.count = entry.count.saturating_add(1);
        entry.next_allowed = Instant::now() + delay_after(entry.count);
    }

    /// The right password: the account's count starts again.
    pub fn succeeded(&self, account: &str) {
        self.by_account.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(&account_key(account));
    }

    /// Forgets addresses and accounts that have not been limited for a while.
    pub fn forget_idle(&self) {
        self.by_address.retain_recent();
        let now = Instant::now();
        self.by_account.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).retain(|_, f| f.next_allowed + MAX_DELAY > now);
    }
}

/// Accounts are remembered by a hash of the address typed: a fixed, small key whatever was sent.
fn account_key(account: &str) -> String {
    crate::domain::identity::sha256_hex(account)
}

/// The wait after `failures` wrong passwords: none for the first few, then 1 s, 2 s, 4 s …
/// up to 15 minutes.
pub fn delay_after(failures: u32) -> Duration {
    if failures < FREE_FAILURES {
        return Duration::ZERO;
    }
    let exponent = (failures - FREE_FAILURES).min(20);
    Duration::from_secs(1u64 << exponent).min(MAX_DELAY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_after_a_few_failures_and_stop_growing() {
        let delays: Vec<u64> = (1..=8).map(|n| delay_after(n).as_secs()).collect();
        assert_eq!(delays, vec![0, 0, 1, 2, 4, 8, 16, 32]);
        assert_eq!(delay_after(100), MAX_DELAY);
    }

    #[test]
    fn an_account_is_slowed_and_freed_by_the_right_password() {
        let t = LoginThrottle::new();
        for _ in 0..3 {
            assert!(t.check(None, "a@x.eu").is_ok(), "each attempt counts as it starts");
        }
        assert!(t.check(None, "a@x.eu").is_err(), "the fourth attempt waits");
        assert!(t.check(None, "b@x.eu").is_ok(), "other accounts are not affected");
        t.succeeded("a@x.eu");
        assert!(t.check(None, "a@x.eu").is_ok());
    }

    #[test]
    fn one_address_cannot_flood() {
        let t = LoginThrottle::new();
        let address: IpAddr = "192.0.2.7".parse().unwrap();
        let allowed = (0..100).filter(|i| t.check(Some(address), &format!("user{i}@x.eu")).is_ok()).count();
        assert_eq!(allowed, PER_ADDRESS_BURST as usize);
    }
}
