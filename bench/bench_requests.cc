// Per-request cost of sdk_plugin vs raw_plugin, both translated ahead of time by wasm2c
// and driven by the same minimal host (host/). One request is what Envoy does for an HTTP
// stream through a plugin, minus the access log: context create -> request headers ->
// response headers -> done -> delete.
//
//   bench_requests [--requests N] [--runs R] [--warmup N] [--only sdk|raw] [--mode real|minimal|both]
//   bench_requests --smoke [N]    correctness only: both plugins leave the same headers
//
// Prints ns/request (median of R runs; min) for each plugin and host mode, and SDK/raw.
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "bench_host.h"
#include "modules.h"
#include "wasm-rt-impl.h"

namespace {

using bench::HostMode;

constexpr u32 kRootId = 1;

void setUpHeaders(Z_env_instance_t& env) {
  env.request_headers.assign({{":authority", "bench.example.com"},
                              {":path", "/api/v1/items?id=42"},
                              {":method", "GET"},
                              {":scheme", "https"},
                              {"user-agent", "proxy-wasm-bench/1.0"},
                              {"accept", "*/*"},
                              {"x-request-id", "2f1c6e0a-5b7d-4c1e-9f3a-7d2b8e4c6a10"},
                              {"x-forwarded-proto", "https"}});
  env.response_headers.assign({{":status", "200"},
                               {"content-type", "application/json"},
                               {"content-length", "128"},
                               {"date", "Tue, 24 Nov 2026 03:00:00 GMT"},
                               {"server", "envoy"},
                               {"x-envoy-upstream-service-time", "3"}});
}

// One module instance, started as a host starts a plugin, then driven request by request.
template <class M>
class Runner {
 public:
  explicit Runner(Z_env_instance_t* env) : env_(env), instance_(new typename M::Instance{}) {}
  ~Runner() { M::free(instance_.get()); }
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // Makes this module the one the host serves.
  void bind() { env_->guest = {M::memory(instance_.get()), instance_.get(), &M::malloc}; }

  bool start() {
    M::instantiate(instance_.get(), env_);
    bind();
    M::initialize(instance_.get());
    M::onContextCreate(instance_.get(), kRootId, 0);
    return M::onVmStart(instance_.get(), kRootId, 0) == 1 && M::onConfigure(instance_.get(), kRootId, 0) == 1;
  }

  // One request; returns the callbacks' actions OR-ed (0: every callback continued).
  u32 request() {
    const u32 id = next_id_++;
    env_->request_headers.reset();
    env_->response_headers.reset();
    M::onContextCreate(instance_.get(), id, kRootId);
    u32 actions = M::onRequestHeaders(instance_.get(), id, env_->request_headers.size(), 1);
    actions |= M::onResponseHeaders(instance_.get(), id, env_->response_headers.size(), 0);
    M::onDone(instance_.get(), id);  // result ignored for streams, as Envoy does
    M::onDelete(instance_.get(), id);
    return actions;
  }

  u32 memoryPages() const { return M::memory(instance_.get())->pages; }

 private:
  Z_env_instance_t* env_;
  std::unique_ptr<typename M::Instance> instance_;
  u32 next_id_ = kRootId + 1;
};

// The timed loops: not inlined, with C names, so that callgrind can count exactly these
// (bench/instructions.sh: --toggle-collect=bench_loop_*). The warm-up loop below has the
// same body: keep GCC from folding them into one function (noipa implies no_icf).
#if defined(__clang__)
#define BENCH_DISTINCT __attribute__((noinline))
#else
#define BENCH_DISTINCT __attribute__((noipa))
#endif
extern "C" BENCH_DISTINCT u32 bench_loop_sdk(Runner<SdkPlugin>* r, u32 n) {
  u32 actions = 0;
  for (u32 i = 0; i < n; ++i) actions |= r->request();
  return actions;
}
extern "C" BENCH_DISTINCT u32 bench_loop_raw(Runner<RawPlugin>* r, u32 n) {
  u32 actions = 0;
  for (u32 i = 0; i < n; ++i) actions |= r->request();
  return actions;
}
u32 loop(Runner<SdkPlugin>* r, u32 n) { return bench_loop_sdk(r, n); }
u32 loop(Runner<RawPlugin>* r, u32 n) { return bench_loop_raw(r, n); }
// Warm-up runs through a loop callgrind does not collect.
template <class R>
BENCH_DISTINCT u32 warmUpLoop(R* r, u32 n) {
  u32 actions = 0;
  for (u32 i = 0; i < n; ++i) actions |= r->request();
  return actions;
}

struct Options {
  u32 requests = 100000;
  u32 runs = 7;
  u32 warmup = 20000;
  bool sdk = true;
  bool raw = true;
  bool real = true;
  bool minimal = true;
  bool smoke = false;
  u32 smoke_requests = 300;
};

[[noreturn]] void usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s [--requests N] [--runs R] [--warmup N] [--only sdk|raw] [--mode real|minimal|both]\n"
               "       %s --smoke [N]\n",
               argv0, argv0);
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto number = [&]() -> u32 {
      if (i + 1 >= argc) usage(argv[0]);
      return u32(std::strtoul(argv[++i], nullptr, 10));
    };
    if (a == "--requests") {
      o.requests = std::max<u32>(1, number());
    } else if (a == "--runs") {
      o.runs = std::max<u32>(1, number());
    } else if (a == "--warmup") {
      o.warmup = number();
    } else if (a == "--only" && i + 1 < argc) {
      const std::string p = argv[++i];
      if (p != "sdk" && p != "raw") usage(argv[0]);
      o.sdk = p == "sdk";
      o.raw = p == "raw";
    } else if (a == "--mode" && i + 1 < argc) {
      const std::string m = argv[++i];
      if (m != "real" && m != "minimal" && m != "both") usage(argv[0]);
      o.real = m != "minimal";
      o.minimal = m != "real";
    } else if (a == "--smoke") {
      o.smoke = true;
      if (i + 1 < argc && argv[i + 1][0] != '-') o.smoke_requests = std::max<u32>(1, u32(std::strtoul(argv[++i], nullptr, 10)));
    } else {
      usage(argv[0]);
    }
  }
  return o;
}

