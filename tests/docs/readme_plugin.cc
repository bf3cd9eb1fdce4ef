// The plugin of README.md (kept identical to the page; built natively and as .wasm in CI).
#include <proxy_wasm/proxy_wasm.h>

class AddHeader : public proxy_wasm::HttpContext {
 public:
  using HttpContext::HttpContext;

  proxy_wasm::Action onResponseHeaders(uint32_t, bool) override {
    auto path = getRequestHeader(":path");  // Result<HostString>: NotFound when absent
    if (auto s = addResponseHeader("x-seen-path", path ? path->view() : "-"); s != proxy_wasm::Status::Ok)
      proxy_wasm::logWarn("cannot add x-seen-path: ", s);
    return proxy_wasm::Action::Continue;
  }
};

static proxy_wasm::RegisterContextFactory<proxy_wasm::RootContext, AddHeader> registration{"add_header"};
