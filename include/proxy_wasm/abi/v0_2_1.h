// The raw Proxy-Wasm ABI v0.2.1, as data: every host function a module may import and every
// callback it may export, listed once. Everything that needs the ABI's shape is generated
// from these two lists (docs/abi.md tells the ABI in prose: statuses, wire formats, Envoy):
//   - the raw `extern "C"` import declarations below (wasm: imported from module "env"
//     under their exact wire names; natively: satisfied by the mock host);
//   - the SDK's exports (exports.h), one-line forwards to the dispatcher;
//   - the mock host's ABI adapters and native guest, the engine's import table, the
//     conformance checker, the coverage-table check and the mock host's fault injection.
//
// This is the only place that names a v0.2.1 `proxy_*` function (abi/vnext.h lists the
// draft's; proxy_wasm/abi.h includes the selected backend's). Functions that v0.2.1 hosts do
// not provide (v0.1.0's `proxy_get_configuration`, `proxy_continue_request`, ...) are
// deliberately absent: a single stray import makes Envoy refuse the module.
//
// Pointer and size parameters are `const char*` / `size_t`: on wasm32 both are i32, as the
// ABI requires; natively they are full-width and the mock host reads them directly.
#pragma once

#include <cstddef>
#include <cstdint>

namespace proxy_wasm {

/// Largest valid value of each enum on the wire (hosts answer BadArgument above it).
inline constexpr uint32_t kMaxBufferType = 8;
inline constexpr uint32_t kMaxMapType = 7;
inline constexpr uint32_t kMaxStreamType = 3;
inline constexpr uint32_t kMaxMetricType = 2;

namespace wire {
/// v0.2.1 status codes (`proxy_status_t`) as bits, for the lists' status masks.
enum StatusBit : uint32_t {
  kOk = 1u << 0,
  kNotFound = 1u << 1,
  kBadArgument = 1u << 2,
  kSerializationFailure = 1u << 3,
  kParseFailure = 1u << 4,
  kInvalidMemoryAccess = 1u << 6,
  kEmpty = 1u << 7,
  kCasMismatch = 1u << 8,
  kInternalFailure = 1u << 10,
  kUnimplemented = 1u << 12,
};
/// Any host function may answer InternalFailure when the embedder disabled the capability
/// (proxy-wasm-cpp-host's stub for a disallowed function logs and returns it).
inline constexpr uint32_t kAlways = kOk | kInternalFailure;
}  // namespace wire

}  // namespace proxy_wasm

