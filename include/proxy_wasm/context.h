// Contexts: the objects a plugin is made of. One RootContext per configured plugin
// instance; one HttpContext per HTTP stream or StreamContext per TCP connection.
//
// Every member that calls the host acts on its own context, from wherever it is called:
// its own callback, its root's tick or timer, a queue notification, a callout response
// delivered to another context, a foreign-function call. The SDK tracks which context the
// host acts on and calls proxy_set_effective_context only when it must switch (never on the
// common path: a stream calling its own members inside its own callback).
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "proxy_wasm/callouts.h"
#include "proxy_wasm/detail/export_use.h"
#include "proxy_wasm/hostcalls.h"
#include "proxy_wasm/log.h"

namespace proxy_wasm {

class RootContext;
class ContextBase;

/// What a context is: ContextBase::kind().
enum class ContextKind : uint8_t {
  Root,    ///< A RootContext: one per configured plugin.
  Http,    ///< An HttpContext: one per HTTP stream.
  Stream,  ///< A StreamContext: one per TCP connection.
};

namespace detail {
/// The finalization hooks a context type overrides (set at creation from its type, see
/// registry.h): the dispatcher does not call the others, whose defaults do nothing.
enum HookBits : uint8_t { kHookDone = 1, kHookLog = 2, kHookDelete = 4, kAllHooks = 7 };
struct ContextAccess;  ///< the dispatcher's access to context internals
/// Defined in detail/dispatch.h.
inline void trackCallout(ContextBase& issuer, Callout* callout, uint32_t token);
template <class Use>
inline void enableGrpc();
/// Statuses: as RootContext::addTimer() (Ok, BadArgument, InternalFailure, the host's failure).
inline Result<uint32_t> addTimer(RootContext& root, Timer* timer, std::chrono::milliseconds delay, bool repeating);
inline bool cancelTimer(RootContext& root, uint32_t timer_id);
inline size_t timerCount(const RootContext& root);
/// Statuses: as RootContext::setTickPeriod() (Ok, BadArgument, the host's failure).
inline Status setTickPeriod(RootContext& root, uint32_t period_ms);
}  // namespace detail

/// What every context has: an id allocated by the host, its root, finalization, callouts,
/// properties, and generic access to the host's maps and buffers.
class ContextBase {
 public:
  /// Contexts are owned by the SDK: neither copied nor moved.
  ContextBase(const ContextBase&) = delete;
  ContextBase& operator=(const ContextBase&) = delete;
  /// Run by the SDK after onDelete() (or when the plugin is torn down).
  virtual ~ContextBase() = default;

#if defined(__wasm__) && !defined(PROXY_WASM_NO_CONTEXT_POOL)
  /// Every context type's memory is recycled by size (the virtual destructor passes the
  /// dynamic size): a request costs no malloc/free for its context once warm.
  static void* operator new(size_t size) { return detail::runtime().pool.allocate(size); }
  static void operator delete(void* p, size_t size) { detail::runtime().pool.release(p, size); }
#endif

  /// The host's id of this context (unique among the VM's live contexts).
  uint32_t id() const { return id_; }
  /// Root, Http or Stream.
  ContextKind kind() const { return kind_; }
  /// The root this context belongs to; a root context is its own root. A stream's root
  /// outlives the stream (the SDK keeps a deleted root's object until its last stream goes).
  RootContext& root() const { return *root_; }

  // -- Finalization. Hosts call onDone, onLog and onDelete in host-specific orders (Envoy:
  //    HTTP log -> done -> delete, TCP done -> log -> delete); do not depend on it.

  /// Finalization begins (the stream ended, or the plugin is being removed). Return true
  /// when done; a root may return false to finish asynchronously (RootContext::finish()).
  /// Hosts use the return value of roots only.
  virtual bool onDone() { return true; }
  /// Access logging, once per stream at its end: headers are read-only (request trailers
  /// are not readable), properties describe the whole stream. Not called for roots by Envoy.
  virtual void onLog() {}
  /// The host forgot this context; the SDK deletes the object when this returns. No host
  /// call may act on this context any more.
  virtual void onDelete() {}

  /// Makes the host act on this context now. Members do it for you; needed only before a
  /// raw `proxy_*` call. BadArgument when the host no longer knows this context.
  PROXY_WASM_NODISCARD PROXY_WASM_ALWAYS_INLINE Status makeEffective() const { return detail::actOn(id_); }

  // -- Callouts. The callback runs later, in a callback of the host, with this context
  //    effective. If this context is deleted first, the callback never runs (gRPC calls
  //    and streams are then cancelled at the host). On a dispatch error the callback is
  //    destroyed without being called and the host status is returned.

  /// Sends `request` through the host; `on_response(const HttpCallResponse&)` runs once,
  /// later, with this context effective: with the response, or with failed() true (reset,
  /// timeout). If this context is deleted first, it never runs. Returns the token. From any
  /// callback (not during module start-up).
  /// Statuses: Ok; BadArgument (an unknown cluster, headers without :method, :path and
  /// :authority, a timeout Envoy refuses, or this context is gone); InvalidMemoryAccess;
  /// InternalFailure.
  template <class F>
  PROXY_WASM_NODISCARD Result<uint32_t> httpCall(const HttpRequest& request, F&& on_response) {
    if (Status s = makeEffective(); !s) return s;
    auto token = detail::raw::httpCall(request.cluster(), request.serializedHeaders(), request.bodyBytes(),
                                       request.serializedTrailers(), request.timeoutMs());
    if (!token.ok()) return token;
    PROXY_WASM_USE_EXPORT(proxy_on_http_call_response, F);
    detail::trackCallout(*this, new detail::HttpCallout<F>(std::forward<F>(on_response)), *token);
    return token;
  }

