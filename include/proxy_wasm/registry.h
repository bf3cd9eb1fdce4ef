// Registering plugins: which RootContext (and stream context) type serves a root id, and
// an optional VM-level hook.
//
//   static proxy_wasm::RegisterContextFactory<MyRoot, MyHttpContext> registration{"my_root_id"};
//   static proxy_wasm::RegisterVmContext<MyVm> vm;   // optional
//
// Registration runs during module start-up and only links a static node into a list: it
// never calls the host (Envoy forbids host calls before proxy_on_vm_start).
#pragma once

#include <string_view>
#include <type_traits>

#include "proxy_wasm/context.h"
#include "proxy_wasm/detail/state.h"
#include "proxy_wasm/vm_context.h"

namespace proxy_wasm {

namespace detail {

// Whether T overrides a finalization hook of ContextBase: &T::hook names ContextBase's own
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

template <class Root>
RootContext* makeRoot(uint32_t id, std::string_view root_id) {
  Root* root = new Root(id, root_id);
  ContextAccess::hooks(*root) = hooksOf<Root>();
  return root;
}

template <class Root, class Stream>
ContextBase* makeStream(uint32_t id, RootContext& root) {
  Stream* stream = new Stream(id, static_cast<Root&>(root));
  ContextAccess::hooks(*stream) = hooksOf<Stream>();
  return stream;
}

template <class T, class = void>
struct DeclaredRoot {
  using type = RootContext;
};
template <class T>
struct DeclaredRoot<T, std::void_t<typename T::RootType>> {
  using type = typename T::RootType;
};

}  // namespace detail

/// Registers `Root` (a RootContext) and, optionally, `Stream` (an HttpContext or a
/// StreamContext) for `root_id`. An empty root id serves any root id without its own
/// registration. Declare one static instance per plugin in the module.
template <class Root, class Stream = void>
class RegisterContextFactory {
  static_assert(std::is_base_of_v<RootContext, Root>, "Root must derive from proxy_wasm::RootContext");
  static_assert(std::is_constructible_v<Root, uint32_t, std::string_view>,
                "a root context needs a constructor (uint32_t id, std::string_view root_id): "
                "`using RootContext::RootContext;`");

 public:
  /// Registers `Root` (and `Stream`) for `root_id`. Runs during module start-up; never calls the host.
  explicit RegisterContextFactory(std::string_view root_id) {
    node_.root_id = root_id;
    node_.make_root = &detail::makeRoot<Root>;
    detail::useExports<Root>();
    if constexpr (std::is_void_v<Stream>) {
      node_.make_stream = nullptr;
    } else {
      static_assert(std::is_base_of_v<HttpContext, Stream> || std::is_base_of_v<StreamContext, Stream>,
                    "Stream must derive from proxy_wasm::HttpContext or proxy_wasm::StreamContext");
      using Declared = typename detail::DeclaredRoot<Stream>::type;
      static_assert(std::is_base_of_v<Declared, Root>,
                    "the stream context declares (HttpContextFor<R>/StreamContextFor<R>) a root type R that the "
                    "registered Root is not");
      static_assert(std::is_constructible_v<Stream, uint32_t, Root&>,
                    "a stream context needs a constructor (uint32_t id, Root& root): "
                    "`using HttpContext::HttpContext;` or `using HttpContextFor::HttpContextFor;`");
      node_.make_stream = &detail::makeStream<Root, Stream>;
      detail::useExports<Stream>();
    }
    node_.next = detail::runtime().factories;
    detail::runtime().factories = &node_;
  }
  RegisterContextFactory(const RegisterContextFactory&) = delete;
  RegisterContextFactory& operator=(const RegisterContextFactory&) = delete;

 private:
  detail::Factory node_{};
};

/// Registers the module's VmContext (at most one per module; a second registration is
/// reported at the first start and the first one is used).
template <class Vm>
class RegisterVmContext {
  static_assert(std::is_base_of_v<VmContext, Vm>, "Vm must derive from proxy_wasm::VmContext");

 public:
  RegisterVmContext() {
    node_.make = [] { return static_cast<VmContext*>(new Vm()); };
    if (!detail::runtime().vm_factory) detail::runtime().vm_factory = &node_;
  }
  RegisterVmContext(const RegisterVmContext&) = delete;
  RegisterVmContext& operator=(const RegisterVmContext&) = delete;

 private:
  detail::VmFactory node_{};
};

}  // namespace proxy_wasm
