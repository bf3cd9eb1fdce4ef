// A plugin built by another SDK (one of the SDK shapes, named by PROXY_WASM_PLUGIN_WASM:
// the same route proxy_wasm_add_plugin_test uses) under proxy_wasm/testing.h: it starts,
// serves an HTTP stream and ticks, as in proxy-wasm-cpp-host.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "proxy_wasm/testing.h"

using proxy_wasm::Action;
using proxy_wasm::LogLevel;
using namespace proxy_wasm::testing;

namespace {
// rust.wasm -> "rust"
std::string shape() { return std::filesystem::path(pluginUnderTestName()).stem().string(); }
}  // namespace

TEST_CASE("the module starts: its entry point ran before on_vm_start") {
  auto host = makeHost();
  // on_vm_start returns 0 unless the entry point ran.
  CHECK_MESSAGE(host->startPlugin({"", ""}) != 0, host->failure());
  CHECK_FALSE(host->failed());
  CHECK(host->violations().empty());
}

TEST_CASE("an HTTP stream: the allocator receives :path, response headers gain two headers") {
  auto host = makeHost();
  REQUIRE(host->startPlugin() != 0);
  auto& stream = host->newHttpStream();
  CHECK(stream.sendRequestHeaders({{":method", "GET"}, {":path", "/hello"}, {":authority", "example.com"}}, true) ==
        Action::Continue);
  CHECK(stream.sendResponseHeaders({{":status", "200"}}, true) == Action::Continue);
  CHECK(stream.responseHeaders().get("x-wasm-path") == "/hello");
  CHECK(stream.responseHeaders().get("x-sdk-shape") == shape());
  stream.finish();
  CHECK_FALSE(host->failed());
}

TEST_CASE("ticks: on_vm_start set a 1 s period") {
  auto host = makeHost();
  REQUIRE(host->startPlugin() != 0);
  host->advanceTime(2500);
  CHECK(host->logs(LogLevel::Info) == std::vector<std::string>{"tick from " + shape(), "tick from " + shape()});
}