  /// Unary gRPC call. `on_response(const GrpcCallResponse&)` runs once: with the reply
  /// (ok()) or with the failure status.
  /// Returns the token. From any callback (not during module start-up). Statuses: Ok;
  /// BadArgument (also when this context is gone); ParseFailure for an upstream that is
  /// neither a cluster nor a GrpcService; InvalidMemoryAccess; InternalFailure.
  template <class F>
  PROXY_WASM_NODISCARD Result<uint32_t> grpcCall(const GrpcRequest& request, F&& on_response) {
    if (Status s = makeEffective(); !s) return s;
    auto token = detail::raw::grpcCall(request.cluster(), request.service(), request.method(),
                                       request.serializedMetadata(), request.messageBytes(), request.timeoutMs());
    if (!token.ok()) return token;
    detail::enableGrpc<F>();
    detail::trackCallout(*this, new detail::GrpcCallCallout<F>(std::forward<F>(on_response)), *token);
    return token;
  }

  /// Opens a gRPC stream handled by `handler` (owned by the SDK from now on; see
  /// GrpcStreamHandler). A request message is sent as the stream's first message; a
  /// timeout is refused (BadArgument): v0.2.1 streams have none.
  /// Returns the token. Statuses: Ok; BadArgument (a timeout, a null handler, or the host's, as
  /// for grpcCall()); ParseFailure; InvalidMemoryAccess; InternalFailure; the status of
  /// sending the first message (GrpcStreamHandler::send()).
  template <class H>
  PROXY_WASM_NODISCARD Result<uint32_t> grpcStream(const GrpcRequest& request, std::unique_ptr<H> handler) {
    static_assert(std::is_base_of_v<GrpcStreamHandler, H>, "H must derive from GrpcStreamHandler");
    if (request.timeoutMs() != 0) {
      logError("proxy-wasm: grpcStream: gRPC streams have no timeout in ABI v0.2.1; remove .timeout()");
      return Status::BadArgument;
    }
    if (!handler) return Status::BadArgument;
    if (Status s = makeEffective(); !s) return s;
    auto token = detail::raw::grpcStream(request.cluster(), request.service(), request.method(),
                                         request.serializedMetadata());
    if (!token.ok()) return token;
    detail::enableGrpc<H>();
    H* h = handler.release();
    auto* callout = new detail::GrpcStreamCallout<H>(h);
    h->bind(callout, *token);
    detail::trackCallout(*this, callout, *token);
    if (!request.messageBytes().empty()) {
      if (Status s = h->send(request.messageBytes()); !s) return s;
    }
    return token;
  }

  /// Cancels a gRPC call or stream made by this context; its callback will not run.
  /// NotFound when this context has no such call.
  /// Statuses: Ok; NotFound as above (also for an HTTP call's token, or a finished call);
  /// BadArgument when this context is gone.
  PROXY_WASM_NODISCARD Status cancelGrpc(uint32_t token);

  // -- Properties and foreign functions, as this context sees them.

  /// The raw bytes of a property (properties.h has typed readers); absent when unknown.
  /// Statuses: Ok (present or absent); SerializationFailure; InvalidMemoryAccess;
  /// InternalFailure (Envoy, for some attributes); BadArgument when this context is gone.
  PROXY_WASM_NODISCARD Maybe<HostBuffer> getProperty(const PropertyPath& path) const {
    if (Status s = makeEffective(); !s) return s;
    return detail::raw::getProperty(path.wire());
  }
  /// Stores `value` under `path` (Envoy: filter state "wasm.<path>" of this stream).
  /// NotFound on a root context (there is no stream).
  /// Statuses: Ok; NotFound as above; BadArgument when this context is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Status setProperty(const PropertyPath& path, std::string_view value) {
    if (Status s = makeEffective(); !s) return s;
    return detail::raw::setProperty(path.wire(), value);
  }
  /// Calls the host's foreign function `name` with `args` as this context; returns its result.
  /// The function may call back into the plugin before this returns. Statuses: Ok; NotFound
  /// when the host registered no function by that name; InvalidMemoryAccess; any status the
  /// function gives; BadArgument when this context is gone.
  PROXY_WASM_NODISCARD Result<HostBuffer> callForeignFunction(std::string_view name, std::string_view args) {
    if (Status s = makeEffective(); !s) return s;
    return detail::raw::callForeignFunction(name, args);
  }

