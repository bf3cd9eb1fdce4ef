// dispatch_on_tick: every second, the root context calls cluster `backend` (GET /tick)
// and logs the status of the response, or that the call failed.
//
// Callouts need no stream: a root context can make them from its tick, and the response
// comes back to it later, in a callback of its own.
#include <proxy_wasm/proxy_wasm.h>

#include <chrono>

namespace {

class TickRoot : public proxy_wasm::RootContext {
 public:
  using RootContext::RootContext;

  bool onConfigure(size_t) override {
    if (auto s = setTickPeriod(1000); !s) {
      proxy_wasm::logError("cannot set the tick period: ", s);
      return false;
    }
    return true;
  }

  void onTick() override {
    auto token = httpCall(proxy_wasm::HttpRequest("backend")
                              .header(":method", "GET")
                              .header(":path", "/tick")
                              .header(":authority", "backend")
                              .timeout(std::chrono::milliseconds(500)),
                          [](const proxy_wasm::HttpCallResponse& response) {
                            if (response.failed()) {
                              proxy_wasm::logWarn("tick callout failed");
                              return;
                            }
                            proxy_wasm::logInfo("tick callout status: ", response.status());
                          });
    // Not dispatched at all (e.g. BadArgument: no cluster `backend`): the callback never runs.
    if (!token) proxy_wasm::logWarn("tick callout not dispatched: ", token.status());
  }
};

proxy_wasm::RegisterContextFactory<TickRoot> registration{""};

}  // namespace
