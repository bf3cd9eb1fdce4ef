// hello_world: logs on VM start, ticks every second and logs the host's clock.
#include <proxy_wasm/proxy_wasm.h>

namespace {

class HelloRoot : public proxy_wasm::RootContext {
 public:
  using RootContext::RootContext;

  bool onStart(size_t) override {
    proxy_wasm::logInfo("Hello from the C++ SDK");
    return true;
  }

  bool onConfigure(size_t) override {
    if (auto s = setTickPeriod(1000); !s) {
      proxy_wasm::logError("cannot set the tick period: ", s);
      return false;
    }
    return true;
  }

  void onTick() override {
    auto now = proxy_wasm::getCurrentTimeNanoseconds();
    if (!now) {
      proxy_wasm::logWarn("cannot read the clock: ", now.status());
      return;
    }
    proxy_wasm::logInfo("It's ", *now);
  }
};

proxy_wasm::RegisterContextFactory<HelloRoot> registration{""};

}  // namespace
