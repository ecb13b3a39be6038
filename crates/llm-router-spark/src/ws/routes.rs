//! Model → (path, domain): which WebSocket path serves a model and the `domain` it is asked
//! for in the request frame (Spark's Web API document, "请求地址").

/// Where a model is served on the WebSocket API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The path below the host (`/v3.5/chat`).
    pub path: String,
    /// `parameter.chat.domain` (`generalv3.5`).
    pub domain: String,
}

impl Route {
    /// A route.
    pub fn new(path: impl Into<String>, domain: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            domain: domain.into(),
        }
    }
}

/// The documented models: Lite, Pro, Pro-128K, Max, Max-32K, 4.0 Ultra.
pub(crate) const DEFAULT_ROUTES: [(&str, &str, &str); 6] = [
    ("lite", "/v1.1/chat", "lite"),
    ("generalv3", "/v3.1/chat", "generalv3"),
    ("pro-128k", "/chat/pro-128k", "pro-128k"),
    ("generalv3.5", "/v3.5/chat", "generalv3.5"),
    ("max-32k", "/chat/max-32k", "max-32k"),
    ("4.0Ultra", "/v4.0/chat", "4.0Ultra"),
];

/// The route table: the defaults, then the builder's overrides (later entries win).
#[derive(Debug, Clone)]
pub(crate) struct Routes(Vec<(String, Route)>);

impl Default for Routes {
    fn default() -> Self {
        Self(
            DEFAULT_ROUTES
                .iter()
                .map(|(m, p, d)| ((*m).to_owned(), Route::new(*p, *d)))
                .collect(),
        )
    }
}

impl Routes {
    pub(crate) fn set(&mut self, model: String, route: Route) {
        self.0.retain(|(m, _)| *m != model);
        self.0.push((model, route));
    }

    pub(crate) fn get(&self, model: &str) -> Option<&Route> {
        self.0.iter().find(|(m, _)| m == model).map(|(_, r)| r)
    }

    pub(crate) fn models(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(m, _)| m.as_str())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let mut r = Routes::default();
        assert_eq!(
            r.get("generalv3.5").unwrap(),
            &Route::new("/v3.5/chat", "generalv3.5")
        );
        assert_eq!(r.get("4.0Ultra").unwrap().path, "/v4.0/chat");
        assert!(r.get("gpt-4o").is_none());
        r.set("lite".into(), Route::new("/v9/chat", "lite-next"));
        assert_eq!(r.get("lite").unwrap().domain, "lite-next");
        assert_eq!(r.models().filter(|m| *m == "lite").count(), 1);
    }
}
