// docs/porting.md: the official C++ SDK's HTTP example, written with this SDK (kept
// identical to the page).
#include <proxy_wasm/proxy_wasm.h>

#include <string>

class ExampleRoot : public proxy_wasm::RootContext {
 public:
  using RootContext::RootContext;

  bool onConfigure(size_t) override {
    proxy_wasm::logTrace("onConfigure");
    if (auto s = setTickPeriod(1000); !s) proxy_wasm::logWarn("cannot set the tick: ", s);
    return true;
  }
  void onTick() override { proxy_wasm::logTrace("onTick"); }
};

class ExampleHttp : public proxy_wasm::HttpContextFor<ExampleRoot> {
 public:
  using HttpContextFor::HttpContextFor;

  proxy_wasm::Action onRequestHeaders(uint32_t, bool) override {
    logHeaders(getRequestHeaders());
    return proxy_wasm::Action::Continue;
  }

  proxy_wasm::Action onRequestBody(size_t, bool) override {
    if (auto body = getRequestBody()) proxy_wasm::logError("onRequestBody ", body->view());
    return proxy_wasm::Action::Continue;
  }

  proxy_wasm::Action onResponseHeaders(uint32_t, bool) override {
    logHeaders(getResponseHeaders());
    if (auto s = addResponseHeader("x-wasm-custom", "FOO"); !s) proxy_wasm::logWarn("add: ", s);
    if (auto s = replaceResponseHeader("content-type", "text/plain; charset=utf-8"); !s)
      proxy_wasm::logWarn("replace: ", s);
    if (auto s = removeResponseHeader("content-length"); !s) proxy_wasm::logWarn("remove: ", s);
    return proxy_wasm::Action::Continue;
  }

  proxy_wasm::Action onResponseBody(size_t, bool) override {
    // The first 12 bytes become "Hello, world" (Envoy: drop 12 bytes, then prepend).
    if (auto s = setBuffer(proxy_wasm::BufferType::HttpResponseBody, 0, 12, "Hello, world"); !s)
      proxy_wasm::logWarn("cannot rewrite the body: ", s);
    return proxy_wasm::Action::Continue;
  }

  bool onDone() override {
    proxy_wasm::logWarn("onDone ", id());
    return true;
  }
  void onLog() override { proxy_wasm::logWarn("onLog ", id()); }
  void onDelete() override { proxy_wasm::logWarn("onDelete ", id()); }

 private:
  static void logHeaders(const proxy_wasm::Result<proxy_wasm::HeaderMap>& headers) {
    if (!headers) return proxy_wasm::logWarn("cannot read the headers: ", headers.status());
    proxy_wasm::logInfo("headers: ", headers->size());
    for (auto [key, value] : *headers) proxy_wasm::logInfo(key, " -> ", value);
  }
};

static proxy_wasm::RegisterContextFactory<ExampleRoot, ExampleHttp> registration{"my_root_id"};
