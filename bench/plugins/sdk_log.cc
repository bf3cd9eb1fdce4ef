// Benchmark plugin (typed SDK), log twin: at the access log (onLog) reads three properties
// -- request.path, response.code (an 8-byte little-endian integer, as Envoy sends it) and
// upstream.address -- and counts the request in a counter defined once at configure.
// raw_log.cc does the same against the raw ABI.
#include <proxy_wasm/proxy_wasm.h>

namespace {

class LogRoot : public proxy_wasm::RootContext {
 public:
  using RootContext::RootContext;

  bool onConfigure(size_t) override {
    auto requests = proxy_wasm::Counter::define("bench_logged_requests");
    if (!requests) return false;
    requests_ = *requests;
    return true;
  }

  const proxy_wasm::Counter& requests() const { return requests_; }

 private:
  proxy_wasm::Counter requests_;
};

class LogHttp : public proxy_wasm::HttpContextFor<LogRoot> {
 public:
  using HttpContextFor::HttpContextFor;

  void onLog() override {
    // Constant paths in wire form, made at compile time (as the hand-written plugin's
    // string literals are).
    static constexpr auto kPath = proxy_wasm::propertyPath("request", "path");
    static constexpr auto kCode = proxy_wasm::propertyPath("response", "code");
    static constexpr auto kUpstream = proxy_wasm::propertyPath("upstream", "address");
    auto path = proxy_wasm::getPropertyString(kPath);
    auto code = proxy_wasm::getPropertyInt(kCode);
    auto upstream = proxy_wasm::getPropertyString(kUpstream);
    // Counted when all three are there: the path starts with '/', the code is a status.
    if (path && upstream && code && !path->empty() && path->data()[0] == '/' && *code >= 100 && !upstream->empty())
      (void)root().requests().increment();
  }
};

proxy_wasm::RegisterContextFactory<LogRoot, LogHttp> registration{"bench"};

}  // namespace
