// The driver: the public face of the mock host that proxy_wasm/testing.h hands to tests.
// A Host owns the host model (model.h: Envoy's state model and the host functions behind
// the ABI adapters) and the plugin attached to it (a Guest, guest.h), and drives it as
// Envoy would: lifecycle, traffic through HttpStream (http_stream.h) and TcpConnection
// (tcp_connection.h), time, callouts (callouts.h), shared state (shared_state.h),
// inspection (logs, metrics, the host-call record of host_calls.h) and fault injection.
// Every operation forwards to the model (inline: no cost of its own); model() reaches the
// internals for the rare test that needs them.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proxy_wasm/host/model.h"

namespace proxy_wasm::host {

class Host {
 public:
  explicit Host(std::unique_ptr<Guest> guest, HostOptions options = {}) : model_(std::move(guest), std::move(options)) {}
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  using HistogramSummary = host::HistogramSummary;
  using MetricValue = host::MetricValue;

  // ---- Lifecycle ------------------------------------------------------------------------

  // Runs module start-up (_initialize). False when it trapped or made a restricted call
  // (the VM is then failed; see failure()).
  bool startVm() { return model_.startVm(); }
  // Creates a root context for `plugin` and runs on_context_create(root, 0),
  // on_vm_start and on_configure. Returns the root id, or 0 when start or configure
  // returned false or trapped (see failure()). Starts the VM first if needed.
  uint32_t startPlugin(const PluginOptions& plugin = {}) { return model_.startPlugin(plugin); }
  // Re-runs on_configure on a root with a new configuration.
  bool configure(uint32_t root_id, std::string_view configuration) { return model_.configure(root_id, configuration); }
  // Finishes every stream and root (on_done; a root returning false stays until
  // proxy_done). Called by the destructor if not called before.
  void shutdown() { model_.shutdown(); }
  // The VM trapped (or start-up failed): it takes no more calls.
  bool failed() const { return model_.failed(); }
  // Why the VM failed, or why the last plugin failed to start or configure.
  const std::string& failure() const { return model_.failure(); }

  // ---- Traffic ----------------------------------------------------------------------------

  // A new HTTP stream of `root_id` (default: the first started root). The context is
  // created at the request headers, as Envoy does.
  HttpStream& newHttpStream(uint32_t root_id = 0) { return model_.newHttpStream(root_id); }
  // A new TCP connection; on_context_create and on_new_connection run now.
  TcpConnection& newConnection(uint32_t root_id = 0) { return model_.newConnection(root_id); }

  // ---- Time -------------------------------------------------------------------------------

  uint64_t now() const { return model_.now(); }
  // Moves the clock and fires every tick that falls due, in order.
  void advanceTime(uint64_t milliseconds) { model_.advanceTime(milliseconds); }
  // Fires one tick of `root_id` now (regardless of its period).
  void tick(uint32_t root_id = 0) { model_.tick(root_id); }
  uint32_t tickPeriod(uint32_t root_id = 0) const { return model_.tickPeriod(root_id); }

  // ---- Callouts ---------------------------------------------------------------------------

  const std::vector<HttpCallRecord>& httpCalls() const { return model_.httpCalls(); }  // every dispatched call
  std::vector<uint32_t> pendingHttpCalls() const { return model_.pendingHttpCalls(); }
  // Delivers a response (headers must include :status); false for an unknown token.
  // Callout events that arrive during a plugin callback (a test calling these from a
  // hook) are delivered after it, as Envoy defers them.
  bool respondHttpCall(uint32_t token, const HeaderList& headers, std::string_view body = {},
                       const HeaderList& trailers = {}) {
    return model_.respondHttpCall(token, headers, body, trailers);
  }
  // Delivers a failure (reset/timeout): on_http_call_response with no headers.
  bool failHttpCall(uint32_t token) { return model_.failHttpCall(token); }

  const std::vector<GrpcCallRecord>& grpcCalls() const { return model_.grpcCalls(); }
  GrpcCallRecord* grpcCall(uint32_t token) { return model_.grpcCall(token); }
  // Unary reply: on_grpc_receive with `message`, ending the call.
  bool respondGrpcCall(uint32_t token, std::string_view message) { return model_.respondGrpcCall(token, message); }
  // Stream events and failure/close: on_grpc_close with status and message.
  bool grpcInitialMetadata(uint32_t token, const HeaderList& metadata) { return model_.grpcInitialMetadata(token, metadata); }
  bool grpcMessage(uint32_t token, std::string_view message) { return model_.grpcMessage(token, message); }
  bool grpcTrailingMetadata(uint32_t token, const HeaderList& metadata) {
    return model_.grpcTrailingMetadata(token, metadata);
  }
  bool grpcClose(uint32_t token, GrpcStatus status, std::string_view message = {}) {
    return model_.grpcClose(token, status, message);
  }

  // ---- State seen by the plugin -----------------------------------------------------------

  const std::vector<LogEntry>& logs() const { return model_.logs(); }
  std::vector<std::string> logs(LogLevel level) const { return model_.logs(level); }
  void clearLogs() { model_.clearLogs(); }
  void setLogLevel(LogLevel level) { model_.setLogLevel(level); }

  // Every metric defined so far, by name.
  std::map<std::string, MetricValue> metrics() const { return model_.metrics(); }
  std::optional<uint64_t> counter(std::string_view name) const { return model_.counter(name); }
  std::optional<int64_t> gauge(std::string_view name) const { return model_.gauge(name); }
  // A histogram's samples in recording order: all of them up to
  // HostOptions::histogram_samples_kept, then the most recent that many.
  std::optional<std::vector<uint64_t>> histogram(std::string_view name) const { return model_.histogram(name); }
  std::optional<HistogramSummary> histogramSummary(std::string_view name) const { return model_.histogramSummary(name); }

