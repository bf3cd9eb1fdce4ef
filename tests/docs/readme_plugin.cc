// The plugin of README.md (kept identical to the page; built and tested in CI).
#include <proxy_wasm/proxy_wasm.h>

#include <string>

class AddHeader : public proxy_wasm::HttpContext {
 public:
  using HttpContext::HttpContext;

  proxy_wasm::Action onRequestHeaders(uint32_t, bool) override {
    // A lookup is a Maybe: empty when the header is absent, !ok() when the host failed.
    if (auto path = getRequestHeader(":path"))
      path_ = path->str();  // request headers are gone once they continue: keep a copy
    else if (!path.ok())
      proxy_wasm::logWarn("cannot read :path: ", path.status());
    return proxy_wasm::Action::Continue;
  }

  proxy_wasm::Action onResponseHeaders(uint32_t, bool) override {
    if (auto s = addResponseHeader("x-seen-path", path_); !s)
      proxy_wasm::logWarn("cannot add x-seen-path: ", s);  // a Status prints its name
    return proxy_wasm::Action::Continue;
  }

 private:
  std::string path_ = "-";
};

static proxy_wasm::RegisterContextFactory<proxy_wasm::RootContext, AddHeader> registration{"add_header"};
