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

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <ostream>
#include <string>

#include <unistd.h>

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

// Records every callback the host delivers, one line each ("<export> <arg> <arg>..."), to
// a file of its own in the directory PROXY_WASM_CALLBACK_TRACE names. docs/concepts.md's
// callback diagrams are checked against what the suites produce this way
// (tests/docs/callback_diagrams.py); unset, makeHost() records nothing.
class CallbackTrace final : public host::Guest {
 public:
  CallbackTrace(std::unique_ptr<host::Guest> guest, const std::string& dir) : guest_(std::move(guest)) {
    static std::atomic<unsigned> hosts{0};
    out_.open(dir + "/trace-" + std::to_string(::getpid()) + "-" + std::to_string(hosts++) + ".txt");
  }
  bool has(Callback cb) const override { return guest_->has(cb); }
  host::CallResult call(Callback cb, std::initializer_list<uint32_t> args) override {
    out_ << host::callbackInfo(cb).export_name;
    for (uint32_t a : args) out_ << ' ' << a;
    out_ << '\n';
    return guest_->call(cb, args);
  }
  std::string describe() const override { return guest_->describe(); }
  void attach(host::Model& model) override { guest_->attach(model); }
  uint64_t memoryBytes() const override { return guest_->memoryBytes(); }

 private:
  std::unique_ptr<host::Guest> guest_;
  std::ofstream out_;
};

// A new host driving a fresh instance of the plugin under test.
inline std::unique_ptr<Host> makeHost(HostOptions options = {}) {
  if (const char* dir = std::getenv("PROXY_WASM_CALLBACK_TRACE"); dir && *dir)
    return std::make_unique<Host>(std::make_unique<CallbackTrace>(pluginUnderTest(), dir), std::move(options));
  return std::make_unique<Host>(pluginUnderTest(), std::move(options));
}

}  // namespace proxy_wasm::testing
