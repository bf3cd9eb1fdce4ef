// The vNEXT draft backend: hostcalls.h's typed functions and the context classes' raw
// building blocks (detail::raw), over the draft's imports (abi/vnext.h). Included by
// hostcalls.h when PROXY_WASM_ABI_VNEXT is 1; the same functions as detail/backend_v0_2_1.h,
// so the context classes and plugins compile unchanged. docs/vnext.md has the mapping and
// every choice made where the draft is ambiguous; in short:
//   - header maps go out and come back as iovec maps (proxy_get_map_values,
//     proxy_set_map_values); the SDK's pairs form is converted at this boundary;
//   - a returned iovec array is one host allocation (outer array first, then the inner
//     arrays and the bytes): a single value is moved to the block's start and handed out
//     as a HostBuffer, with no copy to another block;
//   - shared data is kvstore 0, the VM's store; its values are single-element lists;
//   - what the draft lacks (properties, the clock, the log level, foreign functions by
//     name, a callout's status) answers Unimplemented with a warning.
#pragma once

#include <cstdlib>
#include <cstring>

#include "proxy_wasm/hostcalls.h"

namespace proxy_wasm {
namespace detail {

using vnext::Iovec;

// ---- iovec maps out: the SDK's pairs form (or a key list) as the draft's iovecs ------------

/// A [key, value] iovec map built from a pairs-form map, or a list of keys, in one block
/// (a few on the stack): the outer array first, then two iovecs per pair.
class IovecMapOut {
 public:
  IovecMapOut() = default;
  IovecMapOut(const IovecMapOut&) = delete;
  IovecMapOut& operator=(const IovecMapOut&) = delete;
  ~IovecMapOut() {
    if (block_ != inline_) std::free(block_);
  }

  /// From a serialized pairs-form map (the SDK builds those; malformed is BadArgument).
  Status fromPairs(std::string_view serialized) {
    if (serialized.empty()) return Status::Ok;
    auto view = PairsView::parse(serialized);
    if (!view) return Status::BadArgument;
    if (!reserve(view->size() * 3)) return Status::InternalFailure;
    Iovec* inner = block_ + view->size();
    for (auto [k, v] : *view) {
      inner[0] = {k.data(), k.size()};
      inner[1] = {v.data(), v.size()};
      block_[size_++] = {reinterpret_cast<const char*>(inner), 2};
      inner += 2;
    }
    return Status::Ok;
  }
  /// One [key, value] entry.
  Status pair(std::string_view key, std::string_view value) {
    (void)reserve(3);  // fits inline
    block_[1] = {key.data(), key.size()};
    block_[2] = {value.data(), value.size()};
    block_[0] = {reinterpret_cast<const char*>(block_ + 1), 2};
    size_ = 1;
    return Status::Ok;
  }
  /// A plain iovec array (a key list, a value list).
  void list(std::initializer_list<std::string_view> items) {
    (void)reserve(items.size());  // callers pass at most a few
    for (auto item : items) block_[size_++] = {item.data(), item.size()};
  }

  const Iovec* data() const { return size_ ? block_ : nullptr; }
  size_t size() const { return size_; }

 private:
  bool reserve(size_t iovecs) {
    if (iovecs <= kInline) return true;
    block_ = static_cast<Iovec*>(std::malloc(iovecs * sizeof(Iovec)));
    if (!block_) {
      block_ = inline_;
      return false;
    }
    return true;
  }
  static constexpr size_t kInline = 12;
  Iovec inline_[kInline];
  Iovec* block_ = inline_;
  size_t size_ = 0;
};

// ---- iovec arrays back: one host block -----------------------------------------------------

// Caps what the SDK accepts from a host as an iovec count (a bad count never makes it walk
// past a block it cannot know the end of).
inline constexpr size_t kMaxIovecs = 1u << 20;

/// A returned iovec map ([key, values...] per entry): validated shape, owning the block.
class IovecMapIn {
 public:
  IovecMapIn(Iovec* block, size_t entries) : block_(block), entries_(block ? entries : 0) {}
  IovecMapIn(const IovecMapIn&) = delete;
  IovecMapIn& operator=(const IovecMapIn&) = delete;
  ~IovecMapIn() { std::free(block_); }

