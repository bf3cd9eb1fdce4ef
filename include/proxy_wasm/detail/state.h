// All of the SDK's run-time state, in one object: the context table, the registrations,
// which context the host acts on and whose work is running, the log-level cache, the
// outstanding callouts, the timers, deferred deletions and the context pool.
// Nothing else in the SDK keeps mutable global state. `detail::Runtime::reset()` gives a
// native test process a fresh start (registrations are kept: they are static).
#pragma once

#include <cstdint>
#include <string_view>

#include "proxy_wasm/detail/context_pool.h"
#include "proxy_wasm/detail/id_map.h"
#include "proxy_wasm/detail/timers.h"
#include "proxy_wasm/status.h"
#include "proxy_wasm/types.h"

namespace proxy_wasm {
class ContextBase;
class RootContext;
class VmContext;
namespace detail {

class Callout;

// A registration (RegisterContextFactory): which root and stream types serve a root id.
struct Factory {
  std::string_view root_id;
  RootContext* (*make_root)(uint32_t id, std::string_view root_id);
  ContextBase* (*make_stream)(uint32_t id, RootContext& root);  // null: root only
  const Factory* next;
};

struct VmFactory {
  VmContext* (*make)();
};


// Per-root timer state (RootContext::addTimer/setTickPeriod).
struct RootTimers {
  TimerHeap heap;
  uint32_t live = 0;      // timers not cancelled
  uint32_t armed_ms = 0;  // the tick period last set for the timers
  bool raw_tick = false;  // the plugin set its own tick period (setTickPeriod)
  bool firing = false;    // inside this root's tick
#if PROXY_WASM_ABI_VNEXT
  uint32_t tick_timer = 0;      // vNEXT: the native timer behind setTickPeriod() (host id + 1; 0: none)
#endif
};

#if PROXY_WASM_ABI_VNEXT
// vNEXT: which root hears of a queue's items (proxy_on_queue_ready carries only the queue).
struct QueueListener {
  uint32_t queue;
  uint32_t root;
};
#endif

struct Runtime {
  // ---- Contexts, by the host's context id.
  IdMap<ContextBase> contexts;
  // Contexts and callouts deleted while a callback may still be using them (a host that
  // deletes a stream inside its own callout callback): freed when the outermost
  // callback returns.
  // The root of the last stream created (the next stream usually has the same one).
  uint32_t last_root_id = 0;
  ContextBase* last_root = nullptr;
  ContextBase* dead_contexts = nullptr;
  Callout* dead_callouts = nullptr;

  // ---- Whose work runs, and which context the host acts on.
  // `current`: the context whose callback (or callout response, or timer) is running;
  // free functions that act on a context (logging, properties, foreign functions) act on
  // it. `effective`: the context the host's calls act on now; a context's members switch
  // it (proxy_set_effective_context) only when it differs. A host may call into the module
  // from inside a host call (Envoy encodes a local reply through the plugin's response
  // callbacks, synchronously); the SDK's host calls that can do that save both around the
  // call (detail::Reentry), as hosts save and restore their own.
  uint32_t current = 0;
  uint32_t effective = 0;
  uint32_t reentrant = 0;  // host calls in progress that may call back into the module
  bool has_dead = false;   // dead_contexts or dead_callouts is not empty

  // ---- Log level, read from the host at most once per callback (every callback entry
  // marks it unknown; module start-up never asks the host).
  enum LogLevelState : uint8_t { kLevelStartup, kLevelUnknown, kLevelCached };
  uint8_t log_level_state = kLevelStartup;
  LogLevel log_level = LogLevel::Trace;

  // ---- Registrations (static nodes linked during module start-up).
  const Factory* factories = nullptr;
  const VmFactory* vm_factory = nullptr;
  VmContext* vm = nullptr;
  bool vm_started = false;
  // Roots already told (once) that they serve no stream contexts.
  uint32_t passthrough_warned_root = 0;

  // ---- Callouts, by token + 1 (0 is the map's empty key).
  IdMap<Callout> callouts;
  // Set by the first gRPC call or stream: a plugin that makes none imports neither.
  Status::Code (*grpc_cancel)(uint32_t token) = nullptr;
  Status::Code (*grpc_close)(uint32_t token) = nullptr;

  // ---- Timers: heaps by root id, timers by id (for cancel). The tick and root-deletion
  // paths reach the timer code through these hooks, set by the first addTimer: a plugin
  // that uses no timers links none of it.
  void (*timer_tick)(RootContext& root) = nullptr;
  void (*drop_timers)(uint32_t root_id) = nullptr;
  IdMap<RootTimers> root_timers;
  IdMap<Timer> timers;
  uint32_t next_timer_id = 1;
  uint64_t next_timer_seq = 1;
  bool vm_failed = false;

#if PROXY_WASM_ABI_VNEXT
  // ---- vNEXT: what the draft's callbacks do not carry.
  size_t vm_configuration_size = 0;  // from proxy_on_vm_start, for RootContext::onStart
  uint32_t vm_context_id = 0;        // the VmContext the host created (0: none yet)
  uint32_t plugin_root_id = 0;       // the last root created: custom callbacks go to it
  Timer* firing_timer = nullptr;     // the timer whose callback runs (cancelled: freed after)
  QueueListener* queue_listeners = nullptr;
  uint32_t queue_listener_count = 0;
  uint32_t queue_listener_capacity = 0;
#endif

  // ---- The JSON parse in progress (json.h's detail::JsonErrors; null outside one).
  void* json_errors = nullptr;

#if defined(__wasm__) && !defined(PROXY_WASM_NO_CONTEXT_POOL)
  ContextPool pool;
#endif

  // Forgets every context, callout and timer (deleting them) and the VM context; keeps
  // the registrations. For native tests, which start many hosts in one process.
  void reset();
};

inline Runtime g_runtime;
inline Runtime& runtime() { return g_runtime; }

}  // namespace detail
}  // namespace proxy_wasm
