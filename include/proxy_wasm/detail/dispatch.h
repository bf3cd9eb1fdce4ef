// The dispatcher: one table of live contexts keyed by the host's context id, and the
// logic behind every exported callback. exports.h only forwards to these functions.
#pragma once

#include <cstdint>
#include <new>

#include "proxy_wasm/context.h"
#include "proxy_wasm/detail/context_table.h"
#include "proxy_wasm/log.h"
#include "proxy_wasm/registry.h"

namespace proxy_wasm {
namespace detail {

inline ContextTable g_contexts;

struct RootAccess {
  static void setStreamFactory(RootContext& root, ContextBase* (*make)(uint32_t, RootContext&)) {
    root.make_stream_ = make;
  }
  static ContextBase* makeStream(RootContext& root, uint32_t id) {
    return root.make_stream_ ? root.make_stream_(id, root) : nullptr;
  }
};

// Called first by every exported callback: the host has made `id` current.
inline void enterCallback(uint32_t id) {
  ++g_callback_epoch;
  if (g_callback_epoch == 0) g_callback_epoch = 1;  // 0 is reserved for start-up
  g_effective_context = id;
}

template <class T>
inline T* contextAs(uint32_t id, ContextKind kind) {
  ContextBase* c = g_contexts.find(id);
  if (PROXY_WASM_LIKELY(c && c->kind() == kind)) return static_cast<T*>(c);
  return nullptr;
}

// Registers a new context. A live entry with the same id (only possible when a host reuses
// ids across VM restarts, as a native test process does) is destroyed: the host forgot it.
inline bool track(uint32_t id, ContextBase* context) {
  ContextBase* stale = nullptr;
  if (!g_contexts.insert(id, context, &stale)) return false;
  if (stale) {
    dropCallouts(id);
    delete stale;
  }
  return true;
}

inline void onContextCreate(uint32_t id, uint32_t parent) {
  enterCallback(id);
  if (parent == 0) {
    // A new plugin instance. Its root id picks the registration (several plugins may
    // share a module; several instances of one plugin get one root each).
    auto root_id = getPropertyBytes("plugin_root_id");
    const std::string_view name = root_id.ok() ? root_id->view() : std::string_view();
    const Factory* factory = findFactory(name);
    if (!factory) {
      logCritical("proxy-wasm: no context factory registered for root id '", name, "'");
      return;  // onVmStart will fail the plugin
    }
    RootContext* root = factory->make_root(id, name);
    RootAccess::setStreamFactory(*root, factory->make_stream);
    if (!track(id, root)) {
      delete root;
      logCritical("proxy-wasm: out of memory creating root context ", id);
    }
    return;
  }
  auto* root = contextAs<RootContext>(parent, ContextKind::Root);
  if (!root) {
    logError("proxy-wasm: context ", id, " created with unknown root context ", parent);
    return;
  }
  ContextBase* stream = RootAccess::makeStream(*root, id);
  if (!stream) {
    logError("proxy-wasm: root id '", root->rootId(), "' registered no stream context; ignoring context ", id);
    return;
  }
  if (!track(id, stream)) {
    delete stream;
    logCritical("proxy-wasm: out of memory creating context ", id);
  }
}

inline bool onVmStart(uint32_t root_id, uint32_t size) {
  enterCallback(root_id);
  auto* root = contextAs<RootContext>(root_id, ContextKind::Root);
  return root && root->onStart(size);
}

inline bool onConfigure(uint32_t root_id, uint32_t size) {
  enterCallback(root_id);
  auto* root = contextAs<RootContext>(root_id, ContextKind::Root);
  return root && root->onConfigure(size);
}

// Looks up a stream context of the expected kind; a mismatch (an HTTP callback on a TCP
// context, an unknown id) lets traffic continue and is logged once per callback.
template <class T>
inline T* streamFor(uint32_t id, ContextKind kind) {
  enterCallback(id);
  T* c = contextAs<T>(id, kind);
  if (PROXY_WASM_UNLIKELY(!c)) logError("proxy-wasm: callback for unknown or mismatched context ", id);
  return c;
}

inline void deliverCallout(uint32_t root_id, uint32_t token, void (*deliver)(Callout*, uint32_t, size_t, uint32_t),
                           uint32_t a, size_t b, uint32_t c, bool final_event) {
  enterCallback(root_id);
  Callout* callout = findCallout(token);
  if (!callout) {
    logDebug("proxy-wasm: event for unknown callout token ", token, " ignored");
    return;
  }
  ContextBase* issuer = g_contexts.find(callout->context_id);
  if (issuer) {
    if (issuer->id() != root_id && issuer->makeEffective() != Status::Ok) issuer = nullptr;
  }
  if (issuer) {
    g_delivering = callout;
    deliver(callout, a, b, c);
    g_delivering = nullptr;
  }
  // A final event, a vanished issuer, or a cancel() during delivery ends the callout.
  if (final_event || !issuer || callout->context_id == 0) {
    unlinkCallout(callout);
    delete callout;
  }
}

inline void onDelete(uint32_t id) {
  enterCallback(id);
  ContextBase* c = g_contexts.erase(id);
  if (!c) return;
  c->onDelete();
  dropCallouts(id);
  delete c;
}

}  // namespace detail
}  // namespace proxy_wasm
