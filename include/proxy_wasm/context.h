// Contexts: the objects a plugin is made of. One RootContext per configured plugin
// instance; one HttpContext per HTTP stream or StreamContext per TCP connection.
#pragma once

#include <cstdint>
#include <chrono>
#include <initializer_list>
#include <memory>
#include <type_traits>
#include <utility>
#include <string>
#include <string_view>

#include "proxy_wasm/callouts.h"
#include "proxy_wasm/detail/context_pool.h"
#include "proxy_wasm/detail/timers.h"
#include "proxy_wasm/log.h"
#include "proxy_wasm/hostcalls.h"

namespace proxy_wasm {

class RootContext;

namespace detail {
struct RootAccess;  // the dispatcher's access to RootContext internals
// The context host calls act on: set to the called context on every callback entry,
// changed by ContextBase::makeEffective().
inline uint32_t g_effective_context = 0;
}  // namespace detail

enum class ContextKind : uint8_t { Root, Http, Stream };

// What every context has: an id allocated by the host, its root, and finalization.
class ContextBase {
 public:
  ContextBase(const ContextBase&) = delete;
  ContextBase& operator=(const ContextBase&) = delete;
  virtual ~ContextBase() = default;

#if defined(__wasm__) && !defined(PROXY_WASM_NO_CONTEXT_POOL)
  // Every context type's memory is recycled by size (the virtual destructor passes the
  // dynamic size): a request costs no malloc/free for its context once warm.
  static void* operator new(size_t size) { return detail::g_context_pool.allocate(size); }
  static void operator delete(void* p, size_t size) { detail::g_context_pool.release(p, size); }
#endif

  uint32_t id() const { return id_; }
  ContextKind kind() const { return kind_; }
  // The root this context belongs to; a root context is its own root.
  RootContext& root() const { return *root_; }

  // Finalization. Hosts call onDone, onLog and onDelete in host-specific orders (Envoy:
  // HTTP log -> done -> delete, TCP done -> log -> delete); do not depend on it.
  // Roots may return false from onDone to finish asynchronously (RootContext::finish()).
  virtual bool onDone() { return true; }
  virtual void onLog() {}
  virtual void onDelete() {}

  // Makes later host calls in this callback act on this context (e.g. resuming this
  // stream from a root's tick or callout callback). No host call when it already is.
  PROXY_WASM_NODISCARD Status makeEffective() const {
    if (detail::g_effective_context == id_) return Status::Ok;
    const Status s = setEffectiveContext(id_);
    if (s == Status::Ok) detail::g_effective_context = id_;
    return s;
  }

  // -- Callouts. The response callback runs later, in a callback of the host, with this
  //    context effective (so a stream can resume or answer its request from it). If this
  //    context is gone by then, the response is dropped. On a dispatch error the callback
  //    is destroyed without being called and the host status is returned.

  // HTTP call to cluster `upstream`. Envoy requires :method, :path and :authority
  // (BadArgument otherwise, or for an unknown cluster). timeout 0 = none.
  // `on_response(const HttpCallResponse&)`.
  template <class F>
  PROXY_WASM_NODISCARD Result<uint32_t> httpCall(std::string_view upstream, Headers headers, std::string_view body,
                                                 Headers trailers, uint32_t timeout_ms, F&& on_response) {
    return httpCallSerialized(upstream, serializePairs(headers), body,
                              trailers.size() ? serializePairs(trailers) : std::string(), timeout_ms,
                              std::forward<F>(on_response));
  }
  template <class F>
  PROXY_WASM_NODISCARD Result<uint32_t> httpCallSerialized(std::string_view upstream, std::string_view headers,
                                                           std::string_view body, std::string_view trailers,
                                                           uint32_t timeout_ms, F&& on_response) {
    auto token = proxy_wasm::httpCallSerialized(upstream, headers, body, trailers, timeout_ms);
    if (!token.ok()) return token;
    track(new detail::HttpCallout<F>(std::forward<F>(on_response)), *token);
    return token;
  }

