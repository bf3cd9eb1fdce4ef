// proxy-wasm-check's judgement of a module, on two levels (docs/engine.md,
// "proxy-wasm-check"): errors are what proxy-wasm-cpp-host or Envoy would refuse when
// loading or starting the module; warnings are this SDK's conventions. Nothing of the
// module runs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace proxy_wasm::engine {

struct Finding {
  std::string rule;     // the rule's id, e.g. "allocator" (checkRules())
  std::string message;  // what is wrong in this module
};

struct CheckReport {
  std::vector<Finding> errors;
  std::vector<Finding> warnings;
  std::string abi;  // "0.2.1", "0.2.0", or empty when unknown
  size_t imports = 0;
  size_t exports = 0;

  // Loads in a real host (no error); with strict, also follows this SDK's conventions.
  bool ok(bool strict = false) const { return errors.empty() && (!strict || warnings.empty()); }
};

CheckReport checkWasmModule(const std::vector<uint8_t>& bytes, const std::string& name);

// Every rule, in the order they are checked: its id, whether it is an error (a host
// refuses the module) or a warning (this SDK's lint), and what it requires: for errors,
// the host's behaviour it stands for.
struct CheckRule {
  const char* id;
  bool error;
  const char* rule;
};
const std::vector<CheckRule>& checkRules();
const CheckRule* findCheckRule(const std::string& id);

}  // namespace proxy_wasm::engine
