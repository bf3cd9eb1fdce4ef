// The raw Proxy-Wasm ABI "vNEXT" draft, as data: every host function a vNEXT module may
// import and every callback it may export, listed once, with the draft's wire enums. This is
// the draft as reviewed in 2020 (the fc772fa function set, with f1b5253's iovec map calls and
// kvstore signatures and cc53262's gRPC parameter names); docs/vnext.md tells it in prose,
// with every choice this SDK made where the draft is ambiguous. No production host runs it.
//
// Like abi/v0_2_1.h, everything that needs the draft's shape is generated from these lists:
// the raw import declarations below, the vNEXT backend's exports, the mock host's vNEXT
// adapters, the engine's vNEXT import table and the checker.
//
// Several draft functions share a wire name with a v0.2.1 function of another signature or
// other enum values (`proxy_log`, `proxy_on_context_create`, `proxy_on_queue_ready`, ...).
// In wasm each is imported or exported under its exact wire name; the C symbols carry a
// `vnext_` prefix (`vnext_proxy_log`), so that natively, where the mock host provides the
// imports and calls the exports as C functions, both ABIs can live in one process.
//
// Pointer and size parameters are `const char*` / `size_t`, and an iovec is
// {pointer, size}: on wasm32 all are i32 (an iovec is 8 bytes, {u32 address, u32 length}),
// as the draft requires; natively they are full-width and the mock host reads them directly.
#pragma once

#include <cstddef>
#include <cstdint>

