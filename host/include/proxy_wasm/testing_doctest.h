// doctest glue for plugin tests: a failed start reports the host's reason.
//
//   auto host = proxy_wasm::testing::makeHost();
//   auto root = proxy_wasm::testing::start(*host, {"my_root", R"({"header": "x-a"})"});
//   REQUIRE(root);   // on failure doctest prints: REQUIRE( not started: <why>; logs: ... )
//   ... root.id ...
//
// `REQUIRE(host->startPlugin(...) != 0)` can only print `0 != 0`; `start()` keeps the reason
// (Host::failure()) and the plugin's warnings and errors logged while it started.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "proxy_wasm/testing.h"

namespace proxy_wasm::testing {

// The outcome of Host::startPlugin: the root context id, or why there is none.
struct Started {
  uint32_t id = 0;
  std::string failure;  // empty when started
  explicit operator bool() const { return id != 0; }
};

// Starts a plugin (root context, vm_start, configure) like Host::startPlugin.
inline Started start(Host& host, const PluginOptions& plugin = {}) {
  const size_t first_log = host.logs().size();
  Started result;
  result.id = host.startPlugin(plugin);
  if (result.id == 0) {
    result.failure = host.failure().empty() ? std::string("startPlugin returned 0") : host.failure();
    std::string logs;
    for (size_t i = first_log; i < host.logs().size(); ++i) {
      const auto& entry = host.logs()[i];
      if (entry.level < proxy_wasm::LogLevel::Warn) continue;
      logs += logs.empty() ? "" : " | ";
      logs += entry.message;
    }
    if (!logs.empty()) result.failure += "; plugin logs: " + logs;
  }
  return result;
}

}  // namespace proxy_wasm::testing

namespace doctest {
template <>
struct StringMaker<proxy_wasm::testing::Started> {
  static String convert(const proxy_wasm::testing::Started& started) {
    const std::string text = started ? "root context " + std::to_string(started.id) : "not started: " + started.failure;
    return String(text.c_str());
  }
};
}  // namespace doctest
