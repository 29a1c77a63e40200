//! Absolute http(s) URLs in the narrow form this worker deals in (the Hireflix API, interview
//! links), strict (no user info, IDN, percent-encoded hosts, IPv6, spaces or backslashes) so
//! every browser reads what it accepts alike: that makes a redirect target safe. Property tests
//! check it against the `url` crate, which is not used: its IDNA tables cost +68.6 KB of gzip
//! wasm (+20.7 KB with the ASCII `idna_adapter`) for hosts we never accept.

use std::fmt;

/// `Default` (an empty host) stands in for a setting that is wrong.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpUrl {
    https: bool,
    host: String,
    /// `None` for the scheme's default port.
    port: Option<u16>,
    /// Path, query and fragment, starting with `/`.
    rest: String,
}

impl HttpUrl {
    pub fn parse(raw: &str) -> Option<HttpUrl> {
        let (scheme, after) = raw.split_once("://")?;
        let https = match scheme.to_ascii_lowercase().as_str() {
            "https" => true,
            "http" => false,
            _ => return None,
        };
        let end = after.find(['/', '?', '#']).unwrap_or(after.len());
        let (authority, rest) = after.split_at(end);
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(parse_port(port)?)),
            None => (authority, None),
        };
        if !is_host(host) || !rest.bytes().all(is_url_byte) || has_dot_segment(rest) {
            return None;
        }
        let default_port = if https { 443 } else { 80 };
        let slash = if rest.starts_with('/') { "" } else { "/" };
        Some(HttpUrl {
            https,
            host: host.to_ascii_lowercase(),
            port: port.filter(|p| *p != default_port),
            rest: format!("{slash}{rest}"),
        })
    }

    pub fn is_https(&self) -> bool {
        self.https
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn has_explicit_port(&self) -> bool {
        self.port.is_some()
    }

    /// `scheme://host[:port]`
    pub fn origin(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        let port = self.port.map(|port| format!(":{port}")).unwrap_or_default();
        format!("{scheme}://{}{port}", self.host)
    }
}

impl fmt::Display for HttpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.origin(), self.rest)
    }
}

fn parse_port(port: &str) -> Option<u16> {
    let digits = port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit());
    port.parse().ok().filter(|p| digits && *p != 0)
}

/// DNS names and dotted IPv4, ASCII only: labels of letters, digits and inner hyphens.
fn is_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            // Punycode: a browser may show it as other characters; we never need it.
            is_dns_label(label) && !label.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("xn--"))
        })
        // Browsers read a host whose last label is a number (decimal or 0x hex) as IPv4, in
        // forms like `1.2.3` or `0x7f.1`: only plain dotted decimal is let through.
        && (!ends_in_a_number(host) || is_ipv4(host))
}

