//! What vendor preset crates share: reading optional environment variables, and the setters a
//! preset builder forwards to the [`OpenAiCompatBuilder`](crate::OpenAiCompatBuilder) it wraps.
//!
//! A preset whose builder needs nothing beyond the shared one returns
//! [`OpenAiCompatBuilder`](crate::OpenAiCompatBuilder) itself. A preset with options of its own
//! (an app id header, a JWT switch, Azure's deployments) wraps it in a struct and writes only
//! those options; [`forward_builder_setters!`](crate::forward_builder_setters) writes the rest.

/// The value of environment variable `var`, trimmed; `None` when it is unset, not Unicode or
/// blank.
///
/// ```
/// assert_eq!(llm_router_openai_compat::env_var("LLM_ROUTER_SURELY_UNSET_VAR"), None);
/// ```
pub fn env_var(var: &str) -> Option<String> {
    std::env::var(var)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// Writes the usual builder setters of a preset builder that wraps an
/// [`OpenAiCompatBuilder`](crate::OpenAiCompatBuilder), each forwarding to the wrapped builder.
///
/// Use it inside the builder's `impl` block: first the name of the field holding the wrapped
/// builder, then `=>` and the setters to write, separated by commas. Each setter may be preceded
/// by doc comments, which replace its default documentation. The setters (with the wrapped
/// builder's signatures) are `api_key`, `api_key_from_env`, `base_url`, `header`,
/// `http_client`, `request_timeout`, `stream_timeouts` and `map_dialect`. They are ordinary
/// inherent methods of the preset's builder, documented as such.
///
/// ```
/// use llm_router_openai_compat::{Dialect, OpenAiCompatBuilder, OpenAiCompatClient};
///
/// /// A builder with one option of its own.
/// #[derive(Debug)]
/// pub struct AcmeBuilder {
///     inner: OpenAiCompatBuilder,
/// }
///
/// impl AcmeBuilder {
///     llm_router_openai_compat::forward_builder_setters! {
///         inner =>
///         api_key,
///         /// Overrides the base URL (Acme's EU endpoint, proxies, tests).
///         base_url,
///         header,
///         request_timeout,
///     }
///
///     /// Bills requests to `team`.
///     pub fn team(self, team: impl Into<String>) -> Self {
///         self.header("acme-team", team)
///     }
///
///     /// Builds the client.
///     pub fn build(self) -> Result<OpenAiCompatClient, llm_router_core::Error> {
///         self.inner.build()
///     }
/// }
///
/// let builder = AcmeBuilder { inner: OpenAiCompatBuilder::new(Dialect::new("acme", "https://api.acme.test/v1")) };
/// let client = builder.api_key("k").team("research").base_url("http://127.0.0.1:9/v1").build()?;
/// assert_eq!(client.dialect().base_url, "http://127.0.0.1:9/v1");
/// # Ok::<(), llm_router_core::Error>(())
/// ```
#[macro_export]
macro_rules! forward_builder_setters {
    ($field:ident => $($(#[$attr:meta])* $setter:ident),+ $(,)?) => {
        $( $crate::forward_builder_setters!(@setter $field [$(#[$attr])*] $setter); )+
    };

    (@setter $f:ident [$($attr:tt)*] api_key) => {
        $crate::forward_builder_setters!(@item [$($attr)*] ["Sets the API key."]
            pub fn api_key(mut self, key: impl ::core::convert::Into<$crate::__private::ApiKey>) -> Self {
                self.$f = self.$f.api_key(key);
                self
            }
        );
    };
    (@setter $f:ident [$($attr:tt)*] api_key_from_env) => {
        $crate::forward_builder_setters!(@item [$($attr)*] ["Reads the API key from `var` if it is set."]
            pub fn api_key_from_env(mut self, var: &str) -> Self {
                self.$f = self.$f.api_key_from_env(var);
                self
            }
        );
    };
    (@setter $f:ident [$($attr:tt)*] base_url) => {
        $crate::forward_builder_setters!(@item [$($attr)*] ["Overrides the base URL (proxies, tests)."]
            pub fn base_url(mut self, url: impl ::core::convert::Into<::std::string::String>) -> Self {
                self.$f = self.$f.base_url(url);
                self
            }
        );
    };
    (@setter $f:ident [$($attr:tt)*] header) => {
        $crate::forward_builder_setters!(@item [$($attr)*] ["Adds a header sent with every request."]
            pub fn header(
                mut self,
                name: impl ::core::convert::Into<::std::string::String>,
                value: impl ::core::convert::Into<::std::string::String>,
            ) -> Self {
                self.$f = self.$f.header(name, value);
                self
            }
        );
    };
    (@setter $f:ident [$($attr:tt)*] http_client) => {
        $crate::forward_builder_setters!(@item [$($attr)*] ["Uses this HTTP client instead of the shared one."]
            pub fn http_client(mut self, client: $crate::__private::reqwest::Client) -> Self {
                self.$f = self.$f.http_client(client);
                self
            }
        );
    };
    (@setter $f:ident [$($attr:tt)*] request_timeout) => {
        $crate::forward_builder_setters!(@item [$($attr)*] ["Deadline of a non-streaming request (default 600 s; `None` for none)."]
            pub fn request_timeout(
                mut self,
                t: ::core::option::Option<::core::time::Duration>,
            ) -> Self {
                self.$f = self.$f.request_timeout(t);
                self
            }
        );
    };
    (@setter $f:ident [$($attr:tt)*] stream_timeouts) => {
        $crate::forward_builder_setters!(@item [$($attr)*] ["Idle and total limits of streams (default: 300 s idle, no total)."]
            pub fn stream_timeouts(mut self, t: $crate::__private::StreamTimeouts) -> Self {
                self.$f = self.$f.stream_timeouts(t);
                self
            }
        );
    };
    (@setter $f:ident [$($attr:tt)*] map_dialect) => {
        $crate::forward_builder_setters!(@item [$($attr)*] ["Changes the dialect in place (quirks, hooks)."]
            pub fn map_dialect(
                mut self,
                f: impl ::core::ops::FnOnce($crate::Dialect) -> $crate::Dialect,
            ) -> Self {
                self.$f = self.$f.map_dialect(f);
                self
            }
        );
    };

    // The caller's doc comments if it wrote any, the default line otherwise.
    (@item [] [$default:literal] $($item:tt)*) => {
        #[doc = $default]
        $($item)*
    };
    (@item [$($attr:tt)+] [$default:literal] $($item:tt)*) => {
        $($attr)+
        $($item)*
    };
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::time::Duration;

    use llm_router_http::StreamTimeouts;

    use crate::{Auth, Dialect, OpenAiCompatBuilder, OpenAiCompatClient};

    #[derive(Debug)]
    struct Wrapper {
        inner: OpenAiCompatBuilder,
    }

    #[allow(unreachable_pub)]
    impl Wrapper {
        forward_builder_setters! {
            inner =>
            api_key,
            api_key_from_env,
            /// A doc comment of the caller's own.
            base_url,
            header,
            http_client,
            request_timeout,
            stream_timeouts,
            map_dialect,
        }

        fn build(self) -> Result<OpenAiCompatClient, llm_router_core::Error> {
            self.inner.build()
        }
    }

    #[test]
    fn every_setter_reaches_the_wrapped_builder() {
        let client = Wrapper {
            inner: OpenAiCompatBuilder::new(Dialect::new("acme", "https://acme.test/v1")),
        }
        .api_key_from_env("LLM_ROUTER_SURELY_UNSET_VAR")
        .api_key("k")
        .base_url("http://127.0.0.1:9/v1")
        .header("x-team", "research")
        .http_client(llm_router_http::shared_client().unwrap())
        .request_timeout(Some(Duration::from_secs(5)))
        .stream_timeouts(StreamTimeouts::new(None, None))
        .map_dialect(|d| d.with_auth(Auth::Header("api-key".into())))
        .build()
        .unwrap();
        let d = client.dialect();
        assert_eq!(d.base_url, "http://127.0.0.1:9/v1");
        assert_eq!(d.auth, Auth::Header("api-key".into()));
        assert_eq!(
            d.default_headers,
            vec![("x-team".to_owned(), "research".to_owned())]
        );
        let debug = format!("{client:?}");
        assert!(debug.contains("Some(5s)"), "{debug}");
        assert!(!debug.contains("\"k\""), "{debug}");
    }

    #[test]
    fn the_configured_key_is_visible_to_presets() {
        let b = OpenAiCompatBuilder::new(Dialect::new("acme", "https://acme.test/v1"));
        assert!(b.configured_api_key().is_none());
        let b = b.api_key("k");
        assert_eq!(b.configured_api_key().map(|k| k.expose()), Some("k"));
    }

    #[test]
    fn unset_variables_are_none_and_change_nothing() {
        assert_eq!(super::env_var("LLM_ROUTER_SURELY_UNSET_VAR"), None);
        let client = OpenAiCompatBuilder::new(Dialect::new("acme", "https://acme.test/v1"))
            .api_key("k")
            .base_url_from_env("LLM_ROUTER_SURELY_UNSET_VAR")
            .build()
            .unwrap();
        assert_eq!(client.dialect().base_url, "https://acme.test/v1");
    }
}
