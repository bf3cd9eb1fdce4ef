// Benchmark plugin by hand against the raw ABI, log twin of sdk_log.cc: at the access log
// (proxy_on_log) reads request.path, response.code (8 bytes, little-endian) and
// upstream.address with proxy_get_property (path segments joined by NUL bytes) and
// increments a counter defined once at configure (proxy_define_metric). It exports no
// header callbacks (a host skips absent exports). Context bookkeeping: raw_common.h.
#include "raw_common.h"

namespace {

uint32_t g_requests_metric = 0;
bool g_metric_defined = false;

// The property at `path` (wire form), malloc'ed by the host; the caller frees *value.
bool property(const char* path, size_t path_size, char** value, size_t* size) {
  *value = nullptr;
  *size = 0;
  return proxy_get_property(path, path_size, value, size) == 0;
}

}  // namespace

extern "C" {

RAW_EXPORT(proxy_on_configure) uint32_t proxy_on_configure(uint32_t root, uint32_t) {
  if (!raw::isRoot(root)) return 0;
  static const char kName[] = "bench_logged_requests";
  g_metric_defined = proxy_define_metric(0 /* counter */, kName, sizeof kName - 1, &g_requests_metric) == 0;
  return g_metric_defined ? 1 : 0;
}

RAW_EXPORT(proxy_on_log) void proxy_on_log(uint32_t id) {
  if (!raw::isStream(id)) return;
  char *path = nullptr, *code = nullptr, *upstream = nullptr;
  size_t path_size = 0, code_size = 0, upstream_size = 0;
  const bool ok_path = property("request\0path", 12, &path, &path_size);
  const bool ok_code = property("response\0code", 13, &code, &code_size);
  const bool ok_upstream = property("upstream\0address", 16, &upstream, &upstream_size);
  int64_t status = 0;
  if (ok_code && code_size == 8) std::memcpy(&status, code, 8);  // wasm is little-endian
  if (ok_path && ok_upstream && ok_code && code_size == 8 && path_size > 0 && path[0] == '/' && status >= 100 &&
      upstream_size > 0 && g_metric_defined)
    proxy_increment_metric(g_requests_metric, 1);
  std::free(path);
  std::free(code);
  std::free(upstream);
}

}  // extern "C"
