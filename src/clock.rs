//! The time, from the JS runtime.

/// Now as ISO 8601 in UTC (`2026-11-26T15:40:25.123Z`), for records people read.
pub fn now_iso() -> String {
    js_sys::Date::new_0().to_iso_string().into()
}

/// Milliseconds since the epoch; in Workers the clock moves on I/O, which is what we time.
pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}