namespace proxy_wasm {
namespace vnext {

/// The draft's wire enums (fc772fa "Built-in types"). Mostly 1-based, unlike v0.2.1.
namespace wire {
/// `proxy_result_t`, what every host function returns.
enum Result : uint32_t {
  kOk = 0,
  kEmpty = 1,
  kNotFound = 2,
  kNotAllowed = 3,
  kBadArgument = 4,
  kInvalidMemoryAccess = 5,
  kInvalidOperation = 6,
  kCompareAndSwapMismatch = 7,
};
/// `proxy_action_t`, what stream callbacks return (0 is undefined).
enum Action : uint32_t {
  kContinue = 1,
  kEndStream = 2,
  kDone = 3,
  kPause = 4,
  kWaitForMoreData = 5,
  kWaitForEndOrFull = 6,
  kClose = 7,
};
/// `proxy_log_level_t` (no Critical).
enum LogLevel : uint32_t { kTrace = 1, kDebug = 2, kInfo = 3, kWarning = 4, kError = 5 };
/// `proxy_context_type_t`, the third parameter of proxy_on_context_create.
enum ContextType : uint32_t { kVmContext = 1, kPluginContext = 2, kStreamContext = 3, kHttpContext = 4 };
/// `proxy_stream_type_t`: resume/close_stream take the first two, the _http_stream ones the others.
enum StreamType : uint32_t { kDownstream = 1, kUpstream = 2, kHttpRequest = 3, kHttpResponse = 4 };
/// `proxy_close_source_type_t`, of proxy_on_downstream_close/proxy_on_upstream_close.
enum CloseSource : uint32_t { kLocal = 1, kRemote = 2 };
/// `proxy_buffer_type_t`.
enum BufferType : uint32_t {
  kVmConfiguration = 1,
  kPluginConfiguration = 2,
  kDownstreamData = 3,
  kUpstreamData = 4,
  kHttpRequestBody = 5,
  kHttpResponseBody = 6,
  kHttpCalloutResponseBody = 7,
};
/// `proxy_map_type_t`.
enum MapType : uint32_t {
  kHttpRequestHeaders = 1,
  kHttpRequestTrailers = 2,
  kHttpRequestMetadata = 3,
  kHttpResponseHeaders = 4,
  kHttpResponseTrailers = 5,
  kHttpResponseMetadata = 6,
  kHttpCallResponseHeaders = 7,
  kHttpCallResponseTrailers = 8,
  kHttpCallResponseMetadata = 9,
};
/// `proxy_metric_type_t`.
enum MetricType : uint32_t { kCounter = 1, kGauge = 2, kHistogram = 3 };

// Largest valid value of each enum (hosts answer BadArgument outside 1..max).
inline constexpr uint32_t kMaxLogLevel = kError;                      ///< Largest proxy_log_level_t.
inline constexpr uint32_t kMaxStreamType = kHttpResponse;             ///< Largest proxy_stream_type_t.
inline constexpr uint32_t kMaxBufferType = kHttpCalloutResponseBody;  ///< Largest proxy_buffer_type_t.
inline constexpr uint32_t kMaxMapType = kHttpCallResponseMetadata;    ///< Largest proxy_map_type_t.
inline constexpr uint32_t kMaxMetricType = kHistogram;                ///< Largest proxy_metric_type_t.
inline constexpr uint32_t kMaxAction = kClose;                        ///< Largest proxy_action_t.

/// Results as bits, for the lists' status masks.
enum ResultBit : uint32_t {
  kOkBit = 1u << kOk,
  kEmptyBit = 1u << kEmpty,
  kNotFoundBit = 1u << kNotFound,
  kNotAllowedBit = 1u << kNotAllowed,
  kBadArgumentBit = 1u << kBadArgument,
  kInvalidMemoryAccessBit = 1u << kInvalidMemoryAccess,
  kInvalidOperationBit = 1u << kInvalidOperation,
  kCasMismatchBit = 1u << kCompareAndSwapMismatch,
};
/// Every host function that takes a pointer or a size answers InvalidMemoryAccess when one
/// is outside the module's memory.
inline constexpr uint32_t kOkOrIma = kOkBit | kInvalidMemoryAccessBit;
}  // namespace wire

/// `iovec_t`: a run of bytes in the module's memory. `iovec_array_t` is a contiguous run of
/// them; a map (`iovec_array_t[]`) is a run of iovecs whose `data` points at an inner
/// `iovec_array_t` ([key, value...]) and whose `size` counts its iovecs. Every `*_size`
/// that goes with an iovec array counts iovecs, not bytes.
struct Iovec {
  const char* data;  ///< Where the bytes (or, in a map, the inner iovec array) start.
  size_t size;       ///< How many bytes (or, in a map, how many iovecs in the inner array).
};
#if defined(__wasm32__)
static_assert(sizeof(Iovec) == 8 && alignof(Iovec) == 4 && offsetof(Iovec, size) == 4,
              "a vNEXT iovec is {u32 address, u32 length} in wasm32 memory");
#endif

}  // namespace vnext
}  // namespace proxy_wasm

