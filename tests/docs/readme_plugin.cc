// The plugin of README.md (kept identical to the page; built and tested in CI).
#include <proxy_wasm/proxy_wasm.h>

#include <string>

class AddHeader : public proxy_wasm::HttpContext {
 public:
  using HttpContext::HttpContext;

  proxy_wasm::Action onRequestHeaders(uint32_t, bool) override {
    auto path = getRequestHeader(":path");  // Result<HostString>: NotFound when absent
    path_ = path ? path->str() : "-";       // request headers are gone once they continue
    return proxy_wasm::Action::Continue;
  }

  proxy_wasm::Action onResponseHeaders(uint32_t, bool) override {
    if (auto s = addResponseHeader("x-seen-path", path_); s != proxy_wasm::Status::Ok)
      proxy_wasm::logWarn("cannot add x-seen-path: ", s);
    return proxy_wasm::Action::Continue;
  }

 private:
  std::string path_;
};

static proxy_wasm::RegisterContextFactory<proxy_wasm::RootContext, AddHeader> registration{"add_header"};
