// The host model: an Envoy-like Proxy-Wasm v0.2.1 host. A Guest (a natively linked plugin
// or a .wasm in an engine) is driven through it. One object, three jobs:
//   - the driver, the public face testing.h hands to tests: lifecycle, traffic through
//     HttpStream (http_stream.h) and TcpConnection (tcp_connection.h), time, callouts
//     (callouts.h), shared state, inspection (logs, metrics, the host-call record),
//     fault injection;
//   - the host functions behind the ABI adapters (abi_adapter.h): h*() take decoded
//     arguments and return the status a real host would;
//   - Envoy's state model (private), one source file per area in host/src: host.cc (VM,
//     roots, contexts, calls into the plugin, time, the record, faults), http_stream.cc
//     (streams, buffers, header maps), tcp_connection.cc, callouts.cc, properties.cc,
//     shared_state.cc (shared data, queues, metrics), header_list.cc.
//
// Semantics follow Envoy where the spec is vague or differs; HostOptions switch to the
// spec's behaviour where they differ.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "proxy_wasm/abi.h"
#include "proxy_wasm/status.h"
#include "proxy_wasm/types.h"
#include "proxy_wasm/host/callouts.h"
#include "proxy_wasm/host/guest.h"
#include "proxy_wasm/host/header_list.h"
#include "proxy_wasm/host/http_stream.h"
#include "proxy_wasm/host/tcp_connection.h"

namespace proxy_wasm::host {

struct LogEntry {
  LogLevel level;
  std::string message;
  uint32_t context_id;  // the effective context when logged (0: VM)
};

// One host function call the plugin made, as the host model saw it (Host::hostCalls()).
struct HostCall {
  std::string function;           // wire name, e.g. "proxy_get_header_map_value"
  uint32_t context_id = 0;        // the effective context the host acted on (0: none, e.g. start-up)
  uint32_t current_context_id = 0;  // the context of the callback that was running
  // The callback that was running: Callback::Initialize during module start-up,
  // Callback::MemoryAllocate inside the allocator; empty when no callback was running (a
  // native test calling the ABI directly).
  std::optional<Callback> callback;
  Status status = Status::Ok;     // what the plugin got back
  // The host refused the call (a restricted phase): an engine traps, as Envoy does, and a
  // native plugin gets InternalFailure (the status recorded).
  bool refused = false;
  // The status was injected (Host::injectStatus): the host did not run the call.
  bool injected = false;
};

// When an injected fault applies, counting the calls (or allocations) from the moment it
// is injected.
struct FaultSchedule {
  uint32_t skip = 0;   // calls that run normally first
  uint32_t count = 1;  // calls that fail then; 0: every call from then on
  static FaultSchedule once() { return {0, 1}; }                // the next call
  static FaultSchedule always() { return {0, 0}; }              // every call from now on
  static FaultSchedule nth(uint32_t n) { return {n - 1, 1}; }   // only the nth call (1: the next)
};

// How the plugin's stream callbacks ended.
enum class Finalization { Envoy, Spec };

struct HostOptions {
  std::string vm_id = "vm";
  std::string vm_configuration;
  LogLevel log_level = LogLevel::Trace;  // proxy_get_log_level; logs below it are dropped
  uint64_t start_time_ns = 1700000000ull * 1000000000ull;  // the clock starts here
  // HTTP finalization: Envoy (on_log, on_done, on_delete; the on_done result is ignored)
  // or spec (on_done, then on_log and on_delete; a stream whose on_done returns false
  // waits for proxy_done, HTTP and TCP alike). TCP is on_done, on_log, on_delete either way.
  // Roots never get on_log (Envoy's host), in both modes.
  Finalization http_finalization = Finalization::Envoy;
  // Clusters that exist for HTTP/gRPC callouts; unset: every cluster exists.
  std::optional<std::set<std::string>> clusters;
  // Properties returned by proxy_get_property for every context (NUL-joined path ->
  // bytes). Stream-derived properties take precedence unless overridden per stream.
  std::map<std::string, std::string> properties;
  // The peers of every stream and connection: source.address/port,
  // destination.address/port (override per stream with setProperty).
  std::string source_address = "192.0.2.10:41000";
  std::string destination_address = "192.0.2.1:10000";
  // Byte limit of a buffered HTTP body (Envoy's per-connection buffer limit). It applies
  // while the plugin buffers a body (on_*_body returned Pause): over it the request gets a
  // 413 local reply and the response a 500 (or a reset once its headers went downstream).
  // While headers are paused Envoy applies flow control instead: no error.
  size_t buffer_limit = 1024 * 1024;
  // Record every host call (hostCalls()). Long runs that never read the record turn it off.
  bool record_host_calls = true;
  // Keep finished streams and connections. Off (the default), the host releases a finished
  // HttpStream/TcpConnection when the next one is created, so memory stays flat however
  // many run: read what a test needs from a stream before creating the next one, or turn
  // this on to read streams back later.
  bool keep_finished_streams = false;
  // Keep the record of every callout (httpCalls(), grpcCalls()). Off, a callout's record
  // goes once it is complete (long runs); pending callouts work the same either way.
  bool keep_callout_records = true;
  // Samples a histogram keeps (the most recent ones, Host::histogram()); its summary
  // (Host::histogramSummary(): count, sum, min, max) covers every sample. Memory per
  // histogram stays bounded however many samples a long run records. At least 1.
  size_t histogram_samples_kept = 1024;
};

// Work counters of the host model's bookkeeping, for tests that pin its costs (a linear
// cost per operation shows up as a quadratic total).
struct HostCounters {
  uint64_t token_lookups = 0;   // callout records examined to find a token
  uint64_t timer_visits = 0;    // timer entries examined to find the due ticks
  uint64_t stream_visits = 0;   // stream and connection objects visited by shutdown() and releases
};

struct PluginOptions {
  std::string root_id;
  std::string configuration;
  std::string name;  // plugin_name property; defaults to the root id
};

// A foreign function: receives the arguments, writes the result, returns a status.
using ForeignFunction = std::function<Status(std::string_view arguments, std::string& result)>;

class Host {
 public:
  explicit Host(std::unique_ptr<Guest> guest, HostOptions options = {});
  ~Host();
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  // ---- Driver: lifecycle ----------------------------------------------------------------