struct Timing {
  double median_ns = 0;
  double min_ns = 0;
  double imports_per_request = 0;
};

// CPU time of this thread: time the thread spends descheduled (other processes on a
// shared machine) does not count, unlike wall-clock time.
uint64_t threadCpuNs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

// Times `runs` batches of `requests` for each selected plugin, alternating the plugins
// batch by batch so that both see the same machine conditions.
void measure(const Options& o, HostMode mode, Timing& sdk_t, Timing& raw_t) {
  auto env_owner = std::make_unique<Z_env_instance_t>();  // page-aligned (see bench_host.h)
  Z_env_instance_t& env = *env_owner;
  env.mode = mode;
  setUpHeaders(env);
  Runner<SdkPlugin> sdk(&env);
  Runner<RawPlugin> raw(&env);
  if ((o.sdk && !sdk.start()) || (o.raw && !raw.start())) {
    std::fprintf(stderr, "bench: a plugin failed to start (%s)\n", env.last_warning.c_str());
    std::exit(1);
  }
  std::vector<double> sdk_ns, raw_ns;
  u32 actions = 0;
  auto batch = [&](auto& runner, u32 n, std::vector<double>* out, Timing& t) {
    runner.bind();
    const u32 imports_before = env.imports;
    const uint64_t t0 = threadCpuNs();
    actions |= loop(&runner, n);
    const uint64_t t1 = threadCpuNs();
    t.imports_per_request = double(env.imports - imports_before) / n;
    if (out) out->push_back(double(t1 - t0) / n);
  };
  if (o.warmup) {
    if (o.sdk) sdk.bind(), actions |= warmUpLoop(&sdk, o.warmup);
    if (o.raw) raw.bind(), actions |= warmUpLoop(&raw, o.warmup);
  }
  for (u32 run = 0; run < o.runs; ++run) {
    // Alternate which plugin goes first.
    if (run % 2 == 0) {
      if (o.sdk) batch(sdk, o.requests, &sdk_ns, sdk_t);
      if (o.raw) batch(raw, o.requests, &raw_ns, raw_t);
    } else {
      if (o.raw) batch(raw, o.requests, &raw_ns, raw_t);
      if (o.sdk) batch(sdk, o.requests, &sdk_ns, sdk_t);
    }
  }
  if (actions != 0 || env.warnings != 0) {
    std::fprintf(stderr, "bench: unexpected plugin behaviour (actions %u, warnings %u: %s)\n", actions, env.warnings,
                 env.last_warning.c_str());
    std::exit(1);
  }
  auto summarize = [](std::vector<double>& v, Timing& t) {
    if (v.empty()) return;
    std::sort(v.begin(), v.end());
    t.median_ns = v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
    t.min_ns = v.front();
  };
  summarize(sdk_ns, sdk_t);
  summarize(raw_ns, raw_t);
}

