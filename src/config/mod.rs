//! The worker's settings, read from `Env` into types once per request.

pub mod names;

use crate::domain::PositionId;
use crate::http_url::HttpUrl;
use worker::Env;

pub const DEFAULT_API_URL: &str = "https://api.hireflix.com/me";
const DEFAULT_TTL_DAYS: u64 = 30;
pub const DEFAULT_SUBMISSION_TTL_SECONDS: u64 = DEFAULT_TTL_DAYS * 86_400;
const DEFAULT_TIMEOUT_MS: u32 = 4_000;
const DEFAULT_RETRY_BASE_DELAY_SECONDS: u32 = 30;
const DEFAULT_MAX_INVITE_ATTEMPTS: u32 = 30;

#[derive(Clone)]
pub struct Config {
    pub api_url: HttpUrl,
    pub api_key: String,
    /// `None`: every open position of the account takes applications.
    pub allowed_positions: Option<Vec<PositionId>>,
    pub submission_ttl_seconds: u64,
    pub hireflix_timeout_ms: u32,
    pub retry_base_delay_seconds: u32,
    pub max_invite_attempts: u32,
}

// Written by hand so that no `{:?}` can ever print the API key.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("api_url", &self.api_url.to_string())
            .field("api_key", &"<redacted>")
            .field("allowed_positions", &self.allowed_positions)
            .field("submission_ttl_seconds", &self.submission_ttl_seconds)
            .field("hireflix_timeout_ms", &self.hireflix_timeout_ms)
            .field("retry_base_delay_seconds", &self.retry_base_delay_seconds)
            .field("max_invite_attempts", &self.max_invite_attempts)
            .finish()
    }
}

/// Everything wrong with the configuration, by setting name. Never holds a value: a problem
/// report may be shown on /healthz.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblems(pub Vec<String>);

/// The raw strings, so parsing is a pure function tested natively.
#[derive(Debug, Default, Clone)]
pub struct RawConfig {
    pub api_url: Option<String>,
    pub api_key: Option<String>,
    pub allowed_positions: Option<String>,
    pub submission_ttl_days: Option<String>,
    pub hireflix_timeout_ms: Option<String>,
    pub retry_base_delay_seconds: Option<String>,
    pub max_invite_attempts: Option<String>,
}

impl RawConfig {
    pub fn from_env(env: &Env) -> Self {
        let var = |name: &str| env.var(name).ok().map(|v| v.to_string());
        RawConfig {
            api_url: var(names::HIREFLIX_API_URL),
            api_key: env
                .secret(names::HIREFLIX_API_KEY)
                .ok()
                .map(|s| s.to_string()),
            allowed_positions: var(names::ALLOWED_POSITIONS),
            submission_ttl_days: var(names::SUBMISSION_TTL_DAYS),
            hireflix_timeout_ms: var(names::HIREFLIX_TIMEOUT_MS),
            retry_base_delay_seconds: var(names::RETRY_BASE_DELAY_SECONDS),
            max_invite_attempts: var(names::MAX_INVITE_ATTEMPTS),
        }
    }

    pub fn parse(&self) -> Result<Config, ConfigProblems> {
        let mut problems = Vec::new();
        let api_url = parse_api_url(self.api_url.as_deref())
            .map_err(|p| problems.push(p))
            .ok();
        let api_key = match self.api_key.as_deref().map(str::trim) {
            Some(key) if !key.is_empty() => Some(key.to_string()),
            _ => {
                problems.push(format!(
                    "{key} is not set (wrangler secret put {key})",
                    key = names::HIREFLIX_API_KEY
                ));
                None
            }
        };
        let allowed_positions = parse_allowed(self.allowed_positions.as_deref())
            .map_err(|p| problems.push(p))
            .ok();
        let mut number = |name: &str,
                          raw: &Option<String>,
                          default: u64,
                          range: std::ops::RangeInclusive<u64>| {
            match raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => default,
                Some(s) => match s.parse::<u64>() {
                    Ok(n) if range.contains(&n) => n,
                    _ => {
                        problems.push(format!(
                            "{name} must be a whole number from {} to {}",
                            range.start(),
                            range.end()
                        ));
                        default
                    }
                },
            }
        };
        let ttl_days = number(
            names::SUBMISSION_TTL_DAYS,
            &self.submission_ttl_days,
            DEFAULT_TTL_DAYS,
            1..=365,
        );
        let timeout = number(
            names::HIREFLIX_TIMEOUT_MS,
            &self.hireflix_timeout_ms,
            DEFAULT_TIMEOUT_MS.into(),
            100..=30_000,
        );
        let retry_delay = number(
            names::RETRY_BASE_DELAY_SECONDS,
            &self.retry_base_delay_seconds,
            DEFAULT_RETRY_BASE_DELAY_SECONDS.into(),
            0..=3_600,
        );
        let attempts = number(
            names::MAX_INVITE_ATTEMPTS,
            &self.max_invite_attempts,
            DEFAULT_MAX_INVITE_ATTEMPTS.into(),
            1..=100,
        );
        match (api_url, api_key, allowed_positions) {
            (Some(api_url), Some(api_key), Some(allowed_positions)) if problems.is_empty() => {
                Ok(Config {
                    api_url,
                    api_key,
                    allowed_positions,
                    submission_ttl_seconds: ttl_days * 86_400,
                    hireflix_timeout_ms: u32::try_from(timeout).unwrap_or(DEFAULT_TIMEOUT_MS),
                    retry_base_delay_seconds: u32::try_from(retry_delay)
                        .unwrap_or(DEFAULT_RETRY_BASE_DELAY_SECONDS),
                    max_invite_attempts: u32::try_from(attempts)
                        .unwrap_or(DEFAULT_MAX_INVITE_ATTEMPTS),
                })
            }
            _ => Err(ConfigProblems(problems)),
        }
    }
}

