// What a context type overrides, found at compile time from its type (registry.h uses it):
// which finalization hooks the dispatcher calls (ContextBase's hook bits) and which
// callbacks the module exports (detail/export_use.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "proxy_wasm/context.h"
#include "proxy_wasm/detail/export_use.h"

namespace proxy_wasm::detail {

// Whether T overrides a hook of its base: &T::hook names ContextBase's own
// unless T (or a base between) declares it. Inaccessible or overloaded: assumed overridden.
#define PROXY_WASM_OVERRIDES_TRAIT(Trait, hook, Signature)                                   \
  template <class T, class = void>                                                           \
  struct Trait : std::true_type {};                                                          \
  template <class T>                                                                         \
  struct Trait<T, std::void_t<decltype(&T::hook)>>                                           \
      : std::bool_constant<!std::is_same_v<decltype(&T::hook), Signature>> {};
PROXY_WASM_OVERRIDES_TRAIT(OverridesOnDone, onDone, bool (ContextBase::*)())
PROXY_WASM_OVERRIDES_TRAIT(OverridesOnLog, onLog, void (ContextBase::*)())
PROXY_WASM_OVERRIDES_TRAIT(OverridesOnDelete, onDelete, void (ContextBase::*)())
PROXY_WASM_OVERRIDES_TRAIT(OverridesOnTick, onTick, void (RootContext::*)())
PROXY_WASM_OVERRIDES_TRAIT(OverridesOnQueueReady, onQueueReady, void (RootContext::*)(uint32_t))
PROXY_WASM_OVERRIDES_TRAIT(OverridesOnForeignFunction, onForeignFunction, void (RootContext::*)(uint32_t, size_t))
PROXY_WASM_OVERRIDES_TRAIT(OverridesOnRequestHeaders, onRequestHeaders, Action (HttpContext::*)(uint32_t, bool))
PROXY_WASM_OVERRIDES_TRAIT(OverridesOnRequestBody, onRequestBody, Action (HttpContext::*)(size_t, bool))
PROXY_WASM_OVERRIDES_TRAIT(OverridesOnRequestTrailers, onRequestTrailers, Action (HttpContext::*)(uint32_t))
PROXY_WASM_OVERRIDES_TRAIT(OverridesOnResponseHeaders, onResponseHeaders, Action (HttpContext::*)(uint32_t, bool))
PROXY_WASM_OVERRIDES_TRAIT(OverridesOnResponseBody, onResponseBody, Action (HttpContext::*)(size_t, bool))
PROXY_WASM_OVERRIDES_TRAIT(OverridesOnResponseTrailers, onResponseTrailers, Action (HttpContext::*)(uint32_t))
PROXY_WASM_OVERRIDES_TRAIT(OverridesOnNewConnection, onNewConnection, Action (StreamContext::*)())
PROXY_WASM_OVERRIDES_TRAIT(OverridesOnDownstreamData, onDownstreamData, Action (StreamContext::*)(size_t, bool))
PROXY_WASM_OVERRIDES_TRAIT(OverridesOnUpstreamData, onUpstreamData, Action (StreamContext::*)(size_t, bool))
PROXY_WASM_OVERRIDES_TRAIT(OverridesOnDownstreamClose, onDownstreamConnectionClose, void (StreamContext::*)(PeerType))
PROXY_WASM_OVERRIDES_TRAIT(OverridesOnUpstreamClose, onUpstreamConnectionClose, void (StreamContext::*)(PeerType))
#undef PROXY_WASM_OVERRIDES_TRAIT

// Exports the callbacks of context type T that it overrides (detail/export_use.h): a
// callback nobody overrides is not exported, and the host does not call it.
#define PROXY_WASM_EXPORT_IF(Trait, name) \
  if constexpr (Trait<T>::value) PROXY_WASM_USE_EXPORT(name, T)
template <class T>
void useExports() {
  PROXY_WASM_EXPORT_IF(OverridesOnDone, proxy_on_done);
  PROXY_WASM_EXPORT_IF(OverridesOnLog, proxy_on_log);
  if constexpr (std::is_base_of_v<RootContext, T>) {
    PROXY_WASM_EXPORT_IF(OverridesOnTick, proxy_on_tick);
    PROXY_WASM_EXPORT_IF(OverridesOnQueueReady, proxy_on_queue_ready);
    PROXY_WASM_EXPORT_IF(OverridesOnForeignFunction, proxy_on_foreign_function);
  } else if constexpr (std::is_base_of_v<HttpContext, T>) {
    PROXY_WASM_EXPORT_IF(OverridesOnRequestHeaders, proxy_on_request_headers);
    PROXY_WASM_EXPORT_IF(OverridesOnRequestBody, proxy_on_request_body);
    PROXY_WASM_EXPORT_IF(OverridesOnRequestTrailers, proxy_on_request_trailers);
    PROXY_WASM_EXPORT_IF(OverridesOnResponseHeaders, proxy_on_response_headers);
    PROXY_WASM_EXPORT_IF(OverridesOnResponseBody, proxy_on_response_body);
    PROXY_WASM_EXPORT_IF(OverridesOnResponseTrailers, proxy_on_response_trailers);
  } else if constexpr (std::is_base_of_v<StreamContext, T>) {
    PROXY_WASM_EXPORT_IF(OverridesOnNewConnection, proxy_on_new_connection);
    PROXY_WASM_EXPORT_IF(OverridesOnDownstreamData, proxy_on_downstream_data);
    PROXY_WASM_EXPORT_IF(OverridesOnUpstreamData, proxy_on_upstream_data);
    PROXY_WASM_EXPORT_IF(OverridesOnDownstreamClose, proxy_on_downstream_connection_close);
    PROXY_WASM_EXPORT_IF(OverridesOnUpstreamClose, proxy_on_upstream_connection_close);
  }
}
#undef PROXY_WASM_EXPORT_IF

template <class T>
constexpr uint8_t hooksOf() {
  return uint8_t((OverridesOnDone<T>::value ? kHookDone : 0) | (OverridesOnLog<T>::value ? kHookLog : 0) |
                 (OverridesOnDelete<T>::value ? kHookDelete : 0));
}

}  // namespace proxy_wasm::detail
