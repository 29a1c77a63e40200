//! The link pass cookie: kept by a browser shown an interview link, so that it (and only it,
//! after the grace period) can be shown it again. `__Host-`: no other host (a sibling subdomain
//! included) can set or overwrite it. `Secure` holds locally too: Chromium keeps it on
//! `http://127.0.0.1` and `http://localhost` (tests/browser/apply.test.mjs). `SameSite=Lax`:
//! sent with the form's own post only.

use crate::domain::LINK_PASS_MAX_AGE_SECONDS as MAX_AGE_SECONDS;
use wasm_bindgen::JsCast;

/// One per position: a browser may apply to several.
fn name(position: &str) -> String {
    format!("__Host-hfa_{position}")
}

pub fn read<'a>(cookie_header: &'a str, position: &str) -> Option<&'a str> {
    let wanted = name(position);
    cookie_header.split(';').find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        (key == wanted && !value.is_empty() && value.len() <= 128).then_some(value)
    })
}

/// Eight random bytes in hex, so no two browsers hold the same pass; `None` without Web Crypto.
pub fn random_id() -> Option<String> {
    let mut bytes = [0u8; 8];
    crypto()?.get_random_values_with_u8_array(&mut bytes).ok()?;
    Some(hex::encode(bytes))
}

pub fn random_uuid() -> Option<String> {
    Some(crypto()?.random_uuid())
}

fn crypto() -> Option<web_sys::Crypto> {
    let crypto = js_sys::Reflect::get(&js_sys::global(), &"crypto".into()).ok()?;
    (!crypto.is_undefined()).then(|| crypto.unchecked_into())
}

pub fn set_cookie(position: &str, pass: &str) -> String {
    let name = name(position);
    format!("{name}={pass}; Path=/; Max-Age={MAX_AGE_SECONDS}; Secure; HttpOnly; SameSite=Lax")
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: &str = "68b43e38b19cf131a17c543f";

    #[test]
    fn the_pass_is_read_back_for_its_position_only() {
        let set = set_cookie(P, "ab12");
        assert_eq!(
            set,
            "__Host-hfa_68b43e38b19cf131a17c543f=ab12; Path=/; Max-Age=2592000; Secure; HttpOnly; SameSite=Lax"
        );
        let header = format!("a=1; __Host-hfa_{P}=ab12; b=2");
        assert_eq!(read(&header, P), Some("ab12"));
        assert_eq!(read(&header, "68b43e38b19cf131a17c5440"), None);
        assert_eq!(
            read(&format!("hfa_{P}=ab12"), P),
            None,
            "only the __Host- cookie"
        );
        assert_eq!(read(&format!("__Host-hfa_{P}="), P), None);
        assert_eq!(read("", P), None);
        assert_eq!(read("garbage;;=;", P), None);
    }
}