  // Runs module start-up (_initialize). False when it trapped or made a restricted call
  // (the VM is then failed; see failure()).
  bool startVm();
  // Creates a root context for `plugin` and runs on_context_create(root, 0),
  // on_vm_start and on_configure. Returns the root id, or 0 when start or configure
  // returned false or trapped (see failure()). Starts the VM first if needed.
  uint32_t startPlugin(const PluginOptions& plugin = {});
  // Re-runs on_configure on a root with a new configuration.
  bool configure(uint32_t root_id, std::string_view configuration);
  // Finishes every stream and root (on_done; a root returning false stays until
  // proxy_done). Called by the destructor if not called before.
  void shutdown();
  // The VM trapped (or start-up failed): it takes no more calls.
  bool failed() const { return failed_; }
  // Why the VM failed, or why the last plugin failed to start or configure.
  const std::string& failure() const { return failure_; }

  // ---- Driver: traffic ------------------------------------------------------------------

  // A new HTTP stream of `root_id` (default: the first started root). The context is
  // created at the request headers, as Envoy does.
  HttpStream& newHttpStream(uint32_t root_id = 0);
  // A new TCP connection; on_context_create and on_new_connection run now.
  TcpConnection& newConnection(uint32_t root_id = 0);

  // ---- Driver: time -----------------------------------------------------------------------

  uint64_t now() const { return now_ns_; }
  // Moves the clock and fires every tick that falls due, in order.
  void advanceTime(uint64_t milliseconds);
  // Fires one tick of `root_id` now (regardless of its period).
  void tick(uint32_t root_id = 0);
  uint32_t tickPeriod(uint32_t root_id = 0) const;

  // ---- Driver: callouts -------------------------------------------------------------------

  const std::vector<HttpCallRecord>& httpCalls() const { return http_calls_; }  // every dispatched call
  std::vector<uint32_t> pendingHttpCalls() const;
  // Delivers a response (headers must include :status); false for an unknown token.
  // Callout events that arrive during a plugin callback (a test calling these from a
  // hook) are delivered after it, as Envoy defers them.
  bool respondHttpCall(uint32_t token, const HeaderList& headers, std::string_view body = {},
                       const HeaderList& trailers = {});
  // Delivers a failure (reset/timeout): on_http_call_response with no headers.
  bool failHttpCall(uint32_t token);