  // -- Any map or buffer of this context (the named members of HttpContext and
  //    StreamContext are these with the type filled in).
  /// The first value of `key` in `map` (keys are lower-case). Statuses: Ok (present or absent);
  /// BadArgument for a map not available now (its phase is over, or maps 4-7 outside their
  /// callbacks), or when this context is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Maybe<HostString> getHeader(MapType map, std::string_view key) const {
    if (Status s = makeEffective(); !s) return s;
    return detail::raw::getHeaderMapValue(map, key);
  }
  /// Every pair of `map`. Statuses: Ok (an empty map where the map is not available now);
  /// BadArgument when this context is gone; InvalidMemoryAccess; ParseFailure for a malformed map.
  PROXY_WASM_NODISCARD Result<HeaderMap> getHeaders(MapType map) const {
    if (Status s = makeEffective(); !s) return s;
    return detail::raw::getHeaderMapPairs(map);
  }
  /// Envoy reports the map's byte size (keys plus values), not its serialized size.
  /// Statuses: Ok; BadArgument for maps 4-7, a map not available now (also in onLog), or when
  /// this context is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Result<size_t> getHeadersSize(MapType map) const {
    if (Status s = makeEffective(); !s) return s;
    return detail::raw::getHeaderMapSize(map);
  }
  /// Adds `key: value` to `map` (duplicates allowed). Statuses: Ok; BadArgument for a read-only map
  /// (4-7) or one not available now (read-only in onLog), or when this context is gone;
  /// InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Status addHeader(MapType map, std::string_view key, std::string_view value) {
    if (Status s = makeEffective(); !s) return s;
    return detail::raw::addHeaderMapValue(map, key, value);
  }
  /// Sets `key` to `value` in `map`, replacing every value, or adds it. Statuses: Ok; BadArgument
  /// for a read-only map (4-7) or one not available now (read-only in onLog), or when this context
  /// is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Status replaceHeader(MapType map, std::string_view key, std::string_view value) {
    if (Status s = makeEffective(); !s) return s;
    return detail::raw::replaceHeaderMapValue(map, key, value);
  }
  /// Removes every value of `key` from `map` (Ok when absent). Statuses: Ok; BadArgument for a
  /// read-only map (4-7) or one not available now (read-only in onLog), or when this context is
  /// gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Status removeHeader(MapType map, std::string_view key) {
    if (Status s = makeEffective(); !s) return s;
    return detail::raw::removeHeaderMapValue(map, key);
  }
  /// Replaces the whole map with any range of string pairs.
  /// Statuses: Ok; BadArgument for a read-only map or one not available now, or when this
  /// context is gone; InvalidMemoryAccess.
  template <class Range>
  PROXY_WASM_NODISCARD Status setHeaders(MapType map, const Range& pairs) {
    if (Status s = makeEffective(); !s) return s;
    return detail::raw::setHeaderMapPairs(map, serializePairs(pairs));
  }
  /// Replaces the whole map with a braced list. Statuses: as setHeaders() with a range (Ok,
  /// BadArgument, InvalidMemoryAccess).
  PROXY_WASM_NODISCARD Status setHeaders(MapType map, std::initializer_list<HeaderPair> pairs) {
    return setHeaders<std::initializer_list<HeaderPair>>(map, pairs);
  }
  /// Bytes [start, start+max) of a buffer, clamped by the host to what exists.
  /// Statuses: Ok (empty for a body or TCP data outside its callback, unless paused);
  /// NotFound when the buffer does not exist now (the call response outside its callback, the
  /// plugin configuration outside onConfigure, the arguments outside onForeignFunction);
  /// BadArgument when this context is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Result<HostBuffer> getBuffer(BufferType buffer, size_t start = 0,
                                                    size_t max_size = kWholeBuffer) const {
    if (Status s = makeEffective(); !s) return s;
    return detail::raw::getBufferBytes(buffer, start, max_size);
  }
  /// Replaces `length` bytes at `start` with `data`. Envoy supports start 0 (drop `length`
  /// bytes, then prepend: (0, 0) prepends, (0, size) replaces) and start >= size (append);
  /// anything in between is BadArgument.
  /// Only bodies and TCP data are writable, in their callbacks or while paused. Statuses: Ok;
  /// BadArgument as above, for a read-only buffer, outside the callback, or when this context
  /// is gone; NotFound for a buffer that does not exist now; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Status setBuffer(BufferType buffer, size_t start, size_t length, std::string_view data) {
    if (Status s = makeEffective(); !s) return s;
    return detail::raw::setBufferBytes(buffer, start, length, data);
  }
  /// The size of `buffer` now. Statuses: as getBuffer() (Ok, NotFound, BadArgument,
  /// InvalidMemoryAccess).
  PROXY_WASM_NODISCARD Result<BufferStatus> getBufferStatus(BufferType buffer) const {
    if (Status s = makeEffective(); !s) return s;
    return detail::raw::getBufferStatus(buffer);
  }

 protected:
  /// For the context classes below: `id` from the host, the owning `root`.
  ContextBase(uint32_t id, RootContext& root, ContextKind kind) : id_(id), root_(&root), kind_(kind) {}

 private:
  friend struct detail::ContextAccess;
  uint32_t id_;
  RootContext* root_;
  ContextKind kind_;
  uint8_t hooks_ = detail::kAllHooks;     ///< detail::HookBits
  detail::Callout* callouts_ = nullptr;  ///< outstanding callouts issued by this context
  ContextBase* next_dead_ = nullptr;      ///< deferred deletion list
};

/// One configured instance of a plugin. Created by the host before any stream; receives
/// start, configuration, ticks, queue notifications and foreign-function calls.
class RootContext : public ContextBase {
 public:
  /// Made by the SDK (RegisterContextFactory) when the host creates a root: `id` from the
  /// host, `root_id` the configured root id. Derived roots inherit or forward it.
  RootContext(uint32_t id, std::string_view root_id) : ContextBase(id, *this, ContextKind::Root), root_id_(root_id) {}

  /// The `root_id` this plugin was configured with.
  std::string_view rootId() const { return root_id_; }

  /// Called once per root after creation; return false to fail the plugin's start.
  virtual bool onStart(size_t vm_configuration_size) {
    (void)vm_configuration_size;
    return true;
  }
  /// Called with each (re)configuration; return false to reject it. The plugin
  /// configuration is readable only during this call.
  virtual bool onConfigure(size_t plugin_configuration_size) {
    (void)plugin_configuration_size;
    return true;
  }
  /// Each tick period set by setTickPeriod(), on this root (not called while timers own the tick).
  virtual void onTick() {}
  /// Once per item enqueued on queue `queue_id`, which this root registered (SharedQueue);
  /// dequeue it now or later.
  virtual void onQueueReady(uint32_t queue_id) { (void)queue_id; }
  /// The host calls function `function_id` of the plugin; its arguments (`arguments_size`
  /// bytes) are readable with foreignFunctionArguments() during this call.
  virtual void onForeignFunction(uint32_t function_id, size_t arguments_size) {
    (void)function_id;
    (void)arguments_size;
  }

