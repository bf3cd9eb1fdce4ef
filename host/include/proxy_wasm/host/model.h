// The host model: Envoy's state model of a Proxy-Wasm v0.2.1 host, and the host functions
// the ABI adapters (abi_adapter.h) call. A Guest (a natively linked plugin, native.h, or a
// .wasm in an engine, engine/) is attached to one Model, whose host functions its imports
// reach; tests drive the model through the thin driver of host.h (Host).
//
// The model keeps the VM and its roots, the contexts and the effective context, deferred
// work (what a real host runs after the current VM call), time and tick timers, the HTTP
// streams (http_stream.h) and TCP connections (tcp_connection.h), callouts (callouts.h),
// shared data, queues and metrics (shared_state.h), properties, foreign functions, the
// host-call record and injected faults (host_calls.h). Its h*() functions take decoded
// arguments and return the status a real host would. One source file per area in
// host/src: model.cc (VM, roots, contexts, calls into the plugin, time, logs, the record),
// http_stream.cc (streams, buffers, header maps), tcp_connection.cc, callouts.cc,
// properties.cc, shared_state.cc (shared data, queues, metrics), faults.cc,
// header_list.cc.
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

#include "proxy_wasm/abi/v0_2_1.h"
#include "proxy_wasm/status.h"
#include "proxy_wasm/types.h"
#include "proxy_wasm/host/callouts.h"
#include "proxy_wasm/host/guest.h"
#include "proxy_wasm/host/header_list.h"
#include "proxy_wasm/host/host_calls.h"
#include "proxy_wasm/host/http_stream.h"
#include "proxy_wasm/host/shared_state.h"
#include "proxy_wasm/host/tcp_connection.h"

namespace proxy_wasm::host {

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

class Model {
 public:
  explicit Model(std::unique_ptr<Guest> guest, HostOptions options = {});
  ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  // The driver's operations: Host (host.h) forwards each of these, and documents them.

  // ---- Lifecycle -----------------------------------------------------------------------------

  bool startVm();
  uint32_t startPlugin(const PluginOptions& plugin = {});
  bool configure(uint32_t root_id, std::string_view configuration);
  void shutdown();
  bool failed() const { return failed_; }
  const std::string& failure() const { return failure_; }

  // ---- Traffic -------------------------------------------------------------------------------

  HttpStream& newHttpStream(uint32_t root_id = 0);
  TcpConnection& newConnection(uint32_t root_id = 0);

  // ---- Time ----------------------------------------------------------------------------------

  uint64_t now() const { return now_ns_; }
  void advanceTime(uint64_t milliseconds);
  void tick(uint32_t root_id = 0);
  uint32_t tickPeriod(uint32_t root_id = 0) const;

  // ---- Callouts ------------------------------------------------------------------------------

  const std::vector<HttpCallRecord>& httpCalls() const { return http_calls_; }  // every dispatched call
  std::vector<uint32_t> pendingHttpCalls() const;
  bool respondHttpCall(uint32_t token, const HeaderList& headers, std::string_view body = {},
                       const HeaderList& trailers = {});
  bool failHttpCall(uint32_t token);

  const std::vector<GrpcCallRecord>& grpcCalls() const { return grpc_calls_; }
  GrpcCallRecord* grpcCall(uint32_t token);
  bool respondGrpcCall(uint32_t token, std::string_view message);
  bool grpcInitialMetadata(uint32_t token, const HeaderList& metadata);
  bool grpcMessage(uint32_t token, std::string_view message);
  bool grpcTrailingMetadata(uint32_t token, const HeaderList& metadata);
  bool grpcClose(uint32_t token, GrpcStatus status, std::string_view message = {});

  // ---- State seen by the plugin --------------------------------------------------------------

  const std::vector<LogEntry>& logs() const { return logs_; }
  std::vector<std::string> logs(LogLevel level) const;
  void clearLogs() { logs_.clear(); }
  void setLogLevel(LogLevel level) { options_.log_level = level; }

  std::map<std::string, MetricValue> metrics() const;
  std::optional<uint64_t> counter(std::string_view name) const;
  std::optional<int64_t> gauge(std::string_view name) const;
  std::optional<std::vector<uint64_t>> histogram(std::string_view name) const;
  std::optional<HistogramSummary> histogramSummary(std::string_view name) const;

  void setSharedData(std::string_view key, std::string_view value);
  std::optional<std::pair<std::string, uint32_t>> sharedData(std::string_view key) const;
  void onSharedDataRead(std::function<void(std::string_view key)> hook) { shared_data_read_hook_ = std::move(hook); }
  std::optional<uint32_t> queueId(std::string_view name, std::string_view vm_id = {}) const;
  bool enqueue(uint32_t queue_id, std::string_view data);
  std::optional<std::string> dequeue(uint32_t queue_id);
  void holdQueueNotifications(bool hold);
  size_t queueSize(uint32_t queue_id) const;

  void setProperty(std::string_view path, std::string_view value) { options_.properties[std::string(path)].assign(value); }
  void registerForeignFunction(std::string_view name, ForeignFunction fn);
  void callPluginForeignFunction(uint32_t function_id, std::string_view arguments, uint32_t root_id = 0);

  const std::vector<HostCall>& hostCalls() const { return host_calls_; }
  std::vector<HostCall> hostCalls(std::string_view function) const;
  void clearHostCalls() {
    host_calls_base_ += host_calls_.size();
    host_calls_.clear();
  }

  // ---- Fault injection -----------------------------------------------------------------------

  void injectStatus(std::string_view function, Status status, FaultSchedule when = FaultSchedule::once());
  void failAllocations(FaultSchedule when = FaultSchedule::once());
  void clearFaults();
  static uint32_t statusMask(std::string_view function);
  std::optional<uint32_t> deliverCallback(Callback cb, std::initializer_list<uint32_t> args);

  // ---- Inspection ----------------------------------------------------------------------------

  const std::vector<std::string>& violations() const { return violations_; }
  const HostOptions& options() const { return options_; }
  std::vector<uint32_t> roots() const;
  const HostCounters& counters() const { return counters_; }
  size_t streamsHeld() const;
  uint32_t rootFor(std::string_view root_id) const;
  bool contextAlive(uint32_t id) const { return contexts_.count(id) != 0; }

  // ---- Host functions (called by the ABI adapters with decoded arguments) ----------------
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
  // The plugin attached to this model.
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
