//! Tests of code that needs the JS runtime (Request, streams, FormData), run in Node by
//! wasm-bindgen-test-runner: `cargo test --target wasm32-unknown-unknown --test wasm`.
#![cfg(target_arch = "wasm32")]

use hireflix_apply::body::{read_application, MAX_BODY_BYTES};
use hireflix_apply::Answer;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;
use worker::{Headers, Method, Request, RequestInit};

fn request(content_type: Option<&str>, body: JsValue) -> Request {
    let headers = Headers::new();
    if let Some(content_type) = content_type {
        headers.set("content-type", content_type).unwrap();
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(body));
    Request::new_with_init(
        "https://apply.example/apply/68b43e38b19cf131a17c543f",
        &init,
    )
    .unwrap()
}

#[wasm_bindgen_test]
async fn reads_a_urlencoded_form() {
    let mut req = request(
        Some("application/x-www-form-urlencoded"),
        "firstName=Zo%C3%AB&lastName=Lee&email=zoe%2Bjobs%40example.com&phoneNumber=%2B44+20+7946+0958".into(),
    );
    let form = read_application(&mut req).await.unwrap().form;
    assert_eq!(form.first_name, "Zoë");
    assert_eq!(form.email, "zoe+jobs@example.com");
    assert_eq!(form.phone_number, "+44 20 7946 0958");
}

#[wasm_bindgen_test]
async fn reads_a_multipart_form_through_the_runtime_parser() {
    let data = web_sys::FormData::new().unwrap();
    data.append_with_str("firstName", "Ann").unwrap();
    data.append_with_str("lastName", "O'Brien").unwrap();
    data.append_with_str("email", "ann@example.com").unwrap();
    data.append_with_str("website", "https://spam.example")
        .unwrap();
    // The runtime sets multipart/form-data with its boundary from a FormData body.
    let web_request = web_sys::Request::new_with_str_and_init("https://apply.example/x", &{
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        init.set_body(&data);
        init
    })
    .unwrap();
    let mut req = Request::from(web_request);
    let posted = read_application(&mut req).await.unwrap();
    assert_eq!(posted.honeypot, "https://spam.example");
    let form = posted.form;
    assert_eq!(form.first_name, "Ann");
    assert_eq!(form.last_name, "O'Brien");
    assert_eq!(form.email, "ann@example.com");
    assert_eq!(form.phone_number, "");
}

#[wasm_bindgen_test]
async fn reads_json_from_landing_pages() {
    let mut req = request(
        Some("application/json; charset=utf-8"),
        r#"{"firstName":"Ann","email":"a@b.co"}"#.into(),
    );
    let form = read_application(&mut req).await.unwrap().form;
    assert_eq!(form.first_name, "Ann");
    assert_eq!(form.email, "a@b.co");
}

#[wasm_bindgen_test]
async fn an_oversized_body_without_a_length_is_cut_off_while_reading() {
    let big = format!("firstName={}", "a".repeat(MAX_BODY_BYTES + 1));
    let mut req = request(Some("application/x-www-form-urlencoded"), big.into());
    assert_eq!(
        read_application(&mut req).await.unwrap_err(),
        Answer::TooLarge
    );
}

#[wasm_bindgen_test]
async fn other_content_types_are_unsupported() {
    let mut req = request(Some("text/plain"), "firstName=Ann".into());
    assert_eq!(
        read_application(&mut req).await.unwrap_err(),
        Answer::UnsupportedType
    );
    let mut req = request(None, "firstName=Ann".into());
    assert_eq!(
        read_application(&mut req).await.unwrap_err(),
        Answer::UnsupportedType
    );
}

#[wasm_bindgen_test]
async fn broken_json_is_unreadable_not_a_panic() {
    let mut req = request(Some("application/json"), "{\"firstName\":".into());
    assert_eq!(
        read_application(&mut req).await.unwrap_err(),
        Answer::Unreadable
    );
}