  /// Every entry has its key and no null run; false: the host's map is malformed.
  bool valid() const {
    if (entries_ > kMaxIovecs) return false;
    for (size_t i = 0; i < entries_; ++i) {
      const Iovec& e = block_[i];
      if (e.size == 0 || e.size > kMaxIovecs || !e.data) return false;
      const Iovec* inner = reinterpret_cast<const Iovec*>(e.data);
      for (size_t j = 0; j < e.size; ++j)
        if (!inner[j].data && inner[j].size) return false;
    }
    return true;
  }
  size_t entries() const { return entries_; }
  /// Entry i: its [key, values...] iovecs.
  const Iovec* entry(size_t i, size_t* count) const {
    *count = block_[i].size;
    return reinterpret_cast<const Iovec*>(block_[i].data);
  }
  /// Hands the block over with `bytes` moved to its start (bytes inside it).
  HostBuffer takeAsBuffer(const Iovec& bytes) {
    char* raw = reinterpret_cast<char*>(std::exchange(block_, nullptr));
    if (bytes.size) std::memmove(raw, bytes.data, bytes.size);
    return HostBuffer(raw, bytes.size);
  }

 private:
  Iovec* block_;
  size_t entries_;
};

/// The first value of a returned value list (kvstore values), moved to the block's start.
inline HostBuffer firstValue(Iovec* values, size_t count) {
  if (!values) return HostBuffer();
  char* raw = reinterpret_cast<char*>(values);
  if (count == 0 || count > kMaxIovecs || (!values[0].data && values[0].size)) {
    std::free(raw);
    return HostBuffer();
  }
  const Iovec v = values[0];
  if (v.size) std::memmove(raw, v.data, v.size);
  return HostBuffer(raw, v.size);
}

// ---- The context classes' building blocks ---------------------------------------------------

namespace raw {

inline Status setEffectiveContext(uint32_t id) { return toStatus(vnext_proxy_set_effective_context(id)); }

inline Maybe<HostBuffer> getProperty(std::string_view) {
  return unimplemented("properties (getProperty; the draft has none)");
}
inline Status setProperty(std::string_view, std::string_view) {
  return unimplemented("properties (setProperty; the draft has none)");
}
inline Result<HostBuffer> callForeignFunction(std::string_view, std::string_view) {
  return unimplemented("foreign functions by name (callForeignFunction; use callCustomFunction)");
}

/// proxy_context_finalize: the plugin is done with the context whose onDone() returned
/// false. Statuses: Ok.
inline Status done() {
  Reentry reentry;
  return toStatus(vnext_proxy_context_finalize());
}

/// A native timer (vNEXT). Statuses: Ok; InvalidMemoryAccess.
inline Result<uint32_t> createTimer(uint32_t period_ms, bool one_time) {
  uint32_t id = 0;
  return toResult(vnext_proxy_create_timer(period_ms, one_time ? 1 : 0, &id), id);
}
/// Statuses: Ok; BadArgument for an unknown timer.
inline Status deleteTimer(uint32_t timer_id) { return toStatus(vnext_proxy_delete_timer(timer_id)); }

/// Statuses: Ok (Empty from the host is an empty buffer); BadArgument; InvalidMemoryAccess;
/// Unimplemented for a buffer the draft has no type for (foreign-function arguments).
inline Result<HostBuffer> getBufferBytes(BufferType type, size_t start, size_t max_size) {
  const uint32_t wire = toWire(type);
  if (wire == 0) return unimplemented("this buffer type (the draft has no buffer for call arguments)");
  char* data = nullptr;
  size_t size = 0;
  const uint32_t s = vnext_proxy_get_buffer(wire, start, max_size, &data, &size);
  if (s == vnext::wire::kEmpty) {
    if (data) std::free(data);
    return HostBuffer();
  }
  return toBuffer(s, data, size);
}
/// Statuses: Ok; BadArgument; InvalidMemoryAccess.
inline Status setBufferBytes(BufferType type, size_t start, size_t length, std::string_view data) {
  const uint32_t wire = toWire(type);
  if (wire == 0) return unimplemented("this buffer type (the draft has no buffer for call arguments)");
  return toStatus(vnext_proxy_set_buffer(wire, start, length, data.data(), data.size()));
}
/// The draft has no size query: the buffer is read and its size reported.
inline Result<BufferStatus> getBufferStatus(BufferType type) {
  auto bytes = getBufferBytes(type, 0, kWholeBuffer);
  if (!bytes) return bytes.status();
  BufferStatus st;
  st.size = bytes->size();
  return st;
}

/// The map's entries for `keys` (all of it with none). Statuses: Ok; BadArgument;
/// InvalidMemoryAccess; ParseFailure for a malformed map.
inline Status getMapValues(MapType type, const IovecMapOut& keys, Iovec** out, size_t* entries) {
  *out = nullptr;
  *entries = 0;
  const uint32_t s = vnext_proxy_get_map_values(toWire(type), keys.data(), keys.size(), out, entries);
  if (s != 0) {
    std::free(*out);
    *out = nullptr;
    return toStatus(s);
  }
  return Status::Ok;
}

/// Ok; BadArgument (a wrong phase); InvalidMemoryAccess; ParseFailure.
inline Result<HeaderMap> getHeaderMapPairs(MapType type) {
  IovecMapOut none;
  Iovec* block = nullptr;
  size_t entries = 0;
  if (Status s = getMapValues(type, none, &block, &entries); !s) return s;
  IovecMapIn map(block, entries);
  if (!map.valid()) return Status::ParseFailure;
  // The SDK's pairs form: one pair per value.
  size_t pairs = 0, bytes = 4;
  for (size_t i = 0; i < map.entries(); ++i) {
    size_t n = 0;
    const Iovec* e = map.entry(i, &n);
    for (size_t j = 1; j < n; ++j) {
      ++pairs;
      bytes += 10 + e[0].size + e[j].size;
    }
  }
  if (pairs == 0) return HeaderMap();
  char* out = static_cast<char*>(std::malloc(bytes));
  if (!out) return Status::InternalFailure;
  storeU32(out, uint32_t(pairs));
  char* lengths = out + 4;
  char* data = lengths + pairs * 8;
  for (size_t i = 0; i < map.entries(); ++i) {
    size_t n = 0;
    const Iovec* e = map.entry(i, &n);
    for (size_t j = 1; j < n; ++j) {
      storeU32(lengths, uint32_t(e[0].size));
      storeU32(lengths + 4, uint32_t(e[j].size));
      lengths += 8;
      if (e[0].size) std::memcpy(data, e[0].data, e[0].size);
      data += e[0].size;
      *data++ = '\0';
      if (e[j].size) std::memcpy(data, e[j].data, e[j].size);
      data += e[j].size;
      *data++ = '\0';
    }
  }
  HostBuffer owned(out, bytes);
  auto view = PairsView::parse(owned.view());
  if (!view) return Status::ParseFailure;  // a length past 4 GiB
  return HeaderMap(std::move(owned), *view);
}
/// The map's bytes, keys plus values (what Envoy reports for v0.2.1), counted from the
/// whole map (the draft has no size query).
inline Result<size_t> getHeaderMapSize(MapType type) {
  auto map = getHeaderMapPairs(type);
  if (!map) return map.status();
  size_t size = 0;
  for (auto [k, v] : *map) size += k.size() + v.size();
  return size;
}
/// Every pair is removed (the draft's "*" and ":*" wildcards), then `serialized` added.
inline Status setHeaderMapPairs(MapType type, std::string_view serialized) {
  IovecMapOut all, map;
  all.list({"*", ":*"});
  if (Status s = map.fromPairs(serialized); !s) return s;
  return toStatus(vnext_proxy_set_map_values(toWire(type), all.data(), all.size(), map.data(), map.size()));
}
/// The first value of `key`. Statuses: Ok, present or absent; BadArgument;
/// InvalidMemoryAccess; ParseFailure.
inline Maybe<HostBuffer> getHeaderMapValue(MapType type, std::string_view key) {
  IovecMapOut keys;
  keys.list({key});
  Iovec* block = nullptr;
  size_t entries = 0;
  if (Status s = getMapValues(type, keys, &block, &entries); !s) return s;
  IovecMapIn map(block, entries);
  if (!map.valid()) return Status::ParseFailure;
  for (size_t i = 0; i < map.entries(); ++i) {
    size_t n = 0;
    const Iovec* e = map.entry(i, &n);
    if (n >= 2 && std::string_view(e[0].data, e[0].size) == key) return map.takeAsBuffer(e[1]);
  }
  return Maybe<HostBuffer>::absent();
}
/// Statuses: Ok; BadArgument (a read-only map, a wrong phase); InvalidMemoryAccess.
inline Status addHeaderMapValue(MapType type, std::string_view key, std::string_view value) {
  IovecMapOut map;
  (void)map.pair(key, value);
  return toStatus(vnext_proxy_set_map_values(toWire(type), nullptr, 0, map.data(), map.size()));
}
/// Removes `key`, then adds it (the draft's replace). Statuses: as addHeaderMapValue().
inline Status replaceHeaderMapValue(MapType type, std::string_view key, std::string_view value) {
  IovecMapOut keys, map;
  keys.list({key});
  (void)map.pair(key, value);
  return toStatus(vnext_proxy_set_map_values(toWire(type), keys.data(), keys.size(), map.data(), map.size()));
}
/// Statuses: as addHeaderMapValue() (Ok when absent).
inline Status removeHeaderMapValue(MapType type, std::string_view key) {
  IovecMapOut keys;
  keys.list({key});
  return toStatus(vnext_proxy_set_map_values(toWire(type), keys.data(), keys.size(), nullptr, 0));
}

/// proxy_resume_http_stream for a request or response, proxy_resume_stream for TCP.
/// Statuses: Ok; BadArgument; InvalidOperation (not paused).
inline Status continueStream(StreamType type) {
  Reentry reentry;
  const bool http = type == StreamType::Request || type == StreamType::Response;
  return toStatus(http ? vnext_proxy_resume_http_stream(toWire(type)) : vnext_proxy_resume_stream(toWire(type)));
}
/// Statuses: Ok; BadArgument; InvalidOperation (already closed).
inline Status closeStream(StreamType type) {
  Reentry reentry;
  const bool http = type == StreamType::Request || type == StreamType::Response;
  return toStatus(http ? vnext_proxy_close_http_stream(toWire(type)) : vnext_proxy_close_stream(toWire(type)));
}
/// proxy_send_http_response. Statuses: Ok; BadArgument (a bad code or gRPC status);
/// InvalidMemoryAccess.
inline Status sendLocalResponse(uint32_t status_code, std::string_view body, std::string_view serialized_headers,
                                std::string_view details, GrpcStatus grpc_status) {
  IovecMapOut headers;
  if (Status s = headers.fromPairs(serialized_headers); !s) return s;
  Reentry reentry;
  return toStatus(vnext_proxy_send_http_response(status_code, details.data(), details.size(), body.data(),
                                                 body.size(), headers.data(), headers.size(),
                                                 toWire(grpc_status)));
}
/// The draft reports no callout status (a gRPC call's comes with its close).
inline Result<CallStatus> getStatus() {
  return unimplemented("a callout's status (getStatus; gRPC status comes with onClose)");
}

/// proxy_dispatch_http_call. Statuses: Ok; NotFound (unknown upstream); NotAllowed;
/// InvalidMemoryAccess.
inline Result<uint32_t> httpCall(std::string_view upstream, std::string_view headers, std::string_view body,
                                 std::string_view trailers, uint32_t timeout_ms) {
  IovecMapOut h, t;
  if (Status s = h.fromPairs(headers); !s) return s;
  if (Status s = t.fromPairs(trailers); !s) return s;
  Reentry reentry;
  uint32_t id = 0;
  return toResult(vnext_proxy_dispatch_http_call(upstream.data(), upstream.size(), h.data(), h.size(), body.data(),
                                                 body.size(), t.data(), t.size(), timeout_ms, &id),
                  id);
}
/// proxy_dispatch_grpc_call. Statuses: as httpCall().
inline Result<uint32_t> grpcCall(std::string_view upstream, std::string_view service, std::string_view method,
                                 std::string_view metadata, std::string_view message, uint32_t timeout_ms) {
  IovecMapOut m;
  if (Status s = m.fromPairs(metadata); !s) return s;
  Reentry reentry;
  uint32_t id = 0;
  return toResult(vnext_proxy_dispatch_grpc_call(upstream.data(), upstream.size(), service.data(), service.size(),
                                                 method.data(), method.size(), m.data(), m.size(), message.data(),
                                                 message.size(), timeout_ms, &id),
                  id);
}
/// proxy_open_grpc_stream. Statuses: as httpCall().
inline Result<uint32_t> grpcStream(std::string_view upstream, std::string_view service, std::string_view method,
                                   std::string_view metadata) {
  IovecMapOut m;
  if (Status s = m.fromPairs(metadata); !s) return s;
  Reentry reentry;
  uint32_t id = 0;
  return toResult(vnext_proxy_open_grpc_stream(upstream.data(), upstream.size(), service.data(), service.size(),
                                               method.data(), method.size(), m.data(), m.size(), &id),
                  id);
}
/// Statuses: Ok; BadArgument (unknown call).
inline Status grpcClose(uint32_t token) {
  Reentry reentry;
  return toStatus(vnext_proxy_close_grpc_call(token));
}
/// The draft's message call has no end-of-stream flag: `end_stream` sends, then closes.
/// Statuses: Ok; BadArgument (unknown call); InvalidMemoryAccess.
inline Status grpcSend(uint32_t token, std::string_view message, bool end_stream) {
  const Status s = toStatus(vnext_proxy_send_grpc_stream_message(token, message.data(), message.size()));
  if (!s || !end_stream) return s;
  return grpcClose(token);
}
/// Statuses: Ok; BadArgument (unknown call).
inline Status grpcCancel(uint32_t token) {
  Reentry reentry;
  return toStatus(vnext_proxy_cancel_grpc_call(token));
}

}  // namespace raw

/// The root that opened queue `queue_id` hears of its items (dispatch.h).
inline void listenToQueue(uint32_t queue_id);
/// A queue the plugin deleted: no root hears of it any more (dispatch.h).
inline void forgetQueue(uint32_t queue_id);

}  // namespace detail

// ---- Logging, time, custom functions -----------------------------------------------------

inline Status logMessage(LogLevel level, std::string_view message) {
  (void)detail::actOnCurrent();  // on failure the line is still logged, on another context
  return detail::toStatus(vnext_proxy_log(detail::toWire(level), message.data(), message.size()));
}

PROXY_WASM_NODISCARD inline Result<LogLevel> getLogLevelFromHost() {
  return detail::unimplemented("the host's log level (getLogLevelFromHost; the host filters)");
}

PROXY_WASM_NODISCARD inline Result<uint64_t> getCurrentTimeNanoseconds() {
  return detail::unimplemented("the host clock (getCurrentTimeNanoseconds)");
}

PROXY_WASM_NODISCARD inline Result<HostBuffer> callForeignFunction(std::string_view name, std::string_view args) {
  return detail::raw::callForeignFunction(name, args);
}

PROXY_WASM_NODISCARD inline Result<HostBuffer> callCustomFunction(uint32_t function_id, std::string_view parameters) {
  if (Status s = detail::actOnCurrent(); !s) return s;
  detail::Reentry reentry;
  char* data = nullptr;
  size_t size = 0;
  const uint32_t s =
      vnext_proxy_call_custom_function(function_id, parameters.data(), parameters.size(), &data, &size);
  return detail::toBuffer(s, data, size);
}

// ---- Shared data: the VM's store, kvstore 0 ------------------------------------------------

PROXY_WASM_NODISCARD inline Maybe<SharedValue> getSharedData(std::string_view key) {
  vnext::Iovec* values = nullptr;
  size_t count = 0;
  uint32_t cas = 0;
  const uint32_t s = vnext_proxy_get_shared_kvstore_key_values(0, key.data(), key.size(), &values, &count, &cas);
  SharedValue v{detail::firstValue(values, count), cas};
  if (s == 0) return v;
  const Status status = detail::toStatus(s);
  if (status == Status::NotFound) return Maybe<SharedValue>::absent();
  return status;
}

PROXY_WASM_NODISCARD inline Status setSharedData(std::string_view key, std::string_view value, uint32_t cas) {
  const vnext::Iovec one{value.data(), value.size()};
  return detail::toStatus(vnext_proxy_set_shared_kvstore_key_values(0, key.data(), key.size(), &one, 1, cas));
}

// ---- Queues --------------------------------------------------------------------------------

PROXY_WASM_NODISCARD inline Result<uint32_t> registerSharedQueue(std::string_view name) {
  if (Status s = detail::actOnCurrent(); !s) return s;
  uint32_t id = 0;
  const uint32_t s = vnext_proxy_open_shared_queue(name.data(), name.size(), 1, &id);
  if (s != 0) return detail::toStatus(s);
  detail::listenToQueue(id);
  return id;
}

PROXY_WASM_NODISCARD inline Maybe<uint32_t> resolveSharedQueue(std::string_view vm_id, std::string_view name) {
  if (!vm_id.empty()) return detail::unimplemented("another VM's queue (resolveSharedQueue with a vm_id)");
  uint32_t id = 0;
  return detail::toMaybeValue(vnext_proxy_open_shared_queue(name.data(), name.size(), 0, &id), id);
}

PROXY_WASM_NODISCARD inline Status enqueueSharedQueue(uint32_t queue_id, std::string_view data) {
  return detail::toStatus(vnext_proxy_enqueue_shared_queue_item(queue_id, data.data(), data.size()));
}

PROXY_WASM_NODISCARD inline Maybe<HostBuffer> dequeueSharedQueue(uint32_t queue_id) {
  char* data = nullptr;
  size_t size = 0;
  const uint32_t s = vnext_proxy_dequeue_shared_queue_item(queue_id, &data, &size);
  return detail::toMaybe(s, data, size, Status::Empty);
}

PROXY_WASM_NODISCARD inline Status deleteSharedQueue(uint32_t queue_id) {
  const Status s = detail::toStatus(vnext_proxy_delete_shared_queue(queue_id));
  if (s) detail::forgetQueue(queue_id);
  return s;
}

// ---- Metrics -------------------------------------------------------------------------------

PROXY_WASM_NODISCARD inline Result<uint32_t> defineMetric(MetricType type, std::string_view name) {
  uint32_t id = 0;
  return detail::toResult(vnext_proxy_create_metric(detail::toWire(type), name.data(), name.size(), &id), id);
}
PROXY_WASM_NODISCARD inline Status incrementMetric(uint32_t id, int64_t offset) {
  return detail::toStatus(vnext_proxy_increment_metric_value(id, offset));
}
PROXY_WASM_NODISCARD inline Status recordMetric(uint32_t id, uint64_t value) {
  return detail::toStatus(vnext_proxy_set_metric_value(id, value));
}
PROXY_WASM_NODISCARD inline Result<uint64_t> getMetric(uint32_t id) {
  uint64_t value = 0;
  return detail::toResult(vnext_proxy_get_metric_value(id, &value), value);
}
PROXY_WASM_NODISCARD inline Status deleteMetric(uint32_t id) {
  return detail::toStatus(vnext_proxy_delete_metric(id));
}

// ---- Properties: not in the draft ----------------------------------------------------------

PROXY_WASM_NODISCARD inline Maybe<HostBuffer> getPropertyBytes(const PropertyPath& path) {
  return detail::raw::getProperty(path.wire());
}
PROXY_WASM_NODISCARD inline Status setPropertyBytes(const PropertyPath& path, std::string_view value) {
  return detail::raw::setProperty(path.wire(), value);
}

}  // namespace proxy_wasm
