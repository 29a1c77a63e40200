//! One JSON line per application outcome. Built from ids and classes only: the type has no
//! field that could hold an email, a name or the API key.

use serde::Serialize;

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Form,
    Api,
    Queue,
}

#[derive(Debug, Serialize)]
pub struct ApplicationLog<'a> {
    pub event: &'static str,
    pub request_id: &'a str,
    pub position_id: &'a str,
    /// A truncated hash of the candidate key: joins lines of one application, reveals nothing.
    pub candidate: &'a str,
    pub source: Source,
    pub outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hireflix_ms: Option<u64>,
    pub attempt: u32,
}

impl ApplicationLog<'_> {
    pub fn emit(&self) {
        if let Ok(line) = serde_json::to_string(self) {
            worker::console_log!("{line}");
        }
    }
}

/// A short random id for requests that arrive without Cloudflare's `cf-ray`.
pub fn request_id(cf_ray: Option<String>) -> String {
    cf_ray
        .filter(|r| {
            !r.is_empty()
                && r.len() <= 64
                && r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        .unwrap_or_else(|| {
            let n = (js_sys::Math::random() * 1e15) as u64;
            format!("r{n:x}")
        })
}

/// Milliseconds since the epoch; in Workers the clock moves on I/O, which is what we time.
pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}
