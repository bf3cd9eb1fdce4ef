// The host model's core: the VM and its roots (start-up, configuration, shutdown), the
// contexts, calls into the plugin and deferred work, time and ticks, logs, foreign
// functions, the host-call record and the restricted phases (model.h).
#include "proxy_wasm/host/model.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace proxy_wasm::host {

Model::Model(std::unique_ptr<Guest> guest, HostOptions options)
    : guest_(std::move(guest)), options_(std::move(options)), now_ns_(options_.start_time_ns) {
  guest_->attach(*this);
}

Model::~Model() {
  if (!shut_down_) shutdown();
}

void Model::fail(std::string reason) {
  if (!failed_) {
    failed_ = true;
    failure_ = std::move(reason);
  }
}

void Model::violation(std::string message) { violations_.push_back(std::move(message)); }

bool Model::startVm() {
  if (vm_started_) return !failed_;
  vm_started_ = true;
  if (!guest_->has(Callback::Initialize)) return true;
  in_startup_ = true;
  CallResult r = guest_->call(Callback::Initialize, {});
  in_startup_ = false;
  if (!r.ok) fail("_initialize failed: " + r.error);
  return !failed_;
}

std::optional<uint32_t> Model::call(Callback cb, uint32_t context, std::initializer_list<uint32_t> args) {
  if (failed_) return std::nullopt;
  const CallbackInfo& info = callbackInfo(cb);
  if (!guest_->has(cb)) {
    // Host defaults for absent callbacks: Continue, true, no-op.
    const bool truthy = cb == Callback::VmStart || cb == Callback::Configure || cb == Callback::Done;
    return truthy ? 1u : 0u;
  }
  const uint32_t saved_current = current_, saved_effective = effective_;
  const Callback saved_cb = current_callback_;
  current_ = context;
  effective_ = 0;
  current_callback_ = cb;
  ++depth_;
  CallResult r = guest_->call(cb, args);
  --depth_;
  current_ = saved_current;
  effective_ = saved_effective;
  current_callback_ = saved_cb;
  if (!r.ok) {
    fail(std::string("trap in ") + info.export_name + ": " + r.error);
    return std::nullopt;
  }
  return info.has_result ? uint32_t(r.value) : 0u;
}

void Model::runDeferred() {
  static thread_local bool running = false;
  if (depth_ != 0 || running) return;
  running = true;
  while (!deferred_.empty()) {
    auto fn = std::move(deferred_.front());
    deferred_.pop_front();
    fn();
  }
  running = false;
}

uint32_t Model::startPlugin(const PluginOptions& plugin) {
  if (!startVm()) return 0;
  const uint32_t id = nextContextId();
  RootRecord rec;
  rec.id = id;
  rec.plugin = plugin;
  if (rec.plugin.name.empty()) rec.plugin.name = plugin.root_id;
  roots_[id] = rec;
  root_order_.push_back(id);
  contexts_[id] = ContextRecord{id, 0, ContextRecord::Root, nullptr, nullptr};
  if (!call(Callback::ContextCreate, id, {id, 0})) return 0;
  auto started = call(Callback::VmStart, id, {id, uint32_t(options_.vm_configuration.size())});
  runDeferred();
  if (!started || *started == 0) {
    if (started) failure_ = "plugin '" + plugin.root_id + "' failed to start (proxy_on_vm_start returned false)";
    return 0;
  }
  roots_[id].started = true;
  if (!configure(id, plugin.configuration)) return 0;
  return id;
}

bool Model::configure(uint32_t root_id, std::string_view configuration) {
  RootRecord* root = rootRecord(root_id);
  if (!root) return false;
  root->plugin.configuration = std::string(configuration);
  root->configuring = true;
  auto ok = call(Callback::Configure, root_id, {root_id, uint32_t(configuration.size())});
  if (RootRecord* r = rootRecord(root_id)) r->configuring = false;
  runDeferred();
  if (!ok) return false;
  if (*ok == 0) {
    failure_ = "plugin '" + root->plugin.root_id + "' rejected its configuration (proxy_on_configure returned false)";
    return false;
  }
  return true;
}

void Model::shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  // Only live streams are visited; each finish() retires its stream from the table.
  while (!live_streams_.empty()) {
    HttpStream& s = *live_streams_.begin()->second;
    ++counters_.stream_visits;
    if (s.finished_ || s.pending_done_) {
      retire(s);  // waiting for proxy_done: nothing more to run
    } else {
      s.finish();
      if (!s.finished_) retire(s);  // the VM failed, or spec finalization waits
    }
  }
  while (!live_connections_.empty()) {
    TcpConnection& c = *live_connections_.begin()->second;
    ++counters_.stream_visits;
    if (!c.finished_ && !c.pending_done_) c.finish();
    if (!live_connections_.empty() && live_connections_.begin()->second.get() == &c) retire(c);
  }
  for (uint32_t id : std::vector<uint32_t>(root_order_)) {
    RootRecord* r = rootRecord(id);
    if (!r || r->done_called) continue;
    r->done_called = true;
    auto done = call(Callback::Done, id, {id});
    runDeferred();
    if (!done) {
      deleteContext(id);
      continue;
    }
    if (*done != 0) {
      finishRoot(id);
    } else if (RootRecord* rr = rootRecord(id)) {
      rr->pending_done = true;  // waits for proxy_done
    }
  }
}

