//! An ordered, name-keyed collection: tools, resources, templates and prompts all live in one.
//!
//! Order is registration order, so pages and cursors stay stable while nothing changes.

use std::collections::HashMap;
use std::sync::Arc;

pub(crate) struct Registry<T> {
    items: Vec<Arc<T>>,
    index: HashMap<String, usize>,
}

impl<T> Default for Registry<T> {
    fn default() -> Self {
        Registry { items: Vec::new(), index: HashMap::new() }
    }
}

impl<T> Registry<T> {
    /// Adds `item` under `key`; false (and nothing changes) when the key is taken.
    pub fn insert(&mut self, key: String, item: T) -> bool {
        if self.index.contains_key(&key) {
            return false;
        }
        self.index.insert(key, self.items.len());
        self.items.push(Arc::new(item));
        true
    }

    /// Removes the item under `key`; false when there is none.
    pub fn remove(&mut self, key: &str) -> bool {
        let Some(pos) = self.index.remove(key) else { return false };
        self.items.remove(pos);
        for i in self.index.values_mut() {
            if *i > pos {
                *i -= 1;
            }
        }
        true
    }

    pub fn get(&self, key: &str) -> Option<Arc<T>> {
        self.index.get(key).map(|&i| self.items[i].clone())
    }

    pub fn items(&self) -> &[Arc<T>] {
        &self.items
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_rejects_duplicates() {
        let mut r = Registry::default();
        assert!(r.insert("a".into(), 1));
        assert!(r.insert("b".into(), 2));
        assert!(r.insert("c".into(), 3));
        assert!(!r.insert("b".into(), 9));
        assert!(r.remove("a"));
        assert!(!r.remove("a"));
        assert_eq!(r.items().iter().map(|i| **i).collect::<Vec<_>>(), [2, 3]);
        assert_eq!(r.get("c").map(|i| *i), Some(3));
    }
}