  // Unary gRPC call; `message` is the serialized request. `on_response(const
  // GrpcCallResponse&)` runs once: with the reply (ok()) or with the failure status.
  template <class F>
  PROXY_WASM_NODISCARD Result<uint32_t> grpcCall(std::string_view upstream, std::string_view service,
                                                 std::string_view method, Headers initial_metadata,
                                                 std::string_view message, uint32_t timeout_ms, F&& on_response) {
    auto token = proxy_wasm::grpcCallSerialized(
        upstream, service, method, initial_metadata.size() ? serializePairs(initial_metadata) : std::string(),
        message, timeout_ms);
    if (!token.ok()) return token;
    track(new detail::GrpcCallCallout<F>(std::forward<F>(on_response)), *token);
    return token;
  }

  // Opens a gRPC stream handled by `handler` (a GrpcStreamHandler subclass, owned by the
  // SDK from now on and deleted after its onClose(), or with this context).
  template <class H>
  PROXY_WASM_NODISCARD Result<uint32_t> grpcStream(std::string_view upstream, std::string_view service,
                                                   std::string_view method, Headers initial_metadata,
                                                   std::unique_ptr<H> handler) {
    static_assert(std::is_base_of_v<GrpcStreamHandler, H>, "H must derive from GrpcStreamHandler");
    auto token = proxy_wasm::grpcStreamSerialized(
        upstream, service, method, initial_metadata.size() ? serializePairs(initial_metadata) : std::string());
    if (!token.ok()) return token;
    auto* callout = new detail::GrpcStreamCallout<H>(handler.release());
    callout->setToken(*token);
    track(callout, *token);
    return token;
  }

  // Cancels a gRPC call or stream made by this context; its callback will not run.
  PROXY_WASM_NODISCARD Status cancelGrpc(uint32_t token) {
    const Status s = grpcCancel(token);
    detail::Callout* c = detail::findCallout(token);
    if (c && c->context_id == id_ && c != detail::g_delivering) {
      detail::unlinkCallout(c);
      delete c;
    } else if (c && c == detail::g_delivering) {
      c->context_id = 0;  // the dispatcher deletes it when the current event returns
    }
    return s;
  }

 protected:
  ContextBase(uint32_t id, RootContext* root, ContextKind kind) : id_(id), root_(root), kind_(kind) {}

 private:
  void track(detail::Callout* callout, uint32_t token) {
    callout->token = token;
    callout->context_id = id_;
    detail::addCallout(callout);
  }

 public:

 private:
  uint32_t id_;
  RootContext* root_;
  ContextKind kind_;
};

// One configured instance of a plugin. Created by the host before any stream; receives
// start, configuration, ticks, queue notifications and foreign-function calls.
class RootContext : public ContextBase {
 public:
  RootContext(uint32_t id, std::string_view root_id)
      : ContextBase(id, this, ContextKind::Root), root_id_(root_id) {}

  // The `root_id` this plugin was configured with.
  std::string_view rootId() const { return root_id_; }

  // Called once per root after creation; return false to fail the VM start.
  virtual bool onStart(size_t vm_configuration_size) {
    (void)vm_configuration_size;
    return true;
  }
  // Called with each (re)configuration; return false to reject it. The plugin
  // configuration is readable only during this call.
  virtual bool onConfigure(size_t plugin_configuration_size) {
    (void)plugin_configuration_size;
    return true;
  }
  virtual void onTick() {}
  virtual void onQueueReady(uint32_t queue_id) { (void)queue_id; }
  virtual void onForeignFunction(uint32_t function_id, size_t arguments_size) {
    (void)function_id;
    (void)arguments_size;
  }

  // The VM configuration (readable at any time).
  PROXY_WASM_NODISCARD Result<HostBuffer> vmConfiguration() const {
    return getBufferBytes(BufferType::VmConfiguration);
  }
  // The plugin configuration (only during onConfigure()).
  PROXY_WASM_NODISCARD Result<HostBuffer> pluginConfiguration() const {
    return getBufferBytes(BufferType::PluginConfiguration);
  }
  // The arguments of the foreign function being called (only during onForeignFunction()).
  PROXY_WASM_NODISCARD Result<HostBuffer> foreignFunctionArguments() const {
    return getBufferBytes(BufferType::CallData);
  }

