//! The account's positions.

use super::{envelope, HttpReply, Transient};
use serde::Deserialize;

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
