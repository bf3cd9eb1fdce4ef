// Benchmark plugin by hand against the raw ABI, body twin of sdk_body.cc: each request-body
// chunk is held (1 = StopIterationAndBuffer) until the one with end of stream; then the
// whole buffered body is read (proxy_get_buffer_bytes) and replaced by its ASCII upper case
// (proxy_set_buffer_bytes). It exports no header callbacks (a host skips absent
// exports; the SDK plugin has them all). Context bookkeeping as raw_plugin.cc (raw_common.h).
#include "raw_common.h"

extern "C" {

RAW_EXPORT(proxy_on_configure) uint32_t proxy_on_configure(uint32_t root, uint32_t) { return raw::isRoot(root) ? 1 : 0; }

RAW_EXPORT(proxy_on_request_body) uint32_t proxy_on_request_body(uint32_t id, uint32_t body_size, uint32_t end_of_stream) {
  if (!raw::isStream(id)) return 0;
  if (!end_of_stream) return 1;  // StopIterationAndBuffer
  char* body = nullptr;
  size_t size = 0;
  if (proxy_get_buffer_bytes(0 /* HttpRequestBody */, 0, body_size, &body, &size) != 0) return 0;
  for (size_t i = 0; i < size; ++i)
    if (body[i] >= 'a' && body[i] <= 'z') body[i] = char(body[i] - 'a' + 'A');
  proxy_set_buffer_bytes(0, 0, size, body, size);
  std::free(body);
  return 0;
}

}  // extern "C"
