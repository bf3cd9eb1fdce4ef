// Linear memory of a plugin in the project's engine (the runner the tests use), after
// start and after N HTTP requests: what a host would see a plugin hold. Prints one line and,
// with --json, writes
// the same figures as one JSON object (bench/report.cmake merges them).
//
//   memory_pages --wasm FILE [--config JSON] [--root-id ID] [--requests N] [--json FILE]
//
// Each request: request headers (end of stream), response headers (end of stream), then
// finish() (done, log, delete, as Envoy does); the host keeps no records (as
// tests/host/longrun.cc configures it) and its log is cleared after every request.
#include <proxy_wasm/engine/testing.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace proxy_wasm::testing;

int main(int argc, char** argv) {
  std::string wasm, config, root_id, json;
  uint64_t requests = 100000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string arg = argv[i];
    const char* v = argv[i + 1];
    if (arg == "--wasm") wasm = v;
    else if (arg == "--config") config = v;
    else if (arg == "--root-id") root_id = v;
    else if (arg == "--requests") requests = std::strtoull(v, nullptr, 10);
    else if (arg == "--json") json = v;
    else {
      std::fprintf(stderr, "memory_pages: unknown option %s\n", arg.c_str());
      return 2;
    }
  }
  if (wasm.empty()) {
    std::fprintf(stderr, "usage: memory_pages --wasm FILE [--config JSON] [--root-id ID] [--requests N] [--json FILE]\n");
    return 2;
  }
  HostOptions options;
  options.record_host_calls = false;
  options.keep_callout_records = false;
  options.keep_finished_streams = false;
  auto host = makeHost(options, WasmFile{wasm});
  const uint32_t root = host->startPlugin({root_id, config});
  if (root == 0) {
    std::fprintf(stderr, "memory_pages: %s did not start: %s\n", wasm.c_str(), host->failure().c_str());
    return 1;
  }
  const uint64_t pages_start = host->guest().memoryBytes() / 65536;
  const HeaderList request{{":method", "GET"},         {":path", "/api/v1/items?id=42"}, {":authority", "bench.example.com"},
                           {":scheme", "https"},       {"user-agent", "proxy-wasm-bench/1.0"}, {"accept", "*/*"},
                           {"x-request-id", "bench"}};
  const HeaderList response{{":status", "200"}, {"content-type", "application/json"}, {"server", "envoy"}};
  uint64_t pages_max = pages_start;
  for (uint64_t i = 0; i < requests && !host->failed(); ++i) {
    auto& s = host->newHttpStream(root);
    s.sendRequestHeaders(request, true);
    s.sendResponseHeaders(response, true);
    s.finish();
    host->clearLogs();
    if ((i & 1023) == 0) pages_max = std::max<uint64_t>(pages_max, host->guest().memoryBytes() / 65536);
  }
  if (host->failed()) {
    std::fprintf(stderr, "memory_pages: %s failed: %s\n", wasm.c_str(), host->failure().c_str());
    return 1;
  }
  const uint64_t pages_end = host->guest().memoryBytes() / 65536;
  pages_max = std::max(pages_max, pages_end);
  const std::string name = wasm.substr(wasm.rfind('/') + 1);
  std::printf("%s: %llu pages after start, %llu after %llu requests (max %llu)\n", name.c_str(),
              (unsigned long long)pages_start, (unsigned long long)pages_end, (unsigned long long)requests,
              (unsigned long long)pages_max);
  if (!json.empty()) {
    FILE* f = std::fopen(json.c_str(), "w");
    if (!f) return 1;
    std::fprintf(f, "{\"pages_after_start\": %llu, \"pages_after_requests\": %llu, \"pages_max\": %llu, \"requests\": %llu}\n",
                 (unsigned long long)pages_start, (unsigned long long)pages_end, (unsigned long long)pages_max,
                 (unsigned long long)requests);
    std::fclose(f);
  }
  return 0;
}
