// Every export of an ABI v0.2.1 module, emitted from this header exactly once per module
// however many translation units include it (inline + `used`; the linker keeps one).
// Each forwards to the dispatcher (detail/dispatch.h).
#pragma once

#include <cstdlib>

#include "proxy_wasm/config.h"
#include "proxy_wasm/detail/dispatch.h"

extern "C" {

// The ABI version marker: its presence is the declaration, it is never called.
PROXY_WASM_EXPORT(proxy_abi_version_0_2_1) inline void proxy_abi_version_0_2_1() {}

// The allocator hosts use for every buffer they hand to the plugin. Backed by `malloc`,
// which the plugin link also exports (Envoy's host looks that name up first), so
// HostBuffer can free() what either name returned.
PROXY_WASM_EXPORT(proxy_on_memory_allocate) inline void* proxy_on_memory_allocate(size_t size) {
  return std::malloc(size);
}

PROXY_WASM_EXPORT(proxy_on_context_create) inline void proxy_on_context_create(uint32_t id, uint32_t parent) {
  proxy_wasm::detail::onContextCreate(id, parent);
}

PROXY_WASM_EXPORT(proxy_on_vm_start) inline uint32_t proxy_on_vm_start(uint32_t root, uint32_t vm_config_size) {
  return proxy_wasm::detail::onVmStart(root, vm_config_size) ? 1 : 0;
}

PROXY_WASM_EXPORT(proxy_on_configure) inline uint32_t proxy_on_configure(uint32_t root, uint32_t config_size) {
  return proxy_wasm::detail::onConfigure(root, config_size) ? 1 : 0;
}

PROXY_WASM_EXPORT(proxy_on_tick) inline void proxy_on_tick(uint32_t root) {
  using namespace proxy_wasm;
  detail::enterCallback(root);
  if (auto* r = detail::contextAs<RootContext>(root, ContextKind::Root)) r->dispatchTick();
}

PROXY_WASM_EXPORT(proxy_on_queue_ready) inline void proxy_on_queue_ready(uint32_t root, uint32_t queue_id) {
  using namespace proxy_wasm;
  detail::enterCallback(root);
  if (auto* r = detail::contextAs<RootContext>(root, ContextKind::Root)) r->onQueueReady(queue_id);
}

PROXY_WASM_EXPORT(proxy_on_foreign_function)
inline void proxy_on_foreign_function(uint32_t root, uint32_t function_id, uint32_t args_size) {
  using namespace proxy_wasm;
  detail::enterCallback(root);
  if (auto* r = detail::contextAs<RootContext>(root, ContextKind::Root)) r->onForeignFunction(function_id, args_size);
}

// ---- TCP ---------------------------------------------------------------------------------

PROXY_WASM_EXPORT(proxy_on_new_connection) inline uint32_t proxy_on_new_connection(uint32_t id) {
  using namespace proxy_wasm;
  auto* c = detail::streamFor<StreamContext>(id, ContextKind::Stream);
  return static_cast<uint32_t>(c ? c->onNewConnection() : Action::Continue);
}

PROXY_WASM_EXPORT(proxy_on_downstream_data)
inline uint32_t proxy_on_downstream_data(uint32_t id, uint32_t size, uint32_t end_of_stream) {
  using namespace proxy_wasm;
  auto* c = detail::streamFor<StreamContext>(id, ContextKind::Stream);
  return static_cast<uint32_t>(c ? c->onDownstreamData(size, end_of_stream != 0) : Action::Continue);
}

PROXY_WASM_EXPORT(proxy_on_upstream_data)
inline uint32_t proxy_on_upstream_data(uint32_t id, uint32_t size, uint32_t end_of_stream) {
  using namespace proxy_wasm;
  auto* c = detail::streamFor<StreamContext>(id, ContextKind::Stream);
  return static_cast<uint32_t>(c ? c->onUpstreamData(size, end_of_stream != 0) : Action::Continue);
}

PROXY_WASM_EXPORT(proxy_on_downstream_connection_close)
inline void proxy_on_downstream_connection_close(uint32_t id, uint32_t peer) {
  using namespace proxy_wasm;
  if (auto* c = detail::streamFor<StreamContext>(id, ContextKind::Stream))
    c->onDownstreamConnectionClose(static_cast<PeerType>(peer));
}

PROXY_WASM_EXPORT(proxy_on_upstream_connection_close)
inline void proxy_on_upstream_connection_close(uint32_t id, uint32_t peer) {
  using namespace proxy_wasm;
  if (auto* c = detail::streamFor<StreamContext>(id, ContextKind::Stream))
    c->onUpstreamConnectionClose(static_cast<PeerType>(peer));
}

// ---- HTTP --------------------------------------------------------------------------------

PROXY_WASM_EXPORT(proxy_on_request_headers)
inline uint32_t proxy_on_request_headers(uint32_t id, uint32_t headers, uint32_t end_of_stream) {
  using namespace proxy_wasm;
  auto* c = detail::streamFor<HttpContext>(id, ContextKind::Http);
  return static_cast<uint32_t>(c ? c->onRequestHeaders(headers, end_of_stream != 0) : Action::Continue);
}

PROXY_WASM_EXPORT(proxy_on_request_body)
inline uint32_t proxy_on_request_body(uint32_t id, uint32_t body_size, uint32_t end_of_stream) {
  using namespace proxy_wasm;
  auto* c = detail::streamFor<HttpContext>(id, ContextKind::Http);
  return static_cast<uint32_t>(c ? c->onRequestBody(body_size, end_of_stream != 0) : Action::Continue);
}

PROXY_WASM_EXPORT(proxy_on_request_trailers) inline uint32_t proxy_on_request_trailers(uint32_t id, uint32_t trailers) {
  using namespace proxy_wasm;
  auto* c = detail::streamFor<HttpContext>(id, ContextKind::Http);
  return static_cast<uint32_t>(c ? c->onRequestTrailers(trailers) : Action::Continue);
}

PROXY_WASM_EXPORT(proxy_on_response_headers)
inline uint32_t proxy_on_response_headers(uint32_t id, uint32_t headers, uint32_t end_of_stream) {
  using namespace proxy_wasm;
  auto* c = detail::streamFor<HttpContext>(id, ContextKind::Http);
  return static_cast<uint32_t>(c ? c->onResponseHeaders(headers, end_of_stream != 0) : Action::Continue);
}

PROXY_WASM_EXPORT(proxy_on_response_body)
inline uint32_t proxy_on_response_body(uint32_t id, uint32_t body_size, uint32_t end_of_stream) {
  using namespace proxy_wasm;
  auto* c = detail::streamFor<HttpContext>(id, ContextKind::Http);
  return static_cast<uint32_t>(c ? c->onResponseBody(body_size, end_of_stream != 0) : Action::Continue);
}

PROXY_WASM_EXPORT(proxy_on_response_trailers)
inline uint32_t proxy_on_response_trailers(uint32_t id, uint32_t trailers) {
  using namespace proxy_wasm;
  auto* c = detail::streamFor<HttpContext>(id, ContextKind::Http);
  return static_cast<uint32_t>(c ? c->onResponseTrailers(trailers) : Action::Continue);
}

// ---- Callouts ----------------------------------------------------------------------------

PROXY_WASM_EXPORT(proxy_on_http_call_response)
inline void proxy_on_http_call_response(uint32_t root, uint32_t token, uint32_t headers, uint32_t body_size,
                                        uint32_t trailers) {
  using namespace proxy_wasm::detail;
  deliverCallout(
      root, token, [](Callout* c, uint32_t h, size_t b, uint32_t t) { c->onHttpResponse(h, b, t); }, headers,
      body_size, trailers, true);
}

PROXY_WASM_EXPORT(proxy_on_grpc_receive_initial_metadata)
inline void proxy_on_grpc_receive_initial_metadata(uint32_t root, uint32_t token, uint32_t headers) {
  using namespace proxy_wasm::detail;
  deliverCallout(
      root, token, [](Callout* c, uint32_t h, size_t, uint32_t) { c->onGrpcInitialMetadata(h); }, headers, 0, 0,
      false);
}

PROXY_WASM_EXPORT(proxy_on_grpc_receive)
inline void proxy_on_grpc_receive(uint32_t root, uint32_t token, uint32_t message_size) {
  using namespace proxy_wasm::detail;
  // A unary call ends with its reply; a stream goes on until close. Token kinds are
  // host-specific, so ask the callout which it is.
  Callout* c = findCallout(token);
  const bool final_event = c && c->endsOnMessage();
  deliverCallout(
      root, token, [](Callout* c, uint32_t, size_t size, uint32_t) { c->onGrpcMessage(size); }, 0, message_size, 0,
      final_event);
}

PROXY_WASM_EXPORT(proxy_on_grpc_receive_trailing_metadata)
inline void proxy_on_grpc_receive_trailing_metadata(uint32_t root, uint32_t token, uint32_t trailers) {
  using namespace proxy_wasm::detail;
  deliverCallout(
      root, token, [](Callout* c, uint32_t t, size_t, uint32_t) { c->onGrpcTrailingMetadata(t); }, trailers, 0, 0,
      false);
}

PROXY_WASM_EXPORT(proxy_on_grpc_close) inline void proxy_on_grpc_close(uint32_t root, uint32_t token, uint32_t status) {
  using namespace proxy_wasm::detail;
  deliverCallout(
      root, token,
      [](Callout* c, uint32_t s, size_t, uint32_t) { c->onGrpcClose(static_cast<proxy_wasm::GrpcStatus>(s)); },
      status, 0, 0, true);
}

// ---- Finalization ------------------------------------------------------------------------

PROXY_WASM_EXPORT(proxy_on_done) inline uint32_t proxy_on_done(uint32_t id) {
  using namespace proxy_wasm;
  detail::enterCallback(id);
  ContextBase* c = detail::g_contexts.find(id);
  return (!c || c->onDone()) ? 1 : 0;
}

PROXY_WASM_EXPORT(proxy_on_log) inline void proxy_on_log(uint32_t id) {
  using namespace proxy_wasm;
  detail::enterCallback(id);
  if (ContextBase* c = detail::g_contexts.find(id)) c->onLog();
}

PROXY_WASM_EXPORT(proxy_on_delete) inline void proxy_on_delete(uint32_t id) { proxy_wasm::detail::onDelete(id); }

}  // extern "C"
