// Must not build: an SDK callback without `override` (-Werror=suggest-override from
// proxy_wasm_add_plugin): with `override` required, a misspelt name cannot compile silently.
#include <proxy_wasm/proxy_wasm.h>

class NoOverride : public proxy_wasm::HttpContext {
 public:
  using HttpContext::HttpContext;
  proxy_wasm::Action onRequestHeaders(uint32_t, bool) { return proxy_wasm::Action::Continue; }
};

static proxy_wasm::RegisterContextFactory<proxy_wasm::RootContext, NoOverride> registration{"no_override"};
