//! The answers to the reads: an existing interview looked up by email, the account's positions.

use super::{envelope, HttpReply, InviteOutcome, LinkProblem, Transient, UrlSet};
use crate::hireflix::interview_url::{InterviewUrl, TrustedHosts};
use serde::Deserialize;
use serde_json::Value;

/// An interview found by email: its link, the names it was made for, and when it was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundInterview {
    pub url: InterviewUrl,
    pub first_name: String,
    pub last_name: String,
    /// Hireflix's `createdAt` (epoch ms); without it, the time in the id read as a MongoDB
    /// ObjectId (Hireflix's ids are, but nothing promises it). No time: not recent.
    pub created_ms: Option<u64>,
}

/// The creation time of a 24-hex ObjectId (its first four bytes, in seconds), in ms.
fn object_id_time_ms(id: &str) -> Option<u64> {
    if id.len() != 24 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let seconds = u64::from_str_radix(id.get(..8)?, 16).ok()?;
    Some(seconds.saturating_mul(1_000))
}

/// The newest interview of the email looked up, or `None` when Hireflix has none.
pub fn parse_found_interview(
    reply: Result<HttpReply, Transient>,
    trusted: &TrustedHosts,
) -> Result<Option<FoundInterview>, InviteOutcome> {
    let (transient, malformed) = (InviteOutcome::Transient, Transient::Malformed);
    let envelope = envelope(reply).map_err(transient)?;
    let list = envelope.field("position").map_err(transient)?;
    let list = list.pointer("/interviewList/results");
    let list = list.and_then(Value::as_array);
    let Some(first) = list.ok_or(transient(malformed))?.first() else {
        return Ok(None);
    };
    let urls = first.get("url").and_then(|u| UrlSet::deserialize(u).ok());
    let urls = urls.ok_or(InviteOutcome::InvitedWithoutLink(LinkProblem::NoLink))?;
    let name = |field: &str| first.get("candidate")?.get(field)?.as_str();
    let id_time = || object_id_time_ms(first.get("id")?.as_str()?);
    Ok(Some(FoundInterview {
        url: urls.interview_url(trusted)?,
        first_name: name("firstName").unwrap_or_default().to_string(),
        last_name: name("lastName").unwrap_or_default().to_string(),
        created_ms: first.get("createdAt").and_then(epoch_ms).or_else(id_time),
    }))
}

/// `createdAt` as epoch ms: a number, or a number in a string (no float parser for strings:
/// it would cost the wasm, for a form Hireflix does not send).
fn epoch_ms(value: &Value) -> Option<u64> {
    let ms = match value {
        Value::String(s) => s.trim().parse::<u64>().ok()?,
        // f64 -> u64 saturates: a nonsense time is never recent.
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite() && *f > 0.0)
                .map(|f| f as u64)
        })?,
        _ => return None,
    };
    (ms > 0).then_some(ms)
}

#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
pub struct Position {
    pub id: String,
    pub name: String,
    /// Epoch milliseconds when archived; an archived position takes no applications.
    pub archived: Option<f64>,
    /// The description's start, in one line: the KV copy stays small, and the form's first
    /// field on a phone's first screen.
    #[serde(rename = "description")]
    pub about: Option<String>,
}

/// The first line or sentence as plain text (markup dropped, blanks collapsed), cut short.
fn one_line(text: &str) -> Option<String> {
    const ABOUT_CHARS: usize = 160;
    let (mut line, mut in_tag) = (String::new(), false);
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if in_tag => {}
            '\n' if !line.trim().is_empty() => break,
            c if c.is_whitespace() => {
                if !line.ends_with(' ') && !line.is_empty() {
                    line.push(' ');
                }
                if line.ends_with(". ") {
                    break;
                }
            }
            c => line.push(c),
        }
    }
    let mut line: String = line.trim_end().chars().take(ABOUT_CHARS).collect();
    if line.chars().count() == ABOUT_CHARS {
        line.pop();
        line.push('\u{2026}');
    }
    (!line.is_empty()).then_some(line)
}

impl Position {
    pub fn is_open(&self) -> bool {
        self.archived.is_none()
    }
}

