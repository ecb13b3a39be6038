//! Out-of-band values that travel with a request but never go on the wire.
//!
//! Layers and the gateway use them to pass per-request settings (cache controls, the caller's
//! key for rate-limit scopes, a tenant namespace) without new fields on [`ChatRequest`]
//! for every feature. Values are shared (`Arc`), so cloning a request stays cheap.
//!
//! [`ChatRequest`]: crate::ChatRequest

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// A type map: at most one value of each type.
///
/// ```
/// use llm_router_core::Extensions;
/// #[derive(Debug, PartialEq)]
/// struct Tenant(&'static str);
/// let mut ext = Extensions::default();
/// ext.insert(Tenant("acme"));
/// assert_eq!(ext.get::<Tenant>(), Some(&Tenant("acme")));
/// ```
#[derive(Clone, Default)]
pub struct Extensions {
    map: HashMap<TypeId, Arc<dyn Any + Send + Sync>>,
}

impl Extensions {
    /// Stores `value`, replacing any earlier value of the same type.
    pub fn insert<T: Send + Sync + 'static>(&mut self, value: T) {
        self.map.insert(TypeId::of::<T>(), Arc::new(value));
    }

    /// The value of type `T`, if one was stored.
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.map
            .get(&TypeId::of::<T>())
            .and_then(|v| v.downcast_ref::<T>())
    }

    /// Removes the value of type `T`; tells whether there was one.
    pub fn remove<T: Send + Sync + 'static>(&mut self) -> bool {
        self.map.remove(&TypeId::of::<T>()).is_some()
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

impl fmt::Debug for Extensions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Extensions({} values)", self.map.len())
    }
}

/// Extensions take no part in equality: two requests are equal when their wire content is.
impl PartialEq for Extensions {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}
