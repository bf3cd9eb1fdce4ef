// The raw Proxy-Wasm ABI v0.2.1: wire enums and every host function, declared once.
//
// This is the only place that names a `proxy_*` host function. On wasm each one is
// imported from module "env" under its exact wire name; on a native build the same
// declarations are plain C functions, satisfied by a host linked into the binary (the
// mock host, `ProxyWasm::mock`). Functions that v0.2.1 hosts do not provide (v0.1.0's
// `proxy_get_configuration`, `proxy_continue_request`, ...) are deliberately absent: a
// single stray import makes Envoy refuse the module.
//
// Pointer and size parameters are `const char*` / `size_t`: on wasm32 both are i32, as
// the ABI requires; natively they are full-width and the mock host reads them directly.
#pragma once

#include <cstddef>
#include <cstdint>

namespace proxy_wasm {

// Result of every host function (`proxy_status_t`). Values are the wire values.
enum class Status : uint32_t {
  Ok = 0,
  NotFound = 1,
  BadArgument = 2,
  SerializationFailure = 3,
  ParseFailure = 4,
  BadExpression = 5,  // Defined by hosts, never returned.
  InvalidMemoryAccess = 6,
  Empty = 7,
  CasMismatch = 8,
  ResultMismatch = 9,  // Defined by hosts, never returned.
  InternalFailure = 10,
  BrokenConnection = 11,  // Envoy's `proxy_get_status` code after a failed HTTP call.
  Unimplemented = 12,
};

enum class LogLevel : uint32_t {
  Trace = 0,
  Debug = 1,
  Info = 2,
  Warn = 3,
  Error = 4,
  Critical = 5,
  Off = 6,  // Returned by `proxy_get_log_level` when logging is disabled; never logged at.
};

// What a stream callback tells the host. Only these two values are defined by the ABI;
// hosts interpret them per callback (headers: stop all and watermark; body: buffer).
enum class Action : uint32_t {
  Continue = 0,
  Pause = 1,
};

enum class BufferType : uint32_t {
  HttpRequestBody = 0,
  HttpResponseBody = 1,
  DownstreamData = 2,
  UpstreamData = 3,
  HttpCallResponseBody = 4,
  GrpcReceiveBuffer = 5,
  VmConfiguration = 6,
  PluginConfiguration = 7,
  CallData = 8,  // Foreign-function arguments.
};
inline constexpr uint32_t kMaxBufferType = 8;

enum class MapType : uint32_t {
  HttpRequestHeaders = 0,
  HttpRequestTrailers = 1,
  HttpResponseHeaders = 2,
  HttpResponseTrailers = 3,
  GrpcReceiveInitialMetadata = 4,
  GrpcReceiveTrailingMetadata = 5,
  HttpCallResponseHeaders = 6,
  HttpCallResponseTrailers = 7,
};
inline constexpr uint32_t kMaxMapType = 7;

enum class StreamType : uint32_t {
  Request = 0,
  Response = 1,
  Downstream = 2,
  Upstream = 3,
};
inline constexpr uint32_t kMaxStreamType = 3;

enum class PeerType : uint32_t {
  Unknown = 0,
  Local = 1,
  Remote = 2,
};

enum class MetricType : uint32_t {
  Counter = 0,
  Gauge = 1,
  Histogram = 2,
};
inline constexpr uint32_t kMaxMetricType = 2;

enum class GrpcStatus : uint32_t {
  Ok = 0,
  Canceled = 1,
  Unknown = 2,
  InvalidArgument = 3,
  DeadlineExceeded = 4,
  NotFound = 5,
  AlreadyExists = 6,
  PermissionDenied = 7,
  ResourceExhausted = 8,
  FailedPrecondition = 9,
  Aborted = 10,
  OutOfRange = 11,
  Unimplemented = 12,
  Internal = 13,
  Unavailable = 14,
  DataLoss = 15,
  Unauthenticated = 16,
  None = 0xFFFFFFFFu,  // "no gRPC status" in `proxy_send_local_response`.
};

}  // namespace proxy_wasm

#if defined(__wasm__)
#define PROXY_WASM_IMPORT(name) __attribute__((import_module("env"), import_name(#name)))
#else
#define PROXY_WASM_IMPORT(name)
#endif

