//! A Hireflix position id: 24 lower-case hex digits (a MongoDB object id). Checked up front, a
//! mistyped URL is a 404 without a Hireflix call, and an id is safe in a KV key or a log line.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PositionId(String);

impl PositionId {
    pub fn parse(raw: &str) -> Option<PositionId> {
        let raw = raw.trim();
        (raw.len() == 24 && raw.chars().all(|c| c.is_ascii_hexdigit()))
            .then(|| PositionId(raw.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PositionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_object_ids_only() {
        assert_eq!(
            PositionId::parse("68B43E38B19CF131A17C543F")
                .unwrap()
                .as_str(),
            "68b43e38b19cf131a17c543f"
        );
        for bad in [
            "",
            "68b43e38b19cf131a17c543",
            "68b43e38b19cf131a17c543fa",
            "zzb43e38b19cf131a17c543f",
            "../../etc/passwd",
        ] {
            assert!(PositionId::parse(bad).is_none(), "{bad:?}");
        }
    }
}