  const std::vector<GrpcCallRecord>& grpcCalls() const { return grpc_calls_; }
  GrpcCallRecord* grpcCall(uint32_t token);
  // Unary reply: on_grpc_receive with `message`, ending the call.
  bool respondGrpcCall(uint32_t token, std::string_view message);
  // Stream events and failure/close: on_grpc_close with status and message.
  bool grpcInitialMetadata(uint32_t token, const HeaderList& metadata);
  bool grpcMessage(uint32_t token, std::string_view message);
  bool grpcTrailingMetadata(uint32_t token, const HeaderList& metadata);
  bool grpcClose(uint32_t token, GrpcStatus status, std::string_view message = {});

  // ---- Driver: state seen by the plugin --------------------------------------------------

  const std::vector<LogEntry>& logs() const { return logs_; }
  std::vector<std::string> logs(LogLevel level) const;
  void clearLogs() { logs_.clear(); }
  void setLogLevel(LogLevel level) { options_.log_level = level; }

  // Every sample a histogram recorded: how many, their sum (saturating), min and max.
  struct HistogramSummary {
    uint64_t count = 0;
    uint64_t sum = 0;
    uint64_t min = 0;  // 0 while count is 0
    uint64_t max = 0;
    bool operator==(const HistogramSummary& o) const {
      return count == o.count && sum == o.sum && min == o.min && max == o.max;
    }
  };
  struct MetricValue {
    MetricType type;
    int64_t value;                  // counter or gauge
    std::vector<uint64_t> samples;  // histogram: the last options().histogram_samples_kept, oldest first
    HistogramSummary summary;       // histogram: every sample
  };
  // Every metric defined so far, by name.
  std::map<std::string, MetricValue> metrics() const;
  std::optional<uint64_t> counter(std::string_view name) const;
  std::optional<int64_t> gauge(std::string_view name) const;
  // A histogram's samples in recording order: all of them up to
  // HostOptions::histogram_samples_kept, then the most recent that many.
  std::optional<std::vector<uint64_t>> histogram(std::string_view name) const;
  std::optional<HistogramSummary> histogramSummary(std::string_view name) const;

  // Shared data of this host's vm_id.
  void setSharedData(std::string_view key, std::string_view value);
  std::optional<std::pair<std::string, uint32_t>> sharedData(std::string_view key) const;
  // Runs `hook(key)` right after each proxy_get_shared_data the plugin makes, while its
  // callback is still running: writing the key there (setSharedData) plays another worker
  // racing the plugin's compare-and-swap. An empty function removes the hook.
  void onSharedDataRead(std::function<void(std::string_view key)> hook) { shared_data_read_hook_ = std::move(hook); }
  // Queues: resolve by (vm_id, name); enqueue as another VM would (notifies the plugin).
  std::optional<uint32_t> queueId(std::string_view name, std::string_view vm_id = {}) const;
  bool enqueue(uint32_t queue_id, std::string_view data);
  std::optional<std::string> dequeue(uint32_t queue_id);
  // While held, on_queue_ready notifications wait (one per enqueue, in order) until
  // holdQueueNotifications(false) delivers them: several items can then be waiting when
  // the plugin is first notified, as when the receiving thread is busy.
  void holdQueueNotifications(bool hold);
  size_t queueSize(uint32_t queue_id) const;

  void setProperty(std::string_view path, std::string_view value) { options_.properties[std::string(path)].assign(value); }
  void registerForeignFunction(std::string_view name, ForeignFunction fn);
  // Calls the plugin's proxy_on_foreign_function with `arguments` in buffer 8.
  void callPluginForeignFunction(uint32_t function_id, std::string_view arguments, uint32_t root_id = 0);

  // Every host function call the plugin made, in call order (a call made from inside the
  // allocator, during another call's copy-out, comes after it); refused calls included.
  const std::vector<HostCall>& hostCalls() const { return host_calls_; }
  // The calls of one host function (by wire name, e.g. "proxy_log").
  std::vector<HostCall> hostCalls(std::string_view function) const;
  void clearHostCalls() {
    host_calls_base_ += host_calls_.size();
    host_calls_.clear();
  }

  // ---- Driver: fault injection ------------------------------------------------------------

