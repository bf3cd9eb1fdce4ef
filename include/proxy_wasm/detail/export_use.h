// Which callbacks a module exports. A host calls an exported callback for every event of
// its kind (Envoy: proxy_on_log and proxy_on_done for every HTTP stream), and treats an
// absent one as "nothing to do" (Continue, true, no-op: the same as the SDK's defaults). So
// a wasm module exports only the callbacks its code can use:
//   - always: proxy_on_memory_allocate, proxy_on_context_create, proxy_on_vm_start,
//     proxy_on_configure, proxy_on_delete (exports.h);
//   - a context type's callbacks when a registered type overrides them (registry.h): the
//     HTTP and TCP stream callbacks, proxy_on_done, proxy_on_log, proxy_on_tick,
//     proxy_on_queue_ready, proxy_on_foreign_function;
//   - proxy_on_tick when the plugin arms a timer or a tick period; the callout callbacks
//     when it makes that kind of callout (context.h).
// Each optional export is a member of a class template (exports.h), instantiated (and so
// emitted, being `used`) only by a PROXY_WASM_USE_EXPORT that is itself instantiated.
// Natively every export exists (the mock host links them by name) and this is a no-op.
#pragma once

#include "proxy_wasm/abi.h"

namespace proxy_wasm::detail {

#define PROXY_WASM_DECLARE_EXPORT_TEMPLATE(name, result, params, args) \
  template <int Zero>                                                  \
  struct Export_##name;
#if !PROXY_WASM_ABI_VNEXT
PROXY_WASM_ABI_V0_2_1_EXPORTS(PROXY_WASM_DECLARE_EXPORT_TEMPLATE)
#else
PROXY_WASM_ABI_VNEXT_EXPORTS(PROXY_WASM_DECLARE_EXPORT_TEMPLATE)
// The SDK names callbacks by their v0.2.1 names; on vNEXT each names the draft callback
// that carries its event (docs/vnext.md), so one PROXY_WASM_USE_EXPORT serves both ABIs.
#define PROXY_WASM_VNEXT_EXPORT_ALIAS(v021, draft) \
  template <int Zero>                              \
  using Export_##v021 = Export_##draft<Zero>;
PROXY_WASM_VNEXT_EXPORT_ALIAS(proxy_on_tick, proxy_on_timer_ready)
PROXY_WASM_VNEXT_EXPORT_ALIAS(proxy_on_done, proxy_on_context_finalize)
PROXY_WASM_VNEXT_EXPORT_ALIAS(proxy_on_log, proxy_on_context_finalize)
PROXY_WASM_VNEXT_EXPORT_ALIAS(proxy_on_foreign_function, proxy_on_custom_callback)
PROXY_WASM_VNEXT_EXPORT_ALIAS(proxy_on_downstream_connection_close, proxy_on_downstream_close)
PROXY_WASM_VNEXT_EXPORT_ALIAS(proxy_on_upstream_connection_close, proxy_on_upstream_close)
PROXY_WASM_VNEXT_EXPORT_ALIAS(proxy_on_request_headers, proxy_on_http_request_headers)
PROXY_WASM_VNEXT_EXPORT_ALIAS(proxy_on_request_body, proxy_on_http_request_body)
PROXY_WASM_VNEXT_EXPORT_ALIAS(proxy_on_request_trailers, proxy_on_http_request_trailers)
PROXY_WASM_VNEXT_EXPORT_ALIAS(proxy_on_response_headers, proxy_on_http_response_headers)
PROXY_WASM_VNEXT_EXPORT_ALIAS(proxy_on_response_body, proxy_on_http_response_body)
PROXY_WASM_VNEXT_EXPORT_ALIAS(proxy_on_response_trailers, proxy_on_http_response_trailers)
PROXY_WASM_VNEXT_EXPORT_ALIAS(proxy_on_grpc_receive_initial_metadata, proxy_on_grpc_call_response_header_metadata)
PROXY_WASM_VNEXT_EXPORT_ALIAS(proxy_on_grpc_receive, proxy_on_grpc_call_response_message)
PROXY_WASM_VNEXT_EXPORT_ALIAS(proxy_on_grpc_receive_trailing_metadata, proxy_on_grpc_call_response_trailer_metadata)
PROXY_WASM_VNEXT_EXPORT_ALIAS(proxy_on_grpc_close, proxy_on_grpc_call_close)
#undef PROXY_WASM_VNEXT_EXPORT_ALIAS
#endif
#undef PROXY_WASM_DECLARE_EXPORT_TEMPLATE

// 0, spelled so that it depends on T: a reference made with it is instantiated only with
// the template that makes it (a plugin that never calls httpCall exports no
// proxy_on_http_call_response).
template <class T>
inline constexpr int kZeroFor = 0;

}  // namespace proxy_wasm::detail

#if defined(__wasm__)
#define PROXY_WASM_USE_EXPORT(name, Dependent) \
  ((void)&::proxy_wasm::detail::Export_##name<::proxy_wasm::detail::kZeroFor<Dependent>>::fn)
#else
#define PROXY_WASM_USE_EXPORT(name, Dependent) ((void)0)
#endif
