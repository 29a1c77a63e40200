//! Fingerprints the static files the pages link to, so their URLs change when their content
//! does: `public/_headers` lets browsers keep them for a year without asking again, and a new
//! deployment is still picked up at once because its pages name new URLs.
//!
//! One version for all of them (the pages add `?v=ASSET_VERSION`): a change to one re-fetches
//! the others too, a few kilobytes, in exchange for a single constant. The query string keeps
//! the file names as they are, which is what Workers static assets, `wrangler dev` and
//! Miniflare all serve without a build step of their own (asset lookup ignores the query).

use sha2::{Digest, Sha256};

/// Every file in `public/` that a page links to with `?v=`.
const FINGERPRINTED: [&str; 2] = ["public/style.css", "public/apply.js"];

fn main() {
    let mut hasher = Sha256::new();
    for path in FINGERPRINTED {
        println!("cargo:rerun-if-changed={path}");
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
        hasher.update(path.as_bytes());
        hasher.update([0]);
        hasher.update(&bytes);
    }
    let version: String = hasher.finalize()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    println!("cargo:rustc-env=ASSET_VERSION={version}");
}
