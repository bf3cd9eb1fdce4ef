// Metrics: typed counter, gauge and histogram handles. Define once (in onStart or
// onConfigure: never during module start-up), then update cheaply: an update is one host
// call with the cached id.
//
//   requests_ = proxy_wasm::Counter::define("requests_total", {{"method", "GET"}}).value();
//   requests_.increment();
//
// Tags known only per request: a tagged family defines one stat per combination of tag
// values, on first use, and caches its id:
//
//   auto family = proxy_wasm::TaggedCounter<std::string_view, uint32_t>::define("responses", {"method", "code"});
//   family->increment(1, "GET", 200);   // stat "method.GET.code.200.responses"
#pragma once

#include <array>
#include <charconv>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <type_traits>
#include <string_view>
#include <utility>

#include "proxy_wasm/hostcalls.h"

namespace proxy_wasm {

/// A tag of a stat: its name and its value (`{"method", "GET"}`).
using MetricTag = std::pair<std::string_view, std::string_view>;

/// Folds tags into the stat name the way Envoy's tag extraction expects them:
/// {{"method", "GET"}, {"code", "200"}} + "requests" -> "method.GET.code.200.requests".
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
  /// Defines (or re-defines: hosts return a new id for the same stat) the metric `base`,
  /// with `tags` folded into its name (metricName()). Call it from a callback (onStart,
  /// onConfigure), never during module start-up. Statuses: Ok; BadArgument (an unknown
  /// metric type), InvalidMemoryAccess, or InternalFailure when the host disabled metrics.
  PROXY_WASM_NODISCARD static Result<Self> define(std::string_view base, std::initializer_list<MetricTag> tags = {}) {
    auto id = defineMetric(kType, tags.size() ? std::string_view(metricName(base, tags)) : base);
    if (!id) return id.status();
    Self self;
    self.id_ = *id;
    return self;
  }
  /// The host's id of the stat; 0 before define().
  uint32_t id() const { return id_; }
  /// True once define() succeeded.
  bool defined() const { return id_ != 0; }

 protected:
  uint32_t id_ = 0;  ///< 0 is never a valid id: an undefined handle gets NotFound
};
}  // namespace detail

/// A counter: only grows. Define it with `Counter::define(name, tags)` (statuses: Ok,
/// BadArgument, InvalidMemoryAccess), keep the handle (a root member), update it from any callback.
class Counter : public detail::MetricHandle<MetricType::Counter, Counter> {
 public:
  /// Adds `delta` to the counter (> 0; hosts refuse 0, and anything above INT64_MAX, with
  /// BadArgument). Statuses: Ok; NotFound for an undefined handle (or an unknown id);
  /// BadArgument as above.
  PROXY_WASM_NODISCARD Status increment(uint64_t delta = 1) const { return incrementMetric(id_, int64_t(delta)); }
  /// The counter's current value. Statuses: Ok; NotFound for an undefined handle (or an
  /// unknown id); InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Result<uint64_t> value() const { return getMetric(id_); }
};

/// A gauge: goes up and down, or is set. Defined like a Counter (`Gauge::define`).
class Gauge : public detail::MetricHandle<MetricType::Gauge, Gauge> {
 public:
  /// Adds `delta` (negative decreases). Statuses: Ok; NotFound for an undefined handle (or an
  /// unknown id).
  PROXY_WASM_NODISCARD Status add(int64_t delta) const { return incrementMetric(id_, delta); }
  /// Sets the gauge to `value`. Statuses: Ok; NotFound for an undefined handle (or an unknown id).
  PROXY_WASM_NODISCARD Status set(uint64_t value) const { return recordMetric(id_, value); }
  /// The gauge's current value. Statuses: Ok; NotFound for an undefined handle (or an
  /// unknown id); InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Result<int64_t> value() const {
    auto v = getMetric(id_);
    if (!v) return v.status();
    return int64_t(*v);
  }
};

/// A histogram: records samples. Defined like a Counter (`Histogram::define`); hosts do not
/// read a histogram back (Envoy answers BadArgument), so it has no value().
class Histogram : public detail::MetricHandle<MetricType::Histogram, Histogram> {
 public:
  /// Records the sample `value`. Statuses: Ok; NotFound for an undefined handle (or an unknown id).
  PROXY_WASM_NODISCARD Status record(uint64_t value) const { return recordMetric(id_, value); }
};

namespace detail {

inline void appendTagValue(std::string& out, std::string_view v) { out.append(v.data(), v.size()); }
inline void appendTagValue(std::string& out, bool v) { out.append(v ? "true" : "false"); }
template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
void appendTagValue(std::string& out, T v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, size_t(r.ptr - buf));
}

/// A family of stats of one type sharing a base name and tag names; one stat per
/// combination of tag values, defined on first use (its id cached).
template <MetricType kType, class... Tags>
class MetricFamily {
  static_assert(sizeof...(Tags) > 0, "a tagged metric needs at least one tag");

 public:
  using TagNames = std::array<std::string_view, sizeof...(Tags)>;
  MetricFamily() = default;
  MetricFamily(std::string_view base, const TagNames& names) : base_(base) {
    for (size_t i = 0; i < names.size(); ++i) names_[i] = std::string(names[i]);
  }

