//! Parsers for single settings. Each returns the problem by the setting's name, never its value.

use super::names;
use crate::domain::phone::Region;
use crate::domain::PositionId;
use crate::http_url::{is_loopback_host, HttpUrl};
use crate::ledger::window::Windows;

/// Shortest `APP_SECRET` accepted: it keys every HMAC, so it must not be guessable.
const MIN_SECRET_CHARS: usize = 32;

pub fn api_url(raw: Option<&str>) -> Result<HttpUrl, String> {
    secret_safe_url(names::HIREFLIX_API_URL, raw, super::DEFAULT_API_URL)
}

pub fn allowed_positions(raw: Option<&str>) -> Result<Option<Vec<PositionId>>, String> {
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

/// An https URL, or plain http to a loopback host (a local stand-in) only: what it is sent may
/// be a secret.
pub fn secret_safe_url(name: &str, raw: Option<&str>, default: &str) -> Result<HttpUrl, String> {
    let raw = raw
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(default);
    match HttpUrl::parse(raw) {
        Some(url) if url.is_https() || is_loopback_host(url.host()) => Ok(url),
        Some(_) => Err(format!(
            "{name} must use https (plain http only for a local stand-in)"
        )),
        None => Err(format!("{name} must be an http(s) URL")),
    }
}

pub fn app_secret(raw: Option<&str>) -> Result<String, String> {
    match raw.map(str::trim) {
        Some(secret) if secret.chars().count() >= MIN_SECRET_CHARS => Ok(secret.to_string()),
        Some(secret) if !secret.is_empty() => Err(format!(
            "{} must be at least {MIN_SECRET_CHARS} characters (openssl rand -hex 32)",
            names::APP_SECRET
        )),
        _ => Err(format!(
            "{name} is not set (wrangler secret put {name})",
            name = names::APP_SECRET
        )),
    }
}

/// Comma-separated origins (`https://careers.example.com`), each normalised to
/// `scheme://host[:port]`; a path, query or anything else is a mistake worth reporting.
pub fn origins(raw: Option<&str>) -> Result<Vec<String>, String> {
    raw.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|entry| {
            let url = HttpUrl::parse(entry)
                .filter(|url| url.to_string() == format!("{}/", url.origin()))
                .filter(|_| !entry.trim_end_matches('/').contains(['?', '#']));
            url.map(|url| url.origin()).ok_or_else(|| {
                format!(
                    "{} must be comma-separated origins like https://careers.example.com",
                    names::ALLOWED_ORIGINS
                )
            })
        })
        .collect()
}

/// Empty: the real hour, UTC day and UTC calendar month. For tests, "hour,day,month" lengths
/// in seconds, so a test can watch a window reopen.
pub fn budget_windows(raw: Option<&str>) -> Result<Windows, String> {
    let raw = raw.map(str::trim).unwrap_or_default();
    if raw.is_empty() {
        return Ok(Windows::REAL);
    }
    let lengths: Vec<u32> = raw
        .split(',')
        .map(|n| {
            n.trim()
                .parse::<u32>()
                .ok()
                .filter(|&n| (1..=31 * 86_400).contains(&n))
        })
        .collect::<Option<_>>()
        .unwrap_or_default();
    match lengths.as_slice() {
        &[hour_seconds, day_seconds, month_seconds] => Ok(Windows {
            hour_seconds,
            day_seconds,
            month_seconds,
        }),
        _ => Err(format!(
            "{} must be empty, or three lengths in seconds \"hour,day,month\" (for tests)",
            names::BUDGET_WINDOWS_SECONDS
        )),
    }
}

/// One of the catalogue's languages (`en`, `es`); empty means English.
pub fn default_language(raw: Option<&str>) -> Result<(), String> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(()),
        Some(code) if crate::i18n::by_code(code).is_some() => Ok(()),
        Some(_) => Err(format!(
            "{} must be one of: {}",
            names::DEFAULT_LANGUAGE,
            crate::i18n::LANGUAGES
                .iter()
                .map(|w| w.code)
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// `true` or `false` (empty: false).
pub fn flag(name: &str, raw: Option<&str>) -> Result<bool, String> {
    match raw.map(str::trim).unwrap_or_default() {
        "true" => Ok(true),
        "false" | "" => Ok(false),
        _ => Err(format!("{name} must be true or false")),
    }
}

/// A short label such as `2026-11` or `v3`: it goes into KV records and log lines.
pub fn notice_version(raw: Option<&str>) -> Result<String, String> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(crate::i18n::NOTICE_VERSION.to_string()),
        Some(v)
            if v.len() <= 32
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)) =>
        {
            Ok(v.to_string())
        }
        Some(_) => Err(format!(
            "{} must be at most 32 letters, digits, dots, dashes or underscores",
            names::CONSENT_NOTICE_VERSION
        )),
    }
}

/// A region of `domain::phone::REGIONS`, whose national numbers the form reads; empty means
/// each language's own (en: GB, es: ES).
pub fn phone_region(raw: Option<&str>) -> Result<Option<&'static Region>, String> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(code) => Region::by_code(code).map(Some).ok_or_else(|| {
            format!(
                "{} must be empty or one of: GB, IE, US, CA, ES, MX, FR, DE, IT, PT, NL, AU",
                names::DEFAULT_PHONE_REGION
            )
        }),
    }
}
