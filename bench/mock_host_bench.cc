// The mock host's own bookkeeping at scale (not a test: it prints figures). A minimal
// in-process guest calls the model's host functions directly (host.model()), so what is
// timed is the host model:
//   - 100,000 outstanding HTTP callouts answered oldest first, newest first and shuffled;
//   - 10,000 roots with tick timers, 100,000+ ticks fired by advanceTime;
//   - 100,000 HTTP stream lifecycles (objects held at the end).
// Each figure comes with the host's work counters (Host::counters()): one token lookup per
// answer and one timer visit per tick show the costs are flat per operation.
//
//   build/native/bench/mock_host_bench [--callouts N] [--roots N] [--streams N]
#include <proxy_wasm/host/host.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

using namespace proxy_wasm;
using namespace proxy_wasm::host;

namespace {

// Runs `on_tick(root)` in ticks; every other callback is a no-op returning Continue/true.
class BenchGuest final : public Guest {
 public:
  std::function<void(uint32_t)> on_tick;
  bool has(Callback cb) const override { return cb != Callback::Initialize; }
  std::string describe() const override { return "bench guest"; }
  CallResult call(Callback cb, std::initializer_list<uint32_t> args) override {
    CallResult r;
    if (cb == Callback::Tick && on_tick) on_tick(*args.begin());
    if (cb == Callback::VmStart || cb == Callback::Configure || cb == Callback::Done) r.value = 1;
    if (cb == Callback::MemoryAllocate) r.ok = false;  // never asked: no output is copied here
    return r;
  }
};

double seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

HostOptions quiet() {
  HostOptions o;
  o.record_host_calls = false;
  o.keep_callout_records = false;
  return o;
}

void callouts(uint32_t n, const char* order) {
  auto guest = std::make_unique<BenchGuest>();
  BenchGuest* g = guest.get();
  Host host(std::move(guest), quiet());
  const uint32_t root = host.startPlugin({"bench"});
  std::vector<uint32_t> tokens;
  tokens.reserve(n);
  const std::string headers = HeaderList{{":method", "GET"}, {":path", "/"}, {":authority", "a"}}.serialize();
  g->on_tick = [&](uint32_t) {
    for (uint32_t i = 0; i < n; ++i) {
      uint32_t token = 0;
      if (host.model().hHttpCall("c", headers, "", "", 0, token) != Status::Ok) std::abort();
      tokens.push_back(token);
    }
  };
  auto start = std::chrono::steady_clock::now();
  host.tick(root);
  const double issue = seconds(start);
  g->on_tick = nullptr;
  if (std::strcmp(order, "newest first") == 0) std::reverse(tokens.begin(), tokens.end());
  if (std::strcmp(order, "shuffled") == 0) std::shuffle(tokens.begin(), tokens.end(), std::mt19937(42));
  const HeaderList response{{":status", "200"}};
  const uint64_t lookups = host.counters().token_lookups;
  start = std::chrono::steady_clock::now();
  for (uint32_t t : tokens)
    if (!host.respondHttpCall(t, response)) std::abort();
  const double answer = seconds(start);
  std::printf("  %-13s %7u callouts: issued in %7.1f ms, answered in %7.1f ms (%5.0f ns each), "
              "%.2f token lookups per answer\n",
              order, n, issue * 1e3, answer * 1e3, answer * 1e9 / n,
              double(host.counters().token_lookups - lookups) / n);
}

void ticks(uint32_t roots, uint64_t milliseconds) {
  auto guest = std::make_unique<BenchGuest>();
  BenchGuest* g = guest.get();
  Host host(std::move(guest), quiet());
  std::vector<uint32_t> ids;
  for (uint32_t i = 0; i < roots; ++i) ids.push_back(host.startPlugin({"r" + std::to_string(i)}));
  // Root i ticks every 10 + i % 1000 ms: set from its own context, as a plugin does.
  uint32_t setting = 0;
  g->on_tick = [&](uint32_t) {
    if (host.model().hSetTickPeriod(10 + setting % 1000) != Status::Ok) std::abort();
  };
  for (uint32_t id : ids) {
    host.tick(id);
    ++setting;
  }
  uint64_t fired = 0;
  g->on_tick = [&](uint32_t) { ++fired; };
  const uint64_t visits = host.counters().timer_visits;
  const auto start = std::chrono::steady_clock::now();
  for (uint64_t t = 0; t < milliseconds; t += 100) host.advanceTime(100);
  const double s = seconds(start);
  std::printf("  %u roots with timers, %llu ms of time: %llu ticks in %.1f ms (%.0f ns each), "
              "%.2f timer visits per tick\n",
              roots, (unsigned long long)milliseconds, (unsigned long long)fired, s * 1e3,
              fired ? s * 1e9 / double(fired) : 0.0, fired ? double(host.counters().timer_visits - visits) / double(fired) : 0.0);
}

void streams(uint32_t n) {
  Host host(std::make_unique<BenchGuest>(), quiet());
  host.startPlugin({"bench"});
  const HeaderList request{{":method", "GET"}, {":path", "/"}};
  const HeaderList response{{":status", "200"}};
  const auto start = std::chrono::steady_clock::now();
  for (uint32_t i = 0; i < n; ++i) {
    auto& s = host.newHttpStream();
    s.sendRequestHeaders(request, true);
    s.sendResponseHeaders(response, true);
    s.finish();
  }
  const double s = seconds(start);
  const uint64_t visits = host.counters().stream_visits;
  host.shutdown();
  std::printf("  %u HTTP lifecycles in %.1f ms (%.0f ns each); %zu stream objects held at the end; "
              "shutdown visited %llu\n",
              n, s * 1e3, s * 1e9 / n, host.streamsHeld(),
              (unsigned long long)(host.counters().stream_visits - visits));
}

}  // namespace

int main(int argc, char** argv) {
  uint32_t n_callouts = 100000, n_roots = 10000, n_streams = 100000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const uint32_t v = uint32_t(std::strtoul(argv[i + 1], nullptr, 10));
    if (std::strcmp(argv[i], "--callouts") == 0) n_callouts = v;
    if (std::strcmp(argv[i], "--roots") == 0) n_roots = v;
    if (std::strcmp(argv[i], "--streams") == 0) n_streams = v;
  }
  std::printf("mock host bookkeeping (Host::counters() per operation; flat = no scans)\n");
  for (const char* order : {"oldest first", "newest first", "shuffled"}) callouts(n_callouts, order);
  ticks(n_roots, 10000);
  streams(n_streams);
  return 0;
}
