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
#include "proxy_wasm/detail/overrides.h"
#include "proxy_wasm/detail/state.h"
#include "proxy_wasm/vm_context.h"

namespace proxy_wasm {

namespace detail {

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
