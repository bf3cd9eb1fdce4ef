// proxy-wasm-check: tells whether each .wasm would load in an Envoy-like host and follows
// this SDK's conventions for a v0.2.1 plugin.
#include <cstdio>
#include <string>
#include <vector>

#include "proxy_wasm/engine/check.h"
#include "proxy_wasm/engine/wasm_guest.h"

int main(int argc, char** argv) {
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h" || arg == "--help" || (!arg.empty() && arg[0] == '-')) {
      std::fprintf(arg[1] == 'h' || arg == "--help" ? stdout : stderr,
                   "usage: proxy-wasm-check PLUGIN.wasm...\n"
                   "Checks that each module loads as a Proxy-Wasm ABI v0.2.1 plugin (Envoy's load checks)\n"
                   "and exports what an SDK-built plugin should: the ABI marker, malloc and\n"
                   "proxy_on_memory_allocate, _initialize, memory, and only v0.2.1 callbacks.\n");
      return arg == "-h" || arg == "--help" ? 0 : 2;
    }
    files.push_back(arg);
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: proxy-wasm-check PLUGIN.wasm...\n");
    return 2;
  }

  int failed = 0;
  for (const std::string& file : files) {
    std::vector<uint8_t> bytes;
    std::string error;
    if (!proxy_wasm::engine::readFile(file, &bytes, &error)) {
      std::printf("%s: FAIL\n  - %s\n", file.c_str(), error.c_str());
      ++failed;
      continue;
    }
    const auto report = proxy_wasm::engine::checkWasmModule(bytes, file);
    if (report.ok()) {
      std::printf("%s: ok (%zu imports, %zu exports)\n", file.c_str(), report.imports, report.exports);
      continue;
    }
    ++failed;
    std::printf("%s: FAIL\n", file.c_str());
    if (!report.load_error.empty()) std::printf("  - does not load: %s\n", report.load_error.c_str());
    for (const auto& problem : report.problems) std::printf("  - %s\n", problem.c_str());
  }
  return failed == 0 ? 0 : 1;
}