  /// The VM configuration (readable at any time).
  /// Statuses: Ok; InvalidMemoryAccess; BadArgument when this root is gone.
  PROXY_WASM_NODISCARD Result<HostBuffer> vmConfiguration() const { return getBuffer(BufferType::VmConfiguration); }
  /// The plugin configuration (only during onConfigure()).
  /// Statuses: Ok; NotFound outside onConfigure(); InvalidMemoryAccess; BadArgument when this
  /// root is gone.
  PROXY_WASM_NODISCARD Result<HostBuffer> pluginConfiguration() const {
    return getBuffer(BufferType::PluginConfiguration);
  }
  /// The arguments of the foreign function being called (only during onForeignFunction()).
  /// Statuses: Ok; NotFound outside onForeignFunction(); InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Result<HostBuffer> foreignFunctionArguments() const { return getBuffer(BufferType::CallData); }

  /// Ticks onTick() every `period_ms` milliseconds; 0 stops. BadArgument, logged, while
  /// timers (addTimer) own this root's tick.
  /// From any callback (typically onStart or onConfigure). Statuses: Ok; BadArgument as
  /// above, or when this root is gone; the host's failure.
  template <class Unused = void>  // a template: only a plugin that calls it exports proxy_on_tick
  PROXY_WASM_NODISCARD Status setTickPeriod(uint32_t period_ms) {
    PROXY_WASM_USE_EXPORT(proxy_on_tick, Unused);
    return detail::setTickPeriod(*this, period_ms);
  }

  // -- Timers: any number of repeating or one-shot timers per root, multiplexed on the
  //    root's single tick by the host clock (O(log n) each). While a root has timers they
  //    own its tick (onTick() is not called, setTickPeriod() is refused); addTimer() is
  //    refused, and logged, while a raw tick period is set. Callbacks run in a tick of
  //    this root. Returns the timer id (for cancelTimer()). On an error no timer is left.
  /// Calls `fn()` every `period` (at least 1 ms) in a tick of this root, until cancelTimer().
  /// Timers multiplex the root's single tick by the host clock: while a root has timers they
  /// own its tick (onTick() is not called, setTickPeriod() is refused). Returns the timer id.
  /// On an error no timer is left. Statuses: Ok; BadArgument, logged, while a raw tick period
  /// is set (setTickPeriod()); InternalFailure when out of memory; the host's failure reading
  /// the clock or arming the tick.
  template <class F>
  PROXY_WASM_NODISCARD Result<uint32_t> addTimer(std::chrono::milliseconds period, F&& fn) {
    PROXY_WASM_USE_EXPORT(proxy_on_tick, F);
    return detail::addTimer(*this, new detail::TimerFn<F>(std::forward<F>(fn)), period, true);
  }
  /// Calls `fn()` once, `delay` (at least 1 ms) from now, in a tick of this root. Returns the
  /// timer id. Statuses: as addTimer() (Ok; BadArgument while a raw tick period is set;
  /// InternalFailure; the host's failure).
  template <class F>
  PROXY_WASM_NODISCARD Result<uint32_t> addOneShotTimer(std::chrono::milliseconds delay, F&& fn) {
    PROXY_WASM_USE_EXPORT(proxy_on_tick, F);
    return detail::addTimer(*this, new detail::TimerFn<F>(std::forward<F>(fn)), delay, false);
  }
  /// Cancels a timer of this root; false when it has none with that id.
  bool cancelTimer(uint32_t timer_id) { return detail::cancelTimer(*this, timer_id); }
  /// The number of this root's live timers.
  size_t timerCount() const { return detail::timerCount(*this); }

  /// Completes an onDone() that returned false. NotFound when nothing was pending.
  /// Statuses: Ok; NotFound as above; BadArgument when this root is gone.
  PROXY_WASM_NODISCARD Status finish();

 private:
  friend struct detail::ContextAccess;
  /// Creates this root's stream contexts (set at creation, so a new stream costs no lookup).
  ContextBase* (*make_stream_)(uint32_t id, RootContext& root) = nullptr;
  uint32_t live_streams_ = 0;  ///< streams still pointing at this root
  bool deleted_ = false;       ///< the host deleted this root; freed with its last stream
  bool passthrough_logged_ = false;  ///< told once that it has no stream context type
  bool finalize_pending_ = false;    ///< vNEXT: onDone() returned false; finish() completes it
  std::string root_id_;
};

/// One HTTP stream. Callbacks return Action::Continue to let the stream proceed or
/// Action::Pause to hold it (headers: everything waits; body: the host buffers and calls
/// again with the whole body so far) until continueRequest()/continueResponse().
class HttpContext : public ContextBase {
 public:
  /// Made by the SDK (RegisterContextFactory) when the host creates a stream of `root`.
  HttpContext(uint32_t id, RootContext& root) : ContextBase(id, root, ContextKind::Http) {}