impl Config {
    pub fn from_env(env: &Env) -> Result<Config, ConfigProblems> {
        RawConfig::from_env(env).parse()
    }

    pub fn allows(&self, position: &PositionId) -> bool {
        self.allowed_positions
            .as_ref()
            .is_none_or(|allowed| allowed.contains(position))
    }
}

fn parse_api_url(raw: Option<&str>) -> Result<HttpUrl, String> {
    let raw = raw
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(DEFAULT_API_URL);
    match HttpUrl::parse(raw) {
        Some(url) if url.is_https() || crate::http_url::is_loopback_host(url.host()) => Ok(url),
        Some(_) => Err(format!(
            "{} must use https (plain http only for a local stand-in)",
            names::HIREFLIX_API_URL
        )),
        None => Err(format!(
            "{} must be an http(s) URL",
            names::HIREFLIX_API_URL
        )),
    }
}

fn parse_allowed(raw: Option<&str>) -> Result<Option<Vec<PositionId>>, String> {
    let entries: Vec<&str> = raw
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if entries.is_empty() {
        return Ok(None);
    }
    entries
        .into_iter()
        .map(|e| {
            PositionId::parse(e).ok_or_else(|| {
                format!(
                    "{} must be comma-separated 24-hex position ids",
                    names::ALLOWED_POSITIONS
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(key: Option<&str>) -> RawConfig {
        RawConfig {
            api_key: key.map(String::from),
            ..RawConfig::default()
        }
    }

    #[test]
    fn defaults_point_at_the_real_api() {
        let config = raw(Some("k")).parse().unwrap();
        assert_eq!(config.api_url.to_string(), DEFAULT_API_URL);
        assert_eq!(config.submission_ttl_seconds, 30 * 86_400);
        assert!(config.allowed_positions.is_none());
    }

    #[test]
    fn a_missing_key_is_reported_by_name_never_by_value() {
        let problems = raw(Some("  ")).parse().unwrap_err();
        assert_eq!(problems.0.len(), 1);
        assert!(problems.0[0].contains("HIREFLIX_API_KEY"));
    }

    #[test]
    fn bad_values_are_all_reported() {
        let config = RawConfig {
            api_url: Some("ftp://x".into()),
            api_key: Some("super-secret-value".into()),
            allowed_positions: Some("abc".into()),
            submission_ttl_days: Some("0".into()),
            ..RawConfig::default()
        };
        let problems = config.parse().unwrap_err();
        assert_eq!(problems.0.len(), 3);
        assert!(!problems.0.join(" ").contains("super-secret-value"));
    }

    #[test]
    fn the_key_never_travels_unencrypted_and_never_prints() {
        let with_url = |url: &str| RawConfig {
            api_url: Some(url.into()),
            api_key: Some("super-secret-value".into()),
            ..RawConfig::default()
        };
        assert!(with_url("http://api.hireflix.com/me").parse().is_err());
        assert!(with_url("http://127.0.0.1:4010/me").parse().is_ok());
        let config = with_url("https://api.hireflix.com/me").parse().unwrap();
        assert!(!format!("{config:?}").contains("super-secret-value"));
    }

    #[test]
    fn allowed_positions_narrow_the_account() {
        let config = RawConfig {
            api_key: Some("k".into()),
            allowed_positions: Some(" 68b43e38b19cf131a17c543f , ,68B43E38B19CF131A17C5440".into()),
            ..RawConfig::default()
        }
        .parse()
        .unwrap();
        assert!(config.allows(&PositionId::parse("68b43e38b19cf131a17c5440").unwrap()));
        assert!(!config.allows(&PositionId::parse("68b43e38b19cf131a17c5441").unwrap()));
    }
}