  // Shared data of this host's vm_id.
  void setSharedData(std::string_view key, std::string_view value) { model_.setSharedData(key, value); }
  std::optional<std::pair<std::string, uint32_t>> sharedData(std::string_view key) const {
    return model_.sharedData(key);
  }
  // Runs `hook(key)` right after each proxy_get_shared_data the plugin makes, while its
  // callback is still running: writing the key there (setSharedData) plays another worker
  // racing the plugin's compare-and-swap. An empty function removes the hook.
  void onSharedDataRead(std::function<void(std::string_view key)> hook) { model_.onSharedDataRead(std::move(hook)); }
  // Queues: resolve by (vm_id, name); enqueue as another VM would (notifies the plugin).
  std::optional<uint32_t> queueId(std::string_view name, std::string_view vm_id = {}) const {
    return model_.queueId(name, vm_id);
  }
  bool enqueue(uint32_t queue_id, std::string_view data) { return model_.enqueue(queue_id, data); }
  std::optional<std::string> dequeue(uint32_t queue_id) { return model_.dequeue(queue_id); }
  // While held, on_queue_ready notifications wait (one per enqueue, in order) until
  // holdQueueNotifications(false) delivers them: several items can then be waiting when
  // the plugin is first notified, as when the receiving thread is busy.
  void holdQueueNotifications(bool hold) { model_.holdQueueNotifications(hold); }
  size_t queueSize(uint32_t queue_id) const { return model_.queueSize(queue_id); }

  // A property every context reads (NUL-joined path -> bytes), as HostOptions::properties.
  void setProperty(std::string_view path, std::string_view value) { model_.setProperty(path, value); }
  void registerForeignFunction(std::string_view name, ForeignFunction fn) {
    model_.registerForeignFunction(name, std::move(fn));
  }
  // Calls the plugin's proxy_on_foreign_function with `arguments` in buffer 8.
  void callPluginForeignFunction(uint32_t function_id, std::string_view arguments, uint32_t root_id = 0) {
    model_.callPluginForeignFunction(function_id, arguments, root_id);
  }

  // Every host function call the plugin made, in call order (a call made from inside the
  // allocator, during another call's copy-out, comes after it); refused calls included.
  const std::vector<HostCall>& hostCalls() const { return model_.hostCalls(); }
  // The calls of one host function (by wire name, e.g. "proxy_log").
  std::vector<HostCall> hostCalls(std::string_view function) const { return model_.hostCalls(function); }
  void clearHostCalls() { model_.clearHostCalls(); }

  // ---- Fault injection --------------------------------------------------------------------

  // Makes host function `function` (wire name) return `status` instead of running, on the
  // calls `when` selects. Only a failure the function can return per the ABI and Envoy is
  // accepted: anything else (Ok, an unknown function, a status the function never returns,
  // nth(0)) throws std::invalid_argument naming the statuses it can return. A call the host
  // refuses (start-up, allocator) is refused before any fault applies. Several faults may
  // be pending for one function: each counts the calls, the first due one applies.
  void injectStatus(std::string_view function, Status status, FaultSchedule when = FaultSchedule::once()) {
    model_.injectStatus(function, status, when);
  }
  // The plugin's allocator export fails (returns 0) on the allocations `when` selects: the
  // host call that needed the memory returns InvalidMemoryAccess, as real hosts do.
  void failAllocations(FaultSchedule when = FaultSchedule::once()) { model_.failAllocations(when); }
  // Drops every pending fault.
  void clearFaults() { model_.clearFaults(); }
  // The statuses `function` can return per the ABI and Envoy (bit 1 << code), Ok included;
  // 0 for an unknown function.
  static uint32_t statusMask(std::string_view function) { return Model::statusMask(function); }
  // Calls plugin callback `cb` with exactly these arguments, whatever the host's state: a
  // context id the host never created or already deleted, a token never issued. The first
  // argument is the current context. Returns the callback's result (nullopt when it trapped
  // or the VM failed). Throws std::invalid_argument for a wrong argument count or for
  // _initialize and the allocator. Deferred work (continue, local replies) runs after it.
  std::optional<uint32_t> deliverCallback(Callback cb, std::initializer_list<uint32_t> args) {
    return model_.deliverCallback(cb, args);
  }

  // ---- Inspection -------------------------------------------------------------------------

  // Calls the host would refuse or trap on (restricted phase, bad ids), with the reason.
  const std::vector<std::string>& violations() const { return model_.violations(); }
  const HostOptions& options() const { return model_.options(); }
  std::vector<uint32_t> roots() const { return model_.roots(); }
  // Work done by the host's bookkeeping so far (see HostCounters).
  const HostCounters& counters() const { return model_.counters(); }
  // HttpStream and TcpConnection objects the host holds (live, plus finished ones not yet
  // released or kept by keep_finished_streams).
  size_t streamsHeld() const { return model_.streamsHeld(); }
  uint32_t rootFor(std::string_view root_id) const { return model_.rootFor(root_id); }
  bool contextAlive(uint32_t id) const { return model_.contextAlive(id); }
  // The plugin this host drives.
  Guest& guest() { return model_.guest(); }

  // The host model itself: its host functions (h*()), the hooks the ABI adapters use, its
  // bookkeeping. Tests of the model and the adapters reach it here.
  Model& model() { return model_; }
  const Model& model() const { return model_; }

 private:
  Model model_;  // constructed in place: the guest attaches to it, so it never moves
};

}  // namespace proxy_wasm::host
