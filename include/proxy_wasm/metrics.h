// Metrics: typed counter, gauge and histogram handles. Define once (in onStart or
// onConfigure: never during module start-up), then update cheaply: an update is one host
// call with the cached id.
//
//   requests_ = proxy_wasm::Counter::define("requests_total", {{"method", "GET"}}).value();
//   requests_.increment();
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "proxy_wasm/hostcalls.h"

namespace proxy_wasm {

using MetricTag = std::pair<std::string_view, std::string_view>;

// Folds tags into the stat name the way Envoy's tag extraction expects them:
// {{"method", "GET"}, {"code", "200"}} + "requests" -> "method.GET.code.200.requests".
inline std::string metricName(std::string_view base, std::initializer_list<MetricTag> tags = {}) {
  std::string name;
  size_t size = base.size();
  for (auto& [k, v] : tags) size += k.size() + v.size() + 2;
  name.reserve(size);
  for (auto& [k, v] : tags) {
    name.append(k);
    name.push_back('.');
    name.append(v);
    name.push_back('.');
  }
  name.append(base);
  return name;
}

namespace detail {
template <MetricType kType, class Self>
class MetricHandle {
 public:
  MetricHandle() = default;
  // Defines (or re-defines: hosts return a new id for the same stat) the metric.
  PROXY_WASM_NODISCARD static Result<Self> define(std::string_view base, std::initializer_list<MetricTag> tags = {}) {
    auto id = defineMetric(kType, tags.size() ? std::string_view(metricName(base, tags)) : base);
    if (!id) return id.status();
    Self self;
    self.id_ = *id;
    return self;
  }
  uint32_t id() const { return id_; }
  bool defined() const { return id_ != 0; }

 protected:
  uint32_t id_ = 0;  // 0 is never a valid id: an undefined handle gets NotFound
};
}  // namespace detail

class Counter : public detail::MetricHandle<MetricType::Counter, Counter> {
 public:
  // Adds `delta` (> 0; hosts refuse 0 with BadArgument).
  PROXY_WASM_NODISCARD Status increment(uint64_t delta = 1) const { return incrementMetric(id_, int64_t(delta)); }
  PROXY_WASM_NODISCARD Result<uint64_t> value() const { return getMetric(id_); }
};

class Gauge : public detail::MetricHandle<MetricType::Gauge, Gauge> {
 public:
  PROXY_WASM_NODISCARD Status add(int64_t delta) const { return incrementMetric(id_, delta); }
  PROXY_WASM_NODISCARD Status set(uint64_t value) const { return recordMetric(id_, value); }
  PROXY_WASM_NODISCARD Result<int64_t> value() const {
    auto v = getMetric(id_);
    if (!v) return v.status();
    return int64_t(*v);
  }
};

class Histogram : public detail::MetricHandle<MetricType::Histogram, Histogram> {
 public:
  PROXY_WASM_NODISCARD Status record(uint64_t value) const { return recordMetric(id_, value); }
};

}  // namespace proxy_wasm
