// The ABI v0.2.1 backend: hostcalls.h's typed functions and the context classes' raw
// building blocks (detail::raw), each over the v0.2.1 import it wraps (abi/v0_2_1.h).
// Included by hostcalls.h when PROXY_WASM_ABI_VNEXT is 0 (the default); the vNEXT draft's
// counterpart is detail/backend_vnext.h, with the same functions.
#pragma once

#include "proxy_wasm/hostcalls.h"

namespace proxy_wasm {

namespace detail::raw {

inline Status setEffectiveContext(uint32_t id) { return toStatus(proxy_set_effective_context(id)); }

/// Statuses: Ok, present or absent (NotFound); SerializationFailure; InvalidMemoryAccess;
/// InternalFailure; BadArgument.
inline Maybe<HostBuffer> getProperty(std::string_view wire) {
  char* data = nullptr;
  size_t size = 0;
  const uint32_t s = proxy_get_property(wire.data(), wire.size(), &data, &size);
  return toMaybe(s, data, size);
}
/// Statuses: Ok; NotFound (a root context); BadArgument; InvalidMemoryAccess.
inline Status setProperty(std::string_view wire, std::string_view value) {
  return toStatus(proxy_set_property(wire.data(), wire.size(), value.data(), value.size()));
}
/// The function may call back into the plugin before this returns. Statuses: Ok; NotFound;
/// InvalidMemoryAccess; any status the function gives.
inline Result<HostBuffer> callForeignFunction(std::string_view name, std::string_view args) {
  Reentry reentry;
  char* data = nullptr;
  size_t size = 0;
  const uint32_t s = proxy_call_foreign_function(name.data(), name.size(), args.data(), args.size(), &data, &size);
  return toBuffer(s, data, size);
}

/// Statuses: Ok, or the host's failure.
inline Status setTickPeriodMilliseconds(uint32_t period_ms) {
  return toStatus(proxy_set_tick_period_milliseconds(period_ms));
}
/// Statuses: Ok; NotFound when no onDone() is pending.
inline Status done() {
  Reentry reentry;  // the host may delete the root at once
  return toStatus(proxy_done());
}

/// Statuses: Ok (clamped range, possibly empty); BadArgument; NotFound when the buffer does
/// not exist now; InvalidMemoryAccess.
inline Result<HostBuffer> getBufferBytes(BufferType type, size_t start, size_t max_size) {
  char* data = nullptr;
  size_t size = 0;
  const uint32_t s = proxy_get_buffer_bytes(toWire(type), start, max_size, &data, &size);
  return toBuffer(s, data, size);
}
/// Statuses: Ok; BadArgument (a range Envoy cannot splice, a read-only buffer); NotFound;
/// InvalidMemoryAccess.
inline Status setBufferBytes(BufferType type, size_t start, size_t length, std::string_view data) {
  return toStatus(proxy_set_buffer_bytes(toWire(type), start, length, data.data(), data.size()));
}
/// Statuses: Ok; BadArgument; NotFound when the buffer does not exist now; InvalidMemoryAccess.
inline Result<BufferStatus> getBufferStatus(BufferType type) {
  BufferStatus st;
  const uint32_t s = proxy_get_buffer_status(toWire(type), &st.size, &st.flags);
  if (s != 0) return toStatus(s);
  return st;
}

/// Statuses: Ok; BadArgument (maps 4-7, a wrong phase); InvalidMemoryAccess.
inline Result<size_t> getHeaderMapSize(MapType type) {
  size_t size = 0;
  const uint32_t s = proxy_get_header_map_size(toWire(type), &size);
  if (s != 0) return toStatus(s);
  return size;
}
/// A malformed map from the host is ParseFailure, never a crash.
/// Statuses: Ok (an unavailable map is empty); BadArgument; InvalidMemoryAccess; ParseFailure.
inline Result<HeaderMap> getHeaderMapPairs(MapType type) {
  char* data = nullptr;
  size_t size = 0;
  const uint32_t s = proxy_get_header_map_pairs(toWire(type), &data, &size);
  HostBuffer bytes(data, size);
  if (s != 0) return toStatus(s);
  auto view = PairsView::parse(bytes.view());
  if (!view) return Status::ParseFailure;
  return HeaderMap(std::move(bytes), *view);
}
/// Statuses: Ok; BadArgument (a read-only map, a wrong phase); InvalidMemoryAccess.
inline Status setHeaderMapPairs(MapType type, std::string_view serialized) {
  return toStatus(proxy_set_header_map_pairs(toWire(type), serialized.data(), serialized.size()));
}
/// Statuses: Ok, present or absent (NotFound); BadArgument (a wrong phase); InvalidMemoryAccess.
inline Maybe<HostBuffer> getHeaderMapValue(MapType type, std::string_view key) {
  char* data = nullptr;
  size_t size = 0;
  const uint32_t s = proxy_get_header_map_value(toWire(type), key.data(), key.size(), &data, &size);
  return toMaybe(s, data, size);
}
/// Statuses: Ok; BadArgument (a read-only map, a wrong phase); InvalidMemoryAccess.
inline Status addHeaderMapValue(MapType type, std::string_view key, std::string_view value) {
  return toStatus(proxy_add_header_map_value(toWire(type), key.data(), key.size(), value.data(), value.size()));
}
/// Statuses: Ok; BadArgument (a read-only map, a wrong phase); InvalidMemoryAccess.
inline Status replaceHeaderMapValue(MapType type, std::string_view key, std::string_view value) {
  return toStatus(proxy_replace_header_map_value(toWire(type), key.data(), key.size(), value.data(), value.size()));
}
/// Statuses: Ok (also when absent); BadArgument (a read-only map, a wrong phase); InvalidMemoryAccess.
inline Status removeHeaderMapValue(MapType type, std::string_view key) {
  return toStatus(proxy_remove_header_map_value(toWire(type), key.data(), key.size()));
}

/// Stream control and local replies may run the plugin's callbacks before they return.
/// Statuses: Ok; BadArgument; Unimplemented (Envoy: the upstream direction).
inline Status continueStream(StreamType type) {
  Reentry reentry;
  return toStatus(proxy_continue_stream(toWire(type)));
}
/// Statuses: Ok; BadArgument.
inline Status closeStream(StreamType type) {
  Reentry reentry;
  return toStatus(proxy_close_stream(toWire(type)));
}
/// Statuses: Ok (also a no-op without an HTTP stream); InvalidMemoryAccess.
inline Status sendLocalResponse(uint32_t status_code, std::string_view body, std::string_view serialized_headers,
                                std::string_view details, GrpcStatus grpc_status) {
  Reentry reentry;
  return toStatus(proxy_send_local_response(status_code, details.data(), details.size(), body.data(), body.size(),
                                            serialized_headers.data(), serialized_headers.size(),
                                            toWire(grpc_status)));
}
/// Statuses: Ok; InvalidMemoryAccess.
inline Result<CallStatus> getStatus() {
  CallStatus st;
  char* data = nullptr;
  size_t size = 0;
  const uint32_t s = proxy_get_status(&st.code, &data, &size);
  st.message = HostString(data, size);
  if (s != 0) return toStatus(s);
  return st;
}

/// Statuses: Ok; BadArgument (unknown cluster, missing pseudo-headers); InvalidMemoryAccess;
/// InternalFailure.
inline Result<uint32_t> httpCall(std::string_view upstream, std::string_view headers, std::string_view body,
                                 std::string_view trailers, uint32_t timeout_ms) {
  Reentry reentry;  // a call that fails at once may be answered before it returns
  uint32_t token = 0;
  const uint32_t s = proxy_http_call(upstream.data(), upstream.size(), headers.data(), headers.size(), body.data(),
                                     body.size(), trailers.data(), trailers.size(), timeout_ms, &token);
  if (s != 0) return toStatus(s);
  return token;
}
/// Statuses: Ok; BadArgument; ParseFailure (unknown upstream); InvalidMemoryAccess; InternalFailure.
inline Result<uint32_t> grpcCall(std::string_view upstream, std::string_view service, std::string_view method,
                                 std::string_view metadata, std::string_view message, uint32_t timeout_ms) {
  Reentry reentry;
  uint32_t token = 0;
  const uint32_t s = proxy_grpc_call(upstream.data(), upstream.size(), service.data(), service.size(), method.data(),
                                     method.size(), metadata.data(), metadata.size(), message.data(), message.size(),
                                     timeout_ms, &token);
  if (s != 0) return toStatus(s);
  return token;
}
/// Statuses: Ok; BadArgument; ParseFailure (unknown upstream); InvalidMemoryAccess; InternalFailure.
inline Result<uint32_t> grpcStream(std::string_view upstream, std::string_view service, std::string_view method,
                                   std::string_view metadata) {
  Reentry reentry;
  uint32_t token = 0;
  const uint32_t s = proxy_grpc_stream(upstream.data(), upstream.size(), service.data(), service.size(),
                                       method.data(), method.size(), metadata.data(), metadata.size(), &token);
  if (s != 0) return toStatus(s);
  return token;
}
/// Statuses: Ok; BadArgument (not a stream); NotFound (unknown token); InvalidMemoryAccess.
inline Status grpcSend(uint32_t token, std::string_view message, bool end_stream) {
  return toStatus(proxy_grpc_send(token, message.data(), message.size(), end_stream ? 1 : 0));
}
/// Statuses: Ok; BadArgument; NotFound (unknown token).
inline Status grpcCancel(uint32_t token) {
  Reentry reentry;
  return toStatus(proxy_grpc_cancel(token));
}
/// Statuses: Ok; BadArgument; NotFound (unknown token).
inline Status grpcClose(uint32_t token) {
  Reentry reentry;
  return toStatus(proxy_grpc_close(token));
}

}  // namespace detail::raw

inline Status logMessage(LogLevel level, std::string_view message) {
  (void)detail::actOnCurrent();  // on failure the line is still logged, on another context
  return detail::toStatus(proxy_log(detail::toWire(level), message.data(), message.size()));
}

PROXY_WASM_NODISCARD inline Result<LogLevel> getLogLevelFromHost() {
  uint32_t level = 0;
  const uint32_t s = proxy_get_log_level(&level);
  if (s != 0) return detail::toStatus(s);
  return detail::logLevelFromWire(level);
}

PROXY_WASM_NODISCARD inline Result<uint64_t> getCurrentTimeNanoseconds() {
  uint64_t ns = 0;
  const uint32_t s = proxy_get_current_time_nanoseconds(&ns);
  if (s != 0) return detail::toStatus(s);
  return ns;
}

PROXY_WASM_NODISCARD inline Result<HostBuffer> callForeignFunction(std::string_view name, std::string_view args) {
  if (Status s = detail::actOnCurrent(); !s) return s;
  return detail::raw::callForeignFunction(name, args);
}

PROXY_WASM_NODISCARD inline Maybe<SharedValue> getSharedData(std::string_view key) {
  char* data = nullptr;
  size_t size = 0;
  uint32_t cas = 0;
  const uint32_t s = proxy_get_shared_data(key.data(), key.size(), &data, &size, &cas);
  SharedValue v{HostBuffer(data, size), cas};
  if (s == 0) return v;
  const Status status = detail::toStatus(s);
  if (status == Status::NotFound) return Maybe<SharedValue>::absent();
  return status;
}

PROXY_WASM_NODISCARD inline Status setSharedData(std::string_view key, std::string_view value, uint32_t cas) {
  return detail::toStatus(proxy_set_shared_data(key.data(), key.size(), value.data(), value.size(), cas));
}

PROXY_WASM_NODISCARD inline Result<uint32_t> registerSharedQueue(std::string_view name) {
  if (Status s = detail::actOnCurrent(); !s) return s;
  uint32_t id = 0;
  const uint32_t s = proxy_register_shared_queue(name.data(), name.size(), &id);
  if (s != 0) return detail::toStatus(s);
  return id;
}

PROXY_WASM_NODISCARD inline Maybe<uint32_t> resolveSharedQueue(std::string_view vm_id, std::string_view name) {
  uint32_t id = 0;
  return detail::toMaybeValue(proxy_resolve_shared_queue(vm_id.data(), vm_id.size(), name.data(), name.size(), &id), id);
}

PROXY_WASM_NODISCARD inline Status enqueueSharedQueue(uint32_t queue_id, std::string_view data) {
  return detail::toStatus(proxy_enqueue_shared_queue(queue_id, data.data(), data.size()));
}

PROXY_WASM_NODISCARD inline Maybe<HostBuffer> dequeueSharedQueue(uint32_t queue_id) {
  char* data = nullptr;
  size_t size = 0;
  const uint32_t s = proxy_dequeue_shared_queue(queue_id, &data, &size);
  return detail::toMaybe(s, data, size, Status::Empty);
}

PROXY_WASM_NODISCARD inline Result<uint32_t> defineMetric(MetricType type, std::string_view name) {
  uint32_t id = 0;
  const uint32_t s = proxy_define_metric(detail::toWire(type), name.data(), name.size(), &id);
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

PROXY_WASM_NODISCARD inline Maybe<HostBuffer> getPropertyBytes(const PropertyPath& path) {
  if (Status s = detail::actOnCurrent(); !s) return s;
  return detail::raw::getProperty(path.wire());
}

PROXY_WASM_NODISCARD inline Status setPropertyBytes(const PropertyPath& path, std::string_view value) {
  if (Status s = detail::actOnCurrent(); !s) return s;
  return detail::raw::setProperty(path.wire(), value);
}

PROXY_WASM_NODISCARD inline Result<HostBuffer> callCustomFunction(uint32_t, std::string_view) {
  return detail::unimplemented("callCustomFunction (custom functions are the vNEXT draft's; use callForeignFunction)");
}

PROXY_WASM_NODISCARD inline Status deleteSharedQueue(uint32_t) {
  return detail::unimplemented("deleteSharedQueue (ABI v0.2.1 queues live as long as the VM)");
}

PROXY_WASM_NODISCARD inline Status deleteMetric(uint32_t) {
  return detail::unimplemented("deleteMetric (ABI v0.2.1 metrics live as long as the VM)");
}

}  // namespace proxy_wasm