// Every host function of the draft:
//   X(name, (typed parameters), (argument names), statuses)
// All return a `proxy_result_t` (u32). `statuses` is a mask of vnext::wire::ResultBit
// (evaluate it where `using namespace proxy_wasm::vnext::wire;` is in effect): what the draft
// says each may return. Outputs are written through the `return_*` pointers; returned data
// is allocated in the module with proxy_on_memory_allocate and owned by it.
#define PROXY_WASM_ABI_VNEXT_IMPORTS(X)                                                                           \
  /* Logging and contexts. */                                                                                      \
  X(proxy_log, (uint32_t log_level, const char* message, size_t message_size), (log_level, message, message_size),  \
    kOkOrIma | kBadArgumentBit)                                                                                    \
  X(proxy_set_effective_context, (uint32_t context_id), (context_id), kOkBit | kBadArgumentBit)                    \
  X(proxy_context_finalize, (), (), kOkBit)                                                                        \
  /* Stream control. */                                                                                            \
  X(proxy_resume_stream, (uint32_t stream_type), (stream_type), kOkBit | kBadArgumentBit | kInvalidOperationBit)    \
  X(proxy_close_stream, (uint32_t stream_type), (stream_type), kOkBit | kBadArgumentBit | kInvalidOperationBit)     \
  X(proxy_resume_http_stream, (uint32_t stream_type), (stream_type),                                               \
    kOkBit | kBadArgumentBit | kInvalidOperationBit)                                                               \
  X(proxy_close_http_stream, (uint32_t stream_type), (stream_type),                                                \
    kOkBit | kBadArgumentBit | kInvalidOperationBit)                                                               \
  X(proxy_send_http_response,                                                                                      \
    (uint32_t response_code, const char* response_code_details, size_t response_code_details_size,                 \
     const char* response_body, size_t response_body_size,                                                         \
     const ::proxy_wasm::vnext::Iovec* additional_headers_map, size_t additional_headers_size, uint32_t grpc_status), \
    (response_code, response_code_details, response_code_details_size, response_body, response_body_size,          \
     additional_headers_map, additional_headers_size, grpc_status),                                                \
    kOkOrIma | kBadArgumentBit)                                                                                    \
  /* Buffers. */                                                                                                   \
  X(proxy_get_buffer,                                                                                              \
    (uint32_t buffer_type, size_t offset, size_t max_size, char** return_buffer_data, size_t* return_buffer_size),  \
    (buffer_type, offset, max_size, return_buffer_data, return_buffer_size),                                       \
    kOkOrIma | kBadArgumentBit | kEmptyBit)                                                                        \
  X(proxy_set_buffer, (uint32_t buffer_type, size_t offset, size_t size, const char* buffer_data, size_t buffer_size), \
    (buffer_type, offset, size, buffer_data, buffer_size), kOkOrIma | kBadArgumentBit)                             \
  /* Maps (f1b5253): [key, value...] lists as iovecs. */                                                          \
  X(proxy_get_map_values,                                                                                          \
    (uint32_t map_type, const ::proxy_wasm::vnext::Iovec* keys, size_t keys_size,                                  \
     ::proxy_wasm::vnext::Iovec** return_map_data, size_t* return_map_size),                                       \
    (map_type, keys, keys_size, return_map_data, return_map_size), kOkOrIma | kBadArgumentBit)                     \
  X(proxy_set_map_values,                                                                                          \
    (uint32_t map_type, const ::proxy_wasm::vnext::Iovec* remove_keys, size_t remove_keys_size,                    \
     const ::proxy_wasm::vnext::Iovec* map_data, size_t map_size),                                                 \
    (map_type, remove_keys, remove_keys_size, map_data, map_size), kOkOrIma | kBadArgumentBit)                     \
  /* Shared key-value stores (id 0: the global store, always open). */                                            \
  X(proxy_open_shared_kvstore,                                                                                     \
    (const char* kvstore_name, size_t kvstore_name_size, uint32_t create_if_not_exist, uint32_t* return_kvstore_id), \
    (kvstore_name, kvstore_name_size, create_if_not_exist, return_kvstore_id), kOkOrIma | kNotFoundBit)            \
  X(proxy_get_shared_kvstore_key_values,                                                                           \
    (uint32_t kvstore_id, const char* key, size_t key_size, ::proxy_wasm::vnext::Iovec** return_values_data,       \
     size_t* return_values_size, uint32_t* return_cas),                                                            \
    (kvstore_id, key, key_size, return_values_data, return_values_size, return_cas),                               \
    kOkOrIma | kBadArgumentBit | kNotFoundBit)                                                                     \
  X(proxy_set_shared_kvstore_key_values,                                                                           \
    (uint32_t kvstore_id, const char* key, size_t key_size, const ::proxy_wasm::vnext::Iovec* values,              \
     size_t values_size, uint32_t cas),                                                                            \
    (kvstore_id, key, key_size, values, values_size, cas), kOkOrIma | kBadArgumentBit | kCasMismatchBit)           \
  X(proxy_add_shared_kvstore_key_values,                                                                           \
    (uint32_t kvstore_id, const char* key, size_t key_size, const ::proxy_wasm::vnext::Iovec* values,              \
     size_t values_size, uint32_t cas),                                                                            \
    (kvstore_id, key, key_size, values, values_size, cas), kOkOrIma | kBadArgumentBit | kCasMismatchBit)           \
  X(proxy_remove_shared_kvstore_key, (uint32_t kvstore_id, const char* key, size_t key_size, uint32_t cas),        \
    (kvstore_id, key, key_size, cas), kOkOrIma | kBadArgumentBit | kCasMismatchBit)                                \
  X(proxy_delete_shared_kvstore, (uint32_t kvstore_id), (kvstore_id), kOkBit | kBadArgumentBit)                    \
  /* Shared queues (id 0: the global queue). */                                                                   \
  X(proxy_open_shared_queue,                                                                                       \
    (const char* queue_name, size_t queue_name_size, uint32_t create_if_not_exist, uint32_t* return_queue_id),     \
    (queue_name, queue_name_size, create_if_not_exist, return_queue_id), kOkOrIma | kNotFoundBit)                  \
  X(proxy_dequeue_shared_queue_item, (uint32_t queue_id, char** return_payload_data, size_t* return_payload_size), \
    (queue_id, return_payload_data, return_payload_size), kOkOrIma | kBadArgumentBit | kEmptyBit)                  \
  X(proxy_enqueue_shared_queue_item, (uint32_t queue_id, const char* payload_data, size_t payload_size),           \
    (queue_id, payload_data, payload_size), kOkOrIma | kBadArgumentBit)                                            \
  X(proxy_delete_shared_queue, (uint32_t queue_id), (queue_id), kOkBit | kBadArgumentBit)                          \
  /* Timers. */                                                                                                    \
  X(proxy_create_timer, (uint32_t period, uint32_t one_time, uint32_t* return_timer_id),                           \
    (period, one_time, return_timer_id), kOkOrIma)                                                                 \
  X(proxy_delete_timer, (uint32_t timer_id), (timer_id), kOkBit | kBadArgumentBit)                                 \
  /* Metrics. */                                                                                                   \
  X(proxy_create_metric,                                                                                           \
    (uint32_t metric_type, const char* metric_name, size_t metric_name_size, uint32_t* return_metric_id),          \
    (metric_type, metric_name, metric_name_size, return_metric_id), kOkOrIma | kBadArgumentBit)                    \
  X(proxy_get_metric_value, (uint32_t metric_id, uint64_t * return_value), (metric_id, return_value),              \
    kOkOrIma | kBadArgumentBit)                                                                                    \
  X(proxy_set_metric_value, (uint32_t metric_id, uint64_t value), (metric_id, value),                              \
    kOkBit | kBadArgumentBit | kInvalidOperationBit)                                                               \
  X(proxy_increment_metric_value, (uint32_t metric_id, int64_t offset), (metric_id, offset),                       \
    kOkBit | kBadArgumentBit | kInvalidOperationBit)                                                               \
  X(proxy_delete_metric, (uint32_t metric_id), (metric_id), kOkBit | kBadArgumentBit)                              \
  /* HTTP and gRPC callouts (cc53262's names). */                                                                 \
  X(proxy_dispatch_http_call,                                                                                      \
    (const char* upstream_name, size_t upstream_name_size, const ::proxy_wasm::vnext::Iovec* headers_map,          \
     size_t headers_size, const char* body, size_t body_size, const ::proxy_wasm::vnext::Iovec* trailers_map,      \
     size_t trailers_size, uint32_t timeout_milliseconds, uint32_t* return_callout_id),                            \
    (upstream_name, upstream_name_size, headers_map, headers_size, body, body_size, trailers_map, trailers_size,    \
     timeout_milliseconds, return_callout_id),                                                                     \
    kOkOrIma | kNotFoundBit | kNotAllowedBit)                                                                      \
  X(proxy_dispatch_grpc_call,                                                                                      \
    (const char* upstream_name, size_t upstream_name_size, const char* service_name, size_t service_name_size,     \
     const char* service_method, size_t service_method_size, const ::proxy_wasm::vnext::Iovec* initial_metadata_map, \
     size_t initial_metadata_size, const char* grpc_message, size_t grpc_message_size,                             \
     uint32_t timeout_milliseconds, uint32_t* return_callout_id),                                                  \
    (upstream_name, upstream_name_size, service_name, service_name_size, service_method, service_method_size,      \
     initial_metadata_map, initial_metadata_size, grpc_message, grpc_message_size, timeout_milliseconds,           \
     return_callout_id),                                                                                           \
    kOkOrIma | kNotFoundBit | kNotAllowedBit)                                                                      \
  X(proxy_open_grpc_stream,                                                                                        \
    (const char* upstream_name, size_t upstream_name_size, const char* service_name, size_t service_name_size,     \
     const char* service_method, size_t service_method_size, const ::proxy_wasm::vnext::Iovec* initial_metadata_map, \
     size_t initial_metadata_size, uint32_t* return_callout_id),                                                   \
    (upstream_name, upstream_name_size, service_name, service_name_size, service_method, service_method_size,      \
     initial_metadata_map, initial_metadata_size, return_callout_id),                                              \
    kOkOrIma | kNotFoundBit | kNotAllowedBit)                                                                      \
  X(proxy_send_grpc_stream_message, (uint32_t callout_id, const char* grpc_message, size_t grpc_message_size),     \
    (callout_id, grpc_message, grpc_message_size), kOkOrIma | kBadArgumentBit)                                     \
  X(proxy_cancel_grpc_call, (uint32_t callout_id), (callout_id), kOkBit | kBadArgumentBit)                         \
  X(proxy_close_grpc_call, (uint32_t callout_id), (callout_id), kOkBit | kBadArgumentBit)                          \
  /* Custom extension points. */                                                                                   \
  X(proxy_call_custom_function,                                                                                    \
    (uint32_t custom_function_id, const char* parameters, size_t parameters_size, char** return_results_data,      \
     size_t* return_results_size),                                                                                 \
    (custom_function_id, parameters, parameters_size, return_results_data, return_results_size),                   \
    kOkOrIma | kNotFoundBit)