pub fn parse_positions(reply: Result<HttpReply, Transient>) -> Result<Vec<Position>, Transient> {
    let envelope = envelope(reply)?;
    let list = envelope.field("positions")?.as_array();
    let list = list.ok_or(Transient::Malformed)?;
    // One odd entry should not hide every other position.
    Ok(list
        .iter()
        .filter_map(|p| Position::deserialize(p).ok())
        .map(|mut p| {
            p.about = p.about.as_deref().and_then(one_line);
            p
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::hireflix::outcome::tests::answered_200 as ok;

    #[test]
    fn found_interview_or_none() {
        let trusted = TrustedHosts::hireflix_only();
        let found = ok(
            json!({ "data": { "position": { "interviewList": { "results": [{
            "id": "68d4164f19367e041b2030c0",
            "url": { "public": "https://app.hireflix.com/x", "short": "https://hflx.io/c/x" },
            "candidate": { "firstName": "Ann", "lastName": "Lee" }
        }] } } } }),
        );
        let found = parse_found_interview(found, &trusted).unwrap().unwrap();
        assert_eq!(found.url.as_str(), "https://app.hireflix.com/x");
        assert_eq!(
            (found.first_name.as_str(), found.last_name.as_str()),
            ("Ann", "Lee")
        );
        // No createdAt: 0x68d4164f seconds, 2025-09-24T16:03:27Z, from the id.
        assert_eq!(found.created_ms, Some(1_758_729_807_000));
        let dated = ok(
            json!({ "data": { "position": { "interviewList": { "results": [{
            "id": "68d4164f19367e041b2030c0", "createdAt": 1_764_000_000_123u64,
            "url": { "public": "https://app.hireflix.com/x" }, "candidate": {}
        }] } } } }),
        );
        let dated = parse_found_interview(dated, &trusted).unwrap().unwrap();
        assert_eq!(dated.created_ms, Some(1_764_000_000_123), "createdAt first");
        let none = ok(json!({ "data": { "position": { "interviewList": { "results": [] } } } }));
        assert_eq!(parse_found_interview(none, &trusted), Ok(None));
        let missing = ok(json!({ "data": { "position": null } }));
        assert!(parse_found_interview(missing, &trusted).is_err());
    }

    #[test]
    fn created_at_is_a_positive_epoch_ms_number_or_numeric_string() {
        assert_eq!(
            epoch_ms(&json!(1_764_000_000_123u64)),
            Some(1_764_000_000_123)
        );
        assert_eq!(epoch_ms(&json!(1.764e12)), Some(1_764_000_000_000));
        assert_eq!(epoch_ms(&json!("1764000000123")), Some(1_764_000_000_123));
        for bad in [
            json!(null),
            json!(-5),
            json!(0),
            json!("2025-09-24T16:03:27Z"),
            json!({}),
        ] {
            assert_eq!(epoch_ms(&bad), None, "{bad}");
        }
    }

    #[test]
    fn only_an_object_id_gives_a_time() {
        assert_eq!(object_id_time_ms("000000010000000000000000"), Some(1_000));
        for other in [
            "1",
            "68d4164f19367e041b2030c",
            "zzd4164f19367e041b2030c0",
            "",
        ] {
            assert_eq!(object_id_time_ms(other), None, "{other}");
        }
    }

    #[test]
    fn positions_parse_and_archived_ones_are_closed() {
        let reply = ok(json!({ "data": { "positions": [
            { "id": "a", "name": "Open", "archived": null },
            { "id": "b", "name": "Closed", "archived": 1700000000000u64 },
            { "name": "broken" }
        ] } }));
        let positions = parse_positions(reply).unwrap();
        assert_eq!(positions.len(), 2);
        assert!(positions[0].is_open());
        assert!(!positions[1].is_open());
    }

    #[test]
    fn the_description_becomes_one_short_line() {
        let about = |description: serde_json::Value| {
            let reply = ok(json!({ "data": { "positions": [
                { "id": "a", "name": "Open", "description": description }
            ] } }));
            parse_positions(reply).unwrap().remove(0).about
        };
        assert_eq!(
            about(json!(
                "<p>Build our <b>Rust</b>\tservices. Remote.</p><p>More</p>"
            )),
            Some("Build our Rust services.".into())
        );
        assert_eq!(
            about(json!("\n Fix things\nand more")),
            Some("Fix things".into())
        );
        assert_eq!(about(json!(null)), None);
        assert_eq!(about(json!("<p></p>")), None);
        let long = about(json!("x".repeat(500))).unwrap();
        assert_eq!(long.chars().count(), 160);
        assert!(long.ends_with('\u{2026}'));
    }
}
