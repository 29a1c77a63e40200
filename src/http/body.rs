//! Reads a posted application, whatever the encoding, within a size limit.

use crate::answer::Answer;
use crate::domain::{attribution, ApplicationForm, Attribution, Field};
use futures_util::StreamExt;
use serde_json::{Map, Value};
use wasm_bindgen::JsCast;
use worker::Request;

/// Four short fields fit in far less; anything larger is not a form of ours.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// Past the cap, up to this much is read and thrown away before the 413: answered mid-upload,
/// many clients report a reset connection instead. Beyond this the connection is cut.
const DISCARD_LIMIT: usize = 1024 * 1024;

/// The field people never see; bots that fill every field fill it.
const HONEYPOT_FIELD: &str = "website";
pub const TURNSTILE_FIELD: &str = "cf-turnstile-response";
const CONSENT_FIELD: &str = "consent";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Posted {
    pub form: ApplicationForm,
    pub honeypot: String,
    pub turnstile_token: String,
    pub attribution: Attribution,
    /// As sent (`yes` when ticked, absent when not).
    pub consent: String,
}

impl Posted {
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Posted {
        // The first value of a name wins, as for the application's fields.
        let value = |name: &str| first(&pairs, name).unwrap_or_default().to_string();
        Posted {
            honeypot: value(HONEYPOT_FIELD),
            turnstile_token: value(TURNSTILE_FIELD),
            consent: value(CONSENT_FIELD),
            attribution: Attribution::from_pairs(pairs.iter().map(|(k, v)| (k, v))),
            form: ApplicationForm::from_pairs(pairs),
        }
    }
}

/// A form's two, and a landing page's JSON.
const ENCODINGS: [&str; 3] = [
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "application/json",
];

fn encoding(content_type: &str) -> Option<&'static str> {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    let is_it = |e: &&str| e.eq_ignore_ascii_case(essence);
    ENCODINGS.into_iter().find(is_it)
}

pub async fn read_application(req: &mut Request) -> Result<Posted, Answer> {
    let header = |name: &str| req.headers().get(name).ok().flatten();
    let content_type = header("content-type").unwrap_or_default();
    let encoding = encoding(&content_type).ok_or(Answer::UnsupportedType)?;
    let declared = header("content-length").and_then(|v| v.trim().parse::<usize>().ok());
    if declared.is_some_and(|n| n > DISCARD_LIMIT) {
        return Err(Answer::TooLarge);
    }
    let bytes = match declared {
        // The length bounds what the runtime hands over, so one `arrayBuffer()` (one promise;
        // the stream reader costs a lock, a read per chunk, an empty read and a release).
        Some(length) if length <= MAX_BODY_BYTES => {
            let bytes = req.bytes().await.map_err(|_| Answer::Unreadable)?;
            // The length is the runtime's promise, not ours.
            let fits = bytes.len() <= MAX_BODY_BYTES;
            fits.then_some(bytes).ok_or(Answer::TooLarge)?
        }
        _ => read_capped(req).await?,
    };
    match encoding {
        "application/json" => parse_json(&bytes),
        "multipart/form-data" => parse_multipart(bytes, &content_type)
            .await
            .ok_or(Answer::Unreadable),
        _ => Ok(Posted::from_pairs(urlencoded_pairs(&bytes))),
    }
}

/// Never holds more than the cap in wasm memory: a chunked upload declares no length.
async fn read_capped(req: &mut Request) -> Result<Vec<u8>, Answer> {
    // No body at all reads as an empty form, which then fails validation field by field.
    let Ok(mut stream) = req.stream() else {
        return Ok(Vec::new());
    };
    let (mut bytes, mut total) = (Vec::new(), 0usize);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| Answer::Unreadable)?;
        total = total.saturating_add(chunk.len());
        if total > DISCARD_LIMIT {
            return Err(Answer::TooLarge);
        }
        if total <= MAX_BODY_BYTES {
            bytes.extend_from_slice(&chunk);
        }
    }
    let fits = total <= MAX_BODY_BYTES;
    fits.then_some(bytes).ok_or(Answer::TooLarge)
}

pub fn urlencoded_pairs(bytes: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(bytes).into_owned().collect()
}

pub fn first<'q>(pairs: &'q [(String, String)], name: &str) -> Option<&'q str> {
    let (_, value) = pairs.iter().find(|(k, _)| k == name)?;
    Some(value)
}

