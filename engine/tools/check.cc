// proxy-wasm-check: judges each .wasm as a real host would (errors: proxy-wasm-cpp-host or
// Envoy would refuse it) and against this SDK's conventions (warnings). Runs none of the
// module's code.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "proxy_wasm/engine/check.h"
#include "proxy_wasm/engine/wasm_guest.h"

namespace {

const char* kUsage =
    "usage: proxy-wasm-check [--strict] [--rules] PLUGIN.wasm...\n"
    "Checks each module without running any of its code. Errors are what proxy-wasm-cpp-host\n"
    "(Envoy, Istio) would refuse when loading or starting it; warnings are this SDK's\n"
    "conventions. Exit status: 0 no errors (warnings allowed), 1 an error in some module,\n"
    "2 bad arguments, 3 internal error (the system refused memory).\n"
    "  --strict  warnings count as errors (this SDK's own plugins are checked so)\n"
    "  --rules   list every rule and exit\n";

// An error also states the host rule it stands for.
void printFinding(const char* level, const proxy_wasm::engine::Finding& f, bool host_rule) {
  std::printf("  %s [%s]: %s\n", level, f.rule.c_str(), f.message.c_str());
  if (const auto* rule = proxy_wasm::engine::findCheckRule(f.rule); rule && host_rule)
    std::printf("    host rule: %s\n", rule->rule);
}

}  // namespace

int run(int argc, char** argv) {
  std::vector<std::string> files;
  bool strict = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::printf("%s", kUsage);
      return 0;
    } else if (arg == "--strict") {
      strict = true;
    } else if (arg == "--rules") {
      for (const auto& r : proxy_wasm::engine::checkRules())
        std::printf("%-18s %-7s %s\n", r.id, r.error ? "error" : "warning", r.rule);
      return 0;
    } else if (!arg.empty() && arg[0] == '-') {
      std::fprintf(stderr, "proxy-wasm-check: unknown option %s\n%s", arg.c_str(), kUsage);
      return 2;
    } else {
      files.push_back(arg);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "%s", kUsage);
    return 2;
  }

  int failed = 0;
  for (const std::string& file : files) {
    std::vector<uint8_t> bytes;
    std::string error;
    if (!proxy_wasm::engine::readFile(file, &bytes, &error)) {
      std::printf("%s: FAIL\n  error [file]: %s\n", file.c_str(), error.c_str());
      std::fprintf(stderr, "proxy-wasm-check: %s\n", error.c_str());
      ++failed;
      continue;
    }
    const auto report = proxy_wasm::engine::checkWasmModule(bytes, file);
    const bool ok = report.ok(strict);
    if (!ok) ++failed;
    const char* verdict = !report.errors.empty() ? "FAIL" : !ok ? "FAIL (--strict)" : "ok";
    std::printf("%s: %s (ABI %s, %zu imports, %zu exports, %zu errors, %zu warnings)\n", file.c_str(), verdict,
                report.abi.empty() ? "unknown" : report.abi.c_str(), report.imports, report.exports,
                report.errors.size(), report.warnings.size());
    for (const auto& f : report.errors) printFinding("error", f, true);
    for (const auto& f : report.warnings) printFinding(strict ? "error" : "warning", f, false);
  }
  return failed == 0 ? 0 : 1;
}

// Last resort: no exception (an allocation the system refuses) ends the tool without a
// message and a status.
int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "proxy-wasm-check: internal error: %s\n", e.what());
    return 3;
  }
}
