//! The worker's side of the dead letters the ledger keeps (see `object`): the dead-letter
//! consumer files them, the operator's admin API lists and removes them. Needs only the
//! binding, so it works while the rest of the configuration is broken.

use super::protocol::{is_done, Call, Letter, Letters};
use crate::config::names;
use wasm_bindgen::JsValue;
use worker::{Env, Method, Request, RequestInit, Stub};

pub struct LetterBox {
    stub: Stub,
}

impl LetterBox {
    /// `None` when the `INVITE_LEDGER` binding is missing: letters then go to KV.
    pub fn connect(env: &Env) -> Option<LetterBox> {
        let namespace = env.durable_object(names::INVITE_LEDGER).ok()?;
        let stub = namespace
            .id_from_name(super::client::OBJECT_NAME)
            .ok()?
            .get_stub()
            .ok()?;
        Some(LetterBox { stub })
    }

    /// `true` once the ledger has stored it.
    pub async fn file(&self, id: &str, text: &str, expires_ms: u64) -> bool {
        let call = Call::File(Letter {
            id: id.to_string(),
            text: text.to_string(),
            expires_ms,
        });
        self.call(&call).await.and_then(|t| is_done(&t)).is_some()
    }

    /// Every letter not yet expired, as (id, JSON text); `None` when the ledger did not answer.
    pub async fn list(&self) -> Option<Vec<(String, String)>> {
        let text = self.call(&Call::Letters).await?;
        let Letters(letters) = Letters::from_json(&text)?;
        Some(letters.into_iter().map(|l| (l.id, l.text)).collect())
    }

    pub async fn remove(&self, id: &str) -> bool {
        let call = Call::Unfile { id: id.to_string() };
        self.call(&call).await.and_then(|t| is_done(&t)).is_some()
    }

    async fn call(&self, call: &Call) -> Option<String> {
        let mut init = RequestInit::new();
        init.with_method(Method::Post)
            .with_body(Some(JsValue::from_str(&call.to_json())));
        let request = Request::new_with_init("https://invite-ledger/letters", &init).ok()?;
        let mut response = self.stub.fetch_with_request(request).await.ok()?;
        if response.status_code() != 200 {
            return None;
        }
        response.text().await.ok()
    }
}