  /// The stat id for these tag values (defined now if new).
  /// Statuses: Ok (a cached id, or a new stat), or define()'s failure (BadArgument,
  /// InvalidMemoryAccess, InternalFailure); a failed definition is retried on the next use.
  PROXY_WASM_NODISCARD Result<uint32_t> resolve(const Tags&... values) {
    std::string name;
    size_t i = 0;
    ((name.append(names_[i]), name.push_back('.'), appendTagValue(name, values), name.push_back('.'), ++i), ...);
    name.append(base_);
    auto it = ids_.find(name);
    if (it != ids_.end()) return it->second;
    auto id = defineMetric(kType, name);
    if (!id) return id.status();
    ids_.emplace(std::move(name), *id);
    return *id;
  }
  /// The number of stats defined so far (one per combination of tag values seen).
  size_t size() const { return ids_.size(); }

 protected:
  std::string base_;
  std::array<std::string, sizeof...(Tags)> names_;
  std::map<std::string, uint32_t, std::less<>> ids_;
};

}  // namespace detail

/// Counters tagged by values known at run time: one stat per combination of tag values,
/// defined on first use and its id cached.
///
///   auto family = TaggedCounter<std::string_view, uint32_t>::define("responses", {"method", "code"});
///   family->increment(1, "GET", 200);   // stat "method.GET.code.200.responses"
///
/// Tag values are strings, integers or bools. Keep the family (a root member) and update it
/// from callbacks.
template <class... Tags>
class TaggedCounter : public detail::MetricFamily<MetricType::Counter, Tags...> {
  using Base = detail::MetricFamily<MetricType::Counter, Tags...>;

 public:
  using Base::Base;
  /// Checks nothing with the host: stats are defined on first use.
  /// Always Ok; may be called anywhere, even during module start-up.
  static Result<TaggedCounter> define(std::string_view base, const typename Base::TagNames& tag_names) {
    return TaggedCounter(base, tag_names);
  }
  /// Adds `delta` (> 0) to the stat of these tag values, defining it on first use (from a
  /// callback). Statuses: Ok; the definition's failure (BadArgument, InvalidMemoryAccess);
  /// BadArgument for a zero delta.
  PROXY_WASM_NODISCARD Status increment(uint64_t delta, const Tags&... values) {
    auto id = this->resolve(values...);
    if (!id) return id.status();
    return incrementMetric(*id, int64_t(delta));
  }
  /// The value of the stat of these tag values (defined now, at 0, if new). Statuses: Ok; the
  /// definition's failure (BadArgument, InvalidMemoryAccess); NotFound for an unknown id.
  PROXY_WASM_NODISCARD Result<uint64_t> value(const Tags&... values) {
    auto id = this->resolve(values...);
    if (!id) return id.status();
    return getMetric(*id);
  }
};

/// Gauges tagged by values known at run time (see TaggedCounter).
template <class... Tags>
class TaggedGauge : public detail::MetricFamily<MetricType::Gauge, Tags...> {
  using Base = detail::MetricFamily<MetricType::Gauge, Tags...>;

 public:
  using Base::Base;
  /// Checks nothing with the host: stats are defined on first use. Always Ok.
  static Result<TaggedGauge> define(std::string_view base, const typename Base::TagNames& tag_names) {
    return TaggedGauge(base, tag_names);
  }
  /// Adds `delta` (negative decreases) to the stat of these tag values, defining it on first
  /// use. Statuses: Ok; the definition's failure (BadArgument, InvalidMemoryAccess).
  PROXY_WASM_NODISCARD Status add(int64_t delta, const Tags&... values) {
    auto id = this->resolve(values...);
    if (!id) return id.status();
    return incrementMetric(*id, delta);
  }
  /// Sets the stat of these tag values to `v`, defining it on first use. Statuses: Ok; the
  /// definition's failure (BadArgument, InvalidMemoryAccess).
  PROXY_WASM_NODISCARD Status set(uint64_t v, const Tags&... values) {
    auto id = this->resolve(values...);
    if (!id) return id.status();
    return recordMetric(*id, v);
  }
};

/// Histograms tagged by values known at run time (see TaggedCounter).
template <class... Tags>
class TaggedHistogram : public detail::MetricFamily<MetricType::Histogram, Tags...> {
  using Base = detail::MetricFamily<MetricType::Histogram, Tags...>;

 public:
  using Base::Base;
  /// Checks nothing with the host: stats are defined on first use. Always Ok.
  static Result<TaggedHistogram> define(std::string_view base, const typename Base::TagNames& tag_names) {
    return TaggedHistogram(base, tag_names);
  }
  /// Records the sample `v` in the stat of these tag values, defining it on first use.
  /// Statuses: Ok; the definition's failure (BadArgument, InvalidMemoryAccess).
  PROXY_WASM_NODISCARD Status record(uint64_t v, const Tags&... values) {
    auto id = this->resolve(values...);
    if (!id) return id.status();
    return recordMetric(*id, v);
  }
};

}  // namespace proxy_wasm