  // Ticks onTick() every `period_ms` milliseconds; 0 stops. (The host applies it to the
  // root of whichever context is current, which is this root for its own streams.)
  // BadArgument, logged, while timers (addTimer) own this root's tick.
  PROXY_WASM_NODISCARD Status setTickPeriod(uint32_t period_ms) {
    if (timers_) {
      logError("proxy-wasm: setTickPeriod on root '", root_id_, "' whose tick is owned by its timers; ignored");
      return Status::BadArgument;
    }
    const Status s = setTickPeriodMilliseconds(period_ms);
    if (s == Status::Ok) raw_tick_ = period_ms != 0;
    return s;
  }

  // -- Timers: any number of repeating or one-shot timers per root, multiplexed on the
  //    root's single tick by the host clock. While a root has timers they own its tick
  //    (onTick() is not called, setTickPeriod() is refused); addTimer() is refused, and
  //    logged, while a raw tick period is set. Callbacks run in a tick of this root.
  //    Returns the timer id (for cancelTimer()).
  template <class F>
  PROXY_WASM_NODISCARD Result<uint32_t> addTimer(std::chrono::milliseconds period, F&& fn) {
    return schedule(new detail::TimerFn<F>(std::forward<F>(fn)), period, true);
  }
  template <class F>
  PROXY_WASM_NODISCARD Result<uint32_t> addOneShotTimer(std::chrono::milliseconds delay, F&& fn) {
    return schedule(new detail::TimerFn<F>(std::forward<F>(fn)), delay, false);
  }
  // Cancels a timer; false when there is none with that id.
  bool cancelTimer(uint32_t timer_id) {
    for (detail::Timer* t = timers_; t; t = t->next) {
      if (t->id == timer_id && !t->cancelled) {
        t->cancelled = true;
        if (!firing_) (void)sweepAndRearm();
        return true;
      }
    }
    return false;
  }
  size_t timerCount() const {
    size_t n = 0;
    for (detail::Timer* t = timers_; t; t = t->next) n += t->cancelled ? 0 : 1;
    return n;
  }

  // Completes an onDone() that returned false. NotFound when nothing was pending.
  PROXY_WASM_NODISCARD Status finish() { return done(); }

  ~RootContext() override {
    while (timers_) delete std::exchange(timers_, timers_->next);
  }

  // Called by the dispatcher for proxy_on_tick.
  void dispatchTick() {
    if (!timers_) {
      onTick();
      return;
    }
    auto now = getCurrentTimeNanoseconds();
    if (!now) {
      logError("proxy-wasm: timers cannot read the host clock: ", now.status());
      return;
    }
    firing_ = true;
    // Fire what is due, in due order; timers added meanwhile wait for the next tick.
    for (;;) {
      detail::Timer* due = nullptr;
      for (detail::Timer* t = timers_; t; t = t->next)
        if (!t->cancelled && t->due_ns <= *now && (!due || t->due_ns < due->due_ns)) due = t;
      if (!due) break;
      if (due->period_ns) {
        due->due_ns += due->period_ns;
        if (due->due_ns <= *now) due->due_ns = *now + due->period_ns;  // skip missed periods
      } else {
        due->cancelled = true;
      }
      due->fire();
    }
    firing_ = false;
    (void)sweepAndRearm(*now, /*after_tick=*/true);
  }

 private:
  friend struct detail::RootAccess;
  // Creates this root's stream contexts (set at creation, so a new stream costs no lookup).
  ContextBase* (*make_stream_)(uint32_t id, RootContext& root) = nullptr;

  Result<uint32_t> schedule(detail::Timer* timer, std::chrono::milliseconds delay, bool repeating) {
    if (raw_tick_) {
      delete timer;
      logError("proxy-wasm: addTimer on root '", root_id_, "' which has a raw tick period; use one or the other");
      return Status::BadArgument;
    }
    auto now = getCurrentTimeNanoseconds();
    if (!now) {
      delete timer;
      return now.status();
    }
    const uint64_t ns = uint64_t(delay.count() > 0 ? delay.count() : 1) * 1000000ull;
    timer->id = next_timer_id_++;
    timer->due_ns = *now + ns;
    timer->period_ns = repeating ? ns : 0;
    timer->next = timers_;
    timers_ = timer;
    if (!firing_) {
      const Status s = sweepAndRearm(*now);
      if (s != Status::Ok) return s;
    }
    return timer->id;
  }

