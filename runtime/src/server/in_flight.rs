//! The requests a connection is running, by id, so `notifications/cancelled` can reach them.
//!
//! A connection usually runs one request at a time (a stateless HTTP request's connection only
//! ever runs one), so the first is held inline and only requests running beside it go into a
//! map: the usual request is tracked without hashing its id or allocating.

use crate::protocol::RequestId;
use std::collections::HashMap;
use tokio_util::sync::CancellationToken;

#[derive(Debug, Default)]
pub(crate) struct InFlight {
    first: Option<(RequestId, CancellationToken)>,
    rest: HashMap<RequestId, CancellationToken>,
}

impl InFlight {
    /// Tracks a request; false (and nothing tracked) when one with the same id is running.
    pub fn insert(&mut self, id: &RequestId, token: &CancellationToken) -> bool {
        if self.first.as_ref().is_some_and(|(first, _)| first == id) || self.rest.contains_key(id) {
            return false;
        }
        match self.first {
            None => self.first = Some((id.clone(), token.clone())),
            Some(_) => {
                self.rest.insert(id.clone(), token.clone());
            }
        }
        true
    }

    pub fn remove(&mut self, id: &RequestId) -> Option<CancellationToken> {
        match &self.first {
            Some((first, _)) if first == id => self.first.take().map(|(_, token)| token),
            _ => self.rest.remove(id),
        }
    }

    /// Every request's token, leaving nothing tracked.
    pub fn drain(&mut self) -> impl Iterator<Item = CancellationToken> + '_ {
        self.first.take().map(|(_, token)| token).into_iter().chain(self.rest.drain().map(|(_, token)| token))
    }

    pub fn len(&self) -> usize {
        usize::from(self.first.is_some()) + self.rest.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_among_running_requests_wherever_they_are_held() {
        let (a, b, c) = (RequestId::Number(1), RequestId::String("1".into()), RequestId::Number(3));
        let tokens: Vec<CancellationToken> = (0..3).map(|_| CancellationToken::new()).collect();
        let mut running = InFlight::default();
        assert!(running.insert(&a, &tokens[0]));
        assert!(running.insert(&b, &tokens[1]), "a string id is not the number");
        assert!(running.insert(&c, &tokens[2]));
        assert!(!running.insert(&a, &tokens[2]), "held inline");
        assert!(!running.insert(&c, &tokens[0]), "held in the map");
        assert_eq!(running.len(), 3);

        // The inline slot freed is taken by the next request; ids in the map stay unique.
        running.remove(&a).unwrap().cancel();
        assert!(tokens[0].is_cancelled(), "remove hands back the request's own token");
        assert!(running.remove(&a).is_none());
        assert!(!running.insert(&b, &tokens[0]));
        assert!(running.insert(&a, &tokens[0]));
        assert_eq!(running.len(), 3);

        let drained: Vec<CancellationToken> = running.drain().collect();
        assert_eq!(drained.len(), 3);
        assert_eq!(running.len(), 0);
        assert!(running.remove(&c).is_none());
        assert!(running.insert(&c, &tokens[2]));
    }
}
