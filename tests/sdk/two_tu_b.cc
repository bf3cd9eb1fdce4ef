// The second translation unit of the two-unit link test.
#include <proxy_wasm/proxy_wasm.h>

class TwoTuRoot : public proxy_wasm::RootContext {
 public:
  using RootContext::RootContext;
  bool onStart(size_t) override;
};

bool TwoTuRoot::onStart(size_t) {
  proxy_wasm::logInfo("started from the second unit");
  return true;
}
