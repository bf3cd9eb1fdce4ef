// Cookbook: rewriting a response body (buffer it whole, then replace it).
#include <proxy_wasm/proxy_wasm.h>

#include <string>

namespace {

class BodyRewrite : public proxy_wasm::HttpContext {
 public:
  using HttpContext::HttpContext;

  proxy_wasm::Action onResponseHeaders(uint32_t, bool) override {
    // The length changes: drop it (the proxy re-frames the body).
    if (auto s = removeResponseHeader("content-length"); !s) proxy_wasm::logWarn("cannot drop content-length: ", s);
    return proxy_wasm::Action::Continue;
  }

  proxy_wasm::Action onResponseBody(size_t, bool end_of_stream) override {
    if (!end_of_stream) return proxy_wasm::Action::Pause;  // buffer: the next call sees it all
    auto body = getResponseBody();
    if (!body) {
      proxy_wasm::logWarn("cannot read the body: ", body.status());
      return proxy_wasm::Action::Continue;
    }
    std::string text = body->str();
    for (size_t at = text.find("secret"); at != std::string::npos; at = text.find("secret", at + 6))
      text.replace(at, 6, "******");
    if (auto s = replaceResponseBody(text); !s) proxy_wasm::logWarn("cannot rewrite the body: ", s);
    return proxy_wasm::Action::Continue;
  }
};

proxy_wasm::RegisterContextFactory<proxy_wasm::RootContext, BodyRewrite> registration{"body_rewrite"};

}  // namespace