  /// The request headers arrived (`headers` of them); `end_of_stream` when the request has no
  /// body. Pause holds headers, body and trailers (Envoy buffers the body, and calls no body
  /// callback) until continueRequest().
  virtual Action onRequestHeaders(uint32_t headers, bool end_of_stream) {
    (void)headers;
    (void)end_of_stream;
    return Action::Continue;
  }
  /// A chunk of the request body arrived; `body_size` is what getRequestBody() sees now (the
  /// chunk, or everything buffered since a pause). Pause buffers it: the next chunk is appended
  /// and this runs again with the whole body (past Envoy's buffer limit, the proxy answers 413).
  virtual Action onRequestBody(size_t body_size, bool end_of_stream) {
    (void)body_size;
    (void)end_of_stream;
    return Action::Continue;
  }
  /// The request trailers arrived (`trailers` of them). Pause holds them until continueRequest().
  virtual Action onRequestTrailers(uint32_t trailers) {
    (void)trailers;
    return Action::Continue;
  }
  /// The response headers arrived (1xx responses never reach the plugin). Pause holds the
  /// response until continueResponse().
  virtual Action onResponseHeaders(uint32_t headers, bool end_of_stream) {
    (void)headers;
    (void)end_of_stream;
    return Action::Continue;
  }
  /// A chunk of the response body, as onRequestBody() (past the buffer limit: 500).
  virtual Action onResponseBody(size_t body_size, bool end_of_stream) {
    (void)body_size;
    (void)end_of_stream;
    return Action::Continue;
  }
  /// The response trailers arrived. Pause holds them until continueResponse().
  virtual Action onResponseTrailers(uint32_t trailers) {
    (void)trailers;
    return Action::Continue;
  }