/// 1 to 63 ASCII letters, digits and inner hyphens.
pub fn is_dns_label(label: &str) -> bool {
    (1..=63).contains(&label.len())
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn ends_in_a_number(host: &str) -> bool {
    let last = host.rsplit('.').next().unwrap_or_default();
    let hex = last.strip_prefix("0x").or_else(|| last.strip_prefix("0X"));
    last.bytes().all(|b| b.is_ascii_digit())
        || hex.is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Dotted decimal, each part as a number prints (no sign, no leading zero).
fn is_ipv4(host: &str) -> bool {
    let canonical = |p: &str| p.parse::<u8>().is_ok_and(|n| n.to_string() == p);
    host.split('.').count() == 4 && host.split('.').all(canonical)
}

/// Browsers resolve `.` and `..` (also percent-encoded) away: the link opened would not be the
/// text checked.
fn has_dot_segment(rest: &str) -> bool {
    let path = rest.split(['?', '#']).next().unwrap_or_default();
    path.split('/').any(|segment| {
        let decoded = segment.to_ascii_lowercase().replace("%2e", ".");
        decoded == "." || decoded == ".."
    })
}

/// What a browser leaves as it is in a path, query or fragment; anything else is refused rather
/// than guessed at (`'` too, which browsers percent-encode in a query).
fn is_url_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&()*+,;=:@/?#%[]".contains(&b)
}

/// Plain http is for this machine only: the API key must not cross a network unencrypted.
pub fn is_loopback_host(host: &str) -> bool {
    host == "localhost" || host.ends_with(".localhost") || host.starts_with("127.") && is_ipv4(host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_and_normalises() {
        let url = HttpUrl::parse("HTTPS://App.Hireflix.com:443/HQ2oCtTC?x=1#f").unwrap();
        assert!(url.is_https());
        assert_eq!(url.host(), "app.hireflix.com");
        assert_eq!(url.origin(), "https://app.hireflix.com");
        assert_eq!(url.to_string(), "https://app.hireflix.com/HQ2oCtTC?x=1#f");
        assert_eq!(
            HttpUrl::parse("http://127.0.0.1:4010").unwrap().to_string(),
            "http://127.0.0.1:4010/"
        );
        assert_eq!(
            HttpUrl::parse("https://hflx.io?x").unwrap().to_string(),
            "https://hflx.io/?x"
        );
    }

    #[test]
    fn loopback_hosts_are_recognised() {
        for host in ["localhost", "hireflix.localhost", "127.0.0.1", "127.1.2.3"] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "api.hireflix.com",
            "127.example.com",
            "10.0.0.1",
            "localhost.evil.com",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }

    #[test]
    fn refuses_what_browsers_might_read_differently() {
        for bad in [
            "https://user@app.hireflix.com/",
            "https://app.hireflix.com@evil.example/",
            "https://app.hireflix.com\\@evil.example/",
            "https://app.hireflix.com%2eevil.example/",
            "https://xn--hireflx-e0a.com/",
            "https://hïreflix.com/",
            "https://[::1]/",
            "https://app.hireflix.com:0/",
            "https://app.hireflix.com:99999/",
            "https://app.hireflix.com:/",
            "https://app.hireflix.com/a b",
            "https://app.hireflix.com/\"><script>",
            "https://app.hireflix.com/x?a='b",
            "https:///path",
            "https://-bad.com/",
            "https://1.2.3/",
            "https://01.2.3.4/",
            "https://0x7f.1/",
            "https://app.hireflix.com/a/../b",
            "https://app.hireflix.com/%2E%2e/b",
            "https://app.hireflix.com/.",
            "https://hireflix.0x10/",
            "javascript://app.hireflix.com/%0aalert(1)",
            "ftp://app.hireflix.com/",
            "//app.hireflix.com/",
            "app.hireflix.com",
            "",
        ] {
            assert!(HttpUrl::parse(bad).is_none(), "{bad:?} must be refused");
        }
    }

    /// Whatever is accepted, the WHATWG parser (the `url` crate, as browsers) reads alike.
    fn agrees_with_url_crate(raw: &str) -> Result<(), TestCaseError> {
        if let Some(ours) = HttpUrl::parse(raw) {
            let theirs =
                url::Url::parse(raw).map_err(|e| TestCaseError::fail(format!("{raw}: {e}")))?;
            prop_assert_eq!(
                theirs.scheme(),
                if ours.is_https() { "https" } else { "http" }
            );
            prop_assert_eq!(theirs.host_str(), Some(ours.host()));
            prop_assert_eq!(theirs.port(), ours.port);
            prop_assert_eq!(theirs.username(), "");
            prop_assert_eq!(theirs.origin().ascii_serialization(), ours.origin());
            prop_assert_eq!(theirs.as_str(), ours.to_string());
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn accepted_urls_mean_the_same_to_a_browser(raw in "\\PC{0,60}") {
            agrees_with_url_crate(&raw)?;
        }

        #[test]
        fn generated_urls_are_accepted_and_agree(
            scheme in "(http|https|HTTPS)",
            host in "[a-z][a-z0-9-]{0,10}[a-z0-9](\\.[a-z]{2,6}){1,2}",
            port in proptest::option::of(1u16..),
            path in "(/[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,7}){0,3}(\\?[a-z0-9=&]{0,10})?(#[a-z]{0,5})?",
        ) {
            prop_assume!(!host.split('.').any(|l| l.starts_with("xn--")));
            let port = port.map(|p| format!(":{p}")).unwrap_or_default();
            let raw = format!("{scheme}://{host}{port}{path}");
            prop_assert!(HttpUrl::parse(&raw).is_some(), "{}", raw);
            agrees_with_url_crate(&raw)?;
        }

        #[test]
        fn any_printable_path_or_query_is_refused_or_read_alike(tail in "[ -~]{0,24}") {
            agrees_with_url_crate(&format!("https://app.hireflix.com/{tail}"))?;
        }

        #[test]
        fn tricky_characters_near_the_host_never_slip_through(
            prefix in "[a-z.@:%\\\\]{0,6}",
            suffix in "[a-z.@:%\\\\/]{0,6}",
        ) {
            agrees_with_url_crate(&format!("https://{prefix}hireflix.com{suffix}"))?;
        }
    }
}
