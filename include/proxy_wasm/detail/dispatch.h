// The dispatcher: the logic behind every exported callback (exports.h forwards to
// detail::exports), context lifetimes, callout routing and timers, over the one state
// object of detail/state.h.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <new>
#include <type_traits>

#include "proxy_wasm/context.h"
#include "proxy_wasm/detail/state.h"
#include "proxy_wasm/log.h"
#include "proxy_wasm/vm_context.h"

namespace proxy_wasm {
namespace detail {

struct ContextAccess {
  static Callout*& callouts(ContextBase& c) { return c.callouts_; }
  static uint8_t& hooks(ContextBase& c) { return c.hooks_; }
  static ContextBase*& nextDead(ContextBase& c) { return c.next_dead_; }
  static RootContext& rootOf(ContextBase& c) { return *c.root_; }
  static void setStreamFactory(RootContext& root, ContextBase* (*make)(uint32_t, RootContext&)) {
    root.make_stream_ = make;
  }
  static ContextBase* makeStream(RootContext& root, uint32_t id) {
    return root.make_stream_ ? root.make_stream_(id, root) : nullptr;
  }
  static uint32_t& liveStreams(RootContext& root) { return root.live_streams_; }
  static bool& deleted(RootContext& root) { return root.deleted_; }
  static bool& passthroughLogged(RootContext& root) { return root.passthrough_logged_; }
  static bool& finalizePending(RootContext& root) { return root.finalize_pending_; }
};

// The factory for `root_id`: an exact match, else one registered with an empty root id.
inline const Factory* findFactory(std::string_view root_id) {
  const Factory* fallback = nullptr;
  for (const Factory* f = runtime().factories; f; f = f->next) {
    if (f->root_id == root_id) return f;
    if (f->root_id.empty()) fallback = f;
  }
  return fallback;
}

// ---- Deferred deletion ---------------------------------------------------------------------

inline void reap() {
  Runtime& r = runtime();
  r.has_dead = false;
  while (ContextBase* c = r.dead_contexts) {
    r.dead_contexts = ContextAccess::nextDead(*c);
    delete c;
  }
  while (Callout* c = r.dead_callouts) {
    r.dead_callouts = c->next_dead;
    delete c;
  }
}

// Frees `c` once no plugin code can be using it any more: at once when the host deletes it
// from a callback that is not nested in a host call (no plugin code is on the stack then),
// else when the outermost callback returns.
PROXY_WASM_ALWAYS_INLINE void bury(ContextBase* c) {
  Runtime& r = runtime();
  if (r.reentrant == 0) {
    delete c;
    return;
  }
  ContextAccess::nextDead(*c) = r.dead_contexts;
  r.dead_contexts = c;
  r.has_dead = true;
}
// Callouts end inside plugin code (a handler cancelling itself): always deferred.
inline void bury(Callout* c) {
  Runtime& r = runtime();
  c->next_dead = r.dead_callouts;
  r.dead_callouts = c;
  r.has_dead = true;
}

// ---- Callback entry and exit ---------------------------------------------------------------

// Entered by every exported callback: the host now acts on `id`, whose work runs.
class Scope {
 public:
  PROXY_WASM_ALWAYS_INLINE explicit Scope(uint32_t id) {
    Runtime& r = runtime();
    r.current = r.effective = id;
    r.log_level_state = Runtime::kLevelUnknown;  // read again if this callback logs
  }
  // A callback that names no context (vNEXT's timer, queue, callout and custom callbacks):
  // `id`'s work runs, and the host acts on a context the SDK does not know (0), so the first
  // call on `id` makes it effective.
  struct UnknownEffective {};
  PROXY_WASM_ALWAYS_INLINE Scope(uint32_t id, UnknownEffective) {
    Runtime& r = runtime();
    r.current = id;
    r.effective = 0;
    r.log_level_state = Runtime::kLevelUnknown;
  }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;
  PROXY_WASM_ALWAYS_INLINE ~Scope() {
    Runtime& r = runtime();
    if (PROXY_WASM_UNLIKELY(r.has_dead) && r.reentrant == 0) reap();
  }
};

// ---- Callouts ------------------------------------------------------------------------------

// Called by grpcCall/grpcStream only: a plugin without gRPC links (and imports, and
// exports) no gRPC code.
template <class Use>
inline void enableGrpc() {
  PROXY_WASM_USE_EXPORT(proxy_on_grpc_receive_initial_metadata, Use);
  PROXY_WASM_USE_EXPORT(proxy_on_grpc_receive, Use);
  PROXY_WASM_USE_EXPORT(proxy_on_grpc_receive_trailing_metadata, Use);
  PROXY_WASM_USE_EXPORT(proxy_on_grpc_close, Use);
  Runtime& r = runtime();
  r.grpc_cancel = [](uint32_t t) { return raw::grpcCancel(t).code(); };
  r.grpc_close = [](uint32_t t) { return raw::grpcClose(t).code(); };
}

inline void trackCallout(ContextBase& issuer, Callout* callout, uint32_t token) {
  Runtime& r = runtime();
  callout->token = token;
  callout->issuer = &issuer;
  Callout*& head = ContextAccess::callouts(issuer);
  callout->next = head;
  if (head) head->prev = callout;
  head = callout;
  Callout* replaced = nullptr;
  if (token == 0xFFFFFFFFu || !r.callouts.insert(token + 1, callout, &replaced)) {
    logCritical("proxy-wasm: cannot track callout token ", token, "; its response will be dropped");
    callout->finished = true;
  }
  if (replaced && replaced != callout) {
    // The host reused a token that is still outstanding here: the old callout is over.
    replaced->finished = true;
    Callout*& h = ContextAccess::callouts(*replaced->issuer);
    if (replaced->prev) replaced->prev->next = replaced->next;
    else h = replaced->next;
    if (replaced->next) replaced->next->prev = replaced->prev;
    bury(replaced);
  }
}

// Ends a callout: no more events reach it; freed when no callback can be using it.
inline void finishCallout(Callout* c) {
  if (c->finished && !c->issuer) return;
  Runtime& r = runtime();
  if (!c->finished) {
    c->finished = true;
    if (r.callouts.find(c->token + 1) == c) r.callouts.erase(c->token + 1);
  }
  if (c->issuer) {
    Callout*& head = ContextAccess::callouts(*c->issuer);
    if (c->prev) c->prev->next = c->next;
    else if (head == c) head = c->next;
    if (c->next) c->next->prev = c->prev;
    c->prev = c->next = nullptr;
    c->issuer = nullptr;
    bury(c);
  }
}

// A context is going away: its callouts end; gRPC calls and streams are cancelled at the
// host (HTTP callouts cannot be cancelled in v0.2.1: their late response is dropped).
PROXY_WASM_NOINLINE void cancelCallouts(ContextBase& c) {
  while (Callout* callout = ContextAccess::callouts(c)) {
    if (callout->kind != Callout::Kind::Http && !callout->finished && runtime().grpc_cancel) {
      if (Status s = actOn(c.id()); s) s = runtime().grpc_cancel(callout->token);
    }
    finishCallout(callout);
  }
}

template <class Deliver>
void deliverCallout(uint32_t root_id, uint32_t token, bool final_event, Deliver&& deliver) {
  Scope scope(root_id);
  Runtime& r = runtime();
  Callout* c = token == 0xFFFFFFFFu ? nullptr : r.callouts.find(token + 1);
  if (!c || c->finished || !c->issuer) {
    logDebug("proxy-wasm: event for unknown or finished callout token ", token, " ignored");
    return;
  }
  ContextBase* issuer = c->issuer;
  if (issuer->id() != root_id) {
    if (Status s = actOn(issuer->id()); !s) {
      logError("proxy-wasm: cannot make context ", issuer->id(), " effective for its callout ", token, ": ", s);
      finishCallout(c);
      return;
    }
    r.current = issuer->id();
  }
  deliver(*c);
  if (final_event && !c->finished) {
    if (c->kind == Callout::Kind::GrpcStream && !c->local_closed && c->issuer && r.grpc_close) {
      // Envoy keeps a stream the remote closed until the plugin closes its side too.
      if (Status s = actOn(c->issuer->id()); s) s = r.grpc_close(c->token);
    }
    finishCallout(c);
  }
}

// ---- Context lifetimes ---------------------------------------------------------------------

// One fewer stream points at `root`; a root the host deleted is freed with its last stream.
PROXY_WASM_ALWAYS_INLINE void releaseRoot(RootContext& root) {
  uint32_t& live = ContextAccess::liveStreams(root);
  if (live) --live;
  if (live == 0 && ContextAccess::deleted(root)) bury(&root);
}

inline void dropTimers(uint32_t root_id);

// A root the host deleted: its timers go; its object is freed with its last stream.
PROXY_WASM_NOINLINE void retireRoot(uint32_t id, RootContext& root) {
  if (runtime().last_root_id == id) runtime().last_root_id = 0;
  if (runtime().drop_timers) runtime().drop_timers(id);
  ContextAccess::deleted(root) = true;
  if (ContextAccess::liveStreams(root) == 0) bury(&root);
}

// A stream of a root without stream contexts: its entry points at the root.
PROXY_WASM_NOINLINE void retirePassthrough(ContextBase& root) { releaseRoot(static_cast<RootContext&>(root)); }

// The host is done with `id` (proxy_on_delete, or a new context reusing a live id): the
// context is told (onDelete), its callouts and timers end, and its object is freed once
// nothing can use it: at the end of the current callback, or for a root, when its last
// stream is gone (streams never see a dangling root).
PROXY_WASM_ALWAYS_INLINE void retire(uint32_t id, ContextBase* c, bool notify) {
  if (PROXY_WASM_UNLIKELY(c->id() != id)) return retirePassthrough(*c);
  if (notify && (ContextAccess::hooks(*c) & kHookDelete)) c->onDelete();
  if (PROXY_WASM_UNLIKELY(ContextAccess::callouts(*c) != nullptr)) cancelCallouts(*c);
  if (PROXY_WASM_UNLIKELY(c->kind() == ContextKind::Root)) return retireRoot(id, static_cast<RootContext&>(*c));
  RootContext& root = ContextAccess::rootOf(*c);
  bury(c);
  releaseRoot(root);
}

PROXY_WASM_NOINLINE void retireStale(uint32_t id, ContextBase* stale) { retire(id, stale, /*notify=*/false); }

// Registers a new context. A live entry with the same id (a host reusing ids, as a native
// test process does) is retired first: the host forgot it.
PROXY_WASM_ALWAYS_INLINE bool track(uint32_t id, ContextBase* context) {
  ContextBase* stale = nullptr;
  if (!runtime().contexts.insert(id, context, &stale)) return false;
  if (PROXY_WASM_UNLIKELY(stale != nullptr) && stale != context) retireStale(id, stale);
  return true;
}

template <class T>
PROXY_WASM_ALWAYS_INLINE T* contextAs(uint32_t id, ContextKind kind) {
  ContextBase* c = runtime().contexts.find(id);
  if (PROXY_WASM_LIKELY(c && c->kind() == kind)) return static_cast<T*>(c);
  return nullptr;
}

// A stream callback's context. A stream of a root without stream contexts passes
// silently (its root logged that once); an unknown or mismatched id is logged.
inline void unknownContext(ContextBase* c, uint32_t id) {
  if (c && c->kind() == ContextKind::Root && c->id() != id) return;  // pass-through stream
  logError("proxy-wasm: callback for unknown or mismatched context ", id);
}
template <class T>
PROXY_WASM_ALWAYS_INLINE T* streamFor(uint32_t id, ContextKind kind) {
  ContextBase* c = runtime().contexts.find(id);
  if (PROXY_WASM_LIKELY(c && c->kind() == kind)) return static_cast<T*>(c);
  unknownContext(c, id);
  return nullptr;
}

// ---- Timers --------------------------------------------------------------------------------

inline RootTimers* timersOf(uint32_t root_id, bool create) {
  Runtime& r = runtime();
  RootTimers* t = r.root_timers.find(root_id);
  if (!t && create) {
    t = new (std::nothrow) RootTimers();
    if (t && !r.root_timers.insert(root_id, t)) {
      delete t;
      t = nullptr;
    }
  }
  return t;
}

#if !PROXY_WASM_ABI_VNEXT

inline void dropTimers(uint32_t root_id) {
  Runtime& r = runtime();
  RootTimers* t = r.root_timers.erase(root_id);
  if (!t) return;
  t->heap.forEach([&](Timer* timer) {
    if (!timer->cancelled) r.timers.erase(timer->id);
  });
  delete t;
}

constexpr uint64_t kMaxDelayNs = uint64_t(0xFFFFFFFFu) * 1000000ull;

// Sets `root`'s tick to its next due timer (0 when none). Right after a tick the host has
// re-armed the same period, so an unchanged period then needs no host call.
inline Status rearm(RootContext& root, RootTimers& t, uint64_t now, bool after_tick) {
  Timer* next = t.heap.live();
  uint32_t period_ms = 0;
  if (next) {
    const uint64_t wait_ns = next->due_ns > now ? next->due_ns - now : 0;
    const uint64_t ms = (wait_ns + 999999) / 1000000;
    period_ms = ms == 0 ? 1 : ms > 0xFFFFFFFFu ? 0xFFFFFFFFu : uint32_t(ms);  // far timers re-arm on the way
  }
  if (after_tick && period_ms == t.armed_ms && period_ms != 0) return Status::Ok;
  if (Status s = actOn(root.id()); !s) return s;
  const Status s = raw::setTickPeriodMilliseconds(period_ms);
  if (s) t.armed_ms = period_ms;
  return s;
}

inline void tickWithTimers(RootContext& root);

inline Result<uint32_t> addTimer(RootContext& root, Timer* timer, std::chrono::milliseconds delay, bool repeating) {
  Runtime& r = runtime();
  r.timer_tick = &tickWithTimers;
  r.drop_timers = &dropTimers;
  RootTimers* t = timersOf(root.id(), true);
  if (!t) {
    delete timer;
    return Status::InternalFailure;
  }
  if (t->raw_tick) {
    delete timer;
    logError("proxy-wasm: addTimer on root '", root.rootId(), "' which has a raw tick period; use one or the other");
    return Status::BadArgument;
  }
  auto now = getCurrentTimeNanoseconds();
  if (!now) {
    delete timer;
    return now.status();
  }
  const int64_t ms = delay.count() > 0 ? delay.count() : 1;
  const uint64_t ns = uint64_t(ms) > kMaxDelayNs / 1000000 ? kMaxDelayNs * 1000 : uint64_t(ms) * 1000000ull;
  if (r.next_timer_id == 0) r.next_timer_id = 1;
  while (r.timers.find(r.next_timer_id)) ++r.next_timer_id;  // ids wrap after 2^32 timers
  timer->id = r.next_timer_id++;
  timer->root = root.id();
  timer->seq = r.next_timer_seq++;
  timer->due_ns = *now > UINT64_MAX - ns ? UINT64_MAX : *now + ns;
  timer->period_ns = repeating ? ns : 0;
  if (!t->heap.push(timer) || !r.timers.insert(timer->id, timer)) {
    timer->cancelled = true;  // dropped from the heap later
    return Status::InternalFailure;
  }
  ++t->live;
  if (!t->firing) {
    if (Status s = rearm(root, *t, *now, false); !s) {
      // Not armed: no timer is left behind.
      timer->cancelled = true;
      r.timers.erase(timer->id);
      --t->live;
      return s;
    }
  }
  return timer->id;
}

inline bool cancelTimer(RootContext& root, uint32_t timer_id) {
  Runtime& r = runtime();
  Timer* timer = r.timers.find(timer_id);
  if (!timer || timer->root != root.id() || timer->cancelled) return false;
  RootTimers* t = timersOf(root.id(), false);
  timer->cancelled = true;
  r.timers.erase(timer_id);
  if (t) {
    --t->live;
    if (!t->firing) {
      auto now = getCurrentTimeNanoseconds();
      if (!now) {
        logError("proxy-wasm: timers cannot read the host clock: ", now.status());
      } else if (Status s = rearm(root, *t, *now, false); !s) {
        logError("proxy-wasm: cannot re-arm the tick of root '", root.rootId(), "': ", s);
      }
    }
  }
  return true;
}

#else

// vNEXT: one native timer per SDK timer (proxy_create_timer), found by the host's id + 1.
inline void dropTimers(uint32_t root_id);

inline Result<uint32_t> addTimer(RootContext& root, Timer* timer, std::chrono::milliseconds delay,
                                              bool repeating) {
  Runtime& r = runtime();
  r.drop_timers = &dropTimers;
  RootTimers* t = timersOf(root.id(), true);
  if (!t) {
    delete timer;
    return Status::InternalFailure;
  }
  const int64_t ms = delay.count() > 0 ? delay.count() : 1;
  const uint32_t period = ms > int64_t(0xFFFFFFFFu) ? 0xFFFFFFFFu : uint32_t(ms);
  Status s = actOn(root.id());
  auto id = s ? raw::createTimer(period, !repeating) : Result<uint32_t>(s);
  if (!id) {
    delete timer;
    return id.status();
  }
  timer->id = *id;
  timer->root = root.id();
  timer->period_ns = repeating ? uint64_t(period) * 1000000ull : 0;
  Timer* replaced = nullptr;
  if (*id == 0xFFFFFFFFu || !r.timers.insert(*id + 1, timer, &replaced)) {
    (void)raw::deleteTimer(*id);
    delete timer;
    return Status::InternalFailure;
  }
  if (replaced && replaced != timer) {
    logError("proxy-wasm: the host reused timer id ", *id, " of a live timer; the old one is dropped");
    replaced->cancelled = true;
    if (RootTimers* old = timersOf(replaced->root, false); old && old->live) --old->live;
    if (r.firing_timer != replaced) delete replaced;
  }
  ++t->live;
  return *id;
}

inline bool cancelTimer(RootContext& root, uint32_t timer_id) {
  Runtime& r = runtime();
  Timer* timer = timer_id == 0xFFFFFFFFu ? nullptr : r.timers.find(timer_id + 1);
  if (!timer || timer->root != root.id() || timer->cancelled) return false;
  timer->cancelled = true;
  r.timers.erase(timer_id + 1);
  if (RootTimers* t = timersOf(root.id(), false); t && t->live) --t->live;
  if (Status s = raw::deleteTimer(timer_id); !s) logError("proxy-wasm: deleting timer ", timer_id, ": ", s);
  if (r.firing_timer != timer) delete timer;  // else freed when its callback returns
  return true;
}

inline void dropTimers(uint32_t root_id) {
  Runtime& r = runtime();
  RootTimers* t = r.root_timers.erase(root_id);
  if (!t) return;
  delete t;
  // Rare (a root going away): collect, then delete at the host and here.
  uint32_t n = 0;
  r.timers.forEach([&](uint32_t, Timer* timer) { n += timer->root == root_id; });
  if (n == 0) return;
  auto* ids = static_cast<uint32_t*>(std::malloc(sizeof(uint32_t) * n));
  if (!ids) return;
  uint32_t k = 0;
  r.timers.forEach([&](uint32_t key, Timer* timer) {
    if (timer->root == root_id && k < n) ids[k++] = key;
  });
  for (uint32_t i = 0; i < k; ++i) {
    Timer* timer = r.timers.erase(ids[i]);
    if (!timer) continue;
    timer->cancelled = true;
    (void)raw::deleteTimer(ids[i] - 1);
    if (r.firing_timer != timer) delete timer;
  }
  std::free(ids);
}

// vNEXT has no tick: a period is a repeating native timer that calls onTick().
inline Status setTickPeriod(RootContext& root, uint32_t period_ms) {
  RootTimers* t = timersOf(root.id(), true);
  if (!t) return Status::InternalFailure;
  if (t->tick_timer) {
    (void)cancelTimer(root, t->tick_timer - 1);
    t->tick_timer = 0;
    ++t->live;  // the tick timer was not counted
  }
  if (period_ms == 0) return Status::Ok;
  RootContext* rp = &root;
  auto tick = [rp] { rp->onTick(); };
  auto id = addTimer(root, new TimerFn<decltype(tick)>(std::move(tick)), std::chrono::milliseconds(period_ms), true);
  if (!id) return id.status();
  t = timersOf(root.id(), false);
  if (t) {
    t->tick_timer = *id + 1;
    --t->live;  // timerCount() counts addTimer's timers only
  }
  return Status::Ok;
}

#endif

inline size_t timerCount(const RootContext& root) {
  RootTimers* t = runtime().root_timers.find(root.id());
  return t ? t->live : 0;
}

#if !PROXY_WASM_ABI_VNEXT

inline Status setTickPeriod(RootContext& root, uint32_t period_ms) {
  RootTimers* t = timersOf(root.id(), false);
  if (t && t->live > 0) {
    logError("proxy-wasm: setTickPeriod on root '", root.rootId(), "' whose tick is owned by its timers; ignored");
    return Status::BadArgument;
  }
  if (Status s = actOn(root.id()); !s) return s;
  const Status s = raw::setTickPeriodMilliseconds(period_ms);
  if (s) {
    runtime().drop_timers = &dropTimers;  // the raw-tick flag lives with the root's timer state
    if (!t && period_ms != 0) t = timersOf(root.id(), true);
    if (t) {
      t->raw_tick = period_ms != 0;
      t->armed_ms = 0;
    }
  }
  return s;
}

inline void dispatchTick(RootContext& root) {
  if (runtime().timer_tick) {
    runtime().timer_tick(root);
  } else {
    root.onTick();
  }
}

inline void tickWithTimers(RootContext& root) {
  Runtime& r = runtime();
  RootTimers* t = r.root_timers.find(root.id());
  if (!t || t->raw_tick || (t->live == 0 && t->armed_ms == 0)) {
    root.onTick();
    return;
  }
  auto now = getCurrentTimeNanoseconds();
  if (!now) {
    logError("proxy-wasm: timers cannot read the host clock: ", now.status());
    return;
  }
  t->firing = true;
  const uint64_t limit = r.next_timer_seq;  // timers added meanwhile wait for the next tick
  Timer* held = nullptr;                    // those, popped on the way
  for (;;) {
    t = r.root_timers.find(root.id());  // a timer callback may have deleted the root
    if (!t) return;
    Timer* due = t->heap.live();
    if (!due || due->due_ns > *now) break;
    t->heap.pop();
    if (due->seq >= limit) {
      due->next_held = held;
      held = due;
      continue;
    }
    if (due->period_ns) {
      const uint64_t next = due->due_ns + due->period_ns;
      due->due_ns = next > *now ? next : (*now > UINT64_MAX - due->period_ns ? UINT64_MAX : *now + due->period_ns);
      (void)t->heap.push(due);
      due->fire();
    } else {
      due->cancelled = true;
      r.timers.erase(due->id);
      --t->live;
      due->fire();
      delete due;
    }
  }
  t = r.root_timers.find(root.id());
  if (!t) {
    while (held) delete std::exchange(held, held->next_held);  // the root went away meanwhile
    return;
  }
  while (held) (void)t->heap.push(std::exchange(held, held->next_held));
  t->firing = false;
  if (Status s = rearm(root, *t, *now, /*after_tick=*/true); !s)
    logError("proxy-wasm: cannot re-arm the tick of root '", root.rootId(), "': ", s);
}

#endif

// ---- Actions --------------------------------------------------------------------------------

#if !PROXY_WASM_ABI_VNEXT
// An action ABI v0.2.1 has no value for (the vNEXT draft's): mapped as docs/vnext.md says.
// `direction` is the stream the callback is about, for Close.
PROXY_WASM_NOINLINE uint32_t actionBeyondV021(ContextBase* c, Action a, StreamType direction) {
  switch (a) {
    case Action::EndStream:
    case Action::Done:
      logDebug("proxy-wasm: Action::", actionName(a), " has no ABI v0.2.1 value; continuing");
      return toWire(Action::Continue);
    case Action::WaitForMoreData:
    case Action::WaitForEndOrFull:
      return toWire(Action::Pause);
    case Action::Close:
      if (c) {
        Status s = actOn(c->id());
        if (s) s = raw::closeStream(direction);
        if (!s) logError("proxy-wasm: Action::Close: closing context ", c->id(), " failed: ", s);
      }
      return toWire(Action::Pause);
    case Action::Continue:
    case Action::Pause:
      break;
  }
  logError("proxy-wasm: a callback returned ", uint32_t(a), ", which is no Action; continuing");
  return toWire(Action::Continue);
}

PROXY_WASM_ALWAYS_INLINE uint32_t actionToWire(ContextBase* c, Action a, StreamType direction) {
  if (PROXY_WASM_LIKELY(uint32_t(a) <= uint32_t(Action::Pause))) return toWire(a);
  return actionBeyondV021(c, a, direction);
}
#else
// Every action has a draft value; Pause on a body is WaitForMoreData (docs/vnext.md).
PROXY_WASM_ALWAYS_INLINE uint32_t actionToWire(Action a, bool body = false) {
  if (body && a == Action::Pause) return vnext::wire::kWaitForMoreData;
  if (PROXY_WASM_UNLIKELY(uint32_t(a) > uint32_t(Action::Close))) {
    logError("proxy-wasm: a callback returned ", uint32_t(a), ", which is no Action; continuing");
    return vnext::wire::kContinue;
  }
  return toWire(a);
}
#endif

// ---- The exported callbacks ----------------------------------------------------------------

namespace exports {

inline void* proxy_on_memory_allocate(size_t size) { return std::malloc(size); }

PROXY_WASM_ALWAYS_INLINE void createStream(uint32_t id, RootContext& root);

#if !PROXY_WASM_ABI_VNEXT
// A new root (parent 0), or a stream of a root other than the last one's, or a host bug:
// out of line, so that the common case (another stream of the same root) stays small.
PROXY_WASM_NOINLINE void createContextSlow(uint32_t id, uint32_t parent) {
  Runtime& r = runtime();
  if (id == 0 || id == parent) {  // a host bug: refuse rather than lose track
    logError("proxy-wasm: the host created context ", id, " with parent ", parent, "; ignored");
    return;
  }
  if (parent == 0) {
    // A new plugin instance. Its root id picks the registration (several plugins may
    // share a module; several instances of one plugin get one root each).
    char* data = nullptr;
    size_t size = 0;
    const uint32_t s = proxy_get_property("plugin_root_id", 14, &data, &size);
    const auto root_id = toMaybe(s, data, size);
    const std::string_view name = root_id ? root_id->view() : std::string_view();
    const Factory* factory = findFactory(name);
    if (!factory) {
      logCritical("proxy-wasm: no context factory registered for root id '", name, "'");
      return;  // proxy_on_vm_start will fail the plugin
    }
    RootContext* root = factory->make_root(id, name);
    ContextAccess::setStreamFactory(*root, factory->make_stream);
    if (!track(id, root)) {
      delete root;
      logCritical("proxy-wasm: out of memory creating root context ", id);
    }
    return;
  }
  ContextBase* p = r.contexts.find(parent);
  if (!p || p->kind() != ContextKind::Root || p->id() != parent) {
    logError("proxy-wasm: context ", id, " created with unknown root context ", parent);
    return;
  }
  r.last_root_id = parent;
  r.last_root = p;
  createStream(id, static_cast<RootContext&>(*p));
}

#endif

// A root-only plugin used as a filter: its streams pass through. Said once per root.
PROXY_WASM_NOINLINE void createPassthrough(uint32_t id, RootContext& root) {
  if (!ContextAccess::passthroughLogged(root)) {
    ContextAccess::passthroughLogged(root) = true;
    logInfo("proxy-wasm: root id '", root.rootId(), "' registered no stream context type; its streams pass through the plugin");
  }
  if (track(id, &root)) ++ContextAccess::liveStreams(root);
}

PROXY_WASM_NOINLINE void createFailed(uint32_t id, ContextBase* stream) {
  delete stream;
  logCritical("proxy-wasm: out of memory creating context ", id);
}

PROXY_WASM_ALWAYS_INLINE void createStream(uint32_t id, RootContext& root) {
  ContextBase* stream = ContextAccess::makeStream(root, id);
  if (PROXY_WASM_UNLIKELY(!stream)) return createPassthrough(id, root);
  if (PROXY_WASM_UNLIKELY(!track(id, stream))) return createFailed(id, stream);
  ++ContextAccess::liveStreams(root);
}

#if !PROXY_WASM_ABI_VNEXT

inline void proxy_on_context_create(uint32_t id, uint32_t parent) {
  Scope scope(id);
  Runtime& r = runtime();
  // The common case: another stream of the root of the last stream created.
  if (PROXY_WASM_LIKELY(parent == r.last_root_id && parent != 0 && id != 0 && id != parent))
    return createStream(id, static_cast<RootContext&>(*r.last_root));
  createContextSlow(id, parent);
}

inline uint32_t proxy_on_vm_start(uint32_t root_id, uint32_t size) {
  Scope scope(root_id);
  Runtime& r = runtime();
  if (r.vm_factory && !r.vm_started) {
    r.vm_started = true;
    r.vm = r.vm_factory->make();
    r.vm_failed = !r.vm->onVmStart(size);
    if (r.vm_failed) logCritical("proxy-wasm: VmContext::onVmStart returned false: the VM does not start");
  }
  if (r.vm_failed) return 0;
  auto* root = contextAs<RootContext>(root_id, ContextKind::Root);
  return root && root->onStart(size) ? 1 : 0;
}

inline uint32_t proxy_on_configure(uint32_t root_id, uint32_t size) {
  Scope scope(root_id);
  auto* root = contextAs<RootContext>(root_id, ContextKind::Root);
  return root && root->onConfigure(size) ? 1 : 0;
}

inline void proxy_on_tick(uint32_t root_id) {
  Scope scope(root_id);
  if (auto* root = contextAs<RootContext>(root_id, ContextKind::Root)) dispatchTick(*root);
}

inline void proxy_on_queue_ready(uint32_t root_id, uint32_t queue_id) {
  Scope scope(root_id);
  if (auto* root = contextAs<RootContext>(root_id, ContextKind::Root)) root->onQueueReady(queue_id);
}

inline void proxy_on_foreign_function(uint32_t root_id, uint32_t function_id, uint32_t size) {
  Scope scope(root_id);
  if (auto* root = contextAs<RootContext>(root_id, ContextKind::Root)) root->onForeignFunction(function_id, size);
}

inline uint32_t proxy_on_new_connection(uint32_t id) {
  Scope scope(id);
  auto* c = streamFor<StreamContext>(id, ContextKind::Stream);
  return c ? actionToWire(c, c->onNewConnection(), StreamType::Downstream) : toWire(Action::Continue);
}
inline uint32_t proxy_on_downstream_data(uint32_t id, uint32_t size, uint32_t end_of_stream) {
  Scope scope(id);
  auto* c = streamFor<StreamContext>(id, ContextKind::Stream);
  return c ? actionToWire(c, c->onDownstreamData(size, end_of_stream != 0), StreamType::Downstream) : toWire(Action::Continue);
}
inline uint32_t proxy_on_upstream_data(uint32_t id, uint32_t size, uint32_t end_of_stream) {
  Scope scope(id);
  auto* c = streamFor<StreamContext>(id, ContextKind::Stream);
  return c ? actionToWire(c, c->onUpstreamData(size, end_of_stream != 0), StreamType::Upstream) : toWire(Action::Continue);
}
inline void proxy_on_downstream_connection_close(uint32_t id, uint32_t peer) {
  Scope scope(id);
  if (auto* c = streamFor<StreamContext>(id, ContextKind::Stream))
    c->onDownstreamConnectionClose(peerTypeFromWire(peer));
}
inline void proxy_on_upstream_connection_close(uint32_t id, uint32_t peer) {
  Scope scope(id);
  if (auto* c = streamFor<StreamContext>(id, ContextKind::Stream)) c->onUpstreamConnectionClose(peerTypeFromWire(peer));
}

inline uint32_t proxy_on_request_headers(uint32_t id, uint32_t headers, uint32_t end_of_stream) {
  Scope scope(id);
  auto* c = streamFor<HttpContext>(id, ContextKind::Http);
  return c ? actionToWire(c, c->onRequestHeaders(headers, end_of_stream != 0), StreamType::Request) : toWire(Action::Continue);
}
inline uint32_t proxy_on_request_body(uint32_t id, uint32_t size, uint32_t end_of_stream) {
  Scope scope(id);
  auto* c = streamFor<HttpContext>(id, ContextKind::Http);
  return c ? actionToWire(c, c->onRequestBody(size, end_of_stream != 0), StreamType::Request) : toWire(Action::Continue);
}
inline uint32_t proxy_on_request_trailers(uint32_t id, uint32_t trailers) {
  Scope scope(id);
  auto* c = streamFor<HttpContext>(id, ContextKind::Http);
  return c ? actionToWire(c, c->onRequestTrailers(trailers), StreamType::Request) : toWire(Action::Continue);
}
inline uint32_t proxy_on_response_headers(uint32_t id, uint32_t headers, uint32_t end_of_stream) {
  Scope scope(id);
  auto* c = streamFor<HttpContext>(id, ContextKind::Http);
  return c ? actionToWire(c, c->onResponseHeaders(headers, end_of_stream != 0), StreamType::Response) : toWire(Action::Continue);
}
inline uint32_t proxy_on_response_body(uint32_t id, uint32_t size, uint32_t end_of_stream) {
  Scope scope(id);
  auto* c = streamFor<HttpContext>(id, ContextKind::Http);
  return c ? actionToWire(c, c->onResponseBody(size, end_of_stream != 0), StreamType::Response) : toWire(Action::Continue);
}
inline uint32_t proxy_on_response_trailers(uint32_t id, uint32_t trailers) {
  Scope scope(id);
  auto* c = streamFor<HttpContext>(id, ContextKind::Http);
  return c ? actionToWire(c, c->onResponseTrailers(trailers), StreamType::Response) : toWire(Action::Continue);
}

inline void proxy_on_http_call_response(uint32_t root_id, uint32_t token, uint32_t headers, uint32_t body_size,
                                        uint32_t trailers) {
  deliverCallout(root_id, token, true, [&](Callout& c) { c.onHttpResponse(headers, body_size, trailers); });
}
inline void proxy_on_grpc_receive_initial_metadata(uint32_t root_id, uint32_t token, uint32_t headers) {
  deliverCallout(root_id, token, false, [&](Callout& c) { c.onGrpcInitialMetadata(headers); });
}
inline void proxy_on_grpc_receive(uint32_t root_id, uint32_t token, uint32_t size) {
  // A unary call ends with its reply; a stream goes on until close.
  Callout* c = token == 0xFFFFFFFFu ? nullptr : runtime().callouts.find(token + 1);
  const bool final_event = c && c->kind == Callout::Kind::GrpcCall;
  deliverCallout(root_id, token, final_event, [&](Callout& c) { c.onGrpcMessage(size); });
}
inline void proxy_on_grpc_receive_trailing_metadata(uint32_t root_id, uint32_t token, uint32_t trailers) {
  deliverCallout(root_id, token, false, [&](Callout& c) { c.onGrpcTrailingMetadata(trailers); });
}
inline void proxy_on_grpc_close(uint32_t root_id, uint32_t token, uint32_t status) {
  deliverCallout(root_id, token, true, [&](Callout& c) { c.onGrpcClose(grpcStatusFromWire(status)); });
}

inline uint32_t proxy_on_done(uint32_t id) {
  Scope scope(id);
  ContextBase* c = runtime().contexts.find(id);
  return (!c || c->id() != id || !(ContextAccess::hooks(*c) & kHookDone) || c->onDone()) ? 1 : 0;
}
inline void proxy_on_log(uint32_t id) {
  Scope scope(id);
  ContextBase* c = runtime().contexts.find(id);
  if (c && c->id() == id && (ContextAccess::hooks(*c) & kHookLog)) c->onLog();
}
inline void proxy_on_delete(uint32_t id) {
  Scope scope(id);
  ContextBase* c = runtime().contexts.erase(id);
  if (c) retire(id, c, /*notify=*/true);
}

#else
// ---- vNEXT: the draft's callbacks -----------------------------------------------------------

// The registration a vNEXT plugin context uses: the draft has no properties, so the SDK
// cannot learn a root id; the registration with the empty root id, or the only one.
PROXY_WASM_NOINLINE const Factory* vnextFactory() {
  const Runtime& r = runtime();
  const Factory* only = nullptr;
  uint32_t count = 0;
  for (const Factory* f = r.factories; f; f = f->next) {
    if (f->root_id.empty()) return f;
    only = f;
    ++count;
  }
  if (count == 1) return only;
  if (count == 0) {
    logCritical("proxy-wasm: no context factory registered");
  } else {
    logCritical("proxy-wasm: ", count,
                " root ids are registered and the vNEXT draft cannot tell a plugin which one it is (it has no "
                "properties); register one with an empty root id, or only one");
  }
  return nullptr;
}

PROXY_WASM_NOINLINE void createRootVnext(uint32_t id) {
  const Factory* factory = vnextFactory();
  if (!factory) return;  // proxy_on_plugin_start fails the plugin
  RootContext* root = factory->make_root(id, factory->root_id);
  ContextAccess::setStreamFactory(*root, factory->make_stream);
  if (!track(id, root)) {
    delete root;
    logCritical("proxy-wasm: out of memory creating root context ", id);
    return;
  }
  runtime().plugin_root_id = id;
}

// A stream or HTTP context of plugin context `parent`: its type must be the one the root's
// registration makes.
PROXY_WASM_NOINLINE void createTypedStream(uint32_t id, uint32_t parent, ContextKind kind) {
  Runtime& r = runtime();
  ContextBase* p = r.contexts.find(parent);
  if (!p || p->kind() != ContextKind::Root || p->id() != parent) {
    logError("proxy-wasm: context ", id, " created with unknown plugin context ", parent);
    return;
  }
  RootContext& root = static_cast<RootContext&>(*p);
  ContextBase* stream = ContextAccess::makeStream(root, id);
  if (!stream) return createPassthrough(id, root);
  if (stream->kind() != kind) {
    logError("proxy-wasm: the host created ", kind == ContextKind::Http ? "an HTTP" : "a TCP", " context ", id,
             " but root id '", root.rootId(), "' registered ", kind == ContextKind::Http ? "TCP" : "HTTP",
             " contexts; its callbacks are ignored");
    delete stream;
    return;
  }
  if (!track(id, stream)) return createFailed(id, stream);
  ++ContextAccess::liveStreams(root);
}

// Returns 0: the host's id stays the context's id.
inline uint32_t proxy_on_context_create(uint32_t id, uint32_t parent, uint32_t type) {
  Scope scope(id);
  Runtime& r = runtime();
  if (id == 0 || id == parent) {
    logError("proxy-wasm: the host created context ", id, " with parent ", parent, "; ignored");
    return 0;
  }
  switch (type) {
    case vnext::wire::kVmContext:
      r.vm_context_id = id;
      break;
    case vnext::wire::kPluginContext:
      createRootVnext(id);
      break;
    case vnext::wire::kHttpContext:
      createTypedStream(id, parent, ContextKind::Http);
      break;
    case vnext::wire::kStreamContext:
      createTypedStream(id, parent, ContextKind::Stream);
      break;
    default:
      logError("proxy-wasm: context ", id, " has unknown type ", type, "; ignored");
  }
  return 0;
}

inline bool startVm(size_t size) {
  Runtime& r = runtime();
  if (r.vm_factory && !r.vm_started) {
    r.vm_started = true;
    r.vm = r.vm_factory->make();
    r.vm_failed = !r.vm->onVmStart(size);
    if (r.vm_failed) logCritical("proxy-wasm: VmContext::onVmStart returned false: the VM does not start");
  }
  return !r.vm_failed;
}

inline uint32_t proxy_on_vm_start(uint32_t vm_id, uint32_t size) {
  Scope scope(vm_id);
  runtime().vm_configuration_size = size;
  return startVm(size) ? 1 : 0;
}

// Both of the root's start hooks: onStart (with the VM configuration's size), then onConfigure.
inline uint32_t proxy_on_plugin_start(uint32_t plugin_id, uint32_t size) {
  Scope scope(plugin_id);
  if (!startVm(runtime().vm_configuration_size)) return 0;
  auto* root = contextAs<RootContext>(plugin_id, ContextKind::Root);
  return root && root->onStart(runtime().vm_configuration_size) && root->onConfigure(size) ? 1 : 0;
}

// onLog, then onDelete, and the context is gone.
PROXY_WASM_NOINLINE void completeFinalize(uint32_t id, ContextBase* c) {
  if (c->id() == id && (ContextAccess::hooks(*c) & kHookLog)) c->onLog();
  if (runtime().contexts.erase(id) == c) retire(id, c, /*notify=*/true);
}

// onDone, onLog and onDelete in one. A root whose onDone() returns false stays until it calls
// finish() (proxy_context_finalize); a stream's answer is not a question (as in v0.2.1).
inline uint32_t proxy_on_context_finalize(uint32_t id) {
  Scope scope(id);
  ContextBase* c = runtime().contexts.find(id);
  if (!c) return 1;
  if (c->id() == id && (ContextAccess::hooks(*c) & kHookDone) && !c->onDone() && c->kind() == ContextKind::Root) {
    ContextAccess::finalizePending(static_cast<RootContext&>(*c)) = true;
    return 0;
  }
  completeFinalize(id, c);
  return 1;
}

// A stream callback: the stream's hook, its action in the draft's values (`body`: Pause
// is WaitForMoreData).
template <class Context, auto Hook, class... Args>
PROXY_WASM_ALWAYS_INLINE uint32_t streamAction(uint32_t id, bool body, Args... args) {
  constexpr ContextKind kind = std::is_same_v<Context, HttpContext> ? ContextKind::Http : ContextKind::Stream;
  Scope scope(id);
  auto* c = streamFor<Context>(id, kind);
  return actionToWire(c ? (c->*Hook)(args...) : Action::Continue, body);
}

inline uint32_t proxy_on_new_connection(uint32_t id) {
  return streamAction<StreamContext, &StreamContext::onNewConnection>(id, false);
}
inline uint32_t proxy_on_downstream_data(uint32_t id, uint32_t size, uint32_t end_of_stream) {
  return streamAction<StreamContext, &StreamContext::onDownstreamData>(id, true, size_t(size), end_of_stream != 0);
}
inline uint32_t proxy_on_upstream_data(uint32_t id, uint32_t size, uint32_t end_of_stream) {
  return streamAction<StreamContext, &StreamContext::onUpstreamData>(id, true, size_t(size), end_of_stream != 0);
}
inline void proxy_on_downstream_close(uint32_t id, uint32_t source) {
  Scope scope(id);
  if (auto* c = streamFor<StreamContext>(id, ContextKind::Stream)) c->onDownstreamConnectionClose(peerTypeFromWire(source));
}
inline void proxy_on_upstream_close(uint32_t id, uint32_t source) {
  Scope scope(id);
  if (auto* c = streamFor<StreamContext>(id, ContextKind::Stream)) c->onUpstreamConnectionClose(peerTypeFromWire(source));
}

inline uint32_t proxy_on_http_request_headers(uint32_t id, uint32_t headers, uint32_t end_of_stream) {
  return streamAction<HttpContext, &HttpContext::onRequestHeaders>(id, false, headers, end_of_stream != 0);
}
inline uint32_t proxy_on_http_request_body(uint32_t id, uint32_t size, uint32_t end_of_stream) {
  return streamAction<HttpContext, &HttpContext::onRequestBody>(id, true, size_t(size), end_of_stream != 0);
}
inline uint32_t proxy_on_http_request_trailers(uint32_t id, uint32_t trailers, uint32_t) {
  return streamAction<HttpContext, &HttpContext::onRequestTrailers>(id, false, trailers);
}
inline uint32_t proxy_on_http_request_metadata(uint32_t, uint32_t) { return vnext::wire::kContinue; }
inline uint32_t proxy_on_http_response_headers(uint32_t id, uint32_t headers, uint32_t end_of_stream) {
  return streamAction<HttpContext, &HttpContext::onResponseHeaders>(id, false, headers, end_of_stream != 0);
}
inline uint32_t proxy_on_http_response_body(uint32_t id, uint32_t size, uint32_t end_of_stream) {
  return streamAction<HttpContext, &HttpContext::onResponseBody>(id, true, size_t(size), end_of_stream != 0);
}
inline uint32_t proxy_on_http_response_trailers(uint32_t id, uint32_t trailers, uint32_t) {
  return streamAction<HttpContext, &HttpContext::onResponseTrailers>(id, false, trailers);
}
inline uint32_t proxy_on_http_response_metadata(uint32_t, uint32_t) { return vnext::wire::kContinue; }

// The root that opened the queue hears of it, as the effective context.
inline void proxy_on_queue_ready(uint32_t queue_id) {
  Runtime& r = runtime();
  uint32_t root_id = 0;
  for (uint32_t i = 0; i < r.queue_listener_count; ++i)
    if (r.queue_listeners[i].queue == queue_id) root_id = r.queue_listeners[i].root;
  Scope scope(root_id, Scope::UnknownEffective{});
  auto* root = root_id ? contextAs<RootContext>(root_id, ContextKind::Root) : nullptr;
  if (!root) {
    logDebug("proxy-wasm: queue ", queue_id, " has no listening root; ignored");
    return;
  }
  root->onQueueReady(queue_id);
}

// The timer's root is the effective context while its callback runs.
inline void proxy_on_timer_ready(uint32_t timer_id) {
  Runtime& r = runtime();
  Timer* timer = timer_id == 0xFFFFFFFFu ? nullptr : r.timers.find(timer_id + 1);
  Scope scope(timer ? timer->root : 0, Scope::UnknownEffective{});
  if (!timer || timer->cancelled) {
    logDebug("proxy-wasm: unknown or cancelled timer ", timer_id, " ignored");
    return;
  }
  if (timer->period_ns == 0) {  // one-shot: over once it fires
    r.timers.erase(timer_id + 1);
    timer->cancelled = true;
    if (RootTimers* t = timersOf(timer->root, false); t && t->live) --t->live;
  }
  Timer* outer = std::exchange(r.firing_timer, timer);
  timer->fire();
  r.firing_timer = outer;
  if (timer->cancelled) delete timer;
}

// Custom callbacks go to the plugin's root (the last one created). Returns 1 when a root
// took it, 0 (the draft's "unknown") otherwise.
inline uint32_t proxy_on_custom_callback(uint32_t callback_id, uint32_t size) {
  const uint32_t root_id = runtime().plugin_root_id;
  Scope scope(root_id, Scope::UnknownEffective{});
  auto* root = root_id ? contextAs<RootContext>(root_id, ContextKind::Root) : nullptr;
  if (!root) return 0;
  root->onForeignFunction(callback_id, size);
  return 1;
}

// Callout callbacks carry only the callout: the issuer is made effective.
template <class Deliver>
void deliverCalloutVnext(uint32_t token, bool final_event, Deliver&& deliver) {
  Runtime& r = runtime();
  Callout* c = token == 0xFFFFFFFFu ? nullptr : r.callouts.find(token + 1);
  const bool live = c && !c->finished && c->issuer;
  Scope scope(live ? c->issuer->id() : 0, Scope::UnknownEffective{});
  if (!live) {
    logDebug("proxy-wasm: event for unknown or finished callout ", token, " ignored");
    return;
  }
  if (Status s = actOn(c->issuer->id()); !s) {
    logError("proxy-wasm: cannot make context ", c->issuer->id(), " effective for its callout ", token, ": ", s);
    finishCallout(c);
    return;
  }
  deliver(*c);
  if (final_event && !c->finished) {
    if (c->kind == Callout::Kind::GrpcStream && !c->local_closed && c->issuer && r.grpc_close) {
      if (Status s = actOn(c->issuer->id()); s) s = r.grpc_close(c->token);
    }
    finishCallout(c);
  }
}

inline void proxy_on_http_call_response(uint32_t token, uint32_t headers, uint32_t body_size, uint32_t trailers) {
  deliverCalloutVnext(token, true, [&](Callout& c) { c.onHttpResponse(headers, body_size, trailers); });
}
inline void proxy_on_grpc_call_response_header_metadata(uint32_t token, uint32_t headers) {
  deliverCalloutVnext(token, false, [&](Callout& c) { c.onGrpcInitialMetadata(headers); });
}
inline void proxy_on_grpc_call_response_message(uint32_t token, uint32_t size) {
  Callout* c = token == 0xFFFFFFFFu ? nullptr : runtime().callouts.find(token + 1);
  const bool final_event = c && c->kind == Callout::Kind::GrpcCall;
  deliverCalloutVnext(token, final_event, [&](Callout& c) { c.onGrpcMessage(size); });
}
inline void proxy_on_grpc_call_response_trailer_metadata(uint32_t token, uint32_t trailers) {
  deliverCalloutVnext(token, false, [&](Callout& c) { c.onGrpcTrailingMetadata(trailers); });
}
inline void proxy_on_grpc_call_close(uint32_t token, uint32_t status) {
  deliverCalloutVnext(token, true, [&](Callout& c) { c.onGrpcClose(grpcStatusFromWire(status)); });
}

#endif

}  // namespace exports
}  // namespace detail

// ---- Members that need the dispatcher ------------------------------------------------------

inline Status RootContext::finish() {
#if PROXY_WASM_ABI_VNEXT
  // The host is told (proxy_context_finalize), then onLog and onDelete run and the root goes,
  // freed after the callback that called this (its code is still running).
  if (!detail::ContextAccess::finalizePending(*this)) return Status::NotFound;
  if (Status s = makeEffective(); !s) return s;
  detail::Reentry reentry;
  const Status s = detail::raw::done();
  if (s) {
    detail::ContextAccess::finalizePending(*this) = false;
    detail::exports::completeFinalize(id(), this);
  }
  return s;
#else
  if (Status s = makeEffective(); !s) return s;
  return detail::raw::done();
#endif
}

inline Status ContextBase::cancelGrpc(uint32_t token) {
  detail::Callout* c = token == 0xFFFFFFFFu ? nullptr : detail::runtime().callouts.find(token + 1);
  if (!c || c->issuer != this || c->finished || c->kind == detail::Callout::Kind::Http) return Status::NotFound;
  if (Status s = makeEffective(); !s) return s;
  const Status s = detail::raw::grpcCancel(token);
  detail::finishCallout(c);
  return s;
}

inline Status GrpcStreamHandler::send(std::string_view message, bool end_stream) {
  if (!callout_ || callout_->finished || !callout_->issuer) return Status::NotFound;
  if (Status s = detail::actOn(callout_->issuer->id()); !s) return s;
  const Status s = detail::raw::grpcSend(token_, message, end_stream);
  if (s && end_stream) callout_->local_closed = true;
  return s;
}

inline Status GrpcStreamHandler::close() {
  if (!callout_ || callout_->finished || !callout_->issuer) return Status::NotFound;
  if (Status s = detail::actOn(callout_->issuer->id()); !s) return s;
  const Status s = detail::raw::grpcClose(token_);
  if (s) callout_->local_closed = true;
  return s;
}

inline Status GrpcStreamHandler::cancel() {
  if (!callout_ || callout_->finished || !callout_->issuer) return Status::NotFound;
  if (Status s = detail::actOn(callout_->issuer->id()); !s) return s;
  const Status s = detail::raw::grpcCancel(token_);
  detail::finishCallout(callout_);  // the handler is deleted with it, after this callback
  return s;
}

inline void detail::Runtime::reset() {
  // Snapshot the table first: deleting while iterating would read freed entries.
  struct Entry {
    uint32_t id;
    ContextBase* context;
  };
  Entry* entries = static_cast<Entry*>(std::malloc(sizeof(Entry) * (contexts.size() + 1)));
  uint32_t n = 0;
  if (entries) contexts.forEach([&](uint32_t id, ContextBase* c) { entries[n++] = {id, c}; });
  // Streams first (a stream whose root the host deleted frees that root with itself).
  for (uint32_t i = 0; i < n; ++i) {
    auto [id, c] = entries[i];
    if (c->id() == id && c->kind() == ContextKind::Root) continue;
    RootContext& root = ContextAccess::rootOf(*c);
    if (c->id() == id) {
      while (Callout* callout = ContextAccess::callouts(*c)) finishCallout(callout);
      delete c;
    }
    entries[i].context = nullptr;  // done (and maybe freed): the second pass skips it
    uint32_t& live = ContextAccess::liveStreams(root);
    if (live) --live;
    if (live == 0 && ContextAccess::deleted(root)) delete &root;
  }
  for (uint32_t i = 0; i < n; ++i) {
    auto [id, c] = entries[i];
    if (!c) continue;
    while (Callout* callout = ContextAccess::callouts(*c)) finishCallout(callout);
    if (drop_timers) drop_timers(id);
    delete c;
  }
  std::free(entries);
  contexts.clear();
  reap();
  callouts.clear();
  root_timers.forEach([](uint32_t, RootTimers* t) { delete t; });  // none left: dropped above
  root_timers.clear();
  timers.clear();
  delete vm;
  vm = nullptr;
  vm_started = vm_failed = false;
  current = effective = reentrant = last_root_id = 0;
  has_dead = false;
  log_level_state = kLevelStartup;
  json_errors = nullptr;
#if PROXY_WASM_ABI_VNEXT
  std::free(queue_listeners);
  queue_listeners = nullptr;
  queue_listener_count = queue_listener_capacity = 0;
  vm_configuration_size = 0;
  vm_context_id = plugin_root_id = 0;
  firing_timer = nullptr;
#endif
}

#if PROXY_WASM_ABI_VNEXT
inline void detail::listenToQueue(uint32_t queue_id) {
  Runtime& r = runtime();
  ContextBase* c = r.contexts.find(r.current);
  const uint32_t root_id = c ? ContextAccess::rootOf(*c).id() : r.current;
  for (uint32_t i = 0; i < r.queue_listener_count; ++i) {
    if (r.queue_listeners[i].queue == queue_id) {
      r.queue_listeners[i].root = root_id;  // reopened: the latest root listens, as v0.2.1's register
      return;
    }
  }
  if (r.queue_listener_count == r.queue_listener_capacity) {
    const uint32_t cap = r.queue_listener_capacity ? r.queue_listener_capacity * 2 : 4;
    auto* grown = static_cast<QueueListener*>(std::realloc(r.queue_listeners, cap * sizeof(QueueListener)));
    if (!grown) {
      logError("proxy-wasm: out of memory: queue ", queue_id, " will not notify its root");
      return;
    }
    r.queue_listeners = grown;
    r.queue_listener_capacity = cap;
  }
  r.queue_listeners[r.queue_listener_count++] = {queue_id, root_id};
}

inline void detail::forgetQueue(uint32_t queue_id) {
  Runtime& r = runtime();
  for (uint32_t i = 0; i < r.queue_listener_count; ++i) {
    if (r.queue_listeners[i].queue == queue_id) {
      r.queue_listeners[i] = r.queue_listeners[--r.queue_listener_count];
      return;
    }
  }
}
#endif

}  // namespace proxy_wasm
