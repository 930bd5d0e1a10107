//! Fairness between organisations: one organisation's requests may use at most a share of the
//! database connections at once, so that a flood from one (ten views of a large upload, a
//! script gone wrong) slows that organisation down, not everyone. Beyond its share a request
//! waits a little, then is answered "busy" (503) rather than queueing without end.

use crate::domain::OrgId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a request over its organisation's share waits for a place.
pub const WAIT: Duration = Duration::from_secs(5);

pub struct FairShare {
    per_organisation: usize,
    slots: Mutex<HashMap<OrgId, Arc<Semaphore>>>,
}

impl FairShare {
    /// Each organisation may have `per_organisation` requests in progress at once.
    pub fn new(per_organisation: usize) -> FairShare {
        FairShare { per_organisation: per_organisation.max(1), slots: Mutex::new(HashMap::new()) }
    }

    /// A place for one request of `org`, held until the permit is dropped; `None` when the
    /// organisation's share stays full for `wait`.
    pub async fn enter(&self, org: OrgId, wait: Duration) -> Option<OwnedSemaphorePermit> {
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            // Idle organisations are forgotten, so the map holds only those with requests.
            if slots.len() > 10_000 {
                slots.retain(|_, s| Arc::strong_count(s) > 1 || s.available_permits() < self.per_organisation);
            }
            slots.entry(org).or_insert_with(|| Arc::new(Semaphore::new(self.per_organisation))).clone()
        };
        match actix_web::rt::time::timeout(wait, slot.acquire_owned()).await {
            Ok(Ok(permit)) => Some(permit),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn one_organisation_cannot_take_every_place() {
        let share = FairShare::new(2);
        let (a, b) = (OrgId::new(1), OrgId::new(2));
        let first = share.enter(a, WAIT).await;
        let second = share.enter(a, WAIT).await;
        assert!(first.is_some() && second.is_some());
        assert!(share.enter(a, Duration::from_millis(50)).await.is_none(), "a third request of one organisation waits, then is refused");
        assert!(share.enter(b, Duration::from_millis(50)).await.is_some(), "another organisation is served at once");
        drop(first);
        assert!(share.enter(a, Duration::from_millis(50)).await.is_some(), "a place freed is taken again");
    }
}
