//! The shared provider suite with Zhipu's wire facts: `/api/paas/v4` paths, `max_tokens`, no
//! `stream_options`, business-code error bodies, arrears (`1113`) as the quota error.

use std::sync::Arc;

use llm_router_core::{ErrorKind, SharedChat, SharedEmbedding};
use llm_router_openai_compat::chat_chunks;
use llm_router_testkit::conformance::{Conformance, WireScript};
use serde_json::json;

use crate::{KEY, client};

#[tokio::test]
async fn zhipu_passes_the_conformance_suite() {
    let auth = format!("Bearer {KEY}");
    let mut wire =
        WireScript::openai_dialect("/api/paas/v4", ("authorization", &auth), "max_tokens");
    if let Some(o) = wire.basic_stream_body.as_object_mut() {
        o.remove("stream_options");
    }
    wire.error_body = Arc::new(|status| match status {
        401 => json!({"error": {"code": "1000", "message": "身份验证失败。"}}),
        429 => {
            json!({"error": {"code": "1302", "message": "您当前使用该API的并发数过高，请降低并发，或联系客服增加限额。"}})
        }
        503 => {
            json!({"error": {"code": "1234", "message": "网络错误，错误id：20250729，请联系客服。"}})
        }
        _ => json!({"error": {"code": "500", "message": "Internal Error"}}),
    });
    wire.quota_status = 429;
    wire.quota_body =
        json!({"error": {"code": "1113", "message": "您的账户已欠费，请充值后重试。"}});
    wire.stream_error_first =
        "data: {\"error\":{\"code\":\"1302\",\"message\":\"您当前使用该API的并发数过高，请降低并发，或联系客服增加限额。\"}}\n\n".into();
    wire.stream_error_kind = ErrorKind::RateLimited;
    let suite = Conformance {
        chat: Arc::new(|base: &str| -> SharedChat { Arc::new(client(base)) }),
        embed: Some(Arc::new(|base: &str| -> SharedEmbedding {
            Arc::new(client(base))
        })),
        parser: Some(Arc::new(|bytes| {
            chat_chunks(Arc::new(llm_router_zhipu::dialect()), bytes)
        })),
        wire,
    };
    suite.run_all().await;
}