  // Drops cancelled timers and sets the tick to the next due time (0 when none is left).
  // Right after a tick the host has re-armed the same period, so an unchanged period
  // needs no host call.
  Status sweepAndRearm(uint64_t now = 0, bool after_tick = false) {
    for (detail::Timer** p = &timers_; *p;) {
      if ((*p)->cancelled) {
        delete std::exchange(*p, (*p)->next);
      } else {
        p = &(*p)->next;
      }
    }
    uint64_t next = 0;
    for (detail::Timer* t = timers_; t; t = t->next)
      if (!next || t->due_ns < next) next = t->due_ns;
    if (next && now == 0) {
      auto clock = getCurrentTimeNanoseconds();
      if (!clock) return clock.status();
      now = *clock;
    }
    uint32_t period_ms = 0;
    if (next) period_ms = next > now ? uint32_t((next - now + 999999) / 1000000) : 1;
    if (after_tick && period_ms == armed_ms_ && period_ms != 0) return Status::Ok;
    if (Status s = makeEffective(); s != Status::Ok) return s;
    const Status s = setTickPeriodMilliseconds(period_ms);
    if (s == Status::Ok) armed_ms_ = period_ms;
    return s;
  }

  std::string root_id_;
  detail::Timer* timers_ = nullptr;
  uint32_t next_timer_id_ = 1;
  uint32_t armed_ms_ = 0;
  bool raw_tick_ = false;
  bool firing_ = false;
};

// One HTTP stream. Callbacks return Action::Continue to let the stream proceed or
// Action::Pause to hold it (headers: everything waits; body: the host buffers and calls
// again with the whole body so far) until continueRequest()/continueResponse().
class HttpContext : public ContextBase {
 public:
  HttpContext(uint32_t id, RootContext* root) : ContextBase(id, root, ContextKind::Http) {}

  virtual Action onRequestHeaders(uint32_t headers, bool end_of_stream) {
    (void)headers;
    (void)end_of_stream;
    return Action::Continue;
  }
  virtual Action onRequestBody(size_t body_size, bool end_of_stream) {
    (void)body_size;
    (void)end_of_stream;
    return Action::Continue;
  }
  virtual Action onRequestTrailers(uint32_t trailers) {
    (void)trailers;
    return Action::Continue;
  }
  virtual Action onResponseHeaders(uint32_t headers, bool end_of_stream) {
    (void)headers;
    (void)end_of_stream;
    return Action::Continue;
  }
  virtual Action onResponseBody(size_t body_size, bool end_of_stream) {
    (void)body_size;
    (void)end_of_stream;
    return Action::Continue;
  }
  virtual Action onResponseTrailers(uint32_t trailers) {
    (void)trailers;
    return Action::Continue;
  }

  // -- Request headers (readable from onRequestHeaders until the request continues; also
  //    while paused; read-only in onLog).
  PROXY_WASM_NODISCARD Result<HostString> getRequestHeader(std::string_view key) const {
    return getHeaderMapValue(MapType::HttpRequestHeaders, key);
  }
  PROXY_WASM_NODISCARD Result<HeaderMap> getRequestHeaders() const {
    return getHeaderMapPairs(MapType::HttpRequestHeaders);
  }
  PROXY_WASM_NODISCARD Status addRequestHeader(std::string_view key, std::string_view value) {
    return addHeaderMapValue(MapType::HttpRequestHeaders, key, value);
  }
  PROXY_WASM_NODISCARD Status replaceRequestHeader(std::string_view key, std::string_view value) {
    return replaceHeaderMapValue(MapType::HttpRequestHeaders, key, value);
  }
  PROXY_WASM_NODISCARD Status removeRequestHeader(std::string_view key) {
    return removeHeaderMapValue(MapType::HttpRequestHeaders, key);
  }
  PROXY_WASM_NODISCARD Status setRequestHeaders(std::initializer_list<HeaderPair> pairs) {
    return setHeaderMapPairs(MapType::HttpRequestHeaders, pairs);
  }
  template <class Range>
  PROXY_WASM_NODISCARD Status setRequestHeaders(const Range& pairs) {
    return setHeaderMapPairs(MapType::HttpRequestHeaders, pairs);
  }