// Every callback a vNEXT module may export (besides `_initialize` and the ABI marker
// `proxy_abi_version_vnext`):
//   X(name, result type, (typed parameters), (argument names))
// Results are u32 (a proxy_action_t, a bool, a context id or a custom return code) or
// nothing; the allocator returns a pointer (i32 in wasm).
#define PROXY_WASM_ABI_VNEXT_EXPORTS(X)                                                                         \
  X(proxy_on_memory_allocate, void*, (size_t memory_size), (memory_size))                                        \
  X(proxy_on_context_create, uint32_t, (uint32_t context_id, uint32_t parent_context_id, uint32_t context_type), \
    (context_id, parent_context_id, context_type))                                                               \
  X(proxy_on_context_finalize, uint32_t, (uint32_t context_id), (context_id))                                    \
  X(proxy_on_vm_start, uint32_t, (uint32_t vm_id, uint32_t vm_configuration_size), (vm_id, vm_configuration_size)) \
  X(proxy_on_plugin_start, uint32_t, (uint32_t plugin_id, uint32_t plugin_configuration_size),                   \
    (plugin_id, plugin_configuration_size))                                                                      \
  X(proxy_on_new_connection, uint32_t, (uint32_t stream_id), (stream_id))                                        \
  X(proxy_on_downstream_data, uint32_t, (uint32_t stream_id, uint32_t data_size, uint32_t end_of_stream),        \
    (stream_id, data_size, end_of_stream))                                                                       \
  X(proxy_on_downstream_close, void, (uint32_t context_id, uint32_t close_source), (context_id, close_source))   \
  X(proxy_on_upstream_data, uint32_t, (uint32_t stream_id, uint32_t data_size, uint32_t end_of_stream),          \
    (stream_id, data_size, end_of_stream))                                                                       \
  X(proxy_on_upstream_close, void, (uint32_t stream_id, uint32_t close_source), (stream_id, close_source))       \
  X(proxy_on_http_request_headers, uint32_t, (uint32_t stream_id, uint32_t num_headers, uint32_t end_of_stream), \
    (stream_id, num_headers, end_of_stream))                                                                     \
  X(proxy_on_http_request_body, uint32_t, (uint32_t stream_id, uint32_t body_size, uint32_t end_of_stream),      \
    (stream_id, body_size, end_of_stream))                                                                       \
  X(proxy_on_http_request_trailers, uint32_t, (uint32_t stream_id, uint32_t num_trailers, uint32_t end_of_stream), \
    (stream_id, num_trailers, end_of_stream))                                                                    \
  X(proxy_on_http_request_metadata, uint32_t, (uint32_t stream_id, uint32_t num_elements),                      \
    (stream_id, num_elements))                                                                                   \
  X(proxy_on_http_response_headers, uint32_t, (uint32_t stream_id, uint32_t num_headers, uint32_t end_of_stream), \
    (stream_id, num_headers, end_of_stream))                                                                     \
  X(proxy_on_http_response_body, uint32_t, (uint32_t stream_id, uint32_t body_size, uint32_t end_of_stream),     \
    (stream_id, body_size, end_of_stream))                                                                       \
  X(proxy_on_http_response_trailers, uint32_t,                                                                   \
    (uint32_t stream_id, uint32_t num_trailers, uint32_t end_of_stream), (stream_id, num_trailers, end_of_stream)) \
  X(proxy_on_http_response_metadata, uint32_t, (uint32_t stream_id, uint32_t num_elements),                     \
    (stream_id, num_elements))                                                                                   \
  X(proxy_on_queue_ready, void, (uint32_t queue_id), (queue_id))                                                 \
  X(proxy_on_timer_ready, void, (uint32_t timer_id), (timer_id))                                                 \
  X(proxy_on_http_call_response, void,                                                                           \
    (uint32_t callout_id, uint32_t num_headers, uint32_t body_size, uint32_t num_trailers),                      \
    (callout_id, num_headers, body_size, num_trailers))                                                          \
  X(proxy_on_grpc_call_response_header_metadata, void, (uint32_t callout_id, uint32_t num_headers),              \
    (callout_id, num_headers))                                                                                   \
  X(proxy_on_grpc_call_response_message, void, (uint32_t callout_id, uint32_t message_size),                     \
    (callout_id, message_size))                                                                                  \
  X(proxy_on_grpc_call_response_trailer_metadata, void, (uint32_t callout_id, uint32_t num_trailers),            \
    (callout_id, num_trailers))                                                                                  \
  X(proxy_on_grpc_call_close, void, (uint32_t callout_id, uint32_t status_code), (callout_id, status_code))      \
  X(proxy_on_custom_callback, uint32_t, (uint32_t custom_callback_id, uint32_t parameters_size),                 \
    (custom_callback_id, parameters_size))

// The import attribute, as abi/v0_2_1.h defines it (an identical definition).
#if defined(__wasm__)
#define PROXY_WASM_IMPORT(name) __attribute__((import_module("env"), import_name(#name)))
#else
#define PROXY_WASM_IMPORT(name)
#endif

extern "C" {
#define PROXY_WASM_DECLARE_VNEXT_IMPORT(name, params, args, statuses) \
  PROXY_WASM_IMPORT(name) uint32_t vnext_##name params;
PROXY_WASM_ABI_VNEXT_IMPORTS(PROXY_WASM_DECLARE_VNEXT_IMPORT)
#undef PROXY_WASM_DECLARE_VNEXT_IMPORT
}  // extern "C"
