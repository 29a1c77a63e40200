//! The account's positions.

use super::reply::envelope;
use super::{HttpReply, Transient, TransportError};
use serde::Deserialize;

/// A position as Hireflix lists it.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
pub struct Position {
    pub id: String,
    pub name: String,
    /// Epoch milliseconds when archived; an archived position takes no applications.
    #[serde(default)]
    pub archived: Option<f64>,
}

impl Position {
    pub fn is_open(&self) -> bool {
        self.archived.is_none()
    }
}

pub fn parse_positions(
    reply: Result<HttpReply, TransportError>,
) -> Result<Vec<Position>, Transient> {
    let envelope = envelope(reply)?;
    let list = envelope
        .field("positions")?
        .as_array()
        .ok_or(Transient::Malformed)?;
    // One odd entry should not hide every other position.
    Ok(list
        .iter()
        .filter_map(|p| Position::deserialize(p).ok())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::hireflix::outcome::answered_200 as ok;

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
}
