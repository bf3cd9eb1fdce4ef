// Writing plugin tests: a fresh host per test case, driving the plugin under test.
//
//   auto host = proxy_wasm::testing::makeHost();
//   REQUIRE(host->startPlugin({"my_root", R"({"header": "x-a"})"}));
//   auto& stream = host->newHttpStream();
//   CHECK(stream.sendRequestHeaders({{":path", "/"}}) == proxy_wasm::Action::Continue);
//
// The same test source runs against the natively linked plugin (link ProxyWasm::mock)
// and against its .wasm in a WebAssembly engine (link ProxyWasm::engine_testing); see
// docs/testing.md.
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "proxy_wasm/host/host.h"

namespace proxy_wasm {
// Readable values in test assertions ("NotFound", not "{?}").
inline std::ostream& operator<<(std::ostream& os, Status s) { return os << s.name(); }
inline std::ostream& operator<<(std::ostream& os, Action a) { return os << (a == Action::Continue ? "Continue" : "Pause"); }
inline std::ostream& operator<<(std::ostream& os, LogLevel l) { return os << logLevelName(l); }
}  // namespace proxy_wasm

namespace proxy_wasm::testing {

using host::Callback;
using host::FaultSchedule;
using host::Finalization;
using host::HeaderList;
using host::Host;
using host::HostCall;
using host::HostOptions;
using host::HttpStream;
using host::LocalResponse;
using host::PluginOptions;
using host::TcpConnection;

// The plugin under test, chosen by what the test links.
std::unique_ptr<host::Guest> pluginUnderTest();
// "native" or the path of the .wasm.
std::string pluginUnderTestName();

// A new host driving a fresh instance of the plugin under test.
inline std::unique_ptr<Host> makeHost(HostOptions options = {}) {
  return std::make_unique<Host>(pluginUnderTest(), std::move(options));
}

}  // namespace proxy_wasm::testing