// Every host function of ABI v0.2.1. All return a `proxy_wasm::Status` wire value.
extern "C" {
// Logging and time.
PROXY_WASM_IMPORT(proxy_log) uint32_t proxy_log(uint32_t level, const char* message, size_t size);
PROXY_WASM_IMPORT(proxy_get_log_level) uint32_t proxy_get_log_level(uint32_t* level);
PROXY_WASM_IMPORT(proxy_get_current_time_nanoseconds)
uint32_t proxy_get_current_time_nanoseconds(uint64_t* nanoseconds);
PROXY_WASM_IMPORT(proxy_set_tick_period_milliseconds)
uint32_t proxy_set_tick_period_milliseconds(uint32_t period_milliseconds);

// Context management.
PROXY_WASM_IMPORT(proxy_done) uint32_t proxy_done();
PROXY_WASM_IMPORT(proxy_set_effective_context) uint32_t proxy_set_effective_context(uint32_t context_id);
PROXY_WASM_IMPORT(proxy_call_foreign_function)
uint32_t proxy_call_foreign_function(const char* name, size_t name_size, const char* args, size_t args_size,
                                     char** result, size_t* result_size);

// Buffers.
PROXY_WASM_IMPORT(proxy_get_buffer_bytes)
uint32_t proxy_get_buffer_bytes(uint32_t type, size_t start, size_t max_size, char** data, size_t* size);
PROXY_WASM_IMPORT(proxy_set_buffer_bytes)
uint32_t proxy_set_buffer_bytes(uint32_t type, size_t start, size_t size, const char* data, size_t data_size);
PROXY_WASM_IMPORT(proxy_get_buffer_status)
uint32_t proxy_get_buffer_status(uint32_t type, size_t* size, uint32_t* flags);

// Header and metadata maps.
PROXY_WASM_IMPORT(proxy_get_header_map_size) uint32_t proxy_get_header_map_size(uint32_t type, size_t* size);
PROXY_WASM_IMPORT(proxy_get_header_map_pairs)
uint32_t proxy_get_header_map_pairs(uint32_t type, char** data, size_t* size);
PROXY_WASM_IMPORT(proxy_set_header_map_pairs)
uint32_t proxy_set_header_map_pairs(uint32_t type, const char* data, size_t size);
PROXY_WASM_IMPORT(proxy_get_header_map_value)
uint32_t proxy_get_header_map_value(uint32_t type, const char* key, size_t key_size, char** value,
                                    size_t* value_size);
PROXY_WASM_IMPORT(proxy_add_header_map_value)
uint32_t proxy_add_header_map_value(uint32_t type, const char* key, size_t key_size, const char* value,
                                    size_t value_size);
PROXY_WASM_IMPORT(proxy_replace_header_map_value)
uint32_t proxy_replace_header_map_value(uint32_t type, const char* key, size_t key_size, const char* value,
                                        size_t value_size);
PROXY_WASM_IMPORT(proxy_remove_header_map_value)
uint32_t proxy_remove_header_map_value(uint32_t type, const char* key, size_t key_size);

// Stream control.
PROXY_WASM_IMPORT(proxy_continue_stream) uint32_t proxy_continue_stream(uint32_t stream_type);
PROXY_WASM_IMPORT(proxy_close_stream) uint32_t proxy_close_stream(uint32_t stream_type);
PROXY_WASM_IMPORT(proxy_send_local_response)
uint32_t proxy_send_local_response(uint32_t status_code, const char* details, size_t details_size,
                                   const char* body, size_t body_size, const char* headers, size_t headers_size,
                                   uint32_t grpc_status);
PROXY_WASM_IMPORT(proxy_get_status)
uint32_t proxy_get_status(uint32_t* status_code, char** message, size_t* message_size);

// HTTP and gRPC callouts.
PROXY_WASM_IMPORT(proxy_http_call)
uint32_t proxy_http_call(const char* upstream, size_t upstream_size, const char* headers, size_t headers_size,
                         const char* body, size_t body_size, const char* trailers, size_t trailers_size,
                         uint32_t timeout_milliseconds, uint32_t* token);
PROXY_WASM_IMPORT(proxy_grpc_call)
uint32_t proxy_grpc_call(const char* upstream, size_t upstream_size, const char* service, size_t service_size,
                         const char* method, size_t method_size, const char* metadata, size_t metadata_size,
                         const char* message, size_t message_size, uint32_t timeout_milliseconds, uint32_t* token);
PROXY_WASM_IMPORT(proxy_grpc_stream)
uint32_t proxy_grpc_stream(const char* upstream, size_t upstream_size, const char* service, size_t service_size,
                           const char* method, size_t method_size, const char* metadata, size_t metadata_size,
                           uint32_t* token);
PROXY_WASM_IMPORT(proxy_grpc_send)
uint32_t proxy_grpc_send(uint32_t token, const char* message, size_t message_size, uint32_t end_stream);
PROXY_WASM_IMPORT(proxy_grpc_cancel) uint32_t proxy_grpc_cancel(uint32_t token);
PROXY_WASM_IMPORT(proxy_grpc_close) uint32_t proxy_grpc_close(uint32_t token);

// Shared data and queues.
PROXY_WASM_IMPORT(proxy_get_shared_data)
uint32_t proxy_get_shared_data(const char* key, size_t key_size, char** value, size_t* value_size, uint32_t* cas);
PROXY_WASM_IMPORT(proxy_set_shared_data)
uint32_t proxy_set_shared_data(const char* key, size_t key_size, const char* value, size_t value_size,
                               uint32_t cas);
PROXY_WASM_IMPORT(proxy_register_shared_queue)
uint32_t proxy_register_shared_queue(const char* name, size_t name_size, uint32_t* queue_id);
PROXY_WASM_IMPORT(proxy_resolve_shared_queue)
uint32_t proxy_resolve_shared_queue(const char* vm_id, size_t vm_id_size, const char* name, size_t name_size,
                                    uint32_t* queue_id);
PROXY_WASM_IMPORT(proxy_enqueue_shared_queue)
uint32_t proxy_enqueue_shared_queue(uint32_t queue_id, const char* data, size_t size);
PROXY_WASM_IMPORT(proxy_dequeue_shared_queue)
uint32_t proxy_dequeue_shared_queue(uint32_t queue_id, char** data, size_t* size);

// Metrics.
PROXY_WASM_IMPORT(proxy_define_metric)
uint32_t proxy_define_metric(uint32_t type, const char* name, size_t name_size, uint32_t* metric_id);
PROXY_WASM_IMPORT(proxy_increment_metric) uint32_t proxy_increment_metric(uint32_t metric_id, int64_t offset);
PROXY_WASM_IMPORT(proxy_record_metric) uint32_t proxy_record_metric(uint32_t metric_id, uint64_t value);
PROXY_WASM_IMPORT(proxy_get_metric) uint32_t proxy_get_metric(uint32_t metric_id, uint64_t* value);

// Properties.
PROXY_WASM_IMPORT(proxy_get_property)
uint32_t proxy_get_property(const char* path, size_t path_size, char** value, size_t* value_size);
PROXY_WASM_IMPORT(proxy_set_property)
uint32_t proxy_set_property(const char* path, size_t path_size, const char* value, size_t value_size);
}  // extern "C"
