// Registering plugins: which RootContext (and stream context) type serves a root id.
//
//   static proxy_wasm::RegisterContextFactory<MyRoot, MyHttpContext> registration{"my_root_id"};
//
// Registration runs during module start-up and only links a static node into a list: it
// never calls the host (Envoy forbids host calls before proxy_on_vm_start).
#pragma once

#include <string_view>
#include <type_traits>

#include "proxy_wasm/context.h"

namespace proxy_wasm {
namespace detail {

struct Factory {
  std::string_view root_id;
  RootContext* (*make_root)(uint32_t id, std::string_view root_id);
  ContextBase* (*make_stream)(uint32_t id, RootContext& root);  // null: root only
  const Factory* next;
};

// Head of the registration list (constant-initialized: no start-up code).
inline const Factory* g_factories = nullptr;

// The factory for `root_id`: an exact match, else one registered with an empty root id.
inline const Factory* findFactory(std::string_view root_id) {
  const Factory* fallback = nullptr;
  for (const Factory* f = g_factories; f; f = f->next) {
    if (f->root_id == root_id) return f;
    if (f->root_id.empty()) fallback = f;
  }
  return fallback;
}

template <class Root>
RootContext* makeRoot(uint32_t id, std::string_view root_id) {
  return new Root(id, root_id);
}

template <class Root, class Stream>
ContextBase* makeStream(uint32_t id, RootContext& root) {
  if constexpr (std::is_constructible_v<Stream, uint32_t, Root&>) {
    return new Stream(id, static_cast<Root&>(root));
  } else {
    static_assert(std::is_constructible_v<Stream, uint32_t, RootContext*>,
                  "a stream context needs a constructor (uint32_t id, Root& root) or (uint32_t id, RootContext* root)");
    return new Stream(id, &root);
  }
}

}  // namespace detail

// Registers `Root` (a RootContext) and, optionally, `Stream` (an HttpContext or a
// StreamContext) for `root_id`. An empty root id serves any root id without its own
// registration. Declare one static instance per plugin in the module.
template <class Root, class Stream = void>
class RegisterContextFactory {
  static_assert(std::is_base_of_v<RootContext, Root>, "Root must derive from proxy_wasm::RootContext");
  static_assert(std::is_void_v<Stream> || std::is_base_of_v<HttpContext, Stream> ||
                    std::is_base_of_v<StreamContext, Stream>,
                "Stream must derive from proxy_wasm::HttpContext or proxy_wasm::StreamContext");

 public:
  explicit RegisterContextFactory(std::string_view root_id) {
    node_.root_id = root_id;
    node_.make_root = &detail::makeRoot<Root>;
    if constexpr (std::is_void_v<Stream>) {
      node_.make_stream = nullptr;
    } else {
      node_.make_stream = &detail::makeStream<Root, Stream>;
    }
    node_.next = detail::g_factories;
    detail::g_factories = &node_;
  }
  RegisterContextFactory(const RegisterContextFactory&) = delete;
  RegisterContextFactory& operator=(const RegisterContextFactory&) = delete;

 private:
  detail::Factory node_{};
};

}  // namespace proxy_wasm