  /// @name Request headers
  /// Readable and writable from onRequestHeaders() until the request continues (also while
  /// paused, and from other callbacks with this context effective, e.g. a callout response);
  /// read-only in onLog(). Elsewhere a lookup is BadArgument (absent in onLog()), a whole-map
  /// read is an empty map, and a write is BadArgument.
  /// @{
  /// The first value of `key` (keys are lower-case); absent when missing. Statuses: Ok
  /// (present or absent); BadArgument when the map is not available now (above) or this
  /// context is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Maybe<HostString> getRequestHeader(std::string_view key) const {
    return getHeader(MapType::HttpRequestHeaders, key);
  }
  /// All request headers in order. Statuses: Ok (an empty map when not available now);
  /// BadArgument when this context is gone; InvalidMemoryAccess; ParseFailure for a
  /// malformed map.
  PROXY_WASM_NODISCARD Result<HeaderMap> getRequestHeaders() const { return getHeaders(MapType::HttpRequestHeaders); }
  /// Adds `key: value` (duplicates allowed). Statuses: Ok; BadArgument when the map is not writable
  /// now (above) or this context is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Status addRequestHeader(std::string_view key, std::string_view value) {
    return addHeader(MapType::HttpRequestHeaders, key, value);
  }
  /// Sets `key` to `value`, replacing every value, or adds it when absent. Statuses: Ok;
  /// BadArgument when the map is not writable now (above) or this context is gone;
  /// InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Status replaceRequestHeader(std::string_view key, std::string_view value) {
    return replaceHeader(MapType::HttpRequestHeaders, key, value);
  }
  /// Removes every value of `key` (Ok when absent). Statuses: Ok; BadArgument when the map is not
  /// writable now (above) or this context is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Status removeRequestHeader(std::string_view key) {
    return removeHeader(MapType::HttpRequestHeaders, key);
  }
  /// Replaces all request headers with any range of string pairs. Statuses: Ok; BadArgument when
  /// the map is not writable now (above) or this context is gone; InvalidMemoryAccess.
  template <class Range>
  PROXY_WASM_NODISCARD Status setRequestHeaders(const Range& pairs) {
    return setHeaders(MapType::HttpRequestHeaders, pairs);
  }
  /// Replaces all request headers with a braced list. Statuses: Ok; BadArgument when the map is not
  /// writable now (above) or this context is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Status setRequestHeaders(std::initializer_list<HeaderPair> pairs) {
    return setHeaders(MapType::HttpRequestHeaders, pairs);
  }
  /// @}

  /// @name Request trailers
  /// Readable and writable in onRequestTrailers() until the request continues; a body callback
  /// with end_of_stream may create them (add one). Not readable in onLog(). Elsewhere a lookup
  /// is BadArgument (absent in onLog()), a whole-map read is an empty map, and a write is
  /// BadArgument.
  /// @{
  /// The first value of `key` (keys are lower-case); absent when missing. Statuses: Ok
  /// (present or absent); BadArgument when the map is not available now (above) or this
  /// context is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Maybe<HostString> getRequestTrailer(std::string_view key) const {
    return getHeader(MapType::HttpRequestTrailers, key);
  }
  /// All request trailers in order. Statuses: Ok (an empty map when not available now);
  /// BadArgument when this context is gone; InvalidMemoryAccess; ParseFailure for a
  /// malformed map.
  PROXY_WASM_NODISCARD Result<HeaderMap> getRequestTrailers() const { return getHeaders(MapType::HttpRequestTrailers); }
  /// Adds `key: value` (duplicates allowed). Statuses: Ok; BadArgument when the map is not writable
  /// now (above) or this context is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Status addRequestTrailer(std::string_view key, std::string_view value) {
    return addHeader(MapType::HttpRequestTrailers, key, value);
  }
  /// Sets `key` to `value`, replacing every value, or adds it when absent. Statuses: Ok;
  /// BadArgument when the map is not writable now (above) or this context is gone;
  /// InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Status replaceRequestTrailer(std::string_view key, std::string_view value) {
    return replaceHeader(MapType::HttpRequestTrailers, key, value);
  }
  /// Removes every value of `key` (Ok when absent). Statuses: Ok; BadArgument when the map is not
  /// writable now (above) or this context is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Status removeRequestTrailer(std::string_view key) {
    return removeHeader(MapType::HttpRequestTrailers, key);
  }
  /// Replaces all request trailers with any range of string pairs. Statuses: Ok; BadArgument when
  /// the map is not writable now (above) or this context is gone; InvalidMemoryAccess.
  template <class Range>
  PROXY_WASM_NODISCARD Status setRequestTrailers(const Range& pairs) {
    return setHeaders(MapType::HttpRequestTrailers, pairs);
  }
  /// Replaces all request trailers with a braced list. Statuses: Ok; BadArgument when the map is
  /// not writable now (above) or this context is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Status setRequestTrailers(std::initializer_list<HeaderPair> pairs) {
    return setHeaders(MapType::HttpRequestTrailers, pairs);
  }
  /// @}

  /// @name Response headers
  /// Readable and writable from onResponseHeaders() until the response continues (also while
  /// paused); read-only in onLog(). Elsewhere a lookup is BadArgument (absent in onLog()), a
  /// whole-map read is an empty map, and a write is BadArgument.
  /// @{
  /// The first value of `key` (keys are lower-case); absent when missing. Statuses: Ok
  /// (present or absent); BadArgument when the map is not available now (above) or this
  /// context is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Maybe<HostString> getResponseHeader(std::string_view key) const {
    return getHeader(MapType::HttpResponseHeaders, key);
  }
  /// All response headers in order. Statuses: Ok (an empty map when not available now);
  /// BadArgument when this context is gone; InvalidMemoryAccess; ParseFailure for a
  /// malformed map.
  PROXY_WASM_NODISCARD Result<HeaderMap> getResponseHeaders() const {
    return getHeaders(MapType::HttpResponseHeaders);
  }
  /// Adds `key: value` (duplicates allowed). Statuses: Ok; BadArgument when the map is not writable
  /// now (above) or this context is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Status addResponseHeader(std::string_view key, std::string_view value) {
    return addHeader(MapType::HttpResponseHeaders, key, value);
  }
  /// Sets `key` to `value`, replacing every value, or adds it when absent. Statuses: Ok;
  /// BadArgument when the map is not writable now (above) or this context is gone;
  /// InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Status replaceResponseHeader(std::string_view key, std::string_view value) {
    return replaceHeader(MapType::HttpResponseHeaders, key, value);
  }
  /// Removes every value of `key` (Ok when absent). Statuses: Ok; BadArgument when the map is not
  /// writable now (above) or this context is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Status removeResponseHeader(std::string_view key) {
    return removeHeader(MapType::HttpResponseHeaders, key);
  }
  /// Replaces all response headers with any range of string pairs. Statuses: Ok; BadArgument when
  /// the map is not writable now (above) or this context is gone; InvalidMemoryAccess.
  template <class Range>
  PROXY_WASM_NODISCARD Status setResponseHeaders(const Range& pairs) {
    return setHeaders(MapType::HttpResponseHeaders, pairs);
  }
  /// Replaces all response headers with a braced list. Statuses: Ok; BadArgument when the map is
  /// not writable now (above) or this context is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Status setResponseHeaders(std::initializer_list<HeaderPair> pairs) {
    return setHeaders(MapType::HttpResponseHeaders, pairs);
  }
  /// @}

  /// @name Response trailers
  /// Readable and writable in onResponseTrailers() until the response continues; a body
  /// callback with end_of_stream may create them (add one); read-only in onLog(). Elsewhere a
  /// lookup is BadArgument (absent in onLog()), a whole-map read is an empty map, and a write is
  /// BadArgument.
  /// @{
  /// The first value of `key` (keys are lower-case); absent when missing. Statuses: Ok
  /// (present or absent); BadArgument when the map is not available now (above) or this
  /// context is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Maybe<HostString> getResponseTrailer(std::string_view key) const {
    return getHeader(MapType::HttpResponseTrailers, key);
  }
  /// All response trailers in order. Statuses: Ok (an empty map when not available now);
  /// BadArgument when this context is gone; InvalidMemoryAccess; ParseFailure for a
  /// malformed map.
  PROXY_WASM_NODISCARD Result<HeaderMap> getResponseTrailers() const {
    return getHeaders(MapType::HttpResponseTrailers);
  }
  /// Adds `key: value` (duplicates allowed). Statuses: Ok; BadArgument when the map is not writable
  /// now (above) or this context is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Status addResponseTrailer(std::string_view key, std::string_view value) {
    return addHeader(MapType::HttpResponseTrailers, key, value);
  }
  /// Sets `key` to `value`, replacing every value, or adds it when absent. Statuses: Ok;
  /// BadArgument when the map is not writable now (above) or this context is gone;
  /// InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Status replaceResponseTrailer(std::string_view key, std::string_view value) {
    return replaceHeader(MapType::HttpResponseTrailers, key, value);
  }
  /// Removes every value of `key` (Ok when absent). Statuses: Ok; BadArgument when the map is not
  /// writable now (above) or this context is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Status removeResponseTrailer(std::string_view key) {
    return removeHeader(MapType::HttpResponseTrailers, key);
  }
  /// Replaces all response trailers with any range of string pairs. Statuses: Ok; BadArgument when
  /// the map is not writable now (above) or this context is gone; InvalidMemoryAccess.
  template <class Range>
  PROXY_WASM_NODISCARD Status setResponseTrailers(const Range& pairs) {
    return setHeaders(MapType::HttpResponseTrailers, pairs);
  }
  /// Replaces all response trailers with a braced list. Statuses: Ok; BadArgument when the map is
  /// not writable now (above) or this context is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Status setResponseTrailers(std::initializer_list<HeaderPair> pairs) {
    return setHeaders(MapType::HttpResponseTrailers, pairs);
  }
  /// @}

  // -- Bodies: in onRequestBody/onResponseBody, the current chunk, or everything buffered
  //    so far when earlier calls paused.
  /// Statuses: Ok (empty outside the body callback, unless paused); BadArgument when this
  /// context is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Result<HostBuffer> getRequestBody(size_t start = 0, size_t max_size = kWholeBuffer) const {
    return getBuffer(BufferType::HttpRequestBody, start, max_size);
  }
  /// Bytes [start, start+max_size) of the response body visible now, clamped to what exists.
  /// Statuses: Ok (empty outside the body callback, unless paused); BadArgument when this context
  /// is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Result<HostBuffer> getResponseBody(size_t start = 0, size_t max_size = kWholeBuffer) const {
    return getBuffer(BufferType::HttpResponseBody, start, max_size);
  }
  /// Replaces the whole visible body with `data`.
  /// Statuses: Ok; BadArgument outside the body callback (unless paused), or when this
  /// context is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Status replaceRequestBody(std::string_view data) {
    return setBuffer(BufferType::HttpRequestBody, 0, kWholeBuffer, data);
  }
  /// Replaces the whole visible response body with `data`. Statuses: Ok; BadArgument outside the
  /// body callback (unless paused), or when this context is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Status replaceResponseBody(std::string_view data) {
    return setBuffer(BufferType::HttpResponseBody, 0, kWholeBuffer, data);
  }
  /// Inserts `data` before the visible request body. Statuses: Ok; BadArgument outside the body
  /// callback (unless paused), or when this context is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Status prependRequestBody(std::string_view data) {
    return setBuffer(BufferType::HttpRequestBody, 0, 0, data);
  }
  /// Inserts `data` before the visible response body. Statuses: Ok; BadArgument outside the body
  /// callback (unless paused), or when this context is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Status prependResponseBody(std::string_view data) {
    return setBuffer(BufferType::HttpResponseBody, 0, 0, data);
  }
  /// Appends `data` to the visible request body. Statuses: Ok; BadArgument outside the body
  /// callback (unless paused), or when this context is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Status appendRequestBody(std::string_view data) {
    return setBuffer(BufferType::HttpRequestBody, kWholeBuffer, 0, data);
  }
  /// Appends `data` to the visible response body. Statuses: Ok; BadArgument outside the body
  /// callback (unless paused), or when this context is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Status appendResponseBody(std::string_view data) {
    return setBuffer(BufferType::HttpResponseBody, kWholeBuffer, 0, data);
  }

  // -- Stream control (takes effect when the current callback returns).
  /// Resumes a request paused by a callback, once the current callback returns. Envoy forgets
  /// the request headers, trailers and body at once: read what you need first. Statuses: Ok
  /// (also without an HTTP stream); BadArgument when this context is gone.
  PROXY_WASM_NODISCARD Status continueRequest() { return control(StreamType::Request, &detail::raw::continueStream); }
  /// Resumes a response paused by a callback, once the current callback returns (Envoy forgets
  /// the request maps at once, as for continueRequest()). Statuses: Ok (also without an HTTP
  /// stream); BadArgument when this context is gone.
  PROXY_WASM_NODISCARD Status continueResponse() {
    return control(StreamType::Response, &detail::raw::continueStream);
  }
  /// Resets the stream (details "wasm_close_stream") once the current callback returns.
  /// Statuses: Ok; BadArgument when this context is gone.
  PROXY_WASM_NODISCARD Status closeRequest() { return control(StreamType::Request, &detail::raw::closeStream); }
  /// Resets the stream, as closeRequest(). Statuses: Ok; BadArgument when this context is gone.
  PROXY_WASM_NODISCARD Status closeResponse() { return control(StreamType::Response, &detail::raw::closeStream); }

  /// Answers the request from the proxy with `status_code`, `body` and `headers` (any range
  /// of string pairs). The current callback is forced to stop. `details` is Envoy's
  /// response-code details; a gRPC status makes it a gRPC error reply.
  /// Sent after the current callback; allowed until the response headers went downstream.
  /// Statuses: Ok (also a no-op without an HTTP stream); InvalidMemoryAccess; BadArgument when
  /// this context is gone.
  template <class Range>
  PROXY_WASM_NODISCARD Status sendLocalResponse(uint32_t status_code, std::string_view body, const Range& headers,
                                                std::string_view details = {},
                                                GrpcStatus grpc_status = GrpcStatus::None) {
    if (Status s = makeEffective(); !s) return s;
    return detail::raw::sendLocalResponse(status_code, body, serializePairs(headers), details, grpc_status);
  }
  /// The same with headers as a braced list: `sendLocalResponse(403, "denied", {{"x-why",
  /// "policy"}})`. Statuses: as above (Ok, InvalidMemoryAccess, BadArgument).
  PROXY_WASM_NODISCARD Status sendLocalResponse(uint32_t status_code, std::string_view body,
                                                std::initializer_list<HeaderPair> headers = {},
                                                std::string_view details = {},
                                                GrpcStatus grpc_status = GrpcStatus::None) {
    return sendLocalResponse<std::initializer_list<HeaderPair>>(status_code, body, headers, details, grpc_status);
  }

 private:
  /// Makes this context effective, then runs `op`. Statuses: Ok, BadArgument, or op's.
  Status control(StreamType type, Status (*op)(StreamType)) {
    if (Status s = makeEffective(); !s) return s;
    return op(type);
  }
};

