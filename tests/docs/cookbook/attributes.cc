// Cookbook: reading Envoy attributes (typed properties) in onLog, for an access-log line.
#include <proxy_wasm/proxy_wasm.h>

#include <chrono>
#include <string>

namespace {

class AccessLine : public proxy_wasm::HttpContext {
 public:
  using HttpContext::HttpContext;

  void onLog() override {
    namespace attr = proxy_wasm::attributes;
    auto path = attr::requestPath();
    auto source = attr::sourceAddress();
    const int64_t code = attr::responseCode().value_or(0);
    // Any property, by path: a request header through the attribute tree.
    auto id = proxy_wasm::getPropertyString({"request", "headers", "x-request-id"});
    auto duration = attr::requestDuration();
    proxy_wasm::logInfo(source ? source->view() : "-", " ", path ? path->view() : "-", " ", code, " id=",
                        id ? id->view() : "-", " ms=",
                        duration ? std::chrono::duration_cast<std::chrono::milliseconds>(*duration).count() : -1);
  }
};

proxy_wasm::RegisterContextFactory<proxy_wasm::RootContext, AccessLine> registration{"access_line"};

}  // namespace
