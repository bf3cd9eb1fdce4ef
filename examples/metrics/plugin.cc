// metrics: a counter, a gauge and a histogram, defined once per plugin instance and
// updated by every HTTP stream.
//
//   requests_total        counter    +1 per request (at its request headers)
//   active_requests       gauge      +1 at the request headers, -1 when that stream is done
//   request_header_bytes  histogram  Σ key and value lengths of the request headers
#include <proxy_wasm/proxy_wasm.h>

#include <cstdint>

namespace {

class MetricsRoot : public proxy_wasm::RootContext {
 public:
  using RootContext::RootContext;

  // Metrics are defined here, not in static initializers: hosts forbid host calls during
  // module start-up. Defining a name again (another instance) reaches the same stat.
  bool onStart(size_t) override {
    auto requests = proxy_wasm::Counter::define("requests_total");
    auto active = proxy_wasm::Gauge::define("active_requests");
    auto header_bytes = proxy_wasm::Histogram::define("request_header_bytes");
    for (auto s : {requests.status(), active.status(), header_bytes.status()}) {
      if (!s) {
        proxy_wasm::logError("cannot define the metrics: ", s);
        return false;
      }
    }
    requests_ = *requests;
    active_ = *active;
    header_bytes_ = *header_bytes;
    return true;
  }

  const proxy_wasm::Counter& requests() const { return requests_; }
  const proxy_wasm::Gauge& active() const { return active_; }
  const proxy_wasm::Histogram& headerBytes() const { return header_bytes_; }

 private:
  proxy_wasm::Counter requests_;
  proxy_wasm::Gauge active_;
  proxy_wasm::Histogram header_bytes_;
};

class MetricsContext : public proxy_wasm::HttpContextFor<MetricsRoot> {
 public:
  using HttpContextFor::HttpContextFor;

  proxy_wasm::Action onRequestHeaders(uint32_t, bool) override {
    if (auto s = root().requests().increment(); !s) proxy_wasm::logWarn("cannot count the request: ", s);
    if (auto s = root().active().add(1); !s) {
      proxy_wasm::logWarn("cannot count the active request: ", s);
    } else {
      counted_active_ = true;
    }

    auto headers = getRequestHeaders();
    if (!headers) {
      proxy_wasm::logWarn("cannot read request headers: ", headers.status());
      return proxy_wasm::Action::Continue;
    }
    uint64_t bytes = 0;
    for (auto [key, value] : *headers) bytes += key.size() + value.size();
    if (auto s = root().headerBytes().record(bytes); !s) proxy_wasm::logWarn("cannot record the header size: ", s);
    return proxy_wasm::Action::Continue;
  }

  // Only a stream that added itself to the gauge takes itself off.
  bool onDone() override {
    if (counted_active_) {
      counted_active_ = false;
      if (auto s = root().active().add(-1); !s) proxy_wasm::logWarn("cannot uncount the active request: ", s);
    }
    return true;
  }

 private:
  bool counted_active_ = false;
};

proxy_wasm::RegisterContextFactory<MetricsRoot, MetricsContext> registration{""};

}  // namespace