// Correctness: after every request both plugins must leave the same request and response
// headers (the expected ones), make the same host calls, continue every callback, log
// nothing, and not leak (module memory stays the same size).
int smoke(u32 requests) {
  auto env_owner = std::make_unique<Z_env_instance_t>();
  Z_env_instance_t& env = *env_owner;
  setUpHeaders(env);
  Runner<SdkPlugin> sdk(&env);
  Runner<RawPlugin> raw(&env);
  if (!sdk.start() || !raw.start()) {
    std::fprintf(stderr, "bench_smoke: a plugin failed to start (%s)\n", env.last_warning.c_str());
    return 1;
  }
  std::string expected_request, expected_response;
  {
    auto expected_owner = std::make_unique<Z_env_instance_t>();
    Z_env_instance_t& expected = *expected_owner;
    setUpHeaders(expected);
    const char* key = "x-bench";
    expected.request_headers.add(key, 7, "1", 1);
    expected.response_headers.replace("server", 6, "proxy-wasm-bench", 16);
    expected_request = expected.request_headers.dump();
    expected_response = expected.response_headers.dump();
  }
  int failures = 0;
  auto check = [&](const char* plugin, u32 i, u32 actions, u32 imports) {
    const std::string req = env.request_headers.dump(), resp = env.response_headers.dump();
    if (actions != 0 || req != expected_request || resp != expected_response || imports != 3) {
      if (++failures <= 3)
        std::fprintf(stderr,
                     "bench_smoke: %s, request %u: actions %u, host calls %u (expected 3)\n"
                     "-- request headers:\n%s-- expected:\n%s-- response headers:\n%s-- expected:\n%s",
                     plugin, i, actions, imports, req.c_str(), expected_request.c_str(), resp.c_str(),
                     expected_response.c_str());
    }
  };
  u32 sdk_pages = 0, raw_pages = 0;
  for (u32 i = 0; i < requests; ++i) {
    sdk.bind();
    u32 before = env.imports;
    u32 actions = sdk.request();
    check("sdk", i, actions, env.imports - before);
    raw.bind();
    before = env.imports;
    actions = raw.request();
    check("raw", i, actions, env.imports - before);
    if (i == 0) {
      sdk_pages = sdk.memoryPages();
      raw_pages = raw.memoryPages();
    }
  }
  // A leak of even a few bytes per request shows as growth over many more requests.
  sdk.bind();
  bench_loop_sdk(&sdk, 50000);
  raw.bind();
  bench_loop_raw(&raw, 50000);
  if (sdk.memoryPages() != sdk_pages || raw.memoryPages() != raw_pages) {
    std::fprintf(stderr, "bench_smoke: module memory grew over 50000 requests: sdk %u -> %u pages, raw %u -> %u\n",
                 sdk_pages, sdk.memoryPages(), raw_pages, raw.memoryPages());
    ++failures;
  }
  if (env.warnings != 0) {
    std::fprintf(stderr, "bench_smoke: %u warnings logged, last: %s\n", env.warnings, env.last_warning.c_str());
    ++failures;
  }
  if (failures) return 1;
  std::printf("bench_smoke: %u requests, sdk_plugin and raw_plugin leave identical headers (3 host calls each)\n",
              requests);
  return 0;
}

void printRow(const char* host, const char* plugin, const Timing& t) {
  std::printf("| %-7s | %-7s | %13.1f | %10.1f | %14.1f |\n", host, plugin, t.median_ns, t.min_ns,
              t.imports_per_request);
}

void printComparison(const char* host, const Timing& sdk, const Timing& raw) {
  char median[32], min[32];
  std::snprintf(median, sizeof median, "%.2fx", sdk.median_ns / raw.median_ns);
  std::snprintf(min, sizeof min, "%.2fx", sdk.min_ns / raw.min_ns);
  std::printf("| %-7s | %-7s | %13s | %10s | %14s |\n", host, "sdk/raw", median, min, "");
  std::snprintf(median, sizeof median, "%+.1f", sdk.median_ns - raw.median_ns);
  std::snprintf(min, sizeof min, "%+.1f", sdk.min_ns - raw.min_ns);
  std::printf("| %-7s | %-7s | %13s | %10s | %14s |\n", host, "sdk-raw", median, min, "");
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  wasm_rt_init();
  SdkPlugin::initModule();
  RawPlugin::initModule();
  if (wasm_rt_impl_try() != 0) {
    std::fprintf(stderr, "bench: the module trapped\n");
    return 1;
  }
  if (o.smoke) return smoke(o.smoke_requests);

  std::printf("Per request: context create -> request headers (get :path, add x-bench) -> response headers "
              "(replace server) -> done -> delete\n");
  std::printf("%u requests per run, %u runs per plugin, alternating; ns = thread CPU time per request, median and\n"
              "min of the runs (after %u warm-up requests). host: real = imports do their work; minimal = imports\n"
              "only hand back the :path value (the plugin's own cost remains)\n\n",
              o.requests, o.runs, o.warmup);
  std::printf("| host    | plugin  | median ns/req | min ns/req | host calls/req |\n");
  std::printf("|---------|---------|--------------:|-----------:|---------------:|\n");
  for (HostMode mode : {HostMode::Real, HostMode::Minimal}) {
    if ((mode == HostMode::Real && !o.real) || (mode == HostMode::Minimal && !o.minimal)) continue;
    const char* name = mode == HostMode::Real ? "real" : "minimal";
    Timing sdk_t, raw_t;
    measure(o, mode, sdk_t, raw_t);
    if (o.raw) printRow(name, "raw", raw_t);
    if (o.sdk) printRow(name, "sdk", sdk_t);
    if (o.sdk && o.raw) printComparison(name, sdk_t, raw_t);
  }
  return 0;
}