/// An object of the form's field names.
fn parse_json(bytes: &[u8]) -> Result<Posted, Answer> {
    let object: Map<String, Value> =
        serde_json::from_slice(bytes).map_err(|_| Answer::Unreadable)?;
    let pairs = object.into_iter().filter_map(|(k, v)| match v {
        Value::String(s) => Some((k, s)),
        // `"consent": true` from a landing page's script.
        Value::Bool(true) => Some((k, "true".to_string())),
        _ => None,
    });
    Ok(Posted::from_pairs(pairs.collect()))
}

/// The runtime's parser (`Response.formData()`): ours would be wasm and risk for a rare format.
async fn parse_multipart(mut bytes: Vec<u8>, content_type: &str) -> Option<Posted> {
    let headers = web_sys::Headers::new().ok()?;
    headers.set("content-type", content_type).ok()?;
    let init = web_sys::ResponseInit::new();
    init.set_headers(&headers);
    let response =
        web_sys::Response::new_with_opt_u8_array_and_init(Some(&mut bytes), &init).ok()?;
    let promise = response.form_data().ok()?;
    let form_data = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
    let form_data: web_sys::FormData = form_data.dyn_into().ok()?;
    let fields = Field::ALL.iter().map(|f| f.wire_name());
    let gates = [HONEYPOT_FIELD, TURNSTILE_FIELD, CONSENT_FIELD];
    let names = fields.chain(gates).chain(attribution::NAMES);
    let mut pairs = Vec::new();
    for name in names {
        // A file upload under one of our names is not text: leave the field empty.
        if let Some(value) = form_data.get(name).as_string() {
            pairs.push((name.to_string(), value));
        }
    }
    Some(Posted::from_pairs(pairs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_are_matched_on_their_essence() {
        assert_eq!(
            encoding("application/x-www-form-urlencoded; charset=UTF-8"),
            Some("application/x-www-form-urlencoded")
        );
        assert_eq!(
            encoding("Multipart/Form-Data; boundary=x"),
            Some("multipart/form-data")
        );
        assert_eq!(encoding("application/json"), Some("application/json"));
        assert_eq!(encoding("text/plain"), None);
        assert_eq!(encoding(""), None);
    }

    #[test]
    fn urlencoded_plus_and_percent_are_decoded() {
        let form = Posted::from_pairs(urlencoded_pairs(
            b"firstName=Ann+Marie&email=ann%2Bjobs%40example.com&phoneNumber=%2B44+20",
        ))
        .form;
        assert_eq!(form.first_name, "Ann Marie");
        assert_eq!(form.email, "ann+jobs@example.com");
        assert_eq!(form.phone_number, "+44 20");
    }

    #[test]
    fn invalid_utf8_does_not_fail_the_form() {
        let form = Posted::from_pairs(urlencoded_pairs(b"firstName=%FF%FEAnn")).form;
        assert!(form.first_name.ends_with("Ann"));
    }

    #[test]
    fn json_takes_string_fields_only() {
        let form = parse_json(br#"{"firstName":"Ann","lastName":7,"email":"a@b.co"}"#)
            .unwrap()
            .form;
        assert_eq!(form.first_name, "Ann");
        assert_eq!(form.last_name, "");
        assert_eq!(parse_json(b"[1,2]"), Err(Answer::Unreadable));
        assert_eq!(parse_json(b"{"), Err(Answer::Unreadable));
    }

    #[test]
    fn the_gates_fields_are_read_beside_the_application() {
        let posted = Posted::from_pairs(urlencoded_pairs(
            b"firstName=Ann&website=http%3A%2F%2Fspam&cf-turnstile-response=tok&website=2",
        ));
        assert_eq!(posted.form.first_name, "Ann");
        assert_eq!(posted.honeypot, "http://spam");
        assert_eq!(posted.turnstile_token, "tok");
        let json = parse_json(br#"{"email":"a@b.co","cf-turnstile-response":"t2"}"#).unwrap();
        assert_eq!(json.turnstile_token, "t2");
        assert_eq!(json.honeypot, "");
    }

    #[test]
    fn consent_and_campaign_are_read_beside_the_application() {
        let posted = Posted::from_pairs(urlencoded_pairs(
            b"firstName=Ann&consent=yes&utm_source=ad&ref=x%40y.z&utm_campaign=spring",
        ));
        assert_eq!(posted.consent, "yes");
        assert_eq!(
            posted.attribution.iter().collect::<Vec<_>>(),
            [("utm_source", "ad"), ("utm_campaign", "spring")]
        );
        let json = parse_json(br#"{"consent":true,"utm_medium":"email"}"#).unwrap();
        assert_eq!(json.consent, "true");
        assert_eq!(json.attribution.iter().count(), 1);
        assert_eq!(parse_json(br#"{"consent":false}"#).unwrap().consent, "");
    }
}