  // Makes host function `function` (wire name) return `status` instead of running, on the
  // calls `when` selects. Only a failure the function can return per the ABI and Envoy is
  // accepted: anything else (Ok, an unknown function, a status the function never returns,
  // nth(0)) throws std::invalid_argument naming the statuses it can return. A call the host
  // refuses (start-up, allocator) is refused before any fault applies. Several faults may
  // be pending for one function: each counts the calls, the first due one applies.
  void injectStatus(std::string_view function, Status status, FaultSchedule when = FaultSchedule::once());
  // The plugin's allocator export fails (returns 0) on the allocations `when` selects: the
  // host call that needed the memory returns InvalidMemoryAccess, as real hosts do.
  void failAllocations(FaultSchedule when = FaultSchedule::once());
  // Drops every pending fault.
  void clearFaults();
  // The statuses `function` can return per the ABI and Envoy (bit 1 << code), Ok included;
  // 0 for an unknown function.
  static uint32_t statusMask(std::string_view function);
  // Calls plugin callback `cb` with exactly these arguments, whatever the host's state: a
  // context id the host never created or already deleted, a token never issued. The first
  // argument is the current context. Returns the callback's result (nullopt when it trapped
  // or the VM failed). Throws std::invalid_argument for a wrong argument count or for
  // _initialize and the allocator. Deferred work (continue, local replies) runs after it.
  std::optional<uint32_t> deliverCallback(Callback cb, std::initializer_list<uint32_t> args);

  // Calls the host would refuse or trap on (restricted phase, bad ids), with the reason.
  const std::vector<std::string>& violations() const { return violations_; }
  const HostOptions& options() const { return options_; }
  std::vector<uint32_t> roots() const;
  // Work done by the host's bookkeeping so far (see HostCounters).
  const HostCounters& counters() const { return counters_; }
  // HttpStream and TcpConnection objects the host holds (live, plus finished ones not yet
  // released or kept by keep_finished_streams).
  size_t streamsHeld() const;
  uint32_t rootFor(std::string_view root_id) const;
  bool contextAlive(uint32_t id) const { return contexts_.count(id) != 0; }

  // ---- Host functions (called by the ABI adapters with decoded arguments) ---------------
  // Each returns the status a real host would; outputs are host-owned bytes that the
  // adapter copies into plugin memory through the allocator.

  Status hLog(uint32_t level, std::string_view message);
  Status hGetLogLevel(uint32_t& level);
  Status hGetCurrentTime(uint64_t& ns);
  Status hSetTickPeriod(uint32_t ms);
  Status hDone();
  Status hSetEffectiveContext(uint32_t id);
  Status hCallForeignFunction(std::string_view name, std::string_view args, std::string& out);
  Status hGetBufferBytes(uint32_t type, uint64_t start, uint64_t max, std::string& out);
  Status hSetBufferBytes(uint32_t type, uint64_t start, uint64_t size, std::string_view data);
  Status hGetBufferStatus(uint32_t type, uint64_t& size, uint32_t& flags);
  Status hGetHeaderMapSize(uint32_t type, uint64_t& size);
  Status hGetHeaderMapPairs(uint32_t type, std::string& out);
  Status hSetHeaderMapPairs(uint32_t type, std::string_view pairs);
  Status hGetHeaderMapValue(uint32_t type, std::string_view key, std::string& out);
  Status hAddHeaderMapValue(uint32_t type, std::string_view key, std::string_view value);
  Status hReplaceHeaderMapValue(uint32_t type, std::string_view key, std::string_view value);
  Status hRemoveHeaderMapValue(uint32_t type, std::string_view key);
  Status hContinueStream(uint32_t type);
  Status hCloseStream(uint32_t type);
  Status hSendLocalResponse(uint32_t status, std::string_view details, std::string_view body,
                            std::string_view headers, uint32_t grpc_status);
  Status hGetStatus(uint32_t& code, std::string& message);
  Status hHttpCall(std::string_view upstream, std::string_view headers, std::string_view body,
                   std::string_view trailers, uint32_t timeout_ms, uint32_t& token);
  Status hGrpcCall(std::string_view upstream, std::string_view service, std::string_view method,
                   std::string_view metadata, std::string_view message, uint32_t timeout_ms, uint32_t& token);
  Status hGrpcStream(std::string_view upstream, std::string_view service, std::string_view method,
                     std::string_view metadata, uint32_t& token);
  Status hGrpcSend(uint32_t token, std::string_view message, uint32_t end_stream);
  Status hGrpcCancel(uint32_t token);
  Status hGrpcClose(uint32_t token);
  Status hGetSharedData(std::string_view key, std::string& value, uint32_t& cas);
  Status hSetSharedData(std::string_view key, std::string_view value, uint32_t cas);
  Status hRegisterSharedQueue(std::string_view name, uint32_t& id);
  Status hResolveSharedQueue(std::string_view vm_id, std::string_view name, uint32_t& id);
  Status hEnqueueSharedQueue(uint32_t id, std::string_view data);
  Status hDequeueSharedQueue(uint32_t id, std::string& data);
  Status hDefineMetric(uint32_t type, std::string_view name, uint32_t& id);
  Status hIncrementMetric(uint32_t id, int64_t delta);
  Status hRecordMetric(uint32_t id, uint64_t value);
  Status hGetMetric(uint32_t id, uint64_t& value);
  Status hGetProperty(std::string_view path, std::string& value);
  Status hSetProperty(std::string_view path, std::string_view value);