// A finished stream or connection leaves the live table; it stays readable until the next
// one is created (or for good with keep_finished_streams).
void Model::retire(HttpStream& s) {
  auto it = live_streams_.find(s.seq_);
  if (it == live_streams_.end()) return;
  finished_streams_.push_back(std::move(it->second));
  live_streams_.erase(it);
}

void Model::retire(TcpConnection& c) {
  auto it = live_connections_.find(c.seq_);
  if (it == live_connections_.end()) return;
  finished_connections_.push_back(std::move(it->second));
  live_connections_.erase(it);
}

void Model::releaseFinished() {
  // Deferred work may still point at a stream while a callback runs: release only between
  // callbacks.
  if (options_.keep_finished_streams || depth_ != 0 || !deferred_.empty()) return;
  counters_.stream_visits += finished_streams_.size() + finished_connections_.size();
  finished_streams_.clear();
  finished_connections_.clear();
}

size_t Model::streamsHeld() const {
  return live_streams_.size() + live_connections_.size() + finished_streams_.size() + finished_connections_.size();
}

void Model::finishRoot(uint32_t id) {
  call(Callback::Delete, id, {id});
  deleteContext(id);
}

void Model::deleteContext(uint32_t id) {
  contexts_.erase(id);
  if (RootRecord* r = rootRecord(id); r && r->tick_period_ms != 0) timers_.erase({r->next_tick_ns, id});
  roots_.erase(id);
  root_order_.erase(std::remove(root_order_.begin(), root_order_.end(), id), root_order_.end());
}

Model::ContextRecord* Model::record(uint32_t id) {
  auto it = contexts_.find(id);
  return it == contexts_.end() ? nullptr : &it->second;
}

Model::RootRecord* Model::rootRecord(uint32_t id) {
  auto it = roots_.find(id);
  return it == roots_.end() ? nullptr : &it->second;
}

uint32_t Model::rootOf(uint32_t id) {
  ContextRecord* r = record(id);
  if (!r) return 0;
  return r->kind == ContextRecord::Root ? r->id : r->root;
}

uint32_t Model::defaultRoot(uint32_t root_id) const {
  if (root_id != 0) return root_id;
  return root_order_.empty() ? 0 : root_order_.front();
}

std::vector<uint32_t> Model::roots() const { return root_order_; }

uint32_t Model::rootFor(std::string_view root_id) const {
  for (uint32_t id : root_order_) {
    auto it = roots_.find(id);
    if (it != roots_.end() && it->second.plugin.root_id == root_id) return id;
  }
  return 0;
}

HttpStream* Model::effectiveHttp() {
  ContextRecord* r = record(effective());
  return r && r->kind == ContextRecord::Http ? r->http : nullptr;
}

TcpConnection* Model::effectiveTcp() {
  ContextRecord* r = record(effective());
  return r && r->kind == ContextRecord::Tcp ? r->tcp : nullptr;
}

void Model::advanceTime(uint64_t milliseconds) {
  const uint64_t target = now_ns_ + milliseconds * 1000000ull;
  // The armed timers are ordered by (next tick, root id): the earliest due one is first.
  while (!timers_.empty() && !failed_) {
    ++counters_.timer_visits;
    const auto [when, due] = *timers_.begin();
    if (when > target) break;
    timers_.erase(timers_.begin());
    now_ns_ = std::max(now_ns_, when);
    RootRecord& r = roots_[due];
    r.next_tick_ns = when + uint64_t(r.tick_period_ms) * 1000000ull;  // re-arms after each tick
    timers_.insert({r.next_tick_ns, due});
    call(Callback::Tick, due, {due});
    runDeferred();
  }
  now_ns_ = target;
}

void Model::tick(uint32_t root_id) {
  const uint32_t id = defaultRoot(root_id);
  if (!rootRecord(id)) return;
  call(Callback::Tick, id, {id});
  runDeferred();
}

uint32_t Model::tickPeriod(uint32_t root_id) const {
  auto it = roots_.find(defaultRoot(root_id));
  return it == roots_.end() ? 0 : it->second.tick_period_ms;
}

std::vector<std::string> Model::logs(LogLevel level) const {
  std::vector<std::string> out;
  for (auto& e : logs_)
    if (e.level == level) out.push_back(e.message);
  return out;
}

void Model::registerForeignFunction(std::string_view name, ForeignFunction fn) {
  foreign_functions_[std::string(name)] = std::move(fn);
}

void Model::callPluginForeignFunction(uint32_t function_id, std::string_view arguments, uint32_t root_id) {
  const uint32_t root = defaultRoot(root_id);
  if (!rootRecord(root)) return;
  const std::string args(arguments);
  foreign_args_ = &args;
  call(Callback::ForeignFunction, root, {root, function_id, uint32_t(args.size())});
  foreign_args_ = nullptr;
  runDeferred();
}

