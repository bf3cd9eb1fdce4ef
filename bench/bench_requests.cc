// Per-request cost of the benchmark plugins (bench/plugins), translated ahead of time by
// wasm2c and driven by the same minimal host (host/), pair by pair. Each pair is two
// modules doing the same work: raw ABI by hand (a) against the SDK (b), or, for logdebug,
// the SDK plugin without (a) and with (b) a filtered logDebug line. Request shapes (what
// Envoy does for an HTTP stream through a plugin):
//
//   headers, logdebug  create -> request headers -> response headers -> done -> delete
//   body               create -> request headers -> 3 request body chunks (the last with
//                      end of stream) -> response headers -> done -> delete
//   log                create -> request headers -> response headers -> log -> done -> delete
//
//   bench_requests [--requests N] [--runs R] [--warmup N] [--pairs p,q] [--only MODULE]
//                  [--mode real|minimal|both] [--json FILE]
//   bench_requests --startup MODULE      start one example (instructions.sh counts it)
//   bench_requests --smoke [N]           correctness only: each pair's modules agree
//
// Prints ns/request (median of R runs; min) for each module and host mode, and b/a.
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

enum class Shape { Headers, Body, Log };

// The body pair's request body, in three chunks, and what the plugins make of it.
constexpr const char* kBodyChunks[3] = {"{\"name\": \"widget\", \"colour\": \"blue\", ",
                                        "\"tags\": [\"small\", \"round\"], \"note\": \"handle with care\", ",
                                        "\"count\": 3}"};