// Every host function of v0.2.1:
//   X(name, (typed parameters), (argument names), statuses)
// All return a status (u32). `statuses` is a mask of wire::StatusBit (evaluate it where
// `using namespace proxy_wasm::wire;` is in effect): what the spec and Envoy may return.
// Grouped as the spec groups them.
#define PROXY_WASM_ABI_V0_2_1_IMPORTS(X)                                                                          \
  /* Logging, time, context. */                                                                                    \
  X(proxy_log, (uint32_t level, const char* message, size_t size), (level, message, size),                         \
    kAlways | kBadArgument | kInvalidMemoryAccess)                                                                 \
  X(proxy_get_log_level, (uint32_t * level), (level), kAlways | kInvalidMemoryAccess)                              \
  X(proxy_get_current_time_nanoseconds, (uint64_t * nanoseconds), (nanoseconds), kAlways | kInvalidMemoryAccess)   \
  X(proxy_set_tick_period_milliseconds, (uint32_t period_milliseconds), (period_milliseconds), kAlways)            \
  X(proxy_done, (), (), kAlways | kNotFound)                                                                       \
  X(proxy_set_effective_context, (uint32_t context_id), (context_id), kAlways | kBadArgument)                      \
  X(proxy_call_foreign_function,                                                                                   \
    (const char* name, size_t name_size, const char* args, size_t args_size, char** result, size_t* result_size),  \
    (name, name_size, args, args_size, result, result_size),                                                       \
    kAlways | kNotFound | kBadArgument | kSerializationFailure | kParseFailure | kInvalidMemoryAccess |             \
        kUnimplemented)                                                                                            \
  /* Buffers. */                                                                                                   \
  X(proxy_get_buffer_bytes, (uint32_t type, size_t start, size_t max_size, char** data, size_t* size),             \
    (type, start, max_size, data, size), kAlways | kBadArgument | kNotFound | kInvalidMemoryAccess)                \
  X(proxy_set_buffer_bytes, (uint32_t type, size_t start, size_t size, const char* data, size_t data_size),        \
    (type, start, size, data, data_size), kAlways | kBadArgument | kNotFound | kInvalidMemoryAccess)               \
  X(proxy_get_buffer_status, (uint32_t type, size_t* size, uint32_t* flags), (type, size, flags),                  \
    kAlways | kBadArgument | kNotFound | kInvalidMemoryAccess)                                                     \
  /* Header and metadata maps. */                                                                                  \
  X(proxy_get_header_map_size, (uint32_t type, size_t* size), (type, size),                                        \
    kAlways | kBadArgument | kInvalidMemoryAccess)                                                                 \
  X(proxy_get_header_map_pairs, (uint32_t type, char** data, size_t* size), (type, data, size),                    \
    kAlways | kBadArgument | kInvalidMemoryAccess)                                                                 \
  X(proxy_set_header_map_pairs, (uint32_t type, const char* data, size_t size), (type, data, size),                \
    kAlways | kBadArgument | kInvalidMemoryAccess)                                                                 \
  X(proxy_get_header_map_value,                                                                                    \
    (uint32_t type, const char* key, size_t key_size, char** value, size_t* value_size),                           \
    (type, key, key_size, value, value_size), kAlways | kBadArgument | kNotFound | kInvalidMemoryAccess)           \
  X(proxy_add_header_map_value,                                                                                    \
    (uint32_t type, const char* key, size_t key_size, const char* value, size_t value_size),                       \
    (type, key, key_size, value, value_size), kAlways | kBadArgument | kInvalidMemoryAccess)                       \
  X(proxy_replace_header_map_value,                                                                                \
    (uint32_t type, const char* key, size_t key_size, const char* value, size_t value_size),                       \
    (type, key, key_size, value, value_size), kAlways | kBadArgument | kInvalidMemoryAccess)                       \
  X(proxy_remove_header_map_value, (uint32_t type, const char* key, size_t key_size), (type, key, key_size),        \
    kAlways | kBadArgument | kInvalidMemoryAccess)                                                                 \
  /* Stream control. */                                                                                            \
  X(proxy_continue_stream, (uint32_t stream_type), (stream_type), kAlways | kBadArgument | kUnimplemented)         \
  X(proxy_close_stream, (uint32_t stream_type), (stream_type), kAlways | kBadArgument)                             \
  X(proxy_send_local_response,                                                                                     \
    (uint32_t status_code, const char* details, size_t details_size, const char* body, size_t body_size,           \
     const char* headers, size_t headers_size, uint32_t grpc_status),                                              \
    (status_code, details, details_size, body, body_size, headers, headers_size, grpc_status),                     \
    kAlways | kBadArgument | kInvalidMemoryAccess)                                                                 \
  X(proxy_get_status, (uint32_t * status_code, char** message, size_t* message_size),                              \
    (status_code, message, message_size), kAlways | kInvalidMemoryAccess)                                          \
  /* HTTP and gRPC callouts. */                                                                                    \
  X(proxy_http_call,                                                                                               \
    (const char* upstream, size_t upstream_size, const char* headers, size_t headers_size, const char* body,       \
     size_t body_size, const char* trailers, size_t trailers_size, uint32_t timeout_milliseconds, uint32_t* token), \
    (upstream, upstream_size, headers, headers_size, body, body_size, trailers, trailers_size,                     \
     timeout_milliseconds, token),                                                                                 \
    kAlways | kBadArgument | kInvalidMemoryAccess)                                                                 \
  X(proxy_grpc_call,                                                                                               \
    (const char* upstream, size_t upstream_size, const char* service, size_t service_size, const char* method,     \
     size_t method_size, const char* metadata, size_t metadata_size, const char* message, size_t message_size,     \
     uint32_t timeout_milliseconds, uint32_t* token),                                                              \
    (upstream, upstream_size, service, service_size, method, method_size, metadata, metadata_size, message,        \
     message_size, timeout_milliseconds, token),                                                                   \
    kAlways | kBadArgument | kParseFailure | kInvalidMemoryAccess)                                                 \
  X(proxy_grpc_stream,                                                                                             \
    (const char* upstream, size_t upstream_size, const char* service, size_t service_size, const char* method,     \
     size_t method_size, const char* metadata, size_t metadata_size, uint32_t* token),                             \
    (upstream, upstream_size, service, service_size, method, method_size, metadata, metadata_size, token),         \
    kAlways | kBadArgument | kParseFailure | kInvalidMemoryAccess)                                                 \
  X(proxy_grpc_send, (uint32_t token, const char* message, size_t message_size, uint32_t end_stream),              \
    (token, message, message_size, end_stream), kAlways | kBadArgument | kNotFound | kInvalidMemoryAccess)         \
  X(proxy_grpc_cancel, (uint32_t token), (token), kAlways | kBadArgument | kNotFound)                              \
  X(proxy_grpc_close, (uint32_t token), (token), kAlways | kBadArgument | kNotFound)                               \
  /* Shared data and queues. */                                                                                    \
  X(proxy_get_shared_data, (const char* key, size_t key_size, char** value, size_t* value_size, uint32_t* cas),    \
    (key, key_size, value, value_size, cas), kAlways | kNotFound | kInvalidMemoryAccess)                           \
  X(proxy_set_shared_data, (const char* key, size_t key_size, const char* value, size_t value_size, uint32_t cas), \
    (key, key_size, value, value_size, cas), kAlways | kCasMismatch | kInvalidMemoryAccess)                        \
  X(proxy_register_shared_queue, (const char* name, size_t name_size, uint32_t* queue_id),                         \
    (name, name_size, queue_id), kAlways | kInvalidMemoryAccess)                                                   \
  X(proxy_resolve_shared_queue,                                                                                    \
    (const char* vm_id, size_t vm_id_size, const char* name, size_t name_size, uint32_t* queue_id),                \
    (vm_id, vm_id_size, name, name_size, queue_id), kAlways | kNotFound | kInvalidMemoryAccess)                    \
  X(proxy_enqueue_shared_queue, (uint32_t queue_id, const char* data, size_t size), (queue_id, data, size),        \
    kAlways | kNotFound | kInvalidMemoryAccess)                                                                    \
  X(proxy_dequeue_shared_queue, (uint32_t queue_id, char** data, size_t* size), (queue_id, data, size),            \
    kAlways | kNotFound | kEmpty | kInvalidMemoryAccess)                                                           \
  /* Metrics. */                                                                                                   \
  X(proxy_define_metric, (uint32_t type, const char* name, size_t name_size, uint32_t* metric_id),                 \
    (type, name, name_size, metric_id), kAlways | kBadArgument | kInvalidMemoryAccess)                             \
  X(proxy_increment_metric, (uint32_t metric_id, int64_t offset), (metric_id, offset),                             \
    kAlways | kNotFound | kBadArgument)                                                                            \
  X(proxy_record_metric, (uint32_t metric_id, uint64_t value), (metric_id, value), kAlways | kNotFound)            \
  X(proxy_get_metric, (uint32_t metric_id, uint64_t * value), (metric_id, value),                                  \
    kAlways | kNotFound | kBadArgument | kInvalidMemoryAccess)                                                     \
  /* Properties. */                                                                                                \
  X(proxy_get_property, (const char* path, size_t path_size, char** value, size_t* value_size),                    \
    (path, path_size, value, value_size), kAlways | kNotFound | kSerializationFailure | kInvalidMemoryAccess)       \
  X(proxy_set_property, (const char* path, size_t path_size, const char* value, size_t value_size),                \
    (path, path_size, value, value_size), kAlways | kNotFound | kBadArgument | kInvalidMemoryAccess)

