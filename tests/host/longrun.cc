// Long runs: HTTP lifecycles through one plugin (the .wasm named by PROXY_WASM_PLUGIN_WASM,
// in the engine, through testing.h) in one host, with the plugin's linear memory (pages)
// and this process's resident memory (RSS) sampled after a warm-up. Prints the figures;
// exits non-zero when either grew past its bound, never on time.
//
//   longrun --lifecycles N [--warmup N] [--max-page-growth P] [--max-rss-growth-kib K]
//           [--config JSON] [--root-id ID]...   (several: streams go to the last root)
//
// Each lifecycle: a POST with a JSON body and its response, answering every callout the
// plugin makes (HTTP 200, gRPC replies and closes) and advancing the clock 1 s (plugins
// that resume paused streams from a timer), then finish(). The host keeps nothing a long
// run never reads: no host-call record, no callout records, no finished streams; logs
// are cleared as they come.
#include <proxy_wasm/testing.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unistd.h>
#include <vector>

using namespace proxy_wasm::testing;

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;  // ASan's quarantine makes RSS grow by design
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

uint64_t rssKiB() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long size = 0, resident = 0;
  const int n = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  return n == 2 ? uint64_t(resident) * uint64_t(sysconf(_SC_PAGESIZE)) / 1024 : 0;
}

// Answers everything the plugin is waiting for.
void answerCallouts(Host& host) {
  for (int round = 0; round < 4; ++round) {  // an answer may lead to another callout
    bool any = false;
    for (uint32_t token : host.pendingHttpCalls()) {
      host.respondHttpCall(token, {{":status", "200"}, {"content-type", "application/json"}}, "{\"allow\": true}");
      any = true;
    }
    std::vector<std::pair<uint32_t, bool>> grpc;
    for (const auto& c : host.grpcCalls())
      if (!c.remote_closed && !c.cancelled) grpc.emplace_back(c.token, c.stream);
    for (auto [token, stream] : grpc) {
      if (stream ? host.grpcClose(token, proxy_wasm::GrpcStatus::Ok) : host.respondGrpcCall(token, "reply")) any = true;
    }
    if (!any) return;
  }
}

const HeaderList kRequest{{":method", "POST"},          {":path", "/orders?id=7"},
                          {":authority", "shop.example"}, {":scheme", "https"},
                          {"content-type", "application/json"}, {"x-auth-user", "alice"},
                          {"x-request-id", "longrun"}};
const HeaderList kResponse{{":status", "200"}, {"content-type", "application/json"}};

void lifecycle(Host& host, uint32_t root) {
  auto& s = host.newHttpStream(root);
  s.sendRequestHeaders(kRequest);
  answerCallouts(host);
  s.sendRequestBody("{\"id\": 7, \"items\": [1, 2, 3]}", true);
  answerCallouts(host);
  if (s.requestPaused()) {
    host.advanceTime(1000);
    answerCallouts(host);
  }
  s.sendResponseHeaders(kResponse);
  s.sendResponseBody("{\"ok\": true}", true);
  answerCallouts(host);
  s.finish();
  answerCallouts(host);
  host.clearLogs();
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t lifecycles = 20000, warmup = 2000, max_page_growth = 0, max_rss_growth_kib = 8192;
  std::string config;
  std::vector<std::string> root_ids;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string arg = argv[i];
    const char* v = argv[i + 1];
    if (arg == "--lifecycles") lifecycles = std::strtoull(v, nullptr, 10);
    else if (arg == "--warmup") warmup = std::strtoull(v, nullptr, 10);
    else if (arg == "--max-page-growth") max_page_growth = std::strtoull(v, nullptr, 10);
    else if (arg == "--max-rss-growth-kib") max_rss_growth_kib = std::strtoull(v, nullptr, 10);
    else if (arg == "--config") config = v;
    else if (arg == "--root-id") root_ids.push_back(v);
    else {
      std::fprintf(stderr, "longrun: unknown option %s\n", arg.c_str());
      return 2;
    }
  }
  if (warmup >= lifecycles) warmup = lifecycles / 10;

  HostOptions options;
  options.record_host_calls = false;
  options.keep_callout_records = false;
  options.keep_finished_streams = false;
  auto host = makeHost(options);
  if (root_ids.empty()) root_ids.push_back("");
  uint32_t root = 0;
  for (const std::string& id : root_ids) {  // streams go to the last one
    root = host->startPlugin({id, config});
    if (root == 0) {
      std::fprintf(stderr, "longrun: %s (root id '%s') did not start: %s\n", pluginUnderTestName().c_str(), id.c_str(),
                   host->failure().c_str());
      return 1;
    }
  }
  const std::string path = pluginUnderTestName();
  const std::string name = path.substr(path.rfind('/') + 1);

  for (uint64_t i = 0; i < warmup; ++i) lifecycle(*host, root);
  const uint64_t pages0 = host->guest().memoryBytes() / 65536, rss0 = rssKiB();
  uint64_t pages_max = pages0, rss_max = rss0;
  for (uint64_t i = warmup; i < lifecycles; ++i) {
    lifecycle(*host, root);
    if (host->failed()) break;
    if ((i & 1023) == 0) {
      pages_max = std::max<uint64_t>(pages_max, host->guest().memoryBytes() / 65536);
      rss_max = std::max(rss_max, rssKiB());
    }
  }
  pages_max = std::max<uint64_t>(pages_max, host->guest().memoryBytes() / 65536);
  rss_max = std::max(rss_max, rssKiB());

  const uint64_t page_growth = pages_max - pages0, rss_growth = rss_max - rss0;
  std::printf("%-22s %8llu lifecycles (warm-up %llu): linear memory %llu pages after warm-up, max %llu "
              "(+%llu); RSS %llu KiB after warm-up, max %llu KiB (+%llu KiB); streams held %zu\n",
              name.c_str(), (unsigned long long)lifecycles, (unsigned long long)warmup, (unsigned long long)pages0,
              (unsigned long long)pages_max, (unsigned long long)page_growth, (unsigned long long)rss0,
              (unsigned long long)rss_max, (unsigned long long)rss_growth, host->streamsHeld());
  int status = 0;
  if (host->failed()) {
    std::fprintf(stderr, "longrun: the VM failed: %s\n", host->failure().c_str());
    status = 1;
  }
  if (page_growth > max_page_growth) {
    std::fprintf(stderr, "longrun: linear memory grew by %llu pages after warm-up (bound %llu)\n",
                 (unsigned long long)page_growth, (unsigned long long)max_page_growth);
    status = 1;
  }
  if (!kSanitized && rss_growth > max_rss_growth_kib) {
    std::fprintf(stderr, "longrun: RSS grew by %llu KiB after warm-up (bound %llu KiB)\n",
                 (unsigned long long)rss_growth, (unsigned long long)max_rss_growth_kib);
    status = 1;
  }
  if (host->streamsHeld() > 1) {
    std::fprintf(stderr, "longrun: %zu stream objects held after the run\n", host->streamsHeld());
    status = 1;
  }
  return status;
}
