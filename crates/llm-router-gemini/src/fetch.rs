//! Fetching remote images for Gemini, which takes image bytes inline rather than arbitrary
//! URLs, without letting a caller's URL reach private networks (see [`GuardedFetcher`]).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use llm_router_core::{Error, ErrorKind};
use llm_router_http::reqwest::{self, Url, header, redirect};

use crate::PROVIDER;

/// The default size cap: 20 MiB.
pub const DEFAULT_MAX_IMAGE_BYTES: u64 = 20 * 1024 * 1024;

const MAX_REDIRECTS: usize = 3;

/// Downloads images from URLs that are safe to fetch from a server.
///
/// Fetching a URL a caller chose is a server-side request forgery risk for a gateway: the URL
/// could point at `127.0.0.1`, the cloud metadata address `169.254.169.254` or a host on the
/// private network. The fetcher therefore:
///
/// - accepts only `http` and `https` URLs;
/// - resolves the host itself and refuses loopback, private, link-local, unique-local,
///   unspecified, carrier-grade-NAT, multicast, documentation and other reserved addresses
///   (see [`is_public_address`]), unless
///   [`allow_private_networks(true)`](GuardedFetcher::allow_private_networks); a name that
///   resolves to any refused address is refused;
/// - connects to the address it checked (`reqwest::ClientBuilder::resolve`), so a DNS answer
///   that changes between check and connect (DNS rebinding) cannot bypass the check, and never
///   through a proxy;
/// - follows at most 3 redirects, checking each target the same way;
/// - requires an `image/*` content type and reads at most
///   [`max_bytes`](GuardedFetcher::max_bytes) ([`DEFAULT_MAX_IMAGE_BYTES`], 20 MiB, by
///   default), counting while streaming.
///
/// Every failure is an [`ErrorKind::InvalidRequest`] naming the URL's host and path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardedFetcher {
    allow_private: bool,
    max_bytes: u64,
    timeout: Duration,
    connect_timeout: Duration,
}

impl Default for GuardedFetcher {
    fn default() -> Self {
        Self::new()
    }
}

/// An image downloaded by [`GuardedFetcher::fetch_image`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedImage {
    /// The response's MIME type (`image/png`), parameters dropped.
    pub mime_type: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

impl GuardedFetcher {
    /// Private networks refused, 20 MiB cap, 30 s total and 10 s connect timeouts.
    pub fn new() -> Self {
        Self {
            allow_private: false,
            max_bytes: DEFAULT_MAX_IMAGE_BYTES,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
        }
    }

    /// Allows loopback and private addresses (a gateway on a trusted network, tests).
    pub fn allow_private_networks(mut self, allow: bool) -> Self {
        self.allow_private = allow;
        self
    }

    /// Whether loopback and private addresses are allowed.
    pub fn allows_private_networks(&self) -> bool {
        self.allow_private
    }

    /// The largest image accepted, in bytes.
    pub fn max_bytes(mut self, n: u64) -> Self {
        self.max_bytes = n;
        self
    }

