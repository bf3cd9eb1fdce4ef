// VM-wide state: shared data (per vm_id, compare-and-swap), shared queues and metrics.
#include "proxy_wasm/host/model.h"

#include <algorithm>
#include <cstdint>

namespace proxy_wasm::host {

namespace {

constexpr uint32_t kMetricCounter = 0, kMetricGauge = 1, kMetricHistogram = 2;

// Envoy's counters and gauges are uint64 and wrap; the model keeps the value as int64
// (gauges go below zero through increments): add modulo 2^64, never signed overflow.
int64_t wrappingAdd(int64_t value, uint64_t delta) { return int64_t(uint64_t(value) + delta); }

}  // namespace

void Model::Metric::record(uint64_t sample, size_t kept) {
  summary.min = summary.count == 0 ? sample : std::min(summary.min, sample);
  summary.max = summary.count == 0 ? sample : std::max(summary.max, sample);
  ++summary.count;
  summary.sum = sample > UINT64_MAX - summary.sum ? UINT64_MAX : summary.sum + sample;
  if (kept == 0) kept = 1;
  if (ring.size() < kept) {
    ring.push_back(sample);
    return;
  }
  // Full (or the bound shrank): overwrite the oldest.
  if (next >= ring.size()) next = 0;
  ring[next] = sample;
  next = (next + 1) % ring.size();
}

std::vector<uint64_t> Model::Metric::samples() const {
  std::vector<uint64_t> out;
  out.reserve(ring.size());
  const size_t start = next < ring.size() ? next : 0;
  out.insert(out.end(), ring.begin() + std::ptrdiff_t(start), ring.end());
  out.insert(out.end(), ring.begin(), ring.begin() + std::ptrdiff_t(start));
  return out;
}

std::map<std::string, MetricValue> Model::metrics() const {
  std::map<std::string, MetricValue> out;
  for (auto& [name, m] : metrics_) out[name] = MetricValue{m.type, m.value, m.samples(), m.summary};
  return out;
}

std::optional<uint64_t> Model::counter(std::string_view name) const {
  auto it = metrics_.find(std::string(name));
  if (it == metrics_.end() || it->second.type != MetricType::Counter) return std::nullopt;
  return uint64_t(it->second.value);
}

std::optional<int64_t> Model::gauge(std::string_view name) const {
  auto it = metrics_.find(std::string(name));
  if (it == metrics_.end() || it->second.type != MetricType::Gauge) return std::nullopt;
  return it->second.value;
}

std::optional<std::vector<uint64_t>> Model::histogram(std::string_view name) const {
  auto it = metrics_.find(std::string(name));
  if (it == metrics_.end() || it->second.type != MetricType::Histogram) return std::nullopt;
  return it->second.samples();
}

std::optional<HistogramSummary> Model::histogramSummary(std::string_view name) const {
  auto it = metrics_.find(std::string(name));
  if (it == metrics_.end() || it->second.type != MetricType::Histogram) return std::nullopt;
  return it->second.summary;
}

void Model::setSharedData(std::string_view key, std::string_view value) { (void)hSetSharedData(key, value, 0); }

std::optional<std::pair<std::string, uint32_t>> Model::sharedData(std::string_view key) const {
  auto it = shared_data_.find(options_.vm_id + '\0' + std::string(key));
  if (it == shared_data_.end()) return std::nullopt;
  return it->second;
}

std::optional<uint32_t> Model::queueId(std::string_view name, std::string_view vm_id) const {
  const std::string vm = vm_id.empty() ? options_.vm_id : std::string(vm_id);
  for (auto& [id, q] : queues_)
    if (q.vm_id == vm && q.name == name) return id;
  return std::nullopt;
}

bool Model::enqueue(uint32_t queue_id, std::string_view data) {
  const Status s = hEnqueueSharedQueue(queue_id, data);
  runDeferred();
  return s == Status::Ok;
}

std::optional<std::string> Model::dequeue(uint32_t queue_id) {
  auto it = queues_.find(queue_id);
  if (it == queues_.end() || it->second.items.empty()) return std::nullopt;
  std::string v = std::move(it->second.items.front());
  it->second.items.pop_front();
  return v;
}

size_t Model::queueSize(uint32_t queue_id) const {
  auto it = queues_.find(queue_id);
  return it == queues_.end() ? 0 : it->second.items.size();
}

Status Model::hGetSharedData(std::string_view key, std::string& value, uint32_t& cas) {
  auto it = shared_data_.find(options_.vm_id + '\0' + std::string(key));
  const Status s = it == shared_data_.end() ? Status::NotFound : Status::Ok;
  if (s == Status::Ok) {
    value = it->second.first;
    cas = it->second.second;
  }
  // The test's hook (onSharedDataRead), after the read; never re-entered.
  if (shared_data_read_hook_ && !in_shared_data_read_hook_) {
    in_shared_data_read_hook_ = true;
    shared_data_read_hook_(key);
    in_shared_data_read_hook_ = false;
  }
  return s;
}

Status Model::hSetSharedData(std::string_view key, std::string_view value, uint32_t cas) {
  const std::string k = options_.vm_id + '\0' + std::string(key);
  auto it = shared_data_.find(k);
  if (it != shared_data_.end() && cas != 0 && cas != it->second.second) return Status::CasMismatch;
  uint32_t fresh = next_cas_++;
  if (next_cas_ == 0) next_cas_ = 1;
  shared_data_[k] = {std::string(value), fresh};
  return Status::Ok;
}

Status Model::hRegisterSharedQueue(std::string_view name, uint32_t& id) {
  const uint32_t root = rootOf(effective());
  for (auto& [qid, q] : queues_) {
    if (q.vm_id == options_.vm_id && q.name == name) {
      q.root = root;  // the last registrant is notified
      id = qid;
      return Status::Ok;
    }
  }
  id = next_queue_id_++;
  queues_[id] = Queue{options_.vm_id, std::string(name), root, {}};
  return Status::Ok;
}

Status Model::hResolveSharedQueue(std::string_view vm_id, std::string_view name, uint32_t& id) {
  auto found = queueId(name, vm_id);
  if (!found) return Status::NotFound;
  id = *found;
  return Status::Ok;
}

Status Model::hEnqueueSharedQueue(uint32_t id, std::string_view data) {
  auto it = queues_.find(id);
  if (it == queues_.end()) return Status::NotFound;
  it->second.items.emplace_back(data);
  const uint32_t root = it->second.root;
  // One asynchronous notification per enqueue, after the current VM call (or when the
  // test releases them: the receiver's thread may be busy while items pile up).
  auto notify = [this, root, id] {
    if (rootRecord(root)) call(Callback::QueueReady, root, {root, id});
  };
  if (hold_queue_notifications_) {
    held_notifications_.push_back(std::move(notify));
  } else {
    deferred_.push_back(std::move(notify));
  }
  return Status::Ok;
}

void Model::holdQueueNotifications(bool hold) {
  hold_queue_notifications_ = hold;
  if (hold) return;
  for (auto& n : held_notifications_) deferred_.push_back(std::move(n));
  held_notifications_.clear();
  runDeferred();
}

Status Model::hDequeueSharedQueue(uint32_t id, std::string& data) {
  auto it = queues_.find(id);
  if (it == queues_.end()) return Status::NotFound;
  if (it->second.items.empty()) return Status::Empty;
  data = std::move(it->second.items.front());
  it->second.items.pop_front();
  return Status::Ok;
}

Status Model::hDefineMetric(uint32_t type, std::string_view name, uint32_t& id) {
  if (type > kMaxMetricType) return Status::BadArgument;
  id = (next_metric_++) * 4 + type;  // the type lives in the low bits
  const std::string n(name);
  metric_ids_[id] = n;
  auto it = metrics_.find(n);
  if (it == metrics_.end()) metrics_[n] = Metric{MetricType(type), 0, {}};
  return Status::Ok;
}

Status Model::hIncrementMetric(uint32_t id, int64_t delta) {
  // Envoy checks the type bits first: a histogram (or type 3) id is BA even if unknown.
  if ((id & 3) != kMetricCounter && (id & 3) != kMetricGauge) return Status::BadArgument;
  auto it = metric_ids_.find(id);
  if (it == metric_ids_.end()) return Status::NotFound;
  Metric& m = metrics_[it->second];
  switch (id & 3) {
    case kMetricCounter:
      if (delta <= 0) return Status::BadArgument;
      m.value = wrappingAdd(m.value, uint64_t(delta));
      return Status::Ok;
    case kMetricGauge:
      m.value = wrappingAdd(m.value, uint64_t(delta));
      return Status::Ok;
    default:
      return Status::BadArgument;
  }
}

Status Model::hRecordMetric(uint32_t id, uint64_t value) {
  auto it = metric_ids_.find(id);
  if (it == metric_ids_.end()) return Status::NotFound;
  Metric& m = metrics_[it->second];
  switch (id & 3) {
    case kMetricCounter:
      m.value = wrappingAdd(m.value, value);  // Envoy adds (the spec says "set")
      return Status::Ok;
    case kMetricGauge:
      m.value = int64_t(value);
      return Status::Ok;
    case kMetricHistogram:
      m.record(value, options_.histogram_samples_kept);
      return Status::Ok;
    default:
      return Status::BadArgument;
  }
}

Status Model::hGetMetric(uint32_t id, uint64_t& value) {
  // Envoy checks the type bits first: a histogram (or type 3) id is BA even if unknown.
  if ((id & 3) != kMetricCounter && (id & 3) != kMetricGauge) return Status::BadArgument;
  auto it = metric_ids_.find(id);
  if (it == metric_ids_.end()) return Status::NotFound;
  value = uint64_t(metrics_[it->second].value);
  return Status::Ok;
}

}  // namespace proxy_wasm::host