bool Model::allowed(std::string_view name) {
  if (in_startup_) {
    if (name == "proxy_log") return true;
    violation(std::string(name) + " called during module start-up (_initialize): Envoy traps (restricted_callback)");
    return false;
  }
  if (in_allocator_) {
    if (name == "proxy_log") return true;
    violation(std::string(name) + " called inside the allocator: Envoy traps (restricted_callback)");
    return false;
  }
  return true;
}

size_t Model::beginHostCall(std::string_view name) {
  injected_ = false;
  if (!options_.record_host_calls) return size_t(-1);
  HostCall call;
  call.function = std::string(name);
  call.current_context_id = in_startup_ ? 0 : current_;
  if (in_allocator_) {
    call.callback = Callback::MemoryAllocate;
  } else if (in_startup_) {
    call.callback = Callback::Initialize;
  } else if (depth_ > 0) {
    call.callback = current_callback_;
  }
  host_calls_.push_back(std::move(call));
  return host_calls_base_ + host_calls_.size() - 1;
}

void Model::endHostCall(size_t sequence, uint32_t result) {
  // Not recording, or the record was cleared during the call.
  if (sequence < host_calls_base_ || sequence - host_calls_base_ >= host_calls_.size()) return;
  HostCall& call = host_calls_[sequence - host_calls_base_];
  call.refused = result == 0xFFFFFFFFu;  // abi::kTrap
  call.injected = std::exchange(injected_, false);
  call.status = call.refused ? Status::InternalFailure : Status(static_cast<Status::Code>(result));
  call.context_id = in_startup_ ? 0 : effective();
}

std::vector<HostCall> Model::hostCalls(std::string_view function) const {
  std::vector<HostCall> out;
  for (const HostCall& c : host_calls_)
    if (c.function == function) out.push_back(c);
  return out;
}

uint64_t Model::allocate(uint64_t size) {
  if (size > 0xFFFFFFFFull || failed_) return 0;
  if (allocationFails()) return 0;  // an injected failure: the export returned 0
  const bool saved = in_allocator_;
  in_allocator_ = true;
  CallResult r = guest_->call(Callback::MemoryAllocate, {uint32_t(size)});
  in_allocator_ = saved;
  if (!r.ok) {
    fail("trap in proxy_on_memory_allocate: " + r.error);
    return 0;
  }
  return r.value;
}

Status Model::hLog(uint32_t level, std::string_view message) {
  if (level > 5) return Status::BadArgument;
  if (level >= uint32_t(options_.log_level))
    logs_.push_back(LogEntry{LogLevel(level), std::string(message), in_startup_ ? 0 : effective()});
  return Status::Ok;
}

Status Model::hGetLogLevel(uint32_t& level) {
  level = uint32_t(options_.log_level);
  return Status::Ok;
}

Status Model::hGetCurrentTime(uint64_t& ns) {
  ns = now_ns_;
  return Status::Ok;
}

Status Model::hSetTickPeriod(uint32_t ms) {
  RootRecord* r = rootRecord(rootOf(effective()));
  if (!r) return Status::Ok;
  if (r->tick_period_ms != 0) timers_.erase({r->next_tick_ns, r->id});
  r->tick_period_ms = ms;
  r->next_tick_ns = now_ns_ + uint64_t(ms) * 1000000ull;
  if (ms != 0) timers_.insert({r->next_tick_ns, r->id});
  return Status::Ok;
}

Status Model::hDone() {
  // HOST's done(context) looks the effective context itself up among the parked roots, so
  // a stream of a parked root gets NotFound.
  const uint32_t id = effective();
  if (RootRecord* r = rootRecord(id)) {
    if (!r->pending_done) return Status::NotFound;
    r->pending_done = false;
    deferred_.push_back([this, id] { finishRoot(id); });  // on_delete right after this callback
    return Status::Ok;
  }
  // Spec finalization: a stream whose on_done returned false.
  if (HttpStream* s = effectiveHttp(); s && s->pending_done_) {
    s->pending_done_ = false;
    deferred_.push_back([this, s] { logAndDeleteHttp(*s); });
    return Status::Ok;
  }
  if (TcpConnection* c = effectiveTcp(); c && c->pending_done_) {
    c->pending_done_ = false;
    deferred_.push_back([this, c] { logAndDeleteTcp(*c); });
    return Status::Ok;
  }
  return Status::NotFound;
}

Status Model::hSetEffectiveContext(uint32_t id) {
  if (!record(id)) return Status::BadArgument;
  effective_ = id;
  return Status::Ok;
}

Status Model::hCallForeignFunction(std::string_view name, std::string_view args, std::string& out) {
  auto it = foreign_functions_.find(std::string(name));
  if (it == foreign_functions_.end()) return Status::NotFound;
  return it->second(args, out);
}

}  // namespace proxy_wasm::host
