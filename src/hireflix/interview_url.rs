//! The only URLs we ever redirect a candidate to.

use crate::http_url::HttpUrl;

/// Hireflix's own hosts (https), and the configured API's origin: trusted already (it gets the
/// key), it lets the local stand-in hand out links a browser can open.
#[derive(Debug, Clone)]
pub struct TrustedHosts {
    api_origin: Option<String>,
}

impl TrustedHosts {
    pub fn for_api(api_url: &HttpUrl) -> Self {
        TrustedHosts {
            api_origin: Some(api_url.origin()),
        }
    }

    pub fn hireflix_only() -> Self {
        TrustedHosts { api_origin: None }
    }

    /// As a CSP source list, for `form-action`: Chromium applies it to the redirect after the
    /// form's post.
    pub fn csp_sources(&self) -> String {
        let hireflix = "https://hflx.io https://hireflix.com https://*.hireflix.com";
        match &self.api_origin {
            Some(origin) => format!("{hireflix} {origin}"),
            None => hireflix.to_string(),
        }
    }

    fn allows(&self, url: &HttpUrl) -> bool {
        if self.api_origin.as_deref() == Some(url.origin().as_str()) {
            return true;
        }
        let host = url.host();
        url.is_https()
            && !url.has_explicit_port()
            && (host == "hflx.io" || host == "hireflix.com" || host.ends_with(".hireflix.com"))
    }
}

/// A candidate's interview link, checked against [`TrustedHosts`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterviewUrl(String);

impl InterviewUrl {
    pub fn parse(raw: &str, trusted: &TrustedHosts) -> Option<InterviewUrl> {
        let url = HttpUrl::parse(raw.trim())?;
        trusted.allows(&url).then(|| InterviewUrl(url.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Option<String> {
        InterviewUrl::parse(raw, &TrustedHosts::hireflix_only()).map(|u| u.0)
    }

    #[test]
    fn hireflix_links_are_allowed() {
        assert!(parse("https://hflx.io/c/HQ2oCtTC").is_some());
        assert!(parse("https://app.hireflix.com/HQ2oCtTC").is_some());
        assert!(parse("https://eu.app.hireflix.com/x").is_some());
    }

    #[test]
    fn lookalikes_and_downgrades_are_refused() {
        for bad in [
            "http://app.hireflix.com/x",
            "https://hireflix.com.evil.example/x",
            "https://evilhireflix.com/x",
            "https://app.hireflix.com@evil.example/x",
            "https://user@app.hireflix.com/x",
            "https://app.hireflix.com:8443/x",
            "javascript:alert(1)",
            "//app.hireflix.com/x",
            "/relative",
            "",
        ] {
            assert!(
                parse(bad).is_none(),
                "{bad:?} must not be a redirect target"
            );
        }
    }

    #[test]
    fn the_configured_api_origin_is_trusted_exactly() {
        let api = HttpUrl::parse("http://127.0.0.1:4010/me").unwrap();
        let trusted = TrustedHosts::for_api(&api);
        assert!(InterviewUrl::parse("http://127.0.0.1:4010/i/abc", &trusted).is_some());
        assert!(InterviewUrl::parse("http://127.0.0.1:4011/i/abc", &trusted).is_none());
        assert!(InterviewUrl::parse("https://127.0.0.1:4010/i/abc", &trusted).is_none());
    }
}