    /// The deadline of one fetch, redirects included.
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = t;
        self
    }

    fn refuse(url: &Url, why: impl std::fmt::Display) -> Error {
        let host = url.host_str().unwrap_or("?");
        Error::new(
            ErrorKind::InvalidRequest,
            format!("cannot use the image at {host}{}: {why}", url.path()),
        )
        .with_provider(PROVIDER)
    }

    /// The address to connect to for `url`, after the checks.
    async fn target(&self, url: &Url) -> Result<Option<SocketAddr>, Error> {
        let port = url
            .port_or_known_default()
            .ok_or_else(|| Self::refuse(url, "no port"))?;
        let addrs: Vec<SocketAddr> = match url.host() {
            Some(url::Host::Ipv4(ip)) => vec![SocketAddr::new(IpAddr::V4(ip), port)],
            Some(url::Host::Ipv6(ip)) => vec![SocketAddr::new(IpAddr::V6(ip), port)],
            Some(url::Host::Domain(name)) => tokio::net::lookup_host((name, port))
                .await
                .map_err(|e| Self::refuse(url, format!("the host does not resolve ({e})")))?
                .collect(),
            None => return Err(Self::refuse(url, "the URL has no host")),
        };
        if addrs.is_empty() {
            return Err(Self::refuse(url, "the host does not resolve"));
        }
        if !self.allow_private
            && let Some(bad) = addrs.iter().find(|a| !is_public_address(a.ip()))
        {
            return Err(Self::refuse(
                url,
                format!(
                    "{} is a private, loopback or reserved address (allow_private_networks is off)",
                    bad.ip()
                ),
            ));
        }
        // A domain is pinned to the checked address; an IP literal needs no lookup.
        Ok(match url.host() {
            Some(url::Host::Domain(_)) => addrs.first().copied(),
            _ => None,
        })
    }

    /// Downloads the image at `url` (`http` or `https`).
    pub async fn fetch_image(&self, url: &str) -> Result<FetchedImage, Error> {
        let mut url = Url::parse(url).map_err(|e| {
            Error::new(ErrorKind::InvalidRequest, format!("invalid image URL: {e}"))
                .with_provider(PROVIDER)
        })?;
        let deadline = tokio::time::Instant::now() + self.timeout;
        for _ in 0..=MAX_REDIRECTS {
            if !matches!(url.scheme(), "http" | "https") {
                return Err(Self::refuse(&url, "only http and https URLs are fetched"));
            }
            let pinned = self.target(&url).await?;
            let resp = self.get(&url, pinned, deadline).await?;
            let status = resp.status();
            if status.is_redirection() {
                let location = resp
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .ok_or_else(|| Self::refuse(&url, format!("HTTP {status} without Location")))?;
                url = url
                    .join(location)
                    .map_err(|e| Self::refuse(&url, format!("bad redirect target ({e})")))?;
                continue;
            }
            if !status.is_success() {
                return Err(Self::refuse(&url, format!("HTTP {status}")));
            }
            return self.read(&url, resp).await;
        }
        Err(Self::refuse(&url, "too many redirects"))
    }

    async fn get(
        &self,
        url: &Url,
        pinned: Option<SocketAddr>,
        deadline: tokio::time::Instant,
    ) -> Result<reqwest::Response, Error> {
        llm_router_http::ensure_crypto_provider();
        let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
        let mut b = reqwest::Client::builder()
            .no_proxy()
            .redirect(redirect::Policy::none())
            .connect_timeout(self.connect_timeout)
            .timeout(remaining)
            .user_agent(concat!("llm-router/", env!("CARGO_PKG_VERSION")));
        if let (Some(addr), Some(host)) = (pinned, url.host_str()) {
            b = b.resolve(host, addr);
        }
        let client = b
            .build()
            .map_err(|e| Self::refuse(url, format!("cannot build an HTTP client ({e})")))?;
        client
            .get(url.clone())
            .header(header::ACCEPT, "image/*")
            .send()
            .await
            .map_err(|e| Self::refuse(url, format!("the download failed ({})", e.without_url())))
    }

    async fn read(&self, url: &Url, mut resp: reqwest::Response) -> Result<FetchedImage, Error> {
        let mime = resp
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            })
            .unwrap_or_default();
        if !mime.starts_with("image/") {
            return Err(Self::refuse(
                url,
                format!("the content type is {mime:?}, not image/*"),
            ));
        }
        let too_big = || {
            Self::refuse(
                url,
                format!("the image is larger than {} bytes", self.max_bytes),
            )
        };
        if resp.content_length().is_some_and(|n| n > self.max_bytes) {
            return Err(too_big());
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| Self::refuse(url, format!("the download failed ({})", e.without_url())))?
        {
            if (bytes.len() + chunk.len()) as u64 > self.max_bytes {
                return Err(too_big());
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(FetchedImage {
            mime_type: mime,
            bytes,
        })
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT 100.64/10
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments 192.0.0/24
        || (a == 198 && (b == 18 || b == 19)) // benchmarking 198.18/15
        || a >= 240) // reserved 240/4
}

/// Whether `ip` is a public unicast address: not loopback, private (RFC 1918), link-local,
/// unique-local (`fc00::/7`), unspecified, carrier-grade NAT, multicast, documentation or
/// otherwise reserved. IPv6 forms embedding an IPv4 address (mapped `::ffff:a.b.c.d`,
/// compatible `::a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) are judged by that address.
pub fn is_public_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    let embedded_v4 = |hi: usize| {
        let [a, b] = s[hi].to_be_bytes();
        let [c, d] = s[hi + 1].to_be_bytes();
        Ipv4Addr::new(a, b, c, d)
    };
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    if s[..6] == [0; 6] {
        // `::` and `::1` are unspecified / loopback; `::a.b.c.d` is the deprecated compatible form.
        return !ip.is_unspecified() && !ip.is_loopback() && is_public_v4(embedded_v4(6));
    }
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0; 4] {
        return is_public_v4(embedded_v4(6)); // NAT64 64:ff9b::/96
    }
    if s[0] == 0x2002 {
        return is_public_v4(embedded_v4(1)); // 6to4
    }
    !(ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (s[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated) fec0::/10
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x2001 && s[1] == 0) // Teredo
        || (s[0] == 0x0100 && s[1..4] == [0; 3])) // discard-only 100::/64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(s: &str) -> bool {
        is_public_address(s.parse().unwrap())
    }

    #[test]
    fn address_classes() {
        for s in [
            "127.0.0.1",
            "127.8.9.10",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "0.1.2.3",
            "100.64.0.1",
            "192.0.0.8",
            "198.18.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "::",
            "::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::a00:1",
            "2002:a00:1::",
            "2001:db8::1",
        ] {
            assert!(!public(s), "{s} must be refused");
        }
        for s in [
            "8.8.8.8",
            "1.1.1.1",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert!(public(s), "{s} is public");
        }
    }
}
