// The plugin of docs/testing.md (kept identical to the page; built and tested in CI).
#include <proxy_wasm/proxy_wasm.h>

class AddHeader : public proxy_wasm::HttpContext {
 public:
  using HttpContext::HttpContext;
  proxy_wasm::Action onRequestHeaders(uint32_t, bool) override {
    if (getRequestHeader("x-block")) {
      if (sendLocalResponse(403, "blocked", {{"x-blocked-by", "add_header"}}) != proxy_wasm::Status::Ok)
        proxy_wasm::logError("cannot send the local response");
      return proxy_wasm::Action::Pause;
    }
    if (addRequestHeader("x-checked", "yes") != proxy_wasm::Status::Ok)
      proxy_wasm::logWarn("cannot add x-checked");
    return proxy_wasm::Action::Continue;
  }
};

static proxy_wasm::RegisterContextFactory<proxy_wasm::RootContext, AddHeader> registration{"add_header"};
