//! The smallest workers-rs 0.8.7 worker the bench can drive: GET -> 200 tiny HTML (for the
//! cold-start probe and the "form" path), POST -> 303 to a Hireflix URL (the "hit" path).
use worker::*;

const HTML: &str = "<!doctype html><title>min</title><p>min303</p>";
#[cfg(any(feature = "log2", feature = "log3"))]
#[wasm_bindgen::prelude::wasm_bindgen(inline_js = "export function log_line(s) { console.log(s); }\nexport function log_const() { console.log('{\"event\":\"application\",\"request_id\":\"r1d226e1631128\",\"position_id\":\"68b43e38b19cf131a17c543f\",\"candidate\":\"96b82d365386\",\"source\":\"form\",\"outcome\":\"kv_hit\",\"attempt\":1}'); }")]
extern "C" {
    fn log_line(s: &str);
    fn log_const();
}
#[cfg(any(feature = "log", feature = "log1", feature = "log2", feature = "log3", feature = "awaitlog"))]
const LINE: &str = r#"{"event":"application","request_id":"r1d226e1631128","position_id":"68b43e38b19cf131a17c543f","candidate":"96b82d365386","source":"form","outcome":"kv_hit","attempt":1}"#;
const LOCATION: &str = "https://app.hireflix.com/min303";

#[cfg(not(feature = "raw"))]
#[event(fetch)]
async fn fetch(req: Request, _env: Env, _ctx: Context) -> Result<Response> {
    if req.method() == Method::Post {
        #[cfg(feature = "log")]
        worker::console_log!("{}", LINE);
        #[cfg(feature = "await")]
        let _ = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(&wasm_bindgen::JsValue::NULL)).await;
        #[cfg(feature = "awaitlog")]
        web_sys::console::log_1(&wasm_bindgen::JsValue::from_str(LINE));
        #[cfg(feature = "log1")]
        web_sys::console::log_1(&wasm_bindgen::JsValue::from_str(LINE));
        #[cfg(feature = "log2")]
        log_line(LINE);
        #[cfg(feature = "log3")]
        log_const();
        let resp = Response::empty()?.with_status(303);
        resp.headers().set("location", LOCATION)?;
        Ok(resp)
    } else {
        let resp = Response::ok(HTML)?;
        resp.headers().set("content-type", "text/html; charset=utf-8")?;
        Ok(resp)
    }
}

#[cfg(feature = "raw")]
#[event(fetch)]
async fn fetch(req: web_sys::Request, _env: Env, _ctx: Context) -> Result<web_sys::Response> {
    let headers = web_sys::Headers::new()?;
    let init = web_sys::ResponseInit::new();
    if req.method() == "POST" {
        headers.set("location", LOCATION)?;
        init.set_status(303);
        init.set_headers(&headers);
        Ok(web_sys::Response::new_with_opt_str_and_init(None, &init)?)
    } else {
        headers.set("content-type", "text/html; charset=utf-8")?;
        init.set_headers(&headers);
        Ok(web_sys::Response::new_with_opt_str_and_init(Some(HTML), &init)?)
    }
}