/// One TCP connection. Data callbacks see the bytes available now (everything buffered
/// when earlier calls paused).
class StreamContext : public ContextBase {
 public:
  /// Made by the SDK (RegisterContextFactory) when the host creates a connection of `root`.
  StreamContext(uint32_t id, RootContext& root) : ContextBase(id, root, ContextKind::Stream) {}

  /// A new downstream connection. Pause holds it.
  virtual Action onNewConnection() { return Action::Continue; }
  /// Data from the client: `data_size` bytes readable now (everything buffered since a
  /// pause); `end_of_stream` when the client half-closed. Pause keeps it buffered until
  /// continueDownstream().
  virtual Action onDownstreamData(size_t data_size, bool end_of_stream) {
    (void)data_size;
    (void)end_of_stream;
    return Action::Continue;
  }
  /// Data from the upstream, as onDownstreamData(). End of stream is followed by
  /// onUpstreamConnectionClose(Unknown).
  virtual Action onUpstreamData(size_t data_size, bool end_of_stream) {
    (void)data_size;
    (void)end_of_stream;
    return Action::Continue;
  }
  /// The downstream connection closed; `peer` says which side closed it (Local, Remote).
  virtual void onDownstreamConnectionClose(PeerType peer) { (void)peer; }
  /// The upstream connection closed (Envoy reports Unknown).
  virtual void onUpstreamConnectionClose(PeerType peer) { (void)peer; }