  // -- Request trailers.
  PROXY_WASM_NODISCARD Result<HostString> getRequestTrailer(std::string_view key) const {
    return getHeaderMapValue(MapType::HttpRequestTrailers, key);
  }
  PROXY_WASM_NODISCARD Result<HeaderMap> getRequestTrailers() const {
    return getHeaderMapPairs(MapType::HttpRequestTrailers);
  }
  PROXY_WASM_NODISCARD Status addRequestTrailer(std::string_view key, std::string_view value) {
    return addHeaderMapValue(MapType::HttpRequestTrailers, key, value);
  }
  PROXY_WASM_NODISCARD Status replaceRequestTrailer(std::string_view key, std::string_view value) {
    return replaceHeaderMapValue(MapType::HttpRequestTrailers, key, value);
  }
  PROXY_WASM_NODISCARD Status removeRequestTrailer(std::string_view key) {
    return removeHeaderMapValue(MapType::HttpRequestTrailers, key);
  }

  // -- Response headers.
  PROXY_WASM_NODISCARD Result<HostString> getResponseHeader(std::string_view key) const {
    return getHeaderMapValue(MapType::HttpResponseHeaders, key);
  }
  PROXY_WASM_NODISCARD Result<HeaderMap> getResponseHeaders() const {
    return getHeaderMapPairs(MapType::HttpResponseHeaders);
  }
  PROXY_WASM_NODISCARD Status addResponseHeader(std::string_view key, std::string_view value) {
    return addHeaderMapValue(MapType::HttpResponseHeaders, key, value);
  }
  PROXY_WASM_NODISCARD Status replaceResponseHeader(std::string_view key, std::string_view value) {
    return replaceHeaderMapValue(MapType::HttpResponseHeaders, key, value);
  }
  PROXY_WASM_NODISCARD Status removeResponseHeader(std::string_view key) {
    return removeHeaderMapValue(MapType::HttpResponseHeaders, key);
  }
  PROXY_WASM_NODISCARD Status setResponseHeaders(std::initializer_list<HeaderPair> pairs) {
    return setHeaderMapPairs(MapType::HttpResponseHeaders, pairs);
  }
  template <class Range>
  PROXY_WASM_NODISCARD Status setResponseHeaders(const Range& pairs) {
    return setHeaderMapPairs(MapType::HttpResponseHeaders, pairs);
  }

  // -- Response trailers.
  PROXY_WASM_NODISCARD Result<HostString> getResponseTrailer(std::string_view key) const {
    return getHeaderMapValue(MapType::HttpResponseTrailers, key);
  }
  PROXY_WASM_NODISCARD Result<HeaderMap> getResponseTrailers() const {
    return getHeaderMapPairs(MapType::HttpResponseTrailers);
  }
  PROXY_WASM_NODISCARD Status addResponseTrailer(std::string_view key, std::string_view value) {
    return addHeaderMapValue(MapType::HttpResponseTrailers, key, value);
  }
  PROXY_WASM_NODISCARD Status replaceResponseTrailer(std::string_view key, std::string_view value) {
    return replaceHeaderMapValue(MapType::HttpResponseTrailers, key, value);
  }
  PROXY_WASM_NODISCARD Status removeResponseTrailer(std::string_view key) {
    return removeHeaderMapValue(MapType::HttpResponseTrailers, key);
  }

  // -- Bodies: in onRequestBody/onResponseBody, the current chunk, or everything buffered
  //    so far when earlier calls paused.
  PROXY_WASM_NODISCARD Result<HostBuffer> getRequestBody(size_t start = 0, size_t max_size = kWholeBuffer) const {
    return getBufferBytes(BufferType::HttpRequestBody, start, max_size);
  }
  PROXY_WASM_NODISCARD Result<HostBuffer> getResponseBody(size_t start = 0, size_t max_size = kWholeBuffer) const {
    return getBufferBytes(BufferType::HttpResponseBody, start, max_size);
  }
  // Replaces the whole visible body with `data`.
  PROXY_WASM_NODISCARD Status replaceRequestBody(std::string_view data) {
    return setBufferBytes(BufferType::HttpRequestBody, 0, kWholeBuffer, data);
  }
  PROXY_WASM_NODISCARD Status replaceResponseBody(std::string_view data) {
    return setBufferBytes(BufferType::HttpResponseBody, 0, kWholeBuffer, data);
  }
  PROXY_WASM_NODISCARD Status prependRequestBody(std::string_view data) {
    return setBufferBytes(BufferType::HttpRequestBody, 0, 0, data);
  }
  PROXY_WASM_NODISCARD Status prependResponseBody(std::string_view data) {
    return setBufferBytes(BufferType::HttpResponseBody, 0, 0, data);
  }
  PROXY_WASM_NODISCARD Status appendRequestBody(std::string_view data) {
    return setBufferBytes(BufferType::HttpRequestBody, kWholeBuffer, 0, data);
  }
  PROXY_WASM_NODISCARD Status appendResponseBody(std::string_view data) {
    return setBufferBytes(BufferType::HttpResponseBody, kWholeBuffer, 0, data);
  }

