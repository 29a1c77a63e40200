//! Prints every GraphQL document the worker sends, as JSON, for `scripts/check-hireflix`:
//! `cargo run --quiet --example graphql-documents`.

fn main() {
    let documents: Vec<serde_json::Value> = hireflix_apply::graphql_documents()
        .into_iter()
        .map(|d| {
            serde_json::json!({
                "name": d.name,
                "query": d.query,
                "readOnly": d.read_only,
                "optional": d.optional,
            })
        })
        .collect();
    println!("{}", serde_json::Value::from(documents));
}
