// Benchmark plugin written by hand against the raw ABI (include/proxy_wasm/abi.h only, no
// SDK): the per-request work of sdk_plugin.cc with the bookkeeping a careful hand-written
// plugin needs and nothing more (raw_common.h). Per request: read `:path` and add
// `x-bench: 1` to the request; replace `server` on the response.
#include "raw_common.h"

extern "C" {

RAW_EXPORT(proxy_on_configure) uint32_t proxy_on_configure(uint32_t root, uint32_t) { return raw::isRoot(root) ? 1 : 0; }

RAW_EXPORT(proxy_on_request_headers) uint32_t proxy_on_request_headers(uint32_t id, uint32_t, uint32_t) {
  if (!raw::isStream(id)) return 0;
  char* value = nullptr;
  size_t size = 0;
  const uint32_t s = proxy_get_header_map_value(0 /* request headers */, ":path", 5, &value, &size);
  const bool add = s == 0 && size > 0 && value[0] == '/';
  std::free(value);
  if (add) proxy_add_header_map_value(0, "x-bench", 7, "1", 1);
  return 0;  // continue
}

RAW_EXPORT(proxy_on_response_headers) uint32_t proxy_on_response_headers(uint32_t id, uint32_t, uint32_t) {
  if (!raw::isStream(id)) return 0;
  proxy_replace_header_map_value(2 /* response headers */, "server", 6, "proxy-wasm-bench", 16);
  return 0;
}

RAW_EXPORT(proxy_on_done) uint32_t proxy_on_done(uint32_t) { return 1; }

}  // extern "C"
