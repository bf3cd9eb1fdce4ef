// docs/engine.md, "Testing plugins from other SDKs": a doctest suite for a .wasm that was
// not built here, named by path. RUST_FILTER_WASM is the path of the Rust-shaped module
// (CMake passes it); any plugin file works the same way.
#include <doctest/doctest.h>

#include "proxy_wasm/engine/testing.h"

#include <cstdio>
#include <memory>
#include <string>

// docs/engine.md, "Using it", as printed: the host model over a plugin file, without the
// testing library.
#include <proxy_wasm/engine/wasm_guest.h>

// A host running the plugin file at path (e.g. "plugin.wasm"), its plugin started; null when
// the file does not load or the plugin does not start.
std::unique_ptr<proxy_wasm::host::Host> startPluginFile(const std::string& path,
                                                        const proxy_wasm::host::HostOptions& options) {
  std::string error;
  auto guest = proxy_wasm::engine::loadWasmGuest(path, &error);  // or bytes
  if (!guest) {
    std::fprintf(stderr, "%s\n", error.c_str());  // one of the load-check messages below
    return nullptr;
  }
  auto host = std::make_unique<proxy_wasm::host::Host>(std::move(guest), options);
  if (host->startPlugin({"my_root", R"({"key": "value"})"}) == 0) {
    std::fprintf(stderr, "%s\n", host->failure().c_str());  // why it did not start
    return nullptr;
  }
  return host;
}

using proxy_wasm::Action;
using proxy_wasm::testing::HostOptions;
using proxy_wasm::testing::makeHost;
using proxy_wasm::testing::WasmFile;

TEST_CASE("the Rust filter copies :path into x-wasm-path") {
  HostOptions options;
  options.log_level = proxy_wasm::LogLevel::Info;
  auto host = makeHost(options, WasmFile{RUST_FILTER_WASM});
  REQUIRE(host->startPlugin() != 0);

  auto& stream = host->newHttpStream();
  CHECK(stream.sendRequestHeaders({{":method", "GET"}, {":path", "/hello"}}, true) == Action::Continue);
  CHECK(stream.sendResponseHeaders({{":status", "200"}}, true) == Action::Continue);
  CHECK(stream.responseHeaders().get("x-wasm-path") == "/hello");
  CHECK(stream.responseHeaders().get("x-sdk-shape") == "rust");
}

TEST_CASE("two modules side by side, each host with its own instance") {
  auto rust = makeHost({}, WasmFile{RUST_FILTER_WASM});
  auto go = makeHost({}, WasmFile{GO_FILTER_WASM});
  REQUIRE(rust->startPlugin() != 0);
  REQUIRE(go->startPlugin() != 0);
  rust->tick();
  go->tick();
  CHECK(rust->logs(proxy_wasm::LogLevel::Info) == std::vector<std::string>{"tick from rust"});
  CHECK(go->logs(proxy_wasm::LogLevel::Info) == std::vector<std::string>{"tick from go-wasip1"});
}

TEST_CASE("docs/engine.md, Using it: startPluginFile loads, starts and drives a plugin file") {
  proxy_wasm::host::HostOptions options;
  options.log_level = proxy_wasm::LogLevel::Info;
  auto host = startPluginFile(RUST_FILTER_WASM, options);
  REQUIRE(host);
  REQUIRE(host->roots().size() == 1);
  auto& stream = host->newHttpStream();
  CHECK(stream.sendRequestHeaders({{":method", "GET"}, {":path", "/file"}}, true) == Action::Continue);
  CHECK(stream.sendResponseHeaders({{":status", "200"}}, true) == Action::Continue);
  CHECK(stream.responseHeaders().get("x-wasm-path") == "/file");

  CHECK(startPluginFile(std::string(RUST_FILTER_WASM) + ".missing", options) == nullptr);  // does not load
}
