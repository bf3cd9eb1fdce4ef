// Benchmark plugin written against the typed SDK. Per request: read `:path` and add
// `x-bench: 1` to the request; replace `server` on the response. raw_plugin.cc does the
// same work against the raw ABI; bench/ compares the two.
//
// Built a second time with BENCH_LOG_DEBUG as sdk_logdebug: the same plugin with a
// logDebug line (a formatted argument) in each of its callbacks, while the host's level is
// info, so the line is filtered out: what a filtered log line costs.
#include <proxy_wasm/proxy_wasm.h>

namespace {

class BenchRoot : public proxy_wasm::RootContext {
 public:
  using RootContext::RootContext;
};

class BenchHttp : public proxy_wasm::HttpContextFor<BenchRoot> {
 public:
  using HttpContextFor::HttpContextFor;

  proxy_wasm::Action onRequestHeaders(uint32_t, bool) override {
    auto path = getRequestHeader(":path");
#ifdef BENCH_LOG_DEBUG
    proxy_wasm::logDebug("request headers of stream ", id());
#endif
    if (path && !path->empty() && path->data()[0] == '/') (void)addRequestHeader("x-bench", "1");
    return proxy_wasm::Action::Continue;
  }

  proxy_wasm::Action onResponseHeaders(uint32_t, bool) override {
#ifdef BENCH_LOG_DEBUG
    proxy_wasm::logDebug("response headers of stream ", id());
#endif
    (void)replaceResponseHeader("server", "proxy-wasm-bench");
    return proxy_wasm::Action::Continue;
  }
};

proxy_wasm::RegisterContextFactory<BenchRoot, BenchHttp> registration{"bench"};

}  // namespace
