// A minimal plugin proving the SDK package works from another project.
#include <proxy_wasm/proxy_wasm.h>

class Root : public proxy_wasm::RootContext {
 public:
  using RootContext::RootContext;
  bool onStart(size_t) override {
    proxy_wasm::logInfo("consumer started");
    return true;
  }
};
static proxy_wasm::RegisterContextFactory<Root> registration{""};