// Every callback a v0.2.1 module may export (besides `_initialize` and the ABI marker):
//   X(name, result type, (typed parameters), (argument names))
// Results are u32 (an Action, or 1/0 for success) or nothing; the allocator returns a
// pointer (i32 in wasm).
#define PROXY_WASM_ABI_V0_2_1_EXPORTS(X)                                                                        \
  X(proxy_on_memory_allocate, void*, (size_t size), (size))                                                      \
  X(proxy_on_context_create, void, (uint32_t context_id, uint32_t parent_context_id),                            \
    (context_id, parent_context_id))                                                                             \
  X(proxy_on_vm_start, uint32_t, (uint32_t root_context_id, uint32_t vm_configuration_size),                     \
    (root_context_id, vm_configuration_size))                                                                    \
  X(proxy_on_configure, uint32_t, (uint32_t root_context_id, uint32_t plugin_configuration_size),                \
    (root_context_id, plugin_configuration_size))                                                                \
  X(proxy_on_tick, void, (uint32_t root_context_id), (root_context_id))                                          \
  X(proxy_on_queue_ready, void, (uint32_t root_context_id, uint32_t queue_id), (root_context_id, queue_id))      \
  X(proxy_on_foreign_function, void, (uint32_t root_context_id, uint32_t function_id, uint32_t arguments_size),   \
    (root_context_id, function_id, arguments_size))                                                              \
  X(proxy_on_new_connection, uint32_t, (uint32_t context_id), (context_id))                                      \
  X(proxy_on_downstream_data, uint32_t, (uint32_t context_id, uint32_t data_size, uint32_t end_of_stream),       \
    (context_id, data_size, end_of_stream))                                                                      \
  X(proxy_on_upstream_data, uint32_t, (uint32_t context_id, uint32_t data_size, uint32_t end_of_stream),         \
    (context_id, data_size, end_of_stream))                                                                      \
  X(proxy_on_downstream_connection_close, void, (uint32_t context_id, uint32_t peer_type),                       \
    (context_id, peer_type))                                                                                     \
  X(proxy_on_upstream_connection_close, void, (uint32_t context_id, uint32_t peer_type), (context_id, peer_type)) \
  X(proxy_on_request_headers, uint32_t, (uint32_t context_id, uint32_t headers, uint32_t end_of_stream),         \
    (context_id, headers, end_of_stream))                                                                        \
  X(proxy_on_request_body, uint32_t, (uint32_t context_id, uint32_t body_size, uint32_t end_of_stream),          \
    (context_id, body_size, end_of_stream))                                                                      \
  X(proxy_on_request_trailers, uint32_t, (uint32_t context_id, uint32_t trailers), (context_id, trailers))       \
  X(proxy_on_response_headers, uint32_t, (uint32_t context_id, uint32_t headers, uint32_t end_of_stream),        \
    (context_id, headers, end_of_stream))                                                                        \
  X(proxy_on_response_body, uint32_t, (uint32_t context_id, uint32_t body_size, uint32_t end_of_stream),         \
    (context_id, body_size, end_of_stream))                                                                      \
  X(proxy_on_response_trailers, uint32_t, (uint32_t context_id, uint32_t trailers), (context_id, trailers))      \
  X(proxy_on_http_call_response, void,                                                                           \
    (uint32_t root_context_id, uint32_t token, uint32_t headers, uint32_t body_size, uint32_t trailers),         \
    (root_context_id, token, headers, body_size, trailers))                                                      \
  X(proxy_on_grpc_receive_initial_metadata, void, (uint32_t root_context_id, uint32_t token, uint32_t headers),  \
    (root_context_id, token, headers))                                                                           \
  X(proxy_on_grpc_receive, void, (uint32_t root_context_id, uint32_t token, uint32_t message_size),              \
    (root_context_id, token, message_size))                                                                      \
  X(proxy_on_grpc_receive_trailing_metadata, void, (uint32_t root_context_id, uint32_t token, uint32_t trailers), \
    (root_context_id, token, trailers))                                                                          \
  X(proxy_on_grpc_close, void, (uint32_t root_context_id, uint32_t token, uint32_t status_code),                 \
    (root_context_id, token, status_code))                                                                       \
  X(proxy_on_done, uint32_t, (uint32_t context_id), (context_id))                                                \
  X(proxy_on_log, void, (uint32_t context_id), (context_id))                                                     \
  X(proxy_on_delete, void, (uint32_t context_id), (context_id))

#if defined(__wasm__)
#define PROXY_WASM_IMPORT(name) __attribute__((import_module("env"), import_name(#name)))
#else
#define PROXY_WASM_IMPORT(name)
#endif

extern "C" {
#define PROXY_WASM_DECLARE_IMPORT(name, params, args, statuses) PROXY_WASM_IMPORT(name) uint32_t name params;
PROXY_WASM_ABI_V0_2_1_IMPORTS(PROXY_WASM_DECLARE_IMPORT)
#undef PROXY_WASM_DECLARE_IMPORT
}  // extern "C"
