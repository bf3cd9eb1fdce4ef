// State a VM shares beyond one context, as tests read it back: metrics (counters, gauges,
// histograms with a bounded sample window and a summary of every sample). Shared data and
// shared queues are read as plain values (Host::sharedData(), Host::dequeue()). Kept by
// the model (shared_state.cc), read through Host::metrics(), Host::histogramSummary(), ...
#pragma once

#include <cstdint>
#include <vector>

#include "proxy_wasm/types.h"

namespace proxy_wasm::host {

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

// One metric as defined by the plugin and updated so far.
struct MetricValue {
  MetricType type;
  int64_t value;                  // counter or gauge
  std::vector<uint64_t> samples;  // histogram: the last HostOptions::histogram_samples_kept, oldest first
  HistogramSummary summary;       // histogram: every sample
};

}  // namespace proxy_wasm::host
