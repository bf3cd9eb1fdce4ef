// Must not build: onRequestHeaders with the wrong parameters hides the SDK's callback, which
// would then never run (-Werror=overloaded-virtual from proxy_wasm_add_plugin).
#include <proxy_wasm/proxy_wasm.h>

class Hidden : public proxy_wasm::HttpContext {
 public:
  using HttpContext::HttpContext;
  proxy_wasm::Action onRequestHeaders(uint32_t headers) { return headers ? proxy_wasm::Action::Pause : proxy_wasm::Action::Continue; }
};

static proxy_wasm::RegisterContextFactory<proxy_wasm::RootContext, Hidden> registration{"hidden"};
