// Unit B of the two-unit plugin: the HTTP context's callbacks.
#include <proxy_wasm/proxy_wasm.h>

#include "two_units.h"

proxy_wasm::Action TwoUnitsHttp::onRequestHeaders(uint32_t headers, bool) {
  proxy_wasm::logInfo("unit b: request with ", headers, " headers");
  return proxy_wasm::Action::Continue;
}
