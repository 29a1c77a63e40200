//! Cloudflare Turnstile's server-side check: a token from the widget is worth something only
//! once siteverify has confirmed it, for this form's action, this position and our hostname.

use crate::answer::Answer;
use crate::config::Turnstile;
use crate::fetch;
use serde::Deserialize;

/// The widget's `action` on our form.
const ACTION: &str = "apply";
/// A candidate is not kept waiting longer on siteverify.
const TIMEOUT_MS: u32 = 3_000;
const MAX_TOKEN_LEN: usize = 2_048;

/// Each field's own default: one for the whole struct is 186 B more gzipped wasm.
#[derive(Deserialize)]
struct Siteverify {
    #[serde(default)]
    success: bool,
    #[serde(default)]
    hostname: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    cdata: String,
    #[serde(default, rename = "error-codes")]
    error_codes: Vec<String>,
}

/// A token must have been made for the position (`cdata`), on our host or an allowed origin's.
fn judge(status: u16, body: &str, cdata: &str, hostnames: &[String]) -> Result<(), Answer> {
    let answered = (200..300).contains(&status) || status == 400;
    let verdict = answered.then(|| serde_json::from_str::<Siteverify>(body).ok());
    let verdict = verdict.flatten().ok_or(Answer::HumanCheckUnavailable)?;
    if !verdict.success && verdict.error_codes.iter().any(|c| c == "internal-error") {
        return Err(Answer::HumanCheckUnavailable);
    }
    let ours = |host: &String| host.eq_ignore_ascii_case(&verdict.hostname);
    let made_for_us = verdict.success && verdict.action == ACTION;
    let made_for_us = made_for_us && verdict.cdata == cdata;
    let made_for_us = made_for_us && hostnames.iter().any(ours);
    made_for_us.then_some(()).ok_or(Answer::HumanCheckRefused)
}

pub async fn verify(
    config: &Turnstile,
    token: &str,
    remote_ip: Option<&str>,
    cdata: &str,
    hostnames: &[String],
) -> Result<(), Answer> {
    let token = token.trim();
    if token.is_empty() {
        return Err(Answer::HumanCheckMissing);
    }
    if token.len() > MAX_TOKEN_LEN {
        return Err(Answer::HumanCheckRefused);
    }
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("secret", &config.secret_key)
        .append_pair("response", token);
    // A fresh key for each verification: it only makes a retry of that same call safe. Derived
    // from the token instead, every replay of a spent token would carry the first call's key
    // and siteverify would hand back that first "success", undoing single use.
    if let Some(key) = super::pass::random_uuid() {
        form.append_pair("idempotency_key", &key);
    }
    if let Some(ip) = remote_ip {
        form.append_pair("remoteip", ip);
    }
    let form_type = "application/x-www-form-urlencoded";
    let headers = web_sys::Headers::new().ok();
    let headers = headers.filter(|h| h.set("content-type", form_type).is_ok());
    let headers = headers.ok_or(Answer::HumanCheckUnavailable)?;
    let url = config.verify_url.to_string();
    let reply = fetch::post(&url, &headers, &form.finish(), TIMEOUT_MS).await;
    let reply = reply.map_err(|_| Answer::HumanCheckUnavailable)?;
    judge(reply.status, &reply.body, cdata, hostnames)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CDATA: &str = "68b43e38b19cf131a17c543f";

    fn judged(status: u16, body: &str) -> Result<(), Answer> {
        let hostnames = ["apply.example.com".into(), "careers.example.com".into()];
        judge(status, body, CDATA, &hostnames)
    }

    fn answer(success: bool, hostname: &str, action: &str, cdata: &str) -> String {
        json!({ "success": success, "hostname": hostname, "action": action, "cdata": cdata,
                "error-codes": if success { json!([]) } else { json!(["invalid-input-response"]) } })
        .to_string()
    }

    #[test]
    fn a_token_made_for_this_form_passes() {
        let body = answer(
            true,
            "careers.example.com",
            "apply",
            "68b43e38b19cf131a17c543f",
        );
        assert_eq!(judged(200, &body), Ok(()));
    }

    #[test]
    fn a_token_made_for_anything_else_is_refused() {
        for body in [
            answer(
                false,
                "apply.example.com",
                "apply",
                "68b43e38b19cf131a17c543f",
            ),
            answer(true, "evil.example", "apply", "68b43e38b19cf131a17c543f"),
            answer(
                true,
                "apply.example.com",
                "login",
                "68b43e38b19cf131a17c543f",
            ),
            answer(
                true,
                "apply.example.com",
                "apply",
                "68b43e38b19cf131a17c5440",
            ),
        ] {
            assert_eq!(judged(200, &body), Err(Answer::HumanCheckRefused), "{body}");
        }
    }

    #[test]
    fn a_siteverify_that_fails_decides_nothing() {
        assert_eq!(judged(500, ""), Err(Answer::HumanCheckUnavailable));
        assert_eq!(judged(200, "<html>"), Err(Answer::HumanCheckUnavailable));
        let internal = json!({ "success": false, "error-codes": ["internal-error"] }).to_string();
        assert_eq!(judged(200, &internal), Err(Answer::HumanCheckUnavailable));
    }
}