  /// Bytes [start, start+max_size) of the downstream data readable now. Statuses: Ok (empty outside
  /// the data callback, unless paused); BadArgument when this context is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Result<HostBuffer> getDownstreamData(size_t start = 0, size_t max_size = kWholeBuffer) const {
    return getBuffer(BufferType::DownstreamData, start, max_size);
  }
  /// Bytes [start, start+max_size) of the upstream data readable now. Statuses: Ok (empty outside
  /// the data callback, unless paused); BadArgument when this context is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Result<HostBuffer> getUpstreamData(size_t start = 0, size_t max_size = kWholeBuffer) const {
    return getBuffer(BufferType::UpstreamData, start, max_size);
  }
  /// Replaces the readable downstream data with `data`. Statuses: Ok; BadArgument outside the data
  /// callback (unless paused), or when this context is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Status replaceDownstreamData(std::string_view data) {
    return setBuffer(BufferType::DownstreamData, 0, kWholeBuffer, data);
  }
  /// Replaces the readable upstream data with `data`. Statuses: Ok; BadArgument outside the data
  /// callback (unless paused), or when this context is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Status replaceUpstreamData(std::string_view data) {
    return setBuffer(BufferType::UpstreamData, 0, kWholeBuffer, data);
  }
  /// Inserts `data` before the readable downstream data. Statuses: Ok; BadArgument outside the data
  /// callback (unless paused), or when this context is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Status prependDownstreamData(std::string_view data) {
    return setBuffer(BufferType::DownstreamData, 0, 0, data);
  }
  /// Inserts `data` before the readable upstream data. Statuses: Ok; BadArgument outside the data
  /// callback (unless paused), or when this context is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Status prependUpstreamData(std::string_view data) {
    return setBuffer(BufferType::UpstreamData, 0, 0, data);
  }
  /// Appends `data` to the readable downstream data. Statuses: Ok; BadArgument outside the data
  /// callback (unless paused), or when this context is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Status appendDownstreamData(std::string_view data) {
    return setBuffer(BufferType::DownstreamData, kWholeBuffer, 0, data);
  }
  /// Appends `data` to the readable upstream data. Statuses: Ok; BadArgument outside the data
  /// callback (unless paused), or when this context is gone; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Status appendUpstreamData(std::string_view data) {
    return setBuffer(BufferType::UpstreamData, kWholeBuffer, 0, data);
  }
  /// Resumes the downstream direction paused by a data callback. (Envoy has no way to
  /// resume the upstream direction: Unimplemented.)
  /// Statuses: Ok; BadArgument when this context is gone.
  PROXY_WASM_NODISCARD Status continueDownstream() {
    if (Status s = makeEffective(); !s) return s;
    return detail::raw::continueStream(StreamType::Downstream);
  }
  /// Envoy cannot resume the upstream direction. Statuses: Unimplemented (Envoy); BadArgument
  /// when this context is gone.
  PROXY_WASM_NODISCARD Status continueUpstream() {
    if (Status s = makeEffective(); !s) return s;
    return detail::raw::continueStream(StreamType::Upstream);
  }
  /// Closes the connection (after flushing) once the current callback returns; the plugin
  /// cannot choose how. Statuses: Ok; BadArgument when this context is gone.
  PROXY_WASM_NODISCARD Status closeDownstream() {
    if (Status s = makeEffective(); !s) return s;
    return detail::raw::closeStream(StreamType::Downstream);
  }
  /// Closes the connection, as closeDownstream() (Envoy closes the downstream side either way).
  /// Statuses: Ok; BadArgument when this context is gone.
  PROXY_WASM_NODISCARD Status closeUpstream() {
    if (Status s = makeEffective(); !s) return s;
    return detail::raw::closeStream(StreamType::Upstream);
  }
};

/// A stream whose root is the user's root type, without a cast or a second pointer:
///
///   class MyStream : public proxy_wasm::HttpContextFor<MyRoot> {
///     using HttpContextFor::HttpContextFor;
///     ... root().settings() ...   // MyRoot&
///   };
///
/// RegisterContextFactory<Root, MyStream> checks at compile time that Root is a MyRoot.
template <class Root>
class HttpContextFor : public HttpContext {
 public:
  /// The plugin's root type.
  using RootType = Root;
  /// Made by the SDK with the stream's root (a Root: RegisterContextFactory checks it).
  HttpContextFor(uint32_t id, Root& root) : HttpContext(id, root) {}
  /// This stream's root, as the plugin's root type.
  Root& root() const { return static_cast<Root&>(HttpContext::root()); }
};

/// A TCP connection whose root is the user's root type (see HttpContextFor).
template <class Root>
class StreamContextFor : public StreamContext {
 public:
  /// The plugin's root type.
  using RootType = Root;
  /// Made by the SDK with the connection's root.
  StreamContextFor(uint32_t id, Root& root) : StreamContext(id, root) {}
  /// This connection's root, as the plugin's root type.
  Root& root() const { return static_cast<Root&>(StreamContext::root()); }
};

}  // namespace proxy_wasm

// The definitions of the members above that need the dispatcher.
#include "proxy_wasm/detail/dispatch.h"