std::string expectedBody() {
  std::string s;
  for (const char* c : kBodyChunks) s += c;
  for (char& c : s)
    if (c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
  return s;
}
constexpr const char* kMetric = "bench_logged_requests";

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
  ~Runner() {
    if (instantiated_) M::free(instance_.get());
  }
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // Makes this module the one the host serves.
  void bind() { env_->guest = {M::memory(instance_.get()), instance_.get(), &M::malloc}; }

  void instantiate() {
    M::instantiate(instance_.get(), env_);
    instantiated_ = true;
    bind();
  }

  // _initialize, the root context, proxy_on_vm_start, proxy_on_configure (sizes of the VM
  // and plugin configurations: none, and the host's plugin_configuration).
  bool startCallbacks() {
    M::initialize(instance_.get());
    M::onContextCreate(instance_.get(), kRootId, 0);
    return M::onVmStart(instance_.get(), kRootId, 0) == 1 &&
           M::onConfigure(instance_.get(), kRootId, u32(env_->plugin_configuration.size())) == 1;
  }

  bool start() {
    instantiate();
    return startCallbacks();
  }

  // One request of shape S; returns 0 when every callback answered as the shape expects
  // (Continue everywhere; for the body, Pause for the first two chunks).
  template <Shape S>
  u32 request() {
    const u32 id = next_id_++;
    env_->request_headers.reset();
    env_->response_headers.reset();
    M::onContextCreate(instance_.get(), id, kRootId);
    u32 bad = M::onRequestHeaders(instance_.get(), id, env_->request_headers.size(), S == Shape::Body ? 0 : 1);
    if constexpr (S == Shape::Body) {
      env_->request_body.clear();
      for (u32 k = 0; k < 3; ++k) {
        env_->request_body.append(kBodyChunks[k]);
        const u32 action = M::onRequestBody(instance_.get(), id, env_->request_body.size(), k == 2);
        bad |= k < 2 ? (action != 1) : action;
        // Continue: the host forwards what it buffered (left in request_body for the
        // smoke check; cleared by the next request).
      }
    }
    bad |= M::onResponseHeaders(instance_.get(), id, env_->response_headers.size(), 0);
    if constexpr (S == Shape::Log) M::onLog(instance_.get(), id);
    M::onDone(instance_.get(), id);  // result ignored for streams, as Envoy does
    M::onDelete(instance_.get(), id);
    return bad;
  }

  u32 memoryPages() const { return M::memory(instance_.get())->pages; }
  typename M::Instance* instance() { return instance_.get(); }

 private:
  Z_env_instance_t* env_;
  std::unique_ptr<typename M::Instance> instance_;
  bool instantiated_ = false;
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
#define BENCH_LOOP(Traits, mod, shape)                                                      \
  extern "C" BENCH_DISTINCT u32 bench_loop_##mod(Runner<Traits>* r, u32 n) {                \
    u32 bad = 0;                                                                            \
    for (u32 i = 0; i < n; ++i) bad |= r->template request<shape>();                        \
    return bad;                                                                             \
  }                                                                                         \
  u32 loop(Runner<Traits>* r, u32 n) { return bench_loop_##mod(r, n); }                     \
  BENCH_DISTINCT u32 warmUpLoop(Runner<Traits>* r, u32 n) {                                 \
    u32 bad = 0;                                                                            \
    for (u32 i = 0; i < n; ++i) bad |= r->template request<shape>();                        \
    return bad;                                                                             \
  }
BENCH_LOOP(SdkPlugin, sdk_plugin, Shape::Headers)
BENCH_LOOP(RawPlugin, raw_plugin, Shape::Headers)
BENCH_LOOP(SdkBody, sdk_body, Shape::Body)
BENCH_LOOP(RawBody, raw_body, Shape::Body)
BENCH_LOOP(SdkLog, sdk_log, Shape::Log)
BENCH_LOOP(RawLog, raw_log, Shape::Log)
BENCH_LOOP(SdkLogDebug, sdk_logdebug, Shape::Headers)
#undef BENCH_LOOP

// Start-up of an example, with a C name for callgrind (instructions.sh --startup:
// --toggle-collect=bench_start_*): _initialize, the root context, proxy_on_vm_start,
// proxy_on_configure.
#define BENCH_START(Traits, mod) \
  extern "C" BENCH_DISTINCT bool bench_start_##mod(Runner<Traits>* r) { return r->startCallbacks(); }
BENCH_START(HelloWorld, hello_world)
BENCH_START(HttpHeaders, http_headers)
#undef BENCH_START

struct PairInfo {
  const char* name;
  const char* a;  // module names
  const char* b;
  const char* what;
};
constexpr PairInfo kPairs[] = {
    {"headers", "raw_plugin", "sdk_plugin", "get :path, add x-bench; replace server"},
    {"body", "raw_body", "sdk_body", "3 body chunks buffered (Pause), the whole body upper-cased"},
    {"log", "raw_log", "sdk_log", "onLog: 3 properties read, a counter incremented"},
    {"logdebug", "sdk_plugin", "sdk_logdebug", "headers work; b adds a logDebug line per callback (filtered: level info)"},
};

struct Options {
  u32 requests = 100000;
  u32 runs = 7;
  u32 warmup = 20000;
  std::vector<std::string> pairs = {"headers", "body", "log", "logdebug"};
  std::string only;  // one module
  bool real = true;
  bool minimal = true;
  bool smoke = false;
  u32 smoke_requests = 300;
  std::string startup;
  std::string json;
};

[[noreturn]] void usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s [--requests N] [--runs R] [--warmup N] [--pairs headers,body,log,logdebug]\n"
               "          [--only MODULE] [--mode real|minimal|both] [--json FILE]\n"
               "       %s --startup hello_world|http_headers\n"
               "       %s --smoke [N]\n",
               argv0, argv0, argv0);
  std::exit(2);
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= s.size()) {
    const size_t comma = s.find(',', pos);
    const size_t end = comma == std::string::npos ? s.size() : comma;
    if (end > pos) out.push_back(s.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto number = [&]() -> u32 {
      if (i + 1 >= argc) usage(argv[0]);
      return u32(std::strtoul(argv[++i], nullptr, 10));
    };
    auto text = [&]() -> std::string {
      if (i + 1 >= argc) usage(argv[0]);
      return argv[++i];
    };
    if (a == "--requests") {
      o.requests = std::max<u32>(1, number());
    } else if (a == "--runs") {
      o.runs = std::max<u32>(1, number());
    } else if (a == "--warmup") {
      o.warmup = number();
    } else if (a == "--pairs") {
      o.pairs = split(text());
    } else if (a == "--only") {
      o.only = text();
    } else if (a == "--mode") {
      const std::string m = text();
      if (m != "real" && m != "minimal" && m != "both") usage(argv[0]);
      o.real = m != "minimal";
      o.minimal = m != "real";
    } else if (a == "--json") {
      o.json = text();
    } else if (a == "--startup") {
      o.startup = text();
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

void setUpHost(Z_env_instance_t& env, HostMode mode) {
  env.mode = mode;
  setUpHeaders(env);
}

// Times `runs` batches of `requests` for each selected module of a pair, alternating the
// two batch by batch so that both see the same machine conditions.
template <class A, class B>
void measure(const Options& o, HostMode mode, bool run_a, bool run_b, Timing& a_t, Timing& b_t) {
  auto env_owner = std::make_unique<Z_env_instance_t>();  // page-aligned (see bench_host.h)
  Z_env_instance_t& env = *env_owner;
  setUpHost(env, mode);
  Runner<A> a(&env);
  Runner<B> b(&env);
  if ((run_a && !a.start()) || (run_b && !b.start())) {
    std::fprintf(stderr, "bench: a plugin failed to start (%s)\n", env.last_warning.c_str());
    std::exit(1);
  }
  std::vector<double> a_ns, b_ns;
  u32 bad = 0;
  auto batch = [&](auto& runner, u32 n, std::vector<double>* out, Timing& t) {
    runner.bind();
    const u32 imports_before = env.imports;
    const uint64_t t0 = threadCpuNs();
    bad |= loop(&runner, n);
    const uint64_t t1 = threadCpuNs();
    t.imports_per_request = double(env.imports - imports_before) / n;
    if (out) out->push_back(double(t1 - t0) / n);
  };
  if (o.warmup) {
    if (run_a) a.bind(), bad |= warmUpLoop(&a, o.warmup);
    if (run_b) b.bind(), bad |= warmUpLoop(&b, o.warmup);
  }
  for (u32 run = 0; run < o.runs; ++run) {
    // Alternate which module goes first.
    if (run % 2 == 0) {
      if (run_b) batch(b, o.requests, &b_ns, b_t);
      if (run_a) batch(a, o.requests, &a_ns, a_t);
    } else {
      if (run_a) batch(a, o.requests, &a_ns, a_t);
      if (run_b) batch(b, o.requests, &b_ns, b_t);
    }
  }
  if (bad != 0 || env.warnings != 0) {
    std::fprintf(stderr, "bench: unexpected plugin behaviour (callback answers %u, warnings %u: %s)\n", bad,
                 env.warnings, env.last_warning.c_str());
    std::exit(1);
  }
  auto summarize = [](std::vector<double>& v, Timing& t) {
    if (v.empty()) return;
    std::sort(v.begin(), v.end());
    t.median_ns = v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
    t.min_ns = v.front();
  };
  summarize(a_ns, a_t);
  summarize(b_ns, b_t);
}

// Calls f.template operator()<A, B>() with the module types of pair `name`.
template <class F>
bool withPair(const std::string& name, F&& f) {
  if (name == "headers") return f.template operator()<RawPlugin, SdkPlugin>(), true;
  if (name == "body") return f.template operator()<RawBody, SdkBody>(), true;
  if (name == "log") return f.template operator()<RawLog, SdkLog>(), true;
  if (name == "logdebug") return f.template operator()<SdkPlugin, SdkLogDebug>(), true;
  return false;
}

const PairInfo* pairInfo(const std::string& name) {
  for (const PairInfo& p : kPairs)
    if (name == p.name) return &p;
  return nullptr;
}

// ---- Correctness ----------------------------------------------------------------------------

struct SmokeExpect {
  std::string request_headers, response_headers;
  std::string body = expectedBody();
};

// After every request: the callbacks answered as the shape expects, the host saw the
// expected end state (headers, body or counter), and the module made `calls` host calls
// and logged nothing. Then 50000 more requests: module memory must not grow.
template <class M, Shape S>
int smokeModule(Z_env_instance_t& env, const SmokeExpect& expect, u32 requests, u32 calls) {
  Runner<M> r(&env);
  if (!r.start()) {
    std::fprintf(stderr, "bench_smoke: %s failed to start (%s)\n", M::kName, env.last_warning.c_str());
    return 1;
  }
  int failures = 0;
  u32 pages = 0;
  for (u32 i = 0; i < requests; ++i) {
    r.bind();
    const u32 imports = env.imports, logs = env.logs;
    const uint64_t counted = env.metrics.value(kMetric);
    const u32 bad = r.template request<S>();
    const u32 made = env.imports - imports;
    std::string what;
    if (bad) what += "a callback answered otherwise than expected; ";
    if (made != calls) what += "host calls " + std::to_string(made) + ", expected " + std::to_string(calls) + "; ";
    if (env.logs != logs) what += "it logged; ";
    if (S == Shape::Headers && (env.request_headers.dump() != expect.request_headers ||
                                env.response_headers.dump() != expect.response_headers))
      what += "headers:\n" + env.request_headers.dump() + "--\n" + env.response_headers.dump() + "; ";
    if (S == Shape::Body && env.request_body.view() != expect.body)
      what += "forwarded body '" + std::string(env.request_body.view()) + "'; ";
    if (S == Shape::Log && env.metrics.value(kMetric) != counted + 1) what += "the counter did not go up by 1; ";
    if (!what.empty() && ++failures <= 3)
      std::fprintf(stderr, "bench_smoke: %s, request %u: %s\n", M::kName, i, what.c_str());
    if (i == 0) pages = r.memoryPages();
  }
  // A leak of even a few bytes per request shows as growth over many more requests.
  r.bind();
  (void)loop(&r, 50000);
  if (r.memoryPages() != pages) {
    std::fprintf(stderr, "bench_smoke: %s: module memory grew over 50000 requests: %u -> %u pages\n", M::kName, pages,
                 r.memoryPages());
    ++failures;
  }
  if (!failures)
    std::printf("bench_smoke: %-12s %u requests as expected, %u host calls each, memory flat (%u pages)\n", M::kName,
                requests, calls, pages);
  return failures;
}

template <class M>
int smokeStartup(Z_env_instance_t& env, const char* root_id, const char* configuration) {
  env.plugin_root_id = root_id;
  env.plugin_configuration = configuration;
  Runner<M> r(&env);
  const bool ok = r.start();
  env.plugin_root_id = "bench";
  env.plugin_configuration.clear();
  if (!ok) {
    std::fprintf(stderr, "bench_smoke: %s did not start (%s)\n", M::kName, env.last_warning.c_str());
    return 1;
  }
  std::printf("bench_smoke: %-12s started (%u pages)\n", M::kName, r.memoryPages());
  return 0;
}

constexpr const char* kHttpHeadersConfig = "{\"header\": \"x-wasm-header\", \"value\": \"demo-wasm\"}";

int smoke(u32 requests) {
  auto env_owner = std::make_unique<Z_env_instance_t>();
  Z_env_instance_t& env = *env_owner;
  setUpHeaders(env);
  SmokeExpect expect;
  {
    auto expected_owner = std::make_unique<Z_env_instance_t>();
    Z_env_instance_t& expected = *expected_owner;
    setUpHeaders(expected);
    expected.request_headers.add("x-bench", 7, "1", 1);
    expected.response_headers.replace("server", 6, "proxy-wasm-bench", 16);
    expect.request_headers = expected.request_headers.dump();
    expect.response_headers = expected.response_headers.dump();
  }
  int failures = 0;
  // Host calls per request: headers 3 (get :path, add, replace); body 2 (get and set the
  // buffered body); log 4 (3 properties, 1 increment); logdebug 3 + 2 proxy_get_log_level
  // (the level read once in each callback that logs; nothing is logged at info).
  failures += smokeModule<RawPlugin, Shape::Headers>(env, expect, requests, 3);
  failures += smokeModule<SdkPlugin, Shape::Headers>(env, expect, requests, 3);
  failures += smokeModule<RawBody, Shape::Body>(env, expect, requests, 2);
  failures += smokeModule<SdkBody, Shape::Body>(env, expect, requests, 2);
  failures += smokeModule<RawLog, Shape::Log>(env, expect, requests, 4);
  failures += smokeModule<SdkLog, Shape::Log>(env, expect, requests, 4);
  failures += smokeModule<SdkLogDebug, Shape::Headers>(env, expect, requests, 5);
  failures += smokeStartup<HelloWorld>(env, "", "");
  failures += smokeStartup<HttpHeaders>(env, "", kHttpHeadersConfig);
  if (env.warnings != 0) {
    std::fprintf(stderr, "bench_smoke: %u warnings logged, last: %s\n", env.warnings, env.last_warning.c_str());
    ++failures;
  }
  if (failures) return 1;
  std::printf("bench_smoke: every pair's modules did the same work\n");
  return 0;
}

// ---- Start-up (instructions.sh --startup) ---------------------------------------------------

template <class M>
int startup(bool (*start)(Runner<M>*), const char* root_id, const char* configuration) {
  auto env_owner = std::make_unique<Z_env_instance_t>();
  Z_env_instance_t& env = *env_owner;
  setUpHeaders(env);
  env.plugin_root_id = root_id;
  env.plugin_configuration = configuration;
  Runner<M> r(&env);
  r.instantiate();
  if (!start(&r)) {
    std::fprintf(stderr, "bench: %s did not start (%s)\n", M::kName, env.last_warning.c_str());
    return 1;
  }
  std::printf("%s started: %u pages of linear memory (wasm2c)\n", M::kName, r.memoryPages());
  return 0;
}

// ---- Output ---------------------------------------------------------------------------------

void printRow(const char* pair, const char* host, const char* plugin, const Timing& t) {
  std::printf("| %-8s | %-7s | %-14s | %13.1f | %10.1f | %14.1f |\n", pair, host, plugin, t.median_ns, t.min_ns,
              t.imports_per_request);
}

void printComparison(const char* pair, const char* host, const Timing& b, const Timing& a) {
  char median[32], min[32];
  std::snprintf(median, sizeof median, "%.2fx", b.median_ns / a.median_ns);
  std::snprintf(min, sizeof min, "%.2fx", b.min_ns / a.min_ns);
  std::printf("| %-8s | %-7s | %-14s | %13s | %10s | %14s |\n", pair, host, "b/a", median, min, "");
  std::snprintf(median, sizeof median, "%+.1f", b.median_ns - a.median_ns);
  std::snprintf(min, sizeof min, "%+.1f", b.min_ns - a.min_ns);
  std::printf("| %-8s | %-7s | %-14s | %13s | %10s | %14s |\n", pair, host, "b-a", median, min, "");
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  wasm_rt_init();
  SdkPlugin::initModule();
  RawPlugin::initModule();
  SdkBody::initModule();
  RawBody::initModule();
  SdkLog::initModule();
  RawLog::initModule();
  SdkLogDebug::initModule();
  HelloWorld::initModule();
  HttpHeaders::initModule();
  if (wasm_rt_impl_try() != 0) {
    std::fprintf(stderr, "bench: the module trapped\n");
    return 1;
  }
  if (o.smoke) return smoke(o.smoke_requests);
  if (o.startup == "hello_world") return startup<HelloWorld>(&bench_start_hello_world, "", "");
  if (o.startup == "http_headers") return startup<HttpHeaders>(&bench_start_http_headers, "", kHttpHeadersConfig);
  if (!o.startup.empty()) usage(argv[0]);

  FILE* json = nullptr;
  if (!o.json.empty()) {
    json = std::fopen(o.json.c_str(), "w");
    if (!json) {
      std::fprintf(stderr, "bench: cannot write %s\n", o.json.c_str());
      return 1;
    }
    std::fprintf(json, "{\"requests\": %u, \"runs\": %u, \"warmup\": %u, \"rows\": [", o.requests, o.runs, o.warmup);
  }
  bool first_row = true;

  std::printf("Speed: %u requests per run, %u runs per module, the pair's two alternating; ns = thread CPU\n"
              "time per request, median and min of the runs (after %u warm-up requests). host: real = imports\n"
              "do their work; minimal = imports only hand back the data the plugin reads (its own cost remains).\n"
              "a/b per pair:\n",
              o.requests, o.runs, o.warmup);
  for (const std::string& name : o.pairs) {
    const PairInfo* p = pairInfo(name);
    if (!p) usage(argv[0]);
    std::printf("  %-8s a = %-10s b = %-12s %s\n", p->name, p->a, p->b, p->what);
  }
  std::printf("\n| pair     | host    | module         | median ns/req | min ns/req | host calls/req |\n");
  std::printf("|----------|---------|----------------|--------------:|-----------:|---------------:|\n");
  for (const std::string& name : o.pairs) {
    const PairInfo* p = pairInfo(name);
    const bool run_a = o.only.empty() || o.only == p->a;
    const bool run_b = o.only.empty() || o.only == p->b;
    if (!run_a && !run_b) continue;
    for (HostMode mode : {HostMode::Real, HostMode::Minimal}) {
      if ((mode == HostMode::Real && !o.real) || (mode == HostMode::Minimal && !o.minimal)) continue;
      const char* host = mode == HostMode::Real ? "real" : "minimal";
      Timing a_t, b_t;
      withPair(name, [&]<class A, class B>() { measure<A, B>(o, mode, run_a, run_b, a_t, b_t); });
      if (run_a) printRow(p->name, host, p->a, a_t);
      if (run_b) printRow(p->name, host, p->b, b_t);
      if (run_a && run_b) printComparison(p->name, host, b_t, a_t);
      if (json && run_a && run_b) {
        std::fprintf(json,
                     "%s\n  {\"pair\": \"%s\", \"host\": \"%s\", \"a\": \"%s\", \"b\": \"%s\", "
                     "\"a_median_ns\": %.1f, \"a_min_ns\": %.1f, \"b_median_ns\": %.1f, \"b_min_ns\": %.1f, "
                     "\"a_host_calls\": %.1f, \"b_host_calls\": %.1f, \"b_over_a_median\": %.3f}",
                     first_row ? "" : ",", p->name, host, p->a, p->b, a_t.median_ns, a_t.min_ns, b_t.median_ns,
                     b_t.min_ns, a_t.imports_per_request, b_t.imports_per_request, b_t.median_ns / a_t.median_ns);
        first_row = false;
      }
    }
  }
  if (json) {
    std::fprintf(json, "\n]}\n");
    std::fclose(json);
  }
  return 0;
}