  // -- Stream control (take effect when the current callback returns). Callable from
  //    another context's callback (a callout response, a tick): this stream is made
  //    effective first, and stays effective for the rest of that callback.
  PROXY_WASM_NODISCARD Status continueRequest() { return onThis(StreamType::Request, &continueStream); }
  PROXY_WASM_NODISCARD Status continueResponse() { return onThis(StreamType::Response, &continueStream); }
  PROXY_WASM_NODISCARD Status closeRequest() { return onThis(StreamType::Request, &closeStream); }
  PROXY_WASM_NODISCARD Status closeResponse() { return onThis(StreamType::Response, &closeStream); }

  // Answers the request from the proxy. The current callback is forced to stop.
  PROXY_WASM_NODISCARD Status sendLocalResponse(uint32_t status_code, std::string_view body,
                                                std::initializer_list<HeaderPair> headers = {},
                                                std::string_view details = {},
                                                GrpcStatus grpc_status = GrpcStatus::None) {
    if (Status s = makeEffective(); s != Status::Ok) return s;
    return proxy_wasm::sendLocalResponse(status_code, body, headers, details, grpc_status);
  }

 private:
  Status onThis(StreamType type, Status (*op)(StreamType)) {
    if (Status s = makeEffective(); s != Status::Ok) return s;
    return op(type);
  }
};

// One TCP connection. Data callbacks see the bytes available now (everything buffered
// when earlier calls paused).
class StreamContext : public ContextBase {
 public:
  StreamContext(uint32_t id, RootContext* root) : ContextBase(id, root, ContextKind::Stream) {}

  virtual Action onNewConnection() { return Action::Continue; }
  virtual Action onDownstreamData(size_t data_size, bool end_of_stream) {
    (void)data_size;
    (void)end_of_stream;
    return Action::Continue;
  }
  virtual Action onUpstreamData(size_t data_size, bool end_of_stream) {
    (void)data_size;
    (void)end_of_stream;
    return Action::Continue;
  }
  virtual void onDownstreamConnectionClose(PeerType peer) { (void)peer; }
  virtual void onUpstreamConnectionClose(PeerType peer) { (void)peer; }

  PROXY_WASM_NODISCARD Result<HostBuffer> getDownstreamData(size_t start = 0, size_t max_size = kWholeBuffer) const {
    return getBufferBytes(BufferType::DownstreamData, start, max_size);
  }
  PROXY_WASM_NODISCARD Result<HostBuffer> getUpstreamData(size_t start = 0, size_t max_size = kWholeBuffer) const {
    return getBufferBytes(BufferType::UpstreamData, start, max_size);
  }
  PROXY_WASM_NODISCARD Status replaceDownstreamData(std::string_view data) {
    return setBufferBytes(BufferType::DownstreamData, 0, kWholeBuffer, data);
  }
  PROXY_WASM_NODISCARD Status replaceUpstreamData(std::string_view data) {
    return setBufferBytes(BufferType::UpstreamData, 0, kWholeBuffer, data);
  }
  PROXY_WASM_NODISCARD Status continueDownstream() {
    if (Status s = makeEffective(); s != Status::Ok) return s;
    return continueStream(StreamType::Downstream);
  }
  PROXY_WASM_NODISCARD Status closeDownstream() {
    if (Status s = makeEffective(); s != Status::Ok) return s;
    return closeStream(StreamType::Downstream);
  }
  PROXY_WASM_NODISCARD Status closeUpstream() {
    if (Status s = makeEffective(); s != Status::Ok) return s;
    return closeStream(StreamType::Upstream);
  }
};

}  // namespace proxy_wasm