  // Brackets every host function call (abi_adapter.h): the record's sequence number (npos
  // when not recording), then the wire result (abi::kTrap when refused).
  size_t beginHostCall(std::string_view name);
  void endHostCall(size_t index, uint32_t result);

  // The injected status of this call of `name`, if a fault is due (see injectStatus).
  std::optional<uint32_t> injectedStatus(std::string_view name);

  // Whether host function `name` may run now: during module start-up and inside the
  // allocator, real hosts allow only proxy_log (and some WASI calls).
  // A refused call is recorded in violations(); engines trap, the native way returns
  // InternalFailure.
  bool allowed(std::string_view name);
  // Allocates `size` bytes in the plugin (through its allocator export); 0 on failure.
  uint64_t allocate(uint64_t size);
  // Marks the VM failed (a trap), with the reason.
  void fail(std::string reason);
  Guest& guest() { return *guest_; }

 private:
  friend class HttpStream;
  friend class TcpConnection;
  struct ContextRecord {
    uint32_t id = 0;
    uint32_t root = 0;  // 0 for roots
    enum Kind { Root, Http, Tcp } kind = Root;
    HttpStream* http = nullptr;
    TcpConnection* tcp = nullptr;
  };
  struct RootRecord {
    uint32_t id = 0;
    PluginOptions plugin;
    uint32_t tick_period_ms = 0;
    uint64_t next_tick_ns = 0;
    bool configuring = false;
    bool pending_done = false;
    bool done_called = false;
    bool started = false;
    uint32_t last_status_code = 0;
    std::string last_status_message;
  };
  struct Metric {
    MetricType type;
    int64_t value = 0;
    // Histograms: a ring of the last histogram_samples_kept samples (`next` is the oldest
    // once full) and the summary of all of them.
    std::vector<uint64_t> ring;
    size_t next = 0;
    HistogramSummary summary;
    void record(uint64_t sample, size_t kept);
    std::vector<uint64_t> samples() const;
  };
  struct Queue {
    std::string vm_id, name;
    uint32_t root = 0;
    std::deque<std::string> items;
  };

  // Calls a callback with `context` current; runs deferred work afterwards when this
  // is the outermost call. Returns nullopt if the plugin trapped or the VM is failed.
  std::optional<uint32_t> call(Callback cb, uint32_t context, std::initializer_list<uint32_t> args);
  void runDeferred();
  uint32_t nextContextId() { return next_context_id_++; }
  // The effective context (proxy_set_effective_context), falling back to the current one
  // if it vanished, as real hosts do.
  uint32_t effective() const {
    return effective_ != 0 && contexts_.count(effective_) != 0 ? effective_ : current_;
  }
  ContextRecord* record(uint32_t id);
  RootRecord* rootRecord(uint32_t id);
  uint32_t rootOf(uint32_t id);
  uint32_t defaultRoot(uint32_t root_id) const;
  HttpStream* effectiveHttp();
  TcpConnection* effectiveTcp();
  // The map `type` of the effective context as Envoy's getMap (mutable: writes and size)
  // or getConstMap (reads) would return it; null with `error` set when unavailable.
  HeaderList* mapFor(uint32_t type, bool mutable_map, Status& error);
  std::string* liveBuffer(uint32_t type);
  void finalizeHttp(HttpStream& s);
  void finalizeTcp(TcpConnection& c);
  void logAndDeleteHttp(HttpStream& s);
  void logHttp(HttpStream& s);
  void deleteHttp(HttpStream& s);
  void logAndDeleteTcp(TcpConnection& c);
  void deleteContext(uint32_t id);
  void finishRoot(uint32_t id);
  void violation(std::string message);
  bool clusterKnown(std::string_view name) const;
  std::optional<std::string> streamProperty(std::string_view path);

