// network: a TCP (network filter) plugin that counts the bytes flowing each way.
//
// Logs `new connection`; counts the bytes each data callback reports, per direction, and
// adds every non-empty chunk to the counter `tcp.bytes_total`; keeps the gauge
// `tcp.active_connections` (+1 on a new connection, -1 when it is done); when the
// downstream connection closes, logs `connection closed: downstream=N upstream=M` once.
#include <proxy_wasm/proxy_wasm.h>

#include <cstdint>

namespace {

class NetworkRoot : public proxy_wasm::RootContext {
 public:
  using RootContext::RootContext;

  // Defined here, never in static initializers (no host calls during module start-up).
  bool onStart(size_t) override {
    auto bytes = proxy_wasm::Counter::define("tcp.bytes_total");
    auto active = proxy_wasm::Gauge::define("tcp.active_connections");
    for (auto s : {bytes.status(), active.status()}) {
      if (!s) {
        proxy_wasm::logError("cannot define the metrics: ", s);
        return false;
      }
    }
    bytes_ = *bytes;
    active_ = *active;
    return true;
  }

  const proxy_wasm::Counter& bytes() const { return bytes_; }
  const proxy_wasm::Gauge& active() const { return active_; }

 private:
  proxy_wasm::Counter bytes_;
  proxy_wasm::Gauge active_;
};

class NetworkContext : public proxy_wasm::StreamContextFor<NetworkRoot> {
 public:
  using StreamContextFor::StreamContextFor;

  proxy_wasm::Action onNewConnection() override {
    proxy_wasm::logInfo("new connection");
    if (auto s = root().active().add(1); !s) {
      proxy_wasm::logWarn("cannot count the connection: ", s);
    } else {
      counted_active_ = true;
    }
    return proxy_wasm::Action::Continue;
  }

  // This plugin never pauses, so each callback reports exactly the bytes that just arrived.
  proxy_wasm::Action onDownstreamData(size_t size, bool) override {
    downstream_bytes_ += size;
    countBytes(size);
    return proxy_wasm::Action::Continue;
  }
  proxy_wasm::Action onUpstreamData(size_t size, bool) override {
    upstream_bytes_ += size;
    countBytes(size);
    return proxy_wasm::Action::Continue;
  }

  void onDownstreamConnectionClose(proxy_wasm::PeerType) override {
    if (close_logged_) return;
    close_logged_ = true;
    proxy_wasm::logInfo("connection closed: downstream=", downstream_bytes_, " upstream=", upstream_bytes_);
  }

  bool onDone() override {
    if (counted_active_) {
      counted_active_ = false;
      if (auto s = root().active().add(-1); !s) proxy_wasm::logWarn("cannot uncount the connection: ", s);
    }
    return true;
  }

 private:
  void countBytes(size_t size) {
    if (size == 0) return;  // a bare end of stream; hosts refuse a zero increment anyway
    if (auto s = root().bytes().increment(size); !s) proxy_wasm::logWarn("cannot count ", size, " bytes: ", s);
  }

  uint64_t downstream_bytes_ = 0;
  uint64_t upstream_bytes_ = 0;
  bool counted_active_ = false;
  bool close_logged_ = false;
};

proxy_wasm::RegisterContextFactory<NetworkRoot, NetworkContext> registration{""};

}  // namespace
