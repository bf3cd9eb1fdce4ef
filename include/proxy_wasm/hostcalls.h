// Typed wrappers over every raw host function: status in, Result/Status out, no raw
// pointers out. Context classes build on these; plugins may call them directly.
#pragma once

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>

#include "proxy_wasm/abi.h"
#include "proxy_wasm/buffer.h"
#include "proxy_wasm/config.h"
#include "proxy_wasm/pairs.h"
#include "proxy_wasm/status.h"

namespace proxy_wasm {

// Read "everything" from a buffer: hosts clamp the range to what is there.
inline constexpr size_t kWholeBuffer = 0xFFFFFFFFu;

namespace detail {
inline Status toStatus(uint32_t raw) { return static_cast<Status>(raw); }
inline Result<HostBuffer> toBuffer(uint32_t raw, char* data, size_t size) {
  HostBuffer owned(data, size);  // owned before anything else can go wrong
  if (raw != 0) return toStatus(raw);
  return owned;
}
}  // namespace detail

// ---- Logging, time, context --------------------------------------------------------------

// Sends `message` to the host log at `level`. See log.h for filtered, formatted logging.
inline Status logMessage(LogLevel level, std::string_view message) {
  return detail::toStatus(proxy_log(static_cast<uint32_t>(level), message.data(), message.size()));
}

// The host's current log level, uncached. Prefer `proxy_wasm::logLevel()` (log.h).
PROXY_WASM_NODISCARD inline Result<LogLevel> getLogLevelFromHost() {
  uint32_t level = 0;
  const uint32_t s = proxy_get_log_level(&level);
  if (s != 0) return detail::toStatus(s);
  return static_cast<LogLevel>(level > 6 ? 6 : level);
}

// Wall-clock time from the host, nanoseconds since the Unix epoch.
PROXY_WASM_NODISCARD inline Result<uint64_t> getCurrentTimeNanoseconds() {
  uint64_t ns = 0;
  const uint32_t s = proxy_get_current_time_nanoseconds(&ns);
  if (s != 0) return detail::toStatus(s);
  return ns;
}

// Sets the tick period of the effective context's root; 0 stops ticking.
PROXY_WASM_NODISCARD inline Status setTickPeriodMilliseconds(uint32_t period_ms) {
  return detail::toStatus(proxy_set_tick_period_milliseconds(period_ms));
}

// Tells the host a root context that returned false from onDone() has finished.
// NotFound when nothing was pending.
PROXY_WASM_NODISCARD inline Status done() { return detail::toStatus(proxy_done()); }

// Later host calls in this callback act on context `id`. BadArgument for an unknown id.
PROXY_WASM_NODISCARD inline Status setEffectiveContext(uint32_t id) {
  return detail::toStatus(proxy_set_effective_context(id));
}

// Calls a host-registered foreign function. NotFound when the host has none by that name.
PROXY_WASM_NODISCARD inline Result<HostBuffer> callForeignFunction(std::string_view name, std::string_view args) {
  char* data = nullptr;
  size_t size = 0;
  const uint32_t s = proxy_call_foreign_function(name.data(), name.size(), args.data(), args.size(), &data, &size);
  return detail::toBuffer(s, data, size);
}

// ---- Buffers -----------------------------------------------------------------------------

// Bytes [start, start+max) of a buffer, clamped by the host to what exists.
PROXY_WASM_NODISCARD inline Result<HostBuffer> getBufferBytes(BufferType type, size_t start = 0,
                                                              size_t max_size = kWholeBuffer) {
  char* data = nullptr;
  size_t size = 0;
  const uint32_t s = proxy_get_buffer_bytes(static_cast<uint32_t>(type), start, max_size, &data, &size);
  return detail::toBuffer(s, data, size);
}

// Replaces `length` bytes at `start` with `data`. Envoy supports start 0 (drop `length`
// bytes, then prepend: (0, 0) prepends, (0, size) replaces) and start >= size (append);
// anything in between is BadArgument.
PROXY_WASM_NODISCARD inline Status setBufferBytes(BufferType type, size_t start, size_t length,
                                                  std::string_view data) {
  return detail::toStatus(
      proxy_set_buffer_bytes(static_cast<uint32_t>(type), start, length, data.data(), data.size()));
}

struct BufferStatus {
  size_t size = 0;
  uint32_t flags = 0;  // Always 0 on current hosts.
};

PROXY_WASM_NODISCARD inline Result<BufferStatus> getBufferStatus(BufferType type) {
  BufferStatus st;
  const uint32_t s = proxy_get_buffer_status(static_cast<uint32_t>(type), &st.size, &st.flags);
  if (s != 0) return detail::toStatus(s);
  return st;
}

// ---- Header maps -------------------------------------------------------------------------

// Envoy reports the map's byte size (keys plus values), not its serialized size.
PROXY_WASM_NODISCARD inline Result<size_t> getHeaderMapSize(MapType type) {
  size_t size = 0;
  const uint32_t s = proxy_get_header_map_size(static_cast<uint32_t>(type), &size);
  if (s != 0) return detail::toStatus(s);
  return size;
}

// Every pair of a map. A malformed map from the host is ParseFailure, never a crash.
PROXY_WASM_NODISCARD inline Result<HeaderMap> getHeaderMapPairs(MapType type) {
  char* data = nullptr;
  size_t size = 0;
  const uint32_t s = proxy_get_header_map_pairs(static_cast<uint32_t>(type), &data, &size);
  HostBuffer bytes(data, size);
  if (s != 0) return detail::toStatus(s);
  auto view = PairsView::parse(bytes.view());
  if (!view) return Status::ParseFailure;
  return HeaderMap(std::move(bytes), *view);
}

// Replaces the whole map with serialized `pairs` (see serializePairs()).
PROXY_WASM_NODISCARD inline Status setHeaderMapPairsSerialized(MapType type, std::string_view serialized) {
  return detail::toStatus(
      proxy_set_header_map_pairs(static_cast<uint32_t>(type), serialized.data(), serialized.size()));
}

template <class Range>
PROXY_WASM_NODISCARD Status setHeaderMapPairs(MapType type, const Range& pairs) {
  return setHeaderMapPairsSerialized(type, serializePairs(pairs));
}
PROXY_WASM_NODISCARD inline Status setHeaderMapPairs(MapType type, std::initializer_list<HeaderPair> pairs) {
  return setHeaderMapPairsSerialized(type, serializePairs(pairs));
}

// The first value of `key`. NotFound when absent.
PROXY_WASM_NODISCARD inline Result<HostString> getHeaderMapValue(MapType type, std::string_view key) {
  char* data = nullptr;
  size_t size = 0;
  const uint32_t s = proxy_get_header_map_value(static_cast<uint32_t>(type), key.data(), key.size(), &data, &size);
  return detail::toBuffer(s, data, size);
}

// Appends a value (duplicates allowed).
PROXY_WASM_NODISCARD inline Status addHeaderMapValue(MapType type, std::string_view key, std::string_view value) {
  return detail::toStatus(proxy_add_header_map_value(static_cast<uint32_t>(type), key.data(), key.size(),
                                                     value.data(), value.size()));
}

// Sets the value, replacing every existing one, or adds it when absent.
PROXY_WASM_NODISCARD inline Status replaceHeaderMapValue(MapType type, std::string_view key,
                                                         std::string_view value) {
  return detail::toStatus(proxy_replace_header_map_value(static_cast<uint32_t>(type), key.data(), key.size(),
                                                         value.data(), value.size()));
}

// Removes every value of `key`; Ok when it was absent.
PROXY_WASM_NODISCARD inline Status removeHeaderMapValue(MapType type, std::string_view key) {
  return detail::toStatus(proxy_remove_header_map_value(static_cast<uint32_t>(type), key.data(), key.size()));
}

// ---- Stream control ----------------------------------------------------------------------

// Resumes a paused stream once the current callback returns. Envoy: Upstream is Unimplemented.
PROXY_WASM_NODISCARD inline Status continueStream(StreamType type) {
  return detail::toStatus(proxy_continue_stream(static_cast<uint32_t>(type)));
}

// Resets the HTTP stream / closes the connection once the current callback returns.
PROXY_WASM_NODISCARD inline Status closeStream(StreamType type) {
  return detail::toStatus(proxy_close_stream(static_cast<uint32_t>(type)));
}

// Sends an HTTP response from the proxy instead of the upstream's. `headers` are
// serialized pairs added to the generated response; `details` shows in access logs.
PROXY_WASM_NODISCARD inline Status sendLocalResponseSerialized(uint32_t status_code, std::string_view body,
                                                               std::string_view serialized_headers,
                                                               std::string_view details, GrpcStatus grpc_status) {
  return detail::toStatus(proxy_send_local_response(status_code, details.data(), details.size(), body.data(),
                                                    body.size(), serialized_headers.data(), serialized_headers.size(),
                                                    static_cast<uint32_t>(grpc_status)));
}

PROXY_WASM_NODISCARD inline Status sendLocalResponse(uint32_t status_code, std::string_view body,
                                                     std::initializer_list<HeaderPair> headers = {},
                                                     std::string_view details = {},
                                                     GrpcStatus grpc_status = GrpcStatus::None) {
  if (headers.size() == 0) return sendLocalResponseSerialized(status_code, body, {}, details, grpc_status);
  return sendLocalResponseSerialized(status_code, body, serializePairs(headers), details, grpc_status);
}

// The status of the last callout of the current root (code and message).
struct CallStatus {
  uint32_t code = 0;
  HostString message;
};

PROXY_WASM_NODISCARD inline Result<CallStatus> getStatus() {
  CallStatus st;
  char* data = nullptr;
  size_t size = 0;
  const uint32_t s = proxy_get_status(&st.code, &data, &size);
  st.message = HostString(data, size);
  if (s != 0) return detail::toStatus(s);
  return st;
}

// ---- Callouts (raw forms; see http_call.h and grpc.h for the callback API) ---------------

PROXY_WASM_NODISCARD inline Result<uint32_t> httpCallSerialized(std::string_view upstream,
                                                                std::string_view serialized_headers,
                                                                std::string_view body,
                                                                std::string_view serialized_trailers,
                                                                uint32_t timeout_ms) {
  uint32_t token = 0;
  const uint32_t s = proxy_http_call(upstream.data(), upstream.size(), serialized_headers.data(),
                                     serialized_headers.size(), body.data(), body.size(), serialized_trailers.data(),
                                     serialized_trailers.size(), timeout_ms, &token);
  if (s != 0) return detail::toStatus(s);
  return token;
}

PROXY_WASM_NODISCARD inline Result<uint32_t> grpcCallSerialized(std::string_view upstream, std::string_view service,
                                                                std::string_view method,
                                                                std::string_view serialized_metadata,
                                                                std::string_view message, uint32_t timeout_ms) {
  uint32_t token = 0;
  const uint32_t s = proxy_grpc_call(upstream.data(), upstream.size(), service.data(), service.size(), method.data(),
                                     method.size(), serialized_metadata.data(), serialized_metadata.size(),
                                     message.data(), message.size(), timeout_ms, &token);
  if (s != 0) return detail::toStatus(s);
  return token;
}

PROXY_WASM_NODISCARD inline Result<uint32_t> grpcStreamSerialized(std::string_view upstream,
                                                                  std::string_view service, std::string_view method,
                                                                  std::string_view serialized_metadata) {
  uint32_t token = 0;
  const uint32_t s =
      proxy_grpc_stream(upstream.data(), upstream.size(), service.data(), service.size(), method.data(),
                        method.size(), serialized_metadata.data(), serialized_metadata.size(), &token);
  if (s != 0) return detail::toStatus(s);
  return token;
}

PROXY_WASM_NODISCARD inline Status grpcSend(uint32_t token, std::string_view message, bool end_stream) {
  return detail::toStatus(proxy_grpc_send(token, message.data(), message.size(), end_stream ? 1 : 0));
}
PROXY_WASM_NODISCARD inline Status grpcCancel(uint32_t token) { return detail::toStatus(proxy_grpc_cancel(token)); }
PROXY_WASM_NODISCARD inline Status grpcClose(uint32_t token) { return detail::toStatus(proxy_grpc_close(token)); }

// ---- Shared data and queues --------------------------------------------------------------

struct SharedValue {
  HostBuffer value;
  uint32_t cas = 0;  // Pass back to setSharedData() for a compare-and-swap.
};

// NotFound when the key was never set.
PROXY_WASM_NODISCARD inline Result<SharedValue> getSharedData(std::string_view key) {
  char* data = nullptr;
  size_t size = 0;
  uint32_t cas = 0;
  const uint32_t s = proxy_get_shared_data(key.data(), key.size(), &data, &size, &cas);
  SharedValue v{HostBuffer(data, size), cas};
  if (s != 0) return detail::toStatus(s);
  return v;
}

// cas 0 writes unconditionally; otherwise CasMismatch when the key changed since the read
// that returned `cas`. A missing key is created whatever the cas.
PROXY_WASM_NODISCARD inline Status setSharedData(std::string_view key, std::string_view value, uint32_t cas = 0) {
  return detail::toStatus(proxy_set_shared_data(key.data(), key.size(), value.data(), value.size(), cas));
}

// Creates (or reopens) queue `name` of this VM and makes the calling root its listener.
PROXY_WASM_NODISCARD inline Result<uint32_t> registerSharedQueue(std::string_view name) {
  uint32_t id = 0;
  const uint32_t s = proxy_register_shared_queue(name.data(), name.size(), &id);
  if (s != 0) return detail::toStatus(s);
  return id;
}

// Finds queue `name` registered by VM `vm_id` (empty: this VM). NotFound when absent.
PROXY_WASM_NODISCARD inline Result<uint32_t> resolveSharedQueue(std::string_view vm_id, std::string_view name) {
  uint32_t id = 0;
  const uint32_t s = proxy_resolve_shared_queue(vm_id.data(), vm_id.size(), name.data(), name.size(), &id);
  if (s != 0) return detail::toStatus(s);
  return id;
}

PROXY_WASM_NODISCARD inline Status enqueueSharedQueue(uint32_t queue_id, std::string_view data) {
  return detail::toStatus(proxy_enqueue_shared_queue(queue_id, data.data(), data.size()));
}

// Empty when nothing is queued; NotFound for an unknown queue.
PROXY_WASM_NODISCARD inline Result<HostBuffer> dequeueSharedQueue(uint32_t queue_id) {
  char* data = nullptr;
  size_t size = 0;
  const uint32_t s = proxy_dequeue_shared_queue(queue_id, &data, &size);
  return detail::toBuffer(s, data, size);
}

// ---- Metrics (raw ids; see metrics.h for typed handles) ----------------------------------

PROXY_WASM_NODISCARD inline Result<uint32_t> defineMetric(MetricType type, std::string_view name) {
  uint32_t id = 0;
  const uint32_t s = proxy_define_metric(static_cast<uint32_t>(type), name.data(), name.size(), &id);
  if (s != 0) return detail::toStatus(s);
  return id;
}
PROXY_WASM_NODISCARD inline Status incrementMetric(uint32_t id, int64_t offset) {
  return detail::toStatus(proxy_increment_metric(id, offset));
}
PROXY_WASM_NODISCARD inline Status recordMetric(uint32_t id, uint64_t value) {
  return detail::toStatus(proxy_record_metric(id, value));
}
PROXY_WASM_NODISCARD inline Result<uint64_t> getMetric(uint32_t id) {
  uint64_t value = 0;
  const uint32_t s = proxy_get_metric(id, &value);
  if (s != 0) return detail::toStatus(s);
  return value;
}

// ---- Properties (raw bytes; see properties.h for typed values) ---------------------------

// A property path: segments joined with NUL on the wire ({"request", "headers", "x-id"}).
class PropertyPath {
 public:
  PropertyPath(std::initializer_list<std::string_view> segments) {  // NOLINT: implicit by design
    for (auto s : segments) {
      if (!path_.empty()) path_.push_back('\0');
      path_.append(s.data(), s.size());
    }
  }
  // A path already in wire form, or a single top-level name ("plugin_root_id").
  PropertyPath(std::string_view wire) : path_(wire) {}  // NOLINT: implicit by design
  PropertyPath(const char* wire) : path_(wire) {}       // NOLINT: implicit by design
  std::string_view wire() const { return path_; }

 private:
  std::string path_;
};

// The raw bytes of a property. NotFound when the host has no such property.
PROXY_WASM_NODISCARD inline Result<HostBuffer> getPropertyBytes(const PropertyPath& path) {
  char* data = nullptr;
  size_t size = 0;
  const auto wire = path.wire();
  const uint32_t s = proxy_get_property(wire.data(), wire.size(), &data, &size);
  return detail::toBuffer(s, data, size);
}

PROXY_WASM_NODISCARD inline Status setPropertyBytes(const PropertyPath& path, std::string_view value) {
  const auto wire = path.wire();
  return detail::toStatus(proxy_set_property(wire.data(), wire.size(), value.data(), value.size()));
}

}  // namespace proxy_wasm
