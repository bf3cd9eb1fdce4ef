// foreign_function: every second, calls the host's foreign function `compress` with
// "hello" and logs the size of its result, or why the host could not run it.
//
// Foreign functions are host extensions called by name (Envoy registers a few, e.g.
// `compress`/`uncompress` with zlib, `declare_property`); a host without one answers
// NotFound, and a function may fail with any status of its own.
#include <proxy_wasm/proxy_wasm.h>

namespace {

class CompressRoot : public proxy_wasm::RootContext {
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
    auto compressed = callForeignFunction("compress", "hello");
    if (!compressed) {
      proxy_wasm::logWarn("compress unavailable: ", compressed.status().name());
      return;
    }
    proxy_wasm::logInfo("compress: ", compressed->size(), " bytes");
  }
};

proxy_wasm::RegisterContextFactory<CompressRoot> registration{""};

}  // namespace
