// libFuzzer: proxy-wasm-run's scenario reader (engine/tools/scenario.cc over input.cc's
// depth-capped JSON parser) on arbitrary bytes: deep nesting, huge arrays and strings,
// wrong types everywhere. It must answer "valid" or an error message naming line/column or
// the offending step and field; never crash, throw, recurse without bound or leak.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  proxy_wasm::run::Scenario scenario;
  std::string error;
  const bool ok = proxy_wasm::run::parseScenario(text, &scenario, &error);
  if (!ok && error.empty()) {
    std::fprintf(stderr, "parseScenario failed without a message\n");
    std::abort();
  }
  if (ok && !error.empty()) {
    std::fprintf(stderr, "parseScenario succeeded with an error message: %s\n", error.c_str());
    std::abort();
  }
  return 0;
}
