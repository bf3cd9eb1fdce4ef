// The plugin of docs/testing.md (kept identical to the page; built and tested in CI).
#include <proxy_wasm/proxy_wasm.h>

class AddHeader : public proxy_wasm::HttpContext {
 public:
  using HttpContext::HttpContext;
  proxy_wasm::Action onRequestHeaders(uint32_t, bool) override {
    if (auto block = getRequestHeader("x-block")) {  // present
      if (auto s = sendLocalResponse(403, "blocked", {{"x-blocked-by", "add_header"}}); !s)
        proxy_wasm::logError("cannot send the local response: ", s);
      return proxy_wasm::Action::Pause;
    } else if (!block.ok()) {  // absent is fine; a failed lookup is worth a line
      proxy_wasm::logWarn("cannot read x-block: ", block.status());
    }
    if (auto s = addRequestHeader("x-checked", "yes"); !s) proxy_wasm::logWarn("cannot add x-checked: ", s);
    return proxy_wasm::Action::Continue;
  }
};

static proxy_wasm::RegisterContextFactory<proxy_wasm::RootContext, AddHeader> registration{"add_header"};