  std::unique_ptr<Guest> guest_;
  HostOptions options_;
  bool vm_started_ = false;
  bool in_startup_ = false;
  bool in_allocator_ = false;
  bool failed_ = false;
  bool shut_down_ = false;
  std::string failure_;
  uint64_t now_ns_;
  uint32_t next_context_id_ = 1;
  uint32_t current_ = 0;
  uint32_t effective_ = 0;
  int depth_ = 0;
  Callback current_callback_ = Callback::Initialize;
  std::map<uint32_t, ContextRecord> contexts_;
  std::map<uint32_t, RootRecord> roots_;
  std::vector<uint32_t> root_order_;
  // Streams and connections by creation order (shutdown finishes them in that order); a
  // finished one moves to finished_streams_/finished_connections_, released by the next
  // newHttpStream()/newConnection() unless options_.keep_finished_streams.
  uint64_t next_stream_seq_ = 0;
  std::map<uint64_t, std::unique_ptr<HttpStream>> live_streams_;
  std::map<uint64_t, std::unique_ptr<TcpConnection>> live_connections_;
  std::vector<std::unique_ptr<HttpStream>> finished_streams_;
  std::vector<std::unique_ptr<TcpConnection>> finished_connections_;
  void retire(HttpStream& s);
  void retire(TcpConnection& c);
  void releaseFinished();
  // Armed tick timers: (next tick time, root id), earliest first.
  std::set<std::pair<uint64_t, uint32_t>> timers_;
  HostCounters counters_;
  std::vector<LogEntry> logs_;
  std::vector<std::string> violations_;
  std::vector<HostCall> host_calls_;
  size_t host_calls_base_ = 0;  // sequence number of host_calls_[0] (clearHostCalls)
  // Fault injection (faults.cc).
  struct Fault {
    std::string function;  // empty: the allocator
    uint32_t status = 0;
    FaultSchedule when;
    uint32_t seen = 0;  // calls counted so far
  };
  std::vector<Fault> faults_;
  bool injected_ = false;  // the running host call got an injected status
  bool faultDue(Fault& f);
  bool allocationFails();
  // Deferred: work a real host does after the current VM call returns.
  std::deque<std::function<void()>> deferred_;
  bool hold_queue_notifications_ = false;
  std::vector<std::function<void()>> held_notifications_;
  // Callouts.
  uint32_t next_callout_ = 1;
  std::vector<HttpCallRecord> http_calls_;
  std::unordered_map<uint32_t, size_t> http_index_;  // token -> index in http_calls_
  std::set<uint32_t> pending_http_;
  std::vector<GrpcCallRecord> grpc_calls_;
  std::unordered_map<uint32_t, size_t> grpc_index_;  // token -> index in grpc_calls_
  HttpCallRecord* httpCall(uint32_t token);
  // A complete callout's record goes unless options_.keep_callout_records.
  void forgetHttpCall(uint32_t token);
  void forgetGrpcCall(uint32_t token);
  std::set<uint32_t> pending_grpc_;
  // gRPC streams the remote closed before the plugin did: Envoy keeps them until the
  // plugin's proxy_grpc_close/cancel (no more events).
  std::set<uint32_t> grpc_remote_closed_;
  // The callout response being delivered (maps 6/7, buffers 4/5).
  const HeaderList* callout_headers_ = nullptr;
  const HeaderList* callout_trailers_ = nullptr;
  const std::string* callout_body_ = nullptr;
  const HeaderList* grpc_initial_ = nullptr;
  const HeaderList* grpc_trailing_ = nullptr;
  const std::string* grpc_message_ = nullptr;
  const std::string* foreign_args_ = nullptr;
  // Shared state.
  std::map<std::string, std::pair<std::string, uint32_t>> shared_data_;
  uint32_t next_cas_ = 1;
  std::function<void(std::string_view)> shared_data_read_hook_;
  bool in_shared_data_read_hook_ = false;
  std::map<uint32_t, Queue> queues_;
  uint32_t next_queue_id_ = 1;
  std::map<uint32_t, std::string> metric_ids_;  // id -> name
  std::map<std::string, Metric> metrics_;
  uint32_t next_metric_ = 1;
  std::map<std::string, ForeignFunction> foreign_functions_;
};

}  // namespace proxy_wasm::host
