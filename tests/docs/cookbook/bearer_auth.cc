// Cookbook: bearer-token auth checked by an HTTP callout.
#include <proxy_wasm/proxy_wasm.h>

#include <chrono>
#include <string>
#include <string_view>

namespace {

class BearerAuth : public proxy_wasm::HttpContext {
 public:
  using HttpContext::HttpContext;

  proxy_wasm::Action onRequestHeaders(uint32_t, bool) override {
    auto authorization = getRequestHeader("authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (!authorization || authorization->view().substr(0, kBearer.size()) != kBearer)
      return reply(401, "missing bearer token");
    auto call = httpCall(proxy_wasm::HttpRequest("auth")
                             .header(":method", "GET")
                             .header(":path", "/verify")
                             .header(":authority", "auth.internal")
                             .header("authorization", authorization->view())
                             .timeout(std::chrono::milliseconds(500)),
                         [this](const proxy_wasm::HttpCallResponse& response) { onVerdict(response); });
    if (!call) return reply(503, "auth unavailable");
    return proxy_wasm::Action::Pause;  // until the verdict
  }

 private:
  void onVerdict(const proxy_wasm::HttpCallResponse& response) {
    if (response.failed()) {
      (void)reply(503, "auth unavailable");
    } else if (response.status() != 200) {
      (void)reply(403, "invalid token");
    } else if (auto s = continueRequest(); !s) {
      proxy_wasm::logError("cannot resume the request: ", s);
    }
  }

  proxy_wasm::Action reply(uint32_t status, std::string_view body) {
    if (auto s = sendLocalResponse(status, body); !s) proxy_wasm::logError("cannot reply ", status, ": ", s);
    return proxy_wasm::Action::Pause;
  }
};

proxy_wasm::RegisterContextFactory<proxy_wasm::RootContext, BearerAuth> registration{"bearer_auth"};

}  // namespace
